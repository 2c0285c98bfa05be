"""The index on disk: immutable generations, swapped in by one atomic rename.

    index/CURRENT              name of the generation readers use
    index/gen-000007/          manifest.json, casebot.sqlite, dense.faiss, lexical_tf.npz, lexical_vocab.json
    index/.lock                held (flock) by the one writer
    index/trash/               papers `casebot index remove` took out of the docs dir (see bot.trash)

A writer builds the next generation in a hidden folder beside the current one and
publishes it by replacing CURRENT; a crash at any point leaves the previous
generation current and intact. Nothing here is pickled: SQLite, FAISS's own format,
numpy arrays loaded with allow_pickle=False, and JSON.

Nothing in the index folder is opened through a symbolic link: the lock, CURRENT and
the generation folders are refused when they are links, CURRENT must name a
`gen-NNNNNN` folder inside the index, and readers check every file of a generation
against the manifest's checksums once, when they load it.

For crash-safety tests, CASEBOT_FAULT=<step> makes the writer kill itself (SIGKILL,
no clean-up) when it reaches that step; FAULT_STEPS lists them in order.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import shutil
import signal
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from .analysis import PassageTerms
from .errors import IndexMismatch, LockBusy, NoIndex, StoreError
from .files import is_link, open_nofollow, read_text_nofollow, refuse_link, remove_entry, sha256_file, write_exclusive
from .lexical import FILES as LEXICAL_FILES
from .lexical import LexicalIndex
from .records import Chunk, Document
from .vectors import DenseIndex, FaissIndex

log = logging.getLogger(__name__)

FORMAT_VERSION = 2
REBUILD, UPDATE = "casebot index rebuild", "casebot index update"
CURRENT, LOCK, TMP_PREFIX = "CURRENT", ".lock", ".tmp-"
SQLITE, FAISS_FILE, MANIFEST = "casebot.sqlite", "dense.faiss", "manifest.json"
KEEP_GENERATIONS = 2  # the current one and the one before, for readers still loading it
GENERATION_NAME = re.compile(r"gen-\d{6}")
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

SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, metadata TEXT NOT NULL,
    content_hash TEXT NOT NULL, text_hash TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    added_at TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE chunks (
    chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ord INTEGER NOT NULL, section TEXT NOT NULL, page INTEGER, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    text TEXT NOT NULL, sentences TEXT NOT NULL, sentence_vectors BLOB NOT NULL,
    sentence_terms TEXT NOT NULL, value_shapes INTEGER NOT NULL);
CREATE INDEX chunks_by_doc ON chunks(doc_id);
CREATE TABLE abbreviations (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE, short TEXT NOT NULL, long TEXT NOT NULL);
CREATE TABLE skipped (
    source TEXT PRIMARY KEY, content_hash TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    kind TEXT NOT NULL, reason TEXT NOT NULL);
"""


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


@dataclass
class Catalog:
    """What a generation holds, without its vectors: all an update needs to plan its work."""

    generation: str
    manifest: dict
    documents: dict[str, DocInfo]
    skipped: dict[str, dict]


@dataclass
class Snapshot(Catalog):
    """One generation, loaded whole into memory: readers never touch its files again.

    Passages are numbered by row, 0..n-1 in chunk-id order, the same everywhere: the
    BM25 matrix, `passage_vectors`, and `sentence_vectors` (row r's sentences are
    sentence_offsets[r]:sentence_offsets[r + 1]). The reranker scores whole arrays of
    candidates at once instead of looking passages up one by one.
    """

    chunks: dict[int, ChunkRow]
    abbreviations: dict[str, set[str]]
    dense: DenseIndex
    lexical: LexicalIndex
    chunk_ids: np.ndarray  # row -> chunk id, ascending
    passage_vectors: np.ndarray  # (rows, dimension) float32, unit length
    sentence_vectors: np.ndarray  # (sentences, dimension) float32
    sentence_offsets: np.ndarray  # (rows + 1,)
    value_shapes: np.ndarray  # (rows,) analysis.value_shapes bits of each passage

    def rows(self, chunk_ids: np.ndarray | list[int]) -> np.ndarray:
        return np.searchsorted(self.chunk_ids, chunk_ids)


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
REINDEXABLE = {"analysis", "chunk_tokens", "overlap_sentences"}


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


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    else:
        con = sqlite3.connect(path, isolation_level=None)
        con.execute("PRAGMA foreign_keys = ON")
    return con


def _damaged(gen: Path, exc: Exception) -> StoreError:
    return StoreError(
        f"index generation {gen} is damaged ({str(exc).splitlines()[0][:200]})",
        f"`casebot index verify`, then `{REBUILD}`",
    )


def _open_generation(index_dir: Path, expected: dict | None, checksums: bool = False) -> tuple[Path, dict]:
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
    if expected:
        check_compatible(manifest, expected, index_dir)
    if checksums:
        damage = checksum_problems(gen, manifest)
        if damage:
            raise _damaged(gen, ValueError(damage[0]))
    return gen, manifest


def checksum_problems(gen: Path, manifest: dict) -> list[str]:
    """Files of a generation that are missing, links, or differ from the manifest's checksums."""
    files = manifest.get("files")
    if not isinstance(files, dict) or set(files) != {SQLITE, FAISS_FILE, *LEXICAL_FILES}:
        return [f"{gen / MANIFEST} does not list the index files with their checksums"]
    problems = []
    for fname, digest in files.items():
        path = gen / fname
        if is_link(path):
            problems.append(f"{path} is a symbolic link")
        elif not path.is_file():
            problems.append(f"{path} is missing")
        elif sha256_file(path) != digest:
            problems.append(f"{path} does not match its checksum in the manifest ({path.stat().st_size} bytes)")
    return problems


def _read_catalog(con: sqlite3.Connection, gen: Path, manifest: dict) -> Catalog:
    documents = {
        r[0]: DocInfo(r[0], r[1], json.loads(r[2]), *r[3:])
        for r in con.execute(
            "SELECT d.doc_id, title, metadata, content_hash, text_hash, size, mtime_ns, added_at, "
            "(SELECT count(*) FROM chunks c WHERE c.doc_id = d.doc_id) FROM documents d"
        )
    }
    skipped = {
        r[0]: {"content_hash": r[1], "size": r[2], "mtime_ns": r[3], "kind": r[4], "reason": r[5]}
        for r in con.execute("SELECT * FROM skipped")
    }
    return Catalog(gen.name, manifest, documents, skipped)


def load_catalog(index_dir: Path, expected: dict | None = None, checksums: bool = False) -> Catalog:
    """The current generation's documents and skipped files, without loading its vectors."""
    gen, manifest = _open_generation(index_dir, expected, checksums)
    try:
        con = _connect(gen / SQLITE, readonly=True)
        catalog = _read_catalog(con, gen, manifest)
        con.close()
    except (sqlite3.Error, ValueError) as exc:
        raise _damaged(gen, exc) from None
    return catalog


def load(index_dir: Path, expected: dict | None = None) -> Snapshot:
    """Load the current generation, checked against its manifest's checksums.

    Raises NoIndex, IndexMismatch or StoreError (a damaged generation is refused, never served).
    """
    gen, manifest = _open_generation(index_dir, expected, checksums=True)
    try:
        con = _connect(gen / SQLITE, readonly=True)
        catalog = _read_catalog(con, gen, manifest)
        chunks, blobs, counts = {}, [], []
        for cid, doc_id, section, page, start, end, text, sents, blob, terms, shapes in con.execute(
            'SELECT chunk_id, doc_id, section, page, start, "end", text, sentences, sentence_vectors, '
            "sentence_terms, value_shapes FROM chunks ORDER BY chunk_id"
        ):
            spans = [tuple(s) for s in json.loads(sents)]
            chunks[cid] = ChunkRow(cid, doc_id, section, page, start, end, text, spans, terms, shapes)
            blobs.append(blob)
            counts.append(len(spans))
        abbreviations: dict[str, set[str]] = {}
        for short, long in con.execute("SELECT short, long FROM abbreviations"):
            abbreviations.setdefault(short, set()).add(long)
        con.close()
        dense = FaissIndex.load(gen / FAISS_FILE)
        lexical = LexicalIndex.load(gen)
        dim = manifest["dimension"]
        chunk_ids = np.fromiter(chunks, np.int64, len(chunks))
        sentence_vectors = np.frombuffer(b"".join(blobs), np.float16).reshape(-1, dim).astype(np.float32)
        offsets = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)])
        if len(sentence_vectors) != offsets[-1]:
            raise ValueError("sentence vectors do not match the sentences of the passages")
        passage_vectors = _vectors_by_row(dense, chunk_ids)
        if not np.array_equal(lexical.chunk_ids, chunk_ids):
            raise ValueError("the BM25 rows do not match the passages")
        value_shapes = np.fromiter((c.value_shapes for c in chunks.values()), np.int64, len(chunks))
    except (sqlite3.Error, RuntimeError, OSError, ValueError, KeyError) as exc:
        raise _damaged(gen, exc) from None
    return Snapshot(
        catalog.generation,
        manifest,
        catalog.documents,
        catalog.skipped,
        chunks,
        abbreviations,
        dense,
        lexical,
        chunk_ids,
        passage_vectors,
        sentence_vectors,
        offsets,
        value_shapes,
    )


def _vectors_by_row(dense: DenseIndex, chunk_ids: np.ndarray) -> np.ndarray:
    """The dense index's vectors, in row order (it keeps them in insertion order)."""
    ids = dense.ids()
    rows = np.searchsorted(chunk_ids, ids)
    if len(ids) != len(chunk_ids) or not np.array_equal(chunk_ids[np.minimum(rows, len(chunk_ids) - 1)], ids):
        raise ValueError("the FAISS ids do not match the passages")
    vectors = np.empty((len(ids), dense.dimension), np.float32)
    if len(ids):
        vectors[rows] = dense.vectors()
    return vectors


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


class GenerationWriter:
    """Builds the next generation from the current one (or from nothing). Call under writer_lock."""

    def __init__(self, index_dir: Path, base: Catalog | None, manifest: dict):
        self.index_dir, self.manifest = index_dir, dict(manifest)
        # Numbered after every generation on disk, so a rebuild never collides with the one it replaces.
        numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if GENERATION_NAME.fullmatch(p.name)]
        self.name = f"gen-{max(numbers, default=0) + 1:06d}"
        remove_leftovers(index_dir)
        self.tmp = index_dir / (TMP_PREFIX + self.name)
        self.tmp.mkdir()
        crash_point("tmp-created")
        if base:
            old = index_dir / base.generation
            try:
                # A published generation never changes, so a plain file copy is a consistent snapshot.
                shutil.copyfile(old / SQLITE, self.tmp / SQLITE)
                self.dense: DenseIndex = FaissIndex.load(old / FAISS_FILE)
                self.lexical = LexicalIndex.load(old)
            except (OSError, RuntimeError, ValueError, KeyError) as exc:
                shutil.rmtree(self.tmp, ignore_errors=True)
                raise _damaged(old, exc) from None
            self.con = _connect(self.tmp / SQLITE, readonly=False)
        else:
            self.con = _connect(self.tmp / SQLITE, readonly=False)
            self.con.executescript(SCHEMA)
            self.dense = FaissIndex.empty(manifest["dimension"])
            self.lexical = LexicalIndex.empty()
        self._removed: set[int] = set()
        self._added: list[tuple[int, list[str]]] = []
        self.con.execute("BEGIN")

    def remove_document(self, doc_id: str) -> None:
        ids = [r[0] for r in self.con.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))]
        self.con.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        if ids:
            self.dense.remove(np.asarray(ids, dtype=np.int64))
            self._removed.update(ids)

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
        meta = json.dumps(doc.metadata.__dict__, ensure_ascii=False)
        self.con.execute(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
            (
                doc.doc_id,
                doc.title,
                meta,
                doc.content_hash,
                doc.text_hash,
                size,
                mtime_ns,
                datetime.now(UTC).isoformat(timespec="seconds"),
                doc.text,
            ),
        )
        ids = []
        for ord_, (chunk, sent_vecs, terms) in enumerate(zip(chunks, sentence_vectors, analysed, strict=True)):
            cur = self.con.execute(
                'INSERT INTO chunks (doc_id, ord, section, page, start, "end", text, sentences, sentence_vectors, '
                "sentence_terms, value_shapes) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    doc.doc_id,
                    ord_,
                    chunk.section,
                    chunk.page,
                    chunk.start,
                    chunk.end,
                    chunk.text,
                    json.dumps(chunk.sentences),
                    sent_vecs.astype(np.float16).tobytes(),
                    "\n".join(" ".join(sorted(s)) for s in terms.sentences),
                    terms.shapes,
                ),
            )
            chunk_id = cur.lastrowid
            assert chunk_id is not None  # an INSERT into a rowid table always has one
            chunk.chunk_id = chunk_id
            ids.append(chunk_id)
            self._added.append((chunk_id, terms.tokens))
        self.con.executemany(
            "INSERT INTO abbreviations VALUES (?,?,?)",
            [(doc.doc_id, short, long) for short, long in abbreviations.items()],
        )
        if ids:
            self.dense.add(np.asarray(ids, dtype=np.int64), vectors)

    def set_skipped(self, rows: list[tuple[str, str, int, int, str, str]]) -> None:
        """Files seen but not indexed (rejected or duplicate), so staleness checks know them."""
        self.con.execute("DELETE FROM skipped")
        self.con.executemany("INSERT INTO skipped VALUES (?,?,?,?,?,?)", rows)

    def commit(self) -> str:
        """Write everything, then publish with one atomic rename of CURRENT."""
        self.con.execute("COMMIT")
        crash_point("sqlite-committed")
        n_docs = self.con.execute("SELECT count(*) FROM documents").fetchone()[0]
        n_chunks = self.con.execute("SELECT count(*) FROM chunks").fetchone()[0]
        self.con.close()
        lexical = self.lexical.with_changes(self._removed, self._added)
        lexical.save(self.tmp)
        self.dense.save(self.tmp / FAISS_FILE)
        crash_point("index-files-written")
        files = [SQLITE, FAISS_FILE, *LEXICAL_FILES]
        manifest = {
            **self.manifest,
            "generation": self.name,
            "documents": n_docs,
            "chunks": n_chunks,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "files": {f: sha256_file(self.tmp / f) for f in files},
        }
        (self.tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        for f in files + [MANIFEST]:
            with open(self.tmp / f, "rb+") as fh:
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
        log.info("published %s (%d documents, %d chunks)", self.name, n_docs, n_chunks)
        return self.name

    def abort(self) -> None:
        try:
            self.con.close()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _collect_garbage(self) -> None:
        gens = sorted(p for p in self.index_dir.glob("gen-*") if GENERATION_NAME.fullmatch(p.name) and not is_link(p))
        for old in gens[:-KEEP_GENERATIONS]:
            shutil.rmtree(old, ignore_errors=True)


def verify(index_dir: Path, expected: dict) -> list[tuple[str, str]]:
    """Every inconsistency found in the current generation, each with its repair command."""
    try:
        name = current_generation(index_dir)
    except StoreError as exc:
        return [(exc.message, exc.fix)]
    if name is None:
        return [(f"no index in {index_dir}", UPDATE)]
    gen = index_dir / name
    try:
        manifest = json.loads(read_text_nofollow(gen / MANIFEST))
    except (OSError, ValueError) as exc:
        return [(f"{gen / MANIFEST} is unreadable ({exc})", REBUILD)]
    problems = []
    try:
        check_compatible(manifest, expected, index_dir)
    except IndexMismatch as exc:
        problems.append((exc.message, exc.fix))
    problems += [(problem, REBUILD) for problem in checksum_problems(gen, manifest)]
    try:
        con = _connect(gen / SQLITE, readonly=True)
        chunk_ids = {r[0] for r in con.execute("SELECT chunk_id FROM chunks")}
        n_docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        con.close()
        dense = FaissIndex.load(gen / FAISS_FILE)
        lexical = LexicalIndex.load(gen)
    except (sqlite3.Error, RuntimeError, OSError, ValueError, KeyError) as exc:
        return problems + [(_damaged(gen, exc).message, REBUILD)]
    dense_ids = set(dense.ids().tolist())
    for label, ids in (("FAISS", dense_ids), ("BM25", set(lexical.chunk_ids.tolist()))):
        if ids - chunk_ids:
            problems.append((f"{label} holds {len(ids - chunk_ids)} passage(s) with no row in SQLite", REBUILD))
        if chunk_ids - ids:
            problems.append((f"{len(chunk_ids - ids)} SQLite passage(s) are missing from {label}", REBUILD))
    if len(dense) != len(dense_ids):  # an id stored twice
        problems.append((f"FAISS holds {len(dense)} vectors but {len(dense_ids)} ids", REBUILD))
    for key, have in (("documents", n_docs), ("chunks", len(chunk_ids))):
        if manifest.get(key) != have:
            problems.append((f"manifest says {manifest.get(key)} {key}, SQLite holds {have}", REBUILD))
    if not problems:
        try:
            load(index_dir)
        except StoreError as exc:
            problems.append((exc.message, REBUILD))
    return problems
