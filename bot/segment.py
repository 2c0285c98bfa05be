"""One immutable piece of the index: some papers' passages and everything a question reads about them.

    seg-000003/segment.sqlite        papers (with their text), passages, abbreviations they define
    seg-000003/chunk_ids.npy         row -> chunk id, ascending (rows of every array below)
    seg-000003/passage_vectors.npy   (rows, dimension) float32, unit length
    seg-000003/sentence_vectors.npy  (sentences, dimension) float16; row r's are sentence_offsets[r]:[r + 1]
    seg-000003/sentence_offsets.npy, value_shapes.npy, and the BM25 postings (bot.lexical.FILES)

A segment is written once and never changed: a generation lists its segments and the
passages removed from them since, and the next generation links the same files (hard
links, no copy) and adds a segment for what changed. Opening one costs the same at any
size: the arrays are memory-mapped and rows come from SQLite only when a question's
candidates ask for them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import faiss
import numpy as np

from . import ann
from .analysis import PassageTerms, first_word
from .errors import StoreError
from .lexical import FILES as LEXICAL_FILES
from .lexical import Postings, merge_postings
from .records import Chunk, Document
from .rowfile import NpyWriter, RowFile, mapped, rows_of

SQLITE = "segment.sqlite"
CHUNK_IDS, PASSAGE_VECTORS, SENTENCE_VECTORS, SENTENCE_OFFSETS, VALUE_SHAPES = (
    "chunk_ids.npy",
    "passage_vectors.npy",
    "sentence_vectors.npy",
    "sentence_offsets.npy",
    "value_shapes.npy",
)
ARRAYS = (CHUNK_IDS, PASSAGE_VECTORS, SENTENCE_VECTORS, SENTENCE_OFFSETS, VALUE_SHAPES)
FILES = (SQLITE, *ARRAYS, *LEXICAL_FILES)  # and ANN_FILE in a segment searched approximately
ANN_FILE = "dense.ivf"
EXACT = {"kind": "exact"}
PROBE_SENTENCES = 300  # sentence vectors that stand in for questions when nprobe is calibrated (ann.build_ivf)
PROBE_SEED = 11
# Each probe is a sentence vector plus random noise of the same length (cosine ~0.7 to the
# sentence). A sentence lies much closer to its own passage than a question lies to any:
# median cosine to the nearest passage, questions / sentences / noisy sentences, was
# 0.54 / 0.90 / 0.63 on the cases corpus (real model, 2026-11-26), 0.61 / 0.87 / 0.62 on a
# 10k synthetic index (real model) and 0.49 / 0.67 / 0.48 on the 1M one (hashing embedder).
# Calibrated on bare sentences, the 1M index got nprobe 456, where bench/scale.py's questions
# had recall@10 0.9885, under ann.RECALL_TARGET; on noisy ones it gets 734 (recall in bench/RESULTS.md).
PROBE_NOISE = 1.0
SENTENCE_DTYPE = np.float16  # cosines to 3 decimals at half the bytes; scored without widening the array


@lru_cache(maxsize=4)
def _half_codec(dimension: int) -> faiss.ScalarQuantizer:
    return faiss.ScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_fp16)


def widened(rows: np.ndarray) -> np.ndarray:
    """float16 sentence vectors as float32, bit for bit numpy's astype, by faiss's vectorised decoder.

    A question scores ~550 sentences (211k values): numpy's cast took 546 us of an ask on this
    machine, faiss's 240 us, with identical bits for every finite float16 (tested).
    """
    rows = np.ascontiguousarray(rows)
    if rows.dtype != np.float16 or rows.ndim != 2 or not rows.size:
        return rows.astype(np.float32)
    return _half_codec(rows.shape[1]).decode(rows.view(np.uint8))


SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, metadata TEXT NOT NULL,
    content_hash TEXT NOT NULL, text_hash TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    added_at TEXT NOT NULL, chunks INTEGER NOT NULL, text TEXT NOT NULL,
    doi TEXT NOT NULL, pmid TEXT NOT NULL);  -- lower-cased, '' when unknown: the duplicate rule's keys
CREATE INDEX documents_by_text_hash ON documents(text_hash);
CREATE INDEX documents_by_doi ON documents(doi) WHERE doi != '';
CREATE INDEX documents_by_pmid ON documents(pmid) WHERE pmid != '';
CREATE TABLE chunks (
    chunk_id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL,
    ord INTEGER NOT NULL, section TEXT NOT NULL, page INTEGER, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, sentences TEXT NOT NULL, sentence_terms TEXT NOT NULL);
CREATE INDEX chunks_by_doc ON chunks(doc_id);
CREATE TABLE abbreviations (
    doc_id TEXT NOT NULL, short TEXT NOT NULL, long TEXT NOT NULL,
    short_word TEXT NOT NULL, long_word TEXT NOT NULL);  -- analysis.first_word of short and of lower(long)
CREATE INDEX abbreviations_by_short ON abbreviations(short);
CREATE INDEX abbreviations_by_short_word ON abbreviations(short_word);
CREATE INDEX abbreviations_by_long_word ON abbreviations(long_word);
CREATE TABLE forms (  -- the distinct abbreviations of the segment: what a question looks up
    short TEXT NOT NULL, long TEXT NOT NULL, short_word TEXT NOT NULL, long_word TEXT NOT NULL,
    papers INTEGER NOT NULL, PRIMARY KEY (short, long)) WITHOUT ROWID;
CREATE INDEX forms_by_short_word ON forms(short_word);
CREATE INDEX forms_by_long_word ON forms(long_word);
"""
# Many papers define the same abbreviation (CK, ESR): a question reads one row per form, not one per paper.
FILL_FORMS = (
    "INSERT INTO forms SELECT short, long, min(short_word), min(long_word), count(*) FROM abbreviations "
    "GROUP BY short, long"
)
BOUND_PARAMETERS = 500  # values per IN list: under SQLite's limit on a statement's parameters (999 in older builds)
DOCUMENT_COLUMNS = "doc_id, title, metadata, content_hash, text_hash, size, mtime_ns, added_at, chunks"


@dataclass(frozen=True)
class DocInfo:
    doc_id: str
    title: str
    metadata: dict
    content_hash: str
    text_hash: str
    size: int
    mtime_ns: int
    added_at: str
    chunks: int


@dataclass(frozen=True)
class ChunkRow:
    chunk_id: int
    doc_id: str
    section: str
    page: int | None
    start: int
    end: int
    text: str
    sentences: list[tuple[int, int]]
    terms: str  # each sentence's terms space-separated, one sentence a line (see sentence_terms)
    value_shapes: int  # analysis.value_shapes of the text

    def sentence_terms(self) -> list[set[str]]:
        """Stems and concept tags of each sentence, as analysed at index time."""
        return [set(line.split()) for line in self.terms.split("\n")] if self.sentences else []


def identifier(metadata: dict, key: str) -> str:
    """A paper's DOI or PMID as the duplicate rule compares them ('' when it has none)."""
    value = metadata.get(key)
    return str(value).lower().strip() if value else ""


def doc_info(row: Sequence) -> DocInfo:
    return DocInfo(row[0], row[1], json.loads(row[2]), *row[3:])


def connect(path: Path, readonly: bool) -> sqlite3.Connection:
    """Read-only connections are shared by threads (Segment serialises their use)."""
    if readonly:
        return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    return sqlite3.connect(path, isolation_level=None)


def files_of(path: Path) -> list[str]:
    """The files a finished segment consists of."""
    return [*FILES, ANN_FILE] if (path / ANN_FILE).exists() else list(FILES)


def build_dense(path: Path) -> dict:
    """How the segment's vectors are searched: exactly, or (ann.EXACT_LIMIT rows and more) by an IVF index.

    The IVF index's nprobe is calibrated on sentence vectors of the segment itself, moved
    away from them by noise (PROBE_NOISE): the nearest thing to questions about it that
    the writer has (see ann.build_ivf).
    """
    vectors = mapped(path / PASSAGE_VECTORS)
    if len(vectors) < ann.EXACT_LIMIT:
        return dict(EXACT)
    sentences = mapped(path / SENTENCE_VECTORS)
    rng = np.random.default_rng(PROBE_SEED)
    picked = np.sort(rng.choice(len(sentences), size=min(PROBE_SENTENCES, len(sentences)), replace=False))
    probes = _unit(np.asarray(sentences[picked], np.float32))
    noise = _unit(rng.standard_normal(probes.shape).astype(np.float32))
    probes = _unit(probes + PROBE_NOISE * noise)  # as far from the passages as questions are
    faiss.omp_set_num_threads(os.cpu_count() or 1)  # training may use every core; queries set one thread
    return ann.build_ivf(vectors, path / ANN_FILE, probes)


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


class Segment:
    """A segment opened for reading: arrays memory-mapped, SQLite queried per question.

    `dense` is the segment's manifest record of how its vectors are searched (build_dense).
    """

    def __init__(self, path: Path, dense: dict | None = None):
        self.path = path
        self.chunk_ids, self.passage_vectors, self.sentence_vectors, self.sentence_offsets, self.value_shapes = (
            mapped(path / name) for name in ARRAYS
        )
        # What a question reads of these: a few hundred scattered rows (see bot.rowfile).
        self.id_rows, self.vector_rows, self.sentence_rows, self.offset_rows, self.shape_rows = (
            rows_of(path / name, array)
            for name, array in (
                (CHUNK_IDS, self.chunk_ids),
                (PASSAGE_VECTORS, self.passage_vectors),
                (SENTENCE_VECTORS, self.sentence_vectors),
                (SENTENCE_OFFSETS, self.sentence_offsets),
                (VALUE_SHAPES, self.value_shapes),
            )
        )
        self.postings = Postings.open(path)
        n = len(self.chunk_ids)
        if not (len(self.passage_vectors) == n == len(self.value_shapes) == len(self.sentence_offsets) - 1):
            raise ValueError(f"the arrays of {path.name} disagree on the number of passages")
        if len(self.postings.lengths) != n:
            raise ValueError(f"the BM25 rows of {path.name} do not match its passages")
        if len(self.sentence_vectors) != (self.sentence_offsets[-1] if n else 0):
            raise ValueError(f"the sentence vectors of {path.name} do not match its sentences")
        # The IVF index is opened by the first search: reading its centroids (nlist x dim floats,
        # 3.9 MB at 1M rows) is most of what opening a large segment would cost, and only
        # searches need them (not `index list`, `verify`, an update's planning or a paper lookup).
        self._ivf_nprobe = int(dense["nprobe"]) if dense and dense.get("kind") == ann.MANIFEST_KIND else None
        self._ivf: ann.IvfSearcher | None = None
        self._con = connect(path / SQLITE, readonly=True)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def query(self, sql: str, args: Sequence = ()) -> list[tuple]:
        with self._lock:
            return self._con.execute(sql, tuple(args)).fetchall()

    def query_in(self, sql: str, values: Sequence) -> list[tuple]:
        """Rows of `sql`, whose one `{}` is the placeholder list of an IN over `values`, bound
        BOUND_PARAMETERS at a time (SQLite limits the parameters of one statement)."""
        out: list[tuple] = []
        for at in range(0, len(values), BOUND_PARAMETERS):
            part = list(values[at : at + BOUND_PARAMETERS])
            out += self.query(sql.format(",".join("?" * len(part))), part)
        return out

    def close(self) -> None:
        self._con.close()
        for rows in (self.id_rows, self.vector_rows, self.sentence_rows, self.offset_rows, self.shape_rows):
            if isinstance(rows, RowFile):
                rows.close()

    def _searcher(self) -> ann.IvfSearcher | None:
        """The segment's IVF searcher (opened on first use), or None when it is searched exactly."""
        if self._ivf_nprobe is not None and self._ivf is None:
            with self._lock:
                if self._ivf is None:
                    try:
                        self._ivf = ann.IvfSearcher.open(self.path / ANN_FILE, self._ivf_nprobe, self.vector_rows)
                    except (RuntimeError, ValueError) as exc:  # faiss reports an unreadable file as RuntimeError
                        raise StoreError(
                            f"the IVF index {self.path / ANN_FILE} cannot be read ({str(exc).splitlines()[0][:200]})",
                            "`casebot index verify`, then `casebot index rebuild`",
                        ) from None
        return self._ivf

    def owner(self, text_hash: str, doi: str, pmid: str, dead: set[str]) -> tuple[str, str] | None:
        """(which identity, doc id) of a live paper here with the same text, DOI or PMID."""
        for key, sql, value in (
            ("text", "text_hash = ?", text_hash),
            ("doi", "doi = ?", doi),
            ("pmid", "pmid = ?", pmid),
        ):
            if value:
                for (doc_id,) in self.query(f"SELECT doc_id FROM documents WHERE {sql}", (value,)):
                    if doc_id not in dead:
                        return key, doc_id
        return None

    def dense_search(self, vector: np.ndarray, n: int, helper: Executor | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows) of the n rows nearest `vector` by inner product, best first.

        Exact below ann.EXACT_LIMIT rows: FAISS's exhaustive search reads the mapped array
        in place (no copy) and ranks exactly as the flat FAISS index of format 2 did, ties
        included. Larger segments are searched by their IVF index (recall@10 >= 0.99 of
        exact search, calibrated when the segment was written), scores exact, with `helper`
        (a thread) scanning part of the lists when one is given.
        """
        if not len(self) or n <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        query = np.ascontiguousarray(vector, np.float32)[None, :]
        faiss.omp_set_num_threads(1)  # one query: threads only wait on each other (35x slower on a busy 2-core host)
        searcher = self._searcher()
        if searcher is not None:
            return searcher.search(query[0], n, helper)
        scores, rows = faiss.knn(query, self.passage_vectors, min(n, len(self)), metric=faiss.METRIC_INNER_PRODUCT)
        return scores[0], rows[0].astype(np.int64)


class SegmentBuilder:
    """Writes one new segment: papers added one by one, then `finish` writes the arrays."""

    def __init__(self, path: Path, first_chunk_id: int):
        path.mkdir()
        self.path, self.next_id = path, first_chunk_id
        self.con = connect(path / SQLITE, readonly=False)
        self.con.executescript(SCHEMA)
        self.con.execute("BEGIN")
        self._ids: list[int] = []
        self._vectors: list[np.ndarray] = []
        self._sentences: list[np.ndarray] = []
        self._counts: list[int] = []
        self._shapes: list[int] = []
        self._tokens: list[list[str]] = []

    def __len__(self) -> int:
        return len(self._ids)

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
        added_at: str,
    ) -> None:
        meta = json.dumps(doc.metadata.__dict__, ensure_ascii=False)
        doi, pmid = (identifier(doc.metadata.__dict__, key) for key in ("doi", "pmid"))
        self.con.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.doc_id,
                doc.title,
                meta,
                doc.content_hash,
                doc.text_hash,
                size,
                mtime_ns,
                added_at,
                len(chunks),
                doc.text,
                doi,
                pmid,
            ),
        )
        for ord_, (chunk, sent_vecs, terms) in enumerate(zip(chunks, sentence_vectors, analysed, strict=True)):
            chunk.chunk_id = self.next_id
            self.next_id += 1
            self.con.execute(
                'INSERT INTO chunks (chunk_id, doc_id, ord, section, page, start, "end", text, sentences, '
                "sentence_terms) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    chunk.chunk_id,
                    doc.doc_id,
                    ord_,
                    chunk.section,
                    chunk.page,
                    chunk.start,
                    chunk.end,
                    chunk.text,
                    json.dumps(chunk.sentences),
                    "\n".join(" ".join(sorted(s)) for s in terms.sentences),
                ),
            )
            self._ids.append(chunk.chunk_id)
            self._sentences.append(np.asarray(sent_vecs, SENTENCE_DTYPE))
            self._counts.append(len(sent_vecs))
            self._shapes.append(terms.shapes)
            self._tokens.append(terms.tokens)
        if len(chunks):
            self._vectors.append(np.asarray(vectors, np.float32))
        self.con.executemany(
            "INSERT INTO abbreviations VALUES (?,?,?,?,?)",
            [(doc.doc_id, s, long, first_word(s), first_word(long.lower())) for s, long in abbreviations.items()],
        )

    def finish(self, dimension: int) -> None:
        """Write the arrays and close the segment; it is read-only from here on."""
        self.con.execute(FILL_FORMS)
        self.con.execute("COMMIT")
        self.con.close()
        offsets = np.zeros(len(self._counts) + 1, np.int64)
        offsets[1:] = np.cumsum(self._counts)
        arrays = {
            CHUNK_IDS: np.asarray(self._ids, np.int64),
            PASSAGE_VECTORS: np.concatenate(self._vectors) if self._vectors else np.zeros((0, dimension), np.float32),
            SENTENCE_VECTORS: (
                np.concatenate(self._sentences) if self._sentences else np.zeros((0, dimension), SENTENCE_DTYPE)
            ),
            SENTENCE_OFFSETS: offsets,
            VALUE_SHAPES: np.asarray(self._shapes, np.int64),
        }
        for name, array in arrays.items():
            np.save(self.path / name, array, allow_pickle=False)
        Postings.build(self._tokens).save(self.path)

    def abort(self) -> None:
        self.con.close()


def merge_segments(parts: Sequence[tuple[Segment, np.ndarray]], path: Path, dead_docs: Sequence[set[str]]) -> None:
    """Write one segment holding the rows each boolean `keep` mask marks, in order (chunk ids kept).

    `dead_docs[i]` are the papers removed from parts[i]: their rows are not kept either.
    """
    path.mkdir()
    con = connect(path / SQLITE, readonly=False)
    con.executescript(SCHEMA)
    con.execute("CREATE TEMP TABLE dead (doc_id TEXT PRIMARY KEY)")
    for segment, dead in zip((segment for segment, _ in parts), dead_docs, strict=True):
        # one part attached at a time: SQLite attaches at most 10 databases, a merge may have more parts
        con.execute("ATTACH DATABASE ? AS part", (f"file:{segment.path / SQLITE}?mode=ro&immutable=1",))
        con.execute("BEGIN")
        con.execute("DELETE FROM dead")
        con.executemany("INSERT INTO dead VALUES (?)", [(d,) for d in dead])
        for table in ("documents", "chunks", "abbreviations"):
            con.execute(f"INSERT INTO {table} SELECT * FROM part.{table} WHERE doc_id NOT IN (SELECT doc_id FROM dead)")
        con.execute("COMMIT")
        con.execute("DETACH DATABASE part")
    con.execute(FILL_FORMS)
    con.close()

    per_passage = [np.diff(np.asarray(s.sentence_offsets)) for s, _ in parts]  # sentences of each passage
    sentence_keeps = [np.repeat(keep, n) for (_, keep), n in zip(parts, per_passage, strict=True)]
    counts = np.concatenate([n[keep] for (_, keep), n in zip(parts, per_passage, strict=True)])
    offsets = np.zeros(len(counts) + 1, np.int64)
    offsets[1:] = np.cumsum(counts)
    np.save(path / SENTENCE_OFFSETS, offsets, allow_pickle=False)
    for name in (CHUNK_IDS, PASSAGE_VECTORS, VALUE_SHAPES):
        _join_rows(path / name, [(s.path / name, keep) for s, keep in parts])
    _join_rows(
        path / SENTENCE_VECTORS,
        [(s.path / SENTENCE_VECTORS, k) for (s, _), k in zip(parts, sentence_keeps, strict=True)],
    )
    merge_postings([(s.path, keep) for s, keep in parts], path)


# Bytes of rows a merge reads and writes at a time: joining its parts' arrays in memory took 17.5 GB at the
# peak for the 1M-passage benchmark index (4.5 GB of sentence vectors, copied twice); in blocks a merge of any
# size holds 16 MiB of them (21,845 passage vectors).
MERGE_BLOCK_BYTES = 16 * 2**20


def _join_rows(out: Path, sources: list[tuple[Path, np.ndarray]]) -> None:
    """Write to `out` the rows each boolean mask keeps of its .npy, source after source, a block at a time."""
    files = [RowFile(source) for source, _ in sources]
    try:
        first = files[0]
        step = max(1, MERGE_BLOCK_BYTES // max(1, first.row_bytes))
        writer = NpyWriter(out, first.dtype, (sum(int(keep.sum()) for _, keep in sources), *first.shape[1:]))
        for rows, (_, keep) in zip(files, sources, strict=True):
            for lo in range(0, len(rows), step):
                hi = min(lo + step, len(rows))
                if keep[lo:hi].any():
                    writer.write(rows.span(lo, hi)[keep[lo:hi]])
        writer.close()
    finally:
        for rows in files:
            rows.close()
