"""Where each service's data lives, and the moves that would lose or orphan it.

A service's data is its schemas in its database. Renaming the service, moving it to another
database or primary schema, or dropping one of its schemas, makes Pulumi create new roles and
schemas and delete (or, where data is kept, forget) the old ones: the rows stay behind or are
dropped, silently. Adding a schema to a service is no move. The placement guard
(`components/lifecycle.py`) compares the deployed placements with the model's on every preview
and up, before any resource of a service is touched, and refuses such a change with the safe
procedure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pgplatform.model import NAMESPACE, PlatformConfig

Placements = dict[str, dict[str, Any]]
"""service -> {"database", "schema" (the primary), "schemas", "module"}"""

_RENAME = ("Fix: keep the name; to rename, add the new service beside the old one with its own "
           "schema, copy the rows (pg_dump --schema, or the module's migrations plus INSERT ... "
           "SELECT), deploy, then remove the old service in a later deploy")
_MOVE = ("Fix: keep the {what}; to move a service, add a new service at the new place, copy "
         "the rows, deploy, then remove the old service in a later deploy")


def of(cfg: PlatformConfig) -> Placements:
    return {s.name: {"database": s.database, "schema": s.schema, "schemas": list(s.schemas),
                     "module": s.module}
            for s in cfg.services}


def _schemas(placement: Mapping[str, Any]) -> list[str]:
    """A placement's schemas (deployed before services had several: its one schema)."""
    return list(placement.get("schemas") or [placement["schema"]])


def refused_moves(deployed: Mapping[str, Any], wanted: Mapping[str, Any]) -> list[str]:
    """Problems, each naming its key, for every service of `wanted` that would move or be a
    renamed deployed service."""
    key = f"{NAMESPACE}:services"
    problems = []
    gone = {name: p for name, p in deployed.items() if name not in wanted}
    for name, want in sorted(wanted.items()):
        had = deployed.get(name)
        if had is None:
            renamed = sorted((old, shared) for old, p in gone.items()
                             if p["database"] == want["database"]
                             for shared in sorted(set(_schemas(p)) & set(_schemas(want))))
            if renamed:
                old, shared = renamed[0]
                problems.append(
                    f"{key}[{name}].name: would take over schema {shared!r} of "
                    f"database {want['database']!r} from deployed service {old!r}, "
                    f"i.e. rename it: Pulumi would create new roles and drop (or, where data "
                    f"is kept, orphan) the old ones. {_RENAME}")
            continue
        for what in ("database", "schema"):
            if had[what] != want[what]:
                problems.append(
                    f"{key}[{name}].{what}: is deployed in {what} {had[what]!r}, the stack now "
                    f"says {want[what]!r}: Pulumi would create an empty schema there and drop "
                    f"(or, where data is kept, orphan) the one holding the rows. "
                    + _MOVE.format(what=what))
        # A changed primary schema is reported above.
        dropped = [s for s in _schemas(had)[1:] if s not in _schemas(want)]
        if dropped and had["database"] == want["database"]:
            problems.append(
                f"{key}[{name}].schemas: no longer lists deployed schemas {dropped}: Pulumi "
                f"would drop (or, where data is kept, orphan) them with their rows. Fix: keep "
                f"them listed; move their rows with a migration, and an empty schema costs "
                f"nothing")
    return problems
