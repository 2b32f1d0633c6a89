"""The benchmark's documents (`Documents`): synthetic (`synthetic`) or real chunks of text
embedded with seed 001's model (`real`, pgplatform_ops.bench.real_corpus).

Synthetic: `rows` 384-d vectors around `clusters` random unit centroids. The
noise around a centroid has a decaying spectrum (per-axis standard deviation ~ 1/sqrt(1 + axis),
about 26 effective dimensions, as sentence embeddings have far fewer than 384), scaled so that a
document's cosine similarity to its centroid is about 0.8. Everything comes from seeded
generators: the same run twice loads the same rows and asks the same queries. Queries are fresh
draws from the same clusters (near the clusters, not copies of loaded rows).

Each document's metadata names one of `SOURCES` sources, independent of its cluster: a filter on
one source selects 1/SOURCES of the rows, filtered the way the vector_store module's own metadata
query filters (`metadata @> '{"source": ...}'`).
"""

from __future__ import annotations

import json
import math
import random
import struct
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Literal

import numpy as np

from pgplatform_ops.bench.real_corpus import Chunk, Embedded

DIM = 384
BENCH_TAG = {"pgplatform_bench": True}
SOURCES = 10


def source_filter(i: int) -> str:
    """The metadata filter of the i-th filtered query (one source: 1/SOURCES of the rows)."""
    return json.dumps({"source": f"source-{i % SOURCES}"})


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


Row = tuple[str, str, bytes, dict[str, object]]
"""(title, content, embedding as big-endian float4s, metadata) of one document."""


Element = Literal["vector", "halfvec"]
"""The embedding column's type: binary COPY writes pgvector's own format of each (its dim, an
unused word, then 4-byte or 2-byte floats)."""


def copy_rows(rows: Iterable[Row], dim: int, element: Element) -> Iterator[bytes]:
    """Binary COPY of (id, title, content, embedding, metadata), ids from 1, in chunks."""
    half = element == "halfvec"
    # field length; pgvector's dim, unused
    head = struct.pack(">ihh", 4 + (2 if half else 4) * dim, dim, 0)
    chunk = bytearray(_HEADER)
    for i, (title, content, vec, meta) in enumerate(rows, start=1):
        jsonb = b"\x01" + json.dumps({**BENCH_TAG, **meta}).encode()
        chunk += struct.pack(">hiq", 5, 8, i)
        chunk += _text_field(title)
        chunk += _text_field(content)
        chunk += head + (np.frombuffer(vec, dtype=">f4").astype(">f2").tobytes() if half
                         else vec)
        chunk += struct.pack(">i", len(jsonb)) + jsonb
        if len(chunk) > 1 << 20:
            yield bytes(chunk)
            chunk.clear()
    chunk += _TRAILER
    yield bytes(chunk)


@dataclass(frozen=True)
class Documents:
    """What the vector area loads and asks: `rows` documents (`copy()` streams them) and one
    query vector per question, each with the metadata filter of its filtered variant."""
    kind: str
    """`synthetic` or `real` (the prefix of the bench's figures)"""
    description: str
    dim: int
    rows: int
    queries: list[str]
    filters: list[str]
    filter_description: str
    copy: Callable[[Element], Iterator[bytes]]


def synthetic(rows: int, queries: int, clusters: int = 100) -> Documents:
    data = Clusters(clusters=clusters)
    pack = struct.Struct(f">{data.dim}f").pack

    def docs() -> Iterator[Row]:
        # The source cycles with the row number: independent of the cluster a row is drawn from.
        for i, (k, vec) in enumerate(data.draw(rows, stream=0), start=1):
            yield (f"Benchmark document {i}", f"Synthetic document {i} about topic {k}.",
                   pack(*vec), {"cluster": k, **json.loads(source_filter(i))})

    vecs = [vector_text(v) for _, v in data.draw(queries, stream=1)]
    return Documents(
        kind="synthetic", description=f"synthetic: {data.clusters} clusters of {data.dim}-d "
                                      "vectors, cosine ~0.8 to their centroid",
        dim=data.dim, rows=rows, queries=vecs,
        filters=[source_filter(i) for i in range(len(vecs))],
        filter_description=f"one of {SOURCES} sources: 1/{SOURCES} of the rows",
        copy=lambda element: copy_rows(docs(), data.dim, element))


def real(embedded: Embedded, rows: int | None = None) -> Documents:
    """The embedded chunks (their first `rows`); the queries are the held-out chunks, each
    filtered to its own manual section."""
    count = len(embedded.rows) if rows is None else rows
    dim = int(embedded.row_vectors.shape[1])
    big_endian = embedded.row_vectors[:count].astype(">f4")

    def docs() -> Iterator[Row]:
        for chunk, vec in zip(embedded.rows[:count], big_endian, strict=True):
            yield chunk.title, chunk.text, vec.tobytes(), {"source": chunk.source}

    return Documents(
        kind="real", description=f"real: {count:,} of {embedded.corpus}, embedded with "
                                 "all-MiniLM-L6-v2",
        dim=dim, rows=count,
        queries=[vector_text([float(x) for x in v]) for v in
                 np.asarray(embedded.query_vectors, dtype=np.float64)],
        filters=[json.dumps({"source": q.source}) for q in embedded.queries],
        filter_description="the question's own manual section: " + ", ".join(
            f"{section} {share:.0%}" for section, share in _shares(embedded.rows[:count])),
        copy=lambda element: copy_rows(docs(), dim, element))


def _shares(rows: list[Chunk]) -> list[tuple[str, float]]:
    counts = Counter(c.source for c in rows)
    return [(s, n / len(rows)) for s, n in sorted(counts.items())]
