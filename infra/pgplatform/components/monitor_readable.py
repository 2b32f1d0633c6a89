"""`MonitorReadable`: admin-owned objects in `postgres`'s bookkeeping schema that the exporter's
login alone may read: the base backups' table (server.pitr, `pgplatform.pitr`),
pg_stat_statements (`pgplatform.statement_stats`) and the denied-access counts
(`pgplatform.denied_catalog`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from pgplatform import denied_catalog, pitr, statement_stats
from pgplatform.components import connection

INSTALLERS: dict[str, tuple[Callable[[str, str | None], None], Callable[[str], None]]] = {
    "pitr_backups": (pitr.install_catalog, pitr.remove_catalog),
    "statement_stats": (statement_stats.install, statement_stats.remove),
    "denied_access": (denied_catalog.install, denied_catalog.remove),
}


def _install(props: dict[str, Any]) -> None:
    INSTALLERS[props["kind"]][0](connection.dsn(props), props["reader"] or None)


class MonitorReadableProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        _install(props)
        return CreateResult(id_=props["kind"], outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in ("kind", "reader", "dsn", connection.CA_CERT)
                   if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed),
                          replaces=["kind"] if "kind" in changed else [],
                          delete_before_replace=True)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _install(news)
        return UpdateResult(outs=news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        INSTALLERS[props["kind"]][1](connection.dsn(props))


class MonitorReadable(pulumi.dynamic.Resource, module="pgplatform", name="MonitorReadable"):
    def __init__(self, name: str, kind: str, admin_dsn: pulumi.Input[str],
                 ca_cert: pulumi.Input[str], reader: str | None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(MonitorReadableProvider(), name, {
            **connection.props(ca_cert, dsn=admin_dsn), "kind": kind, "reader": reader or ""},
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                additional_secret_outputs=["dsn"])))
