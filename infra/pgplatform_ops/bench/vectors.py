"""Vector search: the vector_store module's HNSW index against the seed-001 design and exact
search, on synthetic clustered embeddings loaded into the deployed service's `documents`.

Data: `rows` 384-d vectors around `clusters` random unit centroids. The noise around a centroid
has a decaying spectrum (per-axis standard deviation ~ 1/sqrt(1 + axis), about 26 effective
dimensions, as sentence embeddings have far fewer than 384), scaled so that a document's cosine
similarity to its centroid is about 0.8. Everything comes from seeded generators: the same run
twice loads the same rows and asks the same queries. Queries are fresh draws from the same
clusters (near the clusters, not copies of loaded rows).

Three ways to answer the same top-10 cosine query (`ORDER BY embedding <=> $1 LIMIT 10`), each
on its own connection with a prepared statement, latency measured by the client, the three taking
turns query by query (so that load from outside the benchmark falls on all three alike):

- hnsw: the deployed `documents` as the service's login role, with the module's HNSW index and
  the server's `hnsw.ef_search` (from the stack config; the benchmark sets no planner knob);
- seed: the seed-001 design, a scratch copy of `documents` whose `ivfflat ... (lists = 100)`
  index was created on the empty table before loading (so its centroids are meaningless), with
  the default `ivfflat.probes`;
- exact: the deployed `documents` with index scans disabled on that one connection: a
  sequential scan, whose answers are the ground truth for recall@10.
"""

from __future__ import annotations

import json
import math
import random
import statistics
import struct
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import psycopg
from psycopg import sql

from pgplatform.migrate.runner import act_as_owner
from pgplatform_ops.bench.stack import BenchError, Deployed, log
from pgplatform_ops.plans import index_names

MODULE = "vector_store"
TABLE = "documents"
SCRATCH_SCHEMA = "pgplatform_bench_seed001"
SEED_LISTS = 100
SEED_INDEX = "seed_documents_embedding_idx"
DIM = 384
BENCH_TAG = {"pgplatform_bench": True}
QUERY = "SELECT id FROM {table} ORDER BY embedding <=> %s::vector LIMIT 10"
K = 10


# -- data ------------------------------------------------------------------------------------

# Standard normal quantiles at 65,536 evenly spaced probabilities: a 16-bit random draw indexes
# a Gaussian value, so a whole vector of noise is one `randbytes` call and one table lookup per
# component (fast enough in pure Python for 100k x 384).
_GAUSS = [NormalDist().inv_cdf((u + 0.5) / 65536) for u in range(65536)]


@dataclass(frozen=True)
class Clusters:
    dim: int = DIM
    clusters: int = 100
    seed: int = 20240601
    similarity: float = 0.8  # typical cosine between a vector and its centroid
    centroids: list[list[float]] = field(init=False, repr=False)
    sigma: list[float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        centroids = []
        for _ in range(self.clusters):
            v = [rng.gauss(0.0, 1.0) for _ in range(self.dim)]
            n = math.sqrt(sum(x * x for x in v))
            centroids.append([x / n for x in v])
        # noise norm r with 1 / sqrt(1 + r^2) = similarity
        r = math.sqrt(1.0 / self.similarity**2 - 1.0)
        shape = [1.0 / math.sqrt(1.0 + j) for j in range(self.dim)]
        scale = r / math.sqrt(sum(s * s for s in shape))
        object.__setattr__(self, "centroids", centroids)
        object.__setattr__(self, "sigma", [scale * s for s in shape])

    def draw(self, n: int, stream: int) -> Iterator[tuple[int, list[float]]]:
        """n (cluster, vector) pairs from generator `stream` (0 = rows, 1 = queries...)."""
        rng = random.Random(self.seed * 1000 + stream)
        gauss, sigma = _GAUSS, self.sigma
        for _ in range(n):
            k = rng.randrange(self.clusters)
            u = array("H", rng.randbytes(2 * self.dim))
            yield k, [c + s * gauss[x] for c, s, x in zip(self.centroids[k], sigma, u,
                                                          strict=True)]


def vector_text(v: list[float]) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in v) + "]"


_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_TRAILER = struct.pack(">h", -1)


def _text_field(value: str) -> bytes:
    b = value.encode()
    return struct.pack(">i", len(b)) + b


def copy_rows(data: Clusters, rows: int) -> Iterator[bytes]:
    """Binary COPY of (id, title, content, embedding, metadata) for `rows` rows, in chunks."""
    pack_vec = struct.Struct(f">ihh{data.dim}f").pack
    vec_len = 4 + 4 * data.dim
    chunk = bytearray(_HEADER)
    for i, (k, vec) in enumerate(data.draw(rows, stream=0), start=1):
        meta = b"\x01" + json.dumps({**BENCH_TAG, "cluster": k}).encode()
        chunk += struct.pack(">hiq", 5, 8, i)
        chunk += _text_field(f"Benchmark document {i}")
        chunk += _text_field(f"Synthetic document {i} about topic {k}.")
        chunk += pack_vec(vec_len, data.dim, 0, *vec)
        chunk += struct.pack(">i", len(meta)) + meta
        if len(chunk) > 1 << 20:
            yield bytes(chunk)
            chunk.clear()
    chunk += _TRAILER
    yield bytes(chunk)


# -- measurements -----------------------------------------------------------------------------

@dataclass
class Run:
    name: str
    latencies_ms: list[float]
    results: list[list[int]]
    plan_indexes: list[str]

    def percentile(self, p: float) -> float:
        xs = sorted(self.latencies_ms)
        return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]

    def recall(self, truth: list[list[int]]) -> float:
        hits = [len(set(got) & set(want)) / len(want)
                for got, want in zip(self.results, truth, strict=True)]
        return statistics.fmean(hits)


@dataclass
class Method:
    name: str
    conn: psycopg.Connection[Any]
    table: sql.Composable


def measure(methods: list[Method], queries: list[str], warmup: list[str]) -> list[Run]:
    """Every query through every method, interleaved (query i runs the methods in an order
    rotated by i), so that load from outside the benchmark falls on all methods alike."""
    stmts = [sql.SQL(QUERY).format(table=m.table).as_string(m.conn) for m in methods]
    runs = []
    for m, stmt in zip(methods, stmts, strict=True):
        row = m.conn.execute(f"EXPLAIN (FORMAT JSON) {stmt}", (queries[0],)).fetchone()
        plan = row[0] if row else []
        plan = json.loads(plan) if isinstance(plan, str) else plan
        runs.append(Run(name=m.name, latencies_ms=[], results=[],
                        plan_indexes=sorted(set(index_names(plan)))))
    order = list(range(len(methods)))
    for q in warmup:
        for j in order:
            methods[j].conn.execute(stmts[j], (q,), prepare=True).fetchall()
    for i, q in enumerate(queries):
        for j in order[i % len(order):] + order[:i % len(order)]:
            started = time.perf_counter()
            rows = methods[j].conn.execute(stmts[j], (q,), prepare=True).fetchall()
            runs[j].latencies_ms.append((time.perf_counter() - started) * 1000.0)
            runs[j].results.append([r[0] for r in rows])
    return runs


def _scanned_fraction(conn: psycopg.Connection[Any], table: sql.Composable, index: str,
                      queries: list[str]) -> float:
    """Share of an index's pages one query reads, on average over `queries` (EXPLAIN ANALYZE
    BUFFERS): what a single ivfflat probe costs is the size of the list it lands in."""
    stmt = sql.SQL(QUERY).format(table=table).as_string(conn)
    row = conn.execute("SELECT pg_relation_size(c.oid) / current_setting('block_size')::int "
                       "FROM pg_class c WHERE c.relname = %s AND c.relnamespace = "
                       "%s::regnamespace", (index, SCRATCH_SCHEMA)).fetchone()
    pages = int(row[0]) if row else 0
    read = []
    for q in queries:
        plan = conn.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {stmt}", (q,)).fetchone()
        doc = plan[0] if plan else []
        doc = json.loads(doc) if isinstance(doc, str) else doc
        node = _find_node(doc, index)
        if node is not None:
            read.append(node.get("Shared Hit Blocks", 0) + node.get("Shared Read Blocks", 0))
    return statistics.fmean(read) / pages if read and pages else 0.0


def _find_node(plan: Any, index: str) -> dict[str, Any] | None:
    if isinstance(plan, dict):
        if plan.get("Index Name") == index:
            return plan
        children = list(plan.values())
    elif isinstance(plan, list):
        children = plan
    else:
        return None
    for child in children:
        found = _find_node(child, index)
        if found is not None:
            return found
    return None


# -- the benchmark ----------------------------------------------------------------------------

@dataclass
class VectorResult:
    rows: int
    dim: int
    queries: int
    load_seconds: float
    hnsw_build_seconds: float
    seed_load_seconds: float
    hnsw_index: str
    hnsw_options: str
    ef_search: str
    hnsw: Run
    seed: Run
    exact: Run
    seed_scanned_fraction: float
    notes: list[str]

    def figures(self) -> dict[str, float]:
        truth = self.exact.results
        return {
            "vector.rows": self.rows,
            "vector.dim": self.dim,
            "vector.hnsw_p50_ms": round(self.hnsw.percentile(50), 3),
            "vector.hnsw_p95_ms": round(self.hnsw.percentile(95), 3),
            "vector.hnsw_recall_at_10": round(self.hnsw.recall(truth), 4),
            "vector.seed_ivfflat_p95_ms": round(self.seed.percentile(95), 3),
            "vector.seed_ivfflat_recall_at_10": round(self.seed.recall(truth), 4),
            "vector.exact_p95_ms": round(self.exact.percentile(95), 3),
        }


def _hnsw_indexes(conn: psycopg.Connection[Any], schema: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute(
        """SELECT c.relname, pg_get_indexdef(c.oid)
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             JOIN pg_am a ON a.oid = c.relam
            WHERE i.indrelid = format('%%I.%%I', %s::text, %s::text)::regclass
              AND a.amname = 'hnsw'
            ORDER BY 1""", (schema, TABLE)).fetchall()]


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


def run(deployed: Deployed, *, rows: int, queries: int, warmup: int,
        clusters: int = 100, strict_plans: bool = True) -> VectorResult:
    svc = deployed.service_for_module(MODULE)
    data = Clusters(clusters=clusters)
    query_vecs = [vector_text(v) for _, v in data.draw(queries, stream=1)]
    warmup_vecs = [vector_text(v) for _, v in data.draw(warmup, stream=2)]
    admin_dsn = deployed.admin_dsn(svc.database)
    target = sql.Identifier(svc.schema, TABLE)
    scratch = sql.Identifier(SCRATCH_SCHEMA, TABLE)
    notes: list[str] = []
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.add_notice_handler(lambda d: None)
        leftover = _check_empty(admin, svc.schema)
        try:
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(SCRATCH_SCHEMA)))
            # 1. the service's documents, as its owner: the module's HNSW index is dropped and
            #    rebuilt from its own definition around the load (row-by-row HNSW inserts cost
            #    milliseconds each), in one transaction, so a failure leaves it as it was.
            started = time.monotonic()
            with admin.transaction():
                act_as_owner(admin, svc.owner_role, svc.schemas)
                if leftover:
                    admin.execute(sql.SQL("TRUNCATE {}").format(target))
                indexes = _hnsw_indexes(admin, svc.schema)
                if not indexes:
                    raise BenchError(f"{svc.schema}.{TABLE} has no HNSW index: "
                                     "the module defines none")
                for name, _ in indexes:
                    admin.execute(sql.SQL("DROP INDEX {}").format(
                        sql.Identifier(svc.schema, name)))
                log(f"vector: generating and loading {rows:,} x {data.dim} vectors into "
                    f"{svc.database}.{svc.schema}.{TABLE} (binary COPY as {svc.owner_role})")
                with admin.cursor().copy(sql.SQL(
                        "COPY {} (id, title, content, embedding, metadata) FROM STDIN "
                        "(FORMAT BINARY)").format(target)) as cp:
                    for chunk in copy_rows(data, rows):
                        cp.write(chunk)
                loaded = time.monotonic()
                log(f"vector: loaded in {loaded - started:.1f} s; rebuilding "
                    f"{', '.join(n for n, _ in indexes)}")
                for _, definition in indexes:
                    admin.execute(definition.encode())
                built = time.monotonic()
                admin.execute(sql.SQL("ANALYZE {}").format(target))
            log(f"vector: HNSW built in {built - loaded:.1f} s")
            hnsw_index = indexes[0][0]
            row = admin.execute("SELECT reloptions FROM pg_class WHERE oid = %s::regclass",
                                (f"{svc.schema}.{hnsw_index}",)).fetchone()
            hnsw_options = " ".join(row[0]) if row and row[0] else "defaults"
            # 2. the seed-001 design in a scratch schema: ivfflat created on the empty table,
            #    then the same rows loaded into it.
            started_seed = time.monotonic()
            admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCRATCH_SCHEMA)))
            admin.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS "
                                  "INCLUDING CONSTRAINTS)").format(scratch, target))
            admin.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (id)").format(scratch))
            admin.execute(sql.SQL(
                "CREATE INDEX {} ON {} USING ivfflat "
                "(embedding extensions.vector_cosine_ops) WITH (lists = {})").format(
                    sql.Identifier(SEED_INDEX), scratch, sql.Literal(SEED_LISTS)))
            admin.execute(sql.SQL("INSERT INTO {} SELECT * FROM {}").format(scratch, target))
            admin.execute(sql.SQL("ANALYZE {}").format(scratch))
            seed_seconds = time.monotonic() - started_seed
            log(f"vector: seed-001 scratch table (ivfflat lists={SEED_LISTS} created empty) "
                f"loaded in {seed_seconds:.1f} s")
            ef_search = str(admin.execute("SHOW hnsw.ef_search").fetchone()[0])  # type: ignore[index]

            # 3. the measurements
            log(f"vector: {queries} queries (+{warmup} warm-up), each by exact, hnsw and seed "
                "in turn")
            admin.execute(sql.SQL("SET search_path = {}, extensions").format(
                sql.Identifier(SCRATCH_SCHEMA)))
            with psycopg.connect(deployed.service_dsn(svc.name), autocommit=True) as ex, \
                    psycopg.connect(deployed.service_dsn(svc.name), autocommit=True) as hn:
                ex.execute("SET enable_indexscan = off")  # the exact baseline's connection only
                exact, hnsw, seed = measure(
                    [Method("exact", ex, target), Method("hnsw", hn, target),
                     Method("seed", admin, scratch)], query_vecs, warmup_vecs)
            seed_fraction = _scanned_fraction(admin, scratch, SEED_INDEX, query_vecs[:20])
            admin.execute("RESET search_path")
            for r, want in ((exact, []), (hnsw, [hnsw_index]),
                            (seed, [SEED_INDEX])):
                if r.plan_indexes != want:
                    msg = (f"vector: the {r.name} query planned with indexes {r.plan_indexes}, "
                           f"expected {want or 'a sequential scan'}")
                    if strict_plans:
                        raise BenchError(msg)
                    notes.append(msg)
                    log(msg)
        finally:
            admin.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(SCRATCH_SCHEMA)))
            with admin.transaction():
                act_as_owner(admin, svc.owner_role, svc.schemas)
                admin.execute(sql.SQL("TRUNCATE {}").format(target))
            log(f"vector: truncated {svc.schema}.{TABLE}, dropped {SCRATCH_SCHEMA}")
    return VectorResult(rows=rows, dim=data.dim, queries=queries, load_seconds=loaded - started,
                        hnsw_build_seconds=built - loaded, seed_load_seconds=seed_seconds,
                        hnsw_index=hnsw_index, hnsw_options=hnsw_options, ef_search=ef_search,
                        hnsw=hnsw, seed=seed, exact=exact,
                        seed_scanned_fraction=seed_fraction, notes=notes)
