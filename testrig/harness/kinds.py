"""One row per resource type the program registers: how the harness creates it, updates it in
place, deletes it, and which id it gets; `properties.TABLE` says which changes replace it.
Dynamic-provider resources (`pulumi-python:dynamic...`) go to the provider process instead
(`engine.py`). Any other type is an error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness import tls_apply
from harness.appliers import Appliers, UnknownResourceType
from harness.random_apply import random_password
from pgplatform import resource_types as rt

Inputs = dict[str, Any]
Outputs = dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Request:
    name: str
    inputs: Inputs
    provider: str
    """`<provider urn>::<provider id>` of an explicit provider, else ''."""


@dataclass(frozen=True, kw_only=True)
class Kind:
    create: Callable[[Appliers, Request], Outputs]
    update: Callable[[Appliers, Outputs, Request], Outputs] | None
    """In place, from the stored outputs to the new inputs (None: every change replaces)."""
    delete: Callable[[Appliers, Outputs, str], None]
    """(appliers, stored outputs, provider reference)"""
    identity: Callable[[str, Outputs], str]
    """The resource id, from its name and outputs."""
    prepare: Callable[[Inputs], Inputs] = lambda inputs: inputs
    """What the provider adds to the inputs before diffing (e.g. the build context's digest)."""
    load: Callable[[Appliers, str, Outputs], None] = lambda a, resource_id, outputs: None
    """What an unchanged resource still does when the engine loads it (a provider
    configures itself, so that its resources can be created, updated or deleted)."""


def _nothing(_: Appliers, __: Outputs, ___: str) -> None:
    """Deleting a provider closes it; a random value, a key or a certificate holds nothing
    outside the state."""


def _state_only(_: Appliers, old: Outputs, r: Request) -> Outputs:
    """Upstream's Update copies the plan into the state (updatedUsingPlan): what may change in
    place changes nothing else."""
    return {**old, **r.inputs}


def provider_id(name: str) -> str:
    return f"{name}-provider"


def _postgres_provider(a: Appliers, r: Request) -> Outputs:
    a.add_postgres_provider(provider_id(r.name), r.inputs)
    return r.inputs


def _pg_create(method: str) -> Callable[[Appliers, Request], Outputs]:
    def create(a: Appliers, r: Request) -> Outputs:
        result: Outputs = getattr(a.postgres(r.provider), method)(r.inputs)
        return result
    return create


def _pg_update(method: str) -> Callable[[Appliers, Outputs, Request], Outputs]:
    def update(a: Appliers, old: Outputs, r: Request) -> Outputs:
        result: Outputs = getattr(a.postgres(r.provider), method)(old, r.inputs)
        return result
    return update


def _pg_delete(method: str) -> Callable[[Appliers, Outputs, str], None]:
    def delete(a: Appliers, outputs: Outputs, provider: str) -> None:
        getattr(a.postgres(provider), method)(outputs)
    return delete


def _regrant(a: Appliers, old: Outputs, r: Request) -> Outputs:
    return a.postgres(r.provider).grant(r.inputs, revoking=old)


def _name(_: str, o: Outputs) -> str:
    return str(o["name"])


def _logical(n: str, _: Outputs) -> str:
    return n


KINDS: dict[str, Kind] = {
    rt.DOCKER_REMOTE_IMAGE: Kind(
        create=lambda a, r: a.docker.remote_image(r.inputs),
        update=_state_only,
        delete=lambda a, o, _: a.docker.delete_image(o),
        identity=lambda _, o: f"{o['imageId']}{o['name']}"),
    rt.DOCKER_VOLUME: Kind(
        create=lambda a, r: a.docker.create_volume(r.inputs), update=None,
        delete=lambda a, o, _: a.docker.delete_volume(o), identity=_name),
    rt.DOCKER_NETWORK: Kind(
        create=lambda a, r: a.docker.create_network(r.inputs), update=None,
        delete=lambda a, o, _: a.docker.delete_network(o), identity=lambda _, o: str(o["id"])),
    rt.DOCKER_CONTAINER: Kind(
        create=lambda a, r: a.docker.create_container(r.inputs),
        update=lambda a, old, r: a.docker.update_container(old, r.inputs),
        delete=lambda a, o, _: a.docker.delete_container(o), identity=_name),
    rt.PG_ROLE: Kind(create=_pg_create("create_role"), update=_pg_update("update_role"),
                     delete=_pg_delete("delete_role"), identity=_name),
    rt.PG_DATABASE: Kind(create=_pg_create("create_database"),
                         update=_pg_update("update_database"),
                         delete=_pg_delete("delete_database"), identity=_name),
    rt.PG_SCHEMA: Kind(create=_pg_create("create_schema"), update=_pg_update("update_schema"),
                       delete=_pg_delete("delete_schema"),
                       identity=lambda _, o: f"{o['database']}.{o['name']}"),
    rt.PG_EXTENSION: Kind(create=_pg_create("create_extension"),
                          update=_pg_update("update_extension"),
                          delete=_pg_delete("delete_extension"),
                          identity=lambda _, o: f"{o.get('database')}.{o['name']}"),
    rt.PG_GRANT: Kind(create=_pg_create("grant"), update=_regrant, delete=_pg_delete("revoke"),
                      identity=_logical),
    rt.PG_DEFAULT_PRIVILEGES: Kind(
        create=_pg_create("default_privileges"),
        update=lambda a, _, r: a.postgres(r.provider).default_privileges(r.inputs),
        delete=_pg_delete("delete_default_privileges"), identity=_logical),
    rt.RANDOM_PASSWORD: Kind(create=lambda _, r: random_password(r.inputs), update=None,
                             delete=_nothing, identity=_logical),
    rt.TLS_PRIVATE_KEY: Kind(create=lambda _, r: tls_apply.private_key(r.inputs), update=None,
                             delete=_nothing, identity=lambda _, o: str(o["id"])),
    rt.TLS_SELF_SIGNED_CERT: Kind(create=lambda _, r: tls_apply.self_signed_cert(r.inputs),
                                  update=_state_only, delete=_nothing,
                                  identity=lambda _, o: str(o["id"])),
    rt.TLS_CERT_REQUEST: Kind(create=lambda _, r: tls_apply.cert_request(r.inputs),
                              update=None, delete=_nothing, identity=lambda _, o: str(o["id"])),
    rt.TLS_LOCALLY_SIGNED_CERT: Kind(
        create=lambda _, r: tls_apply.locally_signed_cert(r.inputs), update=_state_only,
        delete=_nothing, identity=lambda _, o: str(o["id"])),
    rt.POSTGRES_PROVIDER: Kind(create=_postgres_provider,
                               update=lambda a, _, r: _postgres_provider(a, r),
                               delete=_nothing, identity=lambda n, _: provider_id(n),
                               load=lambda a, i, o: a.add_postgres_provider(i, o)),
}


def is_dynamic(typ: str) -> bool:
    return typ.startswith(rt.DYNAMIC_PREFIX)


def kind_of(typ: str, name: str) -> Kind:
    kind = KINDS.get(typ)
    if kind is None:
        raise UnknownResourceType(
            f"harness: resource type {typ} ({name}) is not supported. Fix: add a row to "
            "harness.kinds.KINDS and harness.properties.TABLE, mirroring its provider")
    return kind
