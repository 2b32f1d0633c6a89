"""Task queue: collab_sessions' `claim_task` (one statement, FOR UPDATE SKIP LOCKED) against a
naive queue (SELECT ... FOR UPDATE, then UPDATE, in a transaction per claim), with the same
worker processes draining the same number of pending tasks.

Each worker is a separate process with its own connection as the service's login role, all
claiming for one agent (the hot path: every worker wants the head of the same queue). The
benchmark registers its own agent, so it never claims a task that is not its own, and removes
it, its session and its tasks afterwards. Before each run the table is vacuumed so both start
from the same state. Every claimed id is reported back: an id claimed twice is a duplicate, an
inserted task nobody claimed is lost.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from pgplatform_ops.bench.stack import BenchError, Deployed, log

MODULE = "collab_sessions"
AGENT = "pgplatform_bench"
SESSION_TITLE = "pgplatform bench queue"

CLAIM_TASK = "SELECT id FROM claim_task(%s, %s)"
NAIVE_SELECT = ("SELECT id FROM tasks WHERE agent_name = %s AND status = 'pending' "
                "ORDER BY priority DESC, created_at, id LIMIT 1 FOR UPDATE")
# The same row written as claim_task writes it (a claimed task holds a lease: 0017).
NAIVE_UPDATE = ("UPDATE tasks SET status = 'claimed', claimed_by = %s, claimed_at = now(), "
                "lease_token = gen_random_uuid(), lease_expires_at = now() + interval "
                "'5 minutes', attempts = attempts + 1, updated_at = now() WHERE id = %s")


def _worker(kind: str, dsn: str, worker: int, barrier: Any, results: Any) -> None:
    """One claiming process: connect, wait for the others, claim until the queue is empty."""
    me = f"bench-worker-{worker}"
    ids: list[int] = []
    try:
        with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
            barrier.wait()
            started = time.monotonic()
            if kind == "claim_task":
                while True:
                    row = cur.execute(CLAIM_TASK, (AGENT, me), prepare=True).fetchone()
                    if row is None:
                        break
                    ids.append(row[0])
            else:
                while True:
                    with conn.transaction():
                        row = cur.execute(NAIVE_SELECT, (AGENT,), prepare=True).fetchone()
                        if row is None:
                            break
                        cur.execute(NAIVE_UPDATE, (me, row[0]), prepare=True)
                    ids.append(row[0])
            finished = time.monotonic()
        results.put((worker, ids, started, finished, None))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
        barrier.abort()
        results.put((worker, ids, 0.0, 0.0, f"{type(exc).__name__}: {exc}"))


@dataclass
class QueueRun:
    kind: str
    workers: int
    tasks: int
    claims: int
    seconds: float
    duplicates: int
    lost: int
    per_worker: list[int]

    @property
    def claims_per_s(self) -> float:
        return self.claims / self.seconds if self.seconds > 0 else 0.0


@dataclass
class QueueResult:
    workers: int
    tasks: int
    claim_task: QueueRun
    naive: QueueRun

    def figures(self) -> dict[str, float]:
        return {
            "queue.workers": self.workers,
            "queue.tasks": self.tasks,
            "queue.skip_locked_claims_per_s": round(self.claim_task.claims_per_s, 1),
            "queue.naive_claims_per_s": round(self.naive.claims_per_s, 1),
            "queue.duplicates": self.claim_task.duplicates,
            "queue.lost": self.claim_task.lost,
        }


def _cleanup(conn: psycopg.Connection[Any]) -> None:
    with conn.transaction():
        conn.execute("DELETE FROM tasks WHERE agent_name = %s", (AGENT,))
        conn.execute("DELETE FROM sessions WHERE title = %s", (SESSION_TITLE,))
        conn.execute("DELETE FROM agents WHERE name = %s", (AGENT,))


def _fill(conn: psycopg.Connection[Any], admin: psycopg.Connection[Any], schema: str,
          session_id: int, tasks: int) -> list[int]:
    """Vacuum the queue (dead rows of an earlier run out of the way), insert `tasks` pending
    tasks of the bench agent with spread priorities, and give the planner their statistics."""
    conn.execute("DELETE FROM tasks WHERE agent_name = %s", (AGENT,))
    admin.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(schema, "tasks")))
    ids = [r[0] for r in conn.execute(
        """INSERT INTO tasks (session_id, agent_name, task_type, priority, input_data)
           SELECT %s, %s, 'code', (i * 7919) %% 10, jsonb_build_object('prompt', 'task ' || i)
             FROM generate_series(1, %s) AS i
        RETURNING id""", (session_id, AGENT, tasks)).fetchall()]
    admin.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, "tasks")))
    return ids


def _drain(kind: str, dsn: str, workers: int, inserted: list[int],
           conn: psycopg.Connection[Any]) -> QueueRun:
    ctx = mp.get_context("spawn")  # no inherited sockets: each worker opens its own connection
    barrier = ctx.Barrier(workers)
    results = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(kind, dsn, i, barrier, results), daemon=True)
             for i in range(workers)]
    for p in procs:
        p.start()
    got = [results.get(timeout=1800) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    errors = [f"worker {w}: {err}" for w, _, _, _, err in got if err]
    if errors:
        raise BenchError(f"queue ({kind}): " + "; ".join(errors))
    claimed = [i for _, ids, _, _, _ in got for i in ids]
    counts = Counter(claimed)
    expected = set(inserted)
    strangers = set(counts) - expected
    if strangers:
        raise BenchError(f"queue ({kind}): claimed {len(strangers)} tasks it did not insert")
    pending = conn.execute("SELECT count(*) FROM tasks WHERE agent_name = %s AND status = "
                           "'pending'", (AGENT,)).fetchone()
    lost = len(expected - set(counts))
    if pending and pending[0] != lost:
        raise BenchError(f"queue ({kind}): {pending[0]} tasks still pending but {lost} unclaimed")
    seconds = max(f for _, _, _, f, _ in got) - min(s for _, _, s, _, _ in got)
    return QueueRun(kind=kind, workers=workers, tasks=len(inserted), claims=len(claimed),
                    seconds=seconds, duplicates=sum(n - 1 for n in counts.values() if n > 1),
                    lost=lost, per_worker=sorted(len(ids) for _, ids, _, _, _ in got))


def run(deployed: Deployed, *, workers: int, tasks: int) -> QueueResult:
    svc = deployed.service_for_module(MODULE)
    dsn = deployed.service_dsn(svc.name)
    with psycopg.connect(dsn, autocommit=True) as conn, \
            psycopg.connect(deployed.admin_dsn(svc.database), autocommit=True) as admin:
        _cleanup(conn)  # whatever an interrupted run left behind
        try:
            conn.execute("INSERT INTO agents (name, type, command, status) "
                         "VALUES (%s, 'code', 'true', 'available')", (AGENT,))
            row = conn.execute("INSERT INTO sessions (title, participants) VALUES (%s, %s) "
                               "RETURNING id", (SESSION_TITLE, '["pgplatform-bench"]')).fetchone()
            session_id = int(row[0]) if row else 0
            runs = {}
            for kind in ("claim_task", "naive"):
                inserted = _fill(conn, admin, svc.schema, session_id, tasks)
                log(f"queue: {workers} workers draining {tasks:,} tasks with {kind}")
                runs[kind] = _drain(kind, dsn, workers, inserted, conn)
                r = runs[kind]
                log(f"queue: {kind}: {r.claims:,} claims in {r.seconds:.2f} s = "
                    f"{r.claims_per_s:,.0f}/s, duplicates {r.duplicates}, lost {r.lost}")
        finally:
            _cleanup(conn)
            admin.execute(sql.SQL("VACUUM (ANALYZE) {}").format(
                sql.Identifier(svc.schema, "tasks")))
            log("queue: removed the bench agent, its session and tasks")
    return QueueResult(workers=workers, tasks=tasks, claim_task=runs["claim_task"],
                       naive=runs["naive"])
