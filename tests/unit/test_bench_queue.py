"""The queue benchmark's bookkeeping without a server: how completions reported by the workers
and the table's rows become duplicates, lost tasks and the figures."""

from __future__ import annotations

import pytest

from pgplatform_ops.bench.queue import (
    Kind,
    QueueResult,
    QueueRun,
    TaskRow,
    WorkerReport,
    quarter_rates,
    shares,
    tally,
    worker_name,
)
from pgplatform_ops.bench.stack import BenchError

pytestmark = pytest.mark.unit

FIGURE_KEYS = {
    "queue.workers", "queue.tasks", "queue.claims_per_s", "queue.naive_claims_per_s",
    "queue.write_roundtrips_per_s", "queue.duplicates", "queue.lost", "queue.lost_after_kill",
    "queue.claims_per_s_first_quarter", "queue.claims_per_s_last_quarter",
}


def report(worker: int, completed: list[int], started: float = 0.0,
           finished: float = 2.0) -> WorkerReport:
    return WorkerReport(worker, completed, claims=len(completed), started=started,
                        finished=finished)


def completed_rows(ids: list[int], by: int = 9, attempts: int = 1) -> list[TaskRow]:
    return [TaskRow(i, "completed", worker_name(by), attempts) for i in ids]


def test_tally__each_task_completed_once__no_duplicates_no_lost() -> None:
    run = tally("claim_task", [1, 2, 3, 4], [report(0, [1, 3]), report(1, [2, 4])],
                completed_rows([1, 2, 3, 4]), [])
    assert (run.completed, run.duplicates, run.lost) == (4, 0, 0), run
    assert run.per_s == pytest.approx(2.0), f"4 tasks in 2 s: expected 2/s, got {run.per_s}"


def test_tally__task_reported_by_two_workers__is_a_duplicate() -> None:
    run = tally("claim_task", [1, 2], [report(0, [1, 2]), report(1, [2])],
                completed_rows([1, 2]), [])
    assert (run.completed, run.duplicates, run.lost) == (1, 1, 0), run


def test_tally__task_left_pending__is_lost() -> None:
    run = tally("claim_task", [1, 2], [report(0, [1])],
                [*completed_rows([1]), TaskRow(2, "pending", None, 0)], [])
    assert (run.completed, run.lost, run.not_exactly_once) == (1, 1, 1), run


def test_tally__what_a_killed_worker_completed__comes_from_the_table() -> None:
    """Worker 0 was killed: it never reported, but the table names it as the last claimant of
    task 1; task 2 it held was reclaimed (attempts 2) and completed by worker 1."""
    table = [TaskRow(1, "completed", worker_name(0), 1),
             TaskRow(2, "completed", worker_name(1), 2), *completed_rows([3], by=1)]
    run = tally("after_kill", [1, 2, 3], [report(1, [2, 3])], table, killed=[0])
    assert (run.completed, run.duplicates, run.lost) == (3, 0, 0), run
    assert (run.reclaimed, run.killed, run.workers) == (1, [0], 2), run


def test_tally__dead_lettered_task__is_lost() -> None:
    table = [*completed_rows([1]), TaskRow(2, "dead", worker_name(1), 3)]
    run = tally("after_kill", [1, 2], [report(1, [1])], table, killed=[0])
    assert (run.lost, run.dead) == (1, 1), run


@pytest.mark.parametrize(("reported", "table"), [
    pytest.param([1, 2], completed_rows([1]), id="reported-but-not-completed-in-table"),
    pytest.param([1], completed_rows([1, 2]), id="completed-in-table-but-not-reported"),
])
def test_tally__workers_and_table_disagree__raises(reported: list[int],
                                                   table: list[TaskRow]) -> None:
    with pytest.raises(BenchError, match="disagree"):
        tally("claim_task", [1, 2], [report(0, reported)], table, [])


def test_tally__task_not_inserted_by_the_bench__raises() -> None:
    with pytest.raises(BenchError, match="did not insert"):
        tally("claim_task", [1], [report(0, [1, 99])], completed_rows([1, 99]), [])


def test_quarter_rates__a_drain_that_slows_down__first_quarter_faster() -> None:
    """8 claims from t=10: the first two in 1 s, the last two 4 s apart."""
    claimed_at = [10.5, 11.0, 12.0, 13.0, 14.0, 15.0, 17.0, 19.0]
    first, last = quarter_rates(claimed_at, started=10.0)
    assert (first, last) == pytest.approx((2.0, 0.5)), (first, last)


def test_quarter_rates__fewer_than_four_claims__zeros() -> None:
    assert quarter_rates([1.0, 2.0, 3.0], started=0.0) == (0.0, 0.0)


def test_tally__claim_times_of_all_workers__give_the_quarter_rates() -> None:
    reports = [WorkerReport(0, [1, 2], claims=2, claimed_at=[1.0, 4.0], started=0.0,
                            finished=4.0),
               WorkerReport(1, [3, 4], claims=2, claimed_at=[0.5, 2.0], started=0.0,
                            finished=4.0)]
    run = tally("claim_task", [1, 2, 3, 4], reports,
                [TaskRow(i, "claimed", worker_name(0), 1) for i in (1, 2, 3, 4)], [],
                done="claimed")
    assert run.quarters_per_s == pytest.approx((2.0, 0.5)), run.quarters_per_s


@pytest.mark.parametrize(("total", "workers"), [(20_000, 8), (2_000, 8), (10, 3), (2, 4)])
def test_shares__split_evenly__sum_to_total(total: int, workers: int) -> None:
    got = shares(total, workers)
    assert sum(got) == total and max(got) - min(got) <= 1, f"shares({total}, {workers}) = {got}"


def test_figures__exactly_the_documented_keys() -> None:
    def run(kind: Kind, completed: int, seconds: float, lost: int = 0) -> QueueRun:
        return QueueRun(kind=kind, workers=8, tasks=100, completed=completed, claims=completed,
                        seconds=seconds, lost=lost, duplicates=lost)
    result = QueueResult(workers=8, tasks=100, roundtrip=run("roundtrip", 100, 0.5),
                         claim_task=run("claim_task", 100, 1.0), naive=run("naive", 100, 4.0),
                         after_kill=run("after_kill", 98, 2.0, lost=1))
    f = result.figures()
    assert set(f) == FIGURE_KEYS, f"extra {sorted(set(f) - FIGURE_KEYS)}, " \
                                  f"missing {sorted(FIGURE_KEYS - set(f))}"
    assert (f["queue.claims_per_s"], f["queue.naive_claims_per_s"],
            f["queue.write_roundtrips_per_s"], f["queue.lost_after_kill"]) == (100, 25, 200, 2), f
