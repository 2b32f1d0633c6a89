"""Policy: no managed role is privileged beyond DML (no superuser, createrole, createdb,
replication, bypassrls). The admin user is the image's, never a managed Role. A role that is a
member of another (a migrator in its owner) is NOINHERIT and becomes exactly that role at login,
so it never holds the owner's rights under its own name; `service-access-declared` checks that
the pair is a service's migrator and owner. The one predefined role a managed role may hold is
pg_monitor (statistics, no rows), for the exporter's monitor; `service-access-declared` checks
it is the monitor a MetricsExporter declares. REPLICATION alone, with no membership, is the
replicas' login; `service-access-declared` checks that a ReadReplica declares it."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from pgplatform_policy import tokens, values

NAME = "no-privileged-roles"
STATISTICS_ONLY = ("pg_monitor",)
FLAGS = {
    "superuser": "SUPERUSER",
    "createRole": "CREATEROLE",
    "createDatabase": "CREATEDB",
    "replication": "REPLICATION",
    "bypassRowLevelSecurity": "BYPASSRLS",
}


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != tokens.ROLE:
        return
    granted = [attr for prop, attr in FLAGS.items()
               if prop in args.props and values.truthy(args.props[prop])]
    if granted == ["REPLICATION"] and not args.props.get("roles") and \
            not values.get(args.props, "assumeRole"):
        # A bare replication login (the replicas'); `service-access-declared` checks that a
        # ReadReplica declares it.
        return
    if granted:
        role = values.get(args.props, "name", args.name)
        report_violation(f"[{NAME}] Role '{args.name}' ({role}) has {', '.join(granted)}: "
                         "service roles own their schema or do DML, nothing more.", None)
    try:
        members = [str(values.plain(x)) for x in values.items(args.props.get("roles"), "roles")]
        assume = values.get(args.props, "assumeRole") or None
    except UnknownValueError:
        return  # not known during preview; checked again with the real values on update
    if members == list(STATISTICS_ONLY) and not assume:
        return
    if members or assume:
        role = values.get(args.props, "name", args.name)
        inherit = "inherit" not in args.props or values.truthy(args.props["inherit"])
        if inherit or members != ([assume] if assume else []):
            report_violation(
                f"[{NAME}] Role '{args.name}' ({role}) is a member of {members or 'nothing'} "
                f"with assumeRole {assume!r} and inherit {inherit}: a membership must be "
                "NOINHERIT, in exactly the role it assumes at login.", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Roles are never SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
