"""Policy: passwords are Pulumi secrets, never plain values in the state.

Checked: a `Role`'s `password`, the postgresql provider's `password`, a container's
`uploads[].content`/`contentBase64` (the admin password file) and any `*PASSWORD=`/`*SECRET=`/
`*TOKEN=` entry of its `envs`. A value counts as secret when it, or a list or map holding it, is
marked secret (see `values`: the pack's `__main__` makes the SDK keep those marks).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from pgplatform_policy import tokens, values

NAME = "passwords-are-secrets"
_SECRET_ENV = re.compile(r"^[A-Za-z0-9_]*(PASSWORD|SECRET|TOKEN)=", re.IGNORECASE)


def _plain_values(args: ResourceValidationArgs) -> Iterator[str]:
    """Paths of the properties of `args` that should be secret but are not."""
    props = args.props
    if args.resource_type in (tokens.ROLE, tokens.POSTGRES_PROVIDER):
        if _is_plain(props.get("password")):
            yield "password"
    if args.resource_type == tokens.CONTAINER:
        uploads = props.get("uploads")
        if not values.is_secret(uploads):
            for i, upload in enumerate(values.items(uploads, "uploads")):
                if values.is_secret(upload):
                    continue
                for key in ("content", "contentBase64"):
                    if _is_plain(values.plain(upload, f"uploads.{i}").get(key)):
                        yield f"uploads[{i}].{key}"
        envs = props.get("envs")
        if not values.is_secret(envs):
            for i, env in enumerate(values.items(envs, "envs")):
                if not values.is_secret(env) and _SECRET_ENV.match(str(values.plain(env))):
                    yield f"envs[{i}] ({str(values.plain(env)).split('=', 1)[0]})"


def _is_plain(value: Any) -> bool:
    """Set, and not marked secret (an unknown value is not inspected: it is not plain text)."""
    if value is None or values.is_secret(value) or values.is_unknown(value):
        return False
    return bool(value != "")


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for path in _plain_values(args):
        report_violation(
            f"[{NAME}] {tokens.short(args.resource_type)} '{args.name}' sets {path} as a plain "
            "value: it would be stored unencrypted in the state. Pass it as a secret "
            "(pulumi.Output.secret, or a pulumi-random result wrapped in one).", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Role and provider passwords, and password files uploaded into the container, "
                "are Pulumi secrets.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
