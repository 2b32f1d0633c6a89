"""The reloadable server settings as a resource: a change is an update (ALTER SYSTEM and a
reload, see `pgplatform.server_reload`), not a new container."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from pgplatform import server_reload


class ServerSettingsProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        server_reload.apply(props["dsn"], props["settings"])
        return CreateResult(id_="server-settings", outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = olds.get("settings") != news.get("settings") or olds.get("dsn") != news.get(
            "dsn")
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        server_reload.apply(news["dsn"], news["settings"], dropped=olds.get("settings") or {})
        return UpdateResult(outs=news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        # The container and its volume are deleted after this; a kept volume keeps the
        # settings, which the next `up` sets again anyway.
        return None


class ServerSettings(pulumi.dynamic.Resource, module="pgplatform", name="ServerSettings"):
    def __init__(self, name: str, admin_dsn: pulumi.Input[str], settings: Mapping[str, str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ServerSettingsProvider(), name,
                         {"dsn": pulumi.Output.secret(admin_dsn), "settings": dict(settings)},
                         pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                             additional_secret_outputs=["dsn"])))
