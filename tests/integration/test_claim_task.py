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
    return _queue_database(pg_server, TASKS)


@pytest.fixture
def lease_queue_database(pg_server: PgServer) -> tuple[str, str, list[str]]:
    return _queue_database(pg_server, LEASE_TASKS)


def _queue_database(pg_server: PgServer, tasks: int) -> tuple[str, str, list[str]]:
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
            {"sessions": SESSIONS, "agents": agents, "n_agents": len(agents), "tasks": tasks})
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


# -- leases: a worker killed mid-task ---------------------------------------------------------

LEASE_TASKS = 20_000
LEASE = "2 seconds"
LEASE_S = 2.0
DOOMED = (0, 1)
"""Workers that claim a task and stop there, to be SIGKILLed holding it."""
DOOMED_AFTER = 200


@dataclass(frozen=True)
class LeaseResult:
    worker: int
    completed: list[int]
    """Tasks whose complete_task returned true for this worker."""
    late: int
    """complete_task calls refused: the lease had been reclaimed."""
    finished: float
    error: str | None = None


def _lease_worker(worker: int, dsn: str, agents: list[str], barrier: Any, results: Any,
                  holding: Any) -> None:
    """Claim with a lease, complete at once; until no task is left unfinished (held ones come
    back when their lease runs out). A doomed worker stops after DOOMED_AFTER tasks holding
    one, and says which."""
    completed: list[int] = []
    late = 0
    try:
        with psycopg.connect(dsn, autocommit=True) as c:
            barrier.wait(timeout=60)
            order = agents[worker % len(agents):] + agents[:worker % len(agents)]
            while True:
                claimed_any = False
                for agent in order:
                    row = c.execute("SELECT id, lease_token FROM "
                                    "collab.claim_task(%s, %s, %s::interval)",
                                    (agent, _control_agent(worker), LEASE)).fetchone()
                    if row is None:
                        continue
                    claimed_any = True
                    if worker in DOOMED and len(completed) >= DOOMED_AFTER:
                        holding.put((worker, int(row[0]), completed))
                        time.sleep(3600)  # until SIGKILLed
                    done = c.execute("SELECT collab.complete_task(%s, %s, %s)",
                                     (row[0], row[1], '{"ok": true}')).fetchone()
                    if done and done[0]:
                        completed.append(int(row[0]))
                    else:
                        late += 1
                if not claimed_any:
                    left = c.execute("SELECT count(*) FROM collab.tasks WHERE status IN "
                                     "('pending', 'claimed', 'running')").fetchone()
                    if not left or left[0] == 0:
                        break
                    time.sleep(0.1)  # held tasks: their leases will run out
        results.put(LeaseResult(worker, completed, late, time.time()))
    except BaseException as exc:  # noqa: BLE001 - the parent must hear of any failure
        results.put(LeaseResult(worker, completed, late, time.time(),
                                error=f"{type(exc).__name__}: {exc}"))


def test_claim_task__a_killed_workers_tasks_return_and_complete_exactly_once(
    lease_queue_database: tuple[str, str, list[str]],
    record_property: Callable[[str, object], None],
) -> None:
    admin_dsn, login_dsn, agents = lease_queue_database
    ctx = multiprocessing.get_context("spawn")
    barrier, results, holding = ctx.Barrier(WORKERS), ctx.Queue(), ctx.Queue()
    procs = {w: ctx.Process(target=_lease_worker,
                            args=(w, login_dsn, agents, barrier, results, holding),
                            name=f"lease-worker-{w}") for w in range(WORKERS)}
    for p in procs.values():
        p.start()
    killed: dict[int, float] = {}
    """task held by a killed worker -> when it was killed"""
    got: list[LeaseResult] = []
    deadline = time.monotonic() + WORKER_TIMEOUT_S
    try:
        while len(got) < WORKERS:
            if time.monotonic() > deadline:
                raise TimeoutError(f"lease workers: {WORKERS - len(got)} did not finish")
            try:  # a doomed worker holding its task: kill it there
                worker, task, done = holding.get_nowait()
            except queue.Empty:
                pass
            else:
                procs[worker].kill()
                procs[worker].join(timeout=10)
                killed[task] = time.time()
                got.append(LeaseResult(worker, done, 0, killed[task]))
            try:
                got.append(results.get(timeout=0.2))
            except queue.Empty:
                pass
    finally:
        for p in procs.values():
            if p.is_alive():
                p.kill()
                p.join(timeout=10)
    errors = {r.worker: r.error for r in got if r.error}
    assert not errors, f"lease workers: expected no errors, got {errors}"

    completions = Counter(t for r in got for t in r.completed)
    with psycopg.connect(admin_dsn) as c:
        rows = {int(i): (str(s), int(a), float(ct) if ct is not None else float("inf"))
                for i, s, a, ct in c.execute(
            "SELECT id, status, attempts, extract(epoch FROM completed_at) FROM collab.tasks")}
    duplicates = sum(n - 1 for n in completions.values() if n > 1)
    lost = [i for i, (status, _, _) in rows.items() if status != "completed"]
    unrecorded = set(rows) - set(completions)
    recovered_s = {task: rows[task][2] - at for task, at in killed.items()}
    figures = {"tasks": LEASE_TASKS, "workers": WORKERS, "killed": len(killed),
               "duplicates": duplicates, "lost": len(lost),
               "late_completions_refused": sum(r.late for r in got),
               "killed_task_recovered_s": sorted(round(s, 2) for s in recovered_s.values())}
    for key, value in figures.items():
        record_property(f"lease_{key}", value)
    print(f"\n[claim_task leases] {figures}")

    assert len(killed) == len(DOOMED), f"expected {len(DOOMED)} workers killed, {killed}"
    assert len(rows) == LEASE_TASKS
    assert duplicates == 0, (
        f"tasks completed twice: {[t for t, n in completions.items() if n > 1][:10]}")
    assert not lost, f"tasks not completed: {len(lost)}, e.g. {[(i, rows[i]) for i in lost[:5]]}"
    assert not unrecorded, f"completed without a worker's complete_task: {sorted(unrecorded)[:10]}"
    for task in killed:
        status, attempts, _ = rows[task]
        assert attempts == 2, f"task {task}: held by a killed worker, expected a second claim"
        # Reclaimed once its lease ran out: within the lease plus a polling margin.
        assert recovered_s[task] <= LEASE_S + 5, (
            f"task {task}: completed {recovered_s[task]:.1f} s after its worker was killed, "
            f"over the {LEASE_S:.0f} s lease + 5 s")


def test_claim_task__leases_heartbeat_late_calls_retries_and_dead_letter(
    pg_server: PgServer,
) -> None:
    _, login_dsn, agents = _queue_database(pg_server, 0)
    agent = agents[0]
    with psycopg.connect(login_dsn, autocommit=True) as c:
        def claim(lease: str) -> tuple[int, Any, int] | None:
            row = c.execute("SELECT id, lease_token, attempts FROM collab.claim_task(%s, 'w', "
                            "%s::interval)", (agent, lease)).fetchone()
            return (int(row[0]), row[1], int(row[2])) if row else None

        def call(function: str, task: int, token: Any, *more: Any) -> Any:
            args = ", ".join(["%s"] * (2 + len(more)))
            row = c.execute(f"SELECT collab.{function}({args})".encode(),
                            (task, token, *more)).fetchone()
            return row[0] if row else None

        (task,) = c.execute("INSERT INTO collab.tasks (session_id, agent_name, task_type, "
                            "max_attempts) VALUES (1, %s, 'code', 3) RETURNING id",
                            (agent,)).fetchone() or (0,)
        first = claim("50 milliseconds")
        assert first is not None and first[:1] == (task,) and first[2] == 1, first
        assert call("heartbeat_task", task, first[1], "1 hour"), "the holder extends its lease"
        time.sleep(0.1)
        assert claim("50 milliseconds") is None, "an extended lease is not reclaimed"
        with pytest.raises(psycopg.errors.RaiseException, match="positive interval"):
            claim("0 seconds")
        assert call("fail_task", task, first[1], "tool crashed") == "pending", "retried"
        second = claim("50 milliseconds")
        assert second is not None and second[2] == 2, second
        time.sleep(0.1)
        third = claim("50 milliseconds")  # the second lease ran out: reclaimed
        assert third is not None and third[0] == task and third[2] == 3, third
        assert not call("complete_task", task, second[1], None), "a late holder is refused"
        assert not call("heartbeat_task", task, second[1], "1 hour"), "and cannot extend"
        time.sleep(0.1)
        assert claim("50 milliseconds") is None, "three leases ran out: no fourth claim"
        status = c.execute("SELECT status, error FROM collab.tasks WHERE id = %s",
                           (task,)).fetchone()
        assert status is not None and status[0] == "dead", status
        assert "lease ran out 3 times" in str(status[1]), status
        assert not call("complete_task", task, third[1], None), "dead-lettered for good"
