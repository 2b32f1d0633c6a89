"""End to end: `scripts/harness up ci` against a real Docker engine, then every service's DSN
is used for real: its own schema works, every other service's schema and database refuse it.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
import pytest
from psycopg import sql

from pgplatform import config, outputs

from conftest import PROJECT_ROOT, STACK, CiDeployment

pytestmark = pytest.mark.e2e
CFG = config.from_stack_file(PROJECT_ROOT, STACK)


@pytest.fixture(scope="module")
def deployed(ci_deployment: CiDeployment) -> dict[str, Any]:
    return {**ci_deployment.outputs, "_second_run": ci_deployment.second_up}


def tables(admin_dsn: str, database: str, schema: str) -> list[str]:
    dsn = re.sub(r"/postgres\?", f"/{database}?", admin_dsn)
    with psycopg.connect(dsn) as c:
        return [r[0] for r in c.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", (schema,))]


def test_harness__second_up_changes_nothing(deployed: dict[str, Any]) -> None:
    second = deployed["_second_run"]
    assert second.returncode == 0, second.stderr
    assert re.search(r": 0 changed, \d+ unchanged", second.stdout), second.stdout[-2000:]


def test_harness__outputs_have_the_documented_shape(deployed: dict[str, Any]) -> None:
    assert set(deployed) - {"_second_run"} == set(outputs.STACK_KEYS)
    assert deployed[outputs.HOST] == "127.0.0.1"
    assert deployed[outputs.PORT] == CFG.server.host_port
    for svc in CFG.services:
        got = deployed[outputs.SERVICES][svc.name]
        assert (got[outputs.SERVICE_LOGIN_ROLE], got[outputs.SERVICE_OWNER_ROLE]) == (
            svc.login_role, svc.owner_role)


@pytest.mark.parametrize("svc", CFG.services, ids=lambda s: s.name)
def test_service__can_use_its_own_schema(deployed: dict[str, Any], svc: config.ServiceConfig
                                         ) -> None:
    own = tables(deployed[outputs.ADMIN_DSN], svc.database, svc.schema)
    assert own, f"{svc.name}: bootstrap created no tables in {svc.schema}"
    with psycopg.connect(deployed[outputs.SERVICES][svc.name][outputs.SERVICE_DSN]) as c:
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
    deployed: dict[str, Any], svc: config.ServiceConfig, other: config.ServiceConfig
) -> None:
    dsn = deployed[outputs.SERVICES][svc.name][outputs.SERVICE_DSN]
    if other.database != svc.database:
        foreign = re.sub(r"/[a-z_0-9]+\?", f"/{other.database}?", dsn)
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(foreign).close()
        return
    their = tables(deployed[outputs.ADMIN_DSN], other.database, other.schema)
    assert their
    with psycopg.connect(dsn, autocommit=True) as c:
        for t in their:
            ident = sql.Identifier(other.schema, t)
            if svc.name in other.readers:
                c.execute(sql.SQL("SELECT count(*) FROM {}").format(ident))
            else:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    c.execute(sql.SQL("SELECT count(*) FROM {}").format(ident))
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(sql.SQL("DELETE FROM {} WHERE false").format(ident))
