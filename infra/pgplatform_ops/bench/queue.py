"""Task queue: how fast collab_sessions' leased queue hands out and finishes work, against a
naive queue and against the server's ceiling for small writes, and whether every task is
finished exactly once, also when workers die.

One pool of worker processes (each its own connection as the service's login role, all
claiming for one agent: the hot path, every worker wants the head of the same queue) makes four
runs, each started together behind a barrier and timed from the first worker's start to the
last one's end:

- `roundtrip`, the ceiling: each worker commits single-row UPDATEs of a row of its own (no
  contention, autocommit, the stack's durability settings as they are) until `tasks` commits
  are made in all. No claim can be cheaper than one such commit.
- `claim_task`: each worker loops `claim_task` (0019, its default lease) until the queue is
  empty. A claim is one commit, the unit of the `roundtrip` ceiling: the rate is tasks claimed
  exactly once per second, how fast the queue hands out work. (Completing is a second commit
  per task; the kill run does it, where finishing exactly once is the question.) The rate is
  also given over the first and the last quarter of the tasks: a claimed task's entry stays in
  the pending-queue index until VACUUM removes it, and each claim's index scan steps over the
  entries of every task claimed before it, so a drain slows down as it goes on.
- `naive`: the same loop, the claim written the naive way: a transaction per claim that SELECTs
  the head of the queue FOR UPDATE (no SKIP LOCKED: every worker waits for the same row) and
  UPDATEs it as claim_task would.
- `after_kill`: `claim_task` with a short lease, then `complete_task` with the lease token, as
  a real worker does. Two workers stop after their share of about a third of the tasks, claim
  one more and hold it; the parent SIGKILLs them then, so each dies holding a claim, the case
  leases exist for. The survivors keep polling until no task is pending or held (the killed
  workers' tasks return once their lease runs out), within a deadline. What the killed workers
  completed before dying is read from the table: the last claimant of a completed task is the
  one that completed it.

Every worker reports the tasks it got (claimed, or in the kill run the ones whose
`complete_task` it won) and how long its calls took (client side, so a profile of where a
claim's time goes comes with every run); a task nobody got is lost, one got twice a duplicate,
and the table must agree. The benchmark registers its
own agent, so it never claims a task that is not its own, vacuums the table before each run so
all start from the same state, and removes its agent, session and tasks afterwards.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import queue as stdqueue
import signal
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal, NamedTuple

import psycopg
from psycopg import sql

from pgplatform_ops.bench.queue_worker import (
    AGENT,
    POLL_MIN_S,
    RUN_TIMEOUT_S,
    WorkerReport,
    WorkerSpec,
    serve,
    worker_name,
)
from pgplatform_ops.bench.stack import BenchError, Deployed, log

__all__ = ["QueueResult", "QueueRun", "TaskRow", "WorkerReport", "quarter_rates", "run",
           "shares", "tally", "worker_name"]

MODULE = "collab_sessions"
SESSION_TITLE = "pgplatform bench queue"

Kind = Literal["roundtrip", "claim_task", "naive", "after_kill"]

# Long enough that a worker on a busy two-core machine completes what it claimed before its
# lease runs out, short enough that the kill run's survivors wait seconds, not minutes.
KILL_LEASE = timedelta(seconds=2)
KILLED_WORKERS = 2
KILL_AFTER_FRACTION = 0.3
# The parent stops waiting this long after the workers' own RUN_TIMEOUT_S.
GRACE_S = 30.0


class TaskRow(NamedTuple):
    """A bench task as the table has it after a run."""

    id: int
    status: str
    claimed_by: str | None
    attempts: int


@dataclass
class QueueRun:
    kind: Kind
    workers: int
    tasks: int
    completed: int  # tasks got exactly once (claimed; kill run: completed; roundtrip: commits)
    claims: int  # claims by the workers that reported, reclaims included (roundtrip: commits)
    seconds: float  # first worker started .. last worker finished
    claim_s: float = 0.0  # summed over the workers (roundtrip: in the UPDATEs)
    complete_s: float = 0.0
    duplicates: int = 0  # tasks completed more than once
    lost: int = 0  # tasks not completed (dead-lettered ones included)
    late: int = 0  # completions refused because the lease had been lost
    reclaimed: int = 0  # tasks claimed more than once (a lease ran out)
    dead: int = 0  # tasks dead-lettered
    killed: list[int] = field(default_factory=list)  # workers SIGKILLed
    per_worker: list[int] = field(default_factory=list)  # completions per surviving worker
    # Claims per second over the first and the last quarter of the tasks claimed (runs without
    # completions): how the rate changes as the drain goes on.
    quarters_per_s: tuple[float, float] = (0.0, 0.0)

    @property
    def per_s(self) -> float:
        """Tasks got exactly once per second (roundtrip: commits per second)."""
        return self.completed / self.seconds if self.seconds > 0 else 0.0

    @property
    def claim_ms(self) -> float:
        """Mean client-side time of one claim call (roundtrip: of one UPDATE)."""
        return 1000 * self.claim_s / self.claims if self.claims else 0.0

    @property
    def complete_ms(self) -> float:
        done = self.claims - self.late if self.kind != "roundtrip" else 0
        return 1000 * self.complete_s / done if done > 0 else 0.0

    @property
    def not_exactly_once(self) -> int:
        return self.duplicates + self.lost


@dataclass
class QueueResult:
    workers: int
    tasks: int
    roundtrip: QueueRun
    claim_task: QueueRun
    naive: QueueRun
    after_kill: QueueRun

    def figures(self) -> dict[str, float]:
        return {
            "queue.workers": self.workers,
            "queue.tasks": self.tasks,
            "queue.claims_per_s": round(self.claim_task.per_s, 1),
            "queue.naive_claims_per_s": round(self.naive.per_s, 1),
            "queue.write_roundtrips_per_s": round(self.roundtrip.per_s, 1),
            "queue.duplicates": self.claim_task.duplicates,
            "queue.lost": self.claim_task.lost,
            "queue.lost_after_kill": self.after_kill.not_exactly_once,
            "queue.claims_per_s_first_quarter": round(self.claim_task.quarters_per_s[0], 1),
            "queue.claims_per_s_last_quarter": round(self.claim_task.quarters_per_s[1], 1),
        }



class _Pool:
    """The worker processes, spawned once for all runs (spawning and importing costs seconds
    each on a busy machine, none of it measured)."""

    def __init__(self, dsn: str, workers: int) -> None:
        ctx = mp.get_context("spawn")  # no inherited sockets: each opens its own connection
        self.barrier = ctx.Barrier(workers)
        self.results: Any = ctx.Queue()
        self.progress: Any = ctx.RawArray("q", workers)
        self.holding: Any = ctx.RawArray("q", workers)
        self.inboxes: list[Any] = [ctx.Queue() for _ in range(workers)]
        self.procs = [ctx.Process(target=serve, daemon=True, args=(
            w, dsn, self.inboxes[w], self.barrier, self.results, self.progress, self.holding))
            for w in range(workers)]
        for p in self.procs:
            p.start()

    def close(self) -> None:
        for inbox, p in zip(self.inboxes, self.procs, strict=True):
            if p.is_alive():
                inbox.put(None)
        for p in self.procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
                p.join(timeout=10)

    def run(self, name: Kind, specs: Sequence[WorkerSpec],
            victims: Sequence[int] = ()) -> tuple[list[WorkerReport], list[int]]:
        """Hand each worker its spec; return the reports of those not killed."""
        for w in range(len(self.procs)):
            self.progress[w] = self.holding[w] = 0
        for spec in specs:
            self.inboxes[spec.worker].put(spec)
        deadline = time.monotonic() + RUN_TIMEOUT_S + GRACE_S
        reports: list[WorkerReport] = []
        try:
            if victims:
                self._kill_holders(name, victims, reports, deadline)
            while len(reports) < len(specs) - len(victims):
                try:
                    reports.append(self.results.get(timeout=1.0))
                except stdqueue.Empty:
                    self._check_alive(name, victims)
                    if time.monotonic() > deadline:
                        raise
        except stdqueue.Empty:
            silent = sorted({s.worker for s in specs} - set(victims)
                            - {r.worker for r in reports})
            raise BenchError(f"queue ({name}): workers {silent} did not finish within "
                             f"{RUN_TIMEOUT_S + GRACE_S:.0f} s. Fix: look for sessions waiting "
                             "on locks in pg_stat_activity of the service database") from None
        errors = [f"worker {r.worker}: {r.error}" for r in sorted(reports, key=lambda r: r.worker)
                  if r.error]
        if errors:
            raise BenchError(f"queue ({name}): " + "; ".join(errors))
        return reports, list(victims)

    def _check_alive(self, name: Kind, victims: Sequence[int]) -> None:
        """A worker that died without reporting (killed from outside, crashed at start) would
        otherwise leave the parent waiting for the whole run's timeout."""
        dead = [w for w, p in enumerate(self.procs) if w not in victims and not p.is_alive()]
        if dead:
            raise BenchError(f"queue ({name}): workers {dead} exited without reporting (exit "
                             f"codes {[self.procs[w].exitcode for w in dead]})")

    def _kill_holders(self, name: Kind, victims: Sequence[int], reports: list[WorkerReport],
                      deadline: float) -> None:
        """SIGKILL the victims once each holds the claim it stopped at."""
        while not all(self.holding[v] for v in victims):
            try:  # a worker that fails meanwhile ends the wait with its error
                reports.append(self.results.get(timeout=POLL_MIN_S))
            except stdqueue.Empty:
                pass
            if any(r.error for r in reports) or time.monotonic() > deadline:
                raise BenchError(f"queue ({name}): workers {list(victims)} did not reach their "
                                 "claim to be killed holding" + "".join(
                                     f"; worker {r.worker}: {r.error}" for r in reports
                                     if r.error))
        held = [self.holding[v] for v in victims]
        for v in victims:
            pid = self.procs[v].pid
            if pid is not None:  # None only before start()
                os.kill(pid, signal.SIGKILL)
        log(f"queue: {name}: SIGKILLed workers {list(victims)} holding tasks {held}, "
            f"{sum(self.progress):,} tasks completed")


def tally(kind: Kind, inserted: Sequence[int], reports: Sequence[WorkerReport],
          table: Sequence[TaskRow], killed: Sequence[int], done: str = "completed"
          ) -> QueueRun:
    """Tasks got per task (`done`: the status a task the workers got has in the table): the
    reports, plus what the killed workers completed (from the table); the result checked
    against the table's own statuses."""
    counts = Counter(i for r in reports for i in r.completed)
    expected = set(inserted)
    strangers = sorted(set(counts) - expected)
    if strangers:
        raise BenchError(f"queue ({kind}): completed {len(strangers)} tasks it did not insert "
                         f"(first: {strangers[:5]}). Fix: check that only the bench agent's "
                         "tasks are claimed")
    victims = {worker_name(w) for w in killed}
    for row in table:
        if row.status == done and row.claimed_by in victims:
            counts[row.id] += 1
    in_table = {row.id for row in table if row.status == done}
    disagree = sorted(in_table ^ set(counts))
    if disagree:
        raise BenchError(f"queue ({kind}): the workers and the table disagree on "
                         f"{len(disagree)} {done} tasks (first: {disagree[:5]}). Fix: "
                         "compare complete_task's result with the row it updates")
    started = min(r.started for r in reports)
    return QueueRun(
        kind=kind, workers=len(reports) + len(killed), tasks=len(inserted),
        completed=sum(1 for i in expected if counts[i] == 1),
        claims=sum(r.claims for r in reports),
        seconds=max(r.finished for r in reports) - started,
        claim_s=sum(r.claim_s for r in reports), complete_s=sum(r.complete_s for r in reports),
        duplicates=sum(1 for i in expected if counts[i] > 1),
        lost=sum(1 for i in expected if counts[i] == 0),
        late=sum(r.late for r in reports),
        reclaimed=sum(1 for row in table if row.attempts > 1),
        dead=sum(1 for row in table if row.status == "dead"),
        killed=list(killed), per_worker=sorted(len(r.completed) for r in reports),
        quarters_per_s=quarter_rates(sorted(t for r in reports for t in r.claimed_at),
                                     started))


def quarter_rates(claimed_at: Sequence[float], started: float) -> tuple[float, float]:
    """Claims per second over the first quarter of the claims (from the run's start to the
    claim that completes the quarter) and over the last quarter (from the claim before it to
    the last one); zeros with fewer than four claims. `claimed_at` is sorted."""
    quarter = len(claimed_at) // 4
    if quarter == 0:
        return (0.0, 0.0)
    first = claimed_at[quarter - 1] - started
    last = claimed_at[-1] - claimed_at[-quarter - 1]
    return (quarter / first if first > 0 else 0.0, quarter / last if last > 0 else 0.0)


def shares(total: int, workers: int) -> list[int]:
    """`total` split as evenly as whole numbers allow."""
    return [total // workers + (1 if w < total % workers else 0) for w in range(workers)]


def _cleanup(conn: psycopg.Connection[Any]) -> None:
    with conn.transaction():
        conn.execute("DELETE FROM tasks WHERE agent_name = %s", (AGENT,))
        conn.execute("DELETE FROM sessions WHERE title = %s", (SESSION_TITLE,))
        conn.execute("DELETE FROM agents WHERE name = %s", (AGENT,))


def _fill(conn: psycopg.Connection[Any], admin: psycopg.Connection[Any], schema: str,
          session_id: int, tasks: int, status: str = "pending") -> list[int]:
    """Vacuum the queue (dead rows of an earlier run out of the way), insert `tasks` tasks of
    the bench agent with spread priorities, and give the planner their statistics."""
    conn.execute("DELETE FROM tasks WHERE agent_name = %s", (AGENT,))
    admin.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(schema, "tasks")))
    ids = [r[0] for r in conn.execute(
        """INSERT INTO tasks (session_id, agent_name, task_type, status, priority, input_data)
           SELECT %s, %s, 'code', %s, (i * 7919) %% 10, jsonb_build_object('prompt', 'task ' || i)
             FROM generate_series(1, %s) AS i
        RETURNING id""", (session_id, AGENT, status, tasks)).fetchall()]
    admin.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, "tasks")))
    return ids


def _table(conn: psycopg.Connection[Any]) -> list[TaskRow]:
    return [TaskRow(*r) for r in conn.execute(
        "SELECT id, status, claimed_by, attempts FROM tasks WHERE agent_name = %s", (AGENT,))]


def _log_run(r: QueueRun) -> None:
    if r.kind == "roundtrip":
        log(f"queue: roundtrip: {r.completed:,} single-row commits in {r.seconds:.2f} s = "
            f"{r.per_s:,.0f}/s ({r.claim_ms:.2f} ms each)")
        return
    what = "completed" if r.kind == "after_kill" else "claimed"
    log(f"queue: {r.kind}: {r.completed:,} of {r.tasks:,} tasks {what} exactly once in "
        f"{r.seconds:.2f} s = {r.per_s:,.0f}/s (claim {r.claim_ms:.2f} ms, complete "
        f"{r.complete_ms:.2f} ms); duplicates {r.duplicates}, lost {r.lost}, reclaimed "
        f"{r.reclaimed}, late completions {r.late}, dead {r.dead}")


def _runs(pool: _Pool, conn: psycopg.Connection[Any], admin: psycopg.Connection[Any],
          schema: str, session_id: int, workers: int, tasks: int) -> dict[Kind, QueueRun]:
    runs: dict[Kind, QueueRun] = {}
    log(f"queue: {workers} workers, {tasks:,} single-row commits on their own rows")
    rows = _fill(conn, admin, schema, session_id, workers, status="completed")
    reports, _ = pool.run("roundtrip", [
        WorkerSpec(kind="roundtrip", worker=w, row_id=rows[w], commits=n)
        for w, n in enumerate(shares(tasks, workers))])
    runs["roundtrip"] = QueueRun(
        kind="roundtrip", workers=workers, tasks=tasks, completed=tasks, claims=tasks,
        seconds=max(r.finished for r in reports) - min(r.started for r in reports),
        claim_s=sum(r.claim_s for r in reports), per_worker=sorted(r.claims for r in reports))
    _log_run(runs["roundtrip"])
    # Victims stop at their share of KILL_AFTER_FRACTION of the tasks, so they die when about
    # that fraction is done.
    hold_after = math.ceil(tasks * KILL_AFTER_FRACTION / workers)
    kinds: tuple[Kind, ...] = ("claim_task", "naive", "after_kill")
    for kind in kinds:
        inserted = _fill(conn, admin, schema, session_id, tasks)
        kill = kind == "after_kill"
        log(f"queue: {workers} workers {'claiming and completing' if kill else 'claiming'} "
            f"{tasks:,} tasks ({kind})")
        victims = list(range(KILLED_WORKERS)) if kill else []
        specs = [WorkerSpec(kind="naive" if kind == "naive" else "claim_task", worker=w,
                            lease=KILL_LEASE if kill else None, wait_for_leases=kill,
                            hold_after=hold_after if w in victims else None, complete=kill)
                 for w in range(workers)]
        reports, killed = pool.run(kind, specs, victims)
        runs[kind] = tally(kind, inserted, reports, _table(conn), killed,
                           done="completed" if kill else "claimed")
        _log_run(runs[kind])
    return runs


def run(deployed: Deployed, *, workers: int, tasks: int) -> QueueResult:
    if workers <= KILLED_WORKERS:
        raise BenchError(f"queue: {workers} workers: the kill run needs more than "
                         f"{KILLED_WORKERS}. Fix: run with more workers")
    svc = deployed.service_for_module(MODULE)
    dsn = deployed.service_dsn(svc.name)
    with psycopg.connect(dsn, autocommit=True) as conn, \
            psycopg.connect(deployed.admin_dsn(svc.database), autocommit=True) as admin:
        _cleanup(conn)  # whatever an interrupted run left behind
        pool = _Pool(dsn, workers)
        try:
            conn.execute("INSERT INTO agents (name, type, command, status) "
                         "VALUES (%s, 'code', 'true', 'available')", (AGENT,))
            row = conn.execute("INSERT INTO sessions (title, participants) VALUES (%s, %s) "
                               "RETURNING id", (SESSION_TITLE, '["pgplatform-bench"]')).fetchone()
            runs = _runs(pool, conn, admin, svc.schema, int(row[0]) if row else 0, workers,
                         tasks)
        finally:
            pool.close()
            _cleanup(conn)
            admin.execute(sql.SQL("VACUUM (ANALYZE) {}").format(
                sql.Identifier(svc.schema, "tasks")))
            log("queue: removed the bench agent, its session and tasks")
    return QueueResult(workers=workers, tasks=tasks, roundtrip=runs["roundtrip"],
                       claim_task=runs["claim_task"], naive=runs["naive"],
                       after_kill=runs["after_kill"])
