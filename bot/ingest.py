"""Read a paper from disk into a cleaned Document, or say in one line why it cannot be.

Every rejection is an IngestError whose message names the problem and the fix; the
indexer reports it and moves on to the next file. Formats are read by the functions
in READERS, one per file suffix: supporting a new format (.docx, another PDF parser)
is one new function and one entry there.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import os
import re
import tomllib
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .cleaning import clean_pages, normalise
from .config import IngestSettings
from .errors import IngestError
from .files import is_inside, open_nofollow, sha256_file
from .jats import JatsError, parse_jats
from .records import Block, Document, Metadata

log = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".meta.toml"
SNIFF_BYTES = 8192  # how much of a file decides "text or binary"
# A whitespace-free run longer than this is not a word of prose (the longest medical terms are
# about 30 letters; base64, hashes, URLs and glued-together tables run longer).
MAX_WORD_CHARS = 40
# A file needs at least (words / this) passages: no passage holds more word pieces than the model's
# window (256 for MiniLM), and every word is at least one. Rejecting on that bound before chunking
# keeps a huge file from holding the writer lock while it is cut up.
MAX_WORDS_PER_PASSAGE = 256

__all__ = [
    "IngestError",
    "READERS",
    "SUPPORTED",
    "Reader",
    "content_hash",
    "is_candidate",
    "load_document",
    "sidecar_path",
    "text_hash",
]


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


# --- sidecars -------------------------------------------------------------------------------------


class Sidecar(BaseModel):
    """The keys a `.meta.toml` sidecar may hold; each description is the type a user must give."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: str | None = Field(None, description="a string")
    authors: list[str] | str = Field(default_factory=list, description='a list of strings (e.g. ["A. Author"])')
    journal: str | None = Field(None, description="a string")
    year: int | None = Field(None, ge=1000, le=2999, description="a whole number (e.g. 2021)")
    doi: str | None = Field(None, description="a string")
    pmid: int | str | None = Field(None, description="a number or a string")
    url: str | None = Field(None, description="a string")

    def metadata(self) -> Metadata:
        authors = [self.authors] if isinstance(self.authors, str) else list(self.authors)
        return Metadata(
            title=self.title,
            authors=authors,
            journal=self.journal,
            year=self.year,
            doi=self.doi,
            pmid=str(self.pmid) if self.pmid not in (None, "") else None,
            url=self.url,
        )


def _normalised(value: Any) -> Any:
    """A sidecar value with its text (a string, or the strings of a list) cleaned as the paper's is."""
    if isinstance(value, str):
        return normalise(value)
    if isinstance(value, list):
        return [_normalised(x) for x in value]
    return value


def _read_sidecar(path: Path) -> Metadata:
    side = sidecar_path(path)
    if not side.exists():
        return Metadata()
    try:
        data = tomllib.loads(side.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(f"sidecar {side.name} is not valid TOML ({exc}); fix or delete it") from None
    except OSError as exc:
        raise IngestError(f"sidecar {side.name} cannot be read ({exc.strerror or exc}); fix or delete it") from None
    allowed = set(Sidecar.model_fields)
    unknown = set(data) - allowed
    if unknown:
        raise IngestError(f"sidecar {side.name} has unknown keys {sorted(unknown)}; allowed: {sorted(allowed)}")
    data = {key: _normalised(value) for key, value in data.items()}  # a title is text like the paper's
    try:
        return Sidecar(**data).metadata()
    except ValidationError as exc:
        error = exc.errors()[0]
        key = str(error["loc"][0])
        expected = Sidecar.model_fields[key].description
        if error["type"] in ("greater_than_equal", "less_than_equal"):
            expected = "a year between 1000 and 2999"
        raise IngestError(
            f"sidecar {side.name}: {key} must be {expected}, not {data[key]!r}; correct the sidecar"
        ) from None


# --- readers, one per format ----------------------------------------------------------------------


class Reader(Protocol):
    """Reads one format: the file's bytes -> (metadata found in the file, cleaned blocks); IngestError if it cannot."""

    def __call__(self, data: bytes, /) -> tuple[Metadata, list[Block]]: ...


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le'/'-be' when every other byte of mostly-ASCII text is zero, else None."""
    pairs = len(head) // 2
    if pairs < 4:
        return None
    even, odd = head[0 : pairs * 2 : 2].count(0), head[1 : pairs * 2 : 2].count(0)
    if odd > 0.3 * pairs and even < 0.05 * pairs:
        return "utf-16-le"
    if even > 0.3 * pairs and odd < 0.05 * pairs:
        return "utf-16-be"
    return None


# How much more "chaos" (charset_normalizer's measure of implausible characters, 0 to 1) a cp1252 reading may show
# than the best guess and still be taken. On a two-line French note the legacy code pages differ by hundredths: Mac
# Central European scored 0.047 ('FiŤvre rťcurrente'), cp1252 0.060 ('Fièvre récurrente'). Set by hand, not tuned;
# a text over SNIFF_BYTES long has scored cp1252 best or tied in every test here.
CP1252_CHAOS_MARGIN = 0.05


def _decode(data: bytes) -> str:
    """UTF-8, UTF-16 (with or without BOM), otherwise a confident detection, or a rejection saying how to fix it."""
    utf16 = (
        "utf-16" if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else _utf16_without_bom(data[:SNIFF_BYTES])
    )
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            raise IngestError("looks like UTF-16 but does not decode as it; save it as UTF-8") from None
    if b"\0" in data[:SNIFF_BYTES]:
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
    # Western European text fits cp1250 or Mac Central European as well as cp1252 ('fièvre' vs 'fičvre', 'fiŤvre');
    # unless another code page reads it clearly better, take the one papers in English, French, Spanish or German
    # are actually saved in.
    best = next((m for m in results if m.encoding == "cp1252" and m.chaos <= best.chaos + CP1252_CHAOS_MARGIN), best)
    log.info("decoded as %s (not UTF-8)", best.encoding)
    return str(best)


def _looks_binary(text: str) -> bool:
    control = sum(1 for c in text[:20000] if ord(c) < 32 and c not in "\n\r\t\f")
    return control > 0.05 * min(len(text), 20000)


def _text(data: bytes, markdown: bool) -> tuple[Metadata, list[Block]]:
    text = _decode(data)
    if _looks_binary(text):
        raise IngestError("binary data, not text: is the extension right?")
    return Metadata(), clean_pages([text], markdown=markdown)


def read_text(data: bytes) -> tuple[Metadata, list[Block]]:
    return _text(data, markdown=False)


def read_markdown(data: bytes) -> tuple[Metadata, list[Block]]:
    return _text(data, markdown=True)


ENCRYPTED = "encrypted PDF: remove the password (e.g. qpdf --decrypt), then re-add it"


def read_pdf(data: bytes) -> tuple[Metadata, list[Block]]:
    """Text of every page; PDFs encrypted with an empty user password (common for 'no copying') are opened."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(ENCRYPTED)
        pages = [page.extract_text() or "" for page in reader.pages]
    except DependencyError as exc:
        raise IngestError(
            f"PDF needs an optional package to be read ({exc}); install it, then run the update again"
        ) from None
    except FileNotDecryptedError:
        raise IngestError(ENCRYPTED) from None
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        OSError,
        AttributeError,
        IndexError,
        RecursionError,
        ZeroDivisionError,
        AssertionError,
    ) as exc:
        raise IngestError(
            f"corrupt PDF ({type(exc).__name__}: {str(exc)[:200]}); re-export or re-download it"
        ) from None
    if sum(len(p.strip()) for p in pages) < 20:
        raise IngestError("PDF has no text layer (scanned?): run OCR first (e.g. ocrmypdf), then re-add it")
    return Metadata(), clean_pages(pages)


def read_jats(data: bytes) -> tuple[Metadata, list[Block]]:
    if b"\0" in data[:SNIFF_BYTES]:
        raise IngestError("binary data, not XML: is the extension right?")
    try:
        metadata, blocks = parse_jats(data)
    except JatsError as exc:
        raise IngestError(f"{exc}; fix the XML or export it again from PMC") from None
    return metadata, [Block(b.kind, normalise(b.text), b.section, b.page) for b in blocks]


# One reader per file suffix (lower case). Another format, or another PDF parser, is one function here.
READERS: dict[str, Reader] = {".txt": read_text, ".md": read_markdown, ".pdf": read_pdf, ".xml": read_jats}
SUPPORTED = tuple(READERS)  # the formats casebot ships with


# --- content guards -------------------------------------------------------------------------------


def nonprose_share(text: str) -> float:
    """Share of the text's characters in runs that are not words: too long, or without a letter."""
    total = bad = 0
    for run in text.split():
        total += len(run)
        if len(run) > MAX_WORD_CHARS or not any(c.isalpha() for c in run):
            bad += len(run)
    return bad / total if total else 0.0


def _check_content(text: str, limits: IngestSettings) -> None:
    share = nonprose_share(text)
    if share > limits.max_nonprose_share:
        raise IngestError(
            f"{share:.0%} of the text is not prose (base64, number tables or long runs without "
            f"spaces), over the limit of {limits.max_nonprose_share:.0%} (setting max_nonprose_share)"
        )
    at_least = len(text.split()) // MAX_WORDS_PER_PASSAGE
    if at_least > limits.max_passages_per_file:
        raise IngestError(
            f"the text would make at least {at_least} passages, over the limit of "
            f"{limits.max_passages_per_file} (setting max_passages_per_file); split the file"
        )


# --- one file -------------------------------------------------------------------------------------


def check_location(path: Path, docs_dir: Path, follow_symlinks: bool) -> Path:
    """Where a docs entry really lives; IngestError when a link leads out of the docs folder (unless allowed)."""
    try:
        real = path.resolve()
    except (RuntimeError, OSError) as exc:  # a loop of links
        raise IngestError(f"cannot follow the link ({exc}); fix or delete it") from None
    if not follow_symlinks and not is_inside(real, docs_dir):
        raise IngestError(
            f"a link to {real}, outside the docs folder; copy the file in instead (or set follow_symlinks)"
        )
    return real


def _read_bytes(path: Path, docs_dir: Path, max_file_mb: float, follow_symlinks: bool) -> bytes:
    """The file's bytes, after checking where it really lives and how big it is."""
    real = check_location(path, docs_dir, follow_symlinks)
    fd = open_nofollow(real, os.O_RDONLY)  # the very file just checked, not whatever a link points to now
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_file_mb * 1024 * 1024:
            raise IngestError(
                f"file is {size / 2**20:.3g} MiB, over the {max_file_mb:g} MiB limit (setting max_file_mb): split it, "
                "or raise the limit"
            )
        if size == 0:
            raise IngestError("empty file: add its text, or remove it from the docs dir")
        return fh.read()


def load_document(
    path: Path, docs_dir: Path, max_file_mb: float, digest: str | None = None, limits: IngestSettings | None = None
) -> Document:
    """Read, validate and clean one file. Raises IngestError with the reason.

    `digest` is the file's content_hash when the caller already computed it (the indexer does);
    `limits` carries the content guards (defaults: the packaged settings).
    """
    limits = limits or IngestSettings.model_validate({})
    rel = path.relative_to(docs_dir).as_posix()
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise IngestError(f"unsupported file type {suffix or '(none)'}; supported: {', '.join(READERS)}")
    try:
        data = _read_bytes(path, docs_dir, max_file_mb, limits.follow_symlinks)
        digest = digest or content_hash(path)
    except OSError as exc:
        raise IngestError(f"cannot read file ({exc.strerror or exc}); check it exists and is readable") from None

    metadata, blocks = reader(data)
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
    _check_content(text, limits)
    return Document(
        doc_id=rel, text=text, blocks=spans, metadata=metadata, content_hash=digest, text_hash=text_hash(text)
    )
