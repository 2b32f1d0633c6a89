"""Behavioural probes: each login role, connected for real, is refused everywhere but home."""

from __future__ import annotations

import pytest

from pgplatform.config import ServiceConfig
from pgplatform.verify import probes
from pgplatform.verify.catalog import ServerSnapshot
from pgplatform.verify.deployment import Deployment

from conftest import check

pytestmark = pytest.mark.postdeploy


def test_probes__service_is_isolated(request: pytest.FixtureRequest, deployed: Deployment,
                                     server: ServerSnapshot, service: ServiceConfig) -> None:
    check(request, probes.probe_service(deployed.cfg, service, deployed.service_dsn(service.name),
                                        server.per_database[service.database]))
