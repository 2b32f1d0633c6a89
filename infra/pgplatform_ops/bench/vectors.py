"""Vector search at equal recall: the vector_store module's HNSW index against the seed-001
design, ivfflat built as pgvector's README says, and exact search, each as a recall/throughput
curve over its knob, with `clients` concurrent clients, on the documents of `vector_data`.

Every method answers the same top-10 cosine queries (`ORDER BY embedding <=> $1 LIMIT 10`):

- exact: a full-precision scratch copy of the documents (`vector(dim)`, whatever the module
  stores: vector_store keeps halfvec since its 0003), index and bitmap scans off: a (parallel)
  sequential scan, whose answers are the ground truth for recall@10 of every method;
- hnsw: the deployed `documents` as the service's login, through the module's HNSW index, over
  `hnsw.ef_search` (one point is the stack's own setting, the session's value reset);
- seed: the seed-001 design, a scratch copy of `documents` whose `ivfflat (lists = 100)` index
  was created on the empty table before loading (its centroids are meaningless), over
  `ivfflat.probes`;
- ivfflat: the same scratch copy with that index replaced by one built after loading with
  lists = rows / 1000 (pgvector's README: "a good place to start is rows / 1000 for up to 1M
  rows"), over `ivfflat.probes`.

The scratch copy is read by the admin (it lives in the benchmark's own schema), with sequential
scans off on those sessions only, so that a high `probes` measures the index rather than the
planner switching to a scan. The method's best throughput at recall@10 >= RECALL_MIN is the
figure compared.

Filtered search: the same queries, each restricted to one metadata source (1/10 of the rows), as
the service's login with the stack's settings (pgvector 0.8's `hnsw.iterative_scan` lets the
HNSW scan go on until LIMIT rows pass the filter); the plan the server picks is reported.

Where the time goes: `EXPLAIN ANALYZE` execution time of the HNSW query at the stack's setting,
beside a bare `SELECT 1` through the same connection (the client, TLS, docker-proxy and protocol
share of a round trip).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import psycopg
from psycopg import sql

from pgplatform.migrate.runner import act_as_owner
from pgplatform_ops.bench.quantized import (
    BINARY_INDEX,
    FULL_INDEX,
    HALFVEC_INDEX,
    Quantized,
    curves,
)
from pgplatform_ops.bench.stack import BenchError, Deployed, log
from pgplatform_ops.bench.vector_data import BENCH_TAG, Documents, Element
from pgplatform_ops.bench.vector_search import (
    EF_SEARCH,
    Clients,
    Curve,
    Params,
    Point,
    index_bytes,
    measure,
    percentile,
    sweep,
)

MODULE = "vector_store"
TABLE = "documents"
SCRATCH_SCHEMA = "pgplatform_bench_seed001"
SEED_LISTS = 100
SEED_INDEX = "seed_documents_embedding_idx"
IVFFLAT_INDEX = "readme_documents_embedding_idx"
QUERY = "SELECT id FROM {table} ORDER BY embedding <=> %s::vector LIMIT 10"
FILTERED = ("SELECT id FROM {table} WHERE metadata @> %s::jsonb "
            "ORDER BY embedding <=> %s::vector LIMIT 10")
RECALL_MIN = 0.98
PROBES = (1, 2, 4, 8, 16, 32, 64)
TIMING_QUERIES = 100


@dataclass
class VectorResult:
    kind: str
    """the documents' kind (`synthetic`, `real`): the figures' prefix"""
    description: str
    filter_description: str
    rows: int
    dim: int
    queries: int
    clients: int
    load_seconds: float
    hnsw_build_seconds: float
    ivfflat_build_seconds: float
    hnsw_options: str
    ef_search: str
    iterative_scan: str
    ivfflat_lists: int
    exact: Curve
    hnsw: Curve
    seed: Curve
    ivfflat: Curve
    filtered: Point
    filtered_exact: Point
    server_ms: list[float]
    roundtrip_ms: list[float]
    hnsw_bytes: int
    quantized: Quantized
    notes: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return "vector" if self.kind == "synthetic" else f"vector_{self.kind}"

    @property
    def configured(self) -> Point:
        """The HNSW point at the stack's own `hnsw.ef_search`."""
        return next(p for p in self.hnsw.points if p.setting.endswith("(stack)"))

    def figures(self) -> dict[str, float]:
        q = self.quantized
        figures = {
            "rows": self.rows,
            "dim": self.dim,
            "hnsw_qps": round(self.hnsw.best_at(RECALL_MIN)[0].qps, 1),
            "seed_qps_at_recall": round(self.seed.best_at(RECALL_MIN)[0].qps, 1),
            "ivfflat_qps_at_recall": round(self.ivfflat.best_at(RECALL_MIN)[0].qps, 1),
            "exact_qps": round(self.exact.points[0].qps, 1),
            "hnsw_recall_at_10": round(self.configured.recall, 4),
            "hnsw_server_ms_p50": round(percentile(self.server_ms, 50), 3),
            "roundtrip_ms_p50": round(percentile(self.roundtrip_ms, 50), 3),
            "filtered_recall_at_10": round(self.filtered.recall, 4),
            "filtered_qps": round(self.filtered.qps, 1),
            "hnsw_index_bytes": self.hnsw_bytes,
            "hnsw_build_seconds": round(self.hnsw_build_seconds, 1),
            "full_qps_at_recall": round(_qps_at(q.full), 1),
            "full_index_bytes": q.full_bytes,
            "full_build_seconds": round(q.full_build_seconds, 1),
            "halfvec_qps_at_recall": round(_qps_at(q.halfvec), 1),
            "halfvec_index_bytes": q.halfvec_bytes,
            "halfvec_build_seconds": round(q.halfvec_build_seconds, 1),
            "binary_qps_at_recall": round(_qps_at(q.binary), 1),
            "binary_index_bytes": q.binary_bytes,
            "binary_build_seconds": round(q.binary_build_seconds, 1),
        }
        return {f"{self.prefix}.{k}": v for k, v in figures.items()}


def _qps_at(curve: Curve) -> float:
    """Best throughput at recall >= RECALL_MIN; 0 where no point reaches it."""
    point, reached = curve.best_at(RECALL_MIN)
    return point.qps if reached else 0.0


def _hnsw_indexes(conn: psycopg.Connection[Any], schema: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute(
        """SELECT c.relname, pg_get_indexdef(c.oid)
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             JOIN pg_am a ON a.oid = c.relam
            WHERE i.indrelid = format('%%I.%%I', %s::text, %s::text)::regclass
              AND a.amname = 'hnsw'
            ORDER BY 1""", (schema, TABLE)).fetchall()]


def element_of(conn: psycopg.Connection[Any], schema: str) -> Element:
    """The deployed embedding column's type (`vector` or `halfvec`)."""
    row = conn.execute(
        """SELECT t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = format('%%I.%%I', %s::text, %s::text)::regclass
              AND a.attname = 'embedding'""", (schema, TABLE)).fetchone()
    element = str(row[0]) if row else ""
    if element not in ("vector", "halfvec"):
        raise BenchError(f"{schema}.{TABLE}.embedding is {element or 'missing'}: the benchmark "
                         "loads vector or halfvec")
    return "halfvec" if element == "halfvec" else "vector"


def _check_empty(conn: psycopg.Connection[Any], schema: str) -> int:
    """Rows to clear before loading: only rows an interrupted benchmark left behind."""
    row = conn.execute(
        sql.SQL("SELECT count(*), count(*) FILTER (WHERE NOT metadata @> %s::jsonb) FROM {}")
        .format(sql.Identifier(schema, TABLE)), (json.dumps(BENCH_TAG),)).fetchone()
    total, foreign = (row or (0, 0))
    if foreign:
        raise BenchError(f"{schema}.{TABLE} holds {foreign} rows the benchmark did not load; it "
                         "loads into and then truncates that table, so it only runs on an empty "
                         "one. Fix: run it on a stack whose documents table is empty")
    return int(total)


def with_options(options: str) -> str:
    """The module index's reloptions as reported (`m=16 ef_construction=200`, or `defaults`)
    as a WITH list for another index built the same way."""
    return "" if options == "defaults" else options.replace(" ", ", ")


def _show(conn: psycopg.Connection[Any], name: str) -> str:
    row = conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(*name.split(".")))).fetchone()
    return str(row[0]) if row else ""


class Loaded(NamedTuple):
    load_seconds: float
    build_seconds: float
    index_name: str
    options: str


def load(admin: psycopg.Connection[Any], deployed: Deployed, docs: Documents) -> Loaded:
    """The service's documents, as its owner: the module's HNSW index is dropped and rebuilt
    from its own definition around the load (row-by-row HNSW inserts cost milliseconds each),
    in one transaction, so a failure leaves it as it was."""
    svc = deployed.service_for_module(MODULE)
    target = sql.Identifier(svc.schema, TABLE)
    leftover = _check_empty(admin, svc.schema)
    started = time.monotonic()
    with admin.transaction():
        act_as_owner(admin, svc.owner_role, svc.schemas)
        if leftover:
            admin.execute(sql.SQL("TRUNCATE {}").format(target))
        indexes = _hnsw_indexes(admin, svc.schema)
        if not indexes:
            raise BenchError(f"{svc.schema}.{TABLE} has no HNSW index: the module defines none")
        for name, _ in indexes:
            admin.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(svc.schema, name)))
        element = element_of(admin, svc.schema)
        log(f"vector: loading {docs.rows:,} x {docs.dim} vectors ({docs.description}) into "
            f"{svc.database}.{svc.schema}.{TABLE} ({element}, binary COPY as "
            f"{svc.owner_role})")
        copy_documents(admin, target, docs, element)
        loaded = time.monotonic()
        log(f"vector: loaded in {loaded - started:.1f} s; rebuilding "
            f"{', '.join(n for n, _ in indexes)}")
        for _, definition in indexes:
            admin.execute(definition.encode())
        built = time.monotonic()
        admin.execute(sql.SQL("ANALYZE {}").format(target))
    log(f"vector: HNSW built in {built - loaded:.1f} s")
    row = admin.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
                        (f"{svc.schema}.{indexes[0][0]}",)).fetchone()
    return Loaded(loaded - started, built - loaded, indexes[0][0],
                  " ".join(row[0]) if row and row[0] else "defaults")


def full_precision_table(admin: psycopg.Connection[Any], table: sql.Composable,
                         like: sql.Composable, dim: int) -> None:
    """An empty scratch `table` shaped as the module's `like`, its embedding `vector(dim)`
    whatever the module stores: where exact answers and full-precision indexes are read."""
    admin.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                  .format(table, like))
    admin.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN embedding TYPE extensions.vector({})")
                  .format(table, sql.Literal(dim)))


def copy_documents(conn: psycopg.Connection[Any], table: sql.Composable, docs: Documents,
                   element: Element) -> None:
    with conn.cursor().copy(sql.SQL(
            "COPY {} (id, title, content, embedding, metadata) FROM STDIN "
            "(FORMAT BINARY)").format(table)) as cp:
        for chunk in docs.copy(element):
            cp.write(chunk)


def _scratch_copy(admin: psycopg.Connection[Any], target: sql.Composable,
                  docs: Documents) -> None:
    """The seed-001 design: ivfflat created on the empty table, then the same documents loaded
    at full precision (the ground truth's, whatever the module stores)."""
    scratch = sql.Identifier(SCRATCH_SCHEMA, TABLE)
    admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCRATCH_SCHEMA)))
    full_precision_table(admin, scratch, target, docs.dim)
    admin.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (id)").format(scratch))
    admin.execute(sql.SQL("CREATE INDEX {} ON {} USING ivfflat "
                          "(embedding extensions.vector_cosine_ops) WITH (lists = {})").format(
        sql.Identifier(SEED_INDEX), scratch, sql.Literal(SEED_LISTS)))
    copy_documents(admin, scratch, docs, "vector")
    admin.execute(sql.SQL("ANALYZE {}").format(scratch))


def _probe_settings(lists: int, default: str) -> list[tuple[str, str]]:
    values = sorted({p for p in PROBES if p <= lists} | {lists})
    return [(f"probes={p}" + (" (default)" if str(p) == default else ""),
             f"SET ivfflat.probes = {p}") for p in values]


def _ef_settings(configured: str) -> list[tuple[str, str]]:
    values = sorted(set(EF_SEARCH) | {int(configured)})
    return [(f"ef_search={v} (stack)", "RESET hnsw.ef_search") if str(v) == configured
            else (f"ef_search={v}", f"SET hnsw.ef_search = {v}") for v in values]


def _timings(conn: psycopg.Connection[Any], stmt: str, params: list[Params]
             ) -> tuple[list[float], list[float]]:
    """(server execution ms of the query, client ms of a bare `SELECT 1`) on one connection."""
    server = []
    for p in params[:TIMING_QUERIES]:
        row = conn.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {stmt}".encode(), p).fetchone()
        doc = row[0] if row else [{}]
        doc = json.loads(doc) if isinstance(doc, str) else doc
        server.append(float(doc[0]["Execution Time"]))
    roundtrip = []
    for _ in range(TIMING_QUERIES * 2):
        started = time.perf_counter()
        conn.execute("SELECT 1", prepare=True).fetchall()
        roundtrip.append((time.perf_counter() - started) * 1000.0)
    return server, roundtrip


def _check_plans(result: VectorResult, hnsw_index: str, strict: bool) -> None:
    """Every point must have used its method's index; but the service's sessions keep the
    planner's choice, which on a small table may rightly prefer a sequential scan to an HNSW
    scan at an ef_search above the stack's: only the stack's own point is held to it there."""
    expected = ((result.exact, ()), (result.hnsw, (hnsw_index,)), (result.seed, (SEED_INDEX,)),
                (result.ivfflat, (IVFFLAT_INDEX,)), (result.quantized.full, (FULL_INDEX,)),
                (result.quantized.halfvec, (HALFVEC_INDEX,)),
                (result.quantized.binary, (BINARY_INDEX,)))
    for curve, want in expected:
        for point in curve.points:
            if point.plan_indexes != want:
                msg = (f"vector: {curve.method} at {point.setting} planned with indexes "
                       f"{list(point.plan_indexes)}, expected {list(want) or 'a sequential scan'}")
                above_stack = (curve is result.hnsw and point is not result.configured
                               and int(point.setting.split("=")[1].split()[0])
                               > int(result.ef_search))
                if strict and not above_stack:
                    raise BenchError(msg)
                result.notes.append(msg)
                log(msg)


def run(deployed: Deployed, docs: Documents, *, clients: int, min_seconds: float,
        strict_plans: bool = True) -> VectorResult:
    svc = deployed.service_for_module(MODULE)
    rows = docs.rows
    plain: list[Params] = [(v,) for v in docs.queries]
    filtered: list[Params] = list(zip(docs.filters, docs.queries, strict=True))
    target = sql.Identifier(svc.schema, TABLE)
    scratch = sql.Identifier(SCRATCH_SCHEMA, TABLE)
    lists = max(1, rows // 1000)
    with psycopg.connect(deployed.admin_dsn(svc.database), autocommit=True) as admin:
        admin.add_notice_handler(lambda d: None)
        q_target, q_scratch, f_target, f_scratch = (
            sql.SQL(q).format(table=t).as_string(admin) for q, t in
            ((QUERY, target), (QUERY, scratch), (FILTERED, target), (FILTERED, scratch)))
        try:
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(SCRATCH_SCHEMA)))
            loaded = load(admin, deployed, docs)
            hnsw_bytes = index_bytes(admin, svc.schema, loaded.index_name)
            started = time.monotonic()
            _scratch_copy(admin, target, docs)
            log(f"vector: seed-001 scratch copy (ivfflat lists={SEED_LISTS} created empty) in "
                f"{time.monotonic() - started:.1f} s")
            ef_search = _show(admin, "hnsw.ef_search")
            iterative = _show(admin, "hnsw.iterative_scan")
            default_probes = _show(admin, "ivfflat.probes")
            log(f"vector: {len(plain)} queries per point, {clients} clients, each point timed for "
                f">= {min_seconds:g} s")
            service_dsn = deployed.service_dsn(svc.name)
            admin_dsn = deployed.admin_dsn(svc.database)
            with Clients(admin_dsn, clients, ["SET search_path = extensions",
                                              "SET enable_indexscan = off",
                                              "SET enable_bitmapscan = off"]) as ex:
                exact_point, truth = measure(ex, "sequential scan", q_scratch, plain, None,
                                             min_seconds=min_seconds)
                filtered_exact, filtered_truth = measure(ex, "sequential scan", f_scratch,
                                                         filtered, None, min_seconds=min_seconds)
            log(f"vector: exact: {exact_point.qps:,.1f} queries/s; filtered "
                f"{filtered_exact.qps:,.1f} queries/s")
            exact = Curve("exact", "sequential scan at full precision (ground truth)",
                          [exact_point])
            with Clients(service_dsn, clients) as hn:
                hnsw = sweep(hn, Curve("hnsw", f"module's HNSW ({loaded.options})"), q_target,
                             plain, truth, _ef_settings(ef_search), min_seconds=min_seconds,
                             log=log)
                hn.set_all("RESET hnsw.ef_search")
                filtered_point, _ = measure(hn, f"stack settings (hnsw.iterative_scan="
                                                f"{iterative})", f_target, filtered,
                                            filtered_truth, min_seconds=min_seconds)
                log(f"vector: filtered: recall@10 {filtered_point.recall:.4f}, "
                    f"{filtered_point.qps:,.1f} queries/s, plan "
                    f"{list(filtered_point.plan_indexes) or 'sequential scan'}")
                server_ms, roundtrip_ms = _timings(hn.conns[0], q_target, plain)
            scratch_setup = ["SET search_path = extensions", "SET enable_seqscan = off"]
            with Clients(admin_dsn, clients, scratch_setup) as sc:
                seed = sweep(sc, Curve("seed", f"seed-001 ivfflat lists={SEED_LISTS}, "
                                               "created on the empty table"),
                             q_scratch, plain, truth, _probe_settings(SEED_LISTS, default_probes),
                             min_seconds=min_seconds, log=log)
            started = time.monotonic()
            admin.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(SCRATCH_SCHEMA,
                                                                          SEED_INDEX)))
            admin.execute(sql.SQL("CREATE INDEX {} ON {} USING ivfflat "
                                  "(embedding extensions.vector_cosine_ops) WITH (lists = {})")
                          .format(sql.Identifier(IVFFLAT_INDEX), scratch, sql.Literal(lists)))
            ivfflat_build_s = time.monotonic() - started
            log(f"vector: ivfflat lists={lists} built after loading in {ivfflat_build_s:.1f} s")
            with Clients(admin_dsn, clients, scratch_setup) as sc:
                ivfflat = sweep(sc, Curve("ivfflat", f"ivfflat lists={lists} (rows/1000), built "
                                                     "after loading"),
                                q_scratch, plain, truth, _probe_settings(lists, default_probes),
                                min_seconds=min_seconds, log=log)
            admin.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(SCRATCH_SCHEMA,
                                                                          IVFFLAT_INDEX)))
            quantized = curves(admin, admin_dsn, clients, scratch_setup, SCRATCH_SCHEMA, TABLE,
                               docs.dim, with_options(loaded.options), docs.queries, truth,
                               min_seconds=min_seconds)
        finally:
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(SCRATCH_SCHEMA)))
            with admin.transaction():
                act_as_owner(admin, svc.owner_role, svc.schemas)
                admin.execute(sql.SQL("TRUNCATE {}").format(target))
            log(f"vector: truncated {svc.schema}.{TABLE}, dropped {SCRATCH_SCHEMA}")
    result = VectorResult(
        kind=docs.kind, description=docs.description,
        filter_description=docs.filter_description, hnsw_bytes=hnsw_bytes,
        quantized=quantized, rows=rows, dim=docs.dim, queries=len(plain), clients=clients,
        load_seconds=loaded.load_seconds, hnsw_build_seconds=loaded.build_seconds,
        ivfflat_build_seconds=ivfflat_build_s, hnsw_options=loaded.options,
        ef_search=ef_search, iterative_scan=iterative, ivfflat_lists=lists, exact=exact,
        hnsw=hnsw, seed=seed, ivfflat=ivfflat, filtered=filtered_point,
        filtered_exact=filtered_exact, server_ms=server_ms, roundtrip_ms=roundtrip_ms)
    _check_plans(result, loaded.index_name, strict_plans)
    return result
