"""The reloadable server settings as a resource: a change is an update (ALTER SYSTEM and a
reload, see `pgplatform.server_reload`), not a new container."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from pgplatform import server_reload
from pgplatform.components import connection


class ServerSettingsProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        server_reload.apply(connection.dsn(props), props["settings"])
        return CreateResult(id_="server-settings", outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(k) != news.get(k) for k in ("settings", "dsn", connection.CA_CERT))
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        server_reload.apply(connection.dsn(news), news["settings"],
                            dropped=olds.get("settings") or {})
        return UpdateResult(outs=news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        # The container and its volume are deleted after this; a kept volume keeps the
        # settings, which the next `up` sets again anyway.
        return None


class ServerSettings(pulumi.dynamic.Resource, module="pgplatform", name="ServerSettings"):
    def __init__(self, name: str, admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                 settings: Mapping[str, str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ServerSettingsProvider(), name,
                         {**connection.props(ca_cert, dsn=admin_dsn), "settings": dict(settings)},
                         pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                             additional_secret_outputs=["dsn"])))
