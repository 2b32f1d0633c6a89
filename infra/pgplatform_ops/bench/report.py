"""The one table `scripts/bench` prints: each figure, its baseline from the same run, the target
and whether it is met (not judged with --quick, whose sizes prove only that the command works)."""

from __future__ import annotations

from dataclasses import dataclass

from pgplatform_ops.bench.bootstrap import BootstrapResult
from pgplatform_ops.bench.pooled import PoolerResult
from pgplatform_ops.bench.queue import QueueResult
from pgplatform_ops.bench.replica_lag import LagResult
from pgplatform_ops.bench.vectors import VectorResult

KEYS = (
    "vector.rows", "vector.dim", "vector.hnsw_p50_ms", "vector.hnsw_p95_ms",
    "vector.hnsw_recall_at_10", "vector.seed_ivfflat_p95_ms", "vector.seed_ivfflat_recall_at_10",
    "vector.exact_p95_ms", "queue.workers", "queue.tasks", "queue.skip_locked_claims_per_s",
    "queue.naive_claims_per_s", "queue.duplicates", "queue.lost", "bootstrap.services",
    "bootstrap.seconds", "verify.seconds", "pooler.clients",
    "pooler.answered", "pooler.pool_size", "pooler.server_sessions_max", "pooler.seconds",
    "replica.count", "replica.lag_bytes_max", "replica.lag_seconds_max",
    "replica.lag_seconds_p50", "replica.catch_up_seconds",
)

# Targets. Speed targets are judged on the full run only; correctness always.
RECALL_MIN = 0.98
HNSW_VS_SEED_MIN = 5.0
HNSW_VS_EXACT_MIN = 20.0
CLAIMS_PER_S_MIN = 5000.0
CLAIMS_VS_NAIVE_MIN = 3.0
BOOTSTRAP_VERIFY_MAX_S = 60.0


@dataclass
class Row:
    area: str
    figure: str
    value: str
    baseline: str
    target: str
    met: bool | None  # None: no target
    correctness: bool = False  # judged even with --quick

    def verdict(self, quick: bool) -> str:
        if self.met is None:
            return ""
        if quick and not self.correctness:
            return "(quick)"
        return "ok" if self.met else "MISS"


def _ratio(slow: float, fast: float) -> float:
    return slow / fast if fast > 0 else float("inf")


def rows(vector: VectorResult | None, queue: QueueResult | None,
         boot: BootstrapResult | None, pooler: PoolerResult | None = None,
         lag: LagResult | None = None) -> list[Row]:
    out: list[Row] = []
    if vector is not None:
        f = vector.figures()
        h50, h95 = f["vector.hnsw_p50_ms"], f["vector.hnsw_p95_ms"]
        s95, e95 = f["vector.seed_ivfflat_p95_ms"], f["vector.exact_p95_ms"]
        s50, e50 = vector.seed.percentile(50), vector.exact.percentile(50)
        out += [
            Row("vector", "rows x dim (clustered, seeded)", f"{vector.rows:,} x {vector.dim}",
                f"{vector.queries} queries, top-10 cosine", "", None),
            Row("vector", f"HNSW {vector.hnsw_options}, hnsw.ef_search={vector.ef_search}",
                f"build {vector.hnsw_build_seconds:.1f} s",
                f"seed ivfflat: lists=100 on empty table, load {vector.seed_load_seconds:.1f} s",
                "", None),
            Row("vector", "HNSW p50 latency", f"{h50:.2f} ms",
                f"seed ivfflat {s50:.2f} ms, exact {e50:.2f} ms", "", None),
            Row("vector", "HNSW p95 latency vs seed", f"{h95:.2f} ms",
                f"seed ivfflat {s95:.2f} ms ({_ratio(s95, h95):.1f}x)",
                f">= {HNSW_VS_SEED_MIN:g}x faster", _ratio(s95, h95) >= HNSW_VS_SEED_MIN),
            Row("vector", "HNSW p95 latency vs exact", f"{h95:.2f} ms",
                f"exact (seq scan) {e95:.2f} ms ({_ratio(e95, h95):.1f}x)",
                f">= {HNSW_VS_EXACT_MIN:g}x faster", _ratio(e95, h95) >= HNSW_VS_EXACT_MIN),
            Row("vector", "HNSW recall@10", f"{f['vector.hnsw_recall_at_10']:.4f}",
                f"seed ivfflat {f['vector.seed_ivfflat_recall_at_10']:.4f} (one probe reads "
                f"{100 * vector.seed_scanned_fraction:.1f}% of its index), exact 1",
                f">= {RECALL_MIN:g}", f["vector.hnsw_recall_at_10"] >= RECALL_MIN),
        ]
    if queue is not None:
        c, n = queue.claim_task, queue.naive
        out += [
            Row("queue", f"claim_task claims/s ({queue.workers} workers, {queue.tasks:,} tasks)",
                f"{c.claims_per_s:,.0f}/s", f"naive FOR UPDATE {n.claims_per_s:,.0f}/s",
                f">= {CLAIMS_PER_S_MIN:,.0f}/s", c.claims_per_s >= CLAIMS_PER_S_MIN),
            Row("queue", "claim_task vs naive", f"{_ratio(c.claims_per_s, n.claims_per_s):.1f}x",
                f"naive {n.seconds:.1f} s, claim_task {c.seconds:.1f} s",
                f">= {CLAIMS_VS_NAIVE_MIN:g}x",
                _ratio(c.claims_per_s, n.claims_per_s) >= CLAIMS_VS_NAIVE_MIN),
            Row("queue", "claim_task duplicates / lost", f"{c.duplicates} / {c.lost}",
                f"naive {n.duplicates} / {n.lost}", "0 / 0",
                c.duplicates == 0 and c.lost == 0, correctness=True),
        ]
    if boot is not None:
        out += [
            Row("bootstrap", f"harness up, {boot.services} services / {boot.databases} dbs",
                f"{boot.up_seconds:.1f} s", f"{boot.up_seconds / boot.services:.2f} s/service",
                "", None),
            Row("bootstrap", "verify (passed)", f"{boot.verify_seconds:.1f} s",
                f"{boot.verify_seconds / boot.services:.2f} s/service", "", None),
            Row("bootstrap", "up + verify", f"{boot.total_seconds:.1f} s", "",
                f"< {BOOTSTRAP_VERIFY_MAX_S:g} s", boot.total_seconds < BOOTSTRAP_VERIFY_MAX_S),
        ]
    if lag is not None:
        f = lag.figures()
        out += [
            Row("replica", f"replay lag under the document load ({lag.replicas} replica(s), "
                f"{lag.samples} samples)",
                f"max {f['replica.lag_seconds_max']} s, {lag.lag_bytes_max:,} bytes",
                f"p50 {f['replica.lag_seconds_p50']} s", "", None),
            Row("replica", "caught up after the load", f"{lag.catch_up_seconds:.1f} s", "",
                "", None),
        ]
    if pooler is not None:
        p = pooler
        out += [
            Row("pooler", f"{p.clients} clients of {p.service} through pooled_dsn, answered",
                f"{p.answered} in {p.seconds:.1f} s", "", f"{p.clients}",
                p.answered == p.clients, correctness=True),
            Row("pooler", f"server sessions of {p.service}'s login at once",
                f"max {p.server_sessions_max}", f"poolSize {p.pool_size}",
                f"<= {p.pool_size}", p.server_sessions_max <= p.pool_size, correctness=True),
        ]
    return out


def table(rows_: list[Row], *, quick: bool) -> str:
    header = ("area", "figure", "measured", "baseline (same run)", "target", "")
    cells = [header] + [(r.area, r.figure, r.value, r.baseline, r.target, r.verdict(quick))
                        for r in rows_]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    fmt = [f"| {' | '.join(c[i].ljust(widths[i]) for i in range(len(header)))} |"
           for c in cells]
    return "\n".join([line, fmt[0], line, *fmt[1:], line])
