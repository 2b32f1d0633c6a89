"""What keeps a service's data and roles coherent across the lifecycle steps the upstream
providers do not handle (no Pulumi here; the components in `components/lifecycle.py` call it
from dynamic providers):

- **Adopting retained data after `pulumi destroy`.** A stack that keeps its data retains its
  roles and databases; destroy forgets them, and the next `up` runs upstream's plain
  `CREATE ROLE` / `CREATE DATABASE` (terraform-provider-postgresql resource_postgresql_role.go
  and resource_postgresql_database.go have no IF NOT EXISTS), which fail on them. So before
  those resources run, `park` renames each retained role and database out of the way; once
  upstream has created the fresh ones, `adopt` swaps each retained database back in place of its
  empty twin and hands everything a parked role owned to the new role of the same name.
- **Retiring a removed service** where deletion is allowed: upstream's role delete runs
  REASSIGN OWNED / DROP OWNED only in the provider's `postgres` database (terraform-provider-
  postgresql#203), and the owner's database-wide default-privileges row survives the
  DefaultPrivileges delete, so `DROP ROLE` is refused. `retire` drops what the service's roles
  still own in their database, and the service's migration bookkeeping, before they go.

All three connect as the stack's admin, as the postgresql provider itself does: renaming
another role's database, REASSIGN OWNED and DROP OWNED across every service need either
superuser or membership in every service role, and no service identity may hold the latter.
An external server's admin is not a superuser: it borrows the roles it acts for, for the
transaction only (`pgplatform.membership`, as upstream's withRolesGranted).
They run only inside `pulumi up` / `destroy`, never from a tool.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from pgplatform import membership
from pgplatform.dsn import ADMIN_SESSION_OPTIONS
from pgplatform.migrate.runner import BOOKKEEPING_TABLE, LOCKS_TABLE
from pgplatform.model import BOOKKEEPING_SCHEMA, PUBLIC_SCHEMA
from pgplatform.progress import Log, quiet

PARKED_PREFIX = "pgplatform_retained_"
MAINTENANCE_DATABASE = "postgres"
# The advisory lock key retirements take in their database (any constant of the bundle's own).
RETIREMENT_LOCK = 0x7067706C_00000001


def parked_name(name: str) -> str:
    """Where a retained role or database waits while upstream creates its fresh twin (fits
    63 bytes whatever the name)."""
    return PARKED_PREFIX + hashlib.sha256(name.encode()).hexdigest()[:24]


class AdoptionError(RuntimeError):
    pass


@contextmanager
def _connect(dsn: str, database: str | None = None) -> Iterator[psycopg.Connection]:
    target = make_conninfo(dsn, dbname=database) if database else dsn
    with psycopg.connect(target, autocommit=True, connect_timeout=15,
                         options=ADMIN_SESSION_OPTIONS) as conn:
        yield conn


def _exists(conn: psycopg.Connection, catalog: str, name: str) -> bool:
    query = {"role": "SELECT 1 FROM pg_roles WHERE rolname = %s",
             "database": "SELECT 1 FROM pg_database WHERE datname = %s"}[catalog]
    return conn.execute(query, (name,)).fetchone() is not None


def _disconnect(conn: psycopg.Connection, database: str) -> None:
    conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                 "WHERE datname = %s AND pid <> pg_backend_pid()", (database,))


def park(admin_dsn: str, roles: Iterable[str], databases: Iterable[str],
         log: Log = quiet) -> list[str]:
    """Rename every existing role and database of `roles` / `databases` to its parked name;
    return the names parked."""
    parked: list[str] = []
    with _connect(admin_dsn) as conn:
        for db in databases:
            if _exists(conn, "database", db):
                if _exists(conn, "database", parked_name(db)):
                    raise AdoptionError(
                        f"retained data: database {db!r} exists and so does its parked copy "
                        f"{parked_name(db)!r} from an interrupted adoption. Fix: inspect both, "
                        "drop the one without data, rename the other to the parked name, re-run")
                _disconnect(conn, db)
                conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(db), sql.Identifier(parked_name(db))))
                parked.append(db)
                log(f"retained data: parked database {db}")
        for role in roles:
            if _exists(conn, "role", role) and not _exists(conn, "role", parked_name(role)):
                conn.execute(sql.SQL("ALTER ROLE {} RENAME TO {}").format(
                    sql.Identifier(role), sql.Identifier(parked_name(role))))
                parked.append(role)
                log(f"retained data: parked role {role}")
    return parked


def _empty(dsn: str, database: str) -> bool:
    """No relation, type or function outside the system schemas (a fresh CREATE DATABASE)."""
    with _connect(dsn, database) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = "
            "c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', "
            "'pg_toast')) + (SELECT count(*) FROM pg_namespace WHERE nspname NOT LIKE 'pg_%%' "
            "AND nspname NOT IN ('public', 'information_schema'))").fetchone()
    return row is not None and int(row[0]) == 0


def adopt(admin_dsn: str, roles: Iterable[str], databases: Iterable[str],
          log: Log = quiet) -> list[str]:
    """Put every parked database back under its name (replacing the empty twin upstream just
    created) and give every parked role's objects to the role of its name; return what was
    adopted."""
    adopted: list[str] = []
    roles, databases = list(roles), list(databases)
    with _connect(admin_dsn) as conn:
        for db in databases:
            parked = parked_name(db)
            if not _exists(conn, "database", parked):
                continue
            if _exists(conn, "database", db):
                if not _empty(admin_dsn, db):
                    raise AdoptionError(
                        f"retained data: database {db!r} is not the empty one just created, "
                        f"and its retained data waits in {parked!r}. Fix: move what {db!r} "
                        "holds, drop it, re-run")
                _disconnect(conn, db)
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(
                    sql.Identifier(db)))
            conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                sql.Identifier(parked), sql.Identifier(db)))
            adopted.append(db)
            log(f"retained data: database {db} adopted")
        waiting = [r for r in roles if _exists(conn, "role", parked_name(r))]
        everywhere = [r[0] for r in conn.execute(
            "SELECT datname FROM pg_database WHERE datallowconn ORDER BY datname")]
    for role in waiting:
        old, new = sql.Identifier(parked_name(role)), sql.Identifier(role)
        for database in everywhere:
            with _connect(admin_dsn, database) as c, c.transaction(), membership.borrowed(
                    c, parked_name(role), role):
                c.execute(sql.SQL("REASSIGN OWNED BY {} TO {}").format(old, new))
                # What remains are privileges granted to the parked role and its default
                # privileges: the program grants both anew to the role of its name.
                c.execute(sql.SQL("DROP OWNED BY {}").format(old))
        with _connect(admin_dsn) as c:
            c.execute(sql.SQL("DROP ROLE {}").format(old))
        adopted.append(role)
        log(f"retained data: role {role} adopted")
    return adopted


def retire(admin_dsn: str, database: str, service: str, roles: Iterable[str],
           log: Log = quiet) -> None:
    """Drop what `roles` still own or were granted in `database`, and `service`'s rows of
    the migration bookkeeping, so that upstream's role delete can drop them."""
    # On `destroy` the database may go first (it waits for nothing of this step): then
    # nothing is left to clear. Ask the maintenance database, which always exists.
    with _connect(admin_dsn, MAINTENANCE_DATABASE) as conn:
        if not _exists(conn, "database", database):
            return
    with _connect(admin_dsn, database) as conn, conn.transaction():
        # The engine deletes in parallel: two services' DROP OWNED in one database rewrite the
        # same catalog rows (the database's ACL) and one fails with "tuple concurrently
        # updated". One retirement at a time per database.
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (RETIREMENT_LOCK,))
        present = [r for r in roles if _exists(conn, "role", r)]
        # A service that took `public` gives it back, emptied by DROP OWNED below, to the
        # owner initdb gave it: the database's revoke from PUBLIC still applies to it.
        if conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s AND "
                        "pg_get_userbyid(nspowner) = ANY(%s)", (PUBLIC_SCHEMA, present)
                        ).fetchone():
            conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO pg_database_owner").format(
                sql.Identifier(PUBLIC_SCHEMA)))
        if present:
            with membership.borrowed(conn, *present):
                conn.execute(sql.SQL("DROP OWNED BY {}").format(
                    sql.SQL(", ").join(sql.Identifier(r) for r in present)))
        for table in (BOOKKEEPING_TABLE, LOCKS_TABLE):
            if conn.execute("SELECT to_regclass(%s)", (f"{BOOKKEEPING_SCHEMA}.{table}",)
                            ).fetchone() != (None,):
                conn.execute(sql.SQL("DELETE FROM {} WHERE service = %s").format(
                    sql.Identifier(BOOKKEEPING_SCHEMA, table)), (service,))
    log(f"retired service {service}: dropped what {', '.join(present)} owned in {database}")
