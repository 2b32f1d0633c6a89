"""collab_sessions' claim_task under contention: 8 worker processes, each with its own connection
as a login role that has only DML on the schema, drain a 10,000-task queue; every task is claimed
exactly once."""

from __future__ import annotations

import multiprocessing
import queue
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from psycopg import sql

from pgplatform import modules, paths
from pgplatform.migrate import runner

from pgserver import PgServer
from scaffold import fresh_database, migration_target

pytestmark = pytest.mark.integration
SQL_ROOT = paths.SQL_ROOT
DATABASE, SCHEMA, SERVICE = "claim_task", "collab", "collab_sessions"
OWNER, LOGIN, LOGIN_PASSWORD = "collab_sessions_owner", "claim_task_app", "claim-task-app-pw"
WORKERS = 8
TASKS = 10_000
SESSIONS = 20
WORKER_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class WorkerResult:
    worker: int
    claimed: list[tuple[int, str]]
    """(task id, agent name) in claim order."""
    started: float
    finished: float
    error: str | None = None


def _control_agent(worker: int) -> str:
    return f"control-{worker}"


def _claim_worker(worker: int, dsn: str, agents: list[str], barrier: Any, results: Any) -> None:
    """Worker process: after every worker is connected, claim for each agent (starting at a
    different one per worker) until its queue is empty; report what was claimed."""
    claimed: list[tuple[int, str]] = []
    started = finished = 0.0
    try:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute("SELECT 1")
            barrier.wait(timeout=60)
            started = time.time()
            order = agents[worker % len(agents):] + agents[:worker % len(agents)]
            for agent in order:
                while True:
                    row = c.execute("SELECT id, agent_name FROM collab.claim_task(%s, %s)",
                                    (agent, _control_agent(worker))).fetchone()
                    if row is None:
                        break
                    claimed.append((int(row[0]), str(row[1])))
            finished = time.time()
        results.put(WorkerResult(worker, claimed, started, finished))
    except BaseException as exc:  # noqa: BLE001 - the parent must hear of any failure
        results.put(WorkerResult(worker, claimed, started, time.time(),
                                 error=f"{type(exc).__name__}: {exc}"))


@pytest.fixture
def queue_database(pg_server: PgServer) -> tuple[str, str, list[str]]:
    """collab_sessions deployed, a login role like the platform's, TASKS pending tasks.
    Returns (admin DSN, login DSN, agent names)."""
    dsn = fresh_database(pg_server, DATABASE, (SCHEMA,), OWNER)
    runner.migrate(migration_target(pg_server, dsn, service=SERVICE, schemas=(SCHEMA,), owner=OWNER,
                                    module=modules.load(SQL_ROOT, "collab_sessions")))
    login = sql.Identifier(LOGIN)
    with psycopg.connect(pg_server.admin_dsn, autocommit=True) as c:
        if c.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (LOGIN,)).fetchone():
            c.execute(sql.SQL("DROP OWNED BY {}").format(login))  # grants in other test dbs
            c.execute(sql.SQL("DROP ROLE {}").format(login))
        c.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            login, sql.Literal(LOGIN_PASSWORD)))
    with psycopg.connect(dsn, autocommit=True) as c:
        for grant in ("GRANT USAGE ON SCHEMA collab TO {}",
                      "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA collab TO {}",
                      "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA collab TO {}",
                      "GRANT USAGE ON SCHEMA extensions TO {}"):
            c.execute(sql.SQL(grant).format(login))
        agents = [str(r[0]) for r in c.execute("SELECT name FROM collab.agents ORDER BY id")]
        assert agents, "collab.agents: expected the seeded agents (0004), found none"
        c.execute("INSERT INTO collab.sessions (id, title) "
                  "SELECT i, 'session ' || i FROM generate_series(1, %s) i", (SESSIONS,))
        c.execute(
            """INSERT INTO collab.tasks (session_id, agent_name, task_type, priority, input_data,
                                         created_at)
               SELECT 1 + i %% %(sessions)s, (%(agents)s::text[])[1 + i %% %(n_agents)s], 'code',
                      i %% 5, jsonb_build_object('n', i),
                      now() - (i %% 997) * interval '1 second'
               FROM generate_series(1, %(tasks)s) i""",
            {"sessions": SESSIONS, "agents": agents, "n_agents": len(agents), "tasks": TASKS})
        c.execute("ANALYZE collab.tasks")
    return dsn, pg_server.dsn(DATABASE, user=LOGIN, password=LOGIN_PASSWORD), agents


def _run_workers(login_dsn: str, agents: list[str]) -> list[WorkerResult]:
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    results = ctx.Queue()
    procs = [ctx.Process(target=_claim_worker, args=(w, login_dsn, agents, barrier, results),
                         name=f"claim-worker-{w}") for w in range(WORKERS)]
    for p in procs:
        p.start()
    got: list[WorkerResult] = []
    deadline = time.monotonic() + WORKER_TIMEOUT_S
    try:
        while len(got) < WORKERS:  # drain before join: a full pipe would block the worker
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"claim workers: {WORKERS - len(got)} of {WORKERS} did not "
                                   f"report within {WORKER_TIMEOUT_S:.0f} s")
            try:
                got.append(results.get(timeout=min(left, 5.0)))
            except queue.Empty:
                dead = [p.name for p in procs if p.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(f"claim workers died without reporting: {dead}") from None
        for p in procs:
            p.join(timeout=30)
    finally:
        for p in procs:
            if p.is_alive():
                p.kill()
                p.join(timeout=10)
    return sorted(got, key=lambda r: r.worker)


def test_claim_task__concurrent_workers_claim_every_task_exactly_once(
    queue_database: tuple[str, str, list[str]],
    record_property: Callable[[str, object], None],
) -> None:
    admin_dsn, login_dsn, agents = queue_database
    with psycopg.connect(admin_dsn) as c:
        task_ids = {int(r[0]) for r in c.execute("SELECT id FROM collab.tasks")}
    assert len(task_ids) == TASKS, f"collab.tasks: expected {TASKS} tasks, found {len(task_ids)}"

    results = _run_workers(login_dsn, agents)
    errors = {r.worker: r.error for r in results if r.error}
    assert not errors, f"claim workers: expected no errors, got {errors}"

    claims = [task_id for r in results for task_id, _ in r.claimed]
    counts = Counter(claims)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    lost = len(task_ids - set(counts))
    strangers = set(counts) - task_ids
    wall_s = max(r.finished for r in results) - min(r.started for r in results)
    per_worker = [len(r.claimed) for r in results]
    figures = {"workers": WORKERS, "tasks": TASKS, "duplicates": duplicates, "lost": lost,
               "wall_s": round(wall_s, 3), "claims_per_s": round(len(claims) / wall_s, 1),
               "claims_per_worker": per_worker}
    for key, value in figures.items():
        record_property(f"claim_task_{key}", value)
    print(f"\n[claim_task] workers={WORKERS} tasks={TASKS} duplicates={duplicates} lost={lost} "
          f"wall={wall_s:.2f} s claims/s={len(claims) / wall_s:.0f} per worker={per_worker}")

    assert duplicates == 0, (
        f"claim_task: expected 0 tasks claimed twice, got {duplicates} "
        f"(e.g. {[t for t, n in counts.items() if n > 1][:10]})")
    assert lost == 0, (
        f"claim_task: expected 0 tasks left unclaimed, got {lost} "
        f"(e.g. {sorted(task_ids - set(counts))[:10]})")
    assert not strangers, f"claim_task: expected only inserted tasks, got ids {sorted(strangers)}"

    claimed_by = {task_id: _control_agent(r.worker) for r in results for task_id, _ in r.claimed}
    with psycopg.connect(admin_dsn) as c:
        rows = c.execute("SELECT id, status, claimed_by, claimed_at IS NOT NULL "
                         "FROM collab.tasks").fetchall()
    wrong = [(i, status, by, at) for i, status, by, at in rows
             if status != "claimed" or by != claimed_by.get(i) or not at]
    assert not wrong, (
        f"collab.tasks: expected every task status=claimed, claimed_by its worker, claimed_at "
        f"set; {len(wrong)} differ (e.g. {wrong[:5]})")
