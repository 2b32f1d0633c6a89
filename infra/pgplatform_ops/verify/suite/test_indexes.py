"""Performance indexes: declared ones exist as declared, and the planner chooses them."""

from __future__ import annotations

import pytest

from pgplatform import modules
from pgplatform.model import ServiceConfig
from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.verify import indexes
from pgplatform_ops.verify.catalog import ServerSnapshot
from pgplatform_ops.verify.findings import Finding
from pgplatform_ops.verify.plugin import check

pytestmark = pytest.mark.postdeploy


def test_indexes__declared_indexes_exist_valid_with_method_and_opclass(
    request: pytest.FixtureRequest, deployed: DeployedStack, server: ServerSnapshot,
    service: ServiceConfig,
) -> None:
    module = modules.load(deployed.cfg.sql_root, service.module)
    check(request, indexes.declared(service, module, server.per_database[service.database]))


def test_indexes__planner_chooses_each_declared_index(
    request: pytest.FixtureRequest, planner_findings: dict[str, list[Finding]],
    module_service: ServiceConfig,
) -> None:
    """Once per module: every service of a module has the same SQL, checked above."""
    check(request, planner_findings[module_service.module])
