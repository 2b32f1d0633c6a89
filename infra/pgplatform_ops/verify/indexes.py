"""Performance indexes: each index a module declares exists, is valid and ready, has its access
method and operator class, and is the planner's choice for its representative query.

Planner proof: inside a transaction that is rolled back, the module's fixture loads a small
representative set of synthetic rows as the owner role (through the service's migrator; into the
live indexes, so the service's queries are never locked out), ANALYZE gives the planner
their statistics, and EXPLAIN of each representative query must name the index. No planner
setting is forced: the test is that the index is chosen, not merely usable. Rolling back leaves
no rows or statistics; the only trace is relpages/reltuples, which ANALYZE updates in place,
until the next autovacuum.
"""

from __future__ import annotations

import json

import psycopg
from psycopg import sql

from pgplatform import modules
from pgplatform.migrate.runner import act_as_owner
from pgplatform.model import ServiceConfig
from pgplatform_ops.plans import index_names
from pgplatform_ops.verify.catalog import DatabaseSnapshot, ObjectName
from pgplatform_ops.verify.findings import Finding


def declared(svc: ServiceConfig, module: modules.Module, snap: DatabaseSnapshot
             ) -> list[Finding]:
    out = []
    for want in module.indexes:
        schema = want.schema or svc.schema
        obj = f"index {svc.database}.{schema}.{want.name}"
        got = snap.indexes.get(ObjectName(schema, want.name))
        if got is None:
            out.append(Finding(kind="missing index", object=obj, role="",
                               expected=f"{want.method} on {want.table}", actual="absent"))
            continue
        for what, expected, actual in (
            ("table", want.table, got.table),
            ("access method", want.method, got.method),
            ("operator class", want.opclass, got.opclass if want.opclass else None),
        ):
            if expected != actual:
                out.append(Finding(kind=f"index {what}", object=obj, role="",
                                   expected=str(expected), actual=str(actual)))
        if not (got.valid and got.ready):
            out.append(Finding(kind="index state", object=obj, role="",
                               expected="valid and ready",
                               actual=f"valid={got.valid} ready={got.ready}"))
    return out


def planner(svc: ServiceConfig, module: modules.Module, migrator_dsn: str) -> list[Finding]:
    """Through the service's migrator: the fixture's rows and ANALYZE need the owner's rights
    and no more."""
    if not module.indexes:
        return []
    out: list[Finding] = []
    with psycopg.connect(migrator_dsn, autocommit=True) as conn:
        with conn.transaction(force_rollback=True):
            act_as_owner(conn, svc.owner_role, svc.schemas)
            if module.fixture is not None:
                conn.execute(module.fixture.read_text().encode())
            for schema, table in conn.execute(
                    "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(%s)",
                    (list(svc.schemas),)).fetchall():
                conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, table)))
            for idx in module.indexes:
                row = conn.execute(f"EXPLAIN (FORMAT JSON) {idx.query}".encode()).fetchone()
                plan = row[0] if row else []
                plan = json.loads(plan) if isinstance(plan, str) else plan
                used = sorted(set(index_names(plan)))
                if idx.name not in used:
                    out.append(Finding(
                        kind="index not chosen",
                        object=f"index {svc.database}.{idx.schema or svc.schema}.{idx.name}",
                        role="",
                        expected=f"planner uses it for: {idx.query}",
                        actual=f"plan uses {', '.join(used) or 'no index'}"))
    return out
