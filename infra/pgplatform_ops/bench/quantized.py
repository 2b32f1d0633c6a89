"""HNSW at three precisions beside the module's own index (pgvector 0.8), on the benchmark's
full-precision scratch copy of the documents, built with the module's own HNSW options:

- full: `embedding vector_cosine_ops`, 4 bytes a dimension (the module's index before it
  stored halfvec, vector_store 0003), over `hnsw.ef_search`;
- halfvec: an expression index on `embedding::halfvec(dim)` (2 bytes a dimension instead of
  4), queried through the same cast, over `hnsw.ef_search`;
- binary: an expression index on `binary_quantize(embedding)::bit(dim)` (1 bit a dimension)
  whose Hamming-distance candidates are re-ranked by the exact cosine distance, as pgvector's
  README shows, over the number of candidates (`hnsw.ef_search` at least as many).

Each curve comes with its index's size and build time, to be read beside the module's index's
at equal recall, against the same full-precision ground truth."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from pgplatform_ops.bench.stack import log
from pgplatform_ops.bench.vector_search import (
    EF_SEARCH,
    Clients,
    Curve,
    Params,
    index_bytes,
    sweep,
)

FULL_INDEX = "bench_documents_full_idx"
HALFVEC_INDEX = "bench_documents_halfvec_idx"
BINARY_INDEX = "bench_documents_binary_idx"
CANDIDATES = (20, 40, 80, 160, 320, 640)
CANDIDATES_SETTING = "pgplatform_bench.candidates"


@dataclass(frozen=True)
class Quantized:
    full: Curve
    halfvec: Curve
    binary: Curve
    full_bytes: int
    halfvec_bytes: int
    binary_bytes: int
    full_build_seconds: float
    halfvec_build_seconds: float
    binary_build_seconds: float


def _build(admin: psycopg.Connection[Any], schema: str, name: str, table: str,
           expression: str, opclass: str, options: str) -> tuple[float, int]:
    started = time.monotonic()
    admin.execute(sql.SQL("CREATE INDEX {} ON {} USING hnsw (({}) {}) {}").format(
        sql.Identifier(name), sql.Identifier(schema, table), sql.SQL(expression),
        sql.SQL(opclass), sql.SQL(f"WITH ({options})" if options else "")))
    seconds = time.monotonic() - started
    size = index_bytes(admin, schema, name)
    log(f"vector: {name} built in {seconds:.1f} s, {size:,} bytes")
    return seconds, size


def curves(admin: psycopg.Connection[Any], admin_dsn: str, clients: int, setup: list[str],
           schema: str, table: str, dim: int, options: str, queries: list[str],
           truth: list[list[int]], *, min_seconds: float) -> Quantized:
    """On `schema`.`table` (the scratch copy, which the admin reads); `options`: the module's
    HNSW options as `m=16, ef_construction=200` (or "")."""
    scratch = sql.Identifier(schema, table)
    plain: list[Params] = [(v,) for v in queries]
    ef_settings = [(f"ef_search={v}", f"SET hnsw.ef_search = {v}") for v in EF_SEARCH]
    full_s, full_b = _build(admin, schema, FULL_INDEX, table, "embedding",
                            "extensions.vector_cosine_ops", options)
    full_q = sql.SQL("SELECT id FROM {} ORDER BY embedding <=> %s::extensions.vector LIMIT 10"
                     ).format(scratch).as_string(admin)
    with Clients(admin_dsn, clients, setup) as sc:
        full = sweep(sc, Curve("full", f"HNSW on embedding, full precision ({options})"),
                     full_q, plain, truth, ef_settings, min_seconds=min_seconds, log=log)
    # One at a time, so the planner has no choice between them.
    admin.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(schema, FULL_INDEX)))
    half = f"extensions.halfvec({dim})"
    half_s, half_b = _build(admin, schema, HALFVEC_INDEX, table, f"(embedding::{half})",
                            "extensions.halfvec_cosine_ops", options)
    half_q = sql.SQL("SELECT id FROM {} ORDER BY embedding::{} <=> %s::{} LIMIT 10").format(
        scratch, sql.SQL(half), sql.SQL(half)).as_string(admin)
    with Clients(admin_dsn, clients, setup) as sc:
        halfvec = sweep(sc, Curve("halfvec", f"HNSW on embedding::halfvec({dim}) ({options})"),
                        half_q, plain, truth, ef_settings, min_seconds=min_seconds, log=log)
    admin.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(schema, HALFVEC_INDEX)))
    bits = f"extensions.binary_quantize(embedding)::bit({dim})"
    bin_s, bin_b = _build(admin, schema, BINARY_INDEX, table, bits,
                          "extensions.bit_hamming_ops", options)
    bin_q = sql.SQL(
        "SELECT id FROM (SELECT id, embedding FROM {t} ORDER BY {bits} <~> "
        "extensions.binary_quantize(%s::extensions.vector) LIMIT current_setting({c})::int) c "
        "ORDER BY embedding <=> %s::extensions.vector LIMIT 10").format(
            t=scratch, bits=sql.SQL(bits), c=sql.Literal(CANDIDATES_SETTING)).as_string(admin)
    twice: list[Params] = [(v, v) for v in queries]
    settings = [(f"candidates={k}",
                 f"SET {CANDIDATES_SETTING} = {k}; SET hnsw.ef_search = {max(k, 40)}")
                for k in CANDIDATES]
    with Clients(admin_dsn, clients, setup) as sc:
        binary = sweep(sc, Curve("binary", f"HNSW on binary_quantize(embedding)::bit({dim}), "
                                           "re-ranked by cosine"),
                       bin_q, twice, truth, settings, min_seconds=min_seconds, log=log)
    return Quantized(full=full, halfvec=halfvec, binary=binary, full_bytes=full_b,
                     halfvec_bytes=half_b, binary_bytes=bin_b, full_build_seconds=full_s,
                     halfvec_build_seconds=half_s, binary_build_seconds=bin_s)
