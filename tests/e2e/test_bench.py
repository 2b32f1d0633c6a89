"""`scripts/bench --quick --json FILE` runs end to end: every figure is reported as a number, the
queue loses and duplicates nothing, recalls are fractions. Speed is never asserted (--quick sizes
only prove the command works). --quick runs on its own throwaway copy of the dev layout (stack
`benchquick`, port 15480) and its own topology stack, so it collides with neither the ci stack
of the other e2e tests nor dev (tests/e2e/test_dev_layout.py)."""

from __future__ import annotations

import json
import math
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from pgplatform_ops.bench.report import KEYS

from e2e_support import docker_available, script

pytestmark = pytest.mark.e2e



# What --quick deploys for itself; `harness down` removes each at the end of the run.
QUICK_CONTAINERS = ("pgplatform-benchquick", "pgplatform-benchquick-exporter",
                    "pgplatform-benchquick-pooler", "pgplatform-benchquick-replica-0",
                    "pgplatform-benchquick-watchdog",
                    "pgplatform-benchtopo10", "pgplatform-benchtopo10-engine",
                    "pgplatform-benchtopo10-engine-watchdog")


def _output(proc: subprocess.CompletedProcess[str]) -> str:
    return (f"exit {proc.returncode}\n--- stdout (tail)\n{proc.stdout[-4000:]}\n"
            f"--- stderr (tail)\n{proc.stderr[-4000:]}")


def _containers() -> set[str]:
    import docker

    return {str(c.name) for c in docker.from_env().containers.list(all=True)}


def test_bench__quick_reports_every_figure_and_a_correct_queue(
    tmp_path: Path, record_property: Callable[[str, object], None],
) -> None:
    if not docker_available():
        pytest.skip("no Docker engine answers: the benchmark deploys stacks with the harness")
    out = tmp_path / "bench.json"
    proc = script("bench", "--quick", "--json", str(out), timeout=1200)
    assert proc.returncode == 0, f"scripts/bench --quick: expected exit 0\n{_output(proc)}"
    assert "| area" in proc.stdout, f"scripts/bench --quick: expected its table\n{_output(proc)}"
    assert out.is_file(), f"scripts/bench --quick --json {out}: expected the file written"

    figures = json.loads(out.read_text())
    assert isinstance(figures, dict), f"{out}: expected one JSON object, got {type(figures)}"
    missing = [k for k in KEYS if k not in figures]
    assert not missing, f"{out}: expected keys {missing}, got {sorted(figures)}"
    assert sorted(figures) == sorted(KEYS), (
        f"{out}: expected exactly the documented keys, extra {sorted(set(figures) - set(KEYS))}")
    not_numbers = {k: v for k, v in figures.items()
                   if isinstance(v, bool) or not isinstance(v, (int, float))
                   or not math.isfinite(v)}
    assert not not_numbers, f"{out}: expected a finite number for every key, got {not_numbers}"
    for key, value in figures.items():
        record_property(f"bench_{key}", value)

    assert figures["queue.duplicates"] == 0, (
        f"claim_task: expected no task claimed twice, got {figures['queue.duplicates']}")
    assert figures["queue.lost"] == 0, (
        f"claim_task: expected no task left unclaimed, got {figures['queue.lost']}")
    assert figures["queue.lost_after_kill"] == 0, (
        "claim_task: expected every task of the two killed workers completed once their "
        f"leases expired, got {figures['queue.lost_after_kill']} not completed exactly once")
    for key in ("vector.hnsw_recall_at_10", "vector.filtered_recall_at_10"):
        assert 0.0 <= figures[key] <= 1.0, (
            f"{key}: expected a fraction in [0, 1], got {figures[key]}")
    assert figures["vector.dim"] == 384, f"vector.dim: expected 384, got {figures['vector.dim']}"
    assert figures["vector.rows"] > 0 and figures["queue.tasks"] > 0, figures
    assert figures["queue.workers"] == 8, (
        f"queue.workers: expected 8, got {figures['queue.workers']}")
    assert figures["bootstrap.services"] > 0, figures
    # The same topology through the real engine (scripts/up): every resource created, and the
    # second up changes nothing.
    assert figures["bootstrap.engine_resources"] > 10 * figures["bootstrap.services"], figures
    assert figures["bootstrap.engine_seconds"] > 0, figures
    assert figures["bootstrap.engine_second_up_changes"] == 0, figures
    assert figures["verify.dev_seconds"] > 0 and figures["verify.seconds"] > 0, figures
    for key in ("vector.hnsw_qps", "vector.seed_qps_at_recall", "vector.ivfflat_qps_at_recall",
                "vector.exact_qps", "queue.write_roundtrips_per_s",
                "queue.claims_per_s_first_quarter", "queue.claims_per_s_last_quarter",
                "vector_real.hnsw_qps",
                "vector_real.exact_qps", "vector_real.embed_chunks_per_s"):
        assert figures[key] > 0, f"{key}: expected a throughput, got {figures[key]}"
    # Real text embedded with seed 001's model, and the module's halfvec HNSW (vector_store
    # 0003) beside the full-precision and binary ones: the same size as the halfvec expression
    # index, smaller than full precision.
    assert figures["vector_real.rows"] == 500 and figures["vector_real.dim"] == 384, figures
    assert figures["vector_real.chunks_available"] > 20_000, figures
    for prefix in ("vector", "vector_real"):
        for index in ("hnsw", "full", "halfvec", "binary"):
            assert figures[f"{prefix}.{index}_index_bytes"] > 0, (prefix, index, figures)
        assert figures[f"{prefix}.hnsw_index_bytes"] < figures[f"{prefix}.full_index_bytes"]
        assert figures[f"{prefix}.halfvec_index_bytes"] < figures[f"{prefix}.full_index_bytes"]
        assert 0.0 <= figures[f"{prefix}.filtered_recall_at_10"] <= 1.0, figures
    # How cost grows: four sizes, each twice the last, each index larger than the last.
    sizes = [figures[f"scaling.rows_{i}"] for i in range(1, 5)]
    assert sizes == [62, 125, 250, 500], sizes
    index_bytes = [figures[f"scaling.index_bytes_{i}"] for i in range(1, 5)]
    assert 0 < index_bytes[0] < index_bytes[1] < index_bytes[2] < index_bytes[3], index_bytes
    assert figures["pooler.answered"] == figures["pooler.clients"] > 0, figures
    assert figures["pooler.clients"] <= figures["pooler.client_share"], figures
    assert 1 <= figures["pooler.server_sessions_max"] <= figures["pooler.pool_size"], figures
    assert figures["replica.count"] == 1 and figures["replica.lag_bytes_max"] >= 0, figures
    # The whole server backed up and restored with the documents in it, checksum for checksum.
    assert figures["pitr.same_documents"] == 1 and figures["pitr.documents"] > 0, figures
    assert figures["pitr.restore_seconds"] > 0 and figures["pitr.repository_bytes"] > 0, figures

    left = sorted(set(QUICK_CONTAINERS) & _containers())
    assert not left, f"scripts/bench --quick: expected its stacks removed, containers left: {left}"
