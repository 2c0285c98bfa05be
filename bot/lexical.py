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

import itertools
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from .rowfile import NpyWriter, RowFile, mapped

K1, B = 1.5, 0.75
REMEMBERED_TERMS = 4096  # term lookups kept per segment (a bisection costs ~20 slices of the mapped blob)
SLACK = 1e-4  # relative margin on MaxScore's bounds: partial sums are added in another order than final scores
FLOOR_SAMPLE = 4096  # partial scores sampled from a column read whole to raise MaxScore's floor
# A question whose terms have at most this many postings in all is scored by one pass over
# them: below it, MaxScore's bookkeeping costs more than the postings it skips. Measured
# on bench/scale.py's indexes and questions (median ms a question, one pass vs MaxScore):
# 10k 0.24 vs 0.64 (17k postings), 100k 2.0 vs 3.6 (170k), 400k 8.7 vs 5.5 (680k),
# 1M 39 vs 20 (1.7M); the two cross between 300k and 700k postings.
FULL_PASS_POSTINGS = 300_000
# Postings entries a merge reads at a time (about 30 bytes of work arrays each: ~120 MB), whatever the segments'
# size: merged in memory, the postings of the 1M-passage benchmark index took ~4 GB.
MERGE_BLOCK_ENTRIES = 4_000_000
FILES = ("terms.npy", "term_offsets.npy", "postings_ptr.npy", "postings_rows.npy", "postings_tf.npy", "lengths.npy")


class TermTable:
    """Term -> column, over terms sorted by their UTF-8 bytes, searched by bisection."""

    def __init__(self, blob: np.ndarray, offsets: np.ndarray):
        self._blob, self._offsets = blob, offsets
        # recent lookups: a question asks for a term several times
        self._found: OrderedDict[str, int | None] = OrderedDict()

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
        try:  # one lookup, not a test then a read: asks on other threads may evict the term between
            return self._found[term]
        except KeyError:
            pass
        col = self._search(term)
        if len(self._found) >= REMEMBERED_TERMS:
            self._found.popitem(last=False)  # OrderedDict: see store._remember
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
        blob, offsets, ptr, rows, tf, lengths = (mapped(directory / name) for name in FILES)
        if not (len(offsets) == len(ptr) and len(rows) == len(tf) == (ptr[-1] if len(ptr) else 0)):
            raise ValueError("the BM25 arrays do not fit together")
        return cls(TermTable(blob, offsets), ptr, rows, tf, lengths)


class Bm25:
    """BM25 over segments' postings; `dead[i]` marks segment i's removed passages (None: none removed).

    The statistics (passage count, average length, document frequencies) count live
    passages only, so scores equal those of an index built from scratch. Rows are
    numbered across the segments, in order (segment i's rows follow segment i - 1's).

    `scores_at` scores given rows by binary search in each term's postings. `top` finds
    the best rows by one pass over the question's postings or, when they are many, by
    MaxScore pruning, so the common words of a question (in 80% of the passages of a
    large index) cost a few lookups instead of a pass over their postings.
    """

    def __init__(
        self,
        parts: Sequence[Postings],
        dead: Sequence[np.ndarray | None],
        total_length: float,
        full_pass: int = FULL_PASS_POSTINGS,
    ):
        self.parts, self.dead = parts, dead
        self.n = sum(len(p.lengths) - (0 if d is None else int(d.sum())) for p, d in zip(parts, dead, strict=True))
        self.average_length = total_length / self.n if self.n else 1.0
        self.offsets = np.zeros(len(parts) + 1, np.int64)
        self.offsets[1:] = np.cumsum([len(p.lengths) for p in parts])
        self._norms: list[np.ndarray | None] = [None] * len(parts)
        self._dead_rows = [None if d is None else np.flatnonzero(d) for d in dead]
        self.full_pass = full_pass  # the most postings a question's terms may have to be scored in one pass

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
        """Segment i's live (rows, counts) for `term`: reads the whole column."""
        rows, tf = self.parts[i].column(term)
        dead = self.dead[i]
        if dead is not None and len(rows):
            alive = ~dead[rows]
            rows, tf = rows[alive], tf[alive]
        return rows, tf

    def _df(self, term: str) -> int:
        """Live passages holding `term`, from the columns' lengths and lookups of the removed rows only."""
        df = 0
        for i, part in enumerate(self.parts):
            rows, _ = part.column(term)
            dead, removed = self.dead[i], self._dead_rows[i]
            if dead is not None and removed is not None and len(rows) and len(removed):
                if len(removed) < len(rows):
                    at = np.minimum(np.searchsorted(rows, removed), len(rows) - 1)
                    df -= int(np.count_nonzero(rows[at] == removed))
                else:
                    df -= int(np.count_nonzero(dead[rows]))
            df += len(rows)
        return df

    def _idf(self, df: int) -> np.float32:
        return np.float32(np.log(1 + (self.n - df + 0.5) / (df + 0.5)))

    def idf(self, term: str) -> float | None:
        """Lucene IDF of `term`; None when no live passage contains it."""
        df = self._df(term)
        return float(self._idf(df)) if df else None

    def rows_with(self, term: str) -> np.ndarray:
        """The live rows containing `term`, ascending."""
        parts = [self._live_column(i, term)[0].astype(np.int64) + self.offsets[i] for i in range(len(self.parts))]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def _column_scores(self, term: str, weight: np.float32) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Per segment, the live rows holding `term` and weight x tf / (norm + tf) for each: the whole column."""
        for i in range(len(self.parts)):
            local, tf = self._live_column(i, term)
            yield local.astype(np.int64) + self.offsets[i], weight * tf / (self._norm(i)[local] + tf)

    def _lookup(self, term: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For ascending rows: which hold `term` (mask) and their counts, by binary search in its postings."""
        found, counts = np.zeros(len(rows), bool), np.zeros(len(rows), np.float32)
        for i, part in enumerate(self.parts):
            lo, hi = np.searchsorted(rows, self.offsets[i : i + 2])
            column, tf = part.column(term)
            if lo == hi or not len(column):
                continue
            local = rows[lo:hi] - self.offsets[i]
            at = np.minimum(np.searchsorted(column, local), len(column) - 1)
            hit = column[at] == local
            dead = self.dead[i]
            if dead is not None:
                hit &= ~dead[local]
            found[lo:hi], counts[lo + np.flatnonzero(hit)] = hit, tf[at[hit]]
        return found, counts

    def contains(self, term: str, rows: np.ndarray) -> np.ndarray:
        """Which of the (ascending) rows hold `term`."""
        return self._lookup(term, rows)[0]

    def scores_at(self, query: Sequence[str], rows: np.ndarray) -> np.ndarray:
        """The BM25 score of each of the (ascending) rows for the query terms (a term repeated counts
        again; removed passages score 0), added in query order as a full pass over the postings would."""
        out = np.zeros(len(rows), np.float32)
        norm = self._row_norms(rows)
        for term in query:
            df = self._df(term)
            if not df:
                continue
            found, tf = self._lookup(term, rows)
            out[found] += self._idf(df) * tf[found] / (norm[found] + tf[found])
        return out

    def _row_norms(self, rows: np.ndarray) -> np.ndarray:
        norm = np.zeros(len(rows), np.float32)
        for i in range(len(self.parts)):
            lo, hi = np.searchsorted(rows, self.offsets[i : i + 2])
            norm[lo:hi] = self._norm(i)[rows[lo:hi] - self.offsets[i]]
        return norm

    def top(self, query: Sequence[str], n: int, seeds: np.ndarray | None = None) -> np.ndarray:
        """Rows of the (at most) n best positive scores, best first; equal scores: lower row first.

        `seeds` are rows likely to score well (the dense search's): they make a long search
        shorter, never different. Both ways give the result of a full pass exactly.
        """
        return self.search(query, n, seeds)[0]

    def search(
        self, query: Sequence[str], n: int, seeds: np.ndarray | None = None
    ) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
        """`top`'s rows, and what `scores_at` gives for any (ascending) rows: read from the full pass
        when there was one (the second stage asks it for its whole pool), else looked up."""
        if n <= 0:
            return np.zeros(0, np.int64), lambda rows: self.scores_at(query, rows)
        times = Counter(query)
        df = {t: d for t in times if (d := self._df(t))}
        idf = {t: self._idf(d) for t, d in df.items()}
        if sum(d * times[t] for t, d in df.items()) <= self.full_pass:
            every = np.zeros(int(self.offsets[-1]), np.float32)
            for term in query:  # in query order, as scores_at adds
                if term in idf:
                    for rows, scores in self._column_scores(term, idf[term]):
                        every[rows] += scores
            candidates = np.flatnonzero(every)
            if len(candidates) > n:  # only those at or above the n-th best need sorting
                scores = every[candidates]
                candidates = candidates[scores >= np.partition(scores, len(scores) - n)[len(scores) - n]]
            return candidates[np.lexsort((candidates, -every[candidates]))[:n]], lambda rows: every[rows]
        candidates = self._max_score(query, n, times, idf, np.zeros(0, np.int64) if seeds is None else seeds)
        scores = self.scores_at(query, candidates)
        positive = scores > 0
        candidates, scores = candidates[positive], scores[positive]
        return candidates[np.lexsort((candidates, -scores))[:n]], lambda rows: self.scores_at(query, rows)

    def _max_score(
        self, query: Sequence[str], n: int, times: Counter, idf: dict[str, np.float32], seeds: np.ndarray
    ) -> np.ndarray:
        """The rows (ascending) that may reach the top n, by MaxScore (Turtle and Flood, 1995).

        A term adds less than its IDF to a passage's score (tf / (norm + tf) < 1). `floor`
        is a score at least n passages reach: the n-th best exact score of the seeds, raised
        by partial scores as terms are read. The terms are read rarest first, whole, only
        until the terms left could add less than the floor: a passage none of the read ones
        holds cannot reach the top n. The others are looked up for the remaining candidates
        only, dropping each whose partial score plus what is left stays below the floor.
        """
        order = sorted(idf, key=lambda t: -idf[t] * times[t])
        rest = (np.cumsum([float(idf[t] * times[t]) for t in reversed(order)])[::-1] * (1 + SLACK)).tolist() + [0.0]
        floor = 0.0
        seeds = np.unique(seeds)
        if len(seeds) >= n:
            floor = float(np.sort(self.scores_at(query, seeds))[-n]) * (1 - SLACK)
        partial = np.zeros(int(self.offsets[-1]), np.float32)
        j = 0
        while j < len(order) and rest[j] >= floor:  # a passage holding none of the read terms could still make it
            term = order[j]
            for rows, scores in self._column_scores(term, times[term] * idf[term]):
                partial[rows] += scores
                sample = partial[rows[:: max(1, len(rows) // FLOOR_SAMPLE)]]
                if len(sample) >= n:  # any n passages' partial scores bound the n-th best from below
                    floor = max(floor, float(np.partition(sample, len(sample) - n)[len(sample) - n]) * (1 - SLACK))
            j += 1
        candidates = np.flatnonzero((partial > 0) & (partial + rest[j] >= floor))
        for term in order[j:]:  # the common terms: looked up for the candidates only
            if not len(candidates):
                break
            j += 1
            found, tf = self._lookup(term, candidates)
            norm = self._row_norms(candidates[found])
            partial[candidates[found]] += times[term] * idf[term] * tf[found] / (norm + tf[found])
            scores = partial[candidates]
            if len(scores) >= n:
                floor = max(floor, float(np.partition(scores, len(scores) - n)[len(scores) - n]) * (1 - SLACK))
            candidates = candidates[scores + rest[j] >= floor]
        return candidates


def merge_postings(parts: Sequence[tuple[Path, np.ndarray]], directory: Path) -> None:
    """Write to `directory` one segment's postings from those saved in each part's folder, keeping the rows its
    boolean mask marks, in order: what Postings.build gives for the kept passages, bit for bit.

    A block of terms at a time (MERGE_BLOCK_ENTRIES): a part's postings are sorted by term and each term's by row,
    the merged vocabulary is sorted the same way, and every part's rows follow the previous part's, so the
    entries of a range of merged terms are one slice of each part, put in order by a stable sort on the term.
    When rows are dropped, a first pass counts each term's live entries (a term left without any is dropped too),
    which the files' headers need; the second writes.
    """
    opened = [Postings.open(folder) for folder, _ in parts]
    vocabularies = [list(p.terms) for p in opened]
    terms = sorted(set().union(*vocabularies))
    position = {term: i for i, term in enumerate(terms)}
    new_cols = [np.fromiter((position[t] for t in v), np.int64, len(v)) for v in vocabularies]
    ptrs = [np.asarray(p.ptr, np.int64) for p in opened]
    new_rows, base = [], 0
    for _, keep in parts:
        new_rows.append(np.cumsum(keep, dtype=np.int64) - 1 + base)  # old row -> row in the merged segment
        base += int(keep.sum())
    sizes = np.zeros(len(terms), np.int64)
    for cols, ptr in zip(new_cols, ptrs, strict=True):
        sizes[cols] += np.diff(ptr)
    ends = np.cumsum(sizes)
    cuts = np.searchsorted(ends, np.arange(MERGE_BLOCK_ENTRIES, int(ends[-1]) if len(ends) else 0, MERGE_BLOCK_ENTRIES))
    edges = np.unique(np.concatenate([[0], cuts, [len(terms)]])).tolist()
    ranges = list(itertools.pairwise(edges))
    files = [(RowFile(folder / FILES[3]), RowFile(folder / FILES[4])) for folder, _ in parts]

    def block(c0: int, c1: int, with_tf: bool) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        """Per part: the merged column, merged row and (with_tf) count of its live entries of terms c0..c1-1."""
        for (_, keep), cols, ptr, rows_to, (rows_file, tf_file) in zip(
            parts, new_cols, ptrs, new_rows, files, strict=True
        ):
            a, b = np.searchsorted(cols, [c0, c1]).tolist()
            lo, hi = int(ptr[a]), int(ptr[b])
            if lo == hi:
                continue
            rows = rows_file.span(lo, hi)
            alive = keep[rows]
            column = np.repeat(cols[a:b], np.diff(ptr[a : b + 1]))[alive]
            yield column, rows_to[rows[alive]], tf_file.span(lo, hi)[alive] if with_tf else None

    try:
        if all(keep.all() for _, keep in parts):
            counts = sizes  # nothing dropped: no need to read the rows twice
        else:
            counts = np.zeros(len(terms), np.int64)
            for c0, c1 in ranges:
                for column, _, _ in block(c0, c1, with_tf=False):
                    counts[c0:c1] += np.bincount(column - c0, minlength=c1 - c0)
        total = int(counts.sum())
        rows_out = NpyWriter(directory / FILES[3], np.int32, (total,))
        tf_out = NpyWriter(directory / FILES[4], np.float32, (total,))
        for c0, c1 in ranges:
            pieces = list(block(c0, c1, with_tf=True))
            if not pieces:
                continue
            column = np.concatenate([p[0] for p in pieces])
            order = np.argsort(column, kind="stable")
            rows_out.write(np.concatenate([p[1] for p in pieces])[order])
            tf_out.write(np.concatenate([p[2] for p in pieces if p[2] is not None])[order])
        rows_out.close()
        tf_out.close()
    finally:
        for rows_file, tf_file in files:
            rows_file.close()
            tf_file.close()
    used = counts > 0
    table = TermTable.of([t for t, u in zip(terms, used.tolist(), strict=True) if u])
    ptr = np.zeros(int(used.sum()) + 1, np.int64)
    ptr[1:] = np.cumsum(counts[used])
    lengths = np.concatenate([np.asarray(p.lengths)[keep] for p, (_, keep) in zip(opened, parts, strict=True)])
    for name, array in ((FILES[0], table._blob), (FILES[1], table._offsets), (FILES[2], ptr), (FILES[5], lengths)):
        np.save(directory / name, np.ascontiguousarray(array), allow_pickle=False)
