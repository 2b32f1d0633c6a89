"""The pgplatform policy pack: its name, its policies (all mandatory), and what `__main__`
needs to serve it."""

from __future__ import annotations

from typing import Any

from pulumi_policy import EnforcementLevel, Policy

from pgplatform_policy import (
    data_volume,
    network,
    planned,
    role_attributes,
    secrets,
    service_access,
    tls_only,
    walls,
)
from pgplatform_policy.values import keep_secret_markers

PACK_NAME = "pgplatform"

POLICIES: list[Policy] = [
    # First: resource validations run before the stack policies, which read what it records.
    planned.REMEMBER,
    service_access.POLICY,
    network.POLICY,
    data_volume.POLICY,
    role_attributes.POLICY,
    secrets.POLICY,
    tls_only.POLICY,
    walls.POLICY,
]

PACK: dict[str, Any] = {
    "name": PACK_NAME,
    "policies": POLICIES,
    "enforcement_level": EnforcementLevel.MANDATORY,
    "description": "Least privilege between services, loopback-only ports, protected "
                   "production data, secret passwords, verified TLS, a network of its own.",
}

__all__ = ["PACK", "PACK_NAME", "POLICIES", "keep_secret_markers"]
