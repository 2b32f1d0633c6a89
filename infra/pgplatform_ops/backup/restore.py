"""`scripts/restore`: one service's schemas back to a backup, in one transaction, as the
service's owner: every object in its schemas is dropped and the dump's recreated (owned by the
owner, so its default privileges grant the app, read-only and readers as the model says), its
rows of the migration bookkeeping set to the backup's, under its migration lock. Other services
are not touched; the service sees the old or the new, never half."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
from psycopg import sql

from pgplatform import access
from pgplatform.migrate.runner import BOOKKEEPING_TABLE, LOCKS_TABLE
from pgplatform.model import BOOKKEEPING_SCHEMA, ServiceConfig
from pgplatform.progress import Log
from pgplatform_ops.backup import manifest, tools
from pgplatform_ops.backup.take import row_counts
from pgplatform_ops.stack import DeployedStack

LOCK_TIMEOUT = "30s"
# Everything the owner may have made in its schemas, dependents dropped with what they depend
# on (views with tables, owned sequences with their columns); collected first, dropped after,
# each IF EXISTS.
_DROP_ALL = """
DO $restore$
DECLARE
  schemas text[] := {schemas};
  stmts text[];
  s text;
BEGIN
  SELECT coalesce(array_agg(stmt ORDER BY ord), '{{}}') INTO stmts FROM (
    SELECT CASE c.relkind WHEN 'v' THEN 2 WHEN 'm' THEN 2 WHEN 'S' THEN 3 ELSE 1 END AS ord,
           format('DROP %s IF EXISTS %s CASCADE', CASE c.relkind WHEN 'v' THEN 'VIEW'
             WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
             WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, c.oid::regclass) AS stmt
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY(schemas) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                       AND d.objid = c.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 4, format('DROP %s IF EXISTS %s CASCADE',
                     CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END,
                     p.oid::regprocedure)
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = ANY(schemas)
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                       AND d.objid = p.oid AND d.deptype = 'e')
    UNION ALL
    SELECT 5, format('DROP TYPE IF EXISTS %s CASCADE', t.oid::regtype)
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = ANY(schemas) AND t.typtype IN ('e', 'd', 'r', 'c')
       AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                       AND d.objid = t.oid AND d.deptype = 'e')
  ) todo;
  FOREACH s IN ARRAY stmts LOOP
    EXECUTE s;
  END LOOP;
END
$restore$;
"""


class RestoreError(RuntimeError):
    pass


def _prelude(svc: ServiceConfig) -> str:
    lock = sql.SQL("SELECT 1 FROM {} WHERE service = {} FOR UPDATE").format(
        sql.Identifier(BOOKKEEPING_SCHEMA, LOCKS_TABLE), sql.Literal(svc.name))
    drop = _DROP_ALL.format(schemas=sql.Literal(list(svc.schemas)).as_string(None))
    return "\n".join([f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}';",
                      "SET LOCAL client_min_messages = warning;",
                      "SET LOCAL statement_timeout = 0;",
                      # Queue behind a migration of this service, and keep the next one out.
                      lock.as_string(None) + ";", drop])


def _bookkeeping(svc: ServiceConfig, entry: manifest.ServiceBackup) -> str:
    table = sql.Identifier(BOOKKEEPING_SCHEMA, BOOKKEEPING_TABLE)
    # pg_restore's script turned row security off (it refuses rather than filters then); the
    # bookkeeping shows the owner its own rows only, which is all it may change. The owner
    # cannot DELETE there (access.BOOKKEEPING_TABLE_PRIVILEGES): the admin's function forgets
    # its rows.
    out = [sql.SQL("SET LOCAL row_security = on;"),
           sql.SQL("SELECT {}({});").format(
               sql.Identifier(BOOKKEEPING_SCHEMA, access.FORGET_FUNCTION),
               sql.Literal(svc.name))]
    out += [sql.SQL("INSERT INTO {} (service, version, name, checksum, applied_at, "
                    "duration_ms) VALUES ({}, {}, {}, {}, {}, {});").format(
        table, *map(sql.Literal, (svc.name, m.version, m.name, m.checksum, m.applied_at,
                                  m.duration_ms)))
        for m in entry.migrations]
    return "\n".join(s.as_string(None) for s in out) + "\n"


def check(deployed: DeployedStack, svc: ServiceConfig, found: manifest.Manifest,
          from_stack: str | None) -> manifest.ServiceBackup:
    """The manifest's entry for `svc`, refused unless it is this stack's backup (or the stack
    named by `from_stack`) and has the service's schemas."""
    expected = from_stack or deployed.name
    if found.stack != expected:
        hint = ("" if from_stack else f"; to restore {found.stack}'s backup into "
                f"{deployed.name}, pass --from-stack {found.stack}")
        raise RestoreError(f"restore: the backup is of stack {found.stack!r}, not "
                           f"{expected!r}{hint}")
    entry = found.services.get(svc.name)
    if entry is None:
        raise RestoreError(f"restore: the backup has no service {svc.name!r} (it has "
                           f"{sorted(found.services)})")
    if entry.schemas != list(svc.schemas):
        raise RestoreError(f"restore: {svc.name}: the backup holds schemas {entry.schemas}, the "
                           f"service now owns {list(svc.schemas)}")
    return entry


def restore(deployed: DeployedStack, svc: ServiceConfig, source: Path, log: Log,
            from_stack: str | None = None) -> dict[str, int]:
    """Restore `svc` from the backup set in `source`; the row counts after."""
    started = time.monotonic()
    entry = check(deployed, svc, manifest.read(source), from_stack)
    dump = manifest.verified_file(source, svc.name, entry)
    dsn = deployed.migrator_dsn(svc.name)
    listing = tools.run(deployed, dsn, ["pg_restore", "--list", f"{tools.WORK}/{dump.name}"],
                        source)
    # The schemas exist (the program owns them): restore what is in them, not them.
    keep = [line for line in listing.splitlines()
            if not line.startswith(";") and " SCHEMA - " not in line]
    (source / f"{svc.name}.list").write_text("\n".join(keep) + "\n")
    (source / f"{svc.name}.prelude.sql").write_text(_prelude(svc))
    (source / f"{svc.name}.bookkeeping.sql").write_text(_bookkeeping(svc, entry))
    try:
        tools.run(deployed, dsn, ["pg_restore", "--no-owner", "--no-privileges",
                                  f"--use-list={tools.WORK}/{svc.name}.list",
                                  f"--file={tools.WORK}/{svc.name}.sql",
                                  f"{tools.WORK}/{dump.name}"], source)
        log(f"restore: {svc.name}: replacing schemas {', '.join(svc.schemas)} in one "
            "transaction")
        tools.run(deployed, dsn, ["psql", "-X", "--quiet", "--single-transaction",
                                  "--set=ON_ERROR_STOP=1",
                                  f"--file={tools.WORK}/{svc.name}.prelude.sql",
                                  f"--file={tools.WORK}/{svc.name}.sql",
                                  f"--file={tools.WORK}/{svc.name}.bookkeeping.sql",
                                  "{dsn}"], source)
    finally:
        for suffix in (".list", ".prelude.sql", ".bookkeeping.sql", ".sql"):
            (source / f"{svc.name}{suffix}").unlink(missing_ok=True)
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = row_counts(conn, svc.schemas)
    log(f"restore: {svc.name}: {len(rows)} tables, {sum(rows.values())} rows "
        f"(backup: {sum(entry.rows.values())}) in {time.monotonic() - started:.1f} s")
    return rows
