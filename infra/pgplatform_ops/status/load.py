"""Which service spends the server's time: pg_stat_statements (in `postgres`'s bookkeeping
schema, `pgplatform.statement_stats`) added up per service through the roles that ran each
statement (its app, migrator, read-only login and its owner, which a migrator acts as; a
consumer under its own name; the admin and the platform's logins as `(platform)`), with each
service's top statements by total time, and its sessions now: lock waits, the longest
transaction and the longest idle in a transaction."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from pgplatform import access
from pgplatform.model import BOOKKEEPING_SCHEMA, STATEMENT_STATS
from pgplatform_ops.stack import DeployedStack

PLATFORM = "(platform)"
OTHER = "(other)"
TOP = 3
TEXT_CHARS = 160

_TOTALS = """
SELECT pg_get_userbyid(userid), sum(calls), sum(total_exec_time), sum(rows),
       sum(shared_blks_hit), sum(shared_blks_read), sum(temp_blks_written), sum(wal_bytes)
  FROM {view} GROUP BY 1"""
_TOP = """
SELECT pg_get_userbyid(userid), left(regexp_replace(query, '\\s+', ' ', 'g'), %s), calls,
       total_exec_time
  FROM {view} ORDER BY total_exec_time DESC LIMIT 500"""
_SESSIONS = """
SELECT usename, count(*) FILTER (WHERE wait_event_type = 'Lock'),
       extract(epoch FROM max(clock_timestamp() - xact_start)
                          FILTER (WHERE state NOT IN ('idle', 'idle in transaction',
                                                      'idle in transaction (aborted)'))),
       extract(epoch FROM max(clock_timestamp() - state_change)
                          FILTER (WHERE state LIKE 'idle in transaction%%'))
  FROM pg_stat_activity WHERE usename IS NOT NULL AND pid <> pg_backend_pid() GROUP BY 1"""


def services_of(deployed: DeployedStack) -> dict[str, str]:
    """Every role the model has -> the service (or consumer) it counts under."""
    cfg = deployed.cfg
    out = {r.name: svc.name for svc in cfg.services for r in access.service_roles(svc)}
    out.update({c.login_role: c.name for c in cfg.consumers})
    platform = {r.name for r in access.all_roles(cfg)} - set(out)
    out.update(dict.fromkeys((*platform, cfg.server.admin_user), PLATFORM))
    return out


def collect(deployed: DeployedStack, conn: psycopg.Connection) -> dict[str, Any] | None:
    """Per service, from `conn` (the admin in `postgres`); None where the server has no
    pg_stat_statements of the bundle's (a managed server)."""
    view = sql.Identifier(BOOKKEEPING_SCHEMA, STATEMENT_STATS)
    if conn.execute("SELECT to_regclass(%s)", (f"{BOOKKEEPING_SCHEMA}.{STATEMENT_STATS}",)
                    ).fetchone() == (None,):
        return None
    owner = services_of(deployed)
    out: dict[str, dict[str, Any]] = {}

    def entry(role: str) -> dict[str, Any]:
        return out.setdefault(owner.get(role, OTHER), {
            "calls": 0, "exec_ms": 0.0, "rows": 0, "shared_blks_hit": 0, "shared_blks_read": 0,
            "temp_blks_written": 0, "wal_bytes": 0, "lock_waits": 0,
            "longest_transaction_s": None, "longest_idle_in_transaction_s": None, "top": []})

    for role, calls, ms, rows, hit, read, temp, wal in conn.execute(
            sql.SQL(_TOTALS).format(view=view)):
        e = entry(role)
        for key, value in (("calls", calls), ("rows", rows), ("shared_blks_hit", hit),
                           ("shared_blks_read", read), ("temp_blks_written", temp),
                           ("wal_bytes", wal)):
            e[key] += int(value or 0)
        e["exec_ms"] = round(e["exec_ms"] + float(ms or 0), 3)
    for role, text, calls, ms in conn.execute(sql.SQL(_TOP).format(view=view), (TEXT_CHARS,)):
        top = entry(role)["top"]
        if len(top) < TOP:
            top.append({"query": text, "calls": int(calls), "exec_ms": round(float(ms), 3)})
    for role, waits, longest, idle in conn.execute(_SESSIONS):
        e = entry(role)
        e["lock_waits"] += int(waits)
        for key, seconds in (("longest_transaction_s", longest),
                             ("longest_idle_in_transaction_s", idle)):
            if seconds is not None:
                e[key] = max(e[key] or 0.0, round(float(seconds), 1))
    for e in out.values():
        blocks = e["shared_blks_hit"] + e["shared_blks_read"]
        e["hit_ratio"] = round(e["shared_blks_hit"] / blocks, 4) if blocks else None
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["exec_ms"]))


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f} s"


def markdown(load: dict[str, Any] | None, growth: Any) -> list[str]:
    if load is None:
        return ["", "Load by service: not known (no pg_stat_statements of the bundle's here)."]
    lines = ["", "Load by service (pg_stat_statements, since its last reset; by total time):",
             "", "| service | calls | growth | total ms | growth | mean ms | rows | cache hit | "
                 "temp blocks | WAL bytes | lock waits now | longest transaction | longest "
                 "idle in transaction |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
             "| ---: |"]
    for name, e in load.items():
        mean = e["exec_ms"] / e["calls"] if e["calls"] else 0.0
        hit = "" if e["hit_ratio"] is None else f"{e['hit_ratio']:.1%}"
        lines.append(
            f"| {name} | {e['calls']:,} | {growth(e.get('calls_growth'))} | "
            f"{e['exec_ms']:,.0f} | {growth(e.get('exec_ms_growth'))} | {mean:.2f} | "
            f"{e['rows']:,} | {hit} | {e['temp_blks_written']:,} | {e['wal_bytes']:,} | "
            f"{e['lock_waits']} | {_seconds(e['longest_transaction_s'])} | "
            f"{_seconds(e['longest_idle_in_transaction_s'])} |")
    lines += ["", "Top statements by total time (normalised by PostgreSQL):", ""]
    for name, e in load.items():
        for t in e["top"]:
            lines.append(f"- {name}: {t['exec_ms']:,.0f} ms in {t['calls']:,} calls: "
                         f"`{t['query'].replace('`', chr(39))}`")
    return lines
