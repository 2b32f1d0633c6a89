"""`PitrCatalog`: the table of base backups in `postgres` (`pgplatform.pitr`), readable by the
exporter's login alone, in a stack with server.pitr."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from pgplatform import pitr
from pgplatform.components import connection


class PitrCatalogProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        pitr.install_catalog(connection.dsn(props), props["reader"] or None)
        return CreateResult(id_=pitr.BACKUPS_TABLE, outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(k) != news.get(k) for k in ("reader", "dsn", connection.CA_CERT))
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        pitr.install_catalog(connection.dsn(news), news["reader"] or None)
        return UpdateResult(outs=news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        pitr.remove_catalog(connection.dsn(props))


class PitrCatalog(pulumi.dynamic.Resource, module="pgplatform", name="PitrCatalog"):
    def __init__(self, name: str, admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                 reader: str | None, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(PitrCatalogProvider(), name, {
            **connection.props(ca_cert, dsn=admin_dsn), "reader": reader or ""},
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                additional_secret_outputs=["dsn"])))
