"""A migration runner SIGKILLed in the middle of a migration leaves nothing behind that stops the
next run: the server notices the dead client (the runner sets client_connection_check_interval),
rolls back its open transaction and frees its lock, and the next runner completes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import psycopg
import pytest

from pgplatform import modules, paths
from pgplatform.migrate import runner

from pgserver import PgServer
from scaffold import fresh_database, migration_target

pytestmark = pytest.mark.integration
SQL_ROOT = paths.SQL_ROOT
MODULE = "vector_store"
SERVICE, SCHEMA, OWNER = "crash", "crash", "crash_owner"
SLOW_TABLE = "slow_marker"
SLOW_GUC = "pgplatform.test_slow"
# Slow only for a session that sets the GUC (through PGOPTIONS): the file stays byte-identical
# between the killed run and the next one, so its checksum does too.
SLOW_SQL = f"""\
-- {MODULE} 9000: a table, then a long statement in the same transaction (crash test)
CREATE TABLE {SLOW_TABLE} (id integer PRIMARY KEY);
SELECT pg_sleep(CASE WHEN current_setting('{SLOW_GUC}', true) = 'on' THEN 30 ELSE 0 END);
"""
SLOW_DOWN_SQL = f"-- {MODULE} 9000: drop the crash-test table\nDROP TABLE {SLOW_TABLE};\n"
ENTER_SLEEP_TIMEOUT_S = 60.0
RECOVERY_TIMEOUT_S = 20.0
T = TypeVar("T")

RUNNER_SCRIPT = textwrap.dedent("""\
    import sys
    from pathlib import Path
    from pgplatform import modules, paths
    from pgplatform.migrate import runner
    dsn, admin_dsn, root, module, service, schema, owner, wait = sys.argv[1:]
    target = runner.Target(dsn=dsn, admin_dsn=admin_dsn, service=service, schemas=(schema,),
                           owner_role=owner, module=modules.load(Path(root), module))
    done = runner.migrate(target, wait=wait == "wait", log=print)
    print("applied:", ",".join(m.id for m in done), flush=True)
""")


def _runner_argv(target: runner.Target, *, wait: bool) -> list[str]:
    return [sys.executable, "-c", RUNNER_SCRIPT, target.dsn, target.admin_dsn,
            str(target.module.path.parent),
            target.module.name, target.service, target.schemas[0], target.owner_role,
            "wait" if wait else "no-wait"]


def _runner_env(pgoptions: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PGOPTIONS", None)
    if pgoptions is not None:
        env["PGOPTIONS"] = pgoptions
    return env


@pytest.fixture
def target(pg_server: PgServer, tmp_path: Path) -> runner.Target:
    shutil.copytree(SQL_ROOT / MODULE, tmp_path / MODULE)
    (tmp_path / MODULE / "9000_create_slow_marker.sql").write_text(SLOW_SQL)
    (tmp_path / MODULE / "9000_create_slow_marker.down.sql").write_text(SLOW_DOWN_SQL)
    dsn = fresh_database(pg_server, "mig_crash", (SCHEMA,), OWNER)
    return migration_target(pg_server, dsn, service=SERVICE, schemas=(SCHEMA,), owner=OWNER,
                            module=modules.load(tmp_path, MODULE))


def _sleeping_runner_pid(admin: psycopg.Connection, database: str) -> int | None:
    row = admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s "
        "AND application_name = 'pgplatform-migrate' AND state = 'active' "
        "AND query LIKE '%%pg_sleep%%'", (database,)).fetchone()
    return int(row[0]) if row else None


def _backend_alive(admin: psycopg.Connection, pid: int) -> bool:
    return admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone() \
        is not None


def _lock_free(migrator_dsn: str) -> bool:
    """Whether SERVICE's runner lock (its row of pgplatform.migration_locks) is free: taken
    and given back at once, as the service's migrator."""
    with psycopg.connect(migrator_dsn) as c:
        try:
            c.execute("SELECT 1 FROM pgplatform.migration_locks WHERE service = %s "
                      "FOR UPDATE NOWAIT", (SERVICE,))
        except psycopg.errors.LockNotAvailable:
            return False
        c.rollback()
        return True


def _poll(what: str, timeout_s: float, probe: Callable[[], T | None]) -> T:
    """Call `probe` every 0.1 s until it returns something truthy; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        got = probe()
        if got:
            return got
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout_s:.0f} s")
        time.sleep(0.1)


def test_migrate__a_sigkilled_runner_leaves_a_state_the_next_run_completes(
    pg_server: PgServer, target: runner.Target, record_property: Callable[[str, object], None],
) -> None:
    database = "mig_crash"
    slow = subprocess.Popen(_runner_argv(target, wait=True), env=_runner_env(f"-c {SLOW_GUC}=on"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        with psycopg.connect(pg_server.admin_dsn, autocommit=True) as admin:
            def in_sleep() -> int | None:
                if slow.poll() is not None:
                    out, err = slow.communicate()
                    pytest.fail(f"slow runner: expected to be sleeping in 9000, it exited "
                                f"with {slow.returncode}:\n{out}\n{err}")
                return _sleeping_runner_pid(admin, database)

            backend = _poll("slow runner inside pg_sleep of 9000", ENTER_SLEEP_TIMEOUT_S,
                            in_sleep)
            os.kill(slow.pid, signal.SIGKILL)
            killed_at = time.monotonic()
            slow.wait(timeout=10)
            assert slow.returncode == -signal.SIGKILL, (
                f"slow runner: expected killed by SIGKILL, exit status {slow.returncode}")

            _poll(f"server dropping the dead runner's backend {backend}", RECOVERY_TIMEOUT_S,
                  lambda: not _backend_alive(admin, backend))
            dropped_s = time.monotonic() - killed_at
    finally:
        if slow.poll() is None:
            slow.kill()
            slow.wait(timeout=10)

    versions = [m.version for m in target.module.migrations]
    assert _lock_free(target.dsn), (
        f"runner lock of service {SERVICE}: expected free once the runner died, still held")
    with psycopg.connect(target.dsn, autocommit=True) as c:
        half = c.execute("SELECT to_regclass(%s)", (f"{SCHEMA}.{SLOW_TABLE}",)).fetchone()
        assert half == (None,), (
            f"table {SCHEMA}.{SLOW_TABLE}: expected rolled back with the killed run, found {half}")
    states = {r.migration.version if r.migration else -1: r.state
              for r in runner.status(target)}
    assert states == {v: "pending" if v == 9000 else "applied" for v in versions}, (
        f"status after the kill: expected all applied but 9000 pending, got {states}")

    # wait=False: the next runner must find the lock free, not queue behind the dead one.
    second = subprocess.run(_runner_argv(target, wait=False), env=_runner_env(None),
                            capture_output=True, text=True, timeout=RECOVERY_TIMEOUT_S,
                            check=False)
    recovered_s = time.monotonic() - killed_at
    assert second.returncode == 0, (
        f"second runner: expected exit 0, got {second.returncode}:\n"
        f"{second.stdout}\n{second.stderr}")
    assert "applied: 9000_create_slow_marker" in second.stdout, (
        f"second runner: expected to apply only 9000, printed:\n{second.stdout}")
    assert recovered_s < RECOVERY_TIMEOUT_S, (
        f"recovery: expected the next run done within {RECOVERY_TIMEOUT_S:.0f} s of the kill, "
        f"took {recovered_s:.1f} s")
    record_property("dead_backend_dropped_s", round(dropped_s, 2))
    record_property("kill_to_completed_s", round(recovered_s, 2))
    print(f"\n[crash] dead backend dropped after {dropped_s:.1f} s; "
          f"next run done {recovered_s:.1f} s after the kill")

    with psycopg.connect(target.dsn) as c:
        copies = c.execute("SELECT count(*) FROM pg_class WHERE relname = %s AND relkind = 'r'",
                           (SLOW_TABLE,)).fetchone()
        assert copies == (1,), f"table {SLOW_TABLE}: expected exactly 1, found {copies}"
        recorded = c.execute(
            "SELECT version, count(*) FROM pgplatform.schema_migrations WHERE service = %s "
            "GROUP BY version ORDER BY version", (SERVICE,)).fetchall()
        assert recorded == [(v, 1) for v in versions], (
            f"schema_migrations: expected each of {versions} recorded once, got {recorded}")
    assert _lock_free(target.dsn), f"runner lock of service {SERVICE}: expected free, held"
    states_after = [r.state for r in runner.status(target)]
    assert states_after == ["applied"] * len(versions), (
        f"status: expected every migration applied, got {states_after}")
