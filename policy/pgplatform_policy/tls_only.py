"""Policy: the admin connection verifies the server, and the server is not on a shared network.

A pulumi-postgresql provider with `sslmode` other than verify-full (or verify-ca) sends the
superuser's password to whatever answers on the port, or in plaintext (`disable`, `prefer`,
lib/pq's default `require` checks nothing). A container without `networksAdvanced` stays on
Docker's default bridge, where every other container reaches its port. A connection pooler
that accepts plaintext clients, or does not verify the server, undoes both for every pooled
login (its model: `clientTls`, `serverTls`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from pgplatform_policy import tokens, values

NAME = "tls-only"
VERIFYING = frozenset({"verify-full", "verify-ca"})


def _given(props: Mapping[str, Any], key: str) -> bool:
    """Set to something: a value, or one the program computes from a resource the same update
    creates (the stack's CA file), unknown in its first preview."""
    try:
        return bool(values.get(props, key))
    except UnknownValueError:
        return True


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == tokens.POSTGRES_PROVIDER:
        mode = values.get(args.props, "sslmode")
        if mode not in VERIFYING or not _given(args.props, "sslrootcert"):
            report_violation(
                f"[{NAME}] Provider '{args.name}' connects with sslmode={mode!r} and without "
                "sslrootcert: the admin's password "
                "would go to an unverified server. Set sslmode=verify-full and sslrootcert to "
                "the stack's CA.", None)
    if args.resource_type == tokens.CONNECTION_POOLER:
        client = values.get(args.props, "clientTls")
        server = values.get(args.props, "serverTls")
        if client not in ("require", "verify-ca", "verify-full") or server not in VERIFYING:
            report_violation(
                f"[{NAME}] Pooler '{args.name}' takes clients with TLS {client!r} and reaches "
                f"the server with {server!r}: pooled passwords would cross in plaintext or to "
                "an unverified server. Set client_tls_sslmode=require and "
                "server_tls_sslmode=verify-full.", None)
    if args.resource_type == tokens.CONTAINER:
        networks = list(values.items(args.props.get("networksAdvanced"), "networksAdvanced"))
        if not networks or values.get(args.props, "networkMode") not in (None, "bridge"):
            report_violation(
                f"[{NAME}] Container '{args.name}' is on Docker's shared default network, where "
                "every other container reaches it: put it on its own network "
                "(networksAdvanced).", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="The admin connection verifies the server's certificate; the server container "
                "is on its own Docker network.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
