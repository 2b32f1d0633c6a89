"""The one table `scripts/bench` prints: each figure, its baseline from the same run, the target
and whether it is met (not judged with --quick, whose sizes prove only that the command works)."""

from __future__ import annotations

from dataclasses import dataclass

from pgplatform_ops.bench import vectors
from pgplatform_ops.bench.bootstrap import BootstrapResult
from pgplatform_ops.bench.engine_bootstrap import EngineBootstrapResult
from pgplatform_ops.bench.pitr_bench import PitrResult
from pgplatform_ops.bench.pooled import PoolerResult
from pgplatform_ops.bench.queue import QueueResult
from pgplatform_ops.bench.replica_lag import LagResult
from pgplatform_ops.bench.scaling import STEPS, ScalingResult
from pgplatform_ops.bench.vector_search import Curve
from pgplatform_ops.bench.vectors import VectorResult
from pgplatform_ops.bench.verify_run import VerifyResult

_VECTOR_KEYS = (
    "rows", "dim", "hnsw_qps", "seed_qps_at_recall", "ivfflat_qps_at_recall", "exact_qps",
    "hnsw_recall_at_10", "hnsw_server_ms_p50", "roundtrip_ms_p50", "filtered_recall_at_10",
    "filtered_qps", "hnsw_index_bytes", "hnsw_build_seconds", "full_qps_at_recall",
    "full_index_bytes", "full_build_seconds", "halfvec_qps_at_recall",
    "halfvec_index_bytes", "halfvec_build_seconds", "binary_qps_at_recall",
    "binary_index_bytes", "binary_build_seconds")
KEYS = (
    *(f"vector.{k}" for k in _VECTOR_KEYS),
    *(f"vector_real.{k}" for k in _VECTOR_KEYS),
    "vector_real.chunks_available", "vector_real.embed_chunks_per_s",
    *(f"scaling.{k}_{i}" for i in range(1, len(STEPS) + 1)
      for k in ("rows", "build_seconds", "index_bytes", "qps_at_recall")),
    "queue.workers", "queue.tasks", "queue.claims_per_s", "queue.naive_claims_per_s",
    "queue.write_roundtrips_per_s", "queue.duplicates", "queue.lost", "queue.lost_after_kill",
    "queue.claims_per_s_first_quarter", "queue.claims_per_s_last_quarter",
    "bootstrap.services", "bootstrap.seconds", "verify.seconds", "verify.dev_seconds",
    "bootstrap.engine_resources", "bootstrap.engine_seconds",
    "bootstrap.engine_second_up_seconds", "bootstrap.engine_second_up_changes",
    "pooler.clients", "pooler.client_share", "pooler.answered", "pooler.pool_size",
    "pooler.server_sessions_max", "pooler.seconds",
    "replica.count", "replica.lag_bytes_max", "replica.lag_seconds_max",
    "replica.lag_seconds_p50", "replica.catch_up_seconds",
    "pitr.documents", "pitr.backup_full_seconds", "pitr.backup_incr_seconds",
    "pitr.restore_seconds", "pitr.repository_bytes", "pitr.data_volume_bytes",
    "pitr.same_documents",
)

# Targets (issue 14). Speed targets are judged on the full run only; correctness always.
RECALL_MIN = vectors.RECALL_MIN
FILTERED_RECALL_MIN = 0.95
HNSW_VS_SEED_MIN = 10.0
HNSW_VS_EXACT_MIN = 30.0
CLAIMS_VS_WRITE_LIMIT_MIN = 0.7
CLAIMS_VS_NAIVE_MIN = 5.0
BOOTSTRAP_MAX_S = 30.0
VERIFY_MAX_S = 20.0
VERIFY_DEV_MAX_S = 10.0


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


def _best(curve: Curve) -> str:
    point, reached = curve.best_at(RECALL_MIN)
    text = f"{point.qps:,.0f} q/s at {point.setting} (recall {point.recall:.3f})"
    return text if reached else f"{text}: never reaches {RECALL_MIN:g}"


def _vector_rows(v: VectorResult) -> list[Row]:
    area = v.prefix
    f = {k.removeprefix(f"{area}."): value for k, value in v.figures().items()}
    hnsw, seed, ivf, exact = (f["hnsw_qps"], f["seed_qps_at_recall"],
                              f["ivfflat_qps_at_recall"], f["exact_qps"])
    q = v.quantized
    out = [
        Row(area, "rows x dim", f"{v.rows:,} x {v.dim}",
            f"{v.description}; {v.queries} top-10 cosine queries, {v.clients} concurrent "
            "clients", "", None),
        Row(area, f"HNSW {v.hnsw_options}", f"build {v.hnsw_build_seconds:.1f} s, "
            f"{v.hnsw_bytes / 1e6:,.1f} MB",
            f"ivfflat lists={v.ivfflat_lists} build {v.ivfflat_build_seconds:.1f} s; load "
            f"{v.load_seconds:.1f} s", "", None),
        Row(area, "HNSW at full precision (scratch copy)",
            f"build {q.full_build_seconds:.1f} s, {q.full_bytes / 1e6:,.1f} MB",
            "same options", "", None),
        Row(area, "HNSW on halfvec (expression index)",
            f"build {q.halfvec_build_seconds:.1f} s, {q.halfvec_bytes / 1e6:,.1f} MB",
            "same options", "", None),
        Row(area, "HNSW on binary_quantize, re-ranked",
            f"build {q.binary_build_seconds:.1f} s, {q.binary_bytes / 1e6:,.1f} MB",
            "same options", "", None),
    ]
    for curve in (v.hnsw, v.seed, v.ivfflat, q.full, q.halfvec, q.binary, v.exact):
        out += [Row(area, f"{curve.method} {p.setting}",
                    f"recall {p.recall:.4f}, {p.qps:,.1f} q/s", curve.description, "", None)
                for p in curve.points]
    for curve, size in ((q.full, q.full_bytes), (q.halfvec, q.halfvec_bytes),
                        (q.binary, q.binary_bytes)):
        out.append(Row(area, f"{curve.method} q/s at recall >= {RECALL_MIN:g} vs the module's "
                             "HNSW", _best(curve),
                       f"module's HNSW {hnsw:,.0f} q/s; index {size / 1e6:,.1f} MB vs "
                       f"{v.hnsw_bytes / 1e6:,.1f} MB", "", None))
    hnsw_reached = v.hnsw.best_at(RECALL_MIN)[1]
    out += [
        Row(area, f"HNSW q/s at recall >= {RECALL_MIN:g} vs seed", _best(v.hnsw),
            f"seed {_best(v.seed)} ({_ratio(hnsw, seed):.1f}x)", f">= {HNSW_VS_SEED_MIN:g}x",
            hnsw_reached and _ratio(hnsw, seed) >= HNSW_VS_SEED_MIN),
        Row(area, f"HNSW q/s at recall >= {RECALL_MIN:g} vs exact", f"{hnsw:,.0f} q/s",
            f"exact {exact:,.1f} q/s ({_ratio(hnsw, exact):.1f}x)", f">= {HNSW_VS_EXACT_MIN:g}x",
            hnsw_reached and _ratio(hnsw, exact) >= HNSW_VS_EXACT_MIN),
        Row(area, f"HNSW q/s at recall >= {RECALL_MIN:g} vs ivfflat (README)",
            f"{hnsw:,.0f} q/s", f"ivfflat {_best(v.ivfflat)} ({_ratio(hnsw, ivf):.1f}x)", "",
            None),
        Row(area, f"HNSW recall@10 at the stack's ef_search={v.ef_search}",
            f"{f['hnsw_recall_at_10']:.4f}", f"{v.configured.qps:,.0f} q/s there",
            f">= {RECALL_MIN:g}", f["hnsw_recall_at_10"] >= RECALL_MIN),
        Row(area, "HNSW server execution p50 (EXPLAIN ANALYZE)",
            f"{f['hnsw_server_ms_p50']:.3f} ms",
            f"bare SELECT 1 round trip p50 {f['roundtrip_ms_p50']:.3f} ms", "", None),
        Row(area, f"filtered ({v.filter_description}) recall@10, iterative_scan={v.iterative_scan}",
            f"{f['filtered_recall_at_10']:.4f}",
            f"plan {', '.join(v.filtered.plan_indexes) or 'sequential scan'}",
            f">= {FILTERED_RECALL_MIN:g}",
            f["filtered_recall_at_10"] >= FILTERED_RECALL_MIN),
        Row(area, "filtered q/s", f"{f['filtered_qps']:,.1f} q/s",
            f"exact filtered {v.filtered_exact.qps:,.1f} q/s", "", None),
    ]
    return out


def _queue_rows(q: QueueResult) -> list[Row]:
    f = q.figures()
    claims, naive, limit = (f["queue.claims_per_s"], f["queue.naive_claims_per_s"],
                            f["queue.write_roundtrips_per_s"])
    return [
        Row("queue", f"claim_task claims/s ({q.workers} workers, {q.tasks:,} tasks)",
            f"{claims:,.0f}/s", f"write round-trip limit {limit:,.0f}/s "
            f"({_ratio(claims, limit):.2f}x)",
            f">= {CLAIMS_VS_WRITE_LIMIT_MIN:g}x limit",
            claims >= CLAIMS_VS_WRITE_LIMIT_MIN * limit),
        Row("queue", "claim_task claims/s, first / last quarter of the tasks",
            f"{f['queue.claims_per_s_first_quarter']:,.0f}/s / "
            f"{f['queue.claims_per_s_last_quarter']:,.0f}/s",
            "claimed tasks stay in the pending-queue index until VACUUM", "", None),
        Row("queue", "claim_task vs naive", f"{_ratio(claims, naive):.1f}x",
            f"naive FOR UPDATE {naive:,.0f}/s", f">= {CLAIMS_VS_NAIVE_MIN:g}x",
            _ratio(claims, naive) >= CLAIMS_VS_NAIVE_MIN),
        Row("queue", "duplicates / lost", f"{f['queue.duplicates']} / {f['queue.lost']}", "",
            "0 / 0", f["queue.duplicates"] == 0 and f["queue.lost"] == 0, correctness=True),
        Row("queue", "lost after 2 workers SIGKILLed", f"{f['queue.lost_after_kill']}",
            "tasks not completed exactly once after the leases ran out", "0",
            f["queue.lost_after_kill"] == 0, correctness=True),
    ]


def _engine_rows(engine: EngineBootstrapResult) -> list[Row]:
    per_resource_ms = 1000 * engine.first_seconds / max(engine.resources, 1)
    return [
        Row("bootstrap", f"pulumi up (real engine, file backend), {engine.services} services, "
            "from an empty server", f"{engine.first_seconds:.1f} s",
            f"{engine.resources:,} resources, {per_resource_ms:.0f} ms each",
            f"<= {BOOTSTRAP_MAX_S:g} s", engine.first_seconds <= BOOTSTRAP_MAX_S),
        Row("bootstrap", "second pulumi up (real engine)", f"{engine.second_seconds:.1f} s",
            f"{engine.second_changes} changes", "0 changes", engine.second_changes == 0,
            correctness=True),
    ]


def _bootstrap_rows(boot: BootstrapResult | None, dev: VerifyResult | None,
                    engine: EngineBootstrapResult | None = None) -> list[Row]:
    out = []
    if boot is not None:
        out += [
            Row("bootstrap", f"harness up, {boot.services} services / {boot.databases} dbs, "
                "from an empty server", f"{boot.up_seconds:.1f} s",
                f"{boot.up_seconds / boot.services:.2f} s/service", f"<= {BOOTSTRAP_MAX_S:g} s",
                boot.up_seconds <= BOOTSTRAP_MAX_S),
            Row("bootstrap", f"verify the {boot.services} services (passed)",
                f"{boot.verify_seconds:.1f} s", f"{boot.checks}",
                f"<= {VERIFY_MAX_S:g} s", boot.verify_seconds <= VERIFY_MAX_S),
        ]
    if engine is not None:
        out += _engine_rows(engine)
    if dev is not None:
        out.append(Row("bootstrap", f"verify stack {dev.stack} (passed)",
                       f"{dev.seconds:.1f} s", dev.summary, f"<= {VERIFY_DEV_MAX_S:g} s",
                       dev.seconds <= VERIFY_DEV_MAX_S))
    return out


def rows(vector: VectorResult | None, queue: QueueResult | None,
         boot: BootstrapResult | None, pooler: PoolerResult | None = None,
         lag: LagResult | None = None, dev: VerifyResult | None = None,
         pitr: PitrResult | None = None, real: VectorResult | None = None,
         scale: ScalingResult | None = None,
         engine: EngineBootstrapResult | None = None) -> list[Row]:
    out: list[Row] = []
    for result in (vector, real):
        if result is not None:
            out += _vector_rows(result)
    if scale is not None:
        for step in scale.steps:
            point, reached = step.best.best_at(scale.recall_min)
            out.append(Row(
                "scaling", f"HNSW ({scale.options}) at {step.rows:,} real rows",
                f"build {step.build_seconds:.1f} s, {step.index_bytes / 1e6:,.1f} MB",
                f"{point.qps:,.0f} q/s at {point.setting} (recall {point.recall:.3f})"
                + ("" if reached else f": never reaches {scale.recall_min:g}"), "", None))
    if queue is not None:
        out += _queue_rows(queue)
    out += _bootstrap_rows(boot, dev, engine)
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
    if pitr is not None:
        r = pitr
        out += [
            Row("pitr", f"base backup of the server holding {r.documents:,} documents, full "
                "then incremental", f"{r.full_seconds:.1f} s, {r.incr_seconds:.1f} s", "", "",
                None),
            Row("pitr", "repository (backups and WAL) against the data volume",
                f"{r.repository_bytes / 1e6:,.0f} MB / {r.data_bytes / 1e6:,.0f} MB", "", "",
                None),
            Row("pitr", "restore to the last archived WAL, replicas copied again (RTO)",
                f"{r.restore_seconds:.1f} s", "", "", None),
            Row("pitr", "every document the same after the restore (checksum)",
                "yes" if r.same_documents else "NO", "", "yes", r.same_documents,
                correctness=True),
        ]
    if pooler is not None:
        p = pooler
        out += [
            Row("pooler", f"{p.clients} clients of {p.service} (its pooler client share "
                          f"{p.client_share}) through pooled_dsn, answered",
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
