"""Walls against a hostile neighbour, inside each managed database (no Pulumi here: the
`DatabaseHardening` resource applies them as the admin, verification reads the same facts).

A service is assumed compromised; what it can make run as someone else's login, or make every
login share, is taken away:

- Built-in functions that run SQL given as text, or carry data or load out of a session, are
  no longer executable by PUBLIC (`HAZARDS`). A view or a row-security policy a hostile owner
  puts in a schema its readers read runs as the reader: without these it can neither read
  anything of the reader's (`query_to_xml`, `table_to_xml`, `ts_stat`…) nor send it anywhere
  (`pg_notify`, `set_config('application_name', …)` shown to everyone by pg_stat_activity,
  advisory-lock keys shown by pg_locks). Advisory locks and large objects are also a shared
  resource a single login could exhaust (the lock table, the disk). A module that needs one
  of them declares it (`needs` in module.toml) and only its service's logins get it back.
- Logins that read another owner's schemas (declared readers, consumers) run with
  `row_security = off`: a policy on a table they read is an error for them, never code that
  runs as them.
- An event trigger refuses, for every role but the admin, what only the platform may do: GRANT,
  REVOKE, ALTER DEFAULT PRIVILEGES (a function of the owner stays unexecutable by its readers),
  and row-security policies in a schema that others read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.progress import Log, quiet

DYNAMIC_SQL = "dynamic_sql"
NOTIFY = "notify"
SESSION_SETTINGS = "session_settings"
ADVISORY_LOCKS = "advisory_locks"
LARGE_OBJECTS = "large_objects"

HAZARDS: Mapping[str, tuple[str, ...]] = {
    # Run a query given as text (or read a whole relation named at run time) as the caller.
    DYNAMIC_SQL: ("query_to_xml", "query_to_xmlschema", "query_to_xml_and_xmlschema",
                  "table_to_xml", "table_to_xmlschema", "table_to_xml_and_xmlschema",
                  "cursor_to_xml", "cursor_to_xmlschema", "schema_to_xml",
                  "schema_to_xmlschema", "schema_to_xml_and_xmlschema", "database_to_xml",
                  "database_to_xmlschema", "database_to_xml_and_xmlschema", "ts_stat",
                  "ts_rewrite"),
    # A channel out of a session: every listener of the database reads the payload.
    NOTIFY: ("pg_notify",),
    # application_name and friends are shown to every login by pg_stat_activity. The SET
    # statement needs no EXECUTE: clients keep setting what they set.
    SESSION_SETTINGS: ("set_config",),
    # The shared lock table (one login filled it in 0.08 s), and keys every login sees.
    ADVISORY_LOCKS: ("pg_advisory_lock", "pg_advisory_lock_shared", "pg_advisory_unlock",
                     "pg_advisory_unlock_shared", "pg_advisory_unlock_all",
                     "pg_advisory_xact_lock", "pg_advisory_xact_lock_shared",
                     "pg_try_advisory_lock", "pg_try_advisory_lock_shared",
                     "pg_try_advisory_xact_lock", "pg_try_advisory_xact_lock_shared"),
    # Unbounded disk outside any schema, owned by the login (and a read-only login could).
    LARGE_OBJECTS: ("lo_create", "lo_creat", "lo_from_bytea", "lo_import"),
}
GRANTABLE = frozenset(HAZARDS) - {DYNAMIC_SQL}
"""What a module may declare in `needs`: running SQL given as text is never given back."""

OWNER_NEEDS = frozenset({SESSION_SETTINGS})
"""What every service's owner role keeps: its migrator runs pg_dump and pg_restore (backups),
which call set_config; the owner is the one the walls are against, not the one they guard."""

MAINTENANCE_DATABASE = "postgres"
GUARD_FUNCTION = "pgplatform_guard"
GUARD_TRIGGER = "pgplatform_guard"
GUARDED_COMMANDS = ("GRANT", "REVOKE", "ALTER DEFAULT PRIVILEGES", "CREATE POLICY",
                    "ALTER POLICY")


@dataclass(frozen=True, kw_only=True)
class DatabaseWalls:
    """What one managed database must hold (from the model: `access.database_walls`)."""

    database: str
    grants: Mapping[str, tuple[str, ...]]
    """Hazard -> the roles that keep EXECUTE on its functions (sorted)."""
    read_shared: tuple[str, ...]
    """Schemas other services or consumers read: no row-security policy in them."""


def hazard_of(function: str) -> str | None:
    return next((h for h, names in HAZARDS.items() if function in names), None)


def _functions(conn: psycopg.Connection, names: Iterable[str]) -> list[str]:
    """Every overload of `names` in pg_catalog, as regprocedure text."""
    return [str(r[0]) for r in conn.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = "
        "'pg_catalog'::regnamespace AND p.proname = ANY(%s) ORDER BY 1", (list(names),))]


_GUARD_SQL = """
CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS event_trigger
LANGUAGE plpgsql SECURITY INVOKER SET search_path = pg_catalog AS $guard$
DECLARE
  cmd record;
  nsp name;
BEGIN
  -- The admin (the only superuser) is the platform: what it does is the program's.
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
    RETURN;
  END IF;
  FOR cmd IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    IF cmd.command_tag IN ('GRANT', 'REVOKE', 'ALTER DEFAULT PRIVILEGES') THEN
      RAISE EXCEPTION 'pgplatform: % by % refused: privileges are the platform''s to give',
        cmd.command_tag, session_user
        USING HINT = 'Declare a reader or a need in the stack config or module.toml; the '
                     'program grants it.';
    END IF;
    -- A policy has no schema of its own (schema_name is null): its table's.
    IF cmd.command_tag IN ('CREATE POLICY', 'ALTER POLICY') THEN
      SELECT n.nspname INTO nsp FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.oid = cmd.objid;
      IF nsp::text = ANY ({read_shared}) THEN
        RAISE EXCEPTION 'pgplatform: % in schema % refused: other services read it, and a '
          'row-security policy would run as them', cmd.command_tag, nsp;
      END IF;
    END IF;
  END LOOP;
END
$guard$
"""


DEFINITION = hashlib.sha256((_GUARD_SQL + repr(sorted(HAZARDS.items()))).encode()).hexdigest()[:16]
"""Changes with the guard's code or the list of hazards: a resource carrying it is applied
again when either does."""


def apply(admin_dsn: str, walls: DatabaseWalls, schema: str, log: Log = quiet) -> None:
    """As the admin (a superuser: only it may change pg_catalog's ACLs and create event
    triggers), in `walls.database`: revoke the hazards from PUBLIC, give each back to the
    roles the model names (and take it from any other), install the event trigger in
    `schema` (the admin's bookkeeping schema, closed to PUBLIC)."""
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as conn, conn.transaction():
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(
            sql.Identifier(schema)))
        for hazard, names in sorted(HAZARDS.items()):
            keep = set(walls.grants.get(hazard, ()))
            for fn in _functions(conn, names):
                target = sql.SQL(fn)  # regprocedure text: already quoted as needed
                conn.execute(sql.SQL("REVOKE EXECUTE ON FUNCTION {} FROM PUBLIC").format(
                    target))
                holders = {str(r[0]) for r in conn.execute(
                    "SELECT grantee::regrole::text FROM aclexplode((SELECT proacl FROM "
                    "pg_proc WHERE oid = %s::regprocedure)) WHERE grantee <> 0 AND "
                    "privilege_type = 'EXECUTE' AND grantee <> (SELECT proowner FROM "
                    "pg_proc WHERE oid = %s::regprocedure)", (fn, fn))}
                for role in sorted(holders - keep):
                    conn.execute(sql.SQL("REVOKE EXECUTE ON FUNCTION {} FROM {}").format(
                        target, sql.Identifier(role)))
                for role in sorted(keep - holders):
                    conn.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(
                        target, sql.Identifier(role)))
        conn.execute(sql.SQL(_GUARD_SQL).format(
            schema=sql.Identifier(schema), function=sql.Identifier(GUARD_FUNCTION),
            read_shared=sql.Composed([sql.Literal(list(walls.read_shared)),
                                      sql.SQL("::text[]")])))
        exists = conn.execute("SELECT 1 FROM pg_event_trigger WHERE evtname = %s",
                              (GUARD_TRIGGER,)).fetchone()
        if not exists:
            conn.execute(sql.SQL(
                "CREATE EVENT TRIGGER {} ON ddl_command_end EXECUTE FUNCTION {}.{}()").format(
                sql.Identifier(GUARD_TRIGGER), sql.Identifier(schema),
                sql.Identifier(GUARD_FUNCTION)))
        conn.execute(sql.SQL("ALTER EVENT TRIGGER {} ENABLE ALWAYS").format(
            sql.Identifier(GUARD_TRIGGER)))
    log(f"hardening [{walls.database}]: hazardous built-ins revoked from PUBLIC, guard on")


def remove(admin_dsn: str, database: str, schema: str) -> None:
    """What `apply` installed that would outlive the resource: the event trigger and its
    function (the revocations stay: nothing depends on them and PUBLIC never needs them).
    On `destroy` the database may be gone first: then there is nothing to remove."""
    with psycopg.connect(make_conninfo(admin_dsn, dbname=MAINTENANCE_DATABASE),
                         autocommit=True, connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                        (database,)).fetchone() is None:
            return
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as conn:
        conn.execute(sql.SQL("DROP EVENT TRIGGER IF EXISTS {}").format(
            sql.Identifier(GUARD_TRIGGER)))
        conn.execute(sql.SQL("DROP FUNCTION IF EXISTS {}.{}()").format(
            sql.Identifier(schema), sql.Identifier(GUARD_FUNCTION)))
