"""The expected-ACL matrix the verification suite checks, derived from the model."""

from __future__ import annotations

import pytest

from pgplatform import access, model, stack_config
from pgplatform.model import WATCHDOG_ROLE
from pgplatform_ops.verify.catalog import DatabaseRole, DefaultKey
from pgplatform_ops.verify.expected import NONE, ExpectedDefault, SchemaRef, SchemaRole, derive

pytestmark = pytest.mark.unit


def platform() -> model.PlatformConfig:
    return model.from_mapping({
        "databases": [{"name": "flipsync", "extensions": ["vector"]},
                      {"name": "paddle", "extensions": ["vector"]}],
        "services": [
            {"name": "flipsync_app", "database": "flipsync", "schema": "flipsync"},
            {"name": "vector_store", "database": "paddle", "readers": ["rag"]},
            {"name": "rag", "database": "paddle"},
        ],
    }, stack="test")


def test_matrix__covers_every_role_and_database_pair() -> None:
    m = derive(platform())
    roles = {f"{s}_{kind}" for s in ("flipsync_app", "vector_store", "rag")
             for kind in ("owner", "app", "migrator", "readonly")} | {"public", WATCHDOG_ROLE}
    assert set(m.roles) == roles
    assert {(db, r) for db, r in m.databases} == {(db, r) for db in ("flipsync", "paddle")
                                                  for r in roles}


def test_matrix__login_role_connects_to_its_own_database_only() -> None:
    m = derive(platform())
    assert m.databases[DatabaseRole("flipsync", "flipsync_app_app")] == {"CONNECT"}
    assert m.databases[DatabaseRole("paddle", "flipsync_app_app")] == NONE
    assert m.databases[DatabaseRole("flipsync", "rag_app")] == NONE
    # Owner roles never log in: their one database privilege is the scratch space the
    # migrator uses as the owner (verification's planner copies).
    assert m.databases[DatabaseRole("paddle", "rag_owner")] == {"TEMPORARY"}
    assert m.databases[DatabaseRole("flipsync", "rag_owner")] == NONE
    assert m.databases[DatabaseRole("paddle", "public")] == NONE


def test_matrix__schema_usage_for_own_login_and_declared_readers_only() -> None:
    m = derive(platform())
    assert m.schemas[SchemaRole("paddle", "vector_store", "vector_store_app")] == {"USAGE"}
    assert m.schemas[SchemaRole("paddle", "vector_store", "rag_app")] == {"USAGE"}
    assert m.schemas[SchemaRole("paddle", "rag", "vector_store_app")] == NONE, "readers are one-way"
    assert m.schemas[SchemaRole("paddle", "public", "public")] == NONE
    assert m.schemas[SchemaRole("paddle", "extensions", "rag_owner")] == {"USAGE"}
    # The bookkeeping: each owner (so its migrator, as the owner) reaches its own rows.
    assert {k.role: p for k, p in m.schemas.items() if k.schema == "pgplatform" and p} == {
        "flipsync_app_owner": {"USAGE"}, "vector_store_owner": {"USAGE"}, "rag_owner": {"USAGE"}}


def test_matrix__migrator_connects_and_holds_nothing_else() -> None:
    m = derive(platform())
    assert m.databases[DatabaseRole("paddle", "rag_migrator")] == {"CONNECT"}
    assert m.databases[DatabaseRole("flipsync", "rag_migrator")] == NONE
    assert all(p == NONE for k, p in [*m.schemas.items(), *m.tables.items(),
                                      *m.sequences.items(), *m.functions.items()]
               if k.role == "rag_migrator")
    assert not [k for k in m.defaults if k.default.role == "rag_migrator"]


def test_matrix__readonly_reads_own_schema_now_and_later_only() -> None:
    m = derive(platform())
    assert m.databases[DatabaseRole("paddle", "rag_readonly")] == {"CONNECT"}
    assert m.schemas[SchemaRole("paddle", "rag", "rag_readonly")] == {"USAGE"}
    assert m.schemas[SchemaRole("paddle", "extensions", "rag_readonly")] == {"USAGE"}
    assert m.schemas[SchemaRole("paddle", "vector_store", "rag_readonly")] == NONE
    assert m.tables[SchemaRole("paddle", "rag", "rag_readonly")] == {"SELECT"}
    assert m.sequences[SchemaRole("paddle", "rag", "rag_readonly")] == NONE
    assert m.tables[SchemaRole("paddle", "vector_store", "rag_readonly")] == NONE
    assert {k.default for k in m.defaults if k.default.role == "rag_readonly"} == {
        DefaultKey(owner="rag_owner", schema="rag", objtype="r", role="rag_readonly")}


def test_matrix__object_privileges_dml_for_login_select_for_readers() -> None:
    m = derive(platform())
    assert m.tables[SchemaRole("paddle", "vector_store", "vector_store_app")] == set(access.DML)
    assert m.tables[SchemaRole("paddle", "vector_store", "rag_app")] == {"SELECT"}
    assert m.sequences[SchemaRole("paddle", "vector_store", "rag_app")] == NONE
    assert m.sequences[SchemaRole("paddle", "vector_store", "vector_store_app")] == {
        "SELECT", "USAGE"}
    assert m.functions[SchemaRole("paddle", "vector_store", "vector_store_app")] == {"EXECUTE"}
    assert m.functions[SchemaRole("paddle", "vector_store", "public")] == NONE
    assert SchemaRole("paddle", "vector_store", "vector_store_owner") not in m.tables, (
        "the owner's privileges are implicit")
    assert m.schema_owner[SchemaRef("paddle", "rag")] == "rag_owner"


def test_matrix__default_privileges_per_owner() -> None:
    m = derive(platform())

    def default(owner: str, schema: str, objtype: str, role: str) -> ExpectedDefault:
        return ExpectedDefault("paddle", DefaultKey(owner, schema, objtype, role))

    assert m.defaults[default("vector_store_owner", "vector_store", "r",
                              "vector_store_app")] == set(access.DML)
    assert m.defaults[default("vector_store_owner", "vector_store", "r", "rag_app")] == {
        "SELECT"}
    assert m.defaults[default("vector_store_owner", "-", "f", "public")] == NONE
    assert not any(k.default.owner == "rag_owner" and k.default.role == "vector_store_app"
                   for k in m.defaults)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_matrix__derives_from_every_committed_stack(stack: str) -> None:
    cfg = stack_config.for_stack(stack)
    m = derive(cfg)
    monitor = 1 if cfg.server.exporter_port else 0
    watchdog = 1 if cfg.server.has_watchdog else 0
    replicator = 1 if cfg.server.replicas else 0
    assert len(m.roles) == (4 * len(cfg.services) + len(cfg.consumers) + monitor + watchdog
                            + replicator + 1)
    assert len(m.schema_owner) == sum(len(s.schemas) for s in cfg.services)


def test_matrix__a_service_owning_public_and_more_schemas_gets_each_of_them() -> None:
    cfg = stack_config.for_stack("dev")
    m = derive(cfg)
    backend, agent = cfg.service("cyrex_backend"), cfg.service("cyrex")
    assert backend.schemas == ("public", "analytics", "audit")
    for schema in backend.schemas:
        at = SchemaRole("cyrex", schema, "")
        assert m.schema_owner[SchemaRef("cyrex", schema)] == "cyrex_backend_owner"
        assert m.schemas[at._replace(role=backend.login_role)] == {"USAGE"}, schema
        assert m.tables[at._replace(role=backend.login_role)] == set(access.DML), schema
        assert m.tables[at._replace(role=backend.readonly_role)] == {"SELECT"}, schema
        for role in (agent.login_role, agent.readonly_role, agent.migrator_role, "public"):
            assert m.schemas[at._replace(role=role)] == NONE, (schema, role)
            assert m.tables[at._replace(role=role)] == NONE, (schema, role)
    assert m.schemas[SchemaRole("cyrex", "cyrex", backend.login_role)] == NONE


def test_matrix__consumer_reads_the_listed_schemas_of_its_database_only() -> None:
    cfg = stack_config.for_stack("dev")
    m = derive(cfg)
    for c in cfg.consumers:
        role = c.login_role
        for db in cfg.databases:
            want = {"CONNECT"} if db.name == c.database else NONE
            assert m.databases[DatabaseRole(db.name, role)] == want, (c.name, db.name)
        for svc in cfg.services:
            reads = svc.name in c.reads
            for schema in svc.schemas:
                key = SchemaRole(svc.database, schema, role)
                assert m.schemas[key] == ({"USAGE"} if reads else NONE), (c.name, schema)
                assert m.tables[key] == ({"SELECT"} if reads else NONE), (c.name, schema)
                assert m.sequences[key] == NONE and m.functions[key] == NONE
