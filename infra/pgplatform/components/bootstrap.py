"""A service's SQL bootstrap: the migration runner behind a Pulumi dynamic provider.

It runs after the schema, roles and default privileges exist, so every object the owner role
creates is granted as modelled. Deleting the resource keeps the data; dropping the schema is
the Schema resource's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from pgplatform import modules
from pgplatform.components import connection
from pgplatform.migrate import runner

# Inputs whose change means "run the migrations again" (new files, other target).
_TRIGGERS = ("checksum", "dsn", "admin_dsn", connection.CA_CERT, "schemas", "owner_role",
             "module", "service")


def _target(props: dict[str, Any]) -> runner.Target:
    return runner.Target(
        dsn=connection.dsn(props), admin_dsn=connection.dsn(props, "admin_dsn"),
        service=props["service"],
        schemas=tuple(props["schemas"]),
        owner_role=props["owner_role"],
        module=modules.load(Path(props["sql_root"]), props["module"]),
    )


def _apply(props: dict[str, Any]) -> dict[str, Any]:
    _, rows = runner.migrate_then_status(_target(props))
    applied = [row.migration.id for row in rows
               if row.applied is not None and row.migration is not None]
    return {**props, "applied": applied}


class MigrationsProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=f"{props['service']}-migrations", outs=_apply(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in _TRIGGERS if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=_apply(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


@dataclass(frozen=True, kw_only=True)
class SchemaBootstrapArgs:
    admin_dsn: pulumi.Input[str]
    migrator_dsn: pulumi.Input[str]
    ca_cert: pulumi.Input[str]
    service: str
    schemas: tuple[str, ...]
    owner_role: str
    module: modules.Module
    sql_root: Path


class SchemaBootstrap(pulumi.dynamic.Resource, module="pgplatform", name="SchemaBootstrap"):
    applied: pulumi.Output[list[str]]

    def __init__(self, name: str, args: SchemaBootstrapArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(
            MigrationsProvider(),
            name,
            {
                **connection.props(args.ca_cert, dsn=args.migrator_dsn,
                                   admin_dsn=args.admin_dsn),
                "service": args.service,
                "schemas": list(args.schemas),
                "owner_role": args.owner_role,
                "module": args.module.name,
                "sql_root": str(args.sql_root),
                "checksum": args.module.checksum,
                "applied": None,
            },
            # The engine keeps a dynamic resource's outputs in state: the DSN must stay secret.
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                additional_secret_outputs=["dsn", "admin_dsn"])),
        )
