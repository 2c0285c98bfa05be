"""BM25 over a term-frequency matrix that can grow and shrink without re-tokenising.

Scores follow the Lucene BM25 variant exactly as bm25s computes it (a test checks
that they agree). Keeping raw counts instead of precomputed scores is what makes the
index incremental: adding a paper appends rows, removing one drops rows, and IDF is
derived at load time in a few vectorised operations.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse

K1, B = 1.5, 0.75
FILES = ("lexical_tf.npz", "lexical_vocab.json")


class LexicalIndex:
    def __init__(self, vocab: dict[str, int], tf: sparse.csr_matrix, chunk_ids: np.ndarray):
        self.vocab, self.tf, self.chunk_ids = vocab, tf.tocsr(), np.asarray(chunk_ids, dtype=np.int64)
        self._prepare()

    @classmethod
    def empty(cls) -> LexicalIndex:
        return cls({}, sparse.csr_matrix((0, 0), dtype=np.float32), np.zeros(0, np.int64))

    def _prepare(self) -> None:
        """Precompute what every query needs: column access, IDF and length normalisation."""
        n = self.tf.shape[0]
        self._csc = self.tf.tocsc()
        df = np.diff(self._csc.indptr)
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = np.asarray(self.tf.sum(axis=1)).ravel()
        avg = lengths.mean() if n else 1.0
        self._norm = (K1 * ((1 - B) + B * lengths / max(avg, 1e-9))).astype(np.float32)

    def __len__(self) -> int:
        return self.tf.shape[0]

    def with_changes(self, remove: set[int], add: list[tuple[int, list[str]]]) -> LexicalIndex:
        """A new index without the `remove` chunk ids and with `add` (chunk id, tokens) rows."""
        keep = ~np.isin(self.chunk_ids, np.fromiter(remove, np.int64, len(remove)))
        vocab = dict(self.vocab)
        rows, cols, vals = [], [], []
        for r, (_, toks) in enumerate(add):
            for term, count in Counter(toks).items():
                rows.append(r)
                cols.append(vocab.setdefault(term, len(vocab)))
                vals.append(count)
        width = len(vocab)
        old = self.tf[keep]
        old = sparse.csr_matrix((old.data, old.indices, old.indptr), shape=(old.shape[0], width))
        new = sparse.csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=(len(add), width))
        ids = np.concatenate([self.chunk_ids[keep], np.asarray([cid for cid, _ in add], np.int64)])
        return LexicalIndex(vocab, sparse.vstack([old, new], format="csr"), ids)

    def scores(self, query: list[str]) -> np.ndarray:
        """BM25 score of every row for the query terms (a term repeated counts again)."""
        out = np.zeros(len(self), np.float32)
        for term in query:
            col = self.vocab.get(term)
            if col is None:
                continue
            lo, hi = self._csc.indptr[col], self._csc.indptr[col + 1]
            rows, tf = self._csc.indices[lo:hi], self._csc.data[lo:hi]
            out[rows] += self.idf[col] * tf / (self._norm[rows] + tf)
        return out

    def rows_with(self, col: int) -> np.ndarray:
        """Rows containing vocabulary term `col`, ascending."""
        return self._csc.indices[self._csc.indptr[col] : self._csc.indptr[col + 1]]

    def save(self, directory: Path) -> None:
        tf = self.tf
        np.savez(
            directory / FILES[0],
            data=tf.data,
            indices=tf.indices,
            indptr=tf.indptr,
            shape=np.asarray(tf.shape, np.int64),
            chunk_ids=self.chunk_ids,
        )
        (directory / FILES[1]).write_text(json.dumps(self.vocab), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        with np.load(directory / FILES[0], allow_pickle=False) as z:
            tf = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
            chunk_ids = z["chunk_ids"]
        return cls(json.loads((directory / FILES[1]).read_text(encoding="utf-8")), tf, chunk_ids)
