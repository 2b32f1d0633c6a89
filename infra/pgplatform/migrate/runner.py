"""Versioned SQL migrations per (database, service).

Why not yoyo-migrations: its lock is a row in `_yoyo_lock`, which a SIGKILLed runner leaves
behind until someone runs `yoyo break-lock`; its history records a hash of the migration id,
not of the file content; and it would put its tables in the service's schema, where the
service's login role gets DML through default privileges. What remains after replacing those
three parts (read ordered files, run each in a transaction, record it) is this module.
sqlparse, a kept library, splits the files into statements so errors name the statement.

The runner connects as the service's migrator, a login that becomes the owner role at login
and holds nothing of its own: each migration runs in its own transaction as the owner role with
`search_path = <schemas>, extensions` (the primary schema first), so a migration can do what
the service's owner may and nothing more (`RESET ROLE` leads back to the owner; `SET ROLE
NONE` to a role with no rights). Only the migrations a module lists under `[admin]` in its
module.toml run on a separate admin connection. The admin also keeps the bookkeeping
(`pgplatform.schema_migrations`, admin-owned): each service's owner role reads and writes its
own rows only, through a row-level security policy. A row lock on the service's row of
`pgplatform.migration_locks`, which only its owner role can take, held by a third session of
the migrator, serialises runners and is released by the server if a runner dies. Migrations run
under a lock timeout and a statement timeout.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import psycopg
import sqlparse
from psycopg import sql

from pgplatform import membership
from pgplatform.access import (
    BOOKKEEPING_SCHEMA_PRIVILEGES,
    BOOKKEEPING_TABLE_PRIVILEGES,
    FORGET_FUNCTION,
    LOCKS_TABLE_PRIVILEGES,
)
from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.model import BOOKKEEPING_SCHEMA, EXTENSIONS_SCHEMA
from pgplatform.modules import Migration, Module
from pgplatform.progress import Log, quiet

BOOKKEEPING_TABLE = "schema_migrations"
LOCKS_TABLE = "migration_locks"
LOCK_NAMESPACE = "pgplatform.migrate"
"""Serialises the first creation of the bookkeeping across the services of a database."""
LOCK_WAIT = "5min"
"""How long a runner queues behind another runner of the same service before giving up."""
MIGRATION_LOCK_TIMEOUT = "10s"
"""How long a migration statement waits for a lock (the app's open transactions on a table it
alters) before failing, rather than stalling every query queued behind it."""
MIGRATION_STATEMENT_TIMEOUT_MS = 30 * 60_000
MIGRATION_STATEMENT_TIMEOUT = f"{MIGRATION_STATEMENT_TIMEOUT_MS // 60_000}min"

MigrationState = Literal["pending", "applied", "edited", "missing-file"]


class MigrationError(RuntimeError):
    pass


class LockBusy(MigrationError):
    pass


@dataclass(frozen=True, kw_only=True)
class Target:
    """One service's migrations in one database."""

    dsn: str
    """The service's migrator."""
    admin_dsn: str
    """The admin, for the bookkeeping and the module's `[admin]` migrations."""
    service: str
    schemas: tuple[str, ...]
    """The service's schemas, its primary one first."""
    owner_role: str
    module: Module


@dataclass(frozen=True, kw_only=True)
class Applied:
    version: int
    name: str
    checksum: str
    applied_at: datetime
    duration_ms: int


@dataclass(frozen=True, kw_only=True)
class StatusRow:
    migration: Migration | None
    applied: Applied | None

    @property
    def state(self) -> MigrationState:
        if self.applied is None:
            return "pending"
        if self.migration is None:
            return "missing-file"
        return "applied" if self.migration.checksum == self.applied.checksum else "edited"


def act_as_owner(conn: psycopg.Connection, owner_role: str, schemas: Sequence[str]) -> None:
    """For the rest of the current transaction, act as the service's owner role inside its
    schemas: what migrations, fixtures and planner checks see."""
    conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner_role)))
    in_schemas(conn, schemas)


def in_schemas(conn: psycopg.Connection, schemas: Sequence[str]) -> None:
    """For the rest of the current transaction, resolve unqualified names in `schemas` (the
    primary one first, where unqualified CREATEs land), then in the database's `extensions`
    (the module convention of sql/README.md)."""
    conn.execute(sql.SQL("SET LOCAL search_path = {}").format(sql.SQL(", ").join(
        sql.Identifier(s) for s in (*schemas, EXTENSIONS_SCHEMA))))


def _ensure_bookkeeping(admin: psycopg.Connection, target: Target) -> None:
    """As the admin: the bookkeeping tables, and this service's owner role reaching its own
    rows of them and nothing else."""
    with admin.transaction():
        # Serialise the first CREATE across services of one database.
        admin.execute("SELECT pg_advisory_xact_lock(hashtext(%s), 0)", (LOCK_NAMESPACE,))
        admin.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
            sql.Identifier(BOOKKEEPING_SCHEMA)))
        admin.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(
            sql.Identifier(BOOKKEEPING_SCHEMA)))
        admin.execute(sql.SQL("GRANT {} ON SCHEMA {} TO {}").format(
            sql.SQL(", ").join(map(sql.SQL, BOOKKEEPING_SCHEMA_PRIVILEGES)),
            sql.Identifier(BOOKKEEPING_SCHEMA), sql.Identifier(target.owner_role)))
        admin.execute(sql.SQL(
            """CREATE TABLE IF NOT EXISTS {} (
                   service     text        NOT NULL,
                   version     integer     NOT NULL,
                   name        text        NOT NULL,
                   checksum    text        NOT NULL,
                   applied_at  timestamptz NOT NULL DEFAULT now(),
                   duration_ms integer     NOT NULL,
                   PRIMARY KEY (service, version))""").format(
            sql.Identifier(BOOKKEEPING_SCHEMA, BOOKKEEPING_TABLE)))
        _ensure_lock_row(admin, target)
        _own_rows(admin, target, BOOKKEEPING_TABLE, BOOKKEEPING_TABLE_PRIVILEGES)
        _ensure_forget(admin, target)


def _ensure_lock_row(admin: psycopg.Connection, target: Target) -> None:
    """The runners' lock: a row per service that only its owner role can lock (FOR UPDATE
    needs UPDATE; the policy shows a role only its rows). An advisory lock, which any login can
    take with the same well-known key, let one service stall every other's migrations.

    One policy for every service, made with the table: a policy per service would need an
    ACCESS EXCLUSIVE lock on the table while other services' runners hold their rows."""
    table = sql.Identifier(BOOKKEEPING_SCHEMA, LOCKS_TABLE)
    admin.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (service text PRIMARY KEY, "
                          "owner_role name NOT NULL)").format(table))
    if not admin.execute("SELECT 1 FROM pg_policies WHERE schemaname = %s AND tablename = %s",
                         (BOOKKEEPING_SCHEMA, LOCKS_TABLE)).fetchone():
        admin.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(table))
        admin.execute(sql.SQL("CREATE POLICY owner_only ON {} USING (owner_role = current_user)"
                              ).format(table))
    admin.execute(sql.SQL("INSERT INTO {} VALUES (%s, %s) ON CONFLICT DO NOTHING").format(table),
                  (target.service, target.owner_role))
    admin.execute(sql.SQL("GRANT {} ON {} TO {}").format(
        sql.SQL(", ").join(map(sql.SQL, LOCKS_TABLE_PRIVILEGES)), table,
        sql.Identifier(target.owner_role)))


def _own_rows(admin: psycopg.Connection, target: Target, table_name: str,
              privileges: Sequence[str]) -> None:
    """Row-level security on a bookkeeping table, `privileges` for the service's owner and one
    policy for every service, made with the table: a role sees the rows of the service whose
    lock row names it. A policy per service would need an ACCESS EXCLUSIVE lock on the table
    when a service is added, which any runner (or a hostile migrator's open transaction)
    holding the table would stall. Policies earlier versions made per service allow no more
    and are left in place."""
    table = sql.Identifier(BOOKKEEPING_SCHEMA, table_name)
    if not admin.execute("SELECT 1 FROM pg_policies WHERE schemaname = %s AND tablename = %s "
                         "AND policyname = 'owner_only'",
                         (BOOKKEEPING_SCHEMA, table_name)).fetchone():
        admin.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(table))
        owns = sql.SQL("EXISTS (SELECT 1 FROM {} l WHERE l.service = {}.service AND "
                       "l.owner_role = current_user)").format(
            sql.Identifier(BOOKKEEPING_SCHEMA, LOCKS_TABLE), table)
        admin.execute(sql.SQL("CREATE POLICY owner_only ON {} USING ({}) WITH CHECK ({})"
                              ).format(table, owns, owns))
    admin.execute(sql.SQL("REVOKE ALL ON {} FROM {}").format(
        table, sql.Identifier(target.owner_role)))
    admin.execute(sql.SQL("GRANT {} ON {} TO {}").format(
        sql.SQL(", ").join(map(sql.SQL, privileges)), table, sql.Identifier(target.owner_role)))


_FORGET_SQL = """
CREATE OR REPLACE FUNCTION {function}(p_service text, p_version integer DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $forget$
DECLARE
  forgotten integer;
BEGIN
  -- Its login (a migrator, whose owner role the lock row names) or the admin, nobody else.
  IF NOT EXISTS (SELECT 1 FROM {locks} l WHERE l.service = p_service
                 AND pg_has_role(session_user, l.owner_role, 'MEMBER')) THEN
    RAISE EXCEPTION 'pgplatform: % may not forget the migrations of %', session_user,
      p_service USING ERRCODE = 'insufficient_privilege';
  END IF;
  DELETE FROM {table} WHERE service = p_service
    AND (p_version IS NULL OR version = p_version);
  GET DIAGNOSTICS forgotten = ROW_COUNT;
  RETURN forgotten;
END
$forget$
"""


def _ensure_forget(admin: psycopg.Connection, target: Target) -> None:
    """The one way a service's migrator deletes bookkeeping rows (a rollback, a restore): its
    own service's rows, through the admin's function, with no lock on the table but the
    rows'."""
    function = sql.Identifier(BOOKKEEPING_SCHEMA, FORGET_FUNCTION)
    admin.execute(sql.SQL(_FORGET_SQL).format(
        function=function, locks=sql.Identifier(BOOKKEEPING_SCHEMA, LOCKS_TABLE),
        table=sql.Identifier(BOOKKEEPING_SCHEMA, BOOKKEEPING_TABLE)))
    admin.execute(sql.SQL("REVOKE ALL ON FUNCTION {}(text, integer) FROM PUBLIC").format(
        function))
    admin.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {}(text, integer) TO {}").format(
        function, sql.Identifier(target.owner_role)))


@contextmanager
def _sessions(target: Target, *, wait: bool
              ) -> Iterator[tuple[psycopg.Connection, psycopg.Connection]]:
    """(migrator, admin) connections with their deadlines, the bookkeeping ready and the
    service's lock held (on a third session, the migrator's too)."""
    with psycopg.connect(target.admin_dsn, autocommit=True,
                         options=ADMIN_SESSION_OPTIONS) as admin, \
            psycopg.connect(target.dsn, autocommit=True) as conn, \
            psycopg.connect(target.dsn) as lock:
        # Its setup waits for nobody for long: whatever a session holds on the bookkeeping
        # (another runner, a hostile migrator's open transaction) is a refusal to retry.
        admin.execute(sql.SQL("SET lock_timeout = {}").format(
            sql.Literal(MIGRATION_LOCK_TIMEOUT)))
        _ensure_bookkeeping(admin, target)
        for session in (conn, lock):
            session.execute("SET application_name = 'pgplatform-migrate'")
            # A runner that dies mid-migration (SIGKILL) must not hold the lock and its open
            # transaction until a long statement ends: the server polls the socket instead.
            session.execute("SET client_connection_check_interval = '1s'")
            # The migrator's login already did this (its `role` setting); saying it again
            # keeps the bookkeeping reachable should that setting ever be missing.
            session.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(target.owner_role)))
        for session in (conn, admin):
            session.execute(sql.SQL("SET lock_timeout = {}").format(
                sql.Literal(MIGRATION_LOCK_TIMEOUT)))
            session.execute(sql.SQL("SET statement_timeout = {}").format(
                sql.Literal(MIGRATION_STATEMENT_TIMEOUT)))
        _lock(lock, target, wait=wait)
        try:
            yield conn, admin
        finally:
            if not lock.closed:
                lock.rollback()


def _lock(lock: psycopg.Connection, target: Target, *, wait: bool) -> None:
    """Lock the service's row of the lock table for as long as `lock`'s transaction lasts."""
    # It sits idle in its transaction on purpose while the migrations run.
    lock.execute("SET idle_in_transaction_session_timeout = 0")
    lock.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(LOCK_WAIT)))
    statement = sql.SQL("SELECT 1 FROM {} WHERE service = %s FOR UPDATE{}").format(
        sql.Identifier(BOOKKEEPING_SCHEMA, LOCKS_TABLE), sql.SQL("" if wait else " NOWAIT"))
    try:
        row = lock.execute(statement, (target.service,)).fetchone()
    except psycopg.errors.LockNotAvailable as exc:
        raise LockBusy(
            f"migrate: another runner holds the lock for service {target.service!r}"
            + (f" and kept it past {LOCK_WAIT}" if wait else "") + " (pg_stat_activity: "
            "application_name = 'pgplatform-migrate'). Fix: wait for it to finish"
            + ("" if wait else ", or run without --no-wait to queue behind it")) from exc
    if row is None:
        raise MigrationError(f"migrate [{target.service}]: its row of {BOOKKEEPING_SCHEMA}."
                             f"{LOCKS_TABLE} is not visible to {target.owner_role}")


def _applied(conn: psycopg.Connection, service: str) -> dict[int, Applied]:
    rows = conn.execute(
        sql.SQL("SELECT version, name, checksum, applied_at, duration_ms FROM {}.{} "
                "WHERE service = %s ORDER BY version").format(
            sql.Identifier(BOOKKEEPING_SCHEMA), sql.Identifier(BOOKKEEPING_TABLE)),
        (service,),
    ).fetchall()
    return {r[0]: Applied(version=r[0], name=r[1], checksum=r[2], applied_at=r[3],
                          duration_ms=r[4]) for r in rows}


def _status(conn: psycopg.Connection, target: Target) -> list[StatusRow]:
    applied = _applied(conn, target.service)
    on_disk = {m.version: m for m in target.module.migrations}
    return [StatusRow(migration=on_disk.get(v), applied=applied.get(v))
            for v in sorted(set(applied) | set(on_disk))]


def _refuse_drift(rows: Sequence[StatusRow], target: Target) -> None:
    problems = []
    for row in rows:
        if row.state == "edited" and row.migration is not None:
            problems.append(
                f"{row.migration.path}: edited after it was applied (checksum differs). "
                "Fix: restore the file and put the change in a new migration"
            )
        elif row.state == "missing-file" and row.applied is not None:
            problems.append(
                f"{target.module.path}/{row.applied.version:04d}_{row.applied.name}.sql: "
                "applied but missing on disk. Fix: restore it"
            )
    if problems:
        raise MigrationError(f"migrate [{target.service}]: " + "; ".join(problems))


def _run_file(conn: psycopg.Connection, target: Target, path_text: str, where: str,
              *, as_admin: bool) -> None:
    if as_admin:
        in_schemas(conn, target.schemas)
    else:
        act_as_owner(conn, target.owner_role, target.schemas)
    # A statement, not set_config(): that built-in is the hardening's to give (an admin
    # migration's session is the admin's, a migrator's acts as its owner).
    conn.execute(sql.SQL("SET LOCAL pgplatform.owner_role = {}").format(
        sql.Literal(target.owner_role)))
    # An admin migration hands what it makes to the owner role (ALTER … OWNER TO): an admin
    # that is not a superuser (an external server's) borrows that role for the file only.
    with membership.borrowed(conn, target.owner_role) if as_admin else nullcontext():
        _run_statements(conn, target, path_text, where)


@functools.lru_cache(maxsize=256)
def _statements(path_text: str) -> tuple[tuple[int, str], ...]:
    """The file's statements with their numbers, comment-only ones left out. Parsing is the
    runner's main CPU cost and a module's files are the same for every service running it
    (a stack of 100 services runs 18 modules): parsed once per text per process."""
    return tuple((n, statement)
                 for n, statement in enumerate(sqlparse.split(path_text), start=1)
                 if sqlparse.format(statement, strip_comments=True).strip())


def _run_statements(conn: psycopg.Connection, target: Target, path_text: str,
                    where: str) -> None:
    for n, statement in _statements(path_text):
        try:
            conn.execute(statement.encode())  # bytes: no client-side % placeholder parsing
        except psycopg.Error as exc:
            first = next((ln.strip() for ln in statement.splitlines()
                          if ln.strip() and not ln.strip().startswith("--")), "")
            raise MigrationError(
                f"migrate [{target.service}]: {where}: statement {n} failed "
                f"({first[:120]!r}): {exc.diag.message_primary or exc}{_hint(exc)}"
            ) from exc


def _hint(exc: psycopg.Error) -> str:
    if isinstance(exc, psycopg.errors.LockNotAvailable):
        return (f". It waited {MIGRATION_LOCK_TIMEOUT} for a lock other sessions hold (open "
                "transactions on that table). Fix: rerun when the table is quiet")
    if isinstance(exc, psycopg.errors.QueryCanceled):
        return (f". It ran past the {MIGRATION_STATEMENT_TIMEOUT} statement deadline. Fix: "
                "split the change, or build the index CONCURRENTLY outside a migration")
    return ""


def _irreversible(down_sql: str) -> str | None:
    """The `-- irreversible: <reason>` line of a down file's header comment, if any."""
    for line in down_sql.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            return None
        if stripped.startswith("-- irreversible"):
            return stripped[3:]
    return None


def _connection_for(m: Migration, target: Target, migrator: psycopg.Connection,
                    admin: psycopg.Connection) -> tuple[psycopg.Connection, bool]:
    as_admin = m.version in target.module.admin_migrations
    return (admin if as_admin else migrator), as_admin


def migrate(target: Target, *, wait: bool = True, log: Log = quiet) -> list[Migration]:
    """Apply every pending migration in order; return the ones applied now."""
    return migrate_then_status(target, wait=wait, log=log)[0]


def migrate_then_status(target: Target, *, wait: bool = True, log: Log = quiet
                        ) -> tuple[list[Migration], list[StatusRow]]:
    """`migrate`, then `status` read in the same sessions under the same lock: what the
    bootstrap records. Three connections (each a TLS handshake and a SCRAM exchange) and the
    bookkeeping checks instead of twice that."""
    done: list[Migration] = []
    with _sessions(target, wait=wait) as (migrator, admin):
        rows = _status(migrator, target)
        _refuse_drift(rows, target)
        for row in rows:
            m = row.migration
            if m is None or row.applied is not None:
                continue
            started = time.monotonic()
            conn, as_admin = _connection_for(m, target, migrator, admin)
            with conn.transaction():
                _run_file(conn, target, m.sql, str(m.path), as_admin=as_admin)
                conn.execute(
                    sql.SQL("INSERT INTO {}.{} (service, version, name, checksum, duration_ms) "
                            "VALUES (%s, %s, %s, %s, %s)").format(
                        sql.Identifier(BOOKKEEPING_SCHEMA), sql.Identifier(BOOKKEEPING_TABLE)),
                    (target.service, m.version, m.name, m.checksum,
                     int((time.monotonic() - started) * 1000)),
                )
            log(f"migrate [{target.service}]: applied {m.id}"
                f"{' as the admin' if as_admin else ''} "
                f"({(time.monotonic() - started) * 1000:.0f} ms)")
            done.append(m)
        return done, _status(migrator, target)


def status(target: Target) -> list[StatusRow]:
    with _sessions(target, wait=True) as (migrator, _admin):
        return _status(migrator, target)


def rollback(target: Target, steps: int = 1, *, wait: bool = True,
             log: Log = quiet) -> list[Migration]:
    """Run the down files of the last `steps` applied migrations, newest first."""
    undone: list[Migration] = []
    with _sessions(target, wait=wait) as (migrator, admin):
        rows = _status(migrator, target)
        _refuse_drift(rows, target)
        applied = [r.migration for r in rows if r.applied is not None and r.migration]
        for m in reversed(applied[-steps:] if steps > 0 else []):
            if m.down_path is None:
                raise MigrationError(f"migrate [{target.service}]: {m.path}: no down file "
                                     f"{m.path.name[:-4]}.down.sql")
            down_sql = m.down_path.read_text()
            irreversible = _irreversible(down_sql)
            if irreversible:
                raise MigrationError(f"migrate [{target.service}]: {m.down_path}: "
                                     f"{irreversible}")
            conn, as_admin = _connection_for(m, target, migrator, admin)
            with conn.transaction():
                _run_file(conn, target, down_sql, str(m.down_path), as_admin=as_admin)
                conn.execute(sql.SQL("SELECT {}(%s, %s)").format(
                    sql.Identifier(BOOKKEEPING_SCHEMA, FORGET_FUNCTION)),
                    (target.service, m.version))
            log(f"migrate [{target.service}]: rolled back {m.id}")
            undone.append(m)
    return undone
