"""pulumi-postgresql resources applied through psycopg with the SQL of
cyrilgdn/terraform-provider-postgresql at ff936b9 (v1.27.0, what pulumi-postgresql 3.18
builds from). Each method names the upstream function it imitates; the replace-or-update
decision for each property is in `properties.py`.

Like upstream (`SetMaxIdleConns(0)` in postgresql/config.go), every operation opens its own
connection and closes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from pgplatform.progress import Log

PUBLIC = "public"
_ALL_IN_SCHEMA = {"table": "TABLES", "sequence": "SEQUENCES", "function": "FUNCTIONS"}
_DEFAULT_KIND = {"table": "TABLES", "sequence": "SEQUENCES", "function": "FUNCTIONS",
                 "type": "TYPES", "schema": "SCHEMAS"}
# resource_postgresql_role.go: attribute -> (option when true, option when false, default)
_ROLE_FLAGS = (
    ("superuser", "SUPERUSER", "NOSUPERUSER", False),
    ("createDatabase", "CREATEDB", "NOCREATEDB", False),
    ("createRole", "CREATEROLE", "NOCREATEROLE", False),
    ("inherit", "INHERIT", "NOINHERIT", True),
    ("login", "LOGIN", "NOLOGIN", False),
    ("bypassRowLevelSecurity", "BYPASSRLS", "NOBYPASSRLS", False),
    ("replication", "REPLICATION", "NOREPLICATION", False),
)


@dataclass(frozen=True, kw_only=True)
class Connection:
    host: str
    port: int
    user: str
    password: str
    sslmode: str
    sslrootcert: str | None = None
    """A file path, as lib/pq reads it (postgresql/config.go connParams passes it on)."""
    database: str = "postgres"
    """The provider's own database: where roles and databases are created and dropped."""
    superuser: bool = True
    """The provider's `superuser` setting (provider.go, default true): read by
    readRolePassword only; everything else asks the server whether the login is one."""

    @contextmanager
    def connect(self, database: str | None = None) -> Iterator[psycopg.Connection]:
        with psycopg.connect(host=self.host, port=self.port, user=self.user,
                             password=self.password, dbname=database or self.database,
                             sslmode=self.sslmode, sslrootcert=self.sslrootcert,
                             autocommit=True,
                             connect_timeout=15) as conn:
            yield conn


def _grantee(role: str) -> sql.Composable:
    # Upstream quotes "public", which PostgreSQL's grammar reads as PUBLIC.
    return sql.SQL("PUBLIC") if role == PUBLIC else sql.Identifier(role)


def _privileges(privs: list[str]) -> sql.Composable:
    return sql.SQL(",").join(sql.SQL(p.upper()) for p in privs)


def _int(value: Any, default: int) -> int:
    return default if value is None else int(value)


class HarnessProviderError(RuntimeError):
    """An error upstream's provider itself raises."""


def _scalar(c: psycopg.Connection, query: str, *params: Any) -> Any:
    row = c.execute(query, params).fetchone()
    return None if row is None else row[0]


def _is_superuser(c: psycopg.Connection, role: str) -> bool:
    """helpers.go isSuperuser: rolsuper of `role` (an unknown role is an error upstream)."""
    found = _scalar(c, "SELECT rolsuper FROM pg_roles WHERE rolname = %s", role)
    if found is None:
        raise HarnessProviderError(f"could not check if role {role} is superuser: no rows")
    return bool(found)


def _is_member(c: psycopg.Connection, role: str, member: str) -> bool:
    """helpers.go isMemberOfRole: a direct membership row, with SET on PostgreSQL 16+."""
    return _scalar(c, "SELECT 1 FROM pg_auth_members WHERE pg_get_userbyid(roleid) = %s AND "
                      "pg_get_userbyid(member) = %s AND set_option", role, member) is not None


def _grant_membership(c: psycopg.Connection, role: str, member: str) -> bool:
    """helpers.go grantRoleMembership: GRANT role TO member unless it is the same role or
    already a member."""
    if member == role or _is_member(c, role, member):
        return False
    c.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(member)))
    return True


def _revoke_membership(c: psycopg.Connection, role: str, member: str) -> bool:
    """helpers.go revokeRoleMembership."""
    if member == role or not _is_member(c, role, member):
        return False
    c.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(role), sql.Identifier(member)))
    return True


@contextmanager
def _roles_granted(c: psycopg.Connection, roles: list[str]) -> Iterator[None]:
    """helpers.go withRolesGranted, inside the caller's transaction: a login that is not a
    superuser (RDS, Cloud SQL…) borrows each owner role for the statements only its owner
    may run. Per role (superusers skipped): REVOKE current_user FROM role if that reverse
    membership exists, GRANT role TO current_user unless already a member; afterwards the
    grants are revoked and the reverse memberships given back."""
    current = str(_scalar(c, "SELECT CURRENT_USER"))
    if not roles or _is_superuser(c, current):
        yield
        return
    granted, revoked = [], []
    for role in roles:
        if _is_superuser(c, role):
            continue
        if _revoke_membership(c, current, role):
            revoked.append(role)
        if _grant_membership(c, role, current):
            granted.append(role)
    yield
    for role in granted:
        _revoke_membership(c, role, current)
    for role in revoked:
        if _scalar(c, "SELECT 1 FROM pg_roles WHERE rolname = %s", role) is not None:
            _grant_membership(c, current, role)


def _owner_of(c: psycopg.Connection, catalog: str, name: str) -> str | None:
    query = {"schema": "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s",
             "database": "SELECT datdba::regrole::text FROM pg_database WHERE datname = %s"}
    found = _scalar(c, query[catalog], name)
    return None if found is None else str(found).strip('"')


def _grant_roles(c: psycopg.Connection, inputs: dict[str, Any]) -> list[str]:
    """resource_postgresql_grant.go getRolesToGrant: nothing for a database; for objects in a
    schema the owners of its tables (pg_tables) and the schema's owner, pg_database_owner read
    as the database's owner."""
    if inputs["objectType"] == "database":
        return []
    schema = inputs["schema"]
    owners: list[str] = []
    if inputs["objectType"] != "schema":
        owners = [r[0] for r in c.execute("SELECT DISTINCT tableowner FROM pg_tables "
                                          "WHERE schemaname = %s", (schema,))]
    owner = _owner_of(c, "schema", schema)
    if owner is not None and owner not in owners:
        owners.append(owner)
    database_owner = _owner_of(c, "database", str(_scalar(c, "SELECT current_database()")))
    return [database_owner if o == "pg_database_owner" and database_owner else o
            for o in owners]


class PostgresApplier:
    def __init__(self, conn: Connection, log: Log) -> None:
        self.conn = conn
        self.log = log

    # -- postgresql_role -------------------------------------------------------------------
    def _role_settings(self, c: psycopg.Connection, name: str, inputs: dict[str, Any],
                       old: dict[str, Any] | None) -> None:
        """After CREATE ROLE / the attributes: grantRoles (revokeRoles first on update, every
        time), alterSearchPath (every time), setStatementTimeout,
        setIdleInTransactionSessionTimeout and setAssumeRole (each only when changed)."""
        role = sql.Identifier(name)
        if old is not None:
            for (granted,) in c.execute(
                    "SELECT pg_get_userbyid(roleid) FROM pg_catalog.pg_auth_members members "
                    "JOIN pg_catalog.pg_roles ON members.member = pg_roles.oid "
                    "WHERE rolname = %s", (name,)).fetchall():
                c.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(granted), role))
        for granted in inputs.get("roles") or []:
            c.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(granted), role))
        paths = inputs.get("searchPaths") or []
        if paths:
            c.execute(sql.SQL("ALTER ROLE {} SET search_path TO {}").format(
                role, sql.SQL(", ").join(sql.Identifier(p) for p in paths)))
        else:
            c.execute(sql.SQL("ALTER ROLE {} SET search_path TO DEFAULT").format(role))
        for key, setting in (("statementTimeout", "statement_timeout"),
                             ("idleInTransactionSessionTimeout",
                              "idle_in_transaction_session_timeout")):
            value = _int(inputs.get(key), 0)
            if old is None or value != _int(old.get(key), 0):
                if value:
                    c.execute(sql.SQL("ALTER ROLE {} SET {} TO {}").format(
                        role, sql.Identifier(setting), sql.Literal(value)))
                elif old is not None:
                    c.execute(sql.SQL("ALTER ROLE {} RESET {}").format(
                        role, sql.Identifier(setting)))
        assume = inputs.get("assumeRole") or ""
        if assume != ((old or {}).get("assumeRole") or ""):
            if assume:
                c.execute(sql.SQL("ALTER ROLE {} SET ROLE TO {}").format(
                    role, sql.Identifier(assume)))
            else:
                c.execute(sql.SQL("ALTER ROLE {} RESET ROLE").format(role))

    def create_role(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """resourcePostgreSQLRoleCreate: plain CREATE ROLE (no IF NOT EXISTS), then its
        settings, in one transaction."""
        name = inputs["name"]
        opts: list[sql.Composable] = []
        if inputs.get("password") is not None:
            opts.append(sql.SQL("ENCRYPTED PASSWORD {}").format(sql.Literal(inputs["password"])))
        opts.append(sql.SQL("VALID UNTIL 'infinity'"))
        opts.append(sql.SQL("CONNECTION LIMIT {}").format(
            sql.Literal(_int(inputs.get("connectionLimit"), -1))))
        opts += [sql.SQL(on if inputs.get(key, default) else off)
                 for key, on, off, default in _ROLE_FLAGS]
        with self.conn.connect() as c, c.transaction():
            c.execute(sql.SQL("CREATE ROLE {} WITH {}").format(
                sql.Identifier(name), sql.SQL(" ").join(opts)))
            self._role_settings(c, name, inputs, None)
        self._read_role_password(inputs)
        return self._role_outputs(inputs)

    def _read_role_password(self, inputs: dict[str, Any]) -> None:
        """resource_postgresql_role.go readRolePassword, run by the read after create and
        update: with `superuser` true (the default) it reads pg_shadow, and a login that is
        not a superuser gets upstream's error."""
        if not self.conn.superuser or not inputs.get("login"):
            return
        with self.conn.connect() as c:
            if not _is_superuser(c, self.conn.user):
                raise HarnessProviderError(
                    f"could not read role password from Postgres as connected user "
                    f"{self.conn.user} is not a SUPERUSER. You can set `superuser = false` "
                    "in the provider configuration so it will not try to read the password "
                    "from Postgres")

    def update_role(self, old: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """resourcePostgreSQLRoleUpdate: rename, password, each changed attribute, search_path
        always, statement_timeout when changed; one transaction."""
        name = inputs["name"]
        with self.conn.connect() as c, c.transaction():
            if old["name"] != name:
                c.execute(sql.SQL("ALTER ROLE {} RENAME TO {}").format(
                    sql.Identifier(old["name"]), sql.Identifier(name)))
            role = sql.Identifier(name)
            if inputs.get("password") != old.get("password") or old["name"] != name:
                password = inputs.get("password")
                c.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    role, sql.SQL("NULL") if password is None else sql.Literal(password)))
            for key, on, off, default in _ROLE_FLAGS:
                if inputs.get(key, default) != old.get(key, default):
                    c.execute(sql.SQL("ALTER ROLE {} WITH {}").format(
                        role, sql.SQL(on if inputs.get(key, default) else off)))
            limit = _int(inputs.get("connectionLimit"), -1)
            if limit != _int(old.get("connectionLimit"), -1):
                c.execute(sql.SQL("ALTER ROLE {} WITH CONNECTION LIMIT {}").format(
                    role, sql.Literal(limit)))
            self._role_settings(c, name, inputs, old)
        self._read_role_password(inputs)
        return self._role_outputs(inputs)

    @staticmethod
    def _role_outputs(inputs: dict[str, Any]) -> dict[str, Any]:
        defaults = {key: default for key, _, _, default in _ROLE_FLAGS}
        return {**defaults, "connectionLimit": -1, "encryptedPassword": True,
                "validUntil": "infinity", **inputs}

    def delete_role(self, outputs: dict[str, Any]) -> None:
        """resourcePostgreSQLRoleDelete: REASSIGN OWNED / DROP OWNED in the provider's
        database only (terraform-provider-postgresql#203), with the role itself borrowed
        (withRolesGranted), then DROP ROLE (no IF EXISTS)."""
        role = sql.Identifier(outputs["name"])
        with self.conn.connect() as c, c.transaction():
            with _roles_granted(c, [outputs["name"]]):
                c.execute(sql.SQL("REASSIGN OWNED BY {} TO {}").format(
                    role, sql.Identifier(self.conn.user)))
                c.execute(sql.SQL("DROP OWNED BY {}").format(role))
            c.execute(sql.SQL("DROP ROLE {}").format(role))

    # -- postgresql_database ---------------------------------------------------------------
    def create_database(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """resourcePostgreSQLDatabaseCreate: plain CREATE DATABASE (no IF NOT EXISTS), outside
        a transaction, template0 and UTF8 unless set."""
        out = {"owner": self.conn.user, "template": "template0", "encoding": "UTF8",
               "allowConnections": True, "connectionLimit": -1, "isTemplate": False, **inputs}
        # createDatabase: the owner is granted to the login first (grantRoleMembership,
        # outside a transaction) and revoked afterwards (deferred), superuser or not.
        with self.conn.connect() as c, self._membership(c, out["owner"]):
            c.execute(sql.SQL(
                "CREATE DATABASE {} OWNER {} TEMPLATE {} ENCODING {} ALLOW_CONNECTIONS {} "
                "CONNECTION LIMIT {} IS_TEMPLATE {}").format(
                sql.Identifier(out["name"]), sql.Identifier(out["owner"]),
                sql.Identifier(out["template"]), sql.Literal(out["encoding"]),
                sql.SQL("true" if out["allowConnections"] else "false"),
                sql.Literal(_int(out["connectionLimit"], -1)),
                sql.SQL("true" if out["isTemplate"] else "false")))
        return out

    @contextmanager
    def _membership(self, c: psycopg.Connection, owner: str | None) -> Iterator[None]:
        granted = bool(owner) and _grant_membership(c, str(owner), self.conn.user)
        try:
            yield
        finally:
            if granted:
                _revoke_membership(c, str(owner), self.conn.user)

    def update_database(self, old: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """resourcePostgreSQLDatabaseUpdate: rename and owner in place."""
        out = {**old, **inputs}
        with self.conn.connect() as c:
            if old["name"] != out["name"]:
                c.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(old["name"]), sql.Identifier(out["name"])))
            if old.get("owner") != out["owner"]:
                c.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                    sql.Identifier(out["name"]), sql.Identifier(out["owner"])))
        return out

    def delete_database(self, outputs: dict[str, Any]) -> None:
        """resourcePostgreSQLDatabaseDelete: refuse new connections, end the open ones, DROP
        DATABASE WITH (FORCE) (no IF EXISTS)."""
        db = sql.Identifier(outputs["name"])
        with self.conn.connect() as c, self._membership(c, outputs.get("owner")):
            c.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(db))
            c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", (outputs["name"],))
            c.execute(sql.SQL("DROP DATABASE {} WITH ( FORCE )").format(db))

    # -- postgresql_schema -----------------------------------------------------------------
    def create_schema(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """resourcePostgreSQLSchemaCreate: an existing schema only gets its owner; a missing
        one CREATE SCHEMA IF NOT EXISTS ... AUTHORIZATION; with the database's and the
        schema's owners borrowed (withRolesGranted)."""
        out = {"ifNotExists": True, "dropCascade": False, **inputs}
        name, owner = sql.Identifier(out["name"]), out.get("owner")
        with self.conn.connect(out["database"]) as c, c.transaction(), _roles_granted(
                c, [r for r in (_owner_of(c, "database", out["database"]), owner) if r]):
            exists = c.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                               (out["name"],)).fetchone()
            if exists and owner:
                c.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(
                    name, sql.Identifier(owner)))
            elif not exists:
                stmt = sql.SQL("CREATE SCHEMA IF NOT EXISTS {}" if out["ifNotExists"]
                               else "CREATE SCHEMA {}").format(name)
                if owner:
                    stmt += sql.SQL(" AUTHORIZATION {}").format(sql.Identifier(owner))
                c.execute(stmt)
        return out

    def update_schema(self, old: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """resourcePostgreSQLSchemaUpdate: rename and owner in place."""
        out = {**old, **inputs}
        with self.conn.connect(out["database"]) as c, c.transaction():
            if old["name"] != out["name"]:
                c.execute(sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                    sql.Identifier(old["name"]), sql.Identifier(out["name"])))
            if out.get("owner") and old.get("owner") != out["owner"]:
                c.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(
                    sql.Identifier(out["name"]), sql.Identifier(out["owner"])))
        return out

    def delete_schema(self, outputs: dict[str, Any]) -> None:
        """resourcePostgreSQLSchemaDelete: gone already is fine; else DROP SCHEMA RESTRICT,
        or CASCADE with drop_cascade, with its owner borrowed (withRolesGranted)."""
        with self.conn.connect(outputs["database"]) as c, c.transaction():
            owner = _owner_of(c, "schema", outputs["name"])
            if owner is None:
                return
            with _roles_granted(c, [owner]):
                c.execute(sql.SQL("DROP SCHEMA {} {}").format(
                    sql.Identifier(outputs["name"]),
                    sql.SQL("CASCADE" if outputs.get("dropCascade") else "RESTRICT")))

    # -- postgresql_extension --------------------------------------------------------------
    def create_extension(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """resourcePostgreSQLExtensionCreate: CREATE EXTENSION IF NOT EXISTS (an existing one
        is adopted as it is)."""
        database = inputs.get("database") or self.conn.database
        stmt = sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(inputs["name"]))
        if inputs.get("schema"):
            stmt += sql.SQL(" SCHEMA {}").format(sql.Identifier(inputs["schema"]))
        if inputs.get("version"):
            stmt += sql.SQL(" VERSION {}").format(sql.Identifier(inputs["version"]))
        with self.conn.connect(database) as c:
            c.execute(stmt)
        return self._extension_outputs(inputs, database)

    def update_extension(self, old: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
        """resourcePostgreSQLExtensionUpdate: schema and version in place."""
        database = inputs.get("database") or self.conn.database
        ext = sql.Identifier(inputs["name"])
        with self.conn.connect(database) as c:
            if inputs.get("schema") and inputs["schema"] != old.get("schema"):
                c.execute(sql.SQL("ALTER EXTENSION {} SET SCHEMA {}").format(
                    ext, sql.Identifier(inputs["schema"])))
            if inputs.get("version") and inputs["version"] != old.get("version"):
                c.execute(sql.SQL("ALTER EXTENSION {} UPDATE TO {}").format(
                    ext, sql.Identifier(inputs["version"])))
        return self._extension_outputs(inputs, database)

    def _extension_outputs(self, inputs: dict[str, Any], database: str) -> dict[str, Any]:
        with self.conn.connect(database) as c:
            row = c.execute("SELECT n.nspname, e.extversion FROM pg_extension e JOIN "
                            "pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = %s",
                            (inputs["name"],)).fetchone()
        schema, version = row if row else (inputs.get("schema"), None)
        return {"dropCascade": False, "createCascade": False, **inputs, "database": database,
                "schema": schema, "version": inputs.get("version") or version}

    def delete_extension(self, outputs: dict[str, Any]) -> None:
        """resourcePostgreSQLExtensionDelete: DROP EXTENSION RESTRICT|CASCADE, no IF EXISTS."""
        with self.conn.connect(outputs.get("database") or self.conn.database) as c:
            c.execute(sql.SQL("DROP EXTENSION {} {}").format(
                sql.Identifier(outputs["name"]),
                sql.SQL("CASCADE" if outputs.get("dropCascade") else "RESTRICT")))

    # -- postgresql_grant ------------------------------------------------------------------
    @staticmethod
    def _grant_target(inputs: dict[str, Any]) -> sql.Composed:
        kind = inputs["objectType"]
        if kind == "database":
            return sql.SQL("DATABASE {}").format(sql.Identifier(inputs["database"]))
        if kind == "schema":
            return sql.SQL("SCHEMA {}").format(sql.Identifier(inputs["schema"]))
        if kind in _ALL_IN_SCHEMA and not inputs.get("objects"):
            return sql.SQL("ALL {} IN SCHEMA {}").format(
                sql.SQL(_ALL_IN_SCHEMA[kind]), sql.Identifier(inputs["schema"]))
        raise ValueError(f"harness: Grant objectType={kind!r} with objects="
                         f"{inputs.get('objects')!r} is not modelled: pgplatform does not use it")

    def grant(self, inputs: dict[str, Any], revoking: dict[str, Any] | None = None
              ) -> dict[str, Any]:
        """resourcePostgreSQLGrantCreate / Update: REVOKE ALL (on update, of the old values),
        then GRANT, in one transaction in the target database, with the objects' owners
        borrowed (withRolesGranted, getRolesToGrant)."""
        before = revoking or inputs
        privs = list(inputs.get("privileges") or [])
        with self.conn.connect(inputs["database"]) as c, c.transaction(), _roles_granted(
                c, _grant_roles(c, inputs)):
            c.execute(sql.SQL("REVOKE ALL PRIVILEGES ON {} FROM {}").format(
                self._grant_target(before), _grantee(before["role"])))
            if privs:
                c.execute(sql.SQL("GRANT {} ON {} TO {}").format(
                    _privileges(privs), self._grant_target(inputs), _grantee(inputs["role"])))
        return {"withGrantOption": False, **inputs}

    def revoke(self, outputs: dict[str, Any]) -> None:
        """resourcePostgreSQLGrantDelete: the REVOKE only."""
        with self.conn.connect(outputs["database"]) as c, c.transaction(), _roles_granted(
                c, _grant_roles(c, outputs)):
            c.execute(sql.SQL("REVOKE ALL PRIVILEGES ON {} FROM {}").format(
                self._grant_target(outputs), _grantee(outputs["role"])))

    # -- postgresql_default_privileges -----------------------------------------------------
    @staticmethod
    def _default_prefix(inputs: dict[str, Any]) -> sql.Composed:
        prefix = sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {}").format(
            sql.Identifier(inputs["owner"]))
        if inputs.get("schema"):
            prefix += sql.SQL(" IN SCHEMA {}").format(sql.Identifier(inputs["schema"]))
        return prefix

    def default_privileges(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """resourcePostgreSQLDefaultPrivilegesCreate (also its Update): REVOKE ALL, then GRANT
        the list, in one transaction, with the owner borrowed (withRolesGranted)."""
        kind = sql.SQL(_DEFAULT_KIND[inputs["objectType"]])
        role, prefix = _grantee(inputs["role"]), self._default_prefix(inputs)
        privs = list(inputs.get("privileges") or [])
        with self.conn.connect(inputs["database"]) as c, c.transaction(), _roles_granted(
                c, [inputs["owner"]]):
            c.execute(prefix + sql.SQL(" REVOKE ALL ON {} FROM {}").format(kind, role))
            if privs:
                c.execute(prefix + sql.SQL(" GRANT {} ON {} TO {}").format(
                    _privileges(privs), kind, role))
        return {"withGrantOption": False, **inputs}

    def delete_default_privileges(self, outputs: dict[str, Any]) -> None:
        """resourcePostgreSQLDefaultPrivilegesDelete: REVOKE ALL only (a database-wide revoke
        from PUBLIC therefore leaves its pg_default_acl row behind)."""
        kind = sql.SQL(_DEFAULT_KIND[outputs["objectType"]])
        with self.conn.connect(outputs["database"]) as c, c.transaction(), _roles_granted(
                c, [outputs["owner"]]):
            c.execute(self._default_prefix(outputs) + sql.SQL(" REVOKE ALL ON {} FROM {}").format(
                kind, _grantee(outputs["role"])))
