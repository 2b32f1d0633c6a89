"""`scripts/backup`: one custom-format dump per service (its schemas, as its owner) with its
rows of the migration bookkeeping, and a manifest."""

from __future__ import annotations

import datetime
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg
from psycopg import sql

from pgplatform.migrate.runner import BOOKKEEPING_TABLE
from pgplatform.model import BOOKKEEPING_SCHEMA, ServiceConfig
from pgplatform.progress import Log
from pgplatform_ops.backup import manifest, tools
from pgplatform_ops.stack import DeployedStack


def row_counts(conn: psycopg.Connection, schemas: Sequence[str]) -> dict[str, int]:
    tables = conn.execute(
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
        "c.relnamespace WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p') ORDER BY 1, 2",
        (list(schemas),)).fetchall()
    out = {}
    for schema, table in tables:
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(
            sql.Identifier(schema, table))).fetchone()
        out[f"{schema}.{table}"] = int(row[0]) if row else 0
    return out


def _migrations(conn: psycopg.Connection, service: str) -> list[manifest.Migration]:
    # The owner sees its service's rows only (row-level security).
    return [manifest.Migration(version=v, name=n, checksum=c, applied_at=a.isoformat(),
                               duration_ms=d)
            for v, n, c, a, d in conn.execute(sql.SQL(
                "SELECT version, name, checksum, applied_at, duration_ms FROM {} "
                "WHERE service = %s ORDER BY version").format(
                sql.Identifier(BOOKKEEPING_SCHEMA, BOOKKEEPING_TABLE)), (service,))]


def backup_service(deployed: DeployedStack, svc: ServiceConfig, to: Path, log: Log
                   ) -> manifest.ServiceBackup:
    """As the service's migrator (it acts as the owner: it reads everything in its schemas and
    nothing else). The row counts and bookkeeping are read just before pg_dump's snapshot:
    writes in between make the counts differ from the dump's."""
    started = time.monotonic()
    dsn = deployed.migrator_dsn(svc.name)
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = row_counts(conn, svc.schemas)
        migrations = _migrations(conn, svc.name)
    name = f"{svc.name}.dump"
    tools.run(deployed, dsn, ["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                              *(f"--schema={s}" for s in svc.schemas),
                              f"--file={tools.WORK}/{name}", "{dsn}"], to)
    path = to / name
    entry = manifest.ServiceBackup(file=name, sha256=manifest.sha256(path),
                                   bytes=path.stat().st_size, database=svc.database,
                                   schemas=list(svc.schemas), rows=rows,
                                   migrations=migrations)
    log(f"backup: {svc.name}: {len(rows)} tables, {sum(rows.values())} rows, "
        f"{entry.bytes} bytes in {time.monotonic() - started:.1f} s")
    return entry


def take(deployed: DeployedStack, services: Sequence[ServiceConfig], to: Path, log: Log,
         now: datetime.datetime | None = None) -> manifest.Manifest:
    if not services:
        raise ValueError("backup: no service selected")
    to.mkdir(parents=True, exist_ok=True)
    # Not the superuser: any login may read the version.
    with psycopg.connect(deployed.migrator_dsn(services[0].name), autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    taken = manifest.Manifest(
        stack=deployed.name,
        taken_at=(now or datetime.datetime.now(datetime.UTC)).isoformat(),
        server_version=str(row[0]) if row else "",
        services={svc.name: backup_service(deployed, svc, to, log) for svc in services},
        databases={db.name: {"priority": db.backup.priority, "keep": db.backup.keep}
                   for db in deployed.cfg.databases
                   if any(s.database == db.name for s in services)})
    path = taken.write(to)
    log(f"backup: {len(services)} service(s) of stack {deployed.name}, manifest {path}")
    return taken
