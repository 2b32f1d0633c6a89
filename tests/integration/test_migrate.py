"""The migration runner against a real PostgreSQL 17 + pgvector server."""

from __future__ import annotations

import dataclasses
import multiprocessing
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from pgplatform import modules, paths
from pgplatform.migrate import runner

from pgserver import PgServer
from scaffold import fresh_database, migration_target

pytestmark = pytest.mark.integration
SQL_ROOT = paths.SQL_ROOT
MODULE = "vector_store"


@pytest.fixture
def module_copy(tmp_path: Path) -> modules.Module:
    """A private copy of the module, so a test may edit files without touching sql/."""
    shutil.copytree(SQL_ROOT / MODULE, tmp_path / MODULE)
    return modules.load(tmp_path, MODULE)


@pytest.fixture
def target(pg_server: PgServer, module_copy: modules.Module, request: pytest.FixtureRequest
           ) -> Iterator[runner.Target]:
    db = "mig_" + request.node.name.split("[")[0].removeprefix("test_migrate__")[:40]
    dsn = fresh_database(pg_server, db, ("vs",), "vs_owner")
    yield migration_target(pg_server, dsn, service="vs", schemas=("vs",), owner="vs_owner",
                           module=module_copy)


def _tables(dsn: str, schema: str) -> list[str]:
    with psycopg.connect(dsn) as c:
        return [r[0] for r in c.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", (schema,))]


def test_migrate__applies_in_order_then_is_a_no_op(target: runner.Target) -> None:
    applied = runner.migrate(target)
    assert [m.version for m in applied] == [m.version for m in target.module.migrations]
    assert runner.migrate(target) == []
    rows = runner.status(target)
    assert all(r.state == "applied" for r in rows)
    assert all(r.applied and r.applied.checksum == r.migration.checksum for r in rows
               if r.migration)
    with psycopg.connect(target.dsn) as c:
        owners = {r[0] for r in c.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class "
            "WHERE relnamespace = 'vs'::regnamespace")}
    assert owners == {"vs_owner"}, "objects must be owned by the service's owner role"


def test_migrate__rolls_back_fully_and_reapplies(target: runner.Target) -> None:
    runner.migrate(target)
    assert _tables(target.dsn, "vs")
    runner.rollback(target, steps=len(target.module.migrations))
    assert _tables(target.dsn, "vs") == []
    assert all(r.state == "pending" for r in runner.status(target))
    runner.migrate(target)
    assert _tables(target.dsn, "vs")


def test_migrate__refuses_an_edited_applied_file_naming_it(target: runner.Target) -> None:
    runner.migrate(target)
    first = target.module.migrations[0]
    first.path.write_text(first.sql + "\n-- edited\n")
    with pytest.raises(runner.MigrationError, match=first.path.name):
        runner.migrate(target)


def test_migrate__failure_leaves_nothing_half_applied_and_names_file_and_statement(
    target: runner.Target,
) -> None:
    bad = target.module.path / "9999_create_broken.sql"
    bad.write_text("-- vector_store 9999: broken on purpose\nCREATE TABLE half (i int);\n"
                   "SELECT no_such_function();\n")
    module = modules.load(target.module.path.parent, MODULE)
    broken = dataclasses.replace(target, module=module)
    with pytest.raises(runner.MigrationError) as err:
        runner.migrate(broken)
    assert "9999_create_broken.sql" in str(err.value) and "statement 2" in str(err.value)
    assert "half" not in _tables(target.dsn, "vs")
    assert [r.state for r in runner.status(broken)][-1] == "pending"


def test_migrate__a_migration_blocked_by_an_open_transaction_gives_up_naming_why(
    target: runner.Target,
) -> None:
    """ALTER TABLE behind an app's open transaction would queue every later query on the
    table behind it; the runner's lock timeout ends the wait instead."""
    runner.migrate(target)
    table = sorted(_tables(target.dsn, "vs"))[0]
    (target.module.path / "9999_alter_busy.sql").write_text(
        f"-- vector_store 9999: waits on purpose\nALTER TABLE {table} ADD COLUMN busy int;\n")
    busy = dataclasses.replace(target, module=modules.load(target.module.path.parent, MODULE))
    with psycopg.connect(target.admin_dsn) as app:
        app.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("vs", table)))
        with pytest.raises(runner.MigrationError) as err:
            runner.migrate(busy)
    assert "9999_alter_busy.sql" in str(err.value), str(err.value)
    assert f"waited {runner.MIGRATION_LOCK_TIMEOUT} for a lock" in str(err.value), str(err.value)
    assert [r.state for r in runner.status(busy)][-1] == "pending"
    assert [m.id for m in runner.migrate(busy)] == ["9999_alter_busy"], "applies once quiet"


def _run_one(args: tuple[str, str, str]) -> int:
    dsn, admin_dsn, root = args
    t = runner.Target(dsn=dsn, admin_dsn=admin_dsn, service="vs", schemas=("vs",),
                      owner_role="vs_owner", module=modules.load(Path(root), MODULE))
    return len(runner.migrate(t))


def test_migrate__concurrent_runners_apply_each_migration_once(target: runner.Target) -> None:
    root = str(target.module.path.parent)
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        counts = pool.map(_run_one, [(target.dsn, target.admin_dsn, root)] * 4)
    assert sum(counts) == len(target.module.migrations), counts
    assert sorted(counts)[:-1] == [0, 0, 0]


def test_migrate__no_wait_fails_cleanly_while_another_runner_holds_the_lock(
    target: runner.Target,
) -> None:
    runner.status(target)  # creates the bookkeeping
    with psycopg.connect(target.dsn) as holder:  # the service's migrator, as a runner is
        holder.execute("SELECT 1 FROM pgplatform.migration_locks WHERE service = 'vs' "
                       "FOR UPDATE")
        with pytest.raises(runner.LockBusy, match="another runner holds the lock"):
            runner.migrate(target, wait=False)
    assert runner.migrate(target, wait=False)


def test_migrate__no_other_login_can_take_or_hold_the_lock(
    pg_server: PgServer, target: runner.Target,
) -> None:
    """Any login could take the advisory lock of an earlier version (its key is public) and sit
    on it; the lock row is reachable by the service's owner only."""
    runner.status(target)
    database = conninfo_to_dict(target.dsn)["dbname"]
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = 'intruder'").fetchone():
            admin.execute("CREATE ROLE intruder LOGIN PASSWORD 'intruder'")
        admin.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO intruder").format(
            sql.Identifier(str(database))))
    with psycopg.connect(pg_server.dsn(str(database), "intruder", "intruder")) as intruder:
        intruder.execute("SELECT pg_advisory_lock(hashtext(%s), hashtext(%s))",
                         (runner.LOCK_NAMESPACE, "vs"))  # the old key: no longer the lock
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            intruder.execute("SELECT 1 FROM pgplatform.migration_locks FOR UPDATE")
        intruder.rollback()
        assert runner.migrate(target, wait=False), "the runner must not wait on the intruder"
    with psycopg.connect(target.dsn) as owner:  # the service's own migrator, as its owner
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            owner.execute("UPDATE pgplatform.migration_locks SET service = 'another'")
        owner.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # WITH CHECK of the policy
            owner.execute("UPDATE pgplatform.migration_locks SET owner_role = 'intruder'")
