"""One row per resource type the program registers: how the harness applies it, deletes it, and
which id it gets. Any other type is an error."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dill

from harness.appliers import Appliers, UnknownResourceType
from harness.random_apply import random_password
from harness.state import Applied
from pgplatform import resource_types as rt

PROVIDER_KEY = "__provider"


@dataclass(frozen=True, kw_only=True)
class Request:
    name: str
    inputs: dict[str, Any]
    previous: Applied | None
    provider: str
    """`<provider urn>::<provider id>` of an explicit provider, else ''."""


Result = tuple[dict[str, Any], bool]
"""(outputs, whether the apply changed anything)"""
DYNAMIC_ID = "__harness_id"
"""Where a dynamic provider's own id for its resource travels from `apply` to `identity`."""


@dataclass(frozen=True, kw_only=True)
class Kind:
    apply: Callable[[Appliers, Request], Result]
    delete: Callable[[Appliers, Applied], None]
    identity: Callable[[str, dict[str, Any]], str]
    """The resource id, from its name and outputs."""


def _keep(_: Appliers, __: Applied) -> None:
    """Images stay in the local cache (keep_locally / skip_push), providers and random values
    hold nothing live, and the bootstrap's delete keeps the data it made."""


def _postgres_provider(a: Appliers, r: Request) -> Result:
    a.add_postgres_provider(provider_id(r.name), r.inputs)
    return r.inputs, False


def provider_id(name: str) -> str:
    return f"{name}-provider"


def _dynamic(_: Appliers, r: Request) -> Result:
    provider = dill.loads(base64.b64decode(r.inputs[PROVIDER_KEY]))
    props = {k: v for k, v in r.inputs.items() if k != PROVIDER_KEY}
    previous = r.previous
    if previous is not None:
        olds = {k: v for k, v in previous.outputs.items() if k != PROVIDER_KEY}
        diff = provider.diff(previous.id, olds, props)
        if not diff.changes:
            return {**olds, **{k: v for k, v in props.items() if v is not None},
                    DYNAMIC_ID: previous.id}, False
        result = provider.update(previous.id, olds, props)
        return {**props, **(result.outs or {}), DYNAMIC_ID: previous.id}, True
    created = provider.create(props)
    return {**props, **(created.outs or {}), DYNAMIC_ID: str(created.id)}, True


def _pg(method: str) -> Callable[[Appliers, Request], Result]:
    def apply(a: Appliers, r: Request) -> Result:
        pg = a.postgres(r.provider)
        if method == "role":
            return pg.role(r.inputs, r.previous.outputs if r.previous else None)
        result: Result = getattr(pg, method)(r.inputs)
        return result
    return apply


def _pg_delete(method: str) -> Callable[[Appliers, Applied], None]:
    def delete(a: Appliers, applied: Applied) -> None:
        getattr(a.postgres(applied.provider), method)(applied.outputs)
    return delete


KINDS: dict[str, Kind] = {
    rt.DOCKER_IMAGE: Kind(
        apply=lambda a, r: a.docker.build_image(r.inputs), delete=_keep,
        identity=lambda _, o: str(o["imageName"])),
    rt.DOCKER_REMOTE_IMAGE: Kind(
        apply=lambda a, r: a.docker.remote_image(r.inputs), delete=_keep,
        identity=lambda _, o: f"{o['imageId']}{o['name']}"),
    rt.DOCKER_VOLUME: Kind(
        apply=lambda a, r: a.docker.volume(r.name, r.inputs),
        delete=lambda a, s: a.docker.delete_volume(s.outputs["name"]),
        identity=lambda _, o: str(o["name"])),
    rt.DOCKER_CONTAINER: Kind(
        apply=lambda a, r: a.docker.container(r.name, r.inputs, known=r.previous is not None),
        delete=lambda a, s: a.docker.delete_container(s.outputs["name"]),
        identity=lambda _, o: str(o["name"])),
    rt.PG_ROLE: Kind(apply=_pg("role"), delete=_pg_delete("delete_role"),
                     identity=lambda _, o: str(o["name"])),
    rt.PG_DATABASE: Kind(apply=_pg("database"), delete=_pg_delete("delete_database"),
                         identity=lambda _, o: str(o["name"])),
    rt.PG_SCHEMA: Kind(apply=_pg("schema"), delete=_pg_delete("delete_schema"),
                       identity=lambda _, o: f"{o['database']}.{o['name']}"),
    rt.PG_EXTENSION: Kind(apply=_pg("extension"), delete=_pg_delete("delete_extension"),
                          identity=lambda _, o: f"{o.get('database')}.{o['name']}"),
    rt.PG_GRANT: Kind(apply=_pg("grant"), delete=_pg_delete("revoke"),
                      identity=lambda n, _: n),
    rt.PG_DEFAULT_PRIVILEGES: Kind(
        apply=_pg("default_privileges"), delete=_pg_delete("delete_default_privileges"),
        identity=lambda n, _: n),
    rt.RANDOM_PASSWORD: Kind(
        apply=lambda _, r: random_password(r.inputs, r.previous.outputs if r.previous else None),
        delete=_keep, identity=lambda n, _: n),
    rt.POSTGRES_PROVIDER: Kind(apply=_postgres_provider, delete=_keep,
                               identity=lambda n, _: provider_id(n)),
    rt.SCHEMA_BOOTSTRAP: Kind(apply=_dynamic, delete=_keep,
                              identity=lambda _, o: str(o.pop(DYNAMIC_ID))),
}


def kind_of(typ: str, name: str) -> Kind:
    kind = KINDS.get(typ)
    if kind is None:
        raise UnknownResourceType(
            f"harness: resource type {typ} ({name}) is not supported. Fix: add a row to "
            "harness.kinds.KINDS, mirroring its provider's semantics")
    return kind
