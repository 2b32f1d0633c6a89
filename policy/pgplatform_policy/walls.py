"""Policy: a container stack keeps its walls against a hostile neighbour
(`pgplatform.hardening`, `pgplatform.session_limits`).

- Every managed database (one a ServiceAccess or ConsumerAccess names) has its
  DatabaseHardening: the hazardous built-ins taken from PUBLIC, the guard event trigger.
- A SessionWatchdog holds every login to its limits.
- No login's search_path holds the schemas of two services: a name one owner creates would
  shadow the other's for that login (a consumer of several services reads qualified names).

A managed server (no PostgresServer) has neither walls nor watchdog: its admin is no superuser.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from pgplatform_policy import planned, tokens, values

NAME = "hostile-neighbour-walls"


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = list(args.resources)
    if not any(r.resource_type == tokens.POSTGRES_SERVER for r in resources):
        return
    models = [planned.props(r) for r in resources
              if r.resource_type in (tokens.SERVICE_ACCESS, tokens.CONSUMER_ACCESS)]
    databases = {str(values.get(p, "database")) for p in models if "database" in p}
    hardened = {str(values.get(planned.props(r), "database")) for r in resources
                if r.resource_type == tokens.DATABASE_HARDENING}
    for db in sorted(databases - hardened):
        report_violation(f"[{NAME}] database '{db}' has no DatabaseHardening: its logins could "
                         "call the built-ins that run SQL as them or carry data out "
                         "(pgplatform.hardening).", None)
    if not any(r.resource_type == tokens.SESSION_WATCHDOG for r in resources):
        report_violation(f"[{NAME}] no SessionWatchdog: a login could lift its statement, "
                         "idle and transaction limits with SET.", None)
    owner_of: dict[tuple[str, str], str] = {}
    for r in resources:
        if r.resource_type != tokens.SERVICE_ACCESS:
            continue
        p = planned.props(r)
        for schema in values.items(p.get("schemas"), "schemas"):
            owner_of[(str(values.get(p, "database")), str(values.plain(schema)))] = str(
                values.get(p, "service"))
    homes = {str(values.get(p, "loginRole")): str(values.get(p, "database")) for p in models}
    for r in resources:
        if r.resource_type != tokens.ROLE:
            continue
        p = planned.props(r)
        try:
            role = str(values.get(p, "name", r.name))
            path = [str(values.plain(x)) for x in values.items(p.get("searchPaths"),
                                                               "searchPaths")]
        except UnknownValueError:
            continue
        owners = sorted({owner_of[(homes[role], s)] for s in path
                         if role in homes and (homes[role], s) in owner_of})
        if len(owners) > 1:
            report_violation(
                f"[{NAME}] Role '{r.name}' ({role}) resolves names in the schemas of "
                f"{owners}: one could shadow the other's tables for it. Fix: one owner's "
                "schemas (and extensions) on a search_path; qualified names for the rest.",
                r.urn)


POLICY = StackValidationPolicy(
    name=NAME,
    description="Every managed database is hardened, a session watchdog runs, and no "
                "login's search_path spans two services' schemas.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
