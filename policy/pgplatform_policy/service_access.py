"""Policy: no grant lets one service into another's schema or database unless declared.

Roles are mapped to services through the program's `pgplatform:index:ServiceAccess` components
(one per service: {service, database, schema, ownerRole, loginRole, readers}). Then, for every
`Grant` and `DefaultPrivileges` to a service Y's role:

- on service X's schema (or, for default privileges without a schema, on what X's owner role
  creates): allowed when X is Y, or when Y is one of X's declared readers and the privileges are
  within USAGE/SELECT;
- on a database (CONNECT...): allowed on Y's own database; on another one only as a declared
  reader of a service there, within USAGE/SELECT (so never CONNECT);
- on a schema no service owns (`extensions`, `public`): allowed in Y's own database, otherwise
  as above.

Grants to `public` must have empty privileges (they exist to revoke), and a grant to a role no
service declares is a violation: it cannot be checked against the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from pgplatform_policy import tokens, values

NAME = "service-access-declared"
PUBLIC = "public"
READ_ONLY = frozenset({"USAGE", "SELECT"})
MODEL_KEYS = ("service", "database", "schema", "ownerRole", "loginRole", "readers")


@dataclass(frozen=True)
class Service:
    name: str
    database: str
    schema: str
    owner_role: str
    login_role: str
    readers: frozenset[str]


def services_of(resources: Iterable[PolicyResource],
                report: Callable[[str, str], None]) -> list[Service]:
    """The services the ServiceAccess components declare; `report(message, urn)` for one that
    does not expose its model."""
    found = []
    for r in resources:
        if r.resource_type != tokens.SERVICE_ACCESS:
            continue
        missing = [k for k in MODEL_KEYS if k not in r.props]
        if missing:
            report(f"[{NAME}] ServiceAccess '{r.name}' does not expose {', '.join(missing)}: "
                   "the policy maps roles to services through these properties (the component "
                   "must register them as its outputs as well as its inputs).", r.urn)
            continue
        p = r.props
        found.append(Service(
            name=values.get(p, "service"), database=values.get(p, "database"),
            schema=values.get(p, "schema"), owner_role=values.get(p, "ownerRole"),
            login_role=values.get(p, "loginRole"),
            readers=frozenset(values.plain(x) for x in values.items(p["readers"], "readers"))))
    return found


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
        p = r.props
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


def check_grant(g: _Grant, services: list[Service]) -> str | None:
    """Why `g` breaks the rule, or None."""
    if g.role == PUBLIC:
        if g.privileges:
            return f"{g.describe()}: PUBLIC may only be revoked from (empty privileges)"
        return None
    by_role = {r: s for s in services for r in (s.owner_role, s.login_role)}
    grantee = by_role.get(g.role)
    if grantee is None:
        return (f"{g.describe()}: no ServiceAccess declares that role, so the grant cannot be "
                "checked against the model")
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
            return None
        return as_reader_of([s for s in services if s.database == g.database],
                            f"service '{grantee.name}' lives in database '{grantee.database}'")
    owner_svc: Service | None
    if g.schema:
        owner_svc = next((s for s in services
                          if (s.database, s.schema) == (g.database, g.schema)), None)
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


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    services = services_of(args.resources, report_violation)
    for r in args.resources:
        if r.resource_type not in (tokens.GRANT, tokens.DEFAULT_PRIVILEGES):
            continue
        try:
            problem = check_grant(_Grant.read(r), services)
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
