"""How the module's HNSW index costs grow with the data: at STEPS sizes of the real documents
(each the first rows of the next), its build time, its size and the best throughput at recall@10
>= RECALL_MIN over `hnsw.ef_search`, on a scratch table of the benchmark's own (read by the
admin) at full precision: the index is the module's design (an expression index on
`embedding::halfvec(dim)` where the module stores halfvec, as vector_store does since its 0003)
and the exact answers come from a sequential scan of the full-precision column."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from pgplatform_ops.bench import vectors
from pgplatform_ops.bench.stack import Deployed, log
from pgplatform_ops.bench.vector_data import Documents
from pgplatform_ops.bench.vector_search import (
    EF_SEARCH,
    Clients,
    Curve,
    Params,
    index_bytes,
    measure,
    sweep,
)

SCHEMA = "pgplatform_bench_scaling"
TABLE = "documents"
INDEX = "scaling_documents_hnsw_idx"
STEPS = (8, 4, 2, 1)
"""Sizes as fractions 1/n of the largest."""


@dataclass(frozen=True)
class Step:
    rows: int
    build_seconds: float
    index_bytes: int
    best: Curve


@dataclass(frozen=True)
class ScalingResult:
    options: str
    steps: list[Step]
    recall_min: float

    def figures(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for i, step in enumerate(self.steps, start=1):
            point, reached = step.best.best_at(self.recall_min)
            out |= {f"scaling.rows_{i}": step.rows,
                    f"scaling.build_seconds_{i}": round(step.build_seconds, 1),
                    f"scaling.index_bytes_{i}": step.index_bytes,
                    f"scaling.qps_at_recall_{i}": round(point.qps, 1) if reached else 0.0}
        return out


def run(deployed: Deployed, sizes: list[Documents], options: str, *, clients: int,
        min_seconds: float, recall_min: float) -> ScalingResult:
    """`sizes`: the documents at each size, smallest first; `options`: the module's HNSW
    index's (`m=16, …`). The scratch copy takes the deployed table's definition."""
    svc = deployed.service_for_module(vectors.MODULE)
    module_table = sql.Identifier(svc.schema, vectors.TABLE)
    admin_dsn = deployed.admin_dsn(svc.database)
    table = sql.Identifier(SCHEMA, TABLE)
    steps = []
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.add_notice_handler(lambda d: None)
        half = vectors.element_of(admin, svc.schema) == "halfvec"
        try:
            for docs in sizes:
                steps.append(_step(admin, admin_dsn, docs, module_table, table, options,
                                   half=half, clients=clients, min_seconds=min_seconds))
                best, _ = steps[-1].best.best_at(recall_min)
                log(f"scaling: {docs.rows:,} rows: HNSW built in {steps[-1].build_seconds:.1f} s,"
                    f" {steps[-1].index_bytes:,} bytes, best {best.qps:,.0f} q/s at "
                    f"{best.setting} (recall {best.recall:.3f})")
        finally:
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(SCHEMA)))
    return ScalingResult(options=options, steps=steps, recall_min=recall_min)


def _step(admin: psycopg.Connection[Any], admin_dsn: str, docs: Documents,
          module_table: sql.Composable, table: sql.Composable, options: str, *, half: bool,
          clients: int, min_seconds: float) -> Step:
    admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SCHEMA)))
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    vectors.full_precision_table(admin, table, module_table, docs.dim)
    vectors.copy_documents(admin, table, docs, "vector")
    key, opclass = ((f"embedding::extensions.halfvec({docs.dim})", "halfvec_cosine_ops")
                    if half else ("embedding", "vector_cosine_ops"))
    started = time.monotonic()
    admin.execute(sql.SQL("CREATE INDEX {} ON {} USING hnsw (({}) extensions.{}) {}").format(
        sql.Identifier(INDEX), table, sql.SQL(key), sql.SQL(opclass),
        sql.SQL(f"WITH ({options})" if options else "")))
    build = time.monotonic() - started
    admin.execute(sql.SQL("ANALYZE {}").format(table))
    exact = sql.SQL("SELECT id FROM {} ORDER BY embedding <=> %s::vector LIMIT 10"
                    ).format(table).as_string(admin)
    query = sql.SQL("SELECT id FROM {} ORDER BY {} <=> %s::{} LIMIT 10").format(
        table, sql.SQL(key), sql.SQL(f"extensions.halfvec({docs.dim})" if half else "vector")
    ).as_string(admin)
    plain: list[Params] = [(v,) for v in docs.queries]
    # pgvector's operators live in `extensions`, as the module's own sessions find them.
    with Clients(admin_dsn, clients, ["SET search_path = extensions", "SET enable_indexscan = off",
                                      "SET enable_bitmapscan = off"]) as ex:
        _, truth = measure(ex, "sequential scan", exact, plain, None, min_seconds=0)
    with Clients(admin_dsn, clients, ["SET search_path = extensions",
                                      "SET enable_seqscan = off"]) as hn:
        curve = sweep(hn, Curve("hnsw", f"HNSW at {docs.rows:,} rows"), query, plain, truth,
                      [(f"ef_search={v}", f"SET hnsw.ef_search = {v}") for v in EF_SEARCH],
                      min_seconds=min_seconds, log=log)
    return Step(rows=docs.rows, build_seconds=build, index_bytes=index_bytes(admin, SCHEMA, INDEX),
                best=curve)
