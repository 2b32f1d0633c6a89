"""`scripts/status --inspect`: the checks a DBA runs first, per service, each finding naming
the service and the object: cache hit ratio, unused and duplicate indexes, table and btree index
bloat (estimated from the planner's statistics, as the widely used ioguix queries do, and dead
rows awaiting vacuum), sequential scans of large tables, tables never vacuumed or analysed, long
transactions and blocking locks. It reads statistics and catalogs only, as the admin, and takes
no lock a service could wait on."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import psycopg

from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.status.collect import admin_session
from pgplatform_ops.status.load import OTHER, services_of

CACHE_HIT_MIN = 0.95
"""Below this a service reads from disk more than it should (with enough reads to judge)."""
CACHE_READS_MIN = 1000
DEAD_MIN = 0.2
DEAD_ROWS_MIN = 1000
BLOAT_MIN = 0.5
"""Share of a relation's pages its live rows would not need (fill factor allowed for)."""
BLOAT_BYTES_MIN = 1024**2
LARGE_TABLE_BYTES = 10 * 1024**2
LONG_TRANSACTION_S = 300

_CACHE = """
SELECT schemaname, sum(heap_blks_hit + coalesce(idx_blks_hit, 0)),
       sum(heap_blks_read + coalesce(idx_blks_read, 0))
  FROM pg_statio_user_tables WHERE schemaname = ANY(%s) GROUP BY 1"""
_UNUSED = """
SELECT s.schemaname, s.relname, s.indexrelname, pg_relation_size(s.indexrelid)
  FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
  JOIN pg_stat_user_tables t ON t.relid = s.relid
 WHERE s.schemaname = ANY(%s) AND s.idx_scan = 0 AND NOT i.indisunique
   AND t.seq_scan + coalesce(t.idx_scan, 0) > 0
   AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                           WHERE c.conindid = s.indexrelid)"""
_DUPLICATE = """
SELECT n.nspname, t.relname, array_agg(ic.relname ORDER BY ic.relname)
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = ANY(%s)
 GROUP BY n.nspname, t.relname, i.indrelid, i.indkey::text, i.indclass::text,
          coalesce(pg_get_expr(i.indexprs, i.indrelid), ''),
          coalesce(pg_get_expr(i.indpred, i.indrelid), ''), ic.relam
HAVING count(*) > 1"""
_TABLES = """
SELECT schemaname, relname, n_live_tup, n_dead_tup, seq_scan, coalesce(idx_scan, 0),
       pg_relation_size(relid), last_vacuum IS NULL AND last_autovacuum IS NULL,
       last_analyze IS NULL AND last_autoanalyze IS NULL
  FROM pg_stat_user_tables WHERE schemaname = ANY(%s)"""
_BLOAT = """
WITH rels AS (
  SELECT n.nspname, c.relname, c.relkind, c.relpages, c.reltuples,
         coalesce(i.indrelid, c.oid) AS tbl, i.indkey::int2[] AS cols,
         coalesce((SELECT option_value::int FROM pg_options_to_table(c.reloptions)
                    WHERE option_name = 'fillfactor'),
                  CASE c.relkind WHEN 'i' THEN 90 ELSE 100 END) AS fillfactor
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_am am ON am.oid = c.relam
   WHERE n.nspname = ANY(%s) AND c.reltuples > 0 AND c.relpages > 0
     AND (c.relkind = 'r' OR (c.relkind = 'i' AND am.amname = 'btree' AND i.indexprs IS NULL)))
SELECT r.nspname, t.relname, r.relname, r.relkind = 'i', r.relpages, r.reltuples, r.fillfactor,
       count(a.attnum), count(s.avg_width), sum((1 - s.null_frac) * s.avg_width),
       current_setting('block_size')::int
  FROM rels r JOIN pg_class t ON t.oid = r.tbl
  JOIN pg_attribute a ON a.attrelid = r.tbl AND a.attnum > 0 AND NOT a.attisdropped
                     AND (r.cols IS NULL OR a.attnum = ANY(r.cols))
  LEFT JOIN pg_stats s ON s.schemaname = r.nspname AND s.tablename = t.relname
                      AND s.attname = a.attname AND NOT s.inherited
 GROUP BY 1, 2, 3, 4, 5, 6, 7"""
_SESSIONS = """
SELECT usename, pid, extract(epoch FROM clock_timestamp() - xact_start), state,
       pg_blocking_pids(pid)
  FROM pg_stat_activity
 WHERE datname = current_database() AND pid <> pg_backend_pid() AND usename IS NOT NULL"""


@dataclass(frozen=True)
class Finding:
    service: str
    check: str
    object: str
    detail: str


def _database(d: DeployedStack, database: str, owner: dict[str, str]) -> list[Finding]:
    services = {schema: svc.name for svc in d.cfg.services_in(database)
                for schema in svc.schemas}
    schemas = list(services)
    out: list[Finding] = []
    with admin_session(d, database) as conn:
        for schema, hit, read in conn.execute(_CACHE, (schemas,)):
            total = int(hit or 0) + int(read or 0)
            if total >= CACHE_READS_MIN and int(hit or 0) / total < CACHE_HIT_MIN:
                out.append(Finding(services[schema], "cache hit ratio", f"{database}.{schema}",
                                   f"{int(hit or 0) / total:.1%} of {total:,} block reads "
                                   f"from the cache (below {CACHE_HIT_MIN:.0%})"))
        for schema, table, index, size in conn.execute(_UNUSED, (schemas,)):
            out.append(Finding(services[schema], "unused index",
                               f"{database}.{schema}.{index}",
                               f"on {table}, which is read, but never through it since the "
                               f"statistics were reset; {int(size):,} bytes"))
        for schema, table, indexes in conn.execute(_DUPLICATE, (schemas,)):
            out.append(Finding(services[schema], "duplicate indexes",
                               f"{database}.{schema}.{table}",
                               f"{', '.join(indexes)} index the same columns the same way"))
        for (schema, table, live, dead, seq, idx, size, unvacuumed,
             unanalysed) in conn.execute(_TABLES, (schemas,)):
            name, svc = f"{database}.{schema}.{table}", services[schema]
            rows = int(live) + int(dead)
            if rows >= DEAD_ROWS_MIN and int(dead) / rows >= DEAD_MIN:
                out.append(Finding(svc, "dead rows awaiting vacuum", name,
                                   f"{int(dead):,} dead of {rows:,} rows"))
            if int(size) >= LARGE_TABLE_BYTES and int(seq) > int(idx):
                out.append(Finding(svc, "sequential scans of a large table", name,
                                   f"{int(seq):,} sequential against {int(idx):,} index scans"
                                   f" of {int(size):,} bytes"))
            if int(live) > 0 and unvacuumed:
                out.append(Finding(svc, "never vacuumed", name, f"{int(live):,} rows"))
            if int(live) > 0 and unanalysed:
                out.append(Finding(svc, "never analysed", name, f"{int(live):,} rows"))
        out += [Finding(services[schema], f"{kind} bloat (estimate)",
                        f"{database}.{schema}.{relation}", detail)
                for schema, kind, relation, detail in _bloat(conn, schemas)]
        sessions = list(conn.execute(_SESSIONS))
    roles = {pid: role for role, pid, *_ in sessions}
    for role, pid, seconds, state, blockers in sessions:
        svc = owner.get(role, OTHER)
        if seconds is not None and float(seconds) >= LONG_TRANSACTION_S:
            out.append(Finding(svc, "long transaction", f"{database} pid {pid} ({role})",
                               f"open {float(seconds):.0f} s, {state}"))
        for blocker in blockers or ():
            out.append(Finding(svc, "blocked by a lock", f"{database} pid {pid} ({role})",
                               f"waits for pid {blocker} ({roles.get(blocker, '?')}, of "
                               f"{owner.get(roles.get(blocker, ''), OTHER)})"))
    return out


def _bloat(conn: psycopg.Connection, schemas: list[str]) -> list[tuple[str, str, str, str]]:
    """(schema, "table"/"index", relation, detail) of each relation whose pages are at least
    BLOAT_MIN more than its live rows need. A relation whose columns have no statistics yet
    (never analysed) is left out rather than guessed."""
    out = []
    for (schema, table, relation, is_index, pages, tuples, fillfactor, columns, with_stats,
         width, block) in conn.execute(_BLOAT, (schemas,)):
        if int(with_stats) < int(columns) or int(pages) * int(block) < BLOAT_BYTES_MIN:
            continue
        # A heap tuple carries a 23-byte header, an index tuple 8; each takes a 4-byte line
        # pointer, and data is aligned to 8 bytes. A page loses its 24-byte header (and a
        # btree page its 16-byte special space) and is filled up to its fill factor.
        header, special = (8, 16) if is_index else (24, 0)
        tuple_bytes = header + 8 * math.ceil(float(width or 0) / 8) + 4
        usable = (int(block) - 24 - special) * int(fillfactor) / 100
        needed = math.ceil(float(tuples) * tuple_bytes / usable) + (1 if is_index else 0)
        extra = 1 - needed / int(pages)
        if extra >= BLOAT_MIN:
            kind = "index" if is_index else "table"
            on = f" on {table}" if is_index else ""
            out.append((schema, kind, relation,
                        f"{int(pages):,} pages{on} where its {float(tuples):,.0f} live rows "
                        f"need about {needed:,}: {extra:.0%} "
                        f"({(int(pages) - needed) * int(block):,} bytes) reclaimable"))
    return out


def inspect(d: DeployedStack) -> list[Finding]:
    owner = services_of(d)
    out = [f for db in d.cfg.databases for f in _database(d, db.name, owner)]
    return sorted(out, key=lambda f: (f.service, f.check, f.object))


def as_json(findings: list[Finding]) -> list[dict[str, Any]]:
    return [asdict(f) for f in findings]


def markdown(d: DeployedStack, findings: list[Finding]) -> str:
    lines = [f"# Inspection of stack {d.name}", ""]
    if not findings:
        return "\n".join([*lines, "nothing found", ""])
    lines += ["| service | check | object | detail |", "| --- | --- | --- | --- |"]
    lines += [f"| {f.service} | {f.check} | {f.object} | {f.detail} |" for f in findings]
    return "\n".join(lines) + "\n"
