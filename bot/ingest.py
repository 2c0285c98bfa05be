"""Read a paper from disk into a cleaned Document, or say in one line why it cannot be.

Every rejection is an IngestError whose message names the problem and the fix; the
indexer reports it and moves on to the next file.
"""
from __future__ import annotations

import hashlib
import logging
import re
import tomllib
from pathlib import Path

from .files import sha256_file
from .cleaning import clean_pages, normalise
from .jats import JatsError, parse_jats
from .records import Block, Document, Metadata

log = logging.getLogger(__name__)

SUPPORTED = (".txt", ".md", ".pdf", ".xml")
SIDECAR_SUFFIX = ".meta.toml"
_SIDECAR_KEYS = {"title", "authors", "journal", "year", "doi", "pmid", "url"}


class IngestError(ValueError):
    """A file that cannot be indexed; str() is the reason, for the maintainer's report."""


def sidecar_path(path: Path) -> Path:
    """`paper.pdf` -> `paper.meta.toml`: bibliographic facts given by the maintainer."""
    return path.with_name(path.stem + SIDECAR_SUFFIX)


def is_candidate(path: Path) -> bool:
    """Files the docs dir scan considers: everything but hidden files and sidecars."""
    return not (path.name.startswith(".") or path.name.endswith(SIDECAR_SUFFIX))


def content_hash(path: Path) -> str:
    """sha256 over the file and its sidecar, so editing either re-indexes the paper."""
    side = sidecar_path(path)
    return sha256_file(path, b"\0sidecar\0" + side.read_bytes() if side.exists() else b"")


def text_hash(text: str) -> str:
    """Same paper, different file: compare letters and digits only, case-folded."""
    return hashlib.sha256(re.sub(r"[\W_]+", "", text.casefold()).encode()).hexdigest()


def _read_sidecar(path: Path) -> Metadata:
    side = sidecar_path(path)
    if not side.exists():
        return Metadata()
    try:
        data = tomllib.loads(side.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(f"sidecar {side.name} is not valid TOML ({exc}); fix or delete it") from None
    unknown = set(data) - _SIDECAR_KEYS
    if unknown:
        raise IngestError(f"sidecar {side.name} has unknown keys {sorted(unknown)}; allowed: {sorted(_SIDECAR_KEYS)}")
    authors = data.get("authors", [])
    return Metadata(
        title=data.get("title"), authors=[authors] if isinstance(authors, str) else list(authors),
        journal=data.get("journal"), year=int(data["year"]) if data.get("year") else None,
        doi=data.get("doi"), pmid=str(data["pmid"]) if data.get("pmid") else None, url=data.get("url"),
    )


def _decode(data: bytes) -> str:
    """UTF-8 first; otherwise a confident detection, or a rejection that says how to fix it."""
    if b"\0" in data[:8192]:
        raise IngestError("binary data, not text: is the extension right?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    best = results.best()
    if best is None or best.chaos > 0.2:
        raise IngestError("not UTF-8 and the encoding could not be detected; save it as UTF-8")
    # Western European text fits cp1250 as well as cp1252 ('fièvre' vs 'fičvre'); on a tie,
    # take the encoding papers in English, French, Spanish or German are actually saved in.
    best = next((m for m in results if m.encoding == "cp1252" and m.chaos <= best.chaos), best)
    log.info("decoded as %s (not UTF-8)", best.encoding)
    return str(best)


def _looks_binary(text: str) -> bool:
    control = sum(1 for c in text[:20000] if ord(c) < 32 and c not in "\n\r\t\f")
    return control > 0.05 * min(len(text), 20000)


def _read_pdf(path: Path) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError("encrypted PDF: remove the password (e.g. qpdf --decrypt), then re-add it")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError, IndexError) as exc:
        if "decrypt" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise IngestError("encrypted PDF: remove the password (e.g. qpdf --decrypt), then re-add it") from None
        raise IngestError(f"corrupt PDF ({type(exc).__name__}: {exc}); re-export or re-download it") from None
    if sum(len(p.strip()) for p in pages) < 20:
        raise IngestError("PDF has no text layer (scanned?): run OCR first (e.g. ocrmypdf), then re-add it")
    return pages


def load_document(path: Path, docs_dir: Path, max_file_mb: float, digest: str | None = None) -> Document:
    """Read, validate and clean one file. Raises IngestError with the reason.

    `digest` is the file's content_hash when the caller already computed it (the indexer does).
    """
    rel = path.relative_to(docs_dir).as_posix()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED)}")
    try:
        size = path.stat().st_size
        if size > max_file_mb * 1024 * 1024:
            raise IngestError(f"file is {size / 2**20:.3g} MB, over the {max_file_mb:g} MB limit (setting max_file_mb)")
        if size == 0:
            raise IngestError("empty file")
        digest = digest or content_hash(path)
        data = path.read_bytes() if suffix != ".pdf" else b""
    except OSError as exc:
        raise IngestError(f"cannot read file ({exc.strerror or exc}); check it exists and is readable") from None

    metadata = Metadata()
    if suffix == ".pdf":
        blocks = clean_pages(_read_pdf(path))
    elif suffix == ".xml":
        if b"\0" in data[:8192]:
            raise IngestError("binary data, not XML: is the extension right?")
        try:
            metadata, blocks = parse_jats(data)
        except JatsError as exc:
            raise IngestError(f"{exc}; fix the XML or export it again from PMC") from None
        blocks = [Block(b.kind, normalise(b.text), b.section, b.page) for b in blocks]
    else:
        text = _decode(data)
        if _looks_binary(text):
            raise IngestError("binary data, not text: is the extension right?")
        blocks = clean_pages([text], markdown=suffix == ".md")
    if not any(b.kind in ("paragraph", "caption") for b in blocks):
        raise IngestError("no text to index (the file holds only whitespace or headings)")

    title_block = next((b.text for b in blocks if b.kind == "title"), None)
    metadata = Metadata(title=title_block).merged(metadata).merged(_read_sidecar(path))
    spans, pieces, pos = [], [], 0
    for block in blocks:
        spans.append((pos, pos + len(block.text), block))
        pieces.append(block.text)
        pos += len(block.text) + 2
    text = "\n\n".join(pieces)
    return Document(doc_id=rel, text=text, blocks=spans, metadata=metadata,
                    content_hash=digest, text_hash=text_hash(text))
