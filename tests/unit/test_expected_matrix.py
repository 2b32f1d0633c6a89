"""The expected-ACL matrix the verification suite checks, derived from the model."""

from __future__ import annotations

import pytest

from pgplatform import access, model, stack_config
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
    roles = {"flipsync_app_owner", "flipsync_app_app", "vector_store_owner", "vector_store_app",
             "rag_owner", "rag_app", "public"}
    assert set(m.roles) == roles
    assert {(db, r) for db, r in m.databases} == {(db, r) for db in ("flipsync", "paddle")
                                                  for r in roles}


def test_matrix__login_role_connects_to_its_own_database_only() -> None:
    m = derive(platform())
    assert m.databases[DatabaseRole("flipsync", "flipsync_app_app")] == {"CONNECT"}
    assert m.databases[DatabaseRole("paddle", "flipsync_app_app")] == NONE
    assert m.databases[DatabaseRole("flipsync", "rag_app")] == NONE
    assert m.databases[DatabaseRole("paddle", "rag_owner")] == NONE, "owner roles never log in"
    assert m.databases[DatabaseRole("paddle", "public")] == NONE


def test_matrix__schema_usage_for_own_login_and_declared_readers_only() -> None:
    m = derive(platform())
    assert m.schemas[SchemaRole("paddle", "vector_store", "vector_store_app")] == {"USAGE"}
    assert m.schemas[SchemaRole("paddle", "vector_store", "rag_app")] == {"USAGE"}
    assert m.schemas[SchemaRole("paddle", "rag", "vector_store_app")] == NONE, "readers are one-way"
    assert m.schemas[SchemaRole("paddle", "public", "public")] == NONE
    assert m.schemas[SchemaRole("paddle", "extensions", "rag_owner")] == {"USAGE"}
    assert all(p == NONE for k, p in m.schemas.items() if k.schema == "pgplatform")


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
    assert len(m.roles) == 2 * len(cfg.services) + 1
    assert len(m.schema_owner) == len(cfg.services)
