"""Dynamic resources for the lifecycle steps the upstream providers do not handle (see
`pgplatform.lifecycle` and `pgplatform.placements` for what each does and why):

- `PlacementGuard`: refuses, at Check (so in preview too), a change that would rename a
  service or move it to another schema or database;
- `RetainedDataPark` / `RetainedDataAdoption`: around the creation of the roles and databases
  of a stack that keeps its data, so that `up` after `destroy` adopts what was retained;
- `ServiceRetirement`: sits between a service's roles and its schema; its delete clears what
  the roles still own in their database, so that removing a service can drop them. The
  exporter's and the watchdog's logins have one too, in `postgres`, after everything that
  grants to them there (`program._retirement`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ResourceProvider,
    UpdateResult,
)

from pgplatform import lifecycle, placements
from pgplatform.components import connection

_SECRET_DSN = pulumi.ResourceOptions(additional_secret_outputs=["dsn"])


def _changed(olds: dict[str, Any], news: dict[str, Any], keys: Sequence[str]) -> DiffResult:
    changed = [k for k in keys if olds.get(k) != news.get(k)]
    return DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)


class PlacementsProvider(ResourceProvider):
    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        deployed = olds.get("placements") or {}
        problems = placements.refused_moves(deployed, news.get("placements") or {})
        return CheckResult(news, [CheckFailure("placements", p) for p in problems])

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_="service-placements", outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return _changed(olds, news, ["placements"])

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=news)


class PlacementGuard(pulumi.dynamic.Resource, module="pgplatform", name="PlacementGuard"):
    def __init__(self, name: str, deployed_as: placements.Placements,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(PlacementsProvider(), name, {"placements": deployed_as}, opts)


class ParkProvider(ResourceProvider):
    """Create parks whatever of the stack's roles and databases exists (the stack is new, so
    it was retained); update parks only the names added since."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        parked = lifecycle.park(connection.dsn(props), props["roles"], props["databases"])
        return CreateResult(id_="retained-data-park", outs={**props, "parked": parked})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return _changed(olds, news, ["roles", "databases"])

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        roles = [r for r in news["roles"] if r not in set(olds.get("roles") or [])]
        dbs = [d for d in news["databases"] if d not in set(olds.get("databases") or [])]
        parked = lifecycle.park(connection.dsn(news), roles, dbs)
        return UpdateResult(outs={**news, "parked": parked})


class AdoptProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        adopted = lifecycle.adopt(connection.dsn(props), props["roles"], props["databases"])
        return CreateResult(id_="retained-data-adoption", outs={**props, "adopted": adopted})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return _changed(olds, news, ["roles", "databases"])

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        adopted = lifecycle.adopt(connection.dsn(news), news["roles"], news["databases"])
        return UpdateResult(outs={**news, "adopted": adopted})


def _retained_props(admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                    roles: Sequence[str], databases: Sequence[str]) -> dict[str, Any]:
    return {**connection.props(ca_cert, dsn=admin_dsn), "roles": sorted(roles),
            "databases": sorted(databases)}


class RetainedDataPark(pulumi.dynamic.Resource, module="pgplatform", name="RetainedDataPark"):
    def __init__(self, name: str, admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                 roles: Sequence[str], databases: Sequence[str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(ParkProvider(), name,
                         {**_retained_props(admin_dsn, ca_cert, roles, databases), "parked": None},
                         pulumi.ResourceOptions.merge(opts, _SECRET_DSN))


class RetainedDataAdoption(pulumi.dynamic.Resource, module="pgplatform",
                           name="RetainedDataAdoption"):
    def __init__(self, name: str, admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                 roles: Sequence[str], databases: Sequence[str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(AdoptProvider(), name,
                         {**_retained_props(admin_dsn, ca_cert, roles, databases), "adopted": None},
                         pulumi.ResourceOptions.merge(opts, _SECRET_DSN))


class RetirementProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=f"{props['service']}-retirement", outs=props)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return _changed(olds, news, ["dsn", connection.CA_CERT, "database", "service", "roles"])

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=news)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        lifecycle.retire(connection.dsn(props), props["database"], props["service"], props["roles"])


class ServiceRetirement(pulumi.dynamic.Resource, module="pgplatform", name="ServiceRetirement"):
    def __init__(self, name: str, admin_dsn: pulumi.Input[str], ca_cert: pulumi.Input[str],
                 database: str, service: str, roles: Sequence[str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(RetirementProvider(), name,
                         {**connection.props(ca_cert, dsn=admin_dsn), "database": database,
                          "service": service, "roles": sorted(roles)},
                         pulumi.ResourceOptions.merge(opts, _SECRET_DSN))
