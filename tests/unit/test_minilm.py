"""Seed 001's embedding model run in numpy (pgplatform_ops.bench.minilm) and the real corpus the
bench embeds with it (pgplatform_ops.bench.real_corpus): the model gives the similarities the
reference model gives (sentence-transformers' own examples; the implementation was checked
against the model's ONNX export to 2.5e-7), and the corpus is cut, keyed and cached as
documented."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from pgplatform_ops.bench import minilm, real_corpus, vector_data

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def model() -> minilm.MiniLM:
    return minilm.MiniLM()


def test_minilm__the_reference_models_similarities(model: minilm.MiniLM) -> None:
    texts = ["A man is eating food.", "A man is eating a piece of bread.",
             "A man is riding a horse.", "The new movie is awesome",
             "The new movie is so great"]
    e = model.embed(texts)
    assert e.shape == (5, 384) and e.dtype == np.float32
    assert np.allclose(np.linalg.norm(e, axis=1), 1.0, atol=1e-5)
    sim = e @ e.T
    # sentence-transformers/all-MiniLM-L6-v2 gives 0.7553, 0.2474 and 0.8939 here.
    assert sim[0, 1] == pytest.approx(0.7553, abs=2e-3)
    assert sim[0, 2] == pytest.approx(0.2474, abs=2e-3)
    assert sim[3, 4] == pytest.approx(0.8939, abs=2e-3)


def test_minilm__batching_and_padding_change_nothing(model: minilm.MiniLM) -> None:
    texts = ["short", "a somewhat longer sentence about databases and their indexes " * 3, ""]
    together = model.embed(texts, batch_size=3)
    alone = np.stack([model.embed([t])[0] for t in texts])
    assert np.abs(together - alone).max() < 1e-5


def test_minilm__wordpiece_splits_lowercases_strips_accents_and_truncates(
        model: minilm.MiniLM) -> None:
    tok = model.tokenizer
    ids = tok.encode("Café, naïve UNAFFABLE!")
    inverse = {v: k for k, v in tok.vocab.items()}
    assert [inverse[i] for i in ids] == ["[CLS]", "cafe", ",", "naive", "una", "##ffa",
                                         "##ble", "!", "[SEP]"]
    assert len(tok.encode("word " * 1000)) == minilm.MAX_TOKENS
    assert tok.encode("x" * 101)[1:-1] == [tok.unk], "past 100 characters a word is unknown"


def _man(root: Path, section: str, page: str, text: str) -> None:
    folder = root / section
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{page}.gz").write_bytes(gzip.compress(text.encode()))


def test_corpus__manual_pages_cut_into_chunks_without_markup(tmp_path: Path) -> None:
    words = " ".join(f"w{i}" for i in range(300))
    _man(tmp_path, "man1", "tool.1", f'.\\" comment\n.TH TOOL 1\n.SH NAME\n\\fBtool\\fR {words}\n')
    _man(tmp_path, "man3", "alias.3", ".so man1/tool.1\n")
    (tmp_path / "de" / "man1").mkdir(parents=True)  # translations are not read
    (tmp_path / "de" / "man1" / "tool.1").write_text(words)
    chunks = real_corpus.chunks(tmp_path)
    # NAME + tool + 300 words = 302 words: two full chunks; the 46 left are too few.
    assert [(c.source, c.title) for c in chunks] == [("man1", "tool.1 (1)"),
                                                      ("man1", "tool.1 (2)")]
    assert chunks[0].text.split()[:3] == ["NAME", "tool", "w0"]
    assert all(len(c.text.split()) == real_corpus.CHUNK_WORDS for c in chunks)
    assert "\\f" not in chunks[0].text and "TH" not in chunks[0].text


def test_corpus__embedded_once_cached_and_shared_by_smaller_runs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    man = tmp_path / "man"
    for i in range(12):
        _man(man, f"man{1 + i % 2}", f"page{i}.1",
             " ".join(f"topic{i} word{j}" for j in range(128)))
    monkeypatch.setattr(real_corpus, "MAN_ROOT", man)
    monkeypatch.setattr(real_corpus, "SHARD", 4)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    calls: list[int] = []
    real_embed = minilm.MiniLM.embed

    def counted(self: minilm.MiniLM, texts: list[str], batch_size: int = 16) -> np.ndarray:
        calls.append(len(texts))
        return real_embed(self, texts, batch_size)

    monkeypatch.setattr(minilm.MiniLM, "embed", counted)
    small = real_corpus.embedded(3, 2, print)
    assert calls == [4, 1], "the first shard whole, then what the second needs"
    large = real_corpus.embedded(8, 2, print)
    assert calls == [4, 1, 3, 2], "the second shard completed, the third made"
    assert [c.text for c in large.rows[:3]] == [c.text for c in small.rows]
    assert np.array_equal(large.row_vectors[:3], small.row_vectors)
    again = real_corpus.embedded(8, 2, print)
    assert calls == [4, 1, 3, 2] and np.array_equal(again.row_vectors, large.row_vectors)
    assert again.figures()["vector_real.embed_chunks_per_s"] > 0
    with pytest.raises(real_corpus.CorpusError, match="fewer than the 30 asked"):
        real_corpus.embedded(28, 2, print)
    docs = vector_data.real(large, rows=5)
    assert docs.rows == 5 and len(docs.queries) == 2 and docs.dim == 384
    assert docs.filters[0] in ('{"source": "man1"}', '{"source": "man2"}')
    full, half = b"".join(docs.copy("vector")), b"".join(docs.copy("halfvec"))
    assert full.startswith(b"PGCOPY\n") and half.startswith(b"PGCOPY\n")
    # 5 rows, each embedding 2 bytes a dimension shorter in pgvector's halfvec format.
    assert len(full) - len(half) == 5 * 2 * 384
