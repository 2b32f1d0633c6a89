"""EXPLAIN (FORMAT JSON) plans, as verification and the benchmark read them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def index_names(plan: Any) -> Iterator[str]:
    """Every index a plan uses."""
    if isinstance(plan, dict):
        if "Index Name" in plan:
            yield plan["Index Name"]
        for v in plan.values():
            yield from index_names(v)
    elif isinstance(plan, list):
        for v in plan:
            yield from index_names(v)
