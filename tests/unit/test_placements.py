"""The placement guard's rule: a change that would rename a service, or move it to another
schema or database, is refused naming the key and the safe procedure; anything else passes."""

from __future__ import annotations

from typing import Any

import pytest

from pgplatform import placements

pytestmark = pytest.mark.unit


def at(database: str, schema: str, module: str = "rag", more: tuple[str, ...] = ()
       ) -> dict[str, Any]:
    return {"database": database, "schema": schema, "schemas": [schema, *more],
            "module": module}


# vector_store as deployed before services had several schemas: no "schemas".
DEPLOYED = {"rag": at("paddle", "rag", more=("rag_audit",)),
            "vector_store": {"database": "paddle", "schema": "vector_store",
                             "module": "vector_store"}}

REFUSED = {
    "rename": ({"rag_v2": at("paddle", "rag"), "vector_store": DEPLOYED["vector_store"]},
               "pgplatform:services[rag_v2].name", "deployed service 'rag'"),
    "schema": ({**DEPLOYED, "rag": at("paddle", "rag2", more=("rag_audit",))},
               "pgplatform:services[rag].schema",
               "'rag'"),
    "database": ({**DEPLOYED, "rag": at("flipsync", "rag", more=("rag_audit",))},
                 "pgplatform:services[rag].database", "'paddle'"),
    "rename-by-second-schema": ({"rag_v2": at("paddle", "rag_v2", more=("rag_audit",)),
                                 "vector_store": DEPLOYED["vector_store"]},
                                "pgplatform:services[rag_v2].name", "schema 'rag_audit'"),
    "rename-old-format": ({**DEPLOYED, "vs2": at("paddle", "vector_store")} | {
        "vector_store": at("paddle", "vector_store_new")},
        "pgplatform:services[vector_store].schema", "'vector_store'"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_placements__a_move_is_refused_naming_key_and_procedure(case: str) -> None:
    wanted, key, detail = REFUSED[case]
    problems = placements.refused_moves(DEPLOYED, wanted)
    assert len(problems) == 1, problems
    assert problems[0].startswith(key) and detail in problems[0], problems[0]
    assert "Fix:" in problems[0] and "later deploy" in problems[0], problems[0]


def test_placements__dropping_a_deployed_schema_is_refused() -> None:
    problems = placements.refused_moves(DEPLOYED, {**DEPLOYED, "rag": at("paddle", "rag")})
    assert len(problems) == 1, problems
    assert problems[0].startswith("pgplatform:services[rag].schemas") and \
        "['rag_audit']" in problems[0] and "Fix:" in problems[0], problems[0]


@pytest.mark.parametrize("wanted", [
    DEPLOYED,
    {**DEPLOYED, "rag": at("paddle", "rag", more=("rag_audit", "rag_more"))},
    {**DEPLOYED, "scheduler": at("paddle", "scheduler", "scheduler")},
    {"vector_store": DEPLOYED["vector_store"]},
    {**DEPLOYED, "rag": at("paddle", "rag", "agent_memory", more=("rag_audit",))},
], ids=["same", "schema-added", "added", "removed", "other-module"])
def test_placements__adding_removing_and_staying_put_pass(wanted: dict[str, dict[str, Any]]
                                                          ) -> None:
    assert placements.refused_moves(DEPLOYED, wanted) == []


def test_placements__a_new_stack_has_nothing_to_move() -> None:
    assert placements.refused_moves({}, DEPLOYED) == []
