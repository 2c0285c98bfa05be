"""Bring the index in line with the docs dir: embed only what changed, report every file.

`update` compares content hashes, ingests new and changed papers, drops removed
ones and publishes a new generation atomically. A file that cannot be read, for
whatever reason, is reported and skipped and never stops the others; an earlier good
version of it stays indexed. An update that finds the current generation damaged
says so and rebuilds it from the docs folder.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import frequency, onnx_encoder, store, trash
from .analysis import VOCABULARY_FILE, Vocabulary, analyse_passage, learn_abbreviations
from .chunking import Chunker, passage_prefix
from .config import Settings
from .embed import TextEncoder, get_embedder
from .errors import InputError, StoreError
from .ingest import IngestError, check_location, content_hash, is_candidate, load_document, sidecar_path
from .records import Chunk, Document

log = logging.getLogger(__name__)

ANALYSIS_VERSION = "29"  # bump when tokenisation, value shapes or chunk text preparation change
EMBED_BATCH = 256  # passages per model call, across documents, so the model sorts and pads well

# Up to this many indexed papers, the freshness note of `casebot ask` compares every file of
# the docs folder with the index (size and mtime; ~30 us a paper here, so 60 ms at 2,000).
# Above it, a full comparison would cost more than the answer (2 s of CPU and 64 MB at
# 61,538 papers, measured with bench/scale.py's corpus), so only the folders' modification
# times are compared (see folders_changed).
FULL_FRESHNESS_PAPERS = 2_000

Progress = Callable[[int, int], None]  # (papers read so far, papers to read)


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)  # {"source", "duplicate_of", "reason"}
    rejected: list[dict] = field(default_factory=list)  # {"source", "reason"}
    chunks_embedded: int = 0
    generation: str | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. a damaged index found and rebuilt

    def to_dict(self) -> dict:
        return asdict(self)


def analysis_version() -> str:
    """Changing the vocabulary changes every passage's lexical tokens, so it is part of the index identity."""
    return ANALYSIS_VERSION + "-" + hashlib.sha256(VOCABULARY_FILE.read_bytes()).hexdigest()[:12]


def expected_manifest(settings: Settings, dimension: int | None = None) -> dict:
    expected = store.expected_manifest(
        settings.model.model,
        dimension or 0,
        settings.chunking.chunk_tokens,
        settings.chunking.overlap_sentences,
        analysis_version(),
    )
    if dimension is None:
        expected.pop("dimension")  # checked once the model is loaded
    return expected


def display_name(rel: str) -> str:
    """A relative path as text that can be stored and shown: bytes that are not UTF-8 become \\xNN escapes."""
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def scan(docs_dir: Path) -> dict[str, Path]:
    """Every candidate file under the docs dir, by its POSIX path relative to it (see display_name)."""
    if not docs_dir.is_dir():
        raise InputError(f"docs dir {docs_dir} does not exist", "create it, or set --docs-dir / CASEBOT_DOCS_DIR")
    found = {}
    for path in docs_dir.rglob("*"):
        rel = path.relative_to(docs_dir)
        if any(part.startswith(".") for part in rel.parts[:-1]) or not is_candidate(path):
            continue
        if path.is_file() or (path.is_symlink() and not path.exists()):
            found[display_name(rel.as_posix())] = path
    return dict(sorted(found.items()))


def folder_stamps(docs_dir: Path) -> dict[str, int]:
    """The modification time (ns) of the docs dir ("." ) and of every folder under it, by relative path.

    A file added to, removed from or renamed in a folder changes that folder's mtime, so
    comparing these few numbers tells whether the folder's file list moved since the
    index was written, without listing its files. Hidden folders are skipped as scan()
    skips them; a folder whose name is not UTF-8 is not recorded (its parent's mtime
    still tells when it appears or goes).
    """
    stamps = {}
    for top, dirs, _ in os.walk(docs_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = Path(top).relative_to(docs_dir).as_posix()
        if display_name(rel) != rel:
            continue
        try:
            stamps[rel] = os.stat(top).st_mtime_ns
        except OSError:
            continue
    return stamps


def folder_mtimes(docs_dir: Path, files: list[Path]) -> dict[str, int | None]:
    """The mtime (None: not there yet) of every folder between the docs dir and these files,
    by relative path: what `Indexer.add` needs to know of the folders before they are copied into."""
    out: dict[str, int | None] = {}
    for path in files:
        for folder in [path.parent, *path.parent.parents]:
            if not folder.is_relative_to(docs_dir) or (rel := folder.relative_to(docs_dir).as_posix()) in out:
                break
            mtime = _stat(folder)[1]
            out[rel] = None if mtime < 0 else mtime
    return out


def folders_changed(stamps: dict[str, int], docs_dir: Path) -> list[str]:
    """The recorded folders whose modification time moved (or that are gone): files added, removed or renamed."""
    changed = []
    for rel, mtime in stamps.items():
        try:
            moved = os.stat(docs_dir / rel).st_mtime_ns != mtime
        except OSError:
            moved = True
        if moved:
            changed.append(rel)
    return changed


def freshness(snapshot: store.Snapshot, docs_dir: Path) -> dict[str, list[str]]:
    """What `casebot ask` notes after its answer: pending_changes for up to FULL_FRESHNESS_PAPERS papers,
    else {"folders": folders whose file list changed} (a paper edited in place is then left to
    `casebot index verify`, which compares every file)."""
    stamps = snapshot.folders()
    if stamps is None or int(snapshot.manifest["documents"]) <= FULL_FRESHNESS_PAPERS:
        return pending_changes(snapshot, docs_dir)
    return {"folders": folders_changed(stamps, docs_dir)}


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
        return st.st_size, st.st_mtime_ns
    except OSError:
        return -1, -1


def _paper_stat(path: Path) -> tuple[int, int]:
    """A paper's (size, mtime) with its sidecar's: editing the sidecar alone changes the paper
    (its content hash covers both), so the cheap check must see it too."""
    size, mtime = _stat(path)
    extra_size, extra_mtime = _stat(sidecar_path(path))
    if size < 0 or extra_size < 0:
        return size, mtime
    return size + extra_size, max(mtime, extra_mtime)


def pending_changes(snapshot: store.Catalog | store.Snapshot, docs_dir: Path) -> dict[str, list[str]]:
    """What `index update` would pick up: cheap (size, mtime) check, hashing only files that moved."""
    files = scan(docs_dir)
    if isinstance(snapshot, store.Snapshot):  # looked up in batches, not paper by paper
        indexed = snapshot.file_records(list(files))
        gone = set(snapshot.documents) - set(files)
    else:
        indexed = {d: (i.size, i.mtime_ns, i.content_hash) for d, i in snapshot.documents.items()}
        gone = set(indexed) - set(files)
    out: dict[str, list[str]] = {"new": [], "changed": [], "removed": sorted(gone)}
    for rel, path in files.items():
        skipped = snapshot.skipped.get(rel)  # wins: a rejected replacement of an indexed paper is not news
        record = (skipped["size"], skipped["mtime_ns"], skipped["content_hash"]) if skipped else indexed.get(rel)
        if record is None:
            out["new"].append(rel)
        elif _paper_stat(path) != record[:2] and _safe_hash(path) != record[2]:
            out["changed"].append(rel)
    return out


def bad_replacements(catalog: store.Catalog, docs_dir: Path) -> dict[str, str]:
    """Indexed papers whose file was replaced by a version that was rejected: {source: reason}.

    The previous good version is what readers are served; only fixing the file clears this.
    """
    out = {}
    for rel, record in catalog.skipped.items():
        if record["kind"] == "rejected" and rel in catalog.documents:
            path = docs_dir / rel
            if _paper_stat(path) == (record["size"], record["mtime_ns"]) or _safe_hash(path) == record["content_hash"]:
                out[rel] = record["reason"]
    return out


def _safe_hash(path: Path) -> str | None:
    try:
        return content_hash(path)
    except OSError:
        return None


class Indexer:
    def __init__(self, settings: Settings, progress: Progress | None = None):
        self.settings, self.progress = settings, progress
        self._embedder: TextEncoder | None = None

    @property
    def embedder(self) -> TextEncoder:
        if self._embedder is None:
            s = self.settings
            self._embedder = get_embedder(s.model.model, s.model.offline, s.model.batch_size)
        return self._embedder

    def update(self, rebuild: bool = False, lock: store.WriterLock | None = None) -> UpdateReport:
        """Bring the index in line with the docs dir. Pass `lock` when the caller already holds the writer lock
        (`index add/remove` change the docs dir under the same lock as the update that follows)."""
        s = self.settings
        if lock is None:
            with store.writer_lock(s.index_dir) as held:
                return self.update(rebuild, held)
        if lock.index_dir != s.index_dir:
            raise ValueError(f"the lock held is for {lock.index_dir}, not {s.index_dir}")  # a programming error
        store.crash_point("locked")
        report = UpdateReport()
        store.remove_leftovers(s.index_dir)
        base = None
        if not rebuild:
            try:
                base = store.load_catalog(s.index_dir, expected_manifest(s))
            except store.NoIndex:
                pass
            except store.IndexMismatch as exc:
                if not exc.keys <= store.REINDEXABLE:
                    raise
                log.warning("%s; re-indexing every paper", exc.message)
            except StoreError as exc:
                report.warnings.append(f"{exc.message}; rebuilt it from {s.docs_dir}")  # every front end shows it
                log.info("%s; rebuilding it from %s", exc.message, s.docs_dir)
        self._apply(base, report)
        trash.collect(s.index_dir, report.generation)
        frequency.prepare(s.cache_dir)  # what questions read of wordfreq, written once with the ONNX encoder
        return report

    def add(
        self, names: list[str], lock: store.WriterLock, folders_before: dict[str, int | None] | None = None
    ) -> UpdateReport:
        """Index these files of the docs dir (relative names) without scanning the rest of it.

        What `casebot index add` runs: the cost depends on the files added, not on the size
        of the index or of the docs folder. Duplicates are found by indexed lookups in the
        segments; other changes in the docs folder wait for `index update`. Without a
        usable index (none yet, or one to re-index), this is a full update.

        `folders_before`: the mtimes (None: not there yet) of the folders the caller copied
        the files into, taken before copying. A folder that was as the index recorded it is
        recorded anew, so the copy itself is not reported as a pending change; a folder
        that had already changed stays changed until `index update`.
        """
        s = self.settings
        if lock.index_dir != s.index_dir:
            raise ValueError(f"the lock held is for {lock.index_dir}, not {s.index_dir}")  # a programming error
        try:
            snap = store.load(s.index_dir, expected_manifest(s))
        except (store.NoIndex, store.IndexMismatch, StoreError):
            return self.update(lock=lock)
        report = UpdateReport()
        skipped = dict(snap.skipped)
        batch = _Batch(self, snap, report)
        try:
            for done, rel in enumerate(sorted(set(names))):
                if self.progress:
                    self.progress(done, len(names))
                path = s.docs_dir / rel
                size, mtime = _paper_stat(path)
                known = snap.documents.get(rel)
                skipped.pop(rel, None)
                try:
                    check_location(path, s.docs_dir, s.ingest.follow_symlinks)
                    digest = _safe_hash(path)
                    if known and digest == known.content_hash:
                        report.unchanged.append(rel)
                        continue
                    doc, chunks, prepared = self.read(path, s.docs_dir, digest)
                except IngestError as exc:
                    reason = str(exc) + (" (the previously indexed version is kept)" if known else "")
                    report.rejected.append({"source": rel, "reason": reason})
                    skipped[rel] = _skipped_record(digest or "", size, mtime, "rejected", reason)
                    continue
                ids = _identities(doc.text_hash, doc.metadata.__dict__, doc.doc_id)
                clash = self._owner(snap, batch, ids, rel)
                if clash:
                    key, owner = clash
                    reason = _same(key)
                    report.duplicates.append({"source": rel, "duplicate_of": owner, "reason": reason})
                    skipped[rel] = _skipped_record(doc.content_hash, size, mtime, "duplicate", f"{reason} as {owner}")
                    continue
                (report.changed if known else report.added).append(rel)
                batch.add(doc, size, mtime, chunks, prepared)
            recorded = snap.folders() or {}
            restamped = {
                rel: mtime
                for rel, before in (folders_before or {}).items()
                if (before is None or recorded.get(rel) == before)
                and (mtime := _stat(s.docs_dir / rel)[1]) != recorded.get(rel)
            }
            if batch.writer is None and not batch.pending and skipped == snap.skipped and not restamped:
                report.generation = snap.generation
                return report
            writer = batch.open()
            batch.flush()
            store.crash_point("embedded")
            writer.set_skipped([(rel, *record.values()) for rel, record in skipped.items()])
            writer.folders.update(restamped)
            report.generation = writer.commit()
        except BaseException:
            if batch.writer is not None:
                batch.writer.abort()
            raise
        finally:
            snap.close()
        trash.collect(s.index_dir, report.generation)
        return report

    @staticmethod
    def _owner(snap: store.Snapshot, batch: _Batch, ids: dict, rel: str) -> tuple[str, str] | None:
        """Another paper, indexed or just read, with the same text, DOI or PMID as `rel`."""
        found = indexed_owner(snap, ids, rel)
        if found:
            return found
        for doc in [p[0] for p in batch.pending] + batch.done:
            theirs = _identities(doc.text_hash, doc.metadata.__dict__, doc.doc_id)
            same = next((key for key in ids if key in theirs), None)
            if same:
                return same[0], doc.doc_id
        return None

    def read(
        self, path: Path, root: Path, digest: str | None = None, follow_symlinks: bool | None = None
    ) -> tuple[Document, list[Chunk], list]:
        """One file under `root` read, checked, chunked and analysed, as an update would; IngestError
        (whatever went wrong) says why it cannot be indexed. `index add` checks files with it before copying."""
        s = self.settings
        raw = path.relative_to(root).as_posix()
        if display_name(raw) != raw:
            raise IngestError("the file name is not valid UTF-8 (shown with \\x escapes); rename it")
        limits = (
            s.ingest if follow_symlinks is None else s.ingest.model_copy(update={"follow_symlinks": follow_symlinks})
        )
        try:
            doc = load_document(path, root, s.ingest.max_file_mb, digest, limits)
            chunks = self.chunker.chunk(doc)
            if len(chunks) > s.ingest.max_passages_per_file:
                raise IngestError(
                    f"makes {len(chunks)} passages, over the limit of "
                    f"{s.ingest.max_passages_per_file} (setting max_passages_per_file); split the file"
                )
            abbreviations = learn_abbreviations(doc.text)
            vocab = Vocabulary.load({k: {v} for k, v in abbreviations.items()})
            prefixes = [passage_prefix(doc.title, c.section) for c in chunks]
            lexical = [analyse_passage(p, c.text, c.sentences, vocab) for p, c in zip(prefixes, chunks, strict=True)]
        except IngestError:
            raise
        except Exception as exc:  # noqa: BLE001 - any parser failure is this file's problem, not the update's
            log.debug("reading %s failed", raw, exc_info=True)
            raise IngestError(
                f"cannot be read ({type(exc).__name__}: {str(exc)[:200]}); check the file, or re-export it"
            ) from None
        return doc, chunks, [prefixes, lexical, abbreviations]

    @property
    def chunker(self) -> Chunker:
        e, s = self.embedder, self.settings
        return Chunker(
            e.count_tokens,
            e.max_tokens,
            s.chunking.chunk_tokens,
            s.chunking.overlap_sentences,
            s.ingest.max_passage_chars,
        )

    def _apply(self, base: store.Catalog | None, report: UpdateReport) -> UpdateReport:
        """Classify every file cheaply first, then read, embed and write the new ones in batches.

        Memory stays bounded at any corpus size: papers are embedded EMBED_BATCH passages at
        a time and handed to the writer, which writes a segment every store.FLUSH_ROWS.
        """
        s = self.settings
        stamps = folder_stamps(s.docs_dir) if s.docs_dir.is_dir() else {}  # before the scan: a later change shows
        files = scan(s.docs_dir)
        store.crash_point("scanned")
        indexed = base.documents if base else {}
        report.removed = sorted(set(indexed) - set(files))  # and below: papers now reached through a link out
        to_read: list[tuple[str, Path, int, int, str | None]] = []
        skipped: list[tuple] = []
        for rel, path in files.items():
            size, mtime = _paper_stat(path)
            known = indexed.get(rel)
            try:
                if path.is_symlink():  # scan() does not enter linked folders: only a link itself can lead out
                    check_location(path, s.docs_dir, s.ingest.follow_symlinks)
            except IngestError as exc:  # a link out: whatever it led to before is not kept either
                report.rejected.append({"source": rel, "reason": str(exc)})
                skipped.append((rel, "", size, mtime, "rejected", str(exc)))
                if known:
                    report.removed.append(rel)
                continue
            if known and (size, mtime) == (known.size, known.mtime_ns):
                report.unchanged.append(rel)  # same size and mtime: not even hashed
                continue
            digest = _safe_hash(path)
            if known and digest == known.content_hash:
                report.unchanged.append(rel)
                continue
            to_read.append((rel, path, size, mtime, digest))
        report.removed.sort()
        owners = {}  # identity -> doc_id, for the duplicate rule
        for rel in report.unchanged:
            info = indexed[rel]
            owners.update(_identities(info.text_hash, info.metadata, info.doc_id))

        batch = _Batch(self, base, report)
        try:
            if self.progress and to_read:
                self.progress(0, len(to_read))
            for done, (rel, path, size, mtime, digest) in enumerate(to_read, 1):
                known = indexed.get(rel)
                try:
                    doc, chunks, prepared = self.read(path, s.docs_dir, digest)
                except IngestError as exc:
                    reason = str(exc) + (" (the previously indexed version is kept)" if known else "")
                    report.rejected.append({"source": rel, "reason": reason})
                    skipped.append((rel, digest or "", size, mtime, "rejected", reason))
                    if known:
                        report.unchanged.append(rel)
                else:
                    ids = _identities(doc.text_hash, doc.metadata.__dict__, doc.doc_id)
                    clash = next((key for key in ids if key in owners), None)
                    if clash:
                        reason = _same(clash[0])
                        report.duplicates.append(
                            {"source": doc.doc_id, "duplicate_of": owners[clash], "reason": reason}
                        )
                        skipped.append(
                            (doc.doc_id, doc.content_hash, size, mtime, "duplicate", f"{reason} as {owners[clash]}")
                        )
                    else:
                        owners.update(ids)
                        (report.changed if doc.doc_id in indexed else report.added).append(doc.doc_id)
                        batch.add(doc, size, mtime, chunks, prepared)
                if self.progress:
                    self.progress(done, len(to_read))
        except BaseException:
            if batch.writer is not None:
                batch.writer.abort()
            raise
        report.unchanged.sort()

        old_skipped = base.skipped if base else {}
        new_skipped = {
            r[0]: {"content_hash": r[1], "size": r[2], "mtime_ns": r[3], "kind": r[4], "reason": r[5]} for r in skipped
        }
        if (
            base
            and batch.writer is None
            and not (batch.pending or report.removed)
            and new_skipped == old_skipped
            and stamps == base.folders
        ):
            self._restore_query_encoder(base.manifest)
            report.generation = base.generation
            return report  # nothing to write: the current generation already says all this

        writer = batch.open()
        try:
            batch.flush()
            for doc_id in report.removed:
                writer.remove_document(doc_id)
            store.crash_point("embedded")
            writer.set_skipped(skipped)
            writer.folders = stamps
            report.generation = writer.commit()
        except BaseException:
            writer.abort()
            raise
        return report

    def _query_encoder_record(self) -> dict | None:
        """The ONNX export of the model (made once per model) and the probe vectors that vouch for it."""
        key = onnx_encoder.export(self.embedder, self.settings.cache_dir)
        return {"key": key, "probes": onnx_encoder.probe_vectors(self.embedder)} if key else None

    def _restore_query_encoder(self, manifest: dict) -> None:
        """Export the model again when the index's ONNX encoder was deleted from the cache."""
        record = manifest.get("query_encoder")
        if record and not (self.settings.cache_dir / onnx_encoder.ENCODERS_DIR / record["key"]).is_dir():
            if onnx_encoder.export(self.embedder, self.settings.cache_dir) != record["key"]:
                log.warning("the model no longer matches the index's query encoder; `casebot index rebuild`")

    def embed_into(
        self, writer: store.GenerationWriter, docs: list[tuple[Document, int, int, list[Chunk], list]]
    ) -> int:
        """Embed the prepared documents' passages in one model call and hand them to the writer."""
        texts = [
            p + c.text for _, _, _, chunks, (prefixes, _, _) in docs for p, c in zip(prefixes, chunks, strict=True)
        ]
        if not texts:
            return 0
        spans = [
            [(len(p) + a, len(p) + b) for a, b in c.sentences]
            for _, _, _, chunks, (prefixes, _, _) in docs
            for p, c in zip(prefixes, chunks, strict=True)
        ]
        vectors, sentence_vectors = self.embedder.encode_passages(texts, spans)
        at = 0
        for doc, size, mtime, chunks, (_, lexical, abbreviations) in docs:
            n = len(chunks)
            writer.add_document(
                doc, chunks, vectors[at : at + n], sentence_vectors[at : at + n], lexical, abbreviations, size, mtime
            )
            at += n
        return len(texts)


class _Batch:
    """Papers read but not yet embedded; the writer is opened when the first batch is full."""

    def __init__(self, indexer: Indexer, base: store.Catalog | store.Snapshot | None, report: UpdateReport):
        self.indexer, self.base, self.report = indexer, base, report
        self.pending: list[tuple[Document, int, int, list[Chunk], list]] = []
        self.done: list[Document] = []  # papers already handed to the writer (the duplicate rule reads them)
        self.writer: store.GenerationWriter | None = None

    def add(self, doc: Document, size: int, mtime: int, chunks: list[Chunk], prepared: list) -> None:
        self.pending.append((doc, size, mtime, chunks, prepared))
        if sum(len(p[3]) for p in self.pending) >= EMBED_BATCH:
            self.open()
            self.flush()

    def open(self) -> store.GenerationWriter:
        """The writer of the next generation, with the manifest these settings build."""
        if self.writer is None:
            indexer, base, s = self.indexer, self.base, self.indexer.settings
            if base and not self.pending and not self.report.added + self.report.changed:
                # removals only: the model need not be loaded
                dimension, record = base.manifest["dimension"], base.manifest.get("query_encoder")
            else:
                dimension, record = indexer.embedder.dimension, indexer._query_encoder_record()
            if base:
                store.check_compatible(base.manifest, expected_manifest(s, dimension), s.index_dir)
            manifest = expected_manifest(s, dimension)
            if record:
                manifest["query_encoder"] = record
            self.writer = store.GenerationWriter(s.index_dir, base, manifest)
        return self.writer

    def flush(self) -> None:
        if not self.pending:
            return
        writer = self.open()
        try:
            for doc, *_ in self.pending:
                if self.base and doc.doc_id in self.base.documents:
                    writer.remove_document(doc.doc_id)  # the changed paper's earlier version
            self.report.chunks_embedded += self.indexer.embed_into(writer, self.pending)
        except BaseException:
            writer.abort()
            raise
        self.done += [doc for doc, *_ in self.pending]
        self.pending = []


def _skipped_record(content_hash: str, size: int, mtime_ns: int, kind: str, reason: str) -> dict:
    return {"content_hash": content_hash, "size": size, "mtime_ns": mtime_ns, "kind": kind, "reason": reason}


def indexed_owner(snap: store.Snapshot, ids: dict, rel: str) -> tuple[str, str] | None:
    """(identity, doc id) of an indexed paper other than `rel` with one of the identities `ids`."""
    values = {key: value for key, value in ids}
    found = snap.owner(values["text"], values.get("doi", ""), values.get("pmid", ""))
    return found if found and found[1] != rel else None


def duplicate_of(snap: store.Snapshot, doc: Document, rel: str) -> dict | None:
    """{"duplicate_of", "reason"} when the index holds another paper with `doc`'s text, DOI or PMID."""
    found = indexed_owner(snap, _identities(doc.text_hash, doc.metadata.__dict__, rel), rel)
    if not found:
        return None
    return {"duplicate_of": found[1], "reason": _same(found[0])}


def _same(identity: str) -> str:
    """Why a paper is a duplicate, by the identity it shares: "same text", "same DOI", "same PMID"."""
    return "same text" if identity == "text" else f"same {identity.upper()}"


def _identities(text_hash: str, metadata: dict, doc_id: str) -> dict[tuple[str, str], str]:
    ids = {("text", text_hash): doc_id}
    for key in ("doi", "pmid"):
        if metadata.get(key):
            ids[(key, str(metadata[key]).lower().strip())] = doc_id
    return ids
