"""Approximate nearest-neighbour search for large immutable index segments.

Why: a segment keeps its passage vectors as a memory-mapped ``passage_vectors.npy``
(float32, unit length, row r = local passage r). Exact search over that array costs a
full pass per question (1M rows x 384 x 4 B = 1.5 GB read), which is fine for small
segments and far too slow for large ones. Large segments get an inverted-file index
(faiss IVF) that

* opens in constant time and memory: the file is opened with ``faiss.IO_FLAG_MMAP``,
  so only the coarse centroids (nlist x dim floats) are read; the inverted lists stay
  in the page cache and only the lists a query probes are touched;
* keeps recall: after a build, ``nprobe`` is calibrated on a few hundred sentence
  vectors of the segment to the smallest value whose recall@10 against exact search
  reaches ``RECALL_TARGET``, and is stored in the manifest record;
* is deterministic: the training sample is drawn with a fixed seed, k-means uses a
  fixed seed, and rows are added with ids = local row numbers.

The lists hold 4-bit scalar-quantised codes (IndexIVFScalarQuantizer, QT_4bit, on
residuals), an eighth of the size of IndexIVFFlat's float copies (which would double
the segment's disk use next to ``passage_vectors.npy``). The quantised scores only rank
candidates: the best ``rerank_depth(n)`` candidates are re-scored exactly from the
mmapped ``passage_vectors.npy``, so scores returned are exact inner products and the
quantisation costs no measurable recall. The pages of the lists a question probes are
most of what a cold question reads at 1M rows, so the code size is its memory.
bench/ann.py measures the variants (8-bit codes remain available, CODEC_SQ8).

Nothing here is pickled: the index is faiss's own file format, the manifest record a
plain dict of numbers and strings (JSON-ready).
"""

from __future__ import annotations

import logging
import math
import os
import queue
import time
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from .rowfile import Rows

log = logging.getLogger(__name__)

# Segments with fewer rows than this are searched exactly (numpy over the mmapped array).
# Chosen with bench/ann.py (clustered 384-dim unit vectors, questions as noisy copies of
# rows, one thread per question, 2 shared and busy cores): exact search costs 1.5 ms at
# 10k rows, 26 ms at 100k and 280 ms at 1M (one pass over the array, linear in rows);
# the calibrated SQ8 IVF costs 0.15 ms, 1.8 ms and 13 ms at recall@10 0.999 / 0.996 /
# 0.993. Below ~50k rows exact search stays under ~10 ms (less than embedding the
# question), is exact, and needs no build (15-45 s of training at 50-100k rows), no
# second file and no calibration; from there on it grows by ~2.6 ms per 10k rows while
# IVF is 10-20x faster. Hence 50_000.
EXACT_LIMIT = 50_000

RECALL_TARGET = 0.99  # recall@10 against exact search
RECALL_K = 10  # the "@10" of RECALL_TARGET

# Rows per block in exact_search: 16384 x 384 x 4 B = 24 MB of scores input at a time,
# so memory stays bounded on a 1.5 GB mmapped array while blocks stay large enough
# that numpy's matrix-vector product runs at full speed (bench: no gain above 8k rows).
EXACT_CHUNK_ROWS = 16_384

# nlist = NLIST_PER_SQRT * sqrt(rows), the usual faiss rule of thumb (4..16 sqrt(N)); the
# low end keeps lists long enough that scanning one costs more than finding it, and keeps
# training cheap. Capped so that k-means has faiss's own minimum of MIN_POINTS_PER_LIST
# training points per centroid (below it faiss warns and centroids get noisy): with the
# 100k-row sample that is 2564 lists at 1M rows, and a centroid table (read at open) of
# 2564 x 384 x 4 B = 3.9 MB.
NLIST_PER_SQRT = 4
MIN_POINTS_PER_LIST = 39

# Training sample: at most this many rows, drawn with a fixed seed so that builds are
# deterministic. 100k rows of 384 floats = 150 MB while training; k-means cost is
# sample x nlist x dim per iteration, the dominant build cost at 1M rows.
TRAIN_SAMPLE_ROWS = 100_000
TRAIN_SEED = 20_240_601
KMEANS_NITER = 10  # faiss's default for IVF coarse training (not tuned: nprobe calibration absorbs centroid quality)

# Rows per add() block while building: bounded memory when the source is an mmapped array.
ADD_CHUNK_ROWS = 65_536

# "sq4": IVF lists hold 4-bit codes, results re-scored exactly from the vectors (default).
# "sq8": 8-bit codes, re-scored the same way; twice the lists' size for no recall (below).
# "flat": IVF lists hold float32 copies; exact scores without the vectors, 8x the disk.
# Why 4 bits (2026-11-26, the 1M-passage index of bench/scale.py, 200 of its questions,
# nprobe 456 and 600 of 2564 lists): with the re-score below, recall@10 was the same for
# both codes at depth 320 (0.9895 / 0.9945) and within 0.001 at depth 160, while a question
# touched 36 instead of 71 MB of lists at nprobe 456 (10.3 vs 10.5 ms a search): the cold
# ask's peak RSS at 1M is mostly those pages.
CODEC_SQ4 = "sq4"
CODEC_SQ8 = "sq8"
CODEC_FLAT = "flat"
DEFAULT_CODEC = CODEC_SQ4
_QUANTISERS = {CODEC_SQ4: faiss.ScalarQuantizer.QT_4bit, CODEC_SQ8: faiss.ScalarQuantizer.QT_8bit}

# Candidates re-scored exactly per query for the quantised codecs: RERANK_FACTOR x n, at
# least RERANK_MIN. SQ8, nprobe = nlist (no IVF loss; bench data, 100k rows, 200 questions):
# recall@10 0.9905 at depth 10 (SQ8 order alone) and 1.000 at depths 20 and 40. 4-bit codes
# order candidates more coarsely: at 1M rows (above) the top 10 at depth 40 had recall
# 0.966 against SQ8's 0.9895, at depth 80 0.9825, at 160 0.9885. Hence 160 (a question's
# candidates, n = 80, get 320). The re-score reads 160-320 rows (0.25-0.5 MB) of the
# mmapped vectors per question, ~0.2 ms.
RERANK_FACTOR = 4
RERANK_MIN = 160

# nprobe calibration: the smallest nprobe at which the lower confidence bound of the
# probes' recall@10, mean - CALIBRATION_Z x standard error (over queries), reaches
# RECALL_TARGET, then times NPROBE_SAFETY (capped at nlist). Why both: misses come in
# clumps (a question whose neighbours are scattered over many lists loses most of its
# ten at once), the recall curve is flat near the target, and a few hundred probes may
# hold none of the rare bad questions. bench, 100k rows, 12 sets of 300 held-out
# questions: the bare mean rule gave nprobe 38 from one probe set while other sets needed
# up to 96 (recall 0.977-0.995 at 38); the z = 2 bound alone gave 48-192 against a need of
# 32-96; doubling the smallest (48) covers the largest need (96). Query cost is close to
# linear in nprobe and stays far below exact search (bench table), so erring high is cheap.
CALIBRATION_Z = 2.0
NPROBE_SAFETY = 2

# faiss's OnDiskInvertedLists (what IO_FLAG_MMAP gives) starts 32 prefetch threads per
# search by default, meant for lists on a slow disk. On 2 cores with warm page cache they
# made a single query 10x slower (bench, 100k rows, nprobe 38: 3.2 ms vs 0.21 ms), so
# lists are read synchronously.
PREFETCH_THREADS = 0

# A single query's scan can be shared with a helper thread the caller owns (retrieve's second thread,
# which runs the BM25 search first): the probed lists, nearest first, are cut into this many parts,
# and the asking thread and the helper each take the next part until none is left, so a helper busy
# with other work simply takes fewer. faiss releases the GIL while it scans. Each part returns its own
# best rerank_depth candidates and the union's best are the same as one scan's (ties at the cut aside).
# 16 parts of the 1M index's 734 probed lists are ~2.5 ms of scanning each, fine enough that the
# threads finish within one part of each other; a part costs one more faiss call (tens of us).
# 1M passages (bench/scale.py's index), 40 queries: scan 40-58 ms on one thread, 27-28 ms shared by two.
SHARED_SCAN_PARTS = 16

MANIFEST_KIND = "ivf"


def _as_queries(query: np.ndarray) -> tuple[np.ndarray, bool]:
    """(2-D contiguous float32 queries, whether the input was a single 1-D query)."""
    q = np.asarray(query, dtype=np.float32)
    single = q.ndim == 1
    if single:
        q = q[None, :]
    if q.ndim != 2:
        raise ValueError(f"query must be 1-D or 2-D, got shape {np.shape(query)}")
    return np.ascontiguousarray(q), single


def _top_n(scores: np.ndarray, rows: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The n best (score, row) pairs of one query, best first; ties go to the lower row (also at
    the cut: a full sort, as there are at most a few hundred re-scored candidates)."""
    order = np.lexsort((rows, -scores))[:n]
    return scores[order], rows[order]


def exact_search(vectors: np.ndarray, query: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(scores, local rows) of the n best rows by inner product, best first.

    Works on an mmapped array: rows are read EXACT_CHUNK_ROWS at a time and only the
    running best n are kept, so memory stays bounded. `query` is one vector (dim,)
    giving 1-D results, or a batch (nq, dim) giving (nq, min(n, rows)) results. Among
    equal scores the lower row comes first, so results are deterministic. Rows are int64.
    """
    q, single = _as_queries(query)
    rows_total = int(vectors.shape[0])
    k = max(0, min(int(n), rows_total))
    best_scores = np.empty((len(q), 0), dtype=np.float32)
    best_rows = np.empty((len(q), 0), dtype=np.int64)
    if k > 0:
        for start in range(0, rows_total, EXACT_CHUNK_ROWS):
            block = np.asarray(vectors[start : start + EXACT_CHUNK_ROWS], dtype=np.float32)
            scores = np.concatenate([best_scores, q @ block.T], axis=1)  # (nq, k + block rows)
            block_rows = np.arange(start, start + len(block), dtype=np.int64)
            rows = np.concatenate([best_rows, np.broadcast_to(block_rows, (len(q), len(block)))], axis=1)
            if scores.shape[1] > k:
                keep = np.argpartition(-scores, k - 1, axis=1)[:, :k]
                scores = np.take_along_axis(scores, keep, axis=1)
                rows = np.take_along_axis(rows, keep, axis=1)
            best_scores, best_rows = scores, rows
        for i in range(len(q)):
            order = np.lexsort((best_rows[i], -best_scores[i]))
            best_scores[i], best_rows[i] = best_scores[i][order], best_rows[i][order]
    if single:
        return best_scores[0], best_rows[0]
    return best_scores, best_rows


def nlist_for(rows: int) -> int:
    """The number of inverted lists for a segment of `rows` rows (see NLIST_PER_SQRT)."""
    by_size = int(round(NLIST_PER_SQRT * math.sqrt(max(rows, 1))))
    by_training = min(rows, TRAIN_SAMPLE_ROWS) // MIN_POINTS_PER_LIST
    return max(1, min(by_size, by_training))


def rerank_depth(n: int) -> int:
    """How many IVF candidates are re-scored exactly for a top-n query (quantised codecs)."""
    return max(RERANK_MIN, RERANK_FACTOR * n)


def _training_sample(vectors: np.ndarray) -> np.ndarray:
    rows = int(vectors.shape[0])
    if rows <= TRAIN_SAMPLE_ROWS:
        return np.ascontiguousarray(vectors, dtype=np.float32)
    rng = np.random.default_rng(TRAIN_SEED)
    picked = np.sort(rng.choice(rows, size=TRAIN_SAMPLE_ROWS, replace=False))  # sorted: sequential mmap reads
    return np.ascontiguousarray(vectors[picked], dtype=np.float32)


def _new_index(dim: int, nlist: int, codec: str) -> Any:
    quantizer: Any = faiss.IndexFlatIP(dim)
    index: Any
    if codec in _QUANTISERS:
        index = faiss.IndexIVFScalarQuantizer(quantizer, dim, nlist, _QUANTISERS[codec], faiss.METRIC_INNER_PRODUCT)
    elif codec == CODEC_FLAT:
        index = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
    else:
        raise ValueError(f"unknown codec {codec!r} (expected one of {', '.join([*_QUANTISERS, CODEC_FLAT])})")
    index.own_fields = True
    quantizer.this.disown()  # the index owns (and frees) its quantizer
    index.cp.niter = KMEANS_NITER
    index.cp.seed = TRAIN_SEED
    index.cp.max_points_per_centroid = TRAIN_SAMPLE_ROWS  # the sample is already bounded; do not subsample again
    return index


def per_query_recall(found: np.ndarray, truth: np.ndarray, k: int = RECALL_K) -> np.ndarray:
    """For each query, the fraction of its true top k (a row of `truth`) found in its top k of `found`."""
    out = np.ones(len(truth), dtype=np.float64)
    for i, (got, want) in enumerate(zip(found, truth, strict=True)):
        want_k = want[:k][want[:k] >= 0]
        if len(want_k):
            out[i] = len(np.intersect1d(got[:k], want_k)) / len(want_k)
    return out


# Scores within this of the k-th exact score count as tied with it. Float32 inner products
# of the same unit vectors computed in another order (a block product vs a gather)
# differ by ~1e-7; 1e-5 is far below any real gap between different passages.
TIE_EPSILON = 1e-5


def tie_aware_recall(found_scores: np.ndarray, truth_scores: np.ndarray, k: int = RECALL_K) -> np.ndarray:
    """Per query, the share of its top k found whose exact score reaches the k-th exact score.

    Unlike per_query_recall, a found row tied with the true k-th row counts: among equal
    scores exact search keeps the lower rows, which says nothing of a search's quality.
    Corpora of templated or duplicated passages (and the hashing embedder) have many
    such ties; counting them as misses drove calibration to probe every list. Scores
    must be exact (both codecs return exact inner products).
    """
    out = np.ones(len(truth_scores), dtype=np.float64)
    for i, (got, want) in enumerate(zip(found_scores, truth_scores, strict=True)):
        want_k = want[:k][np.isfinite(want[:k])]
        if len(want_k):
            got_k = got[:k][np.isfinite(got[:k])]
            out[i] = min(1.0, np.count_nonzero(got_k >= want_k[-1] - TIE_EPSILON) / len(want_k))
    return out


def recall_at_k(found: np.ndarray, truth: np.ndarray, k: int = RECALL_K) -> float:
    """Mean recall@k over queries (each query's true top k is a row of `truth`, e.g. from exact_search)."""
    return float(per_query_recall(found, truth, k).mean()) if len(truth) else 1.0


def build_ivf(vectors: np.ndarray, path: Path, probes: np.ndarray, *, codec: str = DEFAULT_CODEC) -> dict[str, Any]:
    """Train an IVF index on `vectors`, add all rows (ids = local rows), write it to `path`, calibrate nprobe.

    nprobe is the smallest value at which recall@10 against exact search (tie-aware, see
    tie_aware_recall) on the `probes` query vectors (searched as IvfSearcher searches: re-scored from `vectors` when quantised)
    reaches RECALL_TARGET with a margin, times NPROBE_SAFETY (see CALIBRATION_Z);
    "recall_at_10" in the record is the probes' mean recall at the nprobe chosen. The file is written to a temporary
    name and renamed, so a crash never leaves a half-written index at `path`.
    Returns the manifest record (JSON-ready).
    """
    rows, dim = (int(s) for s in vectors.shape)
    if rows == 0:
        raise ValueError("cannot build an IVF index over zero rows")
    probe_q, _ = _as_queries(probes)
    if probe_q.shape[1] != dim:
        raise ValueError(f"probes have dimension {probe_q.shape[1]}, vectors {dim}")
    nlist = nlist_for(rows)
    started = time.perf_counter()
    index = _new_index(dim, nlist, codec)
    sample = _training_sample(vectors)
    index.train(sample)
    train_rows = len(sample)
    del sample
    trained = time.perf_counter()
    for start in range(0, rows, ADD_CHUNK_ROWS):
        block = np.ascontiguousarray(vectors[start : start + ADD_CHUNK_ROWS], dtype=np.float32)
        index.add_with_ids(block, np.arange(start, start + len(block), dtype=np.int64))
    added = time.perf_counter()

    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    faiss.write_index(index, str(tmp))
    os.replace(tmp, path)

    del index  # calibrate on the file as searchers will open it (mmapped lists)
    searcher = IvfSearcher.open(path, nprobe=1, vectors=vectors if codec in _QUANTISERS else None)
    nprobe, recall = _calibrate_nprobe(searcher, vectors, probe_q, nlist)
    calibrated = time.perf_counter()
    log.info(
        "IVF %s over %d rows: nlist %d, nprobe %d (recall@%d %.4f on %d probes); "
        "train %.1fs on %d rows, add %.1fs, calibrate %.1fs",
        codec,
        rows,
        nlist,
        nprobe,
        RECALL_K,
        recall,
        len(probe_q),
        trained - started,
        train_rows,
        added - trained,
        calibrated - added,
    )
    return {
        "kind": MANIFEST_KIND,
        "codec": codec,
        "rows": rows,
        "dim": dim,
        "nlist": nlist,
        "nprobe": nprobe,
        "recall_at_10": round(recall, 4),
        "probes": len(probe_q),
        "train_rows": train_rows,
    }


def _calibrate_nprobe(searcher: IvfSearcher, vectors: np.ndarray, probes: np.ndarray, nlist: int) -> tuple[int, float]:
    """NPROBE_SAFETY x the smallest nprobe whose probe recall@10 passes RECALL_TARGET with the CALIBRATION_Z margin.

    Returns that nprobe and the probes' mean recall@10 at it.

    Doubling finds a bracket, then bisection the smallest value in it (recall grows with
    nprobe: more lists scanned, a superset of candidates). nprobe = nlist scans every list,
    so the search always ends.
    """
    if len(probes) == 0:
        raise ValueError("nprobe calibration needs probe queries")
    truth, _ = exact_search(vectors, probes, RECALL_K)
    measured: dict[int, tuple[float, float]] = {}  # nprobe -> (mean recall, lower bound)

    def passes(nprobe: int) -> bool:
        if nprobe not in measured:
            searcher.nprobe = nprobe
            found, _ = searcher.search(probes, RECALL_K)
            per_query = tie_aware_recall(found, truth)
            mean = float(per_query.mean())
            stderr = float(per_query.std(ddof=1) / math.sqrt(len(per_query))) if len(per_query) > 1 else 0.0
            measured[nprobe] = (mean, mean - CALIBRATION_Z * stderr)
            log.debug("nprobe %d: recall@%d %.4f (lower bound %.4f)", nprobe, RECALL_K, *measured[nprobe])
        return measured[nprobe][1] >= RECALL_TARGET

    low, high = 0, 1  # passes(low) is False (0: nothing scanned); high is the candidate
    while not passes(high) and high < nlist:
        low, high = high, min(nlist, high * 2)
    if not passes(high):
        log.warning(
            "IVF recall@%d %.4f short of %.2f even with every list probed", RECALL_K, measured[high][0], RECALL_TARGET
        )
        return high, measured[high][0]
    while high - low > 1:
        mid = (low + high) // 2
        if passes(mid):
            high = mid
        else:
            low = mid
    chosen = min(nlist, high * NPROBE_SAFETY)
    passes(chosen)
    return chosen, measured[chosen][0]


class IvfSearcher:
    """Search one segment's IVF file; (scores, local rows) best first, like exact_search."""

    def __init__(self, index: Any, nprobe: int, vectors: Rows | None = None):
        self._index = index  # faiss.IndexIVF*; faiss has no type stubs
        self.dimension = int(index.d)
        self.rows = int(index.ntotal)
        self._quantised = isinstance(index, faiss.IndexIVFScalarQuantizer)
        if self._quantised and vectors is None:
            raise ValueError("a quantised IVF index needs the segment's vectors to re-score its candidates")
        if vectors is not None and tuple(vectors.shape) != (self.rows, self.dimension):
            raise ValueError(f"vectors have shape {tuple(vectors.shape)}, the index {(self.rows, self.dimension)}")
        self._vectors = vectors if self._quantised else None
        self.nprobe = nprobe

    @property
    def nprobe(self) -> int:
        return int(self._index.nprobe)

    @nprobe.setter
    def nprobe(self, value: int) -> None:
        self._index.nprobe = max(1, min(int(value), int(self._index.nlist)))

    @classmethod
    def open(cls, path: Path, nprobe: int, vectors: Rows | None = None) -> IvfSearcher:
        """Open an index written by build_ivf without reading its inverted lists.

        IO_FLAG_MMAP maps the lists of the file (faiss OnDiskInvertedLists over the file
        itself) and reads only the header and the coarse centroids, so opening costs the
        same at 10k and 1M rows. `vectors` (the segment's mmapped passage_vectors.npy)
        is required for the quantised codecs, whose candidates are re-scored from it.
        """
        index: Any = faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY)
        lists = faiss.downcast_InvertedLists(index.invlists)
        if hasattr(lists, "prefetch_nthread"):  # OnDiskInvertedLists
            lists.prefetch_nthread = PREFETCH_THREADS
        return cls(index, nprobe, vectors)

    def search(self, query: np.ndarray, n: int, helper: Executor | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, local rows) of the n best rows by inner product, best first.

        `query` is (dim,) for 1-D results or (nq, dim) for 2-D ones; a query that finds
        fewer than n rows in its probed lists gets fewer results (2-D: padded with score
        -inf and row -1). Scores are exact inner products for both codecs. A single
        query's lists are scanned by this thread and `helper` together when one is given
        (see SHARED_SCAN_PARTS).
        """
        q, single = _as_queries(query)
        if q.shape[1] != self.dimension:
            raise ValueError(f"query has dimension {q.shape[1]}, index {self.dimension}")
        k = max(0, min(int(n), self.rows))
        if k == 0:
            empty_s, empty_r = np.empty((len(q), 0), np.float32), np.empty((len(q), 0), np.int64)
            return (empty_s[0], empty_r[0]) if single else (empty_s, empty_r)
        depth = min(self.rows, rerank_depth(k)) if self._quantised else k
        if helper is not None and len(q) == 1 and self.nprobe > 1:
            approx_scores, labels = self._shared_scan(q, depth, helper)
        else:
            approx_scores, labels = self._index.search(q, depth)
        out_scores = np.full((len(q), k), -np.inf, dtype=np.float32)
        out_rows = np.full((len(q), k), -1, dtype=np.int64)
        counts = []
        for i in range(len(q)):
            found = labels[i] >= 0
            rows = labels[i][found].astype(np.int64)
            if self._vectors is not None:
                rows = np.sort(rows)  # ascending: page-cache friendly reads of the mmapped vectors
                scores = np.asarray(self._vectors.take(rows, axis=0), dtype=np.float32) @ q[i]
            else:
                scores = approx_scores[i][found]
            scores, rows = _top_n(scores, rows, k)
            out_scores[i, : len(rows)] = scores
            out_rows[i, : len(rows)] = rows
            counts.append(len(rows))
        if single:
            return out_scores[0, : counts[0]], out_rows[0, : counts[0]]
        return out_scores, out_rows

    def _shared_scan(self, q: np.ndarray, depth: int, helper: Executor) -> tuple[np.ndarray, np.ndarray]:
        """faiss's (scores, labels) of one query's best `depth`, the probed lists scanned part by part
        by this thread and `helper` (SHARED_SCAN_PARTS)."""
        index, nprobe = self._index, self.nprobe
        centroid_scores, lists = index.quantizer.search(q, nprobe)
        parts: queue.SimpleQueue[range] = queue.SimpleQueue()
        size = -(-nprobe // SHARED_SCAN_PARTS)
        for start in range(0, nprobe, size):
            parts.put(range(start, min(start + size, nprobe)))

        def scan_parts() -> list[tuple[np.ndarray, np.ndarray]]:
            found: list[tuple[np.ndarray, np.ndarray]] = []
            while True:
                try:
                    part = parts.get_nowait()
                except queue.Empty:
                    return found
                assign = np.full_like(lists, -1)  # faiss skips list -1: this call scans only the part
                assign[0, part.start : part.stop] = lists[0, part.start : part.stop]
                found.append(index.search_preassigned(q, depth, assign, centroid_scores))

        theirs = helper.submit(scan_parts)
        found = scan_parts() + theirs.result()
        scores = np.concatenate([d[0] for d, _ in found])
        labels = np.concatenate([i[0] for _, i in found])
        order = np.lexsort((labels, -scores))[:depth]  # unfound slots (label -1, score -inf) sort last
        return scores[order][None, :], labels[order][None, :]
