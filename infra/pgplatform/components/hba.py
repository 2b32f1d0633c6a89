"""The server's pg_hba as a resource: every `up` writes the rules the model gives (see
`pgplatform.hba`) and reloads, without a restart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult

from pgplatform import hba
from pgplatform.components import connection


class HbaRulesProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        hba.apply(connection.dsn(props), props["lines"])
        return CreateResult(id_="hba-rules", outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(k) != news.get(k) for k in ("lines", "dsn", connection.CA_CERT))
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        hba.apply(connection.dsn(news), news["lines"])
        return UpdateResult(outs=news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        # The container goes next; a kept volume keeps the rules, which the next `up`
        # rewrites anyway.
        return None


class HbaRules(pulumi.dynamic.Resource, module="pgplatform", name="HbaRules"):
    def __init__(self, name: str, admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                 lines: pulumi.Input[Sequence[str]],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(HbaRulesProvider(), name,
                         {**connection.props(ca_cert, dsn=admin_dsn), "lines": lines},
                         pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
                             additional_secret_outputs=["dsn"])))
