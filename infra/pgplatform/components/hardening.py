"""Each managed database's walls against a hostile neighbour (`pgplatform.hardening`) as a
resource: applied as the admin once the database and its roles exist, again whenever the
model's grants or read-shared schemas change, the event trigger removed on delete."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from pgplatform import hardening
from pgplatform.components import connection

_INPUTS = ("dsn", connection.CA_CERT, "database", "grants", "readShared", "schema",
           "definition")


def _walls(props: dict[str, Any]) -> hardening.DatabaseWalls:
    return hardening.DatabaseWalls(
        database=props["database"],
        grants={k: tuple(v) for k, v in (props.get("grants") or {}).items()},
        read_shared=tuple(props.get("readShared") or ()))


class DatabaseHardeningProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        hardening.apply(connection.dsn(props), _walls(props), props["schema"])
        return CreateResult(id_=f"{props['database']}-hardening", outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(k) != news.get(k) for k in _INPUTS)
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        hardening.apply(connection.dsn(news), _walls(news), news["schema"])
        return UpdateResult(outs=news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        hardening.remove(connection.dsn(props), props["database"], props["schema"])


class DatabaseHardening(pulumi.dynamic.Resource, module="pgplatform",
                        name="DatabaseHardening"):
    def __init__(self, name: str, admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                 walls: hardening.DatabaseWalls, schema: str,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(DatabaseHardeningProvider(), name, {
            **connection.props(ca_cert, dsn=admin_dsn), "database": walls.database,
            "grants": {k: list(v) for k, v in walls.grants.items()},
            "readShared": list(walls.read_shared), "schema": schema,
            "definition": hardening.DEFINITION,
        }, pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
            additional_secret_outputs=["dsn"])))
