"""The index on disk: immutable generations of immutable segments, swapped in by one atomic rename.

    index/CURRENT                    name of the generation readers use
    index/gen-000007/manifest.json   settings it was built with, its segments, checksums of every file
    index/gen-000007/deleted.json    papers (and their passages) removed from a segment since it was written
    index/gen-000007/skipped.json    files seen but not indexed (rejected or duplicates), with the reason
    index/gen-000007/folders.json    modification time of every docs folder when it was last scanned
    index/gen-000007/seg-*/          the segments (bot.segment), hard links shared with earlier generations
    index/.lock                      held (flock) by the one writer
    index/trash/                     papers `casebot index remove` took out of the docs dir (see bot.trash)

A writer builds the next generation in a hidden folder beside the current one and
publishes it by replacing CURRENT; a crash at any point leaves the previous generation
current and intact. An update links the current generation's segments into the new one
(no copy), writes one new segment for the papers it adds, and records removals in
deleted.json, so adding one paper costs the same at any index size. A log-structured
merge policy keeps the number of segments small (MERGE_FACTOR), and a segment that has
lost much of its content is rewritten without it. Nothing here is pickled: SQLite, .npy
arrays loaded with allow_pickle=False, and JSON.

Opening a generation costs the same at any size: every array is memory-mapped (the page
cache shares them between processes and a question reads only what it touches), and
passage text, sentences and paper metadata stay in SQLite until a question's candidates
ask for them. The manifest records each file's size, mtime and SHA-256: readers compare
size and mtime (constant time) and hash a file only when those differ, so a replaced or
truncated file is refused; `verify` hashes everything.

Nothing in the index folder is opened through a symbolic link: the lock, CURRENT and
the generation folders are refused when they are links, CURRENT must name a
`gen-NNNNNN` folder inside the index, and every file of a generation is checked with lstat.

For crash-safety tests, CASEBOT_FAULT=<step> makes the writer kill itself (SIGKILL,
no clean-up) when it reaches that step; FAULT_STEPS lists them in order.
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
import os
import re
import shutil
import signal
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .analysis import PassageTerms, lookup_words
from .errors import IndexMismatch, LockBusy, NoIndex, StoreError
from .files import is_link, open_nofollow, read_text_nofollow, refuse_link, remove_entry, sha256_file, write_exclusive
from .lexical import Bm25
from .records import Chunk, Document
from .segment import (
    DOCUMENT_COLUMNS,
    SQLITE,
    ChunkRow,
    DocInfo,
    Segment,
    SegmentBuilder,
    build_dense,
    connect,
    doc_info,
    files_of,
    merge_segments,
    widened,
)

log = logging.getLogger(__name__)

__all__ = ["ChunkRow", "DocInfo", "Catalog", "Snapshot", "GenerationWriter", "load", "load_catalog", "verify"]

FORMAT_VERSION = 3  # 3: segments of memory-mapped arrays, shared between generations by hard links
REBUILD, UPDATE = "casebot index rebuild", "casebot index update"
CURRENT, LOCK, TMP_PREFIX = "CURRENT", ".lock", ".tmp-"
MANIFEST, DELETED, SKIPPED, FOLDERS = "manifest.json", "deleted.json", "skipped.json", "folders.json"
KEEP_GENERATIONS = 2  # the current one and the one before, for readers still loading it
GENERATION_NAME = re.compile(r"gen-\d{6}")
SEGMENT_NAME = re.compile(r"seg-\d{6}-\d{3}")
# Segments whose sizes share a power of MERGE_FACTOR are merged once there are MERGE_FACTOR
# of them side by side: a generation holds at most (MERGE_FACTOR - 1) per size tier, about
# 7 * log_8(passages) in all, and a passage is rewritten about log_8(passages) times in its life.
MERGE_FACTOR = 8
COMPACT_DEAD_SHARE = 0.25  # a segment this much of which was removed is rewritten without it
# A writer starts a new segment after this many passages, so its memory stays bounded; below
# ann.EXACT_LIMIT, so that segments merged soon after are not given an IVF index first.
FLUSH_ROWS = 40_000
CACHED_ROWS = 4096  # passages and papers kept in Python after a question fetched them
# (doc id, section) of passages a question's candidates touched: two strings a passage, shared with its
# paper's other passages, so many more are kept than whole rows. Questions on one corpus keep drawing
# candidates from the same passages (bench/latency.py: the ranking's SQLite lookup of places was a
# tenth of a warm ask at 10k passages).
CACHED_PLACES = 65_536
FAULT_ENV = "CASEBOT_FAULT"
# Where a writer can die, in the order it reaches them (indexer steps, then the publication here).
FAULT_STEPS = (
    "locked",
    "scanned",
    "tmp-created",
    "embedded",
    "sqlite-committed",
    "index-files-written",
    "manifest-written",
    "generation-renamed",
    "pointer-written",
    "published",
    "collected",
)
LOCK_POLL_SECONDS = 0.2  # how often a waiting reader looks whether the writer has finished


@dataclass
class Catalog:
    """What a generation holds, without its vectors: all an update needs to plan its work."""

    generation: str
    manifest: dict
    documents: dict[str, DocInfo]
    skipped: dict[str, dict]
    folders: dict[str, int] | None  # see bot.indexer.folder_stamps; None for a generation written before them


def crash_point(step: str) -> None:
    """Die here, as `kill -9` would, when CASEBOT_FAULT names this step (crash-safety tests only)."""
    assert step in FAULT_STEPS, step
    if os.environ.get(FAULT_ENV) == step:
        log.warning("%s=%s: killing this process", FAULT_ENV, step)
        os.kill(os.getpid(), signal.SIGKILL)


def current_generation(index_dir: Path) -> str | None:
    """The generation CURRENT names; StoreError unless it is a real gen-NNNNNN folder in the index."""
    pointer = index_dir / CURRENT
    try:
        name = read_text_nofollow(pointer).strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{pointer} is unreadable ({exc})", UPDATE) from None
    if not name:
        return None
    if not GENERATION_NAME.fullmatch(name):
        raise StoreError(f"{pointer} names {name[:80]!r}, which is not a generation folder inside {index_dir}", UPDATE)
    refuse_link(index_dir / name)
    return name


def expected_manifest(model: str, dimension: int, chunk_tokens: int, overlap: int, analysis: str) -> dict:
    """What an index must have been built with to be usable by these settings."""
    return {
        "format": FORMAT_VERSION,
        "model": model,
        "dimension": dimension,
        "chunk_tokens": chunk_tokens,
        "overlap_sentences": overlap,
        "analysis": analysis,
    }


# Differences `index update` repairs by re-indexing everything; others need an explicit rebuild.
REINDEXABLE = {"analysis", "chunk_tokens", "overlap_sentences", "format"}


def check_compatible(manifest: dict, expected: dict, index_dir: Path) -> None:
    differ = {key for key, want in expected.items() if manifest.get(key) != want}
    if differ:
        key = sorted(differ - REINDEXABLE or differ)[0]
        what = {
            "model": "embedding model",
            "dimension": "embedding dimension",
            "format": "index format",
            "analysis": "vocabulary/analysis version",
        }.get(key, key.replace("_", " "))
        fix = UPDATE if differ <= REINDEXABLE else REBUILD
        raise IndexMismatch(
            f"index {index_dir} was built with {what} {manifest.get(key)!r}, but the settings ask "
            f"for {expected[key]!r}",
            differ,
            fix,
        )


def _damaged(gen: Path, exc: Exception) -> StoreError:
    return StoreError(
        f"index generation {gen} is damaged ({str(exc).splitlines()[0][:200]})",
        f"`casebot index verify`, then `{REBUILD}`",
    )


def _file_record(path: Path) -> list:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, sha256_file(path)]


def file_problems(gen: Path, manifest: dict, full: bool = False) -> list[str]:
    """Files of a generation that are missing, links, or differ from the manifest's records.

    A file whose size and mtime match its record is trusted unless `full`; any other is hashed.
    """
    try:
        listed = {name: record for name, record in manifest["files"].items()}
        for seg in manifest["segments"]:
            listed.update({f"{seg['name']}/{name}": record for name, record in seg["files"].items()})
    except (KeyError, TypeError, AttributeError):
        return [f"{gen / MANIFEST} does not list the index files with their checksums"]
    problems = []
    for name, (size, mtime_ns, digest) in listed.items():
        path = gen / name
        try:
            st = path.lstat()
        except OSError:
            problems.append(f"{path} is missing")
            continue
        if is_link(path) or not path.is_file():
            problems.append(f"{path} is a symbolic link" if is_link(path) else f"{path} is not a file")
        elif st.st_size != size:
            problems.append(f"{path} does not match its checksum in the manifest ({st.st_size} bytes, not {size})")
        elif (full or st.st_mtime_ns != mtime_ns) and sha256_file(path) != digest:
            problems.append(f"{path} does not match its checksum in the manifest ({st.st_size} bytes)")
    return problems


def _open_generation(index_dir: Path, expected: dict | None, checked: bool = True) -> tuple[Path, dict]:
    name = current_generation(index_dir)
    if name is None:
        raise NoIndex(f"no index in {index_dir}")
    gen = index_dir / name
    try:
        manifest = json.loads(read_text_nofollow(gen / MANIFEST))
        if not isinstance(manifest, dict):
            raise ValueError("the manifest is not a JSON object")
    except (OSError, ValueError) as exc:
        raise StoreError(f"index generation {gen} is unreadable ({exc})", REBUILD) from None
    check_compatible(manifest, {**(expected or {}), "format": FORMAT_VERSION}, index_dir)
    if checked:
        damage = file_problems(gen, manifest)
        if damage:
            raise _damaged(gen, ValueError(damage[0]))
    return gen, manifest


def _read_json(path: Path) -> dict:
    data = json.loads(read_text_nofollow(path))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} is not a JSON object")
    return data


def _read_folders(gen: Path, manifest: dict) -> dict[str, int] | None:
    """The docs folders' modification times the generation was written after (None: not recorded)."""
    return _read_json(gen / FOLDERS) if FOLDERS in manifest.get("files", {}) else None


def _read_catalog(gen: Path, manifest: dict) -> Catalog:
    deleted = _read_json(gen / DELETED)
    documents = {}
    for seg in manifest["segments"]:
        dead = set(deleted.get(seg["name"], {}).get("documents", []))
        con = connect(gen / seg["name"] / SQLITE, readonly=True)
        try:
            for row in con.execute(f"SELECT {DOCUMENT_COLUMNS} FROM documents"):
                if row[0] not in dead:
                    documents[row[0]] = doc_info(row)
        finally:
            con.close()
    return Catalog(gen.name, manifest, documents, _read_json(gen / SKIPPED), _read_folders(gen, manifest))


def load_catalog(index_dir: Path, expected: dict | None = None, checksums: bool = False) -> Catalog:
    """The current generation's documents and skipped files, without opening its arrays.

    Reads every paper's record (not its text): what an update needs to plan. `checksums`
    hashes every file, as `verify` does.
    """
    gen, manifest = _open_generation(index_dir, expected)
    if checksums and (damage := file_problems(gen, manifest, full=True)):
        raise _damaged(gen, ValueError(damage[0]))
    try:
        return _read_catalog(gen, manifest)
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError) as exc:
        raise _damaged(gen, exc) from None


def _remember(cache: OrderedDict, key: object, value: object, limit: int = CACHED_ROWS) -> None:
    """Keep `value`, dropping the oldest entry when full. An OrderedDict, not a dict: a dict's oldest
    entry is found by skipping every slot freed before it, so a full 65,536-entry cache took 54 us an
    insert instead of 0.8 (300k inserts: 16.3 s against 0.23 s), tens of ms an ask at 1M passages."""
    if len(cache) >= limit:
        cache.popitem(last=False)
    cache[key] = value


class ChunkTable(Mapping[int, ChunkRow]):
    """Live passages by chunk id, read from their segment's SQLite when asked for (recent ones cached)."""

    def __init__(self, snap: Snapshot):
        self._snap = snap
        self._cache: OrderedDict[int, ChunkRow] = OrderedDict()
        self._lock = threading.Lock()

    def fetch(self, chunk_ids: Sequence[int]) -> dict[int, ChunkRow]:
        """Several passages, one query per segment; a passage the arrays hold but SQLite lacks: StoreError."""
        with self._lock:
            wanted = sorted({int(c) for c in chunk_ids} - set(self._cache))
            rows = self._snap.rows(wanted)
            live = np.asarray(wanted, np.int64)[rows >= 0]
            for i, at, local in self._snap.per_segment(rows[rows >= 0]):
                segment = self._snap.segments[i]
                shapes = dict(zip(live[at].tolist(), segment.shape_rows.take(local, axis=0).tolist(), strict=True))
                for cid, doc_id, section, page, start, end, text, sents, terms in segment.query_in(
                    'SELECT chunk_id, doc_id, section, page, start, "end", text, sentences, sentence_terms '
                    "FROM chunks WHERE chunk_id IN ({})",
                    live[at].tolist(),
                ):
                    spans = [(int(a), int(b)) for a, b in json.loads(sents)]
                    row = ChunkRow(cid, doc_id, section, page, start, end, text, spans, terms, shapes[cid])
                    _remember(self._cache, cid, row)
            lost = [c for c in live.tolist() if c not in self._cache]
            if lost:
                raise _damaged(self._snap.path, ValueError(f"passage {lost[0]} has vectors but no row in SQLite"))
            return {int(c): self._cache[int(c)] for c in chunk_ids if int(c) in self._cache}

    def __getitem__(self, chunk_id: int) -> ChunkRow:
        cached = self._cache.get(chunk_id)  # the common case: fetched with the question's candidates
        if cached is not None:
            return cached
        found = self.fetch([chunk_id])
        if chunk_id not in found:
            raise KeyError(chunk_id)
        return found[chunk_id]

    def __iter__(self) -> Iterator[int]:
        for i, segment in enumerate(self._snap.segments):
            dead = self._snap.dead[i]
            ids = np.asarray(segment.chunk_ids)
            yield from (int(c) for c in (ids if dead is None else ids[~dead]))

    def __len__(self) -> int:
        return int(self._snap.manifest["chunks"])

    def of_section(self, doc_id: str, section: str) -> list[ChunkRow]:
        """A paper's passages in one section, in order."""
        seg = self._snap.segment_holding(doc_id)
        if seg is None:
            return []
        ids = [
            r[0] for r in seg.query("SELECT chunk_id FROM chunks WHERE doc_id = ? AND section = ?", (doc_id, section))
        ]
        found = self.fetch(ids)
        return sorted(found.values(), key=lambda c: c.start)


class DocumentTable(Mapping[str, DocInfo]):
    """Live papers by doc id, read from their segment's SQLite when asked for."""

    def __init__(self, snap: Snapshot):
        self._snap = snap
        self._cache: OrderedDict[str, DocInfo] = OrderedDict()
        self._lock = threading.Lock()

    def __getitem__(self, doc_id: str) -> DocInfo:
        with self._lock:
            if doc_id not in self._cache:
                seg = self._snap.segment_holding(doc_id)
                if seg is None:
                    raise KeyError(doc_id)
                found = seg.query(f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE doc_id = ?", (doc_id,))
                _remember(self._cache, doc_id, doc_info(found[0]))
            return self._cache[doc_id]

    def __iter__(self) -> Iterator[str]:
        for i, segment in enumerate(self._snap.segments):
            dead = self._snap.dead_docs[i]
            yield from (r[0] for r in segment.query("SELECT doc_id FROM documents ORDER BY doc_id") if r[0] not in dead)

    def __len__(self) -> int:
        return int(self._snap.manifest["documents"])


class Snapshot:
    """One generation opened for reading, in constant time and memory.

    Passages are numbered by row across the generation: segment i's rows are
    offsets[i]:offsets[i + 1], in chunk-id order (segments hold ascending, disjoint id
    ranges). Rows of removed passages keep their number but are never returned by a
    search. The reranker reads whole arrays of candidate rows at once.
    """

    def __init__(self, path: Path, manifest: dict, segments: list[Segment], deleted: dict, skipped: dict):
        self.path, self.generation, self.manifest = path, path.name, manifest
        self.segments, self.skipped = segments, skipped
        self.names = [seg["name"] for seg in manifest["segments"]]
        self.offsets = np.zeros(len(segments) + 1, np.int64)
        self.offsets[1:] = np.cumsum([len(s) for s in segments])
        self.first_ids = np.asarray([int(s.chunk_ids[0]) if len(s) else 0 for s in segments], np.int64)
        self.dead: list[np.ndarray | None] = []
        self.dead_docs: list[set[str]] = []
        for name, segment in zip(self.names, segments, strict=True):
            gone = deleted.get(name, {})
            self.dead_docs.append(set(gone.get("documents", [])))
            chunk_ids = np.asarray(gone.get("chunks", []), np.int64)
            mask = None
            if len(chunk_ids):
                mask = np.zeros(len(segment), bool)
                mask[np.searchsorted(segment.chunk_ids, chunk_ids)] = True
            self.dead.append(mask)
        total_length = sum(float(seg["live_length"]) for seg in manifest["segments"])
        self.bm25 = Bm25([s.postings for s in segments], self.dead, total_length)
        self.documents = DocumentTable(self)
        self.chunks = ChunkTable(self)
        self._holding: OrderedDict[str, int] = OrderedDict()
        self._forms: OrderedDict[tuple, dict[str, set[str]]] = OrderedDict()  # abbreviations found for a text's words
        # chunk id -> (doc id, section), see CACHED_PLACES
        self._places: OrderedDict[int, tuple[str, str]] = OrderedDict()
        self._places_lock = threading.Lock()

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def folders(self) -> dict[str, int] | None:
        """The docs folders' modification times when this generation was written (read when asked)."""
        try:
            return _read_folders(self.path, self.manifest)
        except (OSError, ValueError) as exc:
            raise _damaged(self.path, exc) from None

    def per_segment(self, rows: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Global `rows` split by segment: (segment index, their positions in `rows`, their local rows)."""
        rows = np.asarray(rows, np.int64)
        which = np.searchsorted(self.offsets, rows, side="right") - 1
        out = []
        for i in np.unique(which).tolist():
            at = np.nonzero(which == i)[0]
            out.append((i, at, rows[at] - self.offsets[i]))
        return out

    def segment_holding(self, doc_id: str) -> Segment | None:
        """The segment where `doc_id` is live (one indexed lookup per segment, remembered)."""
        if doc_id not in self._holding:
            for i, segment in enumerate(self.segments):
                if doc_id not in self.dead_docs[i] and segment.query(
                    "SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)
                ):
                    _remember(self._holding, doc_id, i)
                    break
            else:
                return None
        return self.segments[self._holding[doc_id]]

    def rows(self, chunk_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Rows of live passages by chunk id; -1 for an id the generation does not hold."""
        ids = np.asarray(chunk_ids, np.int64)
        out = np.full(len(ids), -1, np.int64)
        which = np.searchsorted(self.first_ids, ids, side="right") - 1
        for i in np.unique(which[which >= 0]):
            at = np.nonzero(which == i)[0]
            segment_ids = self.segments[i].chunk_ids
            local = np.searchsorted(segment_ids, ids[at])
            inside = local < len(segment_ids)
            found = np.zeros(len(at), bool)
            found[inside] = np.asarray(segment_ids[local[inside]]) == ids[at][inside]
            dead = self.dead[i]
            if dead is not None:
                found[found] &= ~dead[local[found]]
            out[at[found]] = self.offsets[i] + local[found]
        return out

    def _gather(self, name: str, rows: np.ndarray) -> np.ndarray:
        """A per-passage array's values at global `rows`, in that order (one read per segment touched)."""
        sample = getattr(self.segments[0], name) if self.segments else np.zeros(0)
        out = np.empty((len(rows), *sample.shape[1:]), sample.dtype)
        for i, at, local in self.per_segment(rows):
            out[at] = getattr(self.segments[i], name).take(local, axis=0)
        return out

    def chunk_ids(self, rows: np.ndarray) -> np.ndarray:
        return self._gather("id_rows", rows)

    def places(self, rows: np.ndarray) -> list[tuple[str, str]]:
        """(doc id, section) of each row: what ranking needs of a candidate, without its text.

        One query per segment for the rows not looked up recently; the text, sentences and
        terms are read (ChunkTable.fetch) only for the few passages an answer shows.
        """
        ids = self.chunk_ids(rows).tolist()
        with self._places_lock:
            found = {c: self._places[c] for c in ids if c in self._places}
            missing = np.asarray([i for i, c in enumerate(ids) if c not in found], np.int64)
            for i, at, _ in self.per_segment(np.asarray(rows, np.int64)[missing]):
                for cid, doc_id, section in self.segments[i].query_in(
                    "SELECT chunk_id, doc_id, section FROM chunks WHERE chunk_id IN ({})",
                    [ids[j] for j in missing[at].tolist()],
                ):
                    found[cid] = (doc_id, section)
                    _remember(self._places, cid, found[cid], CACHED_PLACES)
        try:
            return [found[c] for c in ids]
        except KeyError as exc:
            raise _damaged(self.path, ValueError(f"passage {exc.args[0]} has vectors but no row in SQLite")) from None

    def passage_vectors(self, rows: np.ndarray) -> np.ndarray:
        return self._gather("vector_rows", rows)

    def value_shapes(self, rows: np.ndarray) -> np.ndarray:
        return self._gather("shape_rows", rows)

    def sentence_scores(self, rows: np.ndarray, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cosine of every sentence of the given passages to `vector`, and where each passage's begin.

        `vector` may be (d, m), m vectors at once: then each sentence has a row of m cosines."""
        parts = self.per_segment(rows)
        counts = np.zeros(len(rows), np.int64)
        firsts = []  # per part: where each passage's sentences begin in its segment
        for i, at, local in parts:
            bounds = self.segments[i].offset_rows.take(np.concatenate([local, local + 1]), axis=0).reshape(2, -1)
            firsts.append(bounds[0])
            counts[at] = bounds[1] - bounds[0]
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        scores = np.zeros((int(counts.sum()), *vector.shape[1:]), np.float32)
        for (i, at, _), first in zip(parts, firsts, strict=True):
            segment = self.segments[i]
            # every sentence of these passages: its index in the segment and its place in `scores`
            n, before = counts[at], np.cumsum(counts[at]) - counts[at]
            within = np.arange(n.sum()) - np.repeat(before, n)
            source, target = np.repeat(first, n) + within, np.repeat(starts[at], n) + within
            scores[target] = widened(segment.sentence_rows.take(source, axis=0)) @ vector
        return scores, starts

    def dense_search(self, vector: np.ndarray, n: int, helper: Executor | None = None) -> np.ndarray:
        """Rows of the n live passages nearest `vector`, best first; `helper` (a thread) may share
        the scan of large segments (ann.SHARED_SCAN_PARTS)."""
        found_scores, found_rows = [], []
        for i, segment in enumerate(self.segments):
            dead = self.dead[i]
            extra = 0 if dead is None else int(dead.sum())
            scores, local = segment.dense_search(vector, min(n + extra, len(segment)), helper)
            if dead is not None:
                alive = ~dead[local]
                scores, local = scores[alive], local[alive]
            found_scores.append(scores[:n])
            found_rows.append(local[:n] + self.offsets[i])
        if not found_rows:
            return np.zeros(0, np.int64)
        scores, rows = np.concatenate(found_scores), np.concatenate(found_rows)
        order = np.lexsort((-rows, -scores))[:n]  # exact ties: the later passage first, as FAISS's flat search
        return rows[order]

    def lexical_search(
        self, terms: Sequence[str], n: int, seeds: np.ndarray | None = None
    ) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
        """Rows of the n best positive BM25 scores, best first (equal scores: lower row first), and
        `lexical_scores` for any (ascending) rows, from the same search when it scored them all;
        `seeds` are rows likely to score well (they make the search faster, not different)."""
        return self.bm25.search(terms, n, seeds)

    def rows_with(self, term: str) -> np.ndarray:
        """Live rows containing the index term `term`, ascending."""
        return self.bm25.rows_with(term)

    def holding(self, term: str, rows: np.ndarray) -> np.ndarray:
        """Which of the (ascending) rows hold the index term `term`."""
        return self.bm25.contains(term, rows)

    def idf(self, term: str) -> float | None:
        return self.bm25.idf(term)

    def has_term(self, term: str) -> bool:
        return self.bm25.idf(term) is not None

    def paper_rows(self, doc_id: str) -> np.ndarray:
        """The rows of a paper's passages, ascending."""
        segment = self.segment_holding(doc_id)
        if segment is None:
            return np.zeros(0, np.int64)
        return np.sort(
            self.rows([r[0] for r in segment.query("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))])
        )

    def file_records(self, doc_ids: Sequence[str]) -> dict[str, tuple[int, int, str]]:
        """(size, mtime_ns, content hash) of those of `doc_ids` that are indexed (batched lookups per segment)."""
        out: dict[str, tuple[int, int, str]] = {}
        for i, segment in enumerate(self.segments):
            for doc_id, size, mtime_ns, digest in segment.query_in(
                "SELECT doc_id, size, mtime_ns, content_hash FROM documents WHERE doc_id IN ({})", doc_ids
            ):
                if doc_id not in self.dead_docs[i]:
                    out[doc_id] = (size, mtime_ns, digest)
        return out

    def owner(self, text_hash: str, doi: str, pmid: str) -> tuple[str, str] | None:
        """(identity, doc id) of an indexed paper with the same text, DOI or PMID (the duplicate rule)."""
        for i, segment in enumerate(self.segments):
            found = segment.owner(text_hash, doi, pmid, self.dead_docs[i])
            if found:
                return found
        return None

    def abbreviations(self, text: str) -> dict[str, set[str]]:
        """The papers' abbreviations (short form -> long forms) that analysis.Vocabulary could find in `text`.

        Looked up through indexed columns, so a question costs the same however many papers
        define abbreviations; each short form comes with every long form a live paper gave it.
        """
        as_written, lower = (sorted(w | {""}) for w in lookup_words(text))
        key = (tuple(as_written), tuple(lower))
        if key in self._forms:
            return self._forms[key]
        where = (
            f"WHERE short IN (SELECT short FROM {{table}} WHERE short_word IN ({','.join('?' * len(as_written))}) "
            f"OR long_word IN ({','.join('?' * len(lower))}))"
        )
        out: dict[str, set[str]] = {}
        for i, segment in enumerate(self.segments):
            dead = self.dead_docs[i]
            if not dead:  # one row per distinct form, however many papers define it
                for short, long in segment.query(
                    "SELECT short, long FROM forms " + where.format(table="forms"), as_written + lower
                ):
                    out.setdefault(short, set()).add(long)
                continue
            for doc_id, short, long in segment.query(  # some papers removed: their forms must not count
                "SELECT doc_id, short, long FROM abbreviations " + where.format(table="abbreviations"),
                as_written + lower,
            ):
                if doc_id not in dead:
                    out.setdefault(short, set()).add(long)
        _remember(self._forms, key, out)
        return out

    def close(self) -> None:
        for segment in self.segments:
            segment.close()


def load(index_dir: Path, expected: dict | None = None) -> Snapshot:
    """Open the current generation (checked against its manifest). Raises NoIndex, IndexMismatch or StoreError."""
    gen, manifest = _open_generation(index_dir, expected)
    try:
        segments = [Segment(gen / seg["name"], seg.get("dense")) for seg in manifest["segments"]]
        for seg, segment in zip(manifest["segments"], segments, strict=True):
            if len(segment) != seg["rows"] or segment.passage_vectors.shape[1:] != (manifest["dimension"],):
                raise ValueError(f"{seg['name']} does not hold the {seg['rows']} passages the manifest lists")
        return Snapshot(gen, manifest, segments, _read_json(gen / DELETED), _read_json(gen / SKIPPED))
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise _damaged(gen, exc) from None


@dataclass(frozen=True)
class WriterLock:
    """Proof that this process holds the writer lock of `index_dir` (pass it on instead of locking twice)."""

    index_dir: Path


@contextmanager
def writer_lock(index_dir: Path):
    """One writer at a time. flock is released by the kernel if the writer dies, so no stale locks.

    The lock file is opened without following links and never truncated before the lock is
    held, so a `.lock` planted as a link to another file is refused, not emptied.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    fd = open_nofollow(index_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    fh = os.fdopen(fd, "r+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        pid = fh.read().strip() or "?"
        fh.close()
        raise LockBusy(f"another update is running (pid {pid})") from None
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield WriterLock(index_dir)
    finally:
        fh.seek(0)
        fh.truncate()
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def writer_running(index_dir: Path) -> bool:
    """Whether another process holds the writer lock (checked without creating or changing anything)."""
    try:
        fd = open_nofollow(index_dir / LOCK, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def wait_for_writer(index_dir: Path, timeout: float) -> bool:
    """Wait until no writer holds the lock; False if one still does after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while writer_running(index_dir):
        if time.monotonic() >= deadline:
            return False
        time.sleep(LOCK_POLL_SECONDS)
    return True


def generation_folders(index_dir: Path) -> list[Path]:
    """The entries of `index_dir` named like a generation (gen-NNNNNN), oldest first; links included."""
    return sorted(p for p in index_dir.glob("gen-*") if GENERATION_NAME.fullmatch(p.name))


def remove_leftovers(index_dir: Path) -> list[str]:
    """Delete what killed writers leave behind (and links planted under those names). Call under writer_lock."""
    removed = []
    for entry in sorted(index_dir.glob(TMP_PREFIX + "*")) + [index_dir / (CURRENT + ".new")]:
        if entry.exists() or is_link(entry):
            remove_entry(entry)
            removed.append(entry.name)
    for entry in sorted(index_dir.glob("gen-*")):
        if is_link(entry):
            log.warning("removed %s: a generation folder must not be a symbolic link", entry)
            entry.unlink()
            removed.append(entry.name)
    if removed:
        log.info("removed leftovers of an interrupted update: %s", ", ".join(removed))
    return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_tree(source: Path, dest: Path) -> None:
    """The files of a segment, hard-linked (an immutable segment is shared, never copied)."""
    dest.mkdir()
    for f in source.iterdir():
        refuse_link(f)
        os.link(f, dest / f.name)


def _tier(rows: int) -> int:
    return int(math.log(max(rows, 1), MERGE_FACTOR))


def plan_merges(rows: Sequence[int]) -> list[range]:
    """Runs of neighbouring segments (by position, oldest first) to merge into one.

    The newest segments are the smallest; once MERGE_FACTOR neighbours share a size tier
    they become one segment of the next tier, so merging stays logarithmic.
    """
    runs, start = [], 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or _tier(rows[i]) != _tier(rows[start]):
            if i - start >= MERGE_FACTOR:
                runs.append(range(start, i))
            start = i
    return runs


class GenerationWriter:
    """Builds the next generation from the current one (or from nothing). Call under writer_lock."""

    def __init__(self, index_dir: Path, base: Catalog | Snapshot | None, manifest: dict):
        self.index_dir, self.manifest = index_dir, dict(manifest)
        # Numbered after every generation on disk, so a rebuild never collides with the one it replaces.
        numbers = [int(p.name[4:]) for p in generation_folders(index_dir)]
        self.number = max(numbers, default=0) + 1
        self.name = f"gen-{self.number:06d}"
        remove_leftovers(index_dir)
        self.tmp = index_dir / (TMP_PREFIX + self.name)
        self.tmp.mkdir()
        crash_point("tmp-created")
        self.segments: list[dict] = []  # manifest records, oldest first
        self.deleted: dict[str, dict[str, list]] = {}
        self.documents = 0  # live papers, kept up to date as papers are added and removed
        self.next_id = 1
        self._skipped: dict[str, dict] = {}
        self.folders: dict[str, int] = {}  # bot.indexer.folder_stamps of the docs dir this generation reflects
        self._builder: SegmentBuilder | None = None
        self._made = 0
        if base:
            old = index_dir / base.generation
            try:
                self.segments = [dict(seg) for seg in base.manifest["segments"]]
                self.deleted = {
                    k: {"documents": list(v["documents"]), "chunks": list(v["chunks"])}
                    for k, v in _read_json(old / DELETED).items()
                }
                self._skipped = _read_json(old / SKIPPED)
                self.folders = _read_folders(old, base.manifest) or {}
                self.next_id = int(base.manifest["next_chunk_id"])
                self.documents = int(base.manifest["documents"])
                for seg in self.segments:
                    _link_tree(old / seg["name"], self.tmp / seg["name"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                shutil.rmtree(self.tmp, ignore_errors=True)
                raise _damaged(old, exc) from None

    def remove_document(self, doc_id: str) -> None:
        """Mark a paper of an earlier segment removed (found by an indexed lookup per segment)."""
        for seg in reversed(self.segments):
            name = seg["name"]
            gone = self.deleted.setdefault(name, {"documents": [], "chunks": []})
            if doc_id in gone["documents"]:
                continue
            con = connect(self.tmp / name / SQLITE, readonly=True)
            try:
                ids = [r[0] for r in con.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))]
                held = bool(ids) or bool(con.execute("SELECT 1 FROM documents WHERE doc_id = ?", (doc_id,)).fetchall())
            finally:
                con.close()
            if held:
                gone["documents"].append(doc_id)
                gone["chunks"].extend(ids)
                self.documents -= 1
                return

    def add_document(
        self,
        doc: Document,
        chunks: list[Chunk],
        vectors: np.ndarray,
        sentence_vectors: list[np.ndarray],
        analysed: list[PassageTerms],
        abbreviations: dict[str, str],
        size: int,
        mtime_ns: int,
    ) -> None:
        if self._builder is None:
            self._made += 1
            name = f"seg-{self.number:06d}-{self._made:03d}"
            self._builder = SegmentBuilder(self.tmp / name, self.next_id)
        added_at = datetime.now(UTC).isoformat(timespec="seconds")
        self._builder.add_document(
            doc, chunks, vectors, sentence_vectors, analysed, abbreviations, size, mtime_ns, added_at
        )
        self.next_id = self._builder.next_id
        self.documents += 1
        if len(self._builder) >= FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        """Finish the segment being written (memory is released; the next paper starts another)."""
        builder, self._builder = self._builder, None
        if builder is None:
            return
        builder.finish(self.manifest["dimension"])
        self.segments.append(self._record(builder.path))

    def _record(self, path: Path) -> dict:
        """The manifest record of a segment just written (its dense search built first)."""
        dense = build_dense(path)
        segment = Segment(path, dense)
        try:
            record = {
                "name": path.name,
                "rows": len(segment),
                "live_length": float(np.asarray(segment.postings.lengths, np.float64).sum()),
                "dense": dense,
                "files": {f: _file_record(path / f) for f in files_of(path)},
            }
        finally:
            segment.close()
        return record

    def set_skipped(self, rows: list[tuple[str, str, int, int, str, str]]) -> None:
        """Files seen but not indexed (rejected or duplicate), so staleness checks know them."""
        self._skipped = {
            r[0]: {"content_hash": r[1], "size": r[2], "mtime_ns": r[3], "kind": r[4], "reason": r[5]} for r in rows
        }

    def _live_lengths(self) -> None:
        """Each segment's total passage length without its removed passages (for BM25's average)."""
        for seg in self.segments:
            gone = self.deleted.get(seg["name"], {}).get("chunks", [])
            segment = Segment(self.tmp / seg["name"])
            try:
                lengths = np.asarray(segment.postings.lengths, np.float64)
                total = lengths.sum()
                if gone:
                    total -= lengths[np.searchsorted(segment.chunk_ids, np.asarray(gone, np.int64))].sum()
                seg["live_length"] = float(total)
                seg["live_rows"] = len(segment) - len(gone)
            finally:
                segment.close()

    def _merge(self) -> None:
        """Drop emptied segments, rewrite those mostly removed, merge neighbours of one size tier."""
        self._live_lengths()
        kept = []
        for seg in self.segments:
            if seg["live_rows"] == 0:
                shutil.rmtree(self.tmp / seg["name"])
                self.deleted.pop(seg["name"], None)
            else:
                kept.append(seg)
        self.segments = kept
        for i, seg in enumerate(self.segments):
            if seg["rows"] - seg["live_rows"] >= COMPACT_DEAD_SHARE * seg["rows"]:
                self.segments[i : i + 1] = [self._merged([seg])]
        while runs := plan_merges([seg["live_rows"] for seg in self.segments]):
            run = runs[0]
            self.segments[run.start : run.stop] = [self._merged(self.segments[run.start : run.stop])]

    def _merged(self, run: list[dict]) -> dict:
        self._made += 1
        path = self.tmp / f"seg-{self.number:06d}-{self._made:03d}"
        parts, dead_docs = [], []
        for seg in run:
            segment = Segment(self.tmp / seg["name"])
            keep = np.ones(len(segment), bool)
            gone = self.deleted.pop(seg["name"], {"documents": [], "chunks": []})
            if gone["chunks"]:
                keep[np.searchsorted(segment.chunk_ids, np.asarray(gone["chunks"], np.int64))] = False
            parts.append((segment, keep))
            dead_docs.append(set(gone["documents"]))
        merge_segments(parts, path, dead_docs)
        for (segment, _), seg in zip(parts, run, strict=True):
            segment.close()
            shutil.rmtree(self.tmp / seg["name"])
        log.info("merged %s into %s", ", ".join(seg["name"] for seg in run), path.name)
        record = self._record(path)
        record["live_rows"] = record["rows"]
        return record

    def commit(self) -> str:
        """Write everything, then publish with one atomic rename of CURRENT."""
        self._flush()
        crash_point("sqlite-committed")
        self.deleted = {name: gone for name, gone in self.deleted.items() if gone["documents"]}
        self._merge()
        for name, data in ((DELETED, self.deleted), (SKIPPED, self._skipped), (FOLDERS, self.folders)):
            (self.tmp / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        crash_point("index-files-written")
        n_chunks = sum(seg["live_rows"] for seg in self.segments)
        n_docs = self.documents
        manifest = {
            **self.manifest,
            "generation": self.name,
            "documents": n_docs,
            "chunks": n_chunks,
            "next_chunk_id": self.next_id,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "segments": [{k: v for k, v in seg.items() if k != "live_rows"} for seg in self.segments],
            "files": {name: _file_record(self.tmp / name) for name in (DELETED, SKIPPED, FOLDERS)},
        }
        (self.tmp / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        for path in [self.tmp / MANIFEST, self.tmp / DELETED, self.tmp / SKIPPED, self.tmp / FOLDERS] + [
            self.tmp / seg["name"] / f for seg in self.segments for f in seg["files"]
        ]:
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
        crash_point("manifest-written")
        final = self.index_dir / self.name
        os.rename(self.tmp, final)
        crash_point("generation-renamed")
        pointer = self.index_dir / (CURRENT + ".new")
        remove_entry(pointer)
        write_exclusive(pointer, (self.name + "\n").encode())
        crash_point("pointer-written")
        os.replace(pointer, self.index_dir / CURRENT)  # the moment the new generation goes live
        _fsync_dir(self.index_dir)
        crash_point("published")
        self._collect_garbage()
        crash_point("collected")
        log.info("published %s (%d documents, %d chunks, %d segments)", self.name, n_docs, n_chunks, len(self.segments))
        return self.name

    def abort(self) -> None:
        try:
            if self._builder is not None:
                self._builder.abort()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _collect_garbage(self) -> None:
        gens = [p for p in generation_folders(self.index_dir) if not is_link(p)]
        for old in gens[:-KEEP_GENERATIONS]:
            shutil.rmtree(old, ignore_errors=True)


def verify(index_dir: Path, expected: dict) -> list[tuple[str, str]]:
    """Every inconsistency found in the current generation, each with its repair command (hashes every file)."""
    try:
        name = current_generation(index_dir)
    except StoreError as exc:
        return [(exc.message, exc.fix)]
    if name is None:
        return [(f"no index in {index_dir}", UPDATE)]
    gen = index_dir / name
    try:
        manifest = _read_json(gen / MANIFEST)
    except (OSError, ValueError) as exc:
        return [(f"{gen / MANIFEST} is unreadable ({exc})", REBUILD)]
    problems = []
    try:
        check_compatible(manifest, expected, index_dir)
    except IndexMismatch as exc:
        problems.append((exc.message, exc.fix))
    problems += [(problem, REBUILD) for problem in file_problems(gen, manifest, full=True)]
    try:
        snap = Snapshot(
            gen,
            manifest,
            [Segment(gen / seg["name"], seg.get("dense")) for seg in manifest["segments"]],
            _read_json(gen / DELETED),
            _read_json(gen / SKIPPED),
        )
    except (sqlite3.Error, OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        return problems + [(_damaged(gen, exc).message, REBUILD)]
    n_docs = n_chunks = 0
    for i, segment in enumerate(snap.segments):
        in_sqlite = {r[0] for r in segment.query("SELECT chunk_id FROM chunks")}
        in_arrays = set(np.asarray(segment.chunk_ids).tolist())
        label = snap.names[i]
        if in_arrays - in_sqlite:
            problems.append(
                (f"{label}: the vectors hold {len(in_arrays - in_sqlite)} passage(s) with no row in SQLite", REBUILD)
            )
        if in_sqlite - in_arrays:
            problems.append((f"{label}: {len(in_sqlite - in_arrays)} SQLite passage(s) have no vectors", REBUILD))
        dead = snap.dead[i]
        n_chunks += len(in_arrays) - (0 if dead is None else int(dead.sum()))
        n_docs += sum(1 for (d,) in segment.query("SELECT doc_id FROM documents") if d not in snap.dead_docs[i])
    for key, have in (("documents", n_docs), ("chunks", n_chunks)):
        if manifest.get(key) != have:
            problems.append((f"manifest says {manifest.get(key)} {key}, the segments hold {have}", REBUILD))
    snap.close()
    return problems
