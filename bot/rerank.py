"""A second opinion on the answer's first quote, from a cross-encoder that reads question and sentence together.

The answer's rules choose the first quote from word overlap, the question's kind and where a
sentence stands; they were written reading the development sets' misses and pick the sentence
that answers about 65% of the time on questions nobody tuned for. A cross-encoder (all-MiniLM-L6-v2's
weights, fine-tuned to pick the answering sentence among its candidates; `bench/fit_reranker.py`)
reads the question together with the rules' first quote and their next best sentences of its paper
(answer.reranked). Only when it is much surer of another one (scoring.RERANK_MARGIN) does that sentence
go first; the rules' quotes follow. It never makes the bot answer or abstain, and never quotes another
paper than the rules chose.

The model ships inside the package (`bot/data/reranker`, int8 ONNX, 23 MB, checked by its SHA-256 in
`reranker.json`), runs on onnxruntime (no torch; one thread a run, a question's pairs two at a time), and is
loaded once per process.
A missing or damaged copy is logged and the rules' answer stands.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Encoding

log = logging.getLogger(__name__)

RERANKER_DIR = Path(__file__).resolve().parent / "data" / "reranker"
MODEL_FILE, TOKENIZER_FILE, MANIFEST_FILE = "model.onnx", "tokenizer.json", "reranker.json"
SESSION_THREADS = 1  # one question at a time, as for the query encoder
PAIR_WORKERS = 2  # the pairs of one question scored side by side: the machines casebot is measured on have 2 cores


class Reranker:
    """Scores (question, sentence) pairs: higher is likelier to answer. Thread-safe (onnxruntime sessions are)."""

    def __init__(self, directory: Path = RERANKER_DIR):
        import onnxruntime
        from tokenizers import Tokenizer

        manifest = json.loads((directory / MANIFEST_FILE).read_text(encoding="utf-8"))
        with open(directory / MODEL_FILE, "rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        if digest != manifest["sha256"]:
            raise ValueError(f"{directory / MODEL_FILE} does not match the checksum in {MANIFEST_FILE}")
        self._tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(int(manifest["max_tokens"]), strategy="longest_first")  # a long question too
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = SESSION_THREADS
        options.log_severity_level = 3  # errors only
        options.enable_cpu_mem_arena = False
        self._session = onnxruntime.InferenceSession(
            str(directory / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )

    def scores(self, question: str, sentences: Sequence[tuple[str, str]]) -> np.ndarray:
        """One score per (section, sentence), read as "section: sentence" after the question, as in training."""
        # One pair a run. The int8 model quantises its activations with one scale a run, so in a batch a sentence's
        # score moved with its neighbours and their padding (1.05 alone, 1.34 among 30); one at a time is as fast (30
        # sentences: 106 ms, against 112 ms in eights and 309 ms at once) and peaks at 180 MB of RSS, not 360 MB.
        # The runs are independent, so PAIR_WORKERS threads share them (onnxruntime releases the GIL while it runs).
        pairs = [self._tokenizer.encode(question, f"{section}: {text}") for section, text in sentences]
        if len(pairs) < 2:
            return np.asarray([self._score(e) for e in pairs], np.float32)
        return np.asarray(list(_pool().map(self._score, pairs)), np.float32)

    def _score(self, e: Encoding) -> float:
        feed = {
            "input_ids": np.asarray([e.ids], np.int64),
            "attention_mask": np.asarray([e.attention_mask], np.int64),
            "token_type_ids": np.asarray([e.type_ids], np.int64),
        }
        return float(np.asarray(self._session.run(None, feed)[0], np.float32)[0, 0])


@lru_cache(maxsize=1)
def _pool() -> ThreadPoolExecutor:
    """The process's workers for sentence pairs, started by the first question with two sentences to compare."""
    return ThreadPoolExecutor(PAIR_WORKERS, thread_name_prefix="casebot-rerank")


@lru_cache(maxsize=1)
def shipped_reranker() -> Reranker | None:
    """The package's reranker, or None (logged) when its files are missing or damaged: the rules' answer stands."""
    try:
        return Reranker(RERANKER_DIR)
    except (OSError, ValueError, KeyError, RuntimeError) as e:  # onnxruntime raises RuntimeError subclasses
        log.warning("the answer reranker is not used (%s); reinstall casebot to restore %s", e, RERANKER_DIR)
        return None


def overruled(scores: np.ndarray, ranks: Sequence[int], current: int, rank_weight: float, margin: float) -> int | None:
    """The candidate to quote first instead of `current` (the rules' first quote), or None: each score less
    `rank_weight` x its passage's rank, and the best must beat the current one by more than `margin`."""
    adjusted = scores - rank_weight * np.asarray(ranks, np.float32)
    best = int(np.argmax(adjusted))
    return best if adjusted[best] - adjusted[current] > margin else None
