"""The roles of a service (owner, app login, migrator, read-only) or of a consumer, as
`pgplatform.access` describes them: pulumi-postgresql Roles, a pulumi-random password per
login, and the read-only sessions of the read-only logins."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_postgresql as postgresql
import pulumi_random as random
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from pgplatform import resource_types, role_settings, scram
from pgplatform.access import RoleKind, RoleSpec
from pgplatform.components import connection


class _SessionDefaultsProvider(ResourceProvider):
    """One per-role session default for `roles` (see `pgplatform.role_settings`): set on
    create, moved on update, reset on delete."""

    SUFFIX = ""

    @staticmethod
    def apply(dsn: str, roles: Sequence[str], on: bool) -> None:
        raise NotImplementedError

    def create(self, props: dict[str, Any]) -> CreateResult:
        self.apply(connection.dsn(props), props["roles"], True)
        return CreateResult(id_="-".join(props["roles"]) + f"-{self.SUFFIX}", outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(k) != news.get(k) for k in ("roles", "dsn", connection.CA_CERT))
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        gone = [r for r in olds.get("roles") or [] if r not in news["roles"]]
        self.apply(connection.dsn(news), gone, False)
        self.apply(connection.dsn(news), news["roles"], True)
        return UpdateResult(outs=news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        self.apply(connection.dsn(props), props["roles"], False)


class ReadOnlySessionsProvider(_SessionDefaultsProvider):
    SUFFIX = "read-only"

    @staticmethod
    def apply(dsn: str, roles: Sequence[str], on: bool) -> None:
        role_settings.set_read_only(dsn, roles, on=on)


class RowSecurityOffProvider(_SessionDefaultsProvider):
    SUFFIX = "row-security-off"

    @staticmethod
    def apply(dsn: str, roles: Sequence[str], on: bool) -> None:
        role_settings.set_row_security_off(dsn, roles, off=on)


def _defaults_props(admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                    roles: Sequence[str]) -> dict[str, Any]:
    return {**connection.props(ca_cert, dsn=admin_dsn), "roles": sorted(roles)}


_SECRET_DSN = pulumi.ResourceOptions(additional_secret_outputs=["dsn"])


class ReadOnlySessions(pulumi.dynamic.Resource, module="pgplatform", name="ReadOnlySessions"):
    """`default_transaction_read_only = on` for `roles` (see `pgplatform.role_settings`)."""

    def __init__(self, name: str, admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                 roles: Sequence[str], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ReadOnlySessionsProvider(), name,
                         _defaults_props(admin_dsn, ca_cert, roles),
                         pulumi.ResourceOptions.merge(opts, _SECRET_DSN))


class RowSecurityOff(pulumi.dynamic.Resource, module="pgplatform", name="RowSecurityOff"):
    """`row_security = off` for `roles`, the logins that read another owner's schemas (see
    `pgplatform.hardening`)."""

    def __init__(self, name: str, admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                 roles: Sequence[str], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(RowSecurityOffProvider(), name,
                         _defaults_props(admin_dsn, ca_cert, roles),
                         pulumi.ResourceOptions.merge(opts, _SECRET_DSN))


@dataclass(frozen=True, kw_only=True)
class IdentityArgs:
    roles: Sequence[RoleSpec]
    provider: pulumi.ProviderResource
    admin_dsn: pulumi.Input[str]
    """The admin's DSN of the maintenance database (read-only sessions are set with it)."""
    ca_cert: pulumi.Input[str]
    keep_data: bool
    """Retain the roles on delete: they own retained schemas and data."""
    after: Sequence[pulumi.Resource] = ()
    """What must precede the roles (the placement guard, the parking of retained data)."""


class Identity(pulumi.ComponentResource):
    """Resource names: `<name>-<kind>-role`, `<name>-<kind>-password` (`login` kept its
    pre-migrator names)."""

    role: dict[RoleKind, postgresql.Role]
    password: dict[RoleKind, pulumi.Output[str]]
    verifier: dict[RoleKind, pulumi.Output[str]]
    """What the server stores for each login (the pooler authenticates clients by it)."""

    def __init__(self, name: str, args: IdentityArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(resource_types.SERVICE_IDENTITY, name, None, opts)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider,
                                       retain_on_delete=args.keep_data,
                                       depends_on=list(args.after))
        self.role, self.password, self.verifier = {}, {}, {}
        by_name: dict[str, postgresql.Role] = {}
        for spec in args.roles:
            verifier: pulumi.Output[str] | None = None
            if spec.login:
                generated = random.RandomPassword(
                    f"{name}-{spec.kind}-password", length=32, special=False,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.after)))
                self.password[spec.kind] = pulumi.Output.secret(generated.result)
                # The server gets the verifier only (see pgplatform.scram).
                verifier = pulumi.Output.secret(generated.result.apply(
                    functools.partial(scram.verifier, spec.name)))
                self.verifier[spec.kind] = verifier
            role = postgresql.Role(
                f"{name}-{spec.kind}-role", name=spec.name, login=spec.login,
                # Inputs left at upstream's defaults are not sent: existing roles see no diff.
                inherit=None if spec.inherit else False, password=verifier,
                # Outputs of the member roles: the membership waits for them.
                # A role of this identity, or one of PostgreSQL's own (pg_monitor).
                roles=[by_name[r].name if r in by_name else r for r in spec.member_of] or None,
                assume_role=spec.assume_role,
                replication=True if spec.replication else None,
                connection_limit=spec.connection_limit if spec.login else None,
                statement_timeout=spec.statement_timeout_ms or None,
                idle_in_transaction_session_timeout=(
                    spec.idle_in_transaction_timeout_ms or None),
                search_paths=list(spec.search_path) or None, opts=child)
            by_name[spec.name] = role
            self.role[spec.kind] = role
        # Each writes the roles' row of pg_db_role_setting: one after the other, or the second
        # fails with "tuple concurrently updated".
        writers: list[pulumi.Resource] = []
        read_only = [s.name for s in args.roles if s.read_only]
        if read_only:
            writers.append(ReadOnlySessions(
                f"{name}-read-only-sessions", args.admin_dsn, args.ca_cert, read_only,
                pulumi.ResourceOptions(parent=self, depends_on=[by_name[r] for r in read_only])))
        no_row_security = [s.name for s in args.roles if s.row_security_off]
        if no_row_security:
            RowSecurityOff(f"{name}-row-security-off", args.admin_dsn, args.ca_cert,
                           no_row_security,
                           pulumi.ResourceOptions(parent=self, depends_on=[
                               *(by_name[r] for r in no_row_security), *writers]))
        self.register_outputs({kind: role.name for kind, role in self.role.items()})

    @property
    def roles(self) -> list[pulumi.Resource]:
        return list(self.role.values())
