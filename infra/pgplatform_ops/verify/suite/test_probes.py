"""Behavioural probes: each login of the model, connected for real, is refused everywhere but
where the model lets it."""

from __future__ import annotations

import pytest

from pgplatform.model import ConsumerConfig, ServiceConfig
from pgplatform_ops.verify.plugin import check, probe_findings
from pgplatform_ops.verify.probes import ProbeRun

pytestmark = pytest.mark.postdeploy


def test_probes__service_is_isolated(request: pytest.FixtureRequest,
                                     probe_runs: dict[str, ProbeRun],
                                     service: ServiceConfig) -> None:
    """Its app, migrator and read-only logins."""
    check(request, probe_findings(probe_runs, service))


def test_probes__consumer_reads_only_what_it_lists(request: pytest.FixtureRequest,
                                                   probe_runs: dict[str, ProbeRun],
                                                   consumer: ConsumerConfig) -> None:
    check(request, probe_findings(probe_runs, consumer))
