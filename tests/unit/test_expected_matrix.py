"""The expected-ACL matrix the verification suite checks, derived from the model."""

from __future__ import annotations

import pytest

from pgplatform import access, config
from pgplatform.verify.expected import NONE, derive

pytestmark = pytest.mark.unit


def model() -> config.PlatformConfig:
    return config.from_mapping({
        "databases": [{"name": "flipsync", "extensions": ["vector"]},
                      {"name": "paddle", "extensions": ["vector"]}],
        "services": [
            {"name": "flipsync_app", "database": "flipsync", "schema": "flipsync"},
            {"name": "vector_store", "database": "paddle", "readers": ["rag"]},
            {"name": "rag", "database": "paddle"},
        ],
    }, stack="test")


def test_matrix__covers_every_role_and_database_pair() -> None:
    m = derive(model())
    roles = {"flipsync_app_owner", "flipsync_app_app", "vector_store_owner", "vector_store_app",
             "rag_owner", "rag_app", "public"}
    assert set(m.roles) == roles
    assert {(db, r) for db, r in m.databases} == {(db, r) for db in ("flipsync", "paddle")
                                                  for r in roles}


def test_matrix__login_role_connects_to_its_own_database_only() -> None:
    m = derive(model())
    assert m.databases[("flipsync", "flipsync_app_app")] == {"CONNECT"}
    assert m.databases[("paddle", "flipsync_app_app")] == NONE
    assert m.databases[("flipsync", "rag_app")] == NONE
    assert m.databases[("paddle", "rag_owner")] == NONE, "owner roles never log in"
    assert m.databases[("paddle", "public")] == NONE


def test_matrix__schema_usage_for_own_login_and_declared_readers_only() -> None:
    m = derive(model())
    assert m.schemas[("paddle", "vector_store", "vector_store_app")] == {"USAGE"}
    assert m.schemas[("paddle", "vector_store", "rag_app")] == {"USAGE"}
    assert m.schemas[("paddle", "rag", "vector_store_app")] == NONE, "readers are one-way"
    assert m.schemas[("paddle", "public", "public")] == NONE
    assert m.schemas[("paddle", "extensions", "rag_owner")] == {"USAGE"}
    assert all(p == NONE for (db, s, r), p in m.schemas.items() if s == "pgplatform")


def test_matrix__object_privileges_dml_for_login_select_for_readers() -> None:
    m = derive(model())
    assert m.tables[("paddle", "vector_store", "vector_store_app")] == set(access.DML)
    assert m.tables[("paddle", "vector_store", "rag_app")] == {"SELECT"}
    assert m.sequences[("paddle", "vector_store", "rag_app")] == NONE
    assert m.sequences[("paddle", "vector_store", "vector_store_app")] == {"SELECT", "USAGE"}
    assert m.functions[("paddle", "vector_store", "vector_store_app")] == {"EXECUTE"}
    assert m.functions[("paddle", "vector_store", "public")] == NONE
    assert ("paddle", "vector_store", "vector_store_owner") not in m.tables, (
        "the owner's privileges are implicit")
    assert m.schema_owner[("paddle", "rag")] == "rag_owner"


def test_matrix__default_privileges_per_owner() -> None:
    m = derive(model())
    key = ("paddle", "vector_store_owner", "vector_store", "r")
    assert m.defaults[(*key, "vector_store_app")] == set(access.DML)
    assert m.defaults[(*key, "rag_app")] == {"SELECT"}
    assert m.defaults[("paddle", "vector_store_owner", "-", "f", "public")] == NONE
    assert not any(k[1] == "rag_owner" and k[4] == "vector_store_app" for k in m.defaults)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_matrix__derives_from_every_committed_stack(stack: str) -> None:
    from pathlib import Path

    cfg = config.from_stack_file(Path(__file__).resolve().parents[2], stack)
    m = derive(cfg)
    assert len(m.roles) == 2 * len(cfg.services) + 1
    assert len(m.schema_owner) == len(cfg.services)
