"""The expected-ACL matrix against the live catalog: nothing more, nothing less."""

from __future__ import annotations

import psycopg
import pytest

from pgplatform import access
from pgplatform.access import RoleSpec
from pgplatform_ops.stack import DeployedStack
from pgplatform_ops.verify import checks
from pgplatform_ops.verify.catalog import ServerSnapshot
from pgplatform_ops.verify.expected import ExpectedMatrix
from pgplatform_ops.verify.plugin import check

pytestmark = pytest.mark.postdeploy


def test_acl__database_privileges_of_every_role(request: pytest.FixtureRequest,
                                                matrix: ExpectedMatrix, server: ServerSnapshot,
                                                database: str) -> None:
    """Every (role, database) pair of the matrix, for this database."""
    check(request, [f for role in matrix.roles
                    for f in checks.database_acl(matrix, server.databases, database, role)])


def test_acl__schema_privileges_of_every_role(request: pytest.FixtureRequest,
                                              matrix: ExpectedMatrix, server: ServerSnapshot,
                                              managed_schema: tuple[str, str]) -> None:
    """Every (role, schema) pair of the matrix, for this schema."""
    db, schema = managed_schema
    check(request, [f for role in matrix.roles
                    for f in checks.schema_acl(matrix, server.per_database[db], schema, role)])


def test_acl__objects_of_service_schema(request: pytest.FixtureRequest, matrix: ExpectedMatrix,
                                        server: ServerSnapshot,
                                        service_schema: tuple[str, str]) -> None:
    db, schema = service_schema
    check(request, checks.schema_objects(matrix, server.per_database[db], schema))


def test_acl__default_privileges(request: pytest.FixtureRequest, matrix: ExpectedMatrix,
                                 server: ServerSnapshot, database: str) -> None:
    check(request, checks.default_privileges(matrix, server.per_database[database]))


def test_acl__no_grantee_outside_the_model(request: pytest.FixtureRequest,
                                           deployed: DeployedStack, matrix: ExpectedMatrix,
                                           server: ServerSnapshot, database: str) -> None:
    check(request, checks.foreign_grantees(matrix, server.per_database[database],
                                           server.databases, deployed.cfg.server.admin_user))


def test_roles__attributes_and_settings(request: pytest.FixtureRequest, server: ServerSnapshot,
                                        role_spec: RoleSpec) -> None:
    """Every role of the model: LOGIN, INHERIT, connection limit, its settings (the migrator's
    `role`, the read-only logins' `default_transaction_read_only`, timeouts)."""
    check(request, checks.role_attributes(role_spec, server.roles))


def test_roles__no_role_outside_the_model(request: pytest.FixtureRequest,
                                          deployed: DeployedStack,
                                          server: ServerSnapshot) -> None:
    check(request, checks.unmanaged_roles(deployed.cfg, server.roles))


def test_roles__memberships_are_exactly_the_modelled_ones(request: pytest.FixtureRequest,
                                                          deployed: DeployedStack,
                                                          server: ServerSnapshot) -> None:
    s = deployed.cfg.server
    if not s.is_external:
        check(request, checks.memberships(access.all_roles(deployed.cfg), server.memberships))
        return
    with psycopg.connect(deployed.admin_dsn(), autocommit=True) as conn:
        row = conn.execute("SHOW createrole_self_grant").fetchone()
    check(request, checks.memberships(access.all_roles(deployed.cfg), server.memberships,
                                      external_admin=s.admin_user,
                                      self_grant=str(row[0]) if row else ""))
