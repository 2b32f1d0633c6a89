"""Behavioural probes: each login role, connected for real, is refused everywhere but home."""

from __future__ import annotations

import pytest

from pgplatform.model import ServiceConfig
from pgplatform_ops.verify.findings import Finding
from pgplatform_ops.verify.plugin import check

pytestmark = pytest.mark.postdeploy


def test_probes__service_is_isolated(request: pytest.FixtureRequest,
                                     probe_findings: dict[str, list[Finding]],
                                     service: ServiceConfig) -> None:
    check(request, probe_findings[service.name])
