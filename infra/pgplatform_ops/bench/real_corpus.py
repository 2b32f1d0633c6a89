"""Real text embedded with seed 001's model, for the bench's vector area: the English manual
pages of the packages installed on this machine (`/usr/share/man/man1`…`man8`), their roff
markup stripped, cut into chunks of CHUNK_WORDS words as a RAG pipeline would cut a document,
shuffled with a fixed seed; the first `rows` are loaded, the next `queries` held out as the
questions. Each chunk's metadata source is its manual section (`man1`…), so a filtered query
keeps one section's chunks.

Embeddings are computed once (all-MiniLM-L6-v2 in numpy, pgplatform_ops.bench.minilm, about
15-30 chunks/s on 2 cores) and cached outside the work tree, in shards of SHARD chunks under
`~/.cache/pgplatform/embeddings/<corpus>-<model>/` (keyed by a hash of the chunks' text and of
the weights), so a later run, or a larger one, only embeds what is missing."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pgplatform_ops.bench import minilm

MAN_ROOT = Path("/usr/share/man")
CHUNK_WORDS = 128
MIN_WORDS = 100
SHARD = 500
SEED = 20261206

# Font, size and special-character escapes; the text they wrap stays.
_ESCAPES = re.compile(r"\\f(\[[^\]]*\]|\(..|.)|\\\((..)|\\\*(\[[^\]]*\]|\(..|.)|\\s[-+]?\d+"
                      r"|\\[&|^%:ce0~ ]|\\-")
# Requests whose arguments are text (headings, fonts, list items, mdoc's names and flags).
_TEXT_REQUESTS = re.compile(r"^\.(SH|SS|B|I|BR|IR|RB|RI|BI|IB|SM|SB|IP|TP|Nm|Nd|Ar|Fl|Op|It|Sh"
                            r"|Pa|Xr)\b\s*(.*)")


class CorpusError(ValueError):
    pass


@dataclass(frozen=True)
class Chunk:
    source: str
    title: str
    text: str


def _plain(roff: str) -> str:
    out = []
    for line in roff.splitlines():
        if line.startswith((".\\\"", "'\\\"")):
            continue
        if line.startswith((".", "'")):
            request = _TEXT_REQUESTS.match(line)
            if not request:
                continue
            line = request.group(2).replace('"', "")
        out.append(_ESCAPES.sub(lambda m: "-" if m.group(0) == "\\-" else "", line))
    return " ".join(out)


def chunks(root: Path | None = None) -> list[Chunk]:
    """Every chunk of every English manual page under `root` (MAN_ROOT), in path order."""
    out = []
    for path in sorted((root or MAN_ROOT).glob("man[1-8]/*")):
        if path.is_symlink() or not path.is_file():
            continue
        raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
        roff = raw.decode("utf-8", "replace")
        if roff.startswith(".so "):  # an alias of another page
            continue
        words = _plain(roff).split()
        page = path.name.removesuffix(".gz")
        for i in range(0, len(words), CHUNK_WORDS):
            piece = words[i:i + CHUNK_WORDS]
            if len(piece) >= MIN_WORDS:
                out.append(Chunk(path.parent.name, f"{page} ({i // CHUNK_WORDS + 1})",
                                 " ".join(piece)))
    return out


@dataclass(frozen=True)
class Embedded:
    corpus: str
    """What was embedded, for the report."""
    rows: list[Chunk]
    row_vectors: np.ndarray
    queries: list[Chunk]
    query_vectors: np.ndarray
    chunks_available: int
    embedded_chunks: int
    embed_seconds: float
    """What filling the cache took, over every run that added to it."""

    def figures(self) -> dict[str, float]:
        return {"vector_real.chunks_available": self.chunks_available,
                "vector_real.embed_chunks_per_s": round(
                    self.embedded_chunks / self.embed_seconds, 1) if self.embed_seconds else 0.0}


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pgplatform" / "embeddings"


def embedded(rows: int, queries: int, log: Callable[[str], None]) -> Embedded:
    everything = chunks()
    if len(everything) < rows + queries:
        raise CorpusError(f"real vectors: {MAN_ROOT} has {len(everything):,} chunks of "
                         f"{MIN_WORDS}+ words, fewer than the {rows + queries:,} asked. Fix: "
                         "install more packages' manual pages, or ask for fewer rows")
    # One fixed permutation of them all: a smaller run's chunks are a larger one's first ones,
    # so the cache serves both.
    shuffled = list(everything)
    random.Random(SEED).shuffle(shuffled)
    chosen = shuffled[:rows + queries]
    key = hashlib.sha256("\0".join(c.text for c in everything).encode()).hexdigest()[:16]
    model = minilm.MiniLM()
    folder = cache_root() / f"man-{key}-minilm-{model.fingerprint}"
    folder.mkdir(parents=True, exist_ok=True)
    meta = folder / "embedded.json"
    spent = json.loads(meta.read_text()) if meta.exists() else {"chunks": 0, "seconds": 0.0}
    shards = []
    for first in range(0, len(chosen), SHARD):
        path = folder / f"shard-{first // SHARD:05d}.npy"
        part = chosen[first:first + SHARD]
        vectors = np.load(path) if path.exists() else np.zeros((0, minilm.HIDDEN), np.float32)
        if len(vectors) < len(part):  # a smaller run filled only the shard's first chunks
            started = time.monotonic()
            more = model.embed([c.text for c in part[len(vectors):]])
            spent["seconds"] += time.monotonic() - started
            spent["chunks"] += len(more)
            vectors = np.concatenate([vectors, more])
            np.save(path.with_suffix(".tmp.npy"), vectors)
            path.with_suffix(".tmp.npy").rename(path)
            meta.write_text(json.dumps(spent) + "\n")
            log(f"vector: embedded {first + len(part):,}/{len(chosen):,} chunks "
                f"({spent['chunks'] / spent['seconds']:.1f} chunks/s) into {folder}")
        shards.append(vectors[:len(part)])
    vectors = np.concatenate(shards)
    return Embedded(
        corpus=f"{len(everything):,} chunks of {CHUNK_WORDS} words from the English manual "
               f"pages in {MAN_ROOT}", rows=chosen[:rows], row_vectors=vectors[:rows],
        queries=chosen[rows:], query_vectors=vectors[rows:], chunks_available=len(everything),
        embedded_chunks=int(spent["chunks"]), embed_seconds=float(spent["seconds"]))
