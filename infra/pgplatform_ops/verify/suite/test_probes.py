"""Behavioural probes: each login of the model, connected for real, is refused everywhere but
where the model lets it."""

from __future__ import annotations

import pytest

from pgplatform.model import ConsumerConfig, ServiceConfig
from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.verify.plugin import (
    MAINTENANCE_KEY,
    MONITOR_KEY,
    WATCHDOG_KEY,
    check,
    needs_container,
    probe_findings,
)
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


def test_probes__monitor_reads_statistics_only(request: pytest.FixtureRequest,
                                               probe_runs: dict[str, ProbeRun]) -> None:
    """The exporter's login, when the stack runs one."""
    if MONITOR_KEY not in probe_runs:
        pytest.skip("the stack runs no exporter: there is no monitor login")
    check(request, probe_runs[MONITOR_KEY].findings)


def test_probes__watchdog_ends_sessions_only_through_its_function(
        request: pytest.FixtureRequest, deployed: DeployedStack,
        probe_runs: dict[str, ProbeRun]) -> None:
    needs_container(deployed, "a managed server runs no session watchdog (its admin may not "
                              "end other logins' sessions)")
    check(request, probe_runs[WATCHDOG_KEY].findings)


def test_probes__maintenance_databases_refuse_every_login(request: pytest.FixtureRequest,
                                                         deployed: DeployedStack,
                                                         probe_runs: dict[str, ProbeRun]) -> None:
    needs_container(deployed, "postgres and template1 belong to the provider: the bundle does "
                              "not change who may connect to them (no service keeps anything "
                              "there)")
    check(request, probe_runs[MAINTENANCE_KEY].findings)
