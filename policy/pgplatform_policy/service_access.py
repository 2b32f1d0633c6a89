"""Policy: no grant lets one service into another's schema or database unless declared.

Roles are mapped to services through the program's `pgplatform:index:ServiceAccess` components
(one per service: {service, database, schemas, ownerRole, loginRole, readers}). Then, for every
`Grant` and `DefaultPrivileges` to a service Y's role:

- on one of service X's schemas (or, for default privileges without a schema, on what X's owner role
  creates): allowed when X is Y, or when Y is one of X's declared readers and the privileges are
  within USAGE/SELECT;
- on a database (CONNECT...): allowed on Y's own database; on another one only as a declared
  reader of a service there, within USAGE/SELECT (so never CONNECT);
- on a schema no service owns (`extensions`, `public` unless a service took it): allowed in
  Y's own database, otherwise as above.

On its own database a service's owner role gets TEMPORARY only (the scratch space verification
copies tables into; it never logs in) and its app login CONNECT only. A service's migrator gets
CONNECT on its database and nothing else (it works as the owner role,
which it must be the NOINHERIT member of, and no other role may be a member of anything). A
service's read-only login and the consumers (`pgplatform:index:ConsumerAccess`: {consumer,
database, loginRole, reads}) get CONNECT on their one database and USAGE/SELECT only: the
read-only login on its own schemas, a consumer on the schemas of the services it reads, both on
`extensions` there.

Grants to `public` must have empty privileges (they exist to revoke), and a grant to a role no
service or consumer declares is a violation: it cannot be checked against the model.

A `ConnectionPooler` has no `adminUsers`, and its `statsUsers` (PgBouncer's console, which
lists every service's clients) are monitors a `MetricsExporter` declares.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from pgplatform_policy import planned, tokens, values

NAME = "service-access-declared"
PUBLIC = "public"
READ_ONLY = frozenset({"USAGE", "SELECT"})
MODEL_KEYS = ("service", "database", "schemas", "ownerRole", "loginRole", "migratorRole",
              "readonlyRole", "readers")
CONSUMER_KEYS = ("consumer", "database", "loginRole", "reads")
CONNECT_AND_READ = READ_ONLY | {"CONNECT"}


@dataclass(frozen=True)
class Service:
    name: str
    database: str
    schemas: frozenset[str]
    owner_role: str
    login_role: str
    migrator_role: str
    readonly_role: str
    readers: frozenset[str]


@dataclass(frozen=True)
class Consumer:
    name: str
    database: str
    login_role: str
    reads: frozenset[str]


def _models(resources: Iterable[PolicyResource], resource_type: str, keys: tuple[str, ...],
            report: Callable[[str, str], None]) -> Iterator[Mapping[str, Any]]:
    """The model each component of `resource_type` registers; `report(message, urn)` for one
    that does not expose all of `keys`."""
    for r in resources:
        if r.resource_type != resource_type:
            continue
        p = planned.props(r)
        missing = [k for k in keys if k not in p]
        if missing:
            report(f"[{NAME}] {tokens.short(resource_type)} '{r.name}' does not expose "
                   f"{', '.join(missing)}: the policy maps roles to services and consumers "
                   "through these properties (the component must register them as its outputs "
                   "as well as its inputs).", r.urn)
            continue
        yield p


def services_of(resources: Iterable[PolicyResource],
                report: Callable[[str, str], None]) -> list[Service]:
    """The services the ServiceAccess components declare."""
    found = []
    for p in _models(resources, tokens.SERVICE_ACCESS, MODEL_KEYS, report):
        found.append(Service(
            name=values.get(p, "service"), database=values.get(p, "database"),
            schemas=frozenset(values.plain(x) for x in values.items(p["schemas"], "schemas")),
            owner_role=values.get(p, "ownerRole"),
            login_role=values.get(p, "loginRole"), migrator_role=values.get(p, "migratorRole"),
            readonly_role=values.get(p, "readonlyRole"),
            readers=frozenset(values.plain(x) for x in values.items(p["readers"], "readers"))))
    return found


def consumers_of(resources: Iterable[PolicyResource],
                 report: Callable[[str, str], None]) -> list[Consumer]:
    """The consumers the ConsumerAccess components declare."""
    return [Consumer(name=values.get(p, "consumer"), database=values.get(p, "database"),
                     login_role=values.get(p, "loginRole"),
                     reads=frozenset(values.plain(x) for x in values.items(p["reads"], "reads")))
            for p in _models(resources, tokens.CONSUMER_ACCESS, CONSUMER_KEYS, report)]


@dataclass(frozen=True)
class _Grant:
    kind: str
    name: str
    role: str
    database: str
    schema: str | None
    object_type: str
    privileges: frozenset[str]
    owner: str | None

    @classmethod
    def read(cls, r: PolicyResource) -> _Grant:
        p = planned.props(r)
        return cls(
            kind=tokens.short(r.resource_type), name=r.name,
            role=values.get(p, "role", ""), database=values.get(p, "database", ""),
            schema=values.get(p, "schema") or None,
            object_type=values.get(p, "objectType", ""),
            privileges=frozenset(str(values.plain(x)).upper()
                                 for x in values.items(p.get("privileges"), "privileges")),
            owner=values.get(p, "owner"),
        )

    def describe(self) -> str:
        privs = ", ".join(sorted(self.privileges)) or "nothing"
        where = (f"database '{self.database}'" if self.object_type == "database" else
                 f"{self.object_type}s in {self.database}.{self.schema}" if self.schema else
                 f"{self.object_type}s {self.owner} creates in database '{self.database}'")
        return f"{self.kind} '{self.name}' gives role '{self.role}' {privs} on {where}"


def _read_only_grant(g: _Grant, who: str, database: str, schemas: set[str],
                     owners: set[str], services: list[Service]) -> str | None:
    """A read-only login's grant: CONNECT/USAGE/SELECT, in `database`, on `schemas` or a
    schema no service owns (`extensions`), default privileges of `owners` only."""
    if not g.privileges <= CONNECT_AND_READ:
        return f"{g.describe()}: {who} is read-only (CONNECT, USAGE and SELECT at most)"
    if g.database != database:
        return f"{g.describe()}: {who} is confined to database '{database}'"
    if g.object_type == "database":
        return None
    owned = {x for s in services if s.database == database for x in s.schemas}
    if g.schema is not None and g.schema in owned - schemas:
        return f"{g.describe()}: {who} reads only schemas {sorted(schemas)}"
    if g.schema is None and g.owner not in owners:
        return f"{g.describe()}: {who} reads only what {sorted(owners)} create"
    return None


def check_grant(g: _Grant, services: list[Service],
                consumers: Sequence[Consumer] = (), monitors: frozenset[str] = frozenset(),
                watchdogs: Mapping[str, str] | None = None) -> str | None:
    """Why `g` breaks the rule, or None. `watchdogs`: the session watchdog's login -> the one
    database it may CONNECT to (a SessionWatchdog declares it)."""
    if g.role in (watchdogs or {}):
        if (g.object_type == "database" and g.database == (watchdogs or {})[g.role]
                and g.privileges <= {"CONNECT"}):
            return None
        return (f"{g.describe()}: the session watchdog's login holds CONNECT on "
                f"'{(watchdogs or {})[g.role]}' and EXECUTE on the limits function, nothing "
                "else")
    if g.role == PUBLIC:
        if g.privileges:
            return f"{g.describe()}: PUBLIC may only be revoked from (empty privileges)"
        return None
    if g.role in monitors:
        if g.object_type == "database" and g.privileges <= {"CONNECT"}:
            return None
        return (f"{g.describe()}: the exporter's monitor holds CONNECT on databases and "
                "pg_monitor's statistics, no object's rows (but what MonitorReadable gives it "
                "in `postgres`)")
    for s in services:
        if g.role == s.migrator_role:
            if g.object_type == "database" and g.database == s.database and \
                    g.privileges <= {"CONNECT"}:
                return None
            return (f"{g.describe()}: a migrator holds only CONNECT on its own database; "
                    "it works as its service's owner role")
        if g.role == s.readonly_role:
            return _read_only_grant(g, f"read-only login of '{s.name}'", s.database,
                                    set(s.schemas), {s.owner_role}, services)
    by_service = {s.name: s for s in services}
    for c in consumers:
        if g.role == c.login_role:
            reads = [by_service[n] for n in c.reads if n in by_service]
            return _read_only_grant(g, f"consumer '{c.name}'", c.database,
                                    {x for s in reads for x in s.schemas},
                                    {s.owner_role for s in reads},
                                    services)
    by_role = {r: s for s in services for r in (s.owner_role, s.login_role)}
    grantee = by_role.get(g.role)
    if grantee is None:
        return (f"{g.describe()}: no ServiceAccess or ConsumerAccess declares that role, so "
                "the grant cannot be checked against the model")
    read_only = g.privileges <= READ_ONLY

    def as_reader_of(owners: list[Service], what: str) -> str | None:
        if read_only and any(grantee.name in o.readers for o in owners):
            return None
        declared = [o.name for o in owners if grantee.name in o.readers]
        why = ("privileges beyond USAGE/SELECT for a declared reader" if declared else
               f"service '{grantee.name}' is not a declared reader of "
               f"{', '.join(repr(o.name) for o in owners) or 'any service there'}")
        return f"{g.describe()}: {what} ({why})"

    if g.object_type == "database":
        if g.database == grantee.database:
            # The owner never logs in: its one database privilege is the migrator's scratch
            # space (pg_temp). The app login connects and no more: a temporary table escapes
            # temp_file_limit.
            allowed = {"TEMPORARY"} if g.role == grantee.owner_role else {"CONNECT"}
            if g.privileges <= allowed:
                return None
            return (f"{g.describe()}: on its own database the owner role holds TEMPORARY "
                    "only, the app login CONNECT only")
        return as_reader_of([s for s in services if s.database == g.database],
                            f"service '{grantee.name}' lives in database '{grantee.database}'")
    owner_svc: Service | None
    if g.schema:
        owner_svc = next((s for s in services
                          if s.database == g.database and g.schema in s.schemas), None)
    else:
        owner_svc = by_role.get(g.owner or "")
    if owner_svc is None:
        if g.database == grantee.database:
            return None  # extensions / public of its own database
        return as_reader_of([s for s in services if s.database == g.database],
                            f"database '{g.database}' is not service '{grantee.name}''s")
    if owner_svc == grantee:
        return None
    return as_reader_of([owner_svc],
                        f"service '{grantee.name}' reaching into service '{owner_svc.name}'")


def check_membership(resource: str, role: str, members: list[str], services: list[Service],
                     monitors: frozenset[str] = frozenset()) -> str | None:
    """Only a service's migrator is a member of a role, and only of its owner role; the
    exporter's monitor of pg_monitor only."""
    if not members or (role in monitors and members == ["pg_monitor"]):
        return None
    for s in services:
        if role == s.migrator_role and members == [s.owner_role]:
            return None
    return (f"Role '{resource}' ({role}) is a member of {members}: only a service's migrator "
            "is a member of a role, of its own service's owner role")


def _check_console(r: PolicyResource, p: Mapping[str, Any], monitors: frozenset[str],
                   report_violation: ReportViolation) -> None:
    """PgBouncer's console: nobody administers it (PAUSE, KILL, SET reach every service's
    pool), and only the exporter's monitor reads its SHOW commands."""
    admins = [str(values.plain(x)) for x in values.items(p.get("adminUsers"), "adminUsers")]
    stats = [str(values.plain(x)) for x in values.items(p.get("statsUsers"), "statsUsers")]
    if admins:
        report_violation(
            f"[{NAME}] Pooler '{r.name}' makes {admins} its admin_users: a login there could "
            "pause, kill or reconfigure every service's pool.", r.urn)
    rogue = [u for u in stats if u not in monitors]
    if rogue:
        report_violation(
            f"[{NAME}] Pooler '{r.name}' makes {rogue} its stats_users: only the exporter's "
            "monitor may read the console (it lists every service's clients).", r.urn)


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    services = services_of(args.resources, report_violation)
    consumers = consumers_of(args.resources, report_violation)
    monitors = frozenset(str(values.get(planned.props(r), "monitorRole"))
                         for r in args.resources if r.resource_type == tokens.METRICS_EXPORTER)
    replicators = frozenset(str(values.get(planned.props(r), "replicatorRole"))
                            for r in args.resources if r.resource_type == tokens.READ_REPLICA)
    watchdogs = {str(values.get(planned.props(r), "watchdogRole")):
                 str(values.get(planned.props(r), "database"))
                 for r in args.resources if r.resource_type == tokens.SESSION_WATCHDOG}
    for r in args.resources:
        p = planned.props(r)
        if r.resource_type == tokens.CONNECTION_POOLER:
            _check_console(r, p, monitors, report_violation)
        reader = values.get(p, "reader") if r.resource_type == tokens.MONITOR_READABLE else None
        if reader and reader not in monitors:
            report_violation(
                f"[{NAME}] MonitorReadable '{r.name}' lets {reader} read "
                f"{values.get(p, 'kind')} in `postgres`: only the exporter's monitor may (it "
                "exports figures, no statement text).", r.urn)
        if r.resource_type == tokens.ROLE and values.truthy(p.get("replication")):
            role = values.get(p, "name", r.name)
            if role not in replicators:
                report_violation(
                    f"[{NAME}] Role '{r.name}' ({role}) has REPLICATION, and no ReadReplica "
                    "declares it its replication login: only the replicas' login may stream "
                    "the server's WAL (every database's rows).", r.urn)
        if r.resource_type == tokens.GRANT and values.get(p, "role") in replicators:
            report_violation(
                f"[{NAME}] Grant '{r.name}' gives the replicas' login "
                f"{values.get(p, 'role')} a privilege: it streams WAL and holds nothing "
                "else.", r.urn)
            continue
        if r.resource_type == tokens.ROLE:
            try:
                problem = check_membership(
                    r.name, values.get(p, "name", r.name),
                    [str(values.plain(x)) for x in values.items(p.get("roles"), "roles")],
                    services, monitors)
            except UnknownValueError:
                continue
            if problem:
                report_violation(f"[{NAME}] {problem}.", r.urn)
            continue
        if r.resource_type not in (tokens.GRANT, tokens.DEFAULT_PRIVILEGES):
            continue
        try:
            problem = check_grant(_Grant.read(r), services, consumers, monitors, watchdogs)
        except UnknownValueError:
            continue  # not known during preview; checked again with the real values on update
        if problem:
            report_violation(f"[{NAME}] {problem}.", r.urn)


POLICY = StackValidationPolicy(
    name=NAME,
    description="A grant may only give a service access to another service's schema or "
                "database where the config declares it a reader, and then USAGE/SELECT only; "
                "PUBLIC gets nothing.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
