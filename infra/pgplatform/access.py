"""Every privilege the platform grants, derived from the model.

The program turns these specs into pulumi-postgresql resources and the verification suite
compares the live catalog against the same specs, so a grant is described exactly once.
Privilege lists are sorted so that the specs compare equal to what the catalog reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from pgplatform.hardening import GRANTABLE, OWNER_NEEDS, DatabaseWalls
from pgplatform.model import (
    EXTENSIONS_SCHEMA,
    MIGRATOR_CONNECTION_LIMIT,
    MONITOR_CONNECTION_LIMIT,
    MONITOR_ROLE,
    REPLICATOR_ROLE,
    WATCHDOG_CONNECTION_LIMIT,
    WATCHDOG_ROLE,
    ConsumerConfig,
    PlatformConfig,
    ServiceConfig,
)

PUBLIC = "public"
DML = ("DELETE", "INSERT", "SELECT", "UPDATE")
SEQUENCE_USE = ("SELECT", "USAGE")
READ = ("SELECT",)
USAGE = ("USAGE",)
CONNECT = ("CONNECT",)
EXECUTE = ("EXECUTE",)
TEMPORARY = ("TEMPORARY",)

# What each service's owner role (so its migrator) holds on the migration bookkeeping of its
# database: its own rows only, through a row-level security policy the runner keeps. No
# DELETE (nor UPDATE, TRUNCATE): any of them would let it LOCK the table IN ACCESS EXCLUSIVE
# MODE and stall every other service's runner; INSERT and SELECT lock nothing another runner
# waits for. A rollback forgets its rows through `FORGET_FUNCTION` (the admin's).
BOOKKEEPING_SCHEMA_PRIVILEGES = USAGE
BOOKKEEPING_TABLE_PRIVILEGES = ("INSERT", "SELECT")
FORGET_FUNCTION = "forget_migrations"
# ... and on the runners' lock table: its row, to lock. FOR UPDATE needs UPDATE on some column:
# only `owner_role`, which the policy keeps equal to the owner, so it cannot rename its row to
# another service's and take that service's lock.
LOCKS_TABLE_PRIVILEGES = ("SELECT", "UPDATE (owner_role)")

RoleKind = Literal["owner", "login", "migrator", "readonly", "consumer", "monitor",
                   "replicator", "watchdog"]
GrantObject = Literal["database", "schema", "table", "sequence", "function"]
DefaultObject = Literal["table", "sequence", "function"]


@dataclass(frozen=True, kw_only=True)
class RoleSpec:
    """One role of the model, as the program creates it (pulumi-postgresql Role) and as
    verification expects to find it."""

    name: str
    kind: RoleKind
    login: bool
    inherit: bool = True
    member_of: tuple[str, ...] = ()
    assume_role: str | None = None
    """The role a session switches to at login (`ALTER ROLE ... SET role`)."""
    connection_limit: int = -1
    statement_timeout_ms: int = 0
    idle_in_transaction_timeout_ms: int = 0
    """Ends a session left idle inside a transaction (its locks held, vacuum held back)."""
    search_path: tuple[str, ...] = ()
    read_only: bool = False
    """Sessions start with `default_transaction_read_only = on` (a first line: what stops
    writes is that the role holds no privilege to write)."""
    replication: bool = False
    """REPLICATION: it may stream the server's WAL (pg_hba lets it do nothing else)."""
    row_security_off: bool = False
    """Sessions start with `row_security = off`: a login that reads another owner's tables
    gets an error from a row-security policy there, instead of running its code
    (`pgplatform.hardening`)."""

    @property
    def settings(self) -> dict[str, str]:
        """Its per-role settings as `pg_roles.rolconfig` reports them (search_path aside)."""
        out: dict[str, str] = {}
        if self.statement_timeout_ms:
            out["statement_timeout"] = str(self.statement_timeout_ms)
        if self.idle_in_transaction_timeout_ms:
            out["idle_in_transaction_session_timeout"] = str(self.idle_in_transaction_timeout_ms)
        if self.assume_role:
            out["role"] = self.assume_role
        if self.read_only:
            out[READ_ONLY_SETTING] = "on"
        if self.row_security_off:
            out[ROW_SECURITY_SETTING] = "off"
        return out


READ_ONLY_SETTING = "default_transaction_read_only"
ROW_SECURITY_SETTING = "row_security"
# Every login's default. PostgreSQL lets any session SET its own timeouts (they are USERSET):
# a role setting is a default a careless client keeps, not a limit a hostile one cannot lift.
IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000


def service_roles(svc: ServiceConfig, reads_others: bool = False) -> tuple[RoleSpec, ...]:
    """`reads_others`: its app login is a declared reader of another service's schemas."""
    path = (*svc.schemas, EXTENSIONS_SCHEMA)
    return (
        RoleSpec(name=svc.owner_role, kind="owner", login=False),
        RoleSpec(name=svc.login_role, kind="login", login=True,
                 connection_limit=svc.connection_limit,
                 statement_timeout_ms=svc.statement_timeout_ms,
                 idle_in_transaction_timeout_ms=IDLE_IN_TRANSACTION_TIMEOUT_MS, search_path=path,
                 row_security_off=reads_others),
        # NOINHERIT: only as the owner (SET ROLE, done at login) does it hold the owner's
        # rights, so whatever it creates belongs to the owner; after RESET ROLE it can
        # create nothing.
        RoleSpec(name=svc.migrator_role, kind="migrator", login=True, inherit=False,
                 member_of=(svc.owner_role,), assume_role=svc.owner_role,
                 connection_limit=MIGRATOR_CONNECTION_LIMIT,
                 idle_in_transaction_timeout_ms=IDLE_IN_TRANSACTION_TIMEOUT_MS, search_path=path),
        RoleSpec(name=svc.readonly_role, kind="readonly", login=True,
                 connection_limit=svc.readonly_connection_limit,
                 statement_timeout_ms=svc.readonly_statement_timeout_ms,
                 idle_in_transaction_timeout_ms=IDLE_IN_TRANSACTION_TIMEOUT_MS, search_path=path,
                 read_only=True),
    )


def consumer_search_path(cfg: PlatformConfig, consumer: ConsumerConfig) -> tuple[str, ...]:
    """The schemas of one owner only: a consumer of several services reaches their tables by
    qualified names, so no owner can shadow another's names with its own (a view named like
    the other service's table, earlier on the path)."""
    own = cfg.schemas_read_by(consumer) if len(consumer.reads) == 1 else ()
    return (*own, EXTENSIONS_SCHEMA)


def consumer_role(cfg: PlatformConfig, consumer: ConsumerConfig) -> RoleSpec:
    return RoleSpec(name=consumer.login_role, kind="consumer", login=True,
                    connection_limit=consumer.connection_limit,
                    statement_timeout_ms=consumer.statement_timeout_ms,
                    idle_in_transaction_timeout_ms=IDLE_IN_TRANSACTION_TIMEOUT_MS,
                    search_path=consumer_search_path(cfg, consumer),
                    read_only=True, row_security_off=True)


MONITOR_STATEMENT_TIMEOUT_MS = 10_000
# Statistics only: server and table statistics, settings, sizes; no table's rows.
MONITOR_MEMBER_OF = ("pg_monitor",)


def monitor_role(cfg: PlatformConfig) -> RoleSpec | None:
    """The Prometheus exporter's login, when the stack runs one."""
    if not cfg.server.exporter_port:
        return None
    return RoleSpec(name=MONITOR_ROLE, kind="monitor", login=True,
                    member_of=MONITOR_MEMBER_OF, connection_limit=MONITOR_CONNECTION_LIMIT,
                    statement_timeout_ms=MONITOR_STATEMENT_TIMEOUT_MS,
                    idle_in_transaction_timeout_ms=IDLE_IN_TRANSACTION_TIMEOUT_MS,
                    read_only=True)


def monitor_grants(cfg: PlatformConfig) -> list[GrantSpec]:
    """CONNECT on every managed database and `postgres`: the exporter reads each database's
    sizes per schema, which only a session in that database can."""
    if not cfg.server.exporter_port:
        return []
    return [GrantSpec(name=f"{database}-monitor-database", role=MONITOR_ROLE,
                      database=database, object_type="database", schema=None,
                      privileges=("CONNECT",))
            for database in ("postgres", *(db.name for db in cfg.databases))]


def replicator_role(cfg: PlatformConfig) -> RoleSpec | None:
    """The replicas' login, when the stack runs any: REPLICATION and nothing else; one
    session per replica, two more while one takes its base backup (data and WAL stream)."""
    if not cfg.server.replicas:
        return None
    return RoleSpec(name=REPLICATOR_ROLE, kind="replicator", login=True, replication=True,
                    connection_limit=cfg.server.replicas + 2,
                    idle_in_transaction_timeout_ms=IDLE_IN_TRANSACTION_TIMEOUT_MS)


WATCHDOG_STATEMENT_TIMEOUT_MS = 10_000
WATCHDOG_DATABASE = "postgres"


def watchdog_role(cfg: PlatformConfig) -> RoleSpec | None:
    """The session watchdog's login: CONNECT on `postgres` and EXECUTE on the one function
    that ends over-limit sessions (pgplatform.session_limits); nothing else, read-only."""
    if not cfg.server.has_watchdog:
        return None
    return RoleSpec(name=WATCHDOG_ROLE, kind="watchdog", login=True,
                    connection_limit=WATCHDOG_CONNECTION_LIMIT,
                    statement_timeout_ms=WATCHDOG_STATEMENT_TIMEOUT_MS,
                    idle_in_transaction_timeout_ms=IDLE_IN_TRANSACTION_TIMEOUT_MS,
                    read_only=True)


def watchdog_grants(cfg: PlatformConfig) -> list[GrantSpec]:
    if not cfg.server.has_watchdog:
        return []
    return [GrantSpec(name=f"{WATCHDOG_DATABASE}-watchdog-database", role=WATCHDOG_ROLE,
                      database=WATCHDOG_DATABASE, object_type="database", schema=None,
                      privileges=CONNECT)]


def roles_of(cfg: PlatformConfig, svc: ServiceConfig) -> tuple[RoleSpec, ...]:
    return service_roles(svc, reads_others=bool(cfg.readable_by(svc.name)))


def all_roles(cfg: PlatformConfig) -> tuple[RoleSpec, ...]:
    monitor, watchdog, replicator = monitor_role(cfg), watchdog_role(cfg), replicator_role(cfg)
    return (*(r for s in cfg.services for r in roles_of(cfg, s)),
            *(consumer_role(cfg, c) for c in cfg.consumers),
            *((monitor,) if monitor else ()), *((watchdog,) if watchdog else ()),
            *((replicator,) if replicator else ()))


class CatalogRow(NamedTuple):
    """The catalog row an ACL resource rewrites: the database's pg_database row, a schema's
    pg_namespace row, the relations of a schema, or an owner's pg_default_acl rows."""

    kind: Literal["database", "schema", "objects", "functions", "default"]
    database: str
    name: str


@dataclass(frozen=True, kw_only=True)
class GrantSpec:
    """One pulumi-postgresql Grant: privileges of `role` on objects of `object_type`.

    For table/sequence grants the target is every object in `schema` (objects=[]); an empty
    `privileges` revokes everything (used for PUBLIC).
    """

    name: str
    role: str
    database: str
    object_type: GrantObject
    schema: str | None
    privileges: tuple[str, ...]
    after_bootstrap: bool = False

    @property
    def catalog_row(self) -> CatalogRow:
        """Grants sharing a row must not run in parallel ("tuple concurrently updated",
        terraform-provider-postgresql#178)."""
        if self.object_type == "database":
            return CatalogRow("database", self.database, "")
        if self.object_type == "schema":
            return CatalogRow("schema", self.database, self.schema or "")
        if self.object_type == "function":
            return CatalogRow("functions", self.database, self.schema or "")
        return CatalogRow("objects", self.database, self.schema or "")


@dataclass(frozen=True, kw_only=True)
class DefaultPrivilegeSpec:
    """Privileges `role` gets on objects that `owner` creates later (in `schema`, or
    database-wide when schema is None)."""

    name: str
    owner: str
    role: str
    database: str
    schema: str | None
    object_type: DefaultObject
    privileges: tuple[str, ...]

    @property
    def catalog_row(self) -> CatalogRow:
        return CatalogRow("default", self.database, self.owner)


# The databases initdb makes, which every role may connect to unless PUBLIC loses CONNECT.
SERVER_DATABASES = ("postgres", "template1")


def server_grants() -> list[GrantSpec]:
    """PUBLIC loses CONNECT/TEMP on the maintenance database and template1: a login reaches
    its own database and nothing else (the admin, a superuser, needs no grant)."""
    return [GrantSpec(name=f"{database}-public-database", role=PUBLIC, database=database,
                      object_type="database", schema=None, privileges=())
            for database in SERVER_DATABASES]


def database_grants(database: str) -> list[GrantSpec]:
    """PUBLIC loses CONNECT/TEMP on the database and USAGE on its `public` schema."""
    return [
        GrantSpec(name=f"{database}-public-database", role=PUBLIC, database=database,
                  object_type="database", schema=None, privileges=()),
        GrantSpec(name=f"{database}-public-schema-public", role=PUBLIC, database=database,
                  object_type="schema", schema="public", privileges=()),
    ]


def per_schema(base: str, svc: ServiceConfig, schema: str) -> str:
    """A per-schema resource name; the primary schema keeps the bare name, as it had when a
    service owned one schema, so that deployed stacks keep their resources."""
    return base if schema == svc.schema else f"{base}-{schema}"


def service_grants(cfg: PlatformConfig, svc: ServiceConfig) -> list[GrantSpec]:
    """Grants on `svc`'s database and schemas: its own roles, then its declared readers."""
    n, db = svc.name, svc.database
    specs = [
        GrantSpec(name=f"{n}-login-connect", role=svc.login_role, database=db,
                  object_type="database", schema=None, privileges=CONNECT),
        # The migrator needs nothing but CONNECT of its own: it works as the owner.
        GrantSpec(name=f"{n}-migrator-connect", role=svc.migrator_role, database=db,
                  object_type="database", schema=None, privileges=CONNECT),
        *_read_grants(f"{n}-readonly", svc.readonly_role, db, svc.schemas),
        # A scratch space private to one session (pg_temp), reached only through the migrator
        # (the owner's one member): verification proves the planner's choices on temporary
        # copies of the service's tables there, never on the live ones. The app and read-only
        # logins get none: a temporary table escapes temp_file_limit.
        GrantSpec(name=f"{n}-owner-temporary", role=svc.owner_role, database=db,
                  object_type="database", schema=None, privileges=TEMPORARY),
        GrantSpec(name=f"{n}-owner-extensions", role=svc.owner_role, database=db,
                  object_type="schema", schema=EXTENSIONS_SCHEMA, privileges=USAGE),
        GrantSpec(name=f"{n}-login-extensions", role=svc.login_role, database=db,
                  object_type="schema", schema=EXTENSIONS_SCHEMA, privileges=USAGE),
    ]
    for schema in svc.schemas:
        specs += [
            GrantSpec(name=per_schema(f"{n}-login-schema", svc, schema), role=svc.login_role,
                      database=db, object_type="schema", schema=schema, privileges=USAGE),
            # Existing objects (e.g. tables a migration adopted from `public`); objects the
            # owner creates later are covered by the default privileges.
            GrantSpec(name=per_schema(f"{n}-login-tables", svc, schema), role=svc.login_role,
                      database=db, object_type="table", schema=schema, privileges=DML,
                      after_bootstrap=True),
            GrantSpec(name=per_schema(f"{n}-login-sequences", svc, schema), role=svc.login_role,
                      database=db, object_type="sequence", schema=schema,
                      privileges=SEQUENCE_USE, after_bootstrap=True),
            # Functions that exist before the default privileges do (kept through `destroy`,
            # or adopted) get the EXECUTE those would have given.
            GrantSpec(name=per_schema(f"{n}-login-functions", svc, schema), role=svc.login_role,
                      database=db, object_type="function", schema=schema,
                      privileges=EXECUTE, after_bootstrap=True),
        ]
    for reader in sorted(svc.readers):
        r = cfg.service(reader)
        for schema in svc.schemas:  # the reader has CONNECT and the extensions of its own
            specs += [
                GrantSpec(name=per_schema(f"{n}-reader-{reader}-schema", svc, schema),
                          role=r.login_role, database=db, object_type="schema", schema=schema,
                          privileges=USAGE),
                GrantSpec(name=per_schema(f"{n}-reader-{reader}-tables", svc, schema),
                          role=r.login_role, database=db, object_type="table", schema=schema,
                          privileges=READ, after_bootstrap=True),
            ]
    return specs


def service_default_privileges(cfg: PlatformConfig, svc: ServiceConfig
                               ) -> list[DefaultPrivilegeSpec]:
    n, db, owner = svc.name, svc.database, svc.owner_role
    specs: list[DefaultPrivilegeSpec] = []
    for schema in svc.schemas:
        specs += [
            DefaultPrivilegeSpec(name=per_schema(f"{n}-default-tables", svc, schema), owner=owner,
                                 role=svc.login_role, database=db, schema=schema,
                                 object_type="table", privileges=DML),
            DefaultPrivilegeSpec(name=per_schema(f"{n}-default-sequences", svc, schema),
                                 owner=owner, role=svc.login_role, database=db, schema=schema,
                                 object_type="sequence", privileges=SEQUENCE_USE),
            DefaultPrivilegeSpec(name=per_schema(f"{n}-default-functions", svc, schema),
                                 owner=owner, role=svc.login_role, database=db, schema=schema,
                                 object_type="function", privileges=EXECUTE),
            DefaultPrivilegeSpec(name=per_schema(f"{n}-default-readonly-tables", svc, schema),
                                 owner=owner, role=svc.readonly_role, database=db,
                                 schema=schema, object_type="table", privileges=READ),
        ]
        for reader in sorted(svc.readers):
            specs.append(DefaultPrivilegeSpec(
                name=per_schema(f"{n}-default-reader-{reader}-tables", svc, schema), owner=owner,
                role=cfg.service(reader).login_role, database=db, schema=schema,
                object_type="table", privileges=READ))
    # Functions are executable by PUBLIC unless the owner's database-wide default says
    # otherwise; schema USAGE already fences them, this keeps the ACLs exact.
    specs.append(DefaultPrivilegeSpec(name=f"{n}-default-functions-public", owner=owner,
                                      role=PUBLIC, database=db, schema=None,
                                      object_type="function", privileges=()))
    return specs


def _read_grants(prefix: str, role: str, database: str, schemas: tuple[str, ...]
                 ) -> list[GrantSpec]:
    """A read-only login's grants: CONNECT, the extensions, USAGE + SELECT on `schemas`."""
    specs = [
        GrantSpec(name=f"{prefix}-connect", role=role, database=database,
                  object_type="database", schema=None, privileges=CONNECT),
        GrantSpec(name=f"{prefix}-extensions", role=role, database=database,
                  object_type="schema", schema=EXTENSIONS_SCHEMA, privileges=USAGE),
    ]
    for schema in schemas:
        specs += [
            GrantSpec(name=f"{prefix}-schema-{schema}", role=role, database=database,
                      object_type="schema", schema=schema, privileges=USAGE),
            GrantSpec(name=f"{prefix}-tables-{schema}", role=role, database=database,
                      object_type="table", schema=schema, privileges=READ,
                      after_bootstrap=True),
        ]
    return specs


def consumer_grants(cfg: PlatformConfig, consumer: ConsumerConfig) -> list[GrantSpec]:
    return _read_grants(f"consumer-{consumer.name}", consumer.login_role, consumer.database,
                        cfg.schemas_read_by(consumer))


def consumer_default_privileges(cfg: PlatformConfig, consumer: ConsumerConfig
                                ) -> list[DefaultPrivilegeSpec]:
    return [DefaultPrivilegeSpec(
                name=per_schema(f"consumer-{consumer.name}-default-{svc.name}-tables", svc, schema),
                owner=svc.owner_role, role=consumer.login_role, database=svc.database,
                schema=schema, object_type="table", privileges=READ)
            for svc in map(cfg.service, consumer.reads) for schema in svc.schemas]


def read_shared_schemas(cfg: PlatformConfig, database: str) -> tuple[str, ...]:
    """The schemas of `database` that logins of another owner read (declared readers,
    consumers): where a row-security policy would run as someone else."""
    read = {name for c in cfg.consumers for name in c.reads}
    return tuple(sorted(schema for svc in cfg.services_in(database)
                        if svc.readers or svc.name in read for schema in svc.schemas))


def database_walls(cfg: PlatformConfig, database: str) -> DatabaseWalls:
    """What `pgplatform.hardening` keeps in `database`: who gets which revoked built-ins back
    (a module's declared needs go to its service's app login and owner; every owner keeps
    what its migrator's backups need), and the read-shared schemas."""
    holders: dict[str, set[str]] = {need: set() for need in GRANTABLE}
    for svc in cfg.services_in(database):
        for need in svc.needs:
            holders[need] |= {svc.login_role, svc.owner_role}
        for need in OWNER_NEEDS:
            holders[need].add(svc.owner_role)
    return DatabaseWalls(database=database,
                         grants={n: tuple(sorted(r)) for n, r in sorted(holders.items()) if r},
                         read_shared=read_shared_schemas(cfg, database))
