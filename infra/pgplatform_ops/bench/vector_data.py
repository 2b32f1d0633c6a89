"""The benchmark's documents: `rows` 384-d vectors around `clusters` random unit centroids. The
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from statistics import NormalDist

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


def copy_rows(data: Clusters, rows: int) -> Iterator[bytes]:
    """Binary COPY of (id, title, content, embedding, metadata) for `rows` rows, in chunks."""
    pack_vec = struct.Struct(f">ihh{data.dim}f").pack
    vec_len = 4 + 4 * data.dim
    chunk = bytearray(_HEADER)
    for i, (k, vec) in enumerate(data.draw(rows, stream=0), start=1):
        # The source cycles with the row number: independent of the cluster a row is drawn from.
        meta = b"\x01" + json.dumps({**BENCH_TAG, "cluster": k,
                                      **json.loads(source_filter(i))}).encode()
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
