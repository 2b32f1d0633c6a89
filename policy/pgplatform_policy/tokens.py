"""Resource type tokens the policies look at: the program's own (`pgplatform.resource_types`,
the pack runs in the project venv), under the names the policies use."""

from pgplatform import resource_types as rt

GRANT = rt.PG_GRANT
DEFAULT_PRIVILEGES = rt.PG_DEFAULT_PRIVILEGES
ROLE = rt.PG_ROLE
POSTGRES_PROVIDER = rt.POSTGRES_PROVIDER
CONTAINER = rt.DOCKER_CONTAINER
VOLUME = rt.DOCKER_VOLUME
# The program's components, registered with the model's view of the stack as their properties.
SERVICE_ACCESS = rt.SERVICE_ACCESS
CONSUMER_ACCESS = rt.CONSUMER_ACCESS
POSTGRES_SERVER = rt.POSTGRES_SERVER
METRICS_EXPORTER = rt.METRICS_EXPORTER
"""Registered with {bindAddress, hostPort, monitorRole}."""
READ_REPLICA = rt.READ_REPLICA
"""Registered with {bindAddress, hostPort, replicatorRole, slot}."""
SESSION_WATCHDOG = rt.SESSION_WATCHDOG
MONITOR_READABLE = rt.MONITOR_READABLE
"""Registered with {kind, reader}: the login that may read admin-owned objects in `postgres`
(the base backups' table, pg_stat_statements)."""
DATABASE_HARDENING = rt.DATABASE_HARDENING
"""A dynamic resource, registered with {database, grants, readShared, schema}."""
"""Registered with {watchdogRole, database, periodSeconds}."""
CONNECTION_POOLER = rt.CONNECTION_POOLER
"""Registered with {bindAddress, hostPort, poolMode, clientTls, serverTls, pools}."""


def short(resource_type: str) -> str:
    """`Grant` for `postgresql:index/grant:Grant`, `Provider` for `pulumi:providers:*`: how
    messages name a resource's kind."""
    if resource_type.startswith("pulumi:providers:"):
        return "Provider"
    return resource_type.rsplit(":", 1)[-1]
