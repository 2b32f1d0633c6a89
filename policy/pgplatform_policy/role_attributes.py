"""Policy: no managed role is privileged beyond DML (no superuser, createrole, createdb,
replication, bypassrls). The admin user is the image's, never a managed Role."""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from pgplatform_policy import tokens, values

NAME = "no-privileged-roles"
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
    if granted:
        role = values.get(args.props, "name", args.name)
        report_violation(f"[{NAME}] Role '{args.name}' ({role}) has {', '.join(granted)}: "
                         "service roles own their schema or do DML, nothing more.", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Roles are never SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
