"""Policy: no container port is published on every interface.

The docker provider publishes a port on 0.0.0.0 when `ports[].ip` is not set; `::` (or `[::]`)
is the IPv6 equivalent. Host networking publishes everything the container listens on.
"""

from __future__ import annotations

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from pgplatform_policy import tokens, values

NAME = "no-public-ports"
EVERY_INTERFACE = frozenset({"0.0.0.0", "::", "[::]", ""})


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != tokens.CONTAINER:
        return
    where = f"Container '{args.name}'"
    if values.get(args.props, "networkMode") == "host":
        report_violation(f"[{NAME}] {where} uses host networking, which publishes every port "
                         "on every host interface: publish ports on 127.0.0.1 instead.", None)
    for i, port in enumerate(values.items(args.props.get("ports"), "ports")):
        port = values.plain(port, f"ports.{i}")
        ip = values.get(port, "ip")
        if ip is None or str(ip).strip() in EVERY_INTERFACE:
            shown = "no ip, so the provider's default 0.0.0.0" if ip is None else repr(ip)
            report_violation(
                f"[{NAME}] {where} publishes port {values.get(port, 'internal')} as host port "
                f"{values.get(port, 'external', '(random)')} on {shown} (every interface): "
                "set ports[].ip to 127.0.0.1 (server.bindAddress).", None)


POLICY = ResourceValidationPolicy(
    name=NAME,
    description="Container ports are published on a specific address (127.0.0.1 by default), "
                "never on 0.0.0.0 or ::.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
