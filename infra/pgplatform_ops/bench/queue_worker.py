"""The queue benchmark's worker processes (see `queue`): each one connection as the service's
login for all runs, a `WorkerSpec` in, a `WorkerReport` out. Spawned, not forked, so this module
is what a worker imports: nothing of the parent's state comes along."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

import psycopg

AGENT = "pgplatform_bench"

# Each run ends within this (workers give up on their own, the parent stops waiting after the
# grace period), so a queue that never drains fails the benchmark instead of hanging it.
RUN_TIMEOUT_S = 600.0
# How long the kill run's survivors wait for a task whose lease has run out to come back
# before they stop and the tally counts it as lost.
RECLAIM_GRACE_S = 10.0
POLL_MIN_S, POLL_MAX_S = 0.02, 0.5

ROUNDTRIP = "UPDATE tasks SET updated_at = now() WHERE id = %s"
CLAIM_TASK = "SELECT id, lease_token FROM claim_task(%s, %s)"
CLAIM_TASK_LEASE = "SELECT id, lease_token FROM claim_task(%s, %s, %s)"
COMPLETE_TASK = "SELECT complete_task(%s, %s)"
NAIVE_SELECT = ("SELECT id FROM tasks WHERE agent_name = %s AND status = 'pending' "
                "ORDER BY priority DESC, created_at, id LIMIT 1 FOR UPDATE")
# The row written as claim_task writes it, with claim_task's default lease.
NAIVE_UPDATE = ("UPDATE tasks SET status = 'claimed', claimed_by = %s, claimed_at = now(), "
                "lease_token = gen_random_uuid(), lease_expires_at = now() + interval "
                "'5 minutes', attempts = attempts + 1, updated_at = now() WHERE id = %s "
                "RETURNING lease_token")
# What the kill run's survivors still wait for: pending tasks, and the earliest lease deadline.
OUTSTANDING = ("SELECT count(*) FILTER (WHERE status = 'pending'), "
               "extract(epoch FROM min(lease_expires_at) - now())::float8 "
               "FROM tasks WHERE agent_name = %s AND status IN ('pending', 'claimed', 'running')")


def worker_name(worker: int) -> str:
    return f"bench-worker-{worker}"


@dataclass(frozen=True, kw_only=True)
class WorkerSpec:
    """One worker's part of a run; pickled to it."""

    kind: Literal["roundtrip", "claim_task", "naive"]
    worker: int
    lease: timedelta | None = None  # claim_task's lease; None: the function's default
    row_id: int = 0  # roundtrip: the worker's own row
    commits: int = 0  # roundtrip: how many
    wait_for_leases: bool = False  # kill run: an empty queue is not the end while leases run
    hold_after: int | None = None  # kill run victim: claim and hold after this many tasks
    complete: bool = False  # complete_task what it claims (the kill run)
    timeout_s: float = RUN_TIMEOUT_S


@dataclass(frozen=True)
class WorkerReport:
    worker: int
    completed: list[int] = field(default_factory=list)  # tasks it got (see `complete`)
    claims: int = 0  # claims made (roundtrip: commits)
    late: int = 0  # complete_task refused: the lease had run out and the task was reclaimed
    claim_s: float = 0.0  # time in claim calls (roundtrip: in the UPDATEs)
    complete_s: float = 0.0  # time in complete_task calls
    claimed_at: list[float] = field(default_factory=list)  # monotonic, after each task got
    started: float = 0.0
    finished: float = 0.0
    error: str | None = None



def _claim(cur: psycopg.Cursor[Any], spec: WorkerSpec) -> tuple[int, Any] | None:
    """One claim: (task id, lease token), or None when nothing is pending."""
    me = worker_name(spec.worker)
    if spec.kind == "naive":
        with cur.connection.transaction():
            row = cur.execute(NAIVE_SELECT, (AGENT,), prepare=True).fetchone()
            if row is None:
                return None
            token = cur.execute(NAIVE_UPDATE, (me, row[0]), prepare=True).fetchone()
        return (int(row[0]), token[0] if token else None)
    if spec.lease is None:
        got = cur.execute(CLAIM_TASK, (AGENT, me), prepare=True).fetchone()
    else:
        got = cur.execute(CLAIM_TASK_LEASE, (AGENT, me, spec.lease), prepare=True).fetchone()
    return (int(got[0]), got[1]) if got else None


def _leases_outstanding(cur: psycopg.Cursor[Any], deadline: float) -> bool:
    """After an empty claim in the kill run: False once no task is pending or held, or once a
    lease ran out long ago and nobody reclaimed it (the tally reports it); else wait until the
    earliest lease may have run out, bounded so a freed task is soon picked up."""
    row = cur.execute(OUTSTANDING, (AGENT,), prepare=True).fetchone()
    pending, expires_in = (row[0], row[1]) if row else (0, None)
    if not pending and (expires_in is None or expires_in < -RECLAIM_GRACE_S):
        return False
    wait = POLL_MIN_S if pending or expires_in is None else expires_in
    time.sleep(min(max(wait, POLL_MIN_S), POLL_MAX_S, max(deadline - time.monotonic(), 0.0)))
    return True


def _work(spec: WorkerSpec, cur: psycopg.Cursor[Any], barrier: Any, progress: Any,
          holding: Any) -> WorkerReport:
    completed: list[int] = []
    claimed_at: list[float] = []
    claims = late = 0
    claim_s = complete_s = 0.0
    barrier.wait()
    started = time.monotonic()
    deadline = started + spec.timeout_s
    if spec.kind == "roundtrip":
        for _ in range(spec.commits):
            cur.execute(ROUNDTRIP, (spec.row_id,), prepare=True)
        finished = time.monotonic()
        return WorkerReport(spec.worker, claims=spec.commits, claim_s=finished - started,
                            started=started, finished=finished)
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError(f"queue not drained after {spec.timeout_s:.0f} s")
        t0 = time.perf_counter()
        got = _claim(cur, spec)
        t1 = time.perf_counter()
        claim_s += t1 - t0
        if got is None:
            if spec.wait_for_leases and _leases_outstanding(cur, deadline):
                continue
            break
        claims += 1
        if not spec.complete:
            completed.append(got[0])
            claimed_at.append(time.monotonic())
            progress[spec.worker] += 1
            continue
        if spec.hold_after is not None and len(completed) >= spec.hold_after:
            # A victim of the kill run: holds its claim until the parent's SIGKILL ends it.
            holding[spec.worker] = got[0]
            time.sleep(spec.timeout_s)
            raise TimeoutError("held a claim to be killed, but no SIGKILL came")
        ok = cur.execute(COMPLETE_TASK, got, prepare=True).fetchone()
        complete_s += time.perf_counter() - t1
        if ok and ok[0]:
            completed.append(got[0])
            progress[spec.worker] += 1
        else:
            late += 1
    return WorkerReport(spec.worker, completed, claims, late, claim_s, complete_s, claimed_at,
                        started, time.monotonic())


def serve(worker: int, dsn: str, inbox: Any, barrier: Any, results: Any, progress: Any,
           holding: Any) -> None:
    """A pool process: one connection for all runs; a spec in, a report out, until None.
    `progress` (tasks completed) and `holding` (the task a kill-run victim stopped at) are
    shared arrays with a slot per worker: the parent sees when to kill without querying the
    table under load."""
    try:
        with psycopg.connect(dsn, autocommit=True) as conn, conn.cursor() as cur:
            while (spec := inbox.get()) is not None:
                try:
                    results.put(_work(spec, cur, barrier, progress, holding))
                except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises
                    barrier.abort()
                    results.put(WorkerReport(worker, error=f"{type(exc).__name__}: {exc}"))
    except Exception as exc:  # noqa: BLE001 - as above
        barrier.abort()
        results.put(WorkerReport(worker, error=f"{type(exc).__name__}: {exc}"))
