"""BM25 over the postings of several index segments, with corpus-wide statistics.

Scores follow the Lucene BM25 variant exactly as bm25s computes it (a test checks that
they agree). Each segment keeps raw term counts by term (CSC: what a query reads, term
by term) and its passages' lengths, never precomputed scores: IDF and the length
normalisation depend on the whole corpus, so they are derived per query from the
live passages of every segment (passages removed since their segment was written are
left out of the statistics as well as the results). That is what lets an update add
a segment without touching the others.

On disk a segment's postings are plain .npy arrays, opened memory-mapped, and its
vocabulary is its terms sorted by their UTF-8 bytes (one byte blob plus offsets),
found by binary search: opening costs the same at any size, and a query reads only
the columns of its own terms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

K1, B = 1.5, 0.75
REMEMBERED_TERMS = 4096  # term lookups kept per segment (a bisection costs ~20 slices of the mapped blob)
FILES = ("terms.npy", "term_offsets.npy", "postings_ptr.npy", "postings_rows.npy", "postings_tf.npy", "lengths.npy")


class TermTable:
    """Term -> column, over terms sorted by their UTF-8 bytes, searched by bisection."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray):
        self._blob, self._offsets = blob, offsets
        self._found: dict[str, int | None] = {}  # recent lookups: a question asks for a term several times

    @classmethod
    def of(cls, sorted_terms: Sequence[bytes]) -> TermTable:
        offsets = np.zeros(len(sorted_terms) + 1, np.int64)
        offsets[1:] = np.cumsum([len(t) for t in sorted_terms])
        return cls(np.frombuffer(b"".join(sorted_terms), np.uint8), offsets)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def term(self, col: int) -> bytes:
        return self._blob[self._offsets[col] : self._offsets[col + 1]].tobytes()

    def get(self, term: str) -> int | None:
        if term in self._found:
            return self._found[term]
        col = self._search(term)
        if len(self._found) >= REMEMBERED_TERMS:
            self._found.pop(next(iter(self._found)))
        self._found[term] = col
        return col

    def _search(self, term: str) -> int | None:
        key, lo, hi = term.encode("utf-8"), 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.term(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        return lo if lo < len(self) and self.term(lo) == key else None

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def __iter__(self) -> Iterator[bytes]:
        return (self.term(i) for i in range(len(self)))


class Postings:
    """One segment's term counts by column, and the length (token count) of each of its passages."""

    def __init__(
        self, terms: TermTable, ptr: np.ndarray, rows: np.ndarray, tf: np.ndarray, lengths: np.ndarray
    ) -> None:
        self.terms, self.ptr, self.rows, self.tf, self.lengths = terms, ptr, rows, tf, lengths

    @classmethod
    def build(cls, passages: Sequence[Sequence[str]]) -> Postings:
        """From each passage's tokens (row r = passages[r])."""
        counts = [Counter(tokens) for tokens in passages]
        terms = sorted({term.encode("utf-8") for c in counts for term in c})
        col = {term.decode("utf-8"): i for i, term in enumerate(terms)}
        cols = np.fromiter((col[t] for c in counts for t in c), np.int64)
        rows = np.repeat(np.arange(len(counts), dtype=np.int64), [len(c) for c in counts])
        tf = np.fromiter((n for c in counts for n in c.values()), np.float32, len(cols))
        lengths = np.asarray([sum(c.values()) for c in counts], np.float32)
        return cls._from_entries(terms, cols, rows, tf, lengths)

    @classmethod
    def merge(cls, parts: Sequence[tuple[Postings, np.ndarray]]) -> Postings:
        """One segment's postings from several, keeping the rows each boolean `keep` mask marks, in order."""
        vocabularies = [list(p.terms) for p, _ in parts]
        terms = sorted(set().union(*vocabularies))
        position = {term: i for i, term in enumerate(terms)}
        all_cols, all_rows, all_tf, lengths, base = [], [], [], [], 0
        for (postings, keep), vocabulary in zip(parts, vocabularies, strict=True):
            new_col = np.fromiter((position[t] for t in vocabulary), np.int64, len(vocabulary))
            new_row = np.cumsum(keep, dtype=np.int64) - 1 + base  # old row -> row in the merged segment
            cols = np.repeat(new_col, np.diff(np.asarray(postings.ptr)))
            rows, tf = np.asarray(postings.rows), np.asarray(postings.tf)
            alive = keep[rows]
            all_cols.append(cols[alive])
            all_rows.append(new_row[rows[alive]])
            all_tf.append(tf[alive])
            lengths.append(np.asarray(postings.lengths)[keep])
            base += int(keep.sum())

        def joined(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
            return np.concatenate(arrays) if arrays else np.zeros(0, dtype)

        return cls._from_entries(
            terms,
            joined(all_cols, np.int64),
            joined(all_rows, np.int64),
            joined(all_tf, np.float32),
            joined(lengths, np.float32),
        )

    @classmethod
    def _from_entries(
        cls, terms: list[bytes], cols: np.ndarray, rows: np.ndarray, tf: np.ndarray, lengths: np.ndarray
    ) -> Postings:
        """From (column, row, count) entries in any order; columns index the sorted `terms`.

        Terms left without a passage (all theirs were removed) are dropped from the vocabulary.
        """
        counts = np.bincount(cols, minlength=len(terms))
        used = counts > 0
        cols = (np.cumsum(used) - 1)[cols]
        order = np.lexsort((rows, cols))
        ptr = np.zeros(int(used.sum()) + 1, np.int64)
        ptr[1:] = np.cumsum(counts[used])
        kept = [t for t, u in zip(terms, used.tolist(), strict=True) if u]
        return cls(TermTable.of(kept), ptr, rows[order].astype(np.int32), tf[order].astype(np.float32), lengths)

    def column(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(rows, counts) of the passages containing `term`; empty when the segment never uses it."""
        col = self.terms.get(term)
        if col is None:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        lo, hi = self.ptr[col], self.ptr[col + 1]
        return np.asarray(self.rows[lo:hi]), np.asarray(self.tf[lo:hi])

    def save(self, directory: Path) -> None:
        arrays = (self.terms._blob, self.terms._offsets, self.ptr, self.rows, self.tf, self.lengths)
        for name, array in zip(FILES, arrays, strict=True):
            np.save(directory / name, np.ascontiguousarray(array), allow_pickle=False)

    @classmethod
    def open(cls, directory: Path) -> Postings:
        """Memory-mapped: nothing is read until a query asks for its terms."""
        blob, offsets, ptr, rows, tf, lengths = (
            np.asarray(np.load(directory / name, mmap_mode="r", allow_pickle=False)) for name in FILES
        )
        if not (len(offsets) == len(ptr) and len(rows) == len(tf) == (ptr[-1] if len(ptr) else 0)):
            raise ValueError("the BM25 arrays do not fit together")
        return cls(TermTable(blob, offsets), ptr, rows, tf, lengths)


class Bm25:
    """BM25 over segments' postings; `dead[i]` marks segment i's removed passages (None: none removed).

    The statistics (passage count, average length, document frequencies) count live
    passages only, so scores equal those of an index built from scratch.
    """

    def __init__(self, parts: Sequence[Postings], dead: Sequence[np.ndarray | None], total_length: float):
        self.parts, self.dead = parts, dead
        self.n = sum(len(p.lengths) - (0 if d is None else int(d.sum())) for p, d in zip(parts, dead, strict=True))
        self.average_length = total_length / self.n if self.n else 1.0
        self._norms: list[np.ndarray | None] = [None] * len(parts)

    def _norm(self, i: int) -> np.ndarray:
        """Segment i's length normalisation per row, k1 (1 - b + b len / avg), computed once per snapshot.

        The same float32 operations as per posting, so scores are bit-for-bit those of computing
        it per query term; a question then gathers it instead of recomputing it for every posting.
        """
        norm = self._norms[i]
        if norm is None:
            norm = self._norms[i] = (K1 * ((1 - B) + B * self.parts[i].lengths / self.average_length)).astype(
                np.float32
            )
        return norm

    def _live_column(self, i: int, term: str) -> tuple[np.ndarray, np.ndarray]:
        rows, tf = self.parts[i].column(term)
        dead = self.dead[i]
        if dead is not None and len(rows):
            alive = ~dead[rows]
            rows, tf = rows[alive], tf[alive]
        return rows, tf

    def idf(self, term: str) -> float | None:
        """Lucene IDF of `term`; None when no live passage contains it."""
        df = sum(len(self._live_column(i, term)[0]) for i in range(len(self.parts)))
        if not df:
            return None
        return float(np.float32(np.log(1 + (self.n - df + 0.5) / (df + 0.5))))

    def rows_with(self, term: str) -> list[np.ndarray]:
        """Per segment, the live rows containing `term`, ascending."""
        return [self._live_column(i, term)[0] for i in range(len(self.parts))]

    def scores(self, query: Sequence[str]) -> list[np.ndarray]:
        """Per segment, the BM25 score of each row for the query terms (a term repeated counts again)."""
        out = [np.zeros(len(p.lengths), np.float32) for p in self.parts]
        for term in query:
            columns = [self._live_column(i, term) for i in range(len(self.parts))]
            df = sum(len(rows) for rows, _ in columns)
            if not df:
                continue
            idf = np.float32(np.log(1 + (self.n - df + 0.5) / (df + 0.5)))
            for i, (rows, tf) in enumerate(columns):
                if len(rows):
                    out[i][rows] += idf * tf / (self._norm(i)[rows] + tf)
        return out
