"""The typed platform model, built from a stack's `pgplatform:*` values.

`stack_config` reads those values (Pulumi config or a stack file) and hands them to
`from_mapping`; everything else (program, harness, verification, tools) receives the resulting
`PlatformConfig`. Validation gathers every problem and raises one `ConfigError` that lists them
all, each naming its key, before any resource exists.
"""

from __future__ import annotations

import ipaddress
import re
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pgplatform import modules, paths, server_settings

NAMESPACE = "pgplatform"
KEYS = ("server", "databases", "services", "consumers", "adminPassword")
"""The keys of the namespace; `adminPassword` is a secret."""
MAX_IDENTIFIER_BYTES = 63
OWNER_SUFFIX = "_owner"
LOGIN_SUFFIX = "_app"
MIGRATOR_SUFFIX = "_migrator"
READONLY_SUFFIX = "_readonly"
CONSUMER_SUFFIX = "_consumer"
ROLE_SUFFIXES = (OWNER_SUFFIX, LOGIN_SUFFIX, MIGRATOR_SUFFIX, READONLY_SUFFIX)
# A migrator runs one migration tool at a time: the bundle's runner holds two sessions (the
# migrations' and the lock's), a tool like Alembic one or two more.
MIGRATOR_CONNECTION_LIMIT = 4
DEFAULT_IMAGE = "pgvector/pgvector:pg17"
BUILD_IMAGE = "build"
BUILT_IMAGE_NAME = "pgplatform/postgres:17"
DATA_DIR = "/var/lib/postgresql/data"
EXTENSIONS_SCHEMA = "extensions"
# Each managed database's migration bookkeeping (`schema_migrations`), owned by the admin.
BOOKKEEPING_SCHEMA = "pgplatform"
BOOKKEEPING_SCHEMA_LOCK = 0x7067706C_00000002
"""Taken (transaction-level advisory lock) by every step that grants on the bookkeeping schema
of `postgres`: the engine runs them in parallel, and two ACL rewrites of one pg_namespace row
fail with "tuple concurrently updated"."""
# The Prometheus exporter's login: pg_monitor's statistics and CONNECT, nothing else.
MONITOR_ROLE = "pgplatform_monitor"
# The exporter holds a few sessions (one per database it discovers, reused).
MONITOR_CONNECTION_LIMIT = 10
# The session watchdog's login (pgplatform.session_limits): one session, and one to spare.
WATCHDOG_ROLE = "pgplatform_watchdog"
WATCHDOG_CONNECTION_LIMIT = 2
WATCHDOG_PERIOD_S = 5
"""How often it ends the sessions over their login's limits: a limit lifted with SET holds
to within this."""
EXPORTER_PORT = 9187
DEFAULT_EXPORTER_HOST_PORT = 19187
POOLER_PORT = 6432
DEFAULT_POOLER_HOST_PORT = 16432
POOLER_METRICS_PORT = 9127
POOLER_CONSOLE = "pgbouncer"
"""PgBouncer's admin console database: the monitor login reads its SHOW commands there."""
# PgBouncer's own default client limit is 100; a service behind the pooler is expected to have
# many more clients than server connections.
DEFAULT_POOLER_MAX_CLIENTS = 1000
DEFAULT_POOL_SIZE = 10
POOLER_HBA_KEYWORDS = frozenset({"all", "replication", "sameuser", "samerole", "samegroup"})
# Streaming replicas: their login (REPLICATION, nothing else), and how many a stack may run.
REPLICATOR_ROLE = "pgplatform_replicator"
MAX_REPLICAS = 5
READ_FROM = ("primary", "replica")

# Extensions shipped by postgresql-17 (contrib) and postgresql-17-pgvector, on both images.
KNOWN_EXTENSIONS = frozenset(
    {
        "vector", "pg_trgm", "btree_gin", "btree_gist", "pgcrypto", "citext", "uuid-ossp",
        "hstore", "unaccent", "fuzzystrmatch", "ltree", "intarray", "tablefunc",
        "pg_stat_statements",
    }
)
RESERVED_DATABASES = frozenset({"postgres", "template0", "template1"})
# `extensions` holds the extensions of every managed database; no service may own it.
# `public` may be taken by one service per database (clients hard-wired to it: seed 000's MCP
# server, mem0, seed 004's backend).
PUBLIC_SCHEMA = "public"
RESERVED_SCHEMAS = frozenset({"information_schema", EXTENSIONS_SCHEMA, BOOKKEEPING_SCHEMA})
RESERVED_ROLES = frozenset({"postgres", "public"})
DEFAULT_SETTINGS: Mapping[str, str] = {
    "shared_buffers": "256MB",
    "work_mem": "16MB",
    "maintenance_work_mem": "256MB",
    "max_connections": "200",
    # Per session, and only the admin may change it: a login that lifts its own work_mem
    # still cannot fill the data volume's disk with one sort's temporary files.
    "temp_file_limit": "5GB",
}

STATEMENT_STATS = "pg_stat_statements"
"""Preloaded on every container, its extension in `postgres`'s bookkeeping schema
(`pgplatform.statement_stats`)."""
STATUS_LOG_PREFIX = "%m [%p] user=%u db=%d host=%h "
"""Every server log line names the role and database (`scripts/status` counts denied access
from them); never the statement text's parameters, so no password."""
BUNDLE_SETTINGS: Mapping[str, str] = {"log_line_prefix": STATUS_LOG_PREFIX}
"""Settings the bundle sets itself, over any default (refused in `server.settings`)."""

# Used with fullmatch: `$` would also accept a trailing newline.
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_DIGITS = re.compile(r"[0-9]+")


class ConfigError(ValueError):
    """Every problem found in a stack's config, sorted, one per line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = sorted(problems)
        super().__init__(
            "config: invalid stack configuration:\n" + "\n".join(f"  - {p}" for p in self.problems)
        )


SERVER_MODES = ("container", "external")
EXTERNAL_SSLMODES = ("verify-full", "verify-ca")
# Keys of `server` that describe the container: an external server has none of them.
CONTAINER_KEYS = ("image", "containerName", "volumeName", "networkName", "bindAddress",
                  "hostPort", "memoryMb", "shmSizeMb", "settings", "exporter", "pooler",
                  "allowVolumeDeletion", "production", "replicas", "replicaHostPort", "pitr")


@dataclass(frozen=True, kw_only=True)
class ExternalServer:
    """A PostgreSQL the bundle does not run (a managed RDS, Cloud SQL, Azure, Supabase, Neon
    server): reached at `host:port`, verified by `ca_cert` (PEM), administered by a login that
    has CREATEROLE and CREATEDB but is not a superuser."""

    host: str
    port: int
    sslmode: str
    ca_cert: str
    provider_roles: tuple[str, ...] = ()
    """Roles the provider keeps on the server (rdsadmin, cloudsqlsuperuser…): verification
    tolerates them and their memberships among themselves, nothing of the stack's."""


@dataclass(frozen=True, kw_only=True)
class PoolerConfig:
    """PgBouncer in front of the server: transaction pooling, one pool per service's app
    login, sized by the service's `poolSize`."""

    host_port: int
    max_client_connections: int = DEFAULT_POOLER_MAX_CLIENTS
    metrics_port: int | None = None
    """Where PgBouncer's figures are published for Prometheus (on bindAddress), read from its
    console by the exporter's monitor login; None: not published."""


PITR_KEYS = ("enabled", "retentionFull", "archiveTimeoutSeconds", "maxBackupAgeHours")
DEFAULT_PITR_RETENTION_FULL = 2
DEFAULT_ARCHIVE_TIMEOUT_S = 60
# A daily backup job, with two hours to spare before status calls the newest one overdue.
DEFAULT_MAX_BACKUP_AGE_H = 26


@dataclass(frozen=True, kw_only=True)
class PitrConfig:
    """Continuous WAL archiving and base backups (pgBackRest) into the stack's own repository
    volume: the server can be restored to any moment since the oldest kept full backup."""

    retention_full: int = DEFAULT_PITR_RETENTION_FULL
    """Full backups kept (each with the diff/incr backups and WAL that depend on it)."""
    archive_timeout_s: int = DEFAULT_ARCHIVE_TIMEOUT_S
    """A WAL segment is closed and archived at least this often when anything was written:
    the most committed time a lost data volume can take with it."""
    max_backup_age_h: int = DEFAULT_MAX_BACKUP_AGE_H
    """`scripts/status` fails when the newest backup is older (the backup job stopped)."""


@dataclass(frozen=True, kw_only=True)
class ServerConfig:
    image: str
    container_name: str
    volume_name: str
    network_name: str
    """The server's own Docker network: no other container shares it unless the bundle puts it
    there, and the host reaches the server through its gateway."""
    bind_address: str
    host_port: int
    admin_user: str
    memory_mb: int
    shm_size_mb: int
    settings: Mapping[str, str]
    allow_volume_deletion: bool
    production: bool
    exporter_port: int | None = None
    """Where the Prometheus exporter is published (on bindAddress); None: no exporter."""
    pooler: PoolerConfig | None = None
    """The connection pooler, published on bindAddress; None: no pooler."""
    external: ExternalServer | None = None
    """`server.mode: external`: no image, volume, network or container; the other fields
    keep their defaults and describe nothing."""
    replicas: int = 0
    """Streaming replicas of the container, each its own container and volume."""
    replica_host_port: int = 0
    """Where replica i is published: this port + i (on bindAddress)."""
    pitr: PitrConfig | None = None
    """WAL archiving and base backups (pgBackRest); None: none."""

    @property
    def pitr_volume(self) -> str:
        """The pgBackRest repository's volume: kept and protected like the data volume."""
        return f"{self.volume_name}-pitr"

    @property
    def replaced_data_prefix(self) -> str:
        """`scripts/restore --server` keeps the data it replaces in a volume named this and
        the UTC time."""
        return f"{self.volume_name}-before-restore-"

    def replica_name(self, i: int) -> str:
        return f"{self.container_name}-replica-{i}"

    def replica_volume(self, i: int) -> str:
        return f"{self.volume_name}-replica-{i}"

    def replica_slot(self, i: int) -> str:
        """The physical replication slot that keeps the WAL replica i has not replayed."""
        return f"pgplatform_replica_{i}"

    def replica_port(self, i: int) -> int:
        return self.replica_host_port + i

    @property
    def is_external(self) -> bool:
        return self.external is not None

    @property
    def sslmode(self) -> str:
        return self.external.sslmode if self.external else "verify-full"

    @property
    def pooler_name(self) -> str:
        return f"{self.container_name}-pooler"

    @property
    def pooler_metrics_name(self) -> str:
        return f"{self.container_name}-pooler-metrics"

    @property
    def pooler_metrics_port(self) -> int | None:
        return self.pooler.metrics_port if self.pooler else None

    @property
    def exporter_name(self) -> str:
        return f"{self.container_name}-exporter"

    @property
    def published_ports(self) -> dict[int, str]:
        """Every port the stack publishes on bindAddress -> what listens there."""
        ports = {self.host_port: "server",
                 **{self.replica_port(i): f"replica {i}" for i in range(self.replicas)}}
        if self.pooler is not None:
            ports[self.pooler.host_port] = "pooler"
        if self.pooler_metrics_port:
            ports[self.pooler_metrics_port] = "pooler metrics"
        if self.exporter_port:
            ports[self.exporter_port] = "exporter"
        return ports

    @property
    def watchdog_name(self) -> str:
        return f"{self.container_name}-watchdog"

    @property
    def has_watchdog(self) -> bool:
        """The session watchdog runs beside every container the bundle runs (a managed
        server's admin may not end other logins' sessions)."""
        return not self.is_external

    @property
    def metrics_url(self) -> str:
        """The exporter's endpoint ("" without one)."""
        return self._published_url(self.exporter_port)

    @property
    def pooler_metrics_url(self) -> str:
        """The pooler's metrics endpoint ("" without one)."""
        return self._published_url(self.pooler_metrics_port)

    def _published_url(self, port: int | None) -> str:
        if not port:
            return ""
        host = f"[{self.connect_host}]" if ":" in self.connect_host else self.connect_host
        return f"http://{host}:{port}/metrics"

    @property
    def builds_image(self) -> bool:
        return self.image == BUILD_IMAGE

    @property
    def image_name(self) -> str:
        return BUILT_IMAGE_NAME if self.builds_image else self.image

    @property
    def connect_host(self) -> str:
        """Where clients reach the server: the address the container is published on (never
        every interface: validation refuses that), or the external server's host."""
        return self.external.host if self.external else self.bind_address

    @property
    def tls_ip_addresses(self) -> tuple[str, ...]:
        """The server certificate's IP SANs: the address clients verify it by (verify-full
        matches an IP host against IP SANs only)."""
        return (self.connect_host,)

    @property
    def tls_dns_names(self) -> tuple[str, ...]:
        return self.tls_dns_names_of(self.container_name)

    def tls_dns_names_of(self, container: str) -> tuple[str, ...]:
        """A published container's DNS SANs: its name, for containers on the server's
        network; `localhost` when it is published on loopback."""
        loopback = ipaddress.ip_address(self.bind_address).is_loopback
        return (container, *(("localhost",) if loopback else ()))

    @property
    def restart_settings(self) -> dict[str, str]:
        """Settings PostgreSQL reads only at start: on the container's command line, so a
        change replaces the container."""
        return {n: v for n, v in self.settings.items() if server_settings.needs_restart(n)}

    @property
    def reload_settings(self) -> dict[str, str]:
        """The others: `ALTER SYSTEM` and a reload (`ServerSettings`), no restart. On the
        command line they would override ALTER SYSTEM and need a new container."""
        return {n: v for n, v in self.settings.items() if not server_settings.needs_restart(n)}

    def command(self) -> list[str]:
        args = ["postgres"]
        for name, value in sorted(self.restart_settings.items()):
            args += ["-c", f"{name}={value}"]
        return args


BACKUP_PRIORITIES = ("critical", "important")
# Backup sets kept per priority unless the database says (seed 000: flipsync is critical,
# the agents' database important but not critical).
DEFAULT_BACKUP_KEEP = {"critical": 30, "important": 7}


@dataclass(frozen=True, kw_only=True)
class BackupPolicy:
    priority: str = "important"
    keep: int = DEFAULT_BACKUP_KEEP["important"]
    """How many backup sets keep this database's dumps (`scripts/backup --root` prunes)."""


@dataclass(frozen=True, kw_only=True)
class DatabaseConfig:
    name: str
    extensions: tuple[str, ...]
    backup: BackupPolicy = BackupPolicy()


@dataclass(frozen=True, kw_only=True)
class ServiceConfig:
    name: str
    database: str
    schemas: tuple[str, ...]
    """Every schema it owns, one set of identities for all; the first is its primary schema."""
    module: str
    readers: tuple[str, ...] = ()
    connection_limit: int = 20
    statement_timeout_ms: int = 30_000
    readonly_connection_limit: int = 10
    readonly_statement_timeout_ms: int = 15_000
    pool_size: int = DEFAULT_POOL_SIZE
    """Server connections the pooler keeps for its app login (at most its connectionLimit)."""
    read_from: str = "primary"
    """Where `readonly_dsn` points: the primary, or the stack's replicas."""
    pooler_client_limit: int | None = None
    """Clients its app login may have at once through the pooler (`poolerClientLimit`); None:
    an equal share of the pooler's maxClientConnections (`pgplatform.pooler`)."""
    needs: frozenset[str] = frozenset()
    """Built-ins its module needs back (`pgplatform.hardening`), from its module.toml."""

    @property
    def schema(self) -> str:
        """The primary schema: first on every search path, where unqualified names land."""
        return self.schemas[0]

    @property
    def owner_role(self) -> str:
        """NOLOGIN; owns its schemas and every object in them."""
        return self.name + OWNER_SUFFIX

    @property
    def login_role(self) -> str:
        """The application's login: DML on the schema."""
        return self.name + LOGIN_SUFFIX

    @property
    def migrator_role(self) -> str:
        """The migration tools' login: becomes the owner role at login (DDL in the schema)."""
        return self.name + MIGRATOR_SUFFIX

    @property
    def readonly_role(self) -> str:
        """A read-only login: SELECT on the schema, read-only transactions."""
        return self.name + READONLY_SUFFIX

    @property
    def roles(self) -> tuple[str, ...]:
        return (self.owner_role, self.login_role, self.migrator_role, self.readonly_role)

    @property
    def connection_limits(self) -> int:
        """What its logins may hold at once: app, read-only and migrator."""
        return self.connection_limit + self.readonly_connection_limit + MIGRATOR_CONNECTION_LIMIT


@dataclass(frozen=True, kw_only=True)
class ConsumerConfig:
    """A read-only login for a tool that is not a service (an MCP server, a dashboard):
    confined to one database and the schemas of the services it reads."""

    name: str
    database: str
    reads: tuple[str, ...]
    connection_limit: int = 5
    statement_timeout_ms: int = 15_000
    read_from: str = "primary"
    """Where its DSN points: the primary, or the stack's replicas."""

    @property
    def login_role(self) -> str:
        return self.name + CONSUMER_SUFFIX


@dataclass(frozen=True)
class SecretValue:
    """A config value Pulumi keeps encrypted. `plaintext` is None where it cannot be decrypted
    (a stack file's `secure:` value read without the engine)."""

    plaintext: str | None = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class PlatformConfig:
    stack: str
    server: ServerConfig
    databases: tuple[DatabaseConfig, ...]
    services: tuple[ServiceConfig, ...]
    consumers: tuple[ConsumerConfig, ...] = ()
    admin_password: SecretValue | None = None
    """The superuser's password if the stack sets one; otherwise the program generates one."""
    sql_root: Path = paths.SQL_ROOT

    @property
    def keeps_data(self) -> bool:
        """`pulumi destroy` leaves the data (volume, roles, databases, schemas, extensions)."""
        return not self.server.allow_volume_deletion

    def service(self, name: str) -> ServiceConfig:
        return next(s for s in self.services if s.name == name)

    def database(self, name: str) -> DatabaseConfig:
        return next(d for d in self.databases if d.name == name)

    def services_in(self, database: str) -> tuple[ServiceConfig, ...]:
        return tuple(s for s in self.services if s.database == database)

    def readable_by(self, reader: str) -> tuple[ServiceConfig, ...]:
        """Services whose schema `reader` may read (declared on the read service)."""
        return tuple(s for s in self.services if reader in s.readers)

    def consumers_of(self, service: str) -> tuple[ConsumerConfig, ...]:
        return tuple(c for c in self.consumers if service in c.reads)

    def schemas_read_by(self, consumer: ConsumerConfig) -> tuple[str, ...]:
        return tuple(schema for s in consumer.reads for schema in self.service(s).schemas)

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role the model creates, services' then consumers', then the exporter's."""
        return (*(r for s in self.services for r in s.roles),
                *(c.login_role for c in self.consumers),
                *((MONITOR_ROLE,) if self.server.exporter_port else ()),
                *((WATCHDOG_ROLE,) if self.server.has_watchdog else ()),
                *((REPLICATOR_ROLE,) if self.server.replicas else ()))


def _int(raw: Any, key: str, problems: list[str], *, lo: int, hi: int) -> int:
    # ASCII digits only: str.isdigit() also accepts '²', which int() refuses.
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not _DIGITS.fullmatch(
            str(raw)):
        problems.append(f"{key}: {raw!r} is not a whole number. Fix: use an integer {lo}..{hi}")
        return lo
    value = int(raw)
    if not lo <= value <= hi:
        problems.append(f"{key}: {value} is outside {lo}..{hi}. Fix: use a value in that range")
    return value


def _bool(raw: Any, key: str, problems: list[str]) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    problems.append(f"{key}: {raw!r} is not true/false")
    return False


def check_identifier(value: Any, key: str, problems: list[str], *, max_bytes: int) -> str:
    if not isinstance(value, str) or not value:
        problems.append(f"{key}: missing or not a string. Fix: set a lowercase identifier")
        return ""
    if not _IDENTIFIER.fullmatch(value):
        problems.append(
            f"{key}: {value!r} is not a valid identifier. Fix: use lowercase letters, digits "
            "and '_', starting with a letter or '_'"
        )
    elif len(value.encode()) > max_bytes:
        problems.append(
            f"{key}: {value!r} is {len(value.encode())} bytes, over the {max_bytes}-byte limit"
            + (" (PostgreSQL truncates identifiers at 63 bytes)" if max_bytes == 63 else
               " (its role names add a suffix and must fit 63 bytes)")
        )
    elif value.startswith("pg_"):
        problems.append(f"{key}: {value!r} is reserved: the pg_ prefix belongs to PostgreSQL")
    return value


def _server(raw: Any, stack: str, problems: list[str]) -> ServerConfig:
    key = f"{NAMESPACE}:server"
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        problems.append(f"{key}: must be a mapping")
        raw = {}
    known = {
        "image", "containerName", "volumeName", "networkName", "bindAddress", "hostPort",
        "adminUser", "memoryMb", "exporter", "pooler", "shmSizeMb", "settings",
        "allowVolumeDeletion", "production", "mode", "host", "port", "sslmode", "caCert",
        "providerRoles", "replicas", "replicaHostPort", "pitr",
    }
    for unknown in sorted(set(raw) - known):
        problems.append(f"{key}.{unknown}: unknown key. Fix: use one of {sorted(known)}")
    mode = raw.get("mode", "container")
    if mode not in SERVER_MODES:
        problems.append(f"{key}.mode: {mode!r} is not a server mode. Fix: use one of "
                        f"{list(SERVER_MODES)}")
    if mode == "external":
        return _external(raw, key, problems)
    for external_only in sorted({"host", "port", "sslmode", "caCert", "providerRoles"}
                                & set(raw)):
        problems.append(f"{key}.{external_only}: only for an external server. Fix: remove it, "
                        "or set mode: external")

    image = raw.get("image", DEFAULT_IMAGE)
    if not isinstance(image, str) or not image.strip():
        problems.append(f"{key}.image: must be an image reference or 'build'")
        image = DEFAULT_IMAGE
    bind = str(raw.get("bindAddress", "127.0.0.1"))
    try:
        address = ipaddress.ip_address(bind)
    except ValueError:
        problems.append(f"{key}.bindAddress: {bind!r} is not an IP address")
    else:
        bind = str(address)  # one spelling: '::0' is '::', '0:0::1' is '::1'
        if address.is_unspecified:
            problems.append(
                f"{key}.bindAddress: {bind!r} publishes the server on every interface. Fix: "
                "use 127.0.0.1 (the default) or one address of this host")
    port = _int(raw.get("hostPort", 15432), f"{key}.hostPort", problems, lo=1, hi=65535)
    admin = check_identifier(
        raw.get("adminUser", "postgres"), f"{key}.adminUser", problems, max_bytes=63
    )
    if admin in RESERVED_ROLES - {"postgres"}:
        problems.append(f"{key}.adminUser: {admin!r} is reserved (PostgreSQL reads it as "
                        "PUBLIC). Fix: use postgres or another name")
    names = {}
    for name_key, default in (("containerName", f"pgplatform-{stack}"),
                              ("volumeName", f"pgplatform-{stack}-data"),
                              ("networkName", f"pgplatform-{stack}-net")):
        value = raw.get(name_key, default)
        if not isinstance(value, str) or not re.match(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$", value):
            problems.append(f"{key}.{name_key}: {value!r} is not a valid Docker name")
        names[name_key] = str(value)

    settings_raw = raw.get("settings", {})
    if not isinstance(settings_raw, Mapping):
        problems.append(f"{key}.settings: must be a mapping of PostgreSQL setting -> value")
        settings_raw = {}
    settings = dict(DEFAULT_SETTINGS)
    for name, value in settings_raw.items():
        if isinstance(value, bool):  # YAML's true/false for PostgreSQL's on/off
            value = "on" if value else "off"
        if not isinstance(value, (str, int, float)):
            problems.append(f"{key}.settings.{name}: value must be a string or number")
            continue
        refused = server_settings.problem(str(name), str(value))
        if refused:
            problems.append(f"{key}.settings.{name}: {refused}")
            continue
        settings[str(name)] = str(value)
    settings.update(BUNDLE_SETTINGS)
    # Per-service load (`scripts/status`, the exporter) comes from pg_stat_statements, which
    # only a preloaded library collects; a stack's own libraries (auto_explain) stay.
    libraries = [x.strip() for x in settings.get("shared_preload_libraries", "").split(",")
                 if x.strip()]
    settings["shared_preload_libraries"] = ",".join(
        dict.fromkeys([STATEMENT_STATS, *libraries]))
    _int(settings["max_connections"], f"{key}.settings.max_connections", problems, lo=10, hi=10000)

    # Every value left here passed server_settings.problem, so it parses.
    mwm = server_settings.size_in_bytes("maintenance_work_mem",
                                        settings["maintenance_work_mem"]) or 0
    # A parallel HNSW build allocates maintenance_work_mem in /dev/shm (64 MB by default).
    shm_default = max(256, mwm // 1024**2 + 64)
    shm = _int(raw.get("shmSizeMb", shm_default), f"{key}.shmSizeMb", problems, lo=64, hi=1 << 20)
    if shm * 1024**2 < mwm:
        problems.append(
            f"{key}.shmSizeMb: {shm} MB is below maintenance_work_mem "
            f"({settings['maintenance_work_mem']}); parallel index builds would fail. "
            "Fix: raise shmSizeMb or lower maintenance_work_mem"
        )
    memory = _int(raw.get("memoryMb", 2048), f"{key}.memoryMb", problems, lo=256, hi=1 << 22)
    shared = server_settings.size_in_bytes("shared_buffers", settings["shared_buffers"]) or 0
    if shared > memory * 1024**2 // 2:
        problems.append(
            f"{key}.settings.shared_buffers: {settings['shared_buffers']} exceeds half of "
            f"memoryMb ({memory} MB). Fix: lower shared_buffers or raise memoryMb"
        )
    allow_deletion = _bool(raw.get("allowVolumeDeletion", False), f"{key}.allowVolumeDeletion",
                           problems)
    production = _bool(raw.get("production", False), f"{key}.production", problems)
    exporter_port = _exporter(raw.get("exporter"), f"{key}.exporter", port, problems)
    pooler = _pooler(raw.get("pooler"), f"{key}.pooler", {port, exporter_port}, problems)
    replicas = _int(raw.get("replicas", 0), f"{key}.replicas", problems, lo=0, hi=MAX_REPLICAS)
    replica_port = _int(raw.get("replicaHostPort", port + 1), f"{key}.replicaHostPort",
                        problems, lo=1, hi=65535 - MAX_REPLICAS)
    if pooler is not None and pooler.metrics_port and not exporter_port:
        problems.append(f"{key}.pooler.metricsPort: the pooler's figures are read by the "
                        "exporter's monitor login, and the stack runs no exporter. Fix: enable "
                        f"{key}.exporter or remove metricsPort")
    taken = {port, exporter_port, *((pooler.host_port, pooler.metrics_port) if pooler else ())}
    clash = sorted(p for p in range(replica_port, replica_port + replicas) if p in taken)
    if clash:
        problems.append(f"{key}.replicaHostPort: the replicas' ports {replica_port}.."
                        f"{replica_port + replicas - 1} include {clash}, the server's, the "
                        "exporter's or the pooler's. Fix: choose another replicaHostPort")
    if production and allow_deletion:
        problems.append(
            f"{key}.allowVolumeDeletion: true in a production stack would leave its data volume "
            "unprotected, deletable by `pulumi destroy`. Fix: remove allowVolumeDeletion; to "
            "retire a production stack, back up, set production: false in one deploy, then "
            "allowVolumeDeletion: true in the next")
    pitr = _pitr(raw.get("pitr"), f"{key}.pitr", image=image, admin=admin, problems=problems)
    if pitr is not None:
        if "archive_timeout" in settings_raw:
            problems.append(f"{key}.settings.archive_timeout: the stack archives WAL "
                            "(server.pitr), whose archiveTimeoutSeconds sets it. Fix: remove it "
                            "and set server.pitr.archiveTimeoutSeconds")
        # A reloadable setting: applied in place and checked by verification like any other.
        settings["archive_timeout"] = f"{pitr.archive_timeout_s}s"
    return ServerConfig(
        image=image,
        container_name=names["containerName"],
        volume_name=names["volumeName"],
        network_name=names["networkName"],
        bind_address=bind,
        host_port=port,
        admin_user=admin,
        memory_mb=memory,
        shm_size_mb=shm,
        settings=settings,
        allow_volume_deletion=allow_deletion,
        production=production,
        exporter_port=exporter_port,
        pooler=pooler,
        replicas=replicas,
        replica_host_port=replica_port,
        pitr=pitr,
    )


def _pitr(raw: Any, key: str, *, image: str, admin: str, problems: list[str]
          ) -> PitrConfig | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append(f"{key}: must be a mapping {{{', '.join(PITR_KEYS)}}}")
        return None
    for unknown in sorted(set(raw) - set(PITR_KEYS)):
        problems.append(f"{key}.{unknown}: unknown key. Fix: use one of {list(PITR_KEYS)}")
    if not _bool(raw.get("enabled", True), f"{key}.enabled", problems):
        return None
    if image != BUILD_IMAGE:
        problems.append(f"{key}: needs pgBackRest in the server's image, and only the bundle's "
                        f"own image has it (image is {image!r}). Fix: set server.image: build")
    if admin != "postgres":
        # pgBackRest reaches the server on its socket as the OS user `postgres`, which the
        # `local … peer` rule maps to the role of the same name only.
        problems.append(f"{key}: pgBackRest connects as the role `postgres`, and adminUser is "
                        f"{admin!r}. Fix: keep adminUser: postgres in a stack with pitr")
    return PitrConfig(
        retention_full=_int(raw.get("retentionFull", DEFAULT_PITR_RETENTION_FULL),
                            f"{key}.retentionFull", problems, lo=1, hi=100),
        archive_timeout_s=_int(raw.get("archiveTimeoutSeconds", DEFAULT_ARCHIVE_TIMEOUT_S),
                               f"{key}.archiveTimeoutSeconds", problems, lo=5, hi=3600),
        max_backup_age_h=_int(raw.get("maxBackupAgeHours", DEFAULT_MAX_BACKUP_AGE_H),
                              f"{key}.maxBackupAgeHours", problems, lo=1, hi=24 * 90))


def _exporter(raw: Any, key: str, server_port: int, problems: list[str]) -> int | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.append(f"{key}: must be a mapping {{enabled, hostPort}}")
        return None
    for unknown in sorted(set(raw) - {"enabled", "hostPort"}):
        problems.append(f"{key}.{unknown}: unknown key. Fix: use 'enabled' and 'hostPort'")
    if not _bool(raw.get("enabled", True), f"{key}.enabled", problems):
        return None
    port = _int(raw.get("hostPort", DEFAULT_EXPORTER_HOST_PORT), f"{key}.hostPort", problems,
                lo=1, hi=65535)
    if port == server_port:
        problems.append(f"{key}.hostPort: {port} is the server's hostPort. Fix: use another")
    return port


def _external(raw: Mapping[str, Any], key: str, problems: list[str]) -> ServerConfig:
    for container_only in sorted(set(CONTAINER_KEYS) & set(raw)):
        problems.append(
            f"{key}.{container_only}: describes the container, and an external server has none"
            " (its settings, backups and protection are the provider's). Fix: remove it"
            + (" and set them in the provider's parameter group (ALTER SYSTEM is refused "
               "there)" if container_only == "settings" else ""))
    host = raw.get("host")
    if not isinstance(host, str) or not re.fullmatch(r"[A-Za-z0-9.:\-\[\]]+", host or ""):
        problems.append(f"{key}.host: {host!r} is not a host name or address. Fix: set the "
                        "managed server's endpoint (e.g. mydb.abc123.eu-west-1.rds.amazonaws.com)")
        host = "invalid"
    port = _int(raw.get("port", 5432), f"{key}.port", problems, lo=1, hi=65535)
    sslmode = raw.get("sslmode", "verify-full")
    if sslmode not in EXTERNAL_SSLMODES:
        problems.append(f"{key}.sslmode: {sslmode!r} would not verify the server, so the admin's "
                        f"password could go to whoever answers. Fix: use one of "
                        f"{list(EXTERNAL_SSLMODES)}")
    ca_cert = raw.get("caCert")
    if not isinstance(ca_cert, str) or "-----BEGIN CERTIFICATE-----" not in ca_cert:
        problems.append(f"{key}.caCert: must be the provider's CA certificate(s), PEM (e.g. "
                        "RDS's global-bundle.pem). Fix: set it with `pulumi config set "
                        "--path pgplatform:server.caCert < ca.pem`")
        ca_cert = ""
    else:
        try:
            ssl.create_default_context().load_verify_locations(cadata=ca_cert)
        except (ssl.SSLError, ValueError) as exc:
            problems.append(f"{key}.caCert: not a PEM certificate OpenSSL can read ({exc}). Fix: "
                            "paste the provider's CA bundle as it is")
    admin = check_identifier(raw.get("adminUser", "postgres"), f"{key}.adminUser", problems,
                             max_bytes=63)
    provider_roles = raw.get("providerRoles", [])
    if not isinstance(provider_roles, Sequence) or isinstance(provider_roles, str) or not all(
            isinstance(r, str) and r for r in provider_roles):
        problems.append(f"{key}.providerRoles: must be a list of role names (the provider's "
                        "own, e.g. [rdsadmin, rds_superuser])")
        provider_roles = []
    return ServerConfig(
        image=DEFAULT_IMAGE, container_name="", volume_name="", network_name="",
        bind_address="", host_port=port, admin_user=admin, memory_mb=0, shm_size_mb=0,
        settings={}, allow_volume_deletion=False, production=False,
        external=ExternalServer(host=str(host), port=port, sslmode=str(sslmode),
                                ca_cert=ca_cert, provider_roles=tuple(provider_roles)))


def _pooler(raw: Any, key: str, taken: set[int | None], problems: list[str]
            ) -> PoolerConfig | None:
    if raw is None:
        return None
    known = {"enabled", "hostPort", "maxClientConnections", "metricsPort"}
    if not isinstance(raw, Mapping):
        problems.append(f"{key}: must be a mapping {{{', '.join(sorted(known))}}}")
        return None
    for unknown in sorted(set(raw) - known):
        problems.append(f"{key}.{unknown}: unknown key. Fix: use one of {sorted(known)}")
    if not _bool(raw.get("enabled", True), f"{key}.enabled", problems):
        return None
    port = _int(raw.get("hostPort", DEFAULT_POOLER_HOST_PORT), f"{key}.hostPort", problems,
                lo=1, hi=65535)
    if port in taken:
        problems.append(f"{key}.hostPort: {port} is the server's or the exporter's hostPort. "
                        "Fix: use another")
    clients = _int(raw.get("maxClientConnections", DEFAULT_POOLER_MAX_CLIENTS),
                   f"{key}.maxClientConnections", problems, lo=1, hi=100_000)
    metrics = (None if raw.get("metricsPort") is None else _int(
        raw["metricsPort"], f"{key}.metricsPort", problems, lo=1, hi=65535))
    if metrics is not None and metrics in {*taken, port}:
        problems.append(f"{key}.metricsPort: {metrics} is the server's, the exporter's or the "
                        "pooler's hostPort. Fix: use another")
    return PoolerConfig(host_port=port, max_client_connections=clients, metrics_port=metrics)


def _databases(raw: Any, problems: list[str]) -> tuple[DatabaseConfig, ...]:
    key = f"{NAMESPACE}:databases"
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        problems.append(f"{key}: must be a non-empty list of {{name, extensions}}")
        return ()
    out: list[DatabaseConfig] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        at = f"{key}[{i}]"
        if not isinstance(item, Mapping):
            problems.append(f"{at}: must be a mapping with 'name' and 'extensions'")
            continue
        for unknown in sorted(set(item) - {"name", "extensions", "backup"}):
            problems.append(f"{at}.{unknown}: unknown key. Fix: use 'name', 'extensions' and "
                            "'backup'")
        name = check_identifier(item.get("name"), f"{at}.name", problems, max_bytes=63)
        if name in RESERVED_DATABASES:
            problems.append(f"{at}.name: {name!r} is reserved for PostgreSQL itself")
        if name in seen:
            problems.append(f"{at}.name: duplicate database {name!r}")
        seen.add(name)
        exts = item.get("extensions", ["vector"])
        if not isinstance(exts, Sequence) or isinstance(exts, str):
            problems.append(f"{at}.extensions: must be a list")
            exts = []
        for ext in exts:
            if ext not in KNOWN_EXTENSIONS:
                problems.append(
                    f"{at}.extensions: unknown extension {ext!r}. "
                    f"Fix: use one of {sorted(KNOWN_EXTENSIONS)}"
                )
        if len(set(exts)) != len(exts):
            problems.append(f"{at}.extensions: lists an extension twice")
        out.append(DatabaseConfig(name=name, extensions=tuple(dict.fromkeys(exts)),
                                  backup=_backup(item.get("backup"), f"{at}.backup", problems)))
    return tuple(out)


def _backup(raw: Any, key: str, problems: list[str]) -> BackupPolicy:
    if raw is None:
        return BackupPolicy()
    if not isinstance(raw, Mapping):
        problems.append(f"{key}: must be a mapping {{priority, keep}}")
        return BackupPolicy()
    for unknown in sorted(set(raw) - {"priority", "keep"}):
        problems.append(f"{key}.{unknown}: unknown key. Fix: use 'priority' and 'keep'")
    priority = raw.get("priority", "important")
    if priority not in BACKUP_PRIORITIES:
        problems.append(f"{key}.priority: {priority!r} is not one of {list(BACKUP_PRIORITIES)}")
        priority = "important"
    keep = _int(raw.get("keep", DEFAULT_BACKUP_KEEP[priority]), f"{key}.keep", problems,
                lo=1, hi=10_000)
    return BackupPolicy(priority=priority, keep=keep)


def _services(
    raw: Any, databases: Sequence[DatabaseConfig], sql_root: Path, problems: list[str]
) -> tuple[ServiceConfig, ...]:
    key = f"{NAMESPACE}:services"
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        problems.append(f"{key}: must be a non-empty list of services")
        return ()
    known = {"name", "database", "schema", "schemas", "module", "readers", "connectionLimit",
             "statementTimeoutMs", "readonlyConnectionLimit", "readonlyStatementTimeoutMs",
             "poolSize", "readFrom", "poolerClientLimit"}
    db_by_name = {d.name: d for d in databases}
    available = modules.available(sql_root)
    out: list[ServiceConfig] = []
    for i, item in enumerate(raw):
        at = f"{key}[{i}]"
        needs: frozenset[str] = frozenset()
        if not isinstance(item, Mapping):
            problems.append(f"{at}: must be a mapping")
            continue
        for unknown in sorted(set(item) - known):
            problems.append(f"{at}.{unknown}: unknown key. Fix: use one of {sorted(known)}")
        name = check_identifier(
            item.get("name"), f"{at}.name", problems,
            max_bytes=MAX_IDENTIFIER_BYTES - max(len(x) for x in ROLE_SUFFIXES),
        )
        at = f"{key}[{name or i}]"
        if name in RESERVED_ROLES:
            problems.append(f"{at}.name: {name!r} is reserved")
        database = item.get("database")
        if not isinstance(database, str) or database not in db_by_name:
            problems.append(
                f"{at}.database: unknown database {database!r}. "
                f"Fix: use one of {sorted(db_by_name)} or declare it in {NAMESPACE}:databases"
            )
        schemas = _schemas(item, name, at, problems)
        module = item.get("module", name)
        if not isinstance(module, str) or module not in available:
            problems.append(
                f"{at}.module: unknown SQL module {module!r} (no {sql_root}/{module}/ with "
                f"migrations). Fix: use one of {sorted(available)}"
            )
        elif isinstance(database, str) and database in db_by_name:
            loaded = modules.load(sql_root, module)
            needs = loaded.needs
            missing = set(loaded.extensions) - set(db_by_name[database].extensions)
            if missing:
                problems.append(
                    f"{at}.module: module {module!r} needs extensions {sorted(missing)} that "
                    f"database {database!r} does not enable. Fix: add them to its extensions"
                )
            elsewhere = sorted(loaded.required_schemas - set(schemas))
            if elsewhere:
                problems.append(
                    f"{at}.schemas: module {module!r} writes to schemas {elsewhere} that the "
                    f"service does not own. Fix: set schemas: {list(loaded.schemas) or elsewhere}"
                    f" (its module.toml)")
        client_limit = (None if item.get("poolerClientLimit") is None else _int(
            item["poolerClientLimit"], f"{at}.poolerClientLimit", problems, lo=1, hi=100_000))
        readers = item.get("readers", [])
        if not isinstance(readers, Sequence) or isinstance(readers, str) or not all(
                isinstance(r, str) for r in readers):
            problems.append(f"{at}.readers: must be a list of service names")
            readers = []
        limit = _int(item.get("connectionLimit", 20), f"{at}.connectionLimit", problems,
                     lo=1, hi=10000)
        pool_size = _int(item.get("poolSize", min(DEFAULT_POOL_SIZE, limit)), f"{at}.poolSize",
                         problems, lo=1, hi=10000)
        if pool_size > limit:
            # The pooler's server connections are the app login's: the server would refuse
            # the ones over its limit while clients wait for them.
            problems.append(f"{at}.poolSize: {pool_size} is over the app login's "
                            f"connectionLimit ({limit}). Fix: lower poolSize or raise "
                            "connectionLimit")
        out.append(
            ServiceConfig(
                name=name,
                database=str(database),
                schemas=schemas,
                module=str(module),
                readers=tuple(str(r) for r in readers),
                connection_limit=limit,
                pool_size=pool_size,
                read_from=_read_from(item, at, problems),
                pooler_client_limit=client_limit,
                needs=needs,
                statement_timeout_ms=_int(item.get("statementTimeoutMs", 30_000),
                                          f"{at}.statementTimeoutMs", problems,
                                          lo=0, hi=24 * 3600 * 1000),
                readonly_connection_limit=_int(item.get("readonlyConnectionLimit", 10),
                                               f"{at}.readonlyConnectionLimit", problems,
                                               lo=1, hi=10000),
                # A read-only login never runs without a deadline: 0 (none) is refused.
                readonly_statement_timeout_ms=_int(
                    item.get("readonlyStatementTimeoutMs", 15_000),
                    f"{at}.readonlyStatementTimeoutMs", problems, lo=1, hi=24 * 3600 * 1000),
            )
        )
    _cross_check(out, problems)
    return tuple(out)


def _read_from(item: Mapping[str, Any], at: str, problems: list[str]) -> str:
    value = item.get("readFrom", "primary")
    if value not in READ_FROM:
        problems.append(f"{at}.readFrom: {value!r} is not where a read-only login reads. Fix: "
                        f"use one of {list(READ_FROM)}")
        return "primary"
    return str(value)


def _replicas_read(server: ServerConfig, services: Sequence[ServiceConfig],
                   consumers: Sequence[ConsumerConfig], problems: list[str]) -> None:
    if server.replicas:
        return
    for what, items in (("services", services), ("consumers", consumers)):
        for item in items:
            if item.read_from == "replica":
                problems.append(
                    f"{NAMESPACE}:{what}[{item.name}].readFrom: 'replica', but the stack runs no "
                    f"replica. Fix: set {NAMESPACE}:server.replicas, or read from the primary")


def _schemas(item: Mapping[str, Any], name: str, at: str, problems: list[str]
             ) -> tuple[str, ...]:
    """`schema: x` or `schemas: [x, ...]` (not both); the service's name by default."""
    if "schema" in item and "schemas" in item:
        problems.append(f"{at}.schemas: set either schema or schemas, not both. Fix: list "
                        "every schema under schemas, the primary one first")
    if "schemas" in item:
        raw = item["schemas"]
        if not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
            problems.append(f"{at}.schemas: must be a non-empty list of schema names")
            return (name,)
        keyed = [(value, f"{at}.schemas[{i}]") for i, value in enumerate(raw)]
    else:
        keyed = [(item.get("schema", name), f"{at}.schema")]
    out = []
    for value, key in keyed:
        schema = check_identifier(value, key, problems, max_bytes=63)
        if schema in RESERVED_SCHEMAS:
            problems.append(f"{key}: {schema!r} is reserved and cannot be a service schema")
        if schema in out:
            problems.append(f"{key}: lists schema {schema!r} twice")
        out.append(schema)
    return tuple(out)


def _cross_check(services: Sequence[ServiceConfig], problems: list[str]) -> None:
    key = f"{NAMESPACE}:services"
    by_name: dict[str, ServiceConfig] = {}
    placements: dict[tuple[str, str], str] = {}
    for s in services:
        if s.name in by_name:
            problems.append(f"{key}[{s.name}].name: duplicate service {s.name!r}")
        by_name.setdefault(s.name, s)
        for schema in dict.fromkeys(s.schemas):
            where = (s.database, schema)
            if where in placements and placements[where] != s.name:
                problems.append(
                    f"{key}[{s.name}].schema: schema {schema!r} in database {s.database!r} "
                    f"is already owned by service {placements[where]!r}")
            placements.setdefault(where, s.name)
    for s in services:
        for reader in s.readers:
            if reader not in by_name:
                problems.append(
                    f"{key}[{s.name}].readers: unknown service {reader!r}. "
                    f"Fix: use one of {sorted(by_name)}"
                )
            elif reader == s.name:
                problems.append(f"{key}[{s.name}].readers: a service cannot read itself")
            elif by_name[reader].database != s.database:
                problems.append(
                    f"{key}[{s.name}].readers: {reader!r} lives in database "
                    f"{by_name[reader].database!r}, not {s.database!r}; readers must share "
                    "the database"
                )
        if len(set(s.readers)) != len(s.readers):
            problems.append(f"{key}[{s.name}].readers: lists a reader twice")


def _consumers(raw: Any, services: Sequence[ServiceConfig], problems: list[str]
               ) -> tuple[ConsumerConfig, ...]:
    key = f"{NAMESPACE}:consumers"
    if raw is None:
        return ()
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        problems.append(f"{key}: must be a list of {{name, database, reads}}")
        return ()
    known = {"name", "database", "reads", "connectionLimit", "statementTimeoutMs", "readFrom"}
    by_name = {s.name: s for s in services}
    out: list[ConsumerConfig] = []
    for i, item in enumerate(raw):
        at = f"{key}[{i}]"
        if not isinstance(item, Mapping):
            problems.append(f"{at}: must be a mapping")
            continue
        for unknown in sorted(set(item) - known):
            problems.append(f"{at}.{unknown}: unknown key. Fix: use one of {sorted(known)}")
        name = check_identifier(item.get("name"), f"{at}.name", problems,
                                max_bytes=MAX_IDENTIFIER_BYTES - len(CONSUMER_SUFFIX))
        at = f"{key}[{name or i}]"
        database = item.get("database")
        if not isinstance(database, str) or not any(s.database == database for s in services):
            problems.append(f"{at}.database: {database!r} is not the database of any service. "
                            "Fix: name the database whose services it reads")
        reads = item.get("reads")
        if not isinstance(reads, Sequence) or isinstance(reads, str) or not reads or not all(
                isinstance(r, str) for r in reads):
            problems.append(f"{at}.reads: must be a non-empty list of service names")
            reads = []
        for svc in reads:
            if svc not in by_name:
                problems.append(f"{at}.reads: unknown service {svc!r}. "
                                f"Fix: use one of {sorted(by_name)}")
            elif by_name[svc].database != database:
                problems.append(f"{at}.reads: service {svc!r} lives in database "
                                f"{by_name[svc].database!r}, not {database!r}; a consumer is "
                                "confined to one database")
        if len(set(map(str, reads))) != len(reads):
            problems.append(f"{at}.reads: lists a service twice")
        out.append(ConsumerConfig(
            name=name, database=str(database), reads=tuple(str(r) for r in reads),
            connection_limit=_int(item.get("connectionLimit", 5), f"{at}.connectionLimit",
                                  problems, lo=1, hi=10000),
            statement_timeout_ms=_int(item.get("statementTimeoutMs", 15_000),
                                      f"{at}.statementTimeoutMs", problems,
                                      lo=1, hi=24 * 3600 * 1000),
            read_from=_read_from(item, at, problems)))
    names = [c.name for c in out]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{key}[{dup}].name: duplicate consumer {dup!r}")
    return tuple(out)


def _unique_roles(services: Sequence[ServiceConfig], consumers: Sequence[ConsumerConfig],
                  admin: str, problems: list[str]) -> None:
    """Two identities of the model must never share a role name, nor take the admin's."""
    seen: dict[str, str] = {admin: f"{NAMESPACE}:server.adminUser"}
    pairs = [(r, f"{NAMESPACE}:services[{s.name}]") for s in services for r in s.roles]
    pairs += [(c.login_role, f"{NAMESPACE}:consumers[{c.name}]") for c in consumers]
    for role, where in pairs:
        if role in seen and seen[role] != where:
            problems.append(f"{where}.name: its role {role!r} is also the role of {seen[role]}."
                            " Fix: rename one of them")
        seen.setdefault(role, where)
    # A schema named after a role heads that role's default search_path (`"$user", public`):
    # the admin's sessions, or a login's after RESET search_path, would resolve names in it.
    for s in services:
        for schema in s.schemas:
            if schema in seen or schema in RESERVED_ROLES - {PUBLIC_SCHEMA}:
                owner = seen.get(schema, "PostgreSQL")
                problems.append(
                    f"{NAMESPACE}:services[{s.name}].schema: {schema!r} is also the name of a "
                    f"role (of {owner}), whose default search_path ($user) it would head. "
                    "Fix: rename the schema")


def _connection_budget(server: ServerConfig, services: Sequence[ServiceConfig],
                       consumers: Sequence[ConsumerConfig], problems: list[str]) -> None:
    """Every login's connection limit must fit the server's slots at once, or one service at
    its limit can leave another none ("too many clients already"). An external server's
    max_connections is the provider's: verification compares it with the limits instead."""
    if server.is_external:
        return
    total = (sum(s.connection_limits for s in services)
             + sum(c.connection_limit for c in consumers)
             + (MONITOR_CONNECTION_LIMIT if server.exporter_port else 0)
             + (WATCHDOG_CONNECTION_LIMIT if server.has_watchdog else 0))
    try:
        reserved = sum(int(server.settings.get(name, default)) for name, default in
                       (("superuser_reserved_connections", "3"), ("reserved_connections", "0")))
        slots = int(server.settings["max_connections"]) - reserved
    except ValueError:
        return  # a malformed number is reported with its own key
    if total > slots:
        problems.append(
            f"{NAMESPACE}:server.settings.max_connections: the logins' connection limits add "
            f"up to {total} (per service its connectionLimit, readonlyConnectionLimit and "
            f"{MIGRATOR_CONNECTION_LIMIT} for the migrator; per consumer its connectionLimit; "
            f"{MONITOR_CONNECTION_LIMIT} for the exporter if any, "
            f"{WATCHDOG_CONNECTION_LIMIT} for the session watchdog), "
            f"over the {slots} slots left by max_connections minus {reserved} reserved. Fix: "
            f"raise max_connections to at least {total + reserved}, or lower the limits")


VERIFY_WALSENDERS = 1
"""Verification's replication-refusal probes run one at a time: a refused replication
connection holds a walsender slot until pg_hba rejects it."""


def walsenders_needed(replicas: int) -> int:
    """Walsender slots the bundle may hold at once: per replica two while pg_basebackup
    (`-X stream`) copies it, one while it streams, and verification's probe."""
    return 2 * replicas + VERIFY_WALSENDERS


def _walsender_budget(server: ServerConfig, problems: list[str]) -> None:
    if server.is_external:
        return
    try:
        senders = int(server.settings.get("max_wal_senders", "10"))
    except ValueError:
        return  # a malformed number is reported with its own key
    need = walsenders_needed(server.replicas)
    if senders < need:
        problems.append(
            f"{NAMESPACE}:server.settings.max_wal_senders: {senders} leaves no room for "
            f"{server.replicas} replica(s) (two slots each while pg_basebackup copies one) and "
            f"verification's replication-refusal probe ({VERIFY_WALSENDERS}). Fix: raise "
            f"max_wal_senders to at least {need}, or lower server.replicas")


def pooler_client_limits(server: ServerConfig, services: Sequence[ServiceConfig]
                         ) -> dict[str, int]:
    """Service -> the clients its app login may hold in the pooler: its poolerClientLimit, or
    an equal share of what the explicit limits leave of maxClientConnections. Their sum never
    exceeds maxClientConnections, so no service can take every client slot."""
    if server.pooler is None or not services:
        return {}
    explicit = {s.name: s.pooler_client_limit for s in services
                if s.pooler_client_limit is not None}
    rest = [s.name for s in services if s.name not in explicit]
    left = max(server.pooler.max_client_connections - sum(explicit.values()), 0)
    share = left // len(rest) if rest else 0
    return {**explicit, **dict.fromkeys(rest, share)}


def _pooler_budget(server: ServerConfig, services: Sequence[ServiceConfig],
                   problems: list[str]) -> None:
    if server.pooler is None:
        return
    limits = pooler_client_limits(server, services)
    total = sum(limits.values())
    key = f"{NAMESPACE}:server.pooler.maxClientConnections"
    if total > server.pooler.max_client_connections:
        problems.append(
            f"{key}: the services' poolerClientLimit add up to {total}, over "
            f"{server.pooler.max_client_connections}: one service could take the client slots "
            "another needs. Fix: lower poolerClientLimit or raise maxClientConnections")
    starved = sorted(name for name, n in limits.items() if n < 1)
    if starved:
        problems.append(
            f"{key}: services {starved} would get no pooler client (the explicit "
            "poolerClientLimit of the others take them all). Fix: raise maxClientConnections "
            "or give them a poolerClientLimit")


def from_mapping(
    values: Mapping[str, Any], *, stack: str, sql_root: Path | None = None
) -> PlatformConfig:
    """Build the model from `{"server": ..., "databases": ..., "services": ...}`."""
    root = sql_root or paths.SQL_ROOT
    problems: list[str] = []
    for unknown in sorted(set(values) - set(KEYS)):
        problems.append(f"{NAMESPACE}:{unknown}: unknown key. Fix: use one of {list(KEYS)}")
    server = _server(values.get("server"), stack, problems)
    databases = _databases(values.get("databases"), problems)
    services = _services(values.get("services"), databases, root, problems)
    consumers = _consumers(values.get("consumers"), services, problems)
    _unique_roles(services, consumers, server.admin_user, problems)
    _connection_budget(server, services, consumers, problems)
    _walsender_budget(server, problems)
    _pooler_budget(server, services, problems)
    _replicas_read(server, services, consumers, problems)
    if server.pooler is not None:
        # PgBouncer's hba file has no quoting for names (pgplatform.pooler.hba).
        for db in databases:
            if db.name in POOLER_HBA_KEYWORDS:
                problems.append(f"{NAMESPACE}:databases[{db.name}].name: {db.name!r} is a "
                                "keyword of PgBouncer's hba file. Fix: rename the database, or "
                                "disable server.pooler")
            if db.name == POOLER_CONSOLE:
                problems.append(f"{NAMESPACE}:databases[{db.name}].name: PgBouncer answers "
                                f"{db.name!r} with its own console: the pooler could never "
                                "reach this database. Fix: rename the database, or disable "
                                "server.pooler")
    admin_password = values.get("adminPassword")
    if admin_password is None and server.is_external:
        problems.append(
            f"{NAMESPACE}:adminPassword: an external server's admin password must be given "
            "(the stack cannot generate it). Fix: pulumi config set --secret adminPassword")
    if admin_password is not None and not (
            isinstance(admin_password, SecretValue)
            and (admin_password.plaintext is None or admin_password.plaintext.strip())):
        problems.append(
            f"{NAMESPACE}:adminPassword: must be a non-empty secret. Fix: pulumi config set "
            "--secret adminPassword, or remove it to let the stack generate one")
        admin_password = None
    if problems:
        raise ConfigError(problems)
    return PlatformConfig(stack=stack, server=server, databases=databases, services=services,
                          consumers=consumers, admin_password=admin_password, sql_root=root)
