"""`scripts/status --inspect`: the checks a DBA runs first, per service, each finding naming
the service and the object: cache hit ratio, unused and duplicate indexes, table bloat
(estimated from dead tuples), sequential scans of large tables, tables never vacuumed or
analysed, long transactions and blocking locks. It reads statistics and catalogs only, as the
admin, and takes no lock a service could wait on."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import psycopg

from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.status.load import OTHER, services_of

CACHE_HIT_MIN = 0.95
"""Below this a service reads from disk more than it should (with enough reads to judge)."""
CACHE_READS_MIN = 1000
BLOAT_DEAD_MIN = 0.2
BLOAT_ROWS_MIN = 1000
LARGE_TABLE_BYTES = 10 * 1024**2
LONG_TRANSACTION_S = 300

_CACHE = """
SELECT schemaname, sum(heap_blks_hit + coalesce(idx_blks_hit, 0)),
       sum(heap_blks_read + coalesce(idx_blks_read, 0))
  FROM pg_statio_user_tables WHERE schemaname = ANY(%s) GROUP BY 1"""
_UNUSED = """
SELECT s.schemaname, s.relname, s.indexrelname, pg_relation_size(s.indexrelid)
  FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
 WHERE s.schemaname = ANY(%s) AND s.idx_scan = 0 AND NOT i.indisunique
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
    with psycopg.connect(d.admin_dsn(database), autocommit=True,
                         options=ADMIN_SESSION_OPTIONS) as conn:
        for schema, hit, read in conn.execute(_CACHE, (schemas,)):
            total = int(hit or 0) + int(read or 0)
            if total >= CACHE_READS_MIN and int(hit or 0) / total < CACHE_HIT_MIN:
                out.append(Finding(services[schema], "cache hit ratio", f"{database}.{schema}",
                                   f"{int(hit or 0) / total:.1%} of {total:,} block reads "
                                   f"from the cache (below {CACHE_HIT_MIN:.0%})"))
        for schema, table, index, size in conn.execute(_UNUSED, (schemas,)):
            out.append(Finding(services[schema], "unused index",
                               f"{database}.{schema}.{index}",
                               f"on {table}, never scanned since the statistics were reset; "
                               f"{int(size):,} bytes"))
        for schema, table, indexes in conn.execute(_DUPLICATE, (schemas,)):
            out.append(Finding(services[schema], "duplicate indexes",
                               f"{database}.{schema}.{table}",
                               f"{', '.join(indexes)} index the same columns the same way"))
        for (schema, table, live, dead, seq, idx, size, unvacuumed,
             unanalysed) in conn.execute(_TABLES, (schemas,)):
            name, svc = f"{database}.{schema}.{table}", services[schema]
            rows = int(live) + int(dead)
            if rows >= BLOAT_ROWS_MIN and int(dead) / rows >= BLOAT_DEAD_MIN:
                out.append(Finding(svc, "table bloat (estimate)", name,
                                   f"{int(dead):,} dead of {rows:,} rows"))
            if int(size) >= LARGE_TABLE_BYTES and int(seq) > int(idx):
                out.append(Finding(svc, "sequential scans of a large table", name,
                                   f"{int(seq):,} sequential against {int(idx):,} index scans"
                                   f" of {int(size):,} bytes"))
            if int(live) > 0 and unvacuumed:
                out.append(Finding(svc, "never vacuumed", name, f"{int(live):,} rows"))
            if int(live) > 0 and unanalysed:
                out.append(Finding(svc, "never analysed", name, f"{int(live):,} rows"))
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
