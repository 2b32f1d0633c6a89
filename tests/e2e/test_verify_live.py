"""Verification on a live stack: with real rows committed in every service's tables (the ids
the fixtures use included) it passes, writes nothing into any service table (their statistics
are unchanged by a run), keeps an app writing to its tables from waiting on a lock for more than
100 ms, and a check that breaks for one service fails that service's check alone."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from pgplatform import modules
from pgplatform.migrate.runner import act_as_owner
from pgplatform_ops.verify.plugin import first_service_per_module

from e2e_support import CiDeployment, script

pytestmark = pytest.mark.e2e

# What a run must leave as it found it, per service table.
_TABLE_STATS = """
SELECT s.schemaname || '.' || s.relname, s.n_tup_ins, s.n_tup_upd, s.n_tup_del, s.n_dead_tup,
       c.relpages, c.reltuples
FROM pg_stat_all_tables s JOIN pg_class c ON c.oid = s.relid
WHERE s.schemaname = ANY(%s)
"""
LOCK_WAIT = "100ms"


def _verify(ci: CiDeployment, tmp: Path) -> tuple[int, str, Path]:
    junit = tmp / "verify.xml"
    proc = script("verify", "--outputs", str(ci.outputs_file), "--junit", str(junit),
                  "--markdown", str(tmp / "verify.md"), timeout=600)
    return proc.returncode, proc.stdout + proc.stderr, junit


def _failed_checks(junit: Path) -> list[str]:
    return sorted(case.get("name", "") for case in ET.parse(junit).iter("testcase")
                  if case.find("failure") is not None or case.find("error") is not None)


def _stats(ci: CiDeployment) -> dict[str, tuple[object, ...]]:
    out: dict[str, tuple[object, ...]] = {}
    for db in ci.deployed.cfg.databases:
        schemas = [s for svc in ci.deployed.cfg.services_in(db.name) for s in svc.schemas]
        with psycopg.connect(ci.deployed.admin_dsn(db.name), autocommit=True) as c:
            out |= {f"{db.name}.{row[0]}": tuple(row[1:])
                    for row in c.execute(_TABLE_STATS, (schemas,)).fetchall()}
    return out


@pytest.fixture(scope="module")
def live_rows(ci_deployment: CiDeployment) -> Iterator[int]:
    """Every module's fixture committed into its first service's live tables (explicit ids
    and all), through the service's migrator; VACUUM ANALYZE after, so that autovacuum has
    nothing left to do while a run is measured. Truncated at the end."""
    cfg, total = ci_deployment.deployed.cfg, 0
    loaded = first_service_per_module(cfg)
    for svc in loaded:
        module = modules.load(cfg.sql_root, svc.module)
        if module.fixture is None:
            continue
        with psycopg.connect(ci_deployment.deployed.migrator_dsn(svc.name)) as conn:
            act_as_owner(conn, svc.owner_role, svc.schemas)
            conn.execute(module.fixture.read_text().encode())
    for db in cfg.databases:
        schemas = [s for svc in cfg.services_in(db.name) for s in svc.schemas]
        with psycopg.connect(ci_deployment.deployed.admin_dsn(db.name), autocommit=True) as c:
            for schema, table in c.execute("SELECT schemaname, tablename FROM pg_tables "
                                           "WHERE schemaname = ANY(%s)", (schemas,)).fetchall():
                c.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(schema, table)))
                row = c.execute(sql.SQL("SELECT count(*) FROM {}").format(
                    sql.Identifier(schema, table))).fetchone()
                total += row[0] if row else 0
            c.execute("SELECT pg_stat_force_next_flush()")
    assert total > 50_000, f"expected the fixtures' rows committed, found {total}"
    try:
        yield total
    finally:
        for db in cfg.databases:
            schemas = [s for svc in cfg.services_in(db.name) for s in svc.schemas]
            with psycopg.connect(ci_deployment.deployed.admin_dsn(db.name),
                                 autocommit=True) as c:
                tables = c.execute("SELECT format('%%I.%%I', schemaname, tablename) FROM "
                                   "pg_tables WHERE schemaname = ANY(%s)", (schemas,)).fetchall()
                if tables:
                    c.execute(f"TRUNCATE {', '.join(t[0] for t in tables)} CASCADE".encode())


def test_verify__passes_on_live_rows_and_leaves_every_table_as_it_was(
    ci_deployment: CiDeployment, live_rows: int, tmp_path: Path,
) -> None:
    time.sleep(1.5)  # the loading sessions' statistics reach the shared counters
    before = _stats(ci_deployment)
    code, out, _junit = _verify(ci_deployment, tmp_path)
    assert code == 0, f"verify failed with {live_rows} live rows:\n{out[-5000:]}"
    time.sleep(1.5)  # verification's sessions have ended and flushed their counters
    after = _stats(ci_deployment)
    changed = {t: (before.get(t), after.get(t)) for t in sorted(set(before) | set(after))
               if before.get(t) != after.get(t)}
    assert not changed, (
        "verify changed (n_tup_ins, n_tup_upd, n_tup_del, n_dead_tup, relpages, reltuples) "
        f"of live tables: {changed}")


def test_verify__an_app_writing_meanwhile_never_waits_on_a_lock(
    ci_deployment: CiDeployment, live_rows: int, tmp_path: Path,
) -> None:
    """Each service's app takes its write lock (ROW EXCLUSIVE, as INSERT/UPDATE/DELETE do) on
    every table of its own in a loop, and really inserts into one table, with lock_timeout
    100 ms: a lock verification held against it would end the loop with LockNotAvailable."""
    deployed, stop = ci_deployment.deployed, threading.Event()
    errors: list[str] = []
    rounds: list[int] = []

    def write(name: str) -> None:
        svc = deployed.cfg.service(name)
        with psycopg.connect(deployed.service_dsn(name), autocommit=True) as conn:
            conn.execute(f"SET lock_timeout = '{LOCK_WAIT}'")
            tables = [sql.Identifier(s, t) for s, t in conn.execute(
                "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = ANY(%s)",
                (list(svc.schemas),)).fetchall()]
            n = 0
            while not stop.is_set():
                try:
                    with conn.transaction():
                        conn.execute(sql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(
                            sql.SQL(", ").join(tables)))
                        if name == "rag":
                            conn.execute("INSERT INTO rag.rag_sessions (id, session_id) "
                                         "VALUES (%s, %s)", (10_000_000 + n, f"verify-{n}"))
                except psycopg.Error as exc:
                    errors.append(f"{name}: {exc}".strip())
                    return
                n += 1
            rounds.append(n)

    writers = [threading.Thread(target=write, args=(s.name,)) for s in deployed.cfg.services]
    for w in writers:
        w.start()
    try:
        code, out, _junit = _verify(ci_deployment, tmp_path)
    finally:
        stop.set()
        for w in writers:
            w.join()
    assert not errors, f"an app waited over {LOCK_WAIT} on a lock during verify: {errors}"
    assert len(rounds) == len(writers) and min(rounds) > 0, rounds
    assert code == 0, out[-5000:]


def test_verify__a_planner_check_that_breaks_fails_its_module_alone(
    ci_deployment: CiDeployment, tmp_path: Path,
) -> None:
    """rag's fixture cannot load once a column it fills is renamed: its planner check fails
    naming the error, every other module's still runs and passes."""
    dsn = ci_deployment.deployed.admin_dsn("paddle")
    rename = "ALTER TABLE rag.rag_sessions RENAME COLUMN {} TO {}"
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(rename.format("context", "context_renamed").encode())
    try:
        code, out, junit = _verify(ci_deployment, tmp_path)
    finally:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(rename.format("context_renamed", "context").encode())
    assert code != 0, out[-3000:]
    assert _failed_checks(junit) == [
        "test_indexes__planner_chooses_each_declared_index[rag@rag]"], out[-5000:]
    assert 'column "context" of relation "rag_sessions" does not exist' in out, out[-3000:]
