"""PgBouncer's configuration, generated from the model (no Pulumi here: `components/pooler.py`
uploads it, verification and the tests read the same facts).

- Transaction pooling; one pool per (database, user), so each service's app login has its own
  pool, sized by the service's `poolSize` (`[users] pool_size`, with `max_user_connections` as
  the hard cap), and a session's leftovers (`SET`, a role) can only reach that same login.
  Each login also has its share of the client slots (`max_user_client_connections`).
- Clients authenticate with SCRAM against `userlist.txt`, which holds the same SCRAM verifiers
  the server stores (`pgplatform.scram`, derived deterministically): PgBouncer then logs in to
  the server with the client's own proof (SCRAM pass-through), so no password, plaintext or
  otherwise recoverable, is in the pooler's files and no auth_query role exists.
- Only the managed databases are listed (no `*` fallback): `postgres` and `template1` have
  no entry. No user is an `admin_users`. With `server.pooler.metricsPort`, the exporter's
  monitor login is the one `stats_users` (the console's SHOW commands, nothing that pauses,
  kills or reconfigures), admitted to the console alone, with client slots of its own
  beyond the services' shares.
- PgBouncer's own hba file (`auth_type = hba`) admits each pooled login to its own database
  only, and no replication connection: a client aimed elsewhere is refused by the pooler
  itself, before a server login whose failure PgBouncer would cache for the whole pool
  (`server_login_retry`), refusing the login's legitimate clients meanwhile.
- TLS both ways: clients must use it (`client_tls_sslmode = require`, certificate from the
  stack's CA naming the published address); the server is verified by the stack's CA and the
  container's name (`server_tls_sslmode = verify-full`), and is shown the pooler's client
  certificate from the same CA (pg_hba `clientcert=verify-ca`: another container on the
  network cannot log in as a pooled login, even with its password).
"""

from __future__ import annotations

from collections.abc import Mapping

from pgplatform.model import (
    MONITOR_ROLE,
    POOLER_CONSOLE,
    POOLER_PORT,
    PlatformConfig,
    ServiceConfig,
    pooler_client_limits,
)

PRIVATE_DIR = "/run/pgplatform-pooler"
"""Where the entrypoint hands `postgres` its copies of the uploaded files (docker/pooler)."""
SOURCE_DIR = "/run/secrets/pgplatform-pooler"
CONFIG_FILE, USERLIST_FILE, HBA_FILE = "pgbouncer.ini", "userlist.txt", "pg_hba.conf"

CERT_FILE, KEY_FILE, CA_FILE = "server.crt", "server.key", "ca.pem"
CLIENT_CERT_FILE, CLIENT_KEY_FILE = "client.crt", "client.key"
"""What it shows the server (pg_hba `clientcert=verify-ca` for sidecars)."""
MAX_PREPARED_STATEMENTS = 200
"""Protocol-level prepared statements tracked per client, so that psycopg (after 5 executions)
and asyncpg keep working in transaction mode."""
FORBIDDEN_IN_TRANSACTION_POOLING = (
    "session settings (SET / RESET outside SET LOCAL): the next transaction may run on another "
    "server connection, or another client of the same login gets them",
    "session-level advisory locks held across transactions (pg_advisory_lock; use "
    "pg_advisory_xact_lock)",
    "LISTEN / NOTIFY consumers (LISTEN needs one server session)",
    "SQL-level PREPARE / DEALLOCATE, WITH HOLD cursors, temporary tables kept across "
    "transactions",
)
"""What transaction pooling breaks; the README repeats it and migrations stay on the direct
DSN (they take a session lock)."""

CONNECTION_REFUSALS = ("login rejected", "no such database", "SSL required", "not allowed")
"""How PgBouncer words its refusals: its hba file's (another database, a replication
connection, a login it does not pool), a database it does not list, a client without TLS, a
login that is no stats or admin user aimed at the console."""
CLIENT_LIMIT_REFUSAL = "max_user_client_connections"
"""How PgBouncer refuses a client of a login whose client slots are all taken ("client
connections exceeded (max_user_client_connections)"): it says nothing of what the login may
reach, only that it came at a moment when its slots were held."""
STATS_CLIENT_SLOTS = 2
"""The stats login's client slots, added to maxClientConnections (no service's share is taken
for them): the exporter keeps one console session, verification's probes take the other."""
CONSOLE_REFUSAL = "admin access needed"
"""How PgBouncer refuses a stats user a command that acts (PAUSE, KILL, SET, RELOAD, …)."""


def open_files(cfg: PlatformConfig) -> int:
    """File descriptors PgBouncer needs (its docs: max_client_conn + the pools' server
    connections), with room for its listeners and logs."""
    assert cfg.server.pooler is not None
    return (max_client_connections(cfg)
            + sum(svc.pool_size for svc in pooled_services(cfg)) + 100)


def stats_login(cfg: PlatformConfig) -> str | None:
    """The login that reads the console's SHOW commands (the exporter's monitor), when the
    stack publishes the pooler's figures."""
    return MONITOR_ROLE if cfg.server.pooler_metrics_port else None


def max_client_connections(cfg: PlatformConfig) -> int:
    """The services' shares (maxClientConnections) and the stats login's own slot."""
    assert cfg.server.pooler is not None
    return (cfg.server.pooler.max_client_connections
            + (STATS_CLIENT_SLOTS if stats_login(cfg) else 0))


def pooled_services(cfg: PlatformConfig) -> tuple[ServiceConfig, ...]:
    """The services whose app login the pooler serves: all of them, when there is a pooler."""
    return cfg.services if cfg.server.pooler else ()


def client_limits(cfg: PlatformConfig) -> dict[str, int]:
    """Service -> clients its app login may hold at once (`max_user_client_connections`,
    PgBouncer 1.24): their sum fits max_client_conn, so one service flooding the pooler never
    takes another's slots."""
    return pooler_client_limits(cfg.server, pooled_services(cfg))


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def userlist(verifiers: Mapping[str, str]) -> str:
    """`"role" "SCRAM-SHA-256$…"` per pooled login; refuses anything but a verifier."""
    lines = []
    for role, verifier in sorted(verifiers.items()):
        if not verifier.startswith("SCRAM-SHA-256$"):
            raise ValueError(f"pooler: the userlist entry of {role} is not a SCRAM verifier")
        lines.append(f"{_quoted(role)} {_quoted(verifier)}")
    return "\n".join(lines) + "\n"


def metrics_pgpass(cfg: PlatformConfig, password: str) -> str:
    """The stats login's libpq password file, for the console only."""
    def field(value: str) -> str:
        return value.replace("\\", "\\\\").replace(":", "\\:")
    return ":".join(field(v) for v in (cfg.server.pooler_name, str(POOLER_PORT), POOLER_CONSOLE,
                                        MONITOR_ROLE, password)) + "\n"


def metrics_connection(cfg: PlatformConfig, ca_file: str) -> str:
    """Where the pooler's exporter reads the console: the container by its name, which the
    pooler's certificate carries, verified against the stack's CA (no password: libpq takes it
    from PGPASSFILE)."""
    return (f"postgres://{MONITOR_ROLE}@{cfg.server.pooler_name}:{POOLER_PORT}/{POOLER_CONSOLE}"
            f"?sslmode=verify-full&sslrootcert={ca_file}")


def config(cfg: PlatformConfig) -> str:
    """pgbouncer.ini for the stack's pooler."""
    s = cfg.server
    assert s.pooler is not None
    databases = [f"{db.name} = host={s.container_name} port=5432 dbname={db.name}"
                 for db in cfg.databases if cfg.services_in(db.name)]
    clients = client_limits(cfg)
    users = [f"{svc.login_role} = pool_size={svc.pool_size} "
             f"max_user_connections={svc.pool_size} "
             f"max_user_client_connections={clients[svc.name]}" for svc in pooled_services(cfg)]
    stats = stats_login(cfg)
    if stats:
        users.append(f"{stats} = max_user_client_connections={STATS_CLIENT_SLOTS}")
    settings = {
        "listen_addr": "*",
        "listen_port": str(POOLER_PORT),
        "unix_socket_dir": "",
        "auth_type": "hba",
        "auth_hba_file": f"{PRIVATE_DIR}/{HBA_FILE}",
        "auth_file": f"{PRIVATE_DIR}/{USERLIST_FILE}",
        "pool_mode": "transaction",
        "max_client_conn": str(max_client_connections(cfg)),
        "default_pool_size": "1",
        "max_prepared_statements": str(MAX_PREPARED_STATEMENTS),
        # JDBC sends it at startup and PgBouncer would refuse the connection. `options` (-c
        # settings) stays refused: ignored, a client's statement_timeout would silently vanish.
        "ignore_startup_parameters": "extra_float_digits",
        "client_tls_sslmode": "require",
        "client_tls_protocols": "secure",
        "client_tls_cert_file": f"{PRIVATE_DIR}/{CERT_FILE}",
        "client_tls_key_file": f"{PRIVATE_DIR}/{KEY_FILE}",
        "server_tls_sslmode": "verify-full",
        "server_tls_protocols": "secure",
        "server_tls_ca_file": f"{PRIVATE_DIR}/{CA_FILE}",
        "server_tls_cert_file": f"{PRIVATE_DIR}/{CLIENT_CERT_FILE}",
        "server_tls_key_file": f"{PRIVATE_DIR}/{CLIENT_KEY_FILE}",
        "admin_users": "",
        "stats_users": stats or "",
        "log_connections": "0",
        "log_disconnections": "0",
    }
    return "\n".join([
        "; Generated by pgplatform from the stack's model; rewritten on every `pulumi up`.",
        "[databases]", *databases, "", "[users]", *users, "", "[pgbouncer]",
        *(f"{k} = {v}" for k, v in settings.items())]) + "\n"


def hba(cfg: PlatformConfig) -> str:
    """PgBouncer's client rules, first match wins: no replication, each pooled login to its
    own database (the stats login to the console) with SCRAM over TLS, nothing else."""
    by_database: dict[str, list[str]] = {}
    for svc in pooled_services(cfg):
        by_database.setdefault(svc.database, []).append(svc.login_role)
    stats = stats_login(cfg)
    if stats:
        by_database[POOLER_CONSOLE] = [stats]
    return "\n".join([
        "# Generated by pgplatform from the stack's model; rewritten on every `pulumi up`.",
        "hostssl replication all all reject",
        *(f"hostssl {db} {','.join(roles)} all scram-sha-256"
          for db, roles in by_database.items()),
        "host all all all reject"]) + "\n"
