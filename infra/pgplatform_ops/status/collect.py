"""One status snapshot of a deployed stack, and the history it is compared with.

Runs as the admin: it reads every database's catalog, the server's activity and the
container's log, and keeps its history in the `postgres` database's admin-only bookkeeping
schema (`pgplatform.status_history`). A `pg_monitor` login would do for the reads; the history
needs a place no service can write."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

import docker
from pgplatform import access, denied_catalog, pitr
from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.migrate.runner import BOOKKEEPING_TABLE, LOCKS_TABLE
from pgplatform.model import BOOKKEEPING_SCHEMA
from pgplatform.progress import Log
from pgplatform_ops import admin_bookkeeping, denied
from pgplatform_ops.pitr import health as pitr_health
from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.status import load

HISTORY = "status_history"
UNKNOWN_ROLE = "(no such role)"
"""The service of a denied name the model does not have (a guess, a typo, an attacker's)."""

_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


@contextmanager
def admin_session(deployed: DeployedStack, database: str = "postgres"
           ) -> Iterator[psycopg.Connection]:
    with psycopg.connect(deployed.admin_dsn(database), autocommit=True,
                         options=ADMIN_SESSION_OPTIONS) as conn:
        yield conn


def _history(conn: psycopg.Connection) -> sql.Identifier:
    return admin_bookkeeping.table(conn, HISTORY, "taken_at timestamptz PRIMARY KEY, "
                                   "log_cursor text NOT NULL, snapshot jsonb NOT NULL")


def previous(deployed: DeployedStack) -> tuple[str | None, dict[str, Any] | None]:
    """The last snapshot's log cursor and content."""
    with admin_session(deployed) as conn:
        table = _history(conn)
        row = conn.execute(sql.SQL("SELECT log_cursor, snapshot FROM {} ORDER BY taken_at DESC "
                                   "LIMIT 1").format(table)).fetchone()
    return (str(row[0]), dict(row[1])) if row else (None, None)


def record(deployed: DeployedStack, taken_at: str, cursor: str, snapshot: dict[str, Any]
           ) -> None:
    # One transaction: a run is in the history exactly when its denials are in the totals.
    with admin_session(deployed) as conn, conn.transaction():
        table = _history(conn)
        conn.execute(sql.SQL("INSERT INTO {} VALUES (%s, %s, %s)").format(table),
                     (taken_at, cursor, Jsonb(snapshot)))
        _count_denied(deployed, conn, taken_at, snapshot.get("denied", []))


def _count_denied(deployed: DeployedStack, conn: psycopg.Connection, taken_at: str,
                  found: list[dict[str, Any]]) -> None:
    """Adds this run's denials to the exporter's totals (`pgplatform.denied_catalog`), which
    the deploy makes; a stack deployed before it has none until its next `pulumi up`."""
    name = f"{BOOKKEEPING_SCHEMA}.{denied_catalog.TABLE}"
    if not found or conn.execute("SELECT to_regclass(%s)", (name,)).fetchone() == (None,):
        return
    owner = load.services_of(deployed)
    conn.cursor().executemany(sql.SQL(
        "INSERT INTO {} AS d VALUES (%s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (role, database, kind) DO UPDATE "
        "SET total = d.total + excluded.total, service = excluded.service, "
        "last_seen_at = excluded.last_seen_at").format(
            sql.Identifier(BOOKKEEPING_SCHEMA, denied_catalog.TABLE)),
        [(d["role"], d["database"], d["kind"], owner.get(d["role"], UNKNOWN_ROLE), d["count"],
          taken_at) for d in found])


def _service_sizes(conn: psycopg.Connection, schemas: list[str]) -> dict[str, int]:
    row = conn.execute(
        "SELECT count(*), coalesce(sum(pg_total_relation_size(c.oid)), 0), "
        "coalesce(sum(greatest(c.reltuples, 0)), 0) FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p')",
        (schemas,)).fetchone()
    assert row is not None
    return {"tables": int(row[0]), "bytes": int(row[1]), "rows": int(row[2])}


def _misplaced(deployed: DeployedStack, conn: psycopg.Connection, database: str
               ) -> list[dict[str, str]]:
    """Tables not in a schema of a service of this database, or not owned by its owner."""
    owner_of = {schema: svc.owner_role for svc in deployed.cfg.services_in(database)
                for schema in svc.schemas}
    out = []
    for schema, table, owner in conn.execute(
            "SELECT n.nspname, c.relname, pg_get_userbyid(c.relowner) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
            "AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg_temp%%' "
            "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = "
            "'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') "
            "AND NOT (n.nspname = %s AND c.relname = ANY(%s))",
            (list(_SYSTEM_SCHEMAS), BOOKKEEPING_SCHEMA, [BOOKKEEPING_TABLE, LOCKS_TABLE,
                                                         HISTORY, denied.VERIFY_RUNS,
                                                         pitr.BACKUPS_TABLE,
                                                         denied_catalog.TABLE])):
        if owner_of.get(schema) != owner:
            out.append({"database": database, "schema": schema, "table": table,
                        "owner": owner, "expected": owner_of.get(schema, "no table here")})
    return out


def _log_lines(deployed: DeployedStack, cursor: str | None) -> tuple[list[str], str]:
    """The container's log lines after `cursor` (Docker's RFC 3339 timestamp of the last line
    read), and the new cursor."""
    container = docker.from_env().containers.get(deployed.cfg.server.container_name)
    since = None
    if cursor:
        since = datetime.datetime.fromisoformat(cursor[:26].rstrip("Z")).replace(
            tzinfo=datetime.UTC) - datetime.timedelta(seconds=1)
    raw = container.logs(stdout=True, stderr=True, timestamps=True, since=since)
    lines, last = [], cursor or ""
    for entry in raw.decode(errors="replace").splitlines():
        stamp, _, text = entry.partition(" ")
        if cursor and stamp <= cursor:
            continue
        lines.append(text)
        last = stamp
    return lines, last


def snapshot(deployed: DeployedStack, cursor: str | None, since: str | None, log: Log
             ) -> tuple[dict[str, Any], str]:
    """`since`: when the previous status read the log (the server's clock), None at first."""
    cfg = deployed.cfg
    out: dict[str, Any] = {"databases": {}, "services": {}, "misplaced": []}
    with admin_session(deployed) as conn:
        for name, size in conn.execute(
                "SELECT datname, pg_database_size(datname) FROM pg_database "
                "WHERE datname = ANY(%s) ORDER BY 1", ([d.name for d in cfg.databases],)):
            out["databases"][name] = {"bytes": int(size)}
        out["connections"] = [
            {"role": r, "database": d, "count": int(n)} for r, d, n in conn.execute(
                "SELECT usename, datname, count(*) FROM pg_stat_activity WHERE usename IS NOT "
                "NULL AND pid <> pg_backend_pid() GROUP BY 1, 2 ORDER BY 1, 2")]
        out["misplaced"] += _misplaced(deployed, conn, "postgres")
        out["pitr"] = pitr_health.collect(deployed, conn)
        out["load"] = load.collect(deployed, conn)
    for db in cfg.databases:
        log(f"status: {db.name}: sizes and tables")
        with admin_session(deployed, db.name) as conn:
            for svc in cfg.services_in(db.name):
                out["services"][svc.name] = {"database": db.name,
                                             **_service_sizes(conn, list(svc.schemas))}
            out["misplaced"] += _misplaced(deployed, conn, db.name)
    limits = {r.name: r.connection_limit for r in access.all_roles(cfg) if r.login}
    for c in out["connections"]:
        c["limit"] = limits.get(c["role"])
    lines: list[str] = []
    new_cursor = cursor or ""
    verification: Counter[denied.Denied] = Counter()
    if cfg.server.is_external:
        # The server log is the provider's (its console, CloudWatch, Cloud Logging).
        out["denied_unknown"] = ("external server: its log is the provider's; read denied "
                                 "access there")
        log("status: external server: no server log to read")
    else:
        with admin_session(deployed) as conn:
            # Runs finished before the log is read are wholly in it; the next status takes
            # only runs started after it was read (`log_read_at`), none of whose lines are.
            before = _clock(conn)
            lines, new_cursor = _log_lines(deployed, cursor)
            out["log_read_at"] = _clock(conn).isoformat()
            runs, verification = _verification(conn, since, before)
        log(f"status: {len(lines)} server log lines since the previous status")
        out["verification_runs"] = runs
    homes = {r.name: svc.database for svc in cfg.services for r in access.service_roles(svc)}
    homes.update({c.login_role: c.database for c in cfg.consumers})
    platform = {r.name for r in access.all_roles(cfg)} - set(homes)
    platform.add(cfg.server.admin_user)
    counted = denied.count(lines)
    out["denied"] = [
        {"role": d.role, "database": d.database, "kind": d.kind, "count": n,
         "home": homes.get(d.role, "platform" if d.role in platform else None)}
        for d, n in sorted((counted - verification).items())]
    out["denied_by_verification"] = sum((counted & verification).values())
    out["verification_unseen"] = sum((verification - counted).values())
    return out, new_cursor


def _clock(conn: psycopg.Connection) -> datetime.datetime:
    row = conn.execute("SELECT clock_timestamp()").fetchone()
    assert row is not None
    return row[0]  # type: ignore[no-any-return]


def _verification(conn: psycopg.Connection, since: str | None, until: datetime.datetime
                  ) -> tuple[list[str], Counter[denied.Denied]]:
    """The verification runs wholly inside this status's window (started after the previous
    status had read the log, finished before this one reads it) and the denials each counted of its
    own probes: exactly those are not the audit's. A run overlapping either end is not taken
    out (its probes show, never the other way round)."""
    table = admin_bookkeeping.table(conn, denied.VERIFY_RUNS, denied.VERIFY_RUNS_COLUMNS)
    rows = conn.execute(sql.SQL(
        "SELECT run, denied FROM {} WHERE finished_at IS NOT NULL AND finished_at < %s "
        "AND (%s::timestamptz IS NULL OR started_at > %s::timestamptz) ORDER BY started_at"
    ).format(table), (until, since, since)).fetchall()
    counts: Counter[denied.Denied] = Counter()
    for _run, entries in rows:
        for e in entries:
            counts[denied.Denied(e["role"], e["database"], e["kind"])] += int(e["count"])
    return [str(r[0]) for r in rows], counts
