"""The placement guard's rule: a change that would rename a service, or move it to another
schema or database, is refused naming the key and the safe procedure; anything else passes."""

from __future__ import annotations

import pytest

from pgplatform import placements

pytestmark = pytest.mark.unit


def at(database: str, schema: str, module: str = "rag") -> dict[str, str]:
    return {"database": database, "schema": schema, "module": module}


DEPLOYED = {"rag": at("paddle", "rag"), "vector_store": at("paddle", "vector_store",
                                                            "vector_store")}

REFUSED = {
    "rename": ({"rag_v2": at("paddle", "rag"), "vector_store": DEPLOYED["vector_store"]},
               "pgplatform:services[rag_v2].name", "deployed service 'rag'"),
    "schema": ({**DEPLOYED, "rag": at("paddle", "rag2")}, "pgplatform:services[rag].schema",
               "'rag'"),
    "database": ({**DEPLOYED, "rag": at("flipsync", "rag")},
                 "pgplatform:services[rag].database", "'paddle'"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_placements__a_move_is_refused_naming_key_and_procedure(case: str) -> None:
    wanted, key, detail = REFUSED[case]
    problems = placements.refused_moves(DEPLOYED, wanted)
    assert len(problems) == 1, problems
    assert problems[0].startswith(key) and detail in problems[0], problems[0]
    assert "Fix:" in problems[0] and "later deploy" in problems[0], problems[0]


@pytest.mark.parametrize("wanted", [
    DEPLOYED,
    {**DEPLOYED, "scheduler": at("paddle", "scheduler", "scheduler")},
    {"vector_store": DEPLOYED["vector_store"]},
    {**DEPLOYED, "rag": at("paddle", "rag", "agent_memory")},
], ids=["same", "added", "removed", "other-module"])
def test_placements__adding_removing_and_staying_put_pass(wanted: dict[str, dict[str, str]]
                                                          ) -> None:
    assert placements.refused_moves(DEPLOYED, wanted) == []


def test_placements__a_new_stack_has_nothing_to_move() -> None:
    assert placements.refused_moves({}, DEPLOYED) == []
