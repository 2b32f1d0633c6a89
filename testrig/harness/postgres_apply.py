"""pulumi-postgresql resources applied through psycopg, mirroring the documented behaviour of
cyrilgdn/terraform-provider-postgresql: a Grant revokes everything of (role, object type,
target) and grants its list in one transaction; DefaultPrivileges likewise for objects the owner
creates later; Role defaults are NOLOGIN, NOSUPERUSER, NOCREATEDB, NOCREATEROLE, INHERIT,
NOREPLICATION, NOBYPASSRLS, CONNECTION LIMIT -1.

Every apply reports whether it changed the catalog, so a second `up` can prove it changed
nothing. Identifiers are always composed with psycopg.sql, never formatted into strings.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from pgplatform.progress import Log

PUBLIC = "public"
_ALL_IN_SCHEMA = {"table": "TABLES", "sequence": "SEQUENCES", "function": "FUNCTIONS"}
_DEFAULT_KIND = {"table": "TABLES", "sequence": "SEQUENCES", "function": "FUNCTIONS",
                 "type": "TYPES", "schema": "SCHEMAS"}
_RELKINDS = {"table": ("r", "p", "v", "m", "f"), "sequence": ("S",)}


def _sorted_acl(column: str) -> str:
    """An ACL column as sorted text: REVOKE+GRANT reorders aclitems without changing them."""
    return f"(SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest({column}) a)"


@dataclass(frozen=True, kw_only=True)
class Connection:
    host: str
    port: int
    user: str
    password: str
    sslmode: str
    # One open connection per (thread, database): a 100-service apply makes ~1,500 calls, and a
    # SCRAM handshake plus a backend fork for each was most of its time.
    _local: threading.local = field(default_factory=threading.local, compare=False,
                                    repr=False)

    @contextmanager
    def connect(self, database: str) -> Iterator[psycopg.Connection]:
        pool: dict[str, psycopg.Connection] = self._local.__dict__.setdefault("pool", {})
        conn = pool.get(database)
        if conn is None or conn.closed or conn.broken:
            conn = pool[database] = self._open(database)
        try:
            yield conn
        except psycopg.OperationalError:
            conn.close()
            pool.pop(database, None)
            raise

    def _open(self, database: str) -> psycopg.Connection:
        deadline = time.monotonic() + 10
        while True:
            try:
                return psycopg.connect(host=self.host, port=self.port, user=self.user,
                                       password=self.password, dbname=database,
                                       sslmode=self.sslmode, autocommit=True, connect_timeout=10)
            except psycopg.OperationalError as exc:
                # The server briefly refuses connections while a just-dropped database's
                # backends exit; anything else fails at once.
                if time.monotonic() > deadline or "does not exist" in str(exc):
                    raise
                time.sleep(0.2)


def _grantee(role: str) -> sql.Composable:
    return sql.SQL("PUBLIC") if role == PUBLIC else sql.Identifier(role)


def _privileges(privs: list[str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.SQL(p.upper()) for p in privs)


class PostgresApplier:
    def __init__(self, conn: Connection, log: Log) -> None:
        self.conn = conn
        self.log = log

    # -- roles -------------------------------------------------------------------------------
    _ROLE_SNAPSHOT = ("SELECT rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, "
                      "rolreplication, rolbypassrls, rolconnlimit, rolconfig FROM pg_roles "
                      "WHERE rolname = %s")

    def role(self, inputs: dict[str, Any], previous: dict[str, Any] | None
             ) -> tuple[dict[str, Any], bool]:
        name = inputs["name"]
        flags = [
            ("SUPERUSER", "NOSUPERUSER", inputs.get("superuser", False)),
            ("CREATEDB", "NOCREATEDB", inputs.get("createDatabase", False)),
            ("CREATEROLE", "NOCREATEROLE", inputs.get("createRole", False)),
            ("INHERIT", "NOINHERIT", inputs.get("inherit", True)),
            ("LOGIN", "NOLOGIN", inputs.get("login", False)),
            ("REPLICATION", "NOREPLICATION", inputs.get("replication", False)),
            ("BYPASSRLS", "NOBYPASSRLS", inputs.get("bypassRowLevelSecurity", False)),
        ]
        options: list[sql.Composable] = [sql.SQL(on if value else off)
                                         for on, off, value in flags]
        options.append(sql.SQL("CONNECTION LIMIT {}").format(
            sql.Literal(int(inputs.get("connectionLimit", -1)))))
        password = inputs.get("password")
        digest = hashlib.sha256(password.encode()).hexdigest() if password else None
        password_changed = digest != (previous or {}).get("passwordDigest")
        with self.conn.connect("postgres") as c:
            before = c.execute(self._ROLE_SNAPSHOT, (name,)).fetchone()
            verb = "ALTER" if before else "CREATE"
            opts = list(options)
            if password is not None and (before is None or password_changed):
                opts.append(sql.SQL("PASSWORD {}").format(sql.Literal(password)))
            elif password is None and before is not None and password_changed:
                opts.append(sql.SQL("PASSWORD NULL"))
            with c.transaction():
                c.execute(sql.SQL(verb + " ROLE {} WITH {}").format(
                    sql.Identifier(name), sql.SQL(" ").join(opts)))
                search_path = inputs.get("searchPaths") or []
                if search_path:
                    c.execute(sql.SQL("ALTER ROLE {} SET search_path TO {}").format(
                        sql.Identifier(name),
                        sql.SQL(", ").join(sql.Identifier(p) for p in search_path)))
                else:
                    c.execute(sql.SQL("ALTER ROLE {} RESET search_path").format(
                        sql.Identifier(name)))
                timeout = int(inputs.get("statementTimeout") or 0)
                if timeout:
                    c.execute(sql.SQL("ALTER ROLE {} SET statement_timeout TO {}").format(
                        sql.Identifier(name), sql.Literal(timeout)))
                else:
                    c.execute(sql.SQL("ALTER ROLE {} RESET statement_timeout").format(
                        sql.Identifier(name)))
            after = c.execute(self._ROLE_SNAPSHOT, (name,)).fetchone()
        changed = before != after or (password is not None and password_changed)
        outputs = {k: v for k, v in inputs.items() if k != "password"}
        return {**outputs, "name": name, "passwordDigest": digest}, changed

    def delete_role(self, inputs: dict[str, Any]) -> None:
        name = inputs["name"]
        # Upstream: REASSIGN OWNED + DROP OWNED in the provider's database only, then DROP ROLE.
        with self.conn.connect("postgres") as c:
            if not c.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
                return
            with c.transaction():
                c.execute(sql.SQL("REASSIGN OWNED BY {} TO CURRENT_USER").format(
                    sql.Identifier(name)))
                c.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
                c.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))

    # -- databases, schemas, extensions ------------------------------------------------------
    def database(self, inputs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        name = inputs["name"]
        owner = inputs.get("owner") or self.conn.user
        with self.conn.connect("postgres") as c:
            row = c.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
                            (name,)).fetchone()
            if row is None:
                c.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(name), sql.Identifier(owner)))
                changed = True
            elif row[0] != owner:
                c.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                    sql.Identifier(name), sql.Identifier(owner)))
                changed = True
            else:
                changed = False
        return {**inputs, "name": name, "owner": owner}, changed

    def delete_database(self, inputs: dict[str, Any]) -> None:
        with self.conn.connect("postgres") as c:
            c.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(inputs["name"])))

    def schema(self, inputs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        name, database = inputs["name"], inputs["database"]
        owner = inputs.get("owner") or self.conn.user
        with self.conn.connect(database) as c:
            row = c.execute("SELECT pg_get_userbyid(nspowner) FROM pg_namespace "
                            "WHERE nspname = %s", (name,)).fetchone()
            if row is None:
                c.execute(sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(
                    sql.Identifier(name), sql.Identifier(owner)))
            elif row[0] != owner:
                c.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(
                    sql.Identifier(name), sql.Identifier(owner)))
        return {**inputs, "owner": owner}, row is None or row[0] != owner

    def delete_schema(self, inputs: dict[str, Any]) -> None:
        with self.conn.connect(inputs["database"]) as c:
            c.execute(sql.SQL("DROP SCHEMA IF EXISTS {} {}").format(
                sql.Identifier(inputs["name"]),
                sql.SQL("CASCADE" if inputs.get("dropCascade") else "RESTRICT")))

    def extension(self, inputs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        name, database = inputs["name"], inputs.get("database") or "postgres"
        schema = inputs.get("schema")
        with self.conn.connect(database) as c:
            row = c.execute("SELECT n.nspname, e.extversion FROM pg_extension e JOIN "
                            "pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = %s",
                            (name,)).fetchone()
            changed = False
            if row is None:
                stmt = sql.SQL("CREATE EXTENSION {}").format(sql.Identifier(name))
                if schema:
                    stmt += sql.SQL(" SCHEMA {}").format(sql.Identifier(schema))
                if inputs.get("version"):
                    stmt += sql.SQL(" VERSION {}").format(sql.Literal(inputs["version"]))
                c.execute(stmt)
                changed = True
            elif schema and row[0] != schema:
                c.execute(sql.SQL("ALTER EXTENSION {} SET SCHEMA {}").format(
                    sql.Identifier(name), sql.Identifier(schema)))
                changed = True
            version = c.execute("SELECT extversion FROM pg_extension WHERE extname = %s",
                                (name,)).fetchone()
        return {**inputs, "version": version[0] if version else None}, changed

    def delete_extension(self, inputs: dict[str, Any]) -> None:
        with self.conn.connect(inputs.get("database") or "postgres") as c:
            c.execute(sql.SQL("DROP EXTENSION IF EXISTS {} {}").format(
                sql.Identifier(inputs["name"]),
                sql.SQL("CASCADE" if inputs.get("dropCascade") else "")))

    # -- grants ------------------------------------------------------------------------------
    @staticmethod
    def _grant_target(inputs: dict[str, Any]) -> tuple[sql.Composed, sql.Composed]:
        """(SQL for the object list, SQL for the ACL snapshot) of a Grant."""
        kind = inputs["objectType"]
        if kind == "database":
            return (sql.SQL("DATABASE {}").format(sql.Identifier(inputs["database"])),
                    sql.SQL("SELECT " + _sorted_acl("datacl")
                            + " FROM pg_database WHERE datname = {}").format(
                        sql.Literal(inputs["database"])))
        if kind == "schema":
            return (sql.SQL("SCHEMA {}").format(sql.Identifier(inputs["schema"])),
                    sql.SQL("SELECT " + _sorted_acl("nspacl")
                            + " FROM pg_namespace WHERE nspname = {}").format(
                        sql.Literal(inputs["schema"])))
        if kind in ("table", "sequence") and not inputs.get("objects"):
            return (sql.SQL("ALL {} IN SCHEMA {}").format(
                        sql.SQL(_ALL_IN_SCHEMA[kind]), sql.Identifier(inputs["schema"])),
                    sql.SQL("SELECT string_agg(relname || coalesce("
                            + _sorted_acl("relacl") + ", ''), ';' ORDER BY relname)"
                            " FROM pg_class WHERE relnamespace = "
                            "{}::regnamespace AND relkind = ANY({})").format(
                        sql.Literal(inputs["schema"]), sql.Literal(list(_RELKINDS[kind]))))
        raise ValueError(f"harness: Grant objectType={kind!r} with objects="
                         f"{inputs.get('objects')!r} is not modelled by pgplatform")

    def grant(self, inputs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        target, snapshot = self._grant_target(inputs)
        role = _grantee(inputs["role"])
        privs = list(inputs.get("privileges") or [])
        with self.conn.connect(inputs["database"]) as c:
            before = c.execute(snapshot).fetchone()
            with c.transaction():
                c.execute(sql.SQL("REVOKE ALL PRIVILEGES ON {} FROM {}").format(target, role))
                if privs:
                    c.execute(sql.SQL("GRANT {} ON {} TO {}").format(
                        _privileges(privs), target, role))
            after = c.execute(snapshot).fetchone()
        return dict(inputs), before != after

    def revoke(self, inputs: dict[str, Any]) -> None:
        target, _ = self._grant_target(inputs)
        try:
            with self.conn.connect(inputs["database"]) as c:
                c.execute(sql.SQL("REVOKE ALL PRIVILEGES ON {} FROM {}").format(
                    target, _grantee(inputs["role"])))
        except (psycopg.errors.UndefinedObject, psycopg.errors.InvalidSchemaName,
                psycopg.OperationalError):
            pass  # the object or role is already gone

    def _default_statements(self, inputs: dict[str, Any]) -> tuple[sql.Composed, ...]:
        prefix = sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {}").format(
            sql.Identifier(inputs["owner"]))
        if inputs.get("schema"):
            prefix += sql.SQL(" IN SCHEMA {}").format(sql.Identifier(inputs["schema"]))
        kind = sql.SQL(_DEFAULT_KIND[inputs["objectType"]])
        role = _grantee(inputs["role"])
        revoke = prefix + sql.SQL(" REVOKE ALL ON {} FROM {}").format(kind, role)
        privs = list(inputs.get("privileges") or [])
        if not privs:
            return (revoke,)
        return (revoke, prefix + sql.SQL(" GRANT {} ON {} TO {}").format(
            _privileges(privs), kind, role))

    def default_privileges(self, inputs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        entry = ("coalesce(n.nspname::text, '-') || d.defaclobjtype::text || "
                 + _sorted_acl("d.defaclacl"))
        snapshot = (f"SELECT string_agg({entry}, ';' ORDER BY {entry}) FROM pg_default_acl d "
                    "LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace "
                    "WHERE d.defaclrole = %s::regrole")
        with self.conn.connect(inputs["database"]) as c:
            before = c.execute(snapshot, (inputs["owner"],)).fetchone()
            with c.transaction():
                for stmt in self._default_statements(inputs):
                    c.execute(stmt)
            after = c.execute(snapshot, (inputs["owner"],)).fetchone()
        return dict(inputs), before != after

    def delete_default_privileges(self, inputs: dict[str, Any]) -> None:
        try:
            with self.conn.connect(inputs["database"]) as c:
                c.execute(self._default_statements({**inputs, "privileges": []})[0])
        except (psycopg.errors.UndefinedObject, psycopg.errors.InvalidSchemaName,
                psycopg.OperationalError):
            pass
