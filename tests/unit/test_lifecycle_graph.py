"""The lifecycle parts of the resource graph (under mocks): what makes a second `up` a no-op,
the retained-data adoption around the roles and databases of stacks that keep their data, the
retirement step of stacks that may lose it, and the placement guard in front of everything."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.docker_apply import duration_ns, go_duration
from harness.monitor import is_secret, reveal
from pgplatform import paths, stack_config
from pgplatform import resource_types as rt
from pgplatform.components.exporter import IMAGE_NAME as EXPORTER_IMAGE
from pgplatform.components.image import context_digest
from pgplatform.components.pooler import IMAGE_NAME as POOLER_IMAGE
from pgplatform.components.server import ENTRYPOINT, ENTRYPOINT_SOURCE
from pgplatform.model import SecretValue

from graph import COMMITTED_STACKS, Graph, build_graph, committed_graph

pytestmark = pytest.mark.unit


@pytest.fixture(params=COMMITTED_STACKS)
def g(request: pytest.FixtureRequest) -> Graph:
    return committed_graph(request.param)


def _urns(g: Graph, typ: str) -> list[str]:
    return [r.urn for r, _ in g.resources(typ)]


def test_graph__container_inputs_read_back_as_written(g: Graph) -> None:
    """Go's duration format and an explicit swap limit: nothing for the provider's read to
    rewrite, so the next `up` sees no change."""
    _, c = g.resources(rt.DOCKER_CONTAINER)[0]
    hc = c["healthcheck"]
    for key in ("interval", "timeout", "startPeriod"):
        assert go_duration(duration_ns(hc[key])) == hc[key], f"healthcheck.{key}={hc[key]!r}"
    assert c["memorySwap"] == c["memory"] == g.cfg.server.memory_mb


def test_graph__container_runs_the_image_id_not_its_tag(g: Graph) -> None:
    _, c = g.resources(rt.DOCKER_CONTAINER)[0]
    assert c["image"] == "sha256:feedface", "a rebuilt image must change the container's input"


def test_graph__a_built_image_is_replaced_when_its_context_changes(g: Graph) -> None:
    """The build context's digest is a trigger (ForceNew upstream), and the image is kept
    locally: upstream deletes by name, which would untag its own replacement."""
    built = [i for _, i in g.resources(rt.DOCKER_REMOTE_IMAGE) if i.get("build")]
    s = g.cfg.server
    expected = {s.image_name} if s.builds_image else set()
    expected |= {POOLER_IMAGE} if s.pooler else set()
    expected |= {EXPORTER_IMAGE} if s.exporter_port else set()
    assert {i["name"] for i in built} == expected
    for inputs in built:
        context = Path(inputs["build"]["context"])
        assert inputs["triggers"] == {"context": context_digest(context)}, inputs["name"]
        assert inputs["keepLocally"] is True, inputs["name"]


def test_graph__container_sets_the_admin_password_on_every_start(g: Graph) -> None:
    _, c = g.resources(rt.DOCKER_CONTAINER)[0]
    assert c["entrypoints"] == [ENTRYPOINT]
    script = next(u for u in reveal(c["uploads"]) if u["file"] == ENTRYPOINT)
    assert script["content"] == ENTRYPOINT_SOURCE.read_text() and script["permissions"] == "0755"


def test_graph__the_placement_guard_precedes_every_role_database_and_password(g: Graph) -> None:
    guard = _urns(g, rt.PLACEMENT_GUARD)
    assert len(guard) == 1
    for typ in (rt.PG_ROLE, rt.PG_DATABASE):
        for urn in _urns(g, typ):
            assert g.depends_on(urn, guard[0]), f"{urn} does not wait for the guard"
    for reg, _ in g.resources(rt.RANDOM_PASSWORD):
        if reg.name.endswith("-login-password"):
            assert g.depends_on(reg.urn, guard[0]), reg.urn


def test_graph__kept_data_is_parked_before_and_adopted_after_roles_and_databases(
        g: Graph) -> None:
    park, adopt = _urns(g, rt.RETAINED_DATA_PARK), _urns(g, rt.RETAINED_DATA_ADOPTION)
    if not g.cfg.keeps_data:
        assert park == adopt == [], "a stack that may lose its data retains nothing to adopt"
        return
    assert len(park) == len(adopt) == 1
    container = _urns(g, rt.DOCKER_CONTAINER)[0]
    assert g.depends_on(park[0], container)
    for typ in (rt.PG_ROLE, rt.PG_DATABASE):
        for urn in _urns(g, typ):
            assert g.depends_on(urn, park[0]), f"{urn} before parking"
            assert g.depends_on(adopt[0], urn), f"adoption before {urn}"
    for typ in (rt.PG_SCHEMA, rt.PG_EXTENSION, rt.PG_GRANT, rt.PG_DEFAULT_PRIVILEGES,
                rt.SCHEMA_BOOTSTRAP):
        for urn in _urns(g, typ):
            assert g.depends_on(urn, adopt[0]), f"{urn} before the adoption"
    _, inputs = g.resources(rt.RETAINED_DATA_PARK)[0]
    assert inputs["roles"] == sorted(g.cfg.roles)
    assert inputs["databases"] == sorted(d.name for d in g.cfg.databases)


def test_graph__extensions_are_kept_with_the_data(g: Graph) -> None:
    """`DROP EXTENSION ... RESTRICT` fails while kept tables use its types."""
    for typ in (rt.PG_EXTENSION, rt.PG_SCHEMA):
        for reg, inputs in g.resources(typ):
            if typ == rt.PG_EXTENSION or inputs["name"] == "extensions":
                assert reg.retain_on_delete == g.cfg.keeps_data, reg.urn


def test_graph__a_removable_service_retires_between_its_schema_and_its_roles(g: Graph) -> None:
    retirements = {r.name: r for r, _ in g.resources(rt.SERVICE_RETIREMENT)}
    if g.cfg.keeps_data:
        assert not retirements
        return
    for svc in g.cfg.services:
        ret = retirements[f"{svc.name}-retirement"]
        schema, _ = g.one(rt.PG_SCHEMA, f"{svc.name}-schema")
        assert g.depends_on(schema.urn, ret.urn), f"{svc.name}: schema must go first"
        for role in (f"{svc.name}-owner-role", f"{svc.name}-login-role"):
            assert g.depends_on(ret.urn, g.one(rt.PG_ROLE, role)[0].urn), role


# Each platform login, with what grants to it in `postgres` beside pulumi-postgresql's Grant.
_PLATFORM_GRANTERS = {"monitor": rt.MONITOR_READABLE, "watchdog": rt.SESSION_LIMITS}


@pytest.mark.parametrize("stack", ["dev", "ci"])
def test_graph__a_platform_login_retires_after_what_grants_to_it_and_before_its_role(
        stack: str) -> None:
    """The engine deletes the exporter's and the watchdog's roles in one round, in parallel:
    what still grants to them must be gone, and what they hold dropped one at a time, before
    upstream's role delete runs DROP OWNED."""
    g = committed_graph(stack)
    assert not g.cfg.keeps_data and g.cfg.server.exporter_port and g.cfg.server.has_watchdog
    for kind, granter in _PLATFORM_GRANTERS.items():
        ret, inputs = g.one(rt.SERVICE_RETIREMENT, f"{kind}-retirement")
        role, role_inputs = g.one(rt.PG_ROLE, f"{kind}-{kind}-role")
        assert (inputs["database"], inputs["roles"]) == ("postgres", [role_inputs["name"]])
        assert g.depends_on(ret.urn, role.urn), f"{kind}: its retirement waits for its role"
        granting = [*_urns(g, granter), *(r.urn for r, i in g.resources(rt.PG_GRANT)
                                          if i["role"] == role_inputs["name"])]
        assert len(granting) > 1, f"{kind}: expected its grants and {granter}"
        for urn in granting:
            assert g.depends_on(urn, ret.urn), f"{urn} must be deleted before {kind}'s retirement"


def test_graph__admin_password_from_config_replaces_the_generated_one() -> None:
    values = stack_config.read_stack_values(paths.stack_file("ci"))
    values["adminPassword"] = SecretValue("from-config")
    g = build_graph("ci", values)
    assert not [r for r, _ in g.resources(rt.RANDOM_PASSWORD) if r.name == "admin-password"]
    provider = next(i for (t, _), i in g.mocks.inputs.items() if t == rt.POSTGRES_PROVIDER)
    assert is_secret(provider["password"]) and provider["password"]["value"] == "from-config"
