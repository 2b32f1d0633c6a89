"""End to end: `scripts/harness up ci` against a real Docker engine, then every service's DSN
is used for real: its own schema works, every other service's schema and database refuse it.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import docker.errors
import psycopg
import pytest
from deployers import harness_changes
from psycopg import sql

import docker
from pgplatform import hba, model, outputs, paths, stack_config
from pgplatform.model import ServiceConfig
from pgplatform_ops.stack import DeployedStack

from e2e_support import STACK, CiDeployment, script

pytestmark = pytest.mark.e2e
CFG = stack_config.for_stack(STACK)


@pytest.fixture(scope="module")
def deployed(ci_deployment: CiDeployment) -> DeployedStack:
    return ci_deployment.deployed


def tables(deployed: DeployedStack, database: str, schema: str) -> list[str]:
    with psycopg.connect(deployed.admin_dsn(database)) as c:
        return [r[0] for r in c.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", (schema,))]


def test_harness__second_up_changes_nothing(ci_deployment: CiDeployment) -> None:
    second = ci_deployment.second_up
    assert second.returncode == 0, second.stderr
    changes = harness_changes(second.stdout)
    assert changes is not None and changes.only() and changes.unchanged > 0, (
        second.stdout[-2000:])


def test_harness__outputs_have_the_documented_shape(ci_deployment: CiDeployment) -> None:
    exported = json.loads(ci_deployment.outputs_file.read_text())
    assert set(exported) == set(outputs.STACK_KEYS)
    got = ci_deployment.deployed.outputs
    assert (got.stack, got.host, got.port) == (STACK, "127.0.0.1", CFG.server.host_port)
    assert set(got.databases) == {d.name for d in CFG.databases}
    for svc in CFG.services:
        mine = got.services[svc.name]
        assert (mine.login_role, mine.owner_role) == (svc.login_role, svc.owner_role)


@pytest.mark.parametrize("svc", CFG.services, ids=lambda s: s.name)
def test_service__can_use_its_own_schema(deployed: DeployedStack, svc: ServiceConfig) -> None:
    own = tables(deployed, svc.database, svc.schema)
    assert own, f"{svc.name}: bootstrap created no tables in {svc.schema}"
    with psycopg.connect(deployed.service_dsn(svc.name)) as c:
        assert c.execute("SELECT current_user").fetchone() == (svc.login_role,)
        for t in own:
            ident = sql.Identifier(svc.schema, t)
            c.execute(sql.SQL("SELECT count(*) FROM {}").format(ident))
            # Privilege checks happen even when no row matches.
            plain = _plain_columns(c, svc.schema, t)
            cols = sql.SQL(", ").join(sql.Identifier(col) for col in plain)
            c.execute(sql.SQL("INSERT INTO {0} ({1}) SELECT {1} FROM {0} WHERE false").format(
                ident, cols))
            col = sql.Identifier(plain[0])
            c.execute(sql.SQL("UPDATE {} SET {} = {} WHERE false").format(ident, col, col))
            c.execute(sql.SQL("DELETE FROM {} WHERE false").format(ident))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(sql.SQL("CREATE TABLE {}.{} (i int)").format(
                sql.Identifier(svc.schema), sql.Identifier("e2e_not_allowed")))
        c.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("CREATE TABLE public.e2e_not_allowed (i int)")
        c.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(svc.schema, own[0])))


def _plain_columns(c: psycopg.Connection, schema: str, table: str) -> list[str]:
    """Columns a client may write (not generated, not GENERATED ALWAYS AS IDENTITY)."""
    rows = c.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
                     "AND table_name = %s AND is_generated = 'NEVER' AND "
                     "coalesce(identity_generation, '') <> 'ALWAYS' ORDER BY ordinal_position",
                     (schema, table)).fetchall()
    assert rows, f"{schema}.{table}: no writable column"
    return [str(r[0]) for r in rows]


PAIRS = [(a, b) for a in CFG.services for b in CFG.services if a.name != b.name]


@pytest.mark.parametrize("svc,other", PAIRS, ids=[f"{a.name}->{b.name}" for a, b in PAIRS])
def test_service__is_refused_on_every_other_service(
    deployed: DeployedStack, svc: ServiceConfig, other: ServiceConfig
) -> None:
    if other.database != svc.database:
        with pytest.raises(psycopg.OperationalError, match=hba.REJECTED):
            psycopg.connect(deployed.service_dsn_for(svc.name, other.database)).close()
        return
    their = tables(deployed, other.database, other.schema)
    assert their
    with psycopg.connect(deployed.service_dsn(svc.name), autocommit=True) as c:
        for t in their:
            ident = sql.Identifier(other.schema, t)
            if svc.name in other.readers:
                c.execute(sql.SQL("SELECT count(*) FROM {}").format(ident))
            else:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    c.execute(sql.SQL("SELECT count(*) FROM {}").format(ident))
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(sql.SQL("DELETE FROM {} WHERE false").format(ident))


def test_harness__refuses_a_container_name_it_did_not_create(
    ci_deployment: CiDeployment, tmp_path: Path,
) -> None:
    """Like the upstream provider: a name in use is a conflict, never silently replaced."""
    name = ci_deployment.deployed.cfg.server.container_name
    values = stack_config.read_stack_values(paths.stack_file(STACK))
    volume = "pgplatform-ci-intruder-data"
    values["server"] = {**values["server"], "containerName": name, "volumeName": volume}
    other = tmp_path / "Pulumi.ci_intruder.yaml"
    stack_config.write_stack_file(other, values)
    try:
        proc = script("harness", "up", "ci_intruder", str(tmp_path / "out.json"),
                      "--stack-file", str(other))
    finally:
        (paths.PROJECT_ROOT / ".harness" / "ci_intruder.json").unlink(missing_ok=True)
        # Created before the container met the conflict (its replica's volume beside it).
        server = model.from_mapping(values, stack="ci_intruder").server
        for created in (volume, *(server.replica_volume(i) for i in range(server.replicas))):
            with contextlib.suppress(docker.errors.NotFound):
                docker.from_env().volumes.get(created).remove(force=True)
        with contextlib.suppress(docker.errors.NotFound):
            docker.from_env().networks.get(server.network_name).remove()
    assert proc.returncode != 0
    # Docker's own 409, as upstream's create meets it.
    assert f'The container name "/{name}" is already in use' in proc.stdout + proc.stderr, (
        proc.stdout[-2000:] + proc.stderr[-2000:])
    with psycopg.connect(ci_deployment.deployed.admin_dsn()) as c:
        assert c.execute("SELECT 1").fetchone() == (1,), "the running deploy must be untouched"
