"""Stack outputs: their keys (constants the tests import) and their typed shape.

`program.build` returns a `StackOutputs` of Pulumi outputs, which `__main__` exports; tools read
the exported JSON (`pulumi stack output --json --show-secrets`, or the harness's file) back into
a `StackOutputs` of plain strings with `parse`. Every DSN is a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

STACK = "stack"
ADMIN_DSN = "admin_dsn"
CA_CERT = "ca_cert"
METRICS_URL = "metrics_url"
MONITOR_DSN = "monitor_dsn"
WATCHDOG_DSN = "watchdog_dsn"
HOST = "host"
PORT = "port"
CONTAINER_NAME = "container_name"
PITR_PASSPHRASE = "pitr_passphrase"
SERVICES = "services"
DATABASES = "databases"
CONSUMERS = "consumers"

SERVICE_DATABASE = "database"
SERVICE_SCHEMA = "schema"
SERVICE_SCHEMAS = "schemas"
SERVICE_LOGIN_ROLE = "login_role"
SERVICE_OWNER_ROLE = "owner_role"
SERVICE_DSN = "dsn"
SERVICE_MIGRATOR_DSN = "migrator_dsn"
SERVICE_READONLY_DSN = "readonly_dsn"
SERVICE_POOLED_DSN = "pooled_dsn"

CONSUMER_DATABASE = "database"
CONSUMER_LOGIN_ROLE = "login_role"
CONSUMER_DSN = "dsn"

DATABASE_ADMIN_DSN = "admin_dsn"

STACK_KEYS = (STACK, ADMIN_DSN, CA_CERT, METRICS_URL, MONITOR_DSN, WATCHDOG_DSN, HOST, PORT,
              CONTAINER_NAME, PITR_PASSPHRASE, SERVICES, DATABASES, CONSUMERS)
SERVICE_KEYS = (SERVICE_DATABASE, SERVICE_SCHEMA, SERVICE_SCHEMAS, SERVICE_LOGIN_ROLE,
                SERVICE_OWNER_ROLE, SERVICE_DSN, SERVICE_MIGRATOR_DSN, SERVICE_READONLY_DSN,
                SERVICE_POOLED_DSN)
CONSUMER_KEYS = (CONSUMER_DATABASE, CONSUMER_LOGIN_ROLE, CONSUMER_DSN)
DATABASE_KEYS = (DATABASE_ADMIN_DSN,)

V = TypeVar("V")
"""How a value known only after the deploy is held: a Pulumi output in the program, a string
once read back."""


class OutputsError(ValueError):
    pass


@dataclass(frozen=True, kw_only=True)
class ServiceOutputs(Generic[V]):
    database: str
    schemas: tuple[str, ...]
    """Every schema it owns, its primary one (also exported alone as `schema`) first."""
    login_role: V
    owner_role: V
    dsn: V
    """The app's login: DML on its schemas."""
    migrator_dsn: V
    """For migration tools: acts as the owner role, DDL in its schemas only."""
    readonly_dsn: V
    """SELECT on its schemas, read-only sessions."""
    pooled_dsn: V
    """The app's login through the pooler (transaction pooling; "" without a pooler)."""


@dataclass(frozen=True, kw_only=True)
class ConsumerOutputs(Generic[V]):
    database: str
    login_role: V
    dsn: V


@dataclass(frozen=True, kw_only=True)
class DatabaseOutputs(Generic[V]):
    admin_dsn: V
    """The admin's DSN for this database."""


@dataclass(frozen=True, kw_only=True)
class StackOutputs(Generic[V]):
    stack: str
    admin_dsn: V
    """The admin's DSN for the `postgres` maintenance database."""
    ca_cert: V
    """The stack's CA certificate (PEM, public): every DSN is `sslmode=verify-full` against
    it."""
    metrics_url: str
    """The Prometheus exporter's endpoint ("" without one)."""
    monitor_dsn: V
    """The exporter's login, for the `postgres` database ("" without an exporter)."""
    watchdog_dsn: V
    """The session watchdog's login, for `postgres` ("" without a container)."""
    host: str
    port: int
    container_name: V
    pitr_passphrase: V
    """The WAL repository's key (server.pitr; "" without). Keep a copy: the repository outlives
    the state when `pulumi destroy` keeps the volumes."""
    services: Mapping[str, ServiceOutputs[V]]
    databases: Mapping[str, DatabaseOutputs[V]]
    consumers: Mapping[str, ConsumerOutputs[V]]

    def exports(self) -> dict[str, Any]:
        """The stack outputs by key, as `pulumi.export` publishes them."""
        return {
            STACK: self.stack, ADMIN_DSN: self.admin_dsn, CA_CERT: self.ca_cert,
            METRICS_URL: self.metrics_url, MONITOR_DSN: self.monitor_dsn,
            WATCHDOG_DSN: self.watchdog_dsn,
            HOST: self.host, PORT: self.port,
            CONTAINER_NAME: self.container_name,
            PITR_PASSPHRASE: self.pitr_passphrase,
            SERVICES: {name: {SERVICE_DATABASE: s.database, SERVICE_SCHEMA: s.schemas[0],
                              SERVICE_SCHEMAS: list(s.schemas),
                              SERVICE_LOGIN_ROLE: s.login_role,
                              SERVICE_OWNER_ROLE: s.owner_role, SERVICE_DSN: s.dsn,
                              SERVICE_MIGRATOR_DSN: s.migrator_dsn,
                              SERVICE_READONLY_DSN: s.readonly_dsn,
                              SERVICE_POOLED_DSN: s.pooled_dsn}
                       for name, s in self.services.items()},
            DATABASES: {name: {DATABASE_ADMIN_DSN: d.admin_dsn}
                        for name, d in self.databases.items()},
            CONSUMERS: {name: {CONSUMER_DATABASE: c.database, CONSUMER_LOGIN_ROLE: c.login_role,
                               CONSUMER_DSN: c.dsn}
                        for name, c in self.consumers.items()},
        }


def _section(values: Mapping[str, Any], keys: tuple[str, ...], where: str,
             source: str) -> Mapping[str, Any]:
    missing = [k for k in keys if k not in values]
    if missing:
        raise OutputsError(f"outputs: {source}: {where} lacks keys {missing}. Fix: pass the "
                           "outputs of a pgplatform stack deployed by this version")
    return values


def parse(values: Any, source: str) -> StackOutputs[str]:
    """Exported outputs (JSON) back into their typed shape; `source` names where they came
    from in errors."""
    if not isinstance(values, Mapping):
        raise OutputsError(f"outputs: {source}: not a JSON object of stack outputs")
    if not values:
        raise OutputsError(f"outputs: {source} has no outputs: it is not deployed (new, or "
                           "destroyed). Fix: deploy it (`scripts/up STACK`), or pass the "
                           "outputs of a stack that runs")
    top = _section(values, STACK_KEYS, "the stack", source)
    services = {
        name: ServiceOutputs(
            database=str(s[SERVICE_DATABASE]),
            schemas=tuple(str(x) for x in s[SERVICE_SCHEMAS]),
            login_role=str(s[SERVICE_LOGIN_ROLE]), owner_role=str(s[SERVICE_OWNER_ROLE]),
            dsn=str(s[SERVICE_DSN]), migrator_dsn=str(s[SERVICE_MIGRATOR_DSN]),
            readonly_dsn=str(s[SERVICE_READONLY_DSN]), pooled_dsn=str(s[SERVICE_POOLED_DSN]))
        for name, raw in top[SERVICES].items()
        for s in [_section(raw, SERVICE_KEYS, f"services.{name}", source)]
    }
    databases = {
        name: DatabaseOutputs(admin_dsn=str(
            _section(raw, DATABASE_KEYS, f"databases.{name}", source)[DATABASE_ADMIN_DSN]))
        for name, raw in top[DATABASES].items()
    }
    consumers = {
        name: ConsumerOutputs(database=str(c[CONSUMER_DATABASE]),
                              login_role=str(c[CONSUMER_LOGIN_ROLE]), dsn=str(c[CONSUMER_DSN]))
        for name, raw in top[CONSUMERS].items()
        for c in [_section(raw, CONSUMER_KEYS, f"consumers.{name}", source)]
    }
    return StackOutputs(stack=str(top[STACK]), admin_dsn=str(top[ADMIN_DSN]),
                        ca_cert=str(top[CA_CERT]), metrics_url=str(top[METRICS_URL]),
                        monitor_dsn=str(top[MONITOR_DSN]),
                        watchdog_dsn=str(top[WATCHDOG_DSN]),
                        host=str(top[HOST]), port=int(top[PORT]),
                        container_name=str(top[CONTAINER_NAME]),
                        pitr_passphrase=str(top[PITR_PASSPHRASE]), services=services,
                        databases=databases, consumers=consumers)
