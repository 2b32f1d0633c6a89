"""Performance indexes: each index a module declares exists, is valid and ready, has its access
method and operator class, and is the planner's choice for its representative query.

Planner proof, off the live tables: through the service's migrator (acting as its owner, in a
transaction that is always rolled back), every table of the service's schemas is copied into the
session's own temporary schema (`LIKE … INCLUDING ALL EXCLUDING INDEXES`, then each live index
re-created from `pg_get_indexdef` under its own name, so method, operator class, expression,
predicate and storage parameters are the live ones). Names resolve to the copies first
(`search_path = pg_temp, <schemas>, extensions`; a module that qualifies names has its own
schemas' qualified names pointed at pg_temp). The fixture loads the empty copies, GIN pending
lists are merged as autovacuum would, ANALYZE runs on the copies, and EXPLAIN of each
representative query must name the index. No planner setting is forced. The service's views
are re-created over the copies.

The live tables, their indexes and their statistics are never written, analysed or locked
beyond ACCESS SHARE (the copy's LIKE, and EXPLAIN's planning of the live plan, which is
reported as information: a small live table rightly prefers a sequential scan). A lock the
live table cannot give within LOCK_TIMEOUT (a migration's ALTER) fails this service's check
instead of queueing an app behind verification.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from pgplatform import modules
from pgplatform.migrate.runner import act_as_owner
from pgplatform.model import EXTENSIONS_SCHEMA, ServiceConfig
from pgplatform_ops.plans import index_names
from pgplatform_ops.verify.catalog import DatabaseSnapshot, ObjectName
from pgplatform_ops.verify.findings import Finding

LOCK_TIMEOUT = "100ms"

# Each live index's definition re-targeted at the copy: pg_get_indexdef always qualifies the
# table (`ON schema.table USING`), with quote_ident's quoting.
_INDEX_DEFS = """
SELECT i.relname,
       replace(pg_get_indexdef(i.oid),
               ' ON ' || quote_ident(n.nspname) || '.' || quote_ident(t.relname) || ' USING ',
               ' ON pg_temp.' || quote_ident(t.relname) || ' USING ') AS copy_def
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = %s AND t.relname = %s
ORDER BY i.oid
"""

# A view binds to the live tables it names: re-created over the copies. Read before the
# copies exist, so the names it prints are unqualified wherever the service's path finds them.
_VIEW_DEFS = """
SELECT c.relname, rtrim(pg_get_viewdef(c.oid), ';')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'v' AND n.nspname = ANY(%s)
ORDER BY c.oid
"""

_MERGE_GIN = """
SELECT count(gin_clean_pending_list(c.oid))
FROM pg_class c JOIN pg_am a ON a.oid = c.relam
WHERE a.amname = 'gin' AND c.relnamespace = pg_my_temp_schema()
"""


@dataclass
class PlannerRun:
    findings: list[Finding] = field(default_factory=list)
    live_plans: list[str] = field(default_factory=list)
    """Per declared index, the live table's plan for its query now (information)."""


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


def planner(svc: ServiceConfig, module: modules.Module, migrator_dsn: str) -> PlannerRun:
    """Through the service's migrator: copies and fixture need the owner's rights (TEMPORARY
    on its database included) and no more."""
    run = PlannerRun()
    if not module.indexes:
        return run
    with psycopg.connect(migrator_dsn, autocommit=True,
                         options=f"-c lock_timeout={LOCK_TIMEOUT}") as conn:
        with conn.transaction(force_rollback=True):
            act_as_owner(conn, svc.owner_role, svc.schemas)
            for idx in module.indexes:
                used = _plan_indexes(conn, idx.query)
                run.live_plans.append(
                    f"{_label(svc, idx)}: live plan now uses {', '.join(used) or 'no index'}")
            tables = conn.execute(
                "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(%s) "
                "ORDER BY 1, 2", (list(svc.schemas),)).fetchall()
            clash = _same_names(tables)
            if clash:
                run.findings.append(Finding(
                    kind="planner copy", object=f"module {module.name}", role="",
                    expected="table names unique across the service's schemas",
                    actual=f"{clash} in several schemas: no copy can stand for both"))
                return run
            views = conn.execute(_VIEW_DEFS, (list(svc.schemas),)).fetchall()
            _copy_tables(conn, tables)
            conn.execute(sql.SQL("SET LOCAL search_path = pg_temp, {}").format(
                sql.SQL(", ").join(sql.Identifier(s)
                                   for s in (*svc.schemas, EXTENSIONS_SCHEMA))))
            to_copy = _pointer(tables)
            for name, definition in views:
                conn.execute(sql.SQL("CREATE TEMP VIEW {} AS {}").format(
                    sql.Identifier(name), sql.SQL(to_copy(definition))))
            if module.fixture is not None:
                conn.execute(to_copy(module.fixture.read_text()).encode())
            conn.execute(_MERGE_GIN)
            for _schema, table in tables:
                conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier("pg_temp", table)))
            for idx in module.indexes:
                used = _plan_indexes(conn, to_copy(idx.query))
                if idx.name not in used:
                    run.findings.append(Finding(
                        kind="index not chosen", object=_label(svc, idx), role="",
                        expected=f"planner uses it for: {idx.query}",
                        actual=f"plan uses {', '.join(used) or 'no index'} (on copies of "
                               "the tables with the module's fixture)"))
    return run


def _label(svc: ServiceConfig, idx: modules.DeclaredIndex) -> str:
    return f"index {svc.database}.{idx.schema or svc.schema}.{idx.name}"


def _plan_indexes(conn: psycopg.Connection, query: str) -> list[str]:
    row = conn.execute(f"EXPLAIN (FORMAT JSON) {query}".encode()).fetchone()
    plan: Any = row[0] if row else []
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return sorted(set(index_names(plan)))


def _same_names(tables: list[tuple[str, str]]) -> str:
    seen: dict[str, str] = {}
    for schema, table in tables:
        if table in seen:
            return f"{table} ({seen[table]}, {schema})"
        seen[table] = schema
    return ""


def _copy_tables(conn: psycopg.Connection, tables: list[tuple[str, str]]) -> None:
    """Empty copies in pg_temp with the live indexes under their live names, built before the
    fixture loads: unique ones are ON CONFLICT's arbiters, and the fixtures are sized for rows
    inserted into built indexes, as a live table's are."""
    for schema, table in tables:
        conn.execute(sql.SQL(
            "CREATE TEMP TABLE {} (LIKE {} INCLUDING ALL EXCLUDING INDEXES)").format(
                sql.Identifier(table), sql.Identifier(schema, table)))
        for name, copy_def in conn.execute(_INDEX_DEFS, (schema, table)).fetchall():
            if " ON pg_temp." not in copy_def:
                raise RuntimeError(f"index {schema}.{name}: cannot re-target its definition "
                                   f"at the copy: {copy_def}")
            conn.execute(copy_def.encode())


def _pointer(tables: list[tuple[str, str]]) -> Any:
    """A module that qualifies names (several schemas) means its own tables: point each
    `schema.table` of the service at its copy."""
    names = {f"{s}.{t}": f"pg_temp.{t}" for s, t in tables}
    if not names:
        return lambda text: text
    pattern = re.compile(r"(?<![\w.\"])(" + "|".join(re.escape(n) for n in names) + r")\b")
    return lambda text: pattern.sub(lambda m: names[m.group(1)], text)
