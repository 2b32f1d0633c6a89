"""A service's identity: a NOLOGIN owner role that owns its schema and objects, and a LOGIN
role for the application with a generated password."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_postgresql as postgresql
import pulumi_random as random

from pgplatform import resource_types
from pgplatform.model import EXTENSIONS_SCHEMA, ServiceConfig


@dataclass(frozen=True, kw_only=True)
class ServiceIdentityArgs:
    service: ServiceConfig
    provider: pulumi.ProviderResource
    keep_data: bool
    """Retain the roles on delete: they own retained schemas and data."""
    after: Sequence[pulumi.Resource] = ()
    """What must precede the roles (the placement guard, the parking of retained data)."""


class ServiceIdentity(pulumi.ComponentResource):
    owner_role: postgresql.Role
    login_role: postgresql.Role
    login_password: pulumi.Output[str]

    def __init__(self, name: str, args: ServiceIdentityArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(resource_types.SERVICE_IDENTITY, name, None, opts)
        svc = args.service
        child = pulumi.ResourceOptions(parent=self, provider=args.provider,
                                       retain_on_delete=args.keep_data,
                                       depends_on=list(args.after))
        password = random.RandomPassword(
            f"{name}-login-password", length=32, special=False,
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.after)))
        self.login_password = pulumi.Output.secret(password.result)
        self.owner_role = postgresql.Role(
            f"{name}-owner-role", name=svc.owner_role, login=False, opts=child)
        self.login_role = postgresql.Role(
            f"{name}-login-role", name=svc.login_role, login=True, password=password.result,
            connection_limit=svc.connection_limit, statement_timeout=svc.statement_timeout_ms,
            search_paths=[svc.schema, EXTENSIONS_SCHEMA], opts=child)
        self.register_outputs({"owner_role": self.owner_role.name,
                               "login_role": self.login_role.name})

    @property
    def roles(self) -> list[pulumi.Resource]:
        return [self.owner_role, self.login_role]
