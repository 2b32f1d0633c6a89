"""Throughput and recall of one search method: `clients` connections, each on its own thread,
share a query list (query i goes to client i mod n) and answer it as fast as the server lets
them; a pass is repeated until `min_seconds` have passed, so that a fast point is not timed
from a handful of milliseconds. Recall@10 is read from the first pass against the exact
answers. A curve is one method over its knob (`hnsw.ef_search`, `ivfflat.probes`)."""

from __future__ import annotations

import json
import math
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg

from pgplatform_ops.plans import index_names

Params = tuple[Any, ...]
EF_SEARCH = (10, 20, 40, 80, 200, 400)
"""The `hnsw.ef_search` values every HNSW curve is measured at."""


@dataclass(frozen=True)
class Point:
    setting: str
    """the knob as set for this point (`hnsw.ef_search = 40`), or what the stack configures"""
    qps: float
    recall: float
    queries: int
    """answered in the timed passes (a multiple of the query list)"""
    plan_indexes: tuple[str, ...]


@dataclass
class Curve:
    method: str
    description: str
    points: list[Point] = field(default_factory=list)

    def best_at(self, recall_min: float) -> tuple[Point, bool]:
        """The highest throughput at recall >= recall_min, and True; or, when no point reaches
        it, the point of highest recall (its throughput) and False."""
        good = [p for p in self.points if p.recall >= recall_min]
        if good:
            return max(good, key=lambda p: p.qps), True
        return max(self.points, key=lambda p: (p.recall, p.qps)), False


def recall_at(results: Sequence[Sequence[int]], truth: Sequence[Sequence[int]]) -> float:
    hits = [len(set(got) & set(want)) / len(want) if want else 1.0
            for got, want in zip(results, truth, strict=True)]
    return statistics.fmean(hits)


def percentile(xs: Sequence[float], p: float) -> float:
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


class Clients:
    """`n` connections to one DSN, each used by one thread at a time."""

    def __init__(self, dsn: str, n: int, setup: Sequence[str] = ()) -> None:
        self.conns: list[psycopg.Connection[Any]] = []
        try:
            for _ in range(n):
                conn = psycopg.connect(dsn, autocommit=True)
                self.conns.append(conn)
                for stmt in setup:
                    conn.execute(stmt.encode())
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        for c in self.conns:
            c.close()

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set_all(self, stmt: str) -> None:
        for c in self.conns:
            c.execute(stmt.encode())

    def plan(self, stmt: str, params: Params) -> tuple[str, ...]:
        row = self.conns[0].execute(f"EXPLAIN (FORMAT JSON) {stmt}".encode(), params).fetchone()
        doc = row[0] if row else []
        doc = json.loads(doc) if isinstance(doc, str) else doc
        return tuple(sorted(set(index_names(doc))))

    def run(self, stmt: str, params: Sequence[Params], *, min_seconds: float
            ) -> tuple[float, int, list[list[int]]]:
        """(queries per second, queries answered, the first pass's ids per query)."""
        n = len(self.conns)
        first: list[list[int]] = [[] for _ in params]
        answered = [0] * n
        clock = [0.0, 0.0]  # started, deadline: set as the gate opens, before any client runs

        def open_gate() -> None:
            clock[0] = time.perf_counter()
            clock[1] = clock[0] + min_seconds

        gate = threading.Barrier(n + 1, action=open_gate)

        def client(k: int) -> None:
            conn, mine = self.conns[k], range(k, len(params), n)
            try:
                conn.execute(stmt.encode(), params[0], prepare=True).fetchall()  # prepared
            except BaseException:
                gate.abort()
                raise
            gate.wait()
            if not mine:  # more clients than queries
                return
            passes = 0
            while passes == 0 or time.perf_counter() < clock[1]:
                for i in mine:
                    rows = conn.execute(stmt.encode(), params[i], prepare=True).fetchall()
                    if passes == 0:
                        first[i] = [r[0] for r in rows]
                answered[k] += len(mine)
                passes += 1

        with ThreadPoolExecutor(max_workers=n) as pool:
            futures = [pool.submit(client, k) for k in range(n)]
            try:
                gate.wait(timeout=120)
            except threading.BrokenBarrierError:
                for f in futures:
                    f.result()  # the client's own error
                raise
            for f in futures:
                f.result()
            elapsed = time.perf_counter() - clock[0]
        total = sum(answered)
        return total / elapsed, total, first


def measure(clients: Clients, label: str, stmt: str, params: Sequence[Params],
            truth: Sequence[Sequence[int]] | None, *, min_seconds: float
            ) -> tuple[Point, list[list[int]]]:
    """One point as the clients' sessions are set now; without `truth` its own answers are
    the truth (the exact method). Also returns the first pass's answers."""
    qps, answered, first = clients.run(stmt, params, min_seconds=min_seconds)
    point = Point(setting=label, qps=qps, recall=recall_at(first, truth or first),
                  queries=answered, plan_indexes=clients.plan(stmt, params[0]))
    return point, first


def sweep(clients: Clients, curve: Curve, stmt: str, params: Sequence[Params],
          truth: Sequence[Sequence[int]], settings: Sequence[tuple[str, str]], *,
          min_seconds: float, log: Callable[[str], None]) -> Curve:
    """One point per (label, statement setting the knob on every client)."""
    for label, setting in settings:
        clients.set_all(setting)
        point, _ = measure(clients, label, stmt, params, truth, min_seconds=min_seconds)
        curve.points.append(point)
        log(f"vector: {curve.method} {label}: recall@10 {point.recall:.4f}, "
            f"{point.qps:,.0f} queries/s ({point.queries} answered, "
            f"plan {list(point.plan_indexes) or 'sequential scan'})")
    return curve


def index_bytes(conn: psycopg.Connection[Any], schema: str, index: str) -> int:
    row = conn.execute("SELECT pg_relation_size(format('%%I.%%I', %s::text, %s::text)::regclass)",
                       (schema, index)).fetchone()
    return int(row[0]) if row else 0
