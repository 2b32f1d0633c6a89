"""What a stack policy sees of a resource the update creates: nothing, in a preview.

The engine hands stack validation each resource's outputs, and a resource a preview is about to
create has none yet: with the real engine (pulumi 3.188 and the bridged providers), every new
Grant read as granting nothing to no one, so a pull request's new grants went unchecked, or
were refused for naming no role. Resource validation runs first, once per resource, with its
inputs, in the same pack process: `REMEMBER` keeps them, and stack policies read a resource
through `props()`, its outputs or, when it has none, the inputs remembered.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

_SEEN: dict[str, Mapping[str, Any]] = {}
_LOCK = threading.Lock()


def _remember(args: ResourceValidationArgs, _: ReportViolation) -> None:
    with _LOCK:
        _SEEN[args.urn] = args.props


def props(r: PolicyResource) -> Mapping[str, Any]:
    if len(r.props):
        return r.props
    with _LOCK:
        return _SEEN.get(r.urn, r.props)


REMEMBER = ResourceValidationPolicy(
    name="planned-properties",
    description="Records each resource's inputs for the stack policies, which see only "
                "outputs (none yet for a resource a preview creates). Reports nothing.",
    validate=_remember,
    enforcement_level=EnforcementLevel.MANDATORY,
)
