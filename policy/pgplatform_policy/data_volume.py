"""Policy: a production stack's data volume is protected.

The program registers `pgplatform:index:PostgresServer` with {production, allowVolumeDeletion,
volumeName, bindAddress}; its data volume is a `docker:index/volume:Volume` child. When
`production` is true every such volume must carry the `protect` resource option.

`retainOnDelete` cannot be checked: the engine does not send it to policy packs (pulumi-policy's
`PolicyResourceOptions` has `protect` but no `retain_on_delete`).
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from pgplatform_policy import planned, tokens, values

NAME = "production-data-protected"


def _volumes_of(server: PolicyResource, resources: list[PolicyResource]) -> list[PolicyResource]:
    volume_name = values.get(planned.props(server), "volumeName")
    return [r for r in resources if r.resource_type == tokens.VOLUME and (
        r.opts.parent == server.urn or (r.parent is not None and r.parent.urn == server.urn)
        or (volume_name is not None and values.get(planned.props(r), "name") == volume_name))]


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    resources = list(args.resources)
    for server in resources:
        if server.resource_type != tokens.POSTGRES_SERVER:
            continue
        where = f"PostgresServer '{server.name}'"
        if "production" not in planned.props(server):
            report_violation(
                f"[{NAME}] {where} does not expose 'production', so the policy cannot tell "
                "whether its data must be protected (the component must register it as an "
                "output as well as an input).", server.urn)
            continue
        try:
            production = values.truthy(planned.props(server)["production"])
        except UnknownValueError:
            continue
        if not production:
            continue
        volumes = _volumes_of(server, resources)
        if not volumes:
            report_violation(f"[{NAME}] {where} is production but has no data volume "
                             "(docker Volume child) to protect.", server.urn)
        for v in volumes:
            if not v.opts.protect:
                name = values.get(planned.props(v), "name", "?")
                report_violation(
                    f"[{NAME}] Volume '{v.name}' ({name}) holds "
                    f"the data of production {where} but is not protected: set "
                    "protect=True (and never allowVolumeDeletion in production).", v.urn)


POLICY = StackValidationPolicy(
    name=NAME,
    description="In a stack marked production, the PostgreSQL data volume has the protect "
                "option.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
