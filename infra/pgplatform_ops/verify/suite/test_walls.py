"""The walls against a hostile neighbour (`pgplatform.hardening`), per managed database; the
probes call each revoked built-in as every login (test_probes)."""

from __future__ import annotations

import psycopg
import pytest

from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.verify import walls
from pgplatform_ops.verify.plugin import check, needs_container

pytestmark = pytest.mark.postdeploy
EXTERNAL = ("a managed server's admin is no superuser: it can neither take built-ins from "
            "PUBLIC nor install event triggers (README: the residual risks of external mode)")


def test_walls__revoked_built_ins_only_where_declared(request: pytest.FixtureRequest,
                                                     deployed: DeployedStack,
                                                     database: str) -> None:
    needs_container(deployed, EXTERNAL)
    with psycopg.connect(deployed.admin_dsn(database), autocommit=True) as conn:
        check(request, walls.built_ins(deployed.cfg, conn, database))


def test_walls__guard_trigger_fires_for_every_role(request: pytest.FixtureRequest,
                                                   deployed: DeployedStack,
                                                   database: str) -> None:
    needs_container(deployed, EXTERNAL)
    with psycopg.connect(deployed.admin_dsn(database), autocommit=True) as conn:
        check(request, walls.guard(conn, database))


def test_walls__no_policy_in_a_read_shared_schema(request: pytest.FixtureRequest,
                                                  deployed: DeployedStack,
                                                  database: str) -> None:
    with psycopg.connect(deployed.admin_dsn(database), autocommit=True) as conn:
        check(request, walls.read_shared_policies(deployed.cfg, conn, database))
