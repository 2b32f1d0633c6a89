"""The vector benchmark's equal-recall comparison: each method's figure is its best throughput at
recall@10 >= 0.98, a method that never gets there is reported at its highest recall and said
so, and the table judges the issue's ratios on those figures."""

from __future__ import annotations

import pytest

from pgplatform_ops.bench import report
from pgplatform_ops.bench.quantized import Quantized
from pgplatform_ops.bench.stack import BenchError
from pgplatform_ops.bench.vector_search import Curve, Point, recall_at
from pgplatform_ops.bench.vectors import VectorResult, _check_plans, _ef_settings, _probe_settings

pytestmark = pytest.mark.unit


def _p(setting: str, recall: float, qps: float, plan: tuple[str, ...] = ()) -> Point:
    return Point(setting=setting, qps=qps, recall=recall, queries=100, plan_indexes=plan)


def _result(seed_points: list[Point]) -> VectorResult:
    hnsw = Curve("hnsw", "module's HNSW", [
        _p("ef_search=10", 0.95, 2000.0), _p("ef_search=40", 0.985, 1500.0),
        _p("ef_search=100 (stack)", 0.999, 900.0)])
    quantized = Quantized(
        full=Curve("full", "full", [_p("ef_search=40", 0.99, 1200.0)]),
        halfvec=Curve("halfvec", "halfvec", [_p("ef_search=40", 0.982, 1600.0)]),
        binary=Curve("binary", "binary", [_p("candidates=640", 0.96, 700.0)]),
        full_bytes=400_000_000, halfvec_bytes=100_000_000, binary_bytes=20_000_000,
        full_build_seconds=60.0, halfvec_build_seconds=30.0, binary_build_seconds=10.0)
    return VectorResult(
        kind="synthetic", description="synthetic", filter_description="1/10 of the rows",
        hnsw_bytes=200_000_000, quantized=quantized,
        rows=100_000, dim=384, queries=300, clients=8, load_seconds=10.0,
        hnsw_build_seconds=50.0, ivfflat_build_seconds=9.0, hnsw_options="m=16",
        ef_search="100", iterative_scan="relaxed_order", ivfflat_lists=100,
        exact=Curve("exact", "sequential scan", [_p("sequential scan", 1.0, 40.0)]),
        hnsw=hnsw, seed=Curve("seed", "seed-001", seed_points),
        ivfflat=Curve("ivfflat", "README", [_p("probes=8", 0.97, 400.0),
                                            _p("probes=16", 0.99, 250.0)]),
        filtered=_p("stack settings", 0.97, 300.0), filtered_exact=_p("seq", 1.0, 60.0),
        server_ms=[1.0, 2.0, 3.0], roundtrip_ms=[0.1, 0.2, 0.3])


def _row(rows: list[report.Row], prefix: str) -> report.Row:
    return next(r for r in rows if r.figure.startswith(prefix))


def test_vector_figures__best_throughput_at_equal_recall_per_method() -> None:
    f = _result([_p("probes=1 (default)", 0.3, 1500.0), _p("probes=64", 0.99, 120.0)]).figures()
    assert f["vector.hnsw_qps"] == 1500.0, "HNSW's best point at recall >= 0.98 is ef_search=40"
    assert f["vector.seed_qps_at_recall"] == 120.0, "the seed design reaches 0.98 at probes=64"
    assert f["vector.ivfflat_qps_at_recall"] == 250.0
    assert f["vector.exact_qps"] == 40.0
    assert f["vector.hnsw_recall_at_10"] == 0.999, "recall at the stack's own ef_search"
    assert f["vector.hnsw_server_ms_p50"] == 2.0 and f["vector.roundtrip_ms_p50"] == 0.2
    assert set(f) <= set(report.KEYS), f"figures outside the documented keys: {set(f)}"
    assert f["vector.halfvec_qps_at_recall"] == 1600.0
    assert f["vector.binary_qps_at_recall"] == 0.0, "never reaches 0.98: no figure at recall"
    assert f["vector.halfvec_index_bytes"] == 100_000_000
    assert f["vector.full_qps_at_recall"] == 1200.0 and f["vector.full_index_bytes"] == 4e8


def test_vector_figures__real_documents_report_under_their_own_prefix() -> None:
    result = _result([_p("probes=64", 0.99, 120.0)])
    result.kind = "real"
    f = result.figures()
    assert f["vector_real.hnsw_qps"] == 1500.0 and "vector.hnsw_qps" not in f
    assert set(f) <= set(report.KEYS)
    rows = report.rows(None, None, None, real=result)
    assert {r.area for r in rows} == {"vector_real"}
    binary = _row(rows, "binary q/s at recall >= 0.98 vs the module's HNSW")
    assert "never reaches 0.98" in binary.value and "20.0 MB vs 200.0 MB" in binary.baseline
    full = _row(rows, "full q/s at recall >= 0.98 vs the module's HNSW")
    assert full.value.startswith("1,200") and "400.0 MB vs 200.0 MB" in full.baseline


def test_vector_report__judges_the_ratios_and_names_a_method_that_never_reaches_the_recall(
) -> None:
    rows = report.rows(_result([_p("probes=1 (default)", 0.3, 1500.0),
                                _p("probes=100", 0.9, 100.0)]), None, None)
    seed = _row(rows, "HNSW q/s at recall >= 0.98 vs seed")
    assert "never reaches 0.98" in seed.baseline, seed.baseline
    assert "probes=100" in seed.baseline, "the seed's highest-recall point is the baseline"
    assert seed.met is True, "1500 q/s is 15x the seed's 100 q/s"
    exact = _row(rows, "HNSW q/s at recall >= 0.98 vs exact")
    assert exact.met is True and "37.5x" in exact.baseline, exact.baseline
    filtered = _row(rows, "filtered")
    assert filtered.met is True, "0.97 >= 0.95"


def test_vector_report__a_miss_is_reported_as_a_miss() -> None:
    rows = report.rows(_result([_p("probes=32", 0.99, 600.0)]), None, None)
    seed = _row(rows, "HNSW q/s at recall >= 0.98 vs seed")
    assert seed.met is False and seed.verdict(quick=False) == "MISS"
    assert seed.verdict(quick=True) == "(quick)", "speed is not judged on --quick"


def test_recall_at__fraction_of_the_true_top_k_found() -> None:
    assert recall_at([[1, 2, 3, 4], [5, 6]], [[1, 2, 9, 8], [5, 6]]) == pytest.approx(0.75)


def test_sweeps__the_stacks_own_setting_is_one_point_reset_not_set() -> None:
    ef = _ef_settings("100")
    assert ("ef_search=100 (stack)", "RESET hnsw.ef_search") in ef
    assert [label for label, _ in ef] == sorted(
        (label for label, _ in ef), key=lambda s: int(s.split("=")[1].split()[0]))
    probes = _probe_settings(5, "1")
    assert probes == [("probes=1 (default)", "SET ivfflat.probes = 1"),
                      ("probes=2", "SET ivfflat.probes = 2"),
                      ("probes=4", "SET ivfflat.probes = 4"),
                      ("probes=5", "SET ivfflat.probes = 5")], "never more probes than lists"


def test_vector_plans__a_scan_above_the_stacks_ef_search_is_noted_the_stacks_own_point_fails(
) -> None:
    result = _result([_p("probes=64", 0.99, 120.0, ("seed_documents_embedding_idx",))])
    idx = ("documents_embedding_hnsw_idx",)
    result.exact.points[:] = [_p("sequential scan", 1.0, 40.0)]
    result.ivfflat.points[:] = [_p("probes=16", 0.99, 250.0, ("readme_documents_embedding_idx",))]
    result.quantized.full.points[:] = [_p("ef_search=40", 0.99, 9.0,
                                          ("bench_documents_full_idx",))]
    result.quantized.halfvec.points[:] = [_p("ef_search=40", 0.99, 9.0,
                                             ("bench_documents_halfvec_idx",))]
    result.quantized.binary.points[:] = [_p("candidates=40", 0.99, 9.0,
                                            ("bench_documents_binary_idx",))]
    result.hnsw.points[:] = [_p("ef_search=40", 0.98, 1500.0, idx),
                             _p("ef_search=100 (stack)", 0.99, 900.0, idx),
                             _p("ef_search=400", 1.0, 300.0)]
    _check_plans(result, idx[0], strict=True)
    assert result.notes == ["vector: hnsw at ef_search=400 planned with indexes [], expected "
                            "['documents_embedding_hnsw_idx']"]
    result.hnsw.points[1] = _p("ef_search=100 (stack)", 1.0, 300.0)
    with pytest.raises(BenchError, match="ef_search=100"):
        _check_plans(result, idx[0], strict=True)
