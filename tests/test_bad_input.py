"""Bad files in the docs dir: each is rejected with a reason that names the problem, and
never stops a good paper next to it from being indexed.

Every test runs a real `Indexer.update()` (real model, real index) over a docs dir
holding one good case report plus the bad input.
"""

from __future__ import annotations

import json
import os
import pty
import random
import subprocess
import sys
from pathlib import Path

import pytest

from bot import CaseBot, store
from bot.embed import HASHING_MODEL
from bot.indexer import Indexer, pending_changes

GOOD = "calcinosis.txt"
GOOD_TEXT = (
    "A 58-year-old woman with dermatomyositis developed calcinosis cutis on both elbows. "
    "Radiographs showed dense subcutaneous calcium deposits along the forearms. "
    "Intralesional sodium thiosulfate was injected monthly for six months. "
    "The nodules softened and the ulcerated lesions healed without recurrence.\n"
)
OTHER = "sarcoidosis.txt"
OTHER_TEXT = (
    "A 41-year-old man presented with erythema nodosum, ankle arthritis and bilateral hilar lymphadenopathy. "
    "A transbronchial biopsy showed non-caseating granulomas consistent with Lofgren syndrome. "
    "Symptoms resolved within eight weeks on naproxen alone.\n"
)
CASEBOT = Path(sys.executable).with_name("casebot")


@pytest.fixture
def setup(make_settings, embedder):
    """Settings over a docs dir that already holds the good paper (the model is warm)."""

    def make(**overrides):
        settings = make_settings(**overrides)
        (settings.docs_dir / GOOD).write_text(GOOD_TEXT, encoding="utf-8")
        return settings

    return make


def update(settings):
    return Indexer(settings).update()


def assert_only_bad_rejected(settings, report, rel: str, phrase: str) -> str:
    """The good paper went in, the bad file is reported with `phrase`, and is not nagged about later."""
    assert report.added == [GOOD]
    assert report.changed == report.removed == report.duplicates == []
    reasons = {r["source"]: r["reason"] for r in report.rejected}
    assert list(reasons) == [rel], report.rejected
    assert phrase in reasons[rel]
    snap = store.load(settings.index_dir)
    assert report.generation == snap.generation
    assert set(snap.documents) == {GOOD}
    assert {c.doc_id for c in snap.chunks.values()} == {GOOD}
    # The rejection is remembered, so `casebot ask` does not call the file "new" forever.
    assert snap.skipped[rel]["kind"] == "rejected"
    assert not any(pending_changes(snap, settings.docs_dir).values())
    return reasons[rel]


# --- PDFs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["truncated", "garbage"])
def test_corrupt_pdf(setup, pdf_maker, kind):
    settings = setup()
    bad = settings.docs_dir / "broken.pdf"
    if kind == "truncated":
        pdf_maker(bad, ["Calcinosis universalis in a child.\nMore text on the first page of the report."])
        bad.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])
    else:
        bad.write_bytes(b"%PDF-1.7\n" + random.Random(7).randbytes(4000))
    reason = assert_only_bad_rejected(settings, update(settings), "broken.pdf", "corrupt PDF")
    assert "re-export or re-download" in reason


def test_encrypted_pdf(setup, pdf_maker):
    settings = setup()
    pdf_maker(
        settings.docs_dir / "locked.pdf", ["Calcinosis cutis after a long course of dermatomyositis."], encrypt="secret"
    )
    reason = assert_only_bad_rejected(settings, update(settings), "locked.pdf", "encrypted PDF")
    assert "remove the password" in reason


def test_pdf_without_text_layer(setup):
    from reportlab.pdfgen import canvas

    settings = setup()
    c = canvas.Canvas(str(settings.docs_dir / "scan.pdf"))
    c.rect(80, 80, 300, 400, fill=1)  # a "scanned page": ink but no text
    c.showPage()
    c.save()
    reason = assert_only_bad_rejected(settings, update(settings), "scan.pdf", "PDF has no text layer")
    assert "OCR" in reason


# --- text files ---------------------------------------------------------------------------


def test_empty_file(setup):
    settings = setup()
    (settings.docs_dir / "empty.txt").write_bytes(b"")
    assert_only_bad_rejected(settings, update(settings), "empty.txt", "empty file")


def test_binary_junk_with_txt_extension(setup):
    settings = setup()
    (settings.docs_dir / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00" + os.urandom(5000))
    reason = assert_only_bad_rejected(settings, update(settings), "image.txt", "binary data, not text")
    assert "extension" in reason


LEGACY = {
    # An English report whose author typed accented words, saved by a Windows editor.
    "english": "A 54-year-old woman was admitted in Décembre with fièvre, café-au-lait macules and "
    "subcutaneous nodules of the thighs. Ultrasound showed extensive calcifications. "
    "Treatment was stopped after a slight improvement.\n",
    # A French case report saved as Windows-1252: the usual way such files arrive.
    "french": "Patiente de 54 ans admise en Décembre pour fièvre prolongée et nodules sous-cutanés. "
    "L'échographie a montré des calcifications étendues des cuisses. "
    "Le traitement a été arrêté après une amélioration légère.\n",
    # A short note (a user review): too little text for the detector to tell cp1252 from Mac Central European.
    "short": "Fièvre récurrente chez une patiente âgée\n\nUne femme de 67 ans présentait une fièvre.\n",
}


@pytest.mark.parametrize(
    "language",
    [
        "english",
        "french",
        "short",
    ],
)
def test_legacy_encoded_text_is_detected_with_correct_text(setup, language):
    settings = setup()
    text = LEGACY[language]
    (settings.docs_dir / "legacy.txt").write_bytes(text.encode("cp1252"))
    report = update(settings)
    assert report.rejected == []
    assert sorted(report.added) == sorted([GOOD, "legacy.txt"])
    snap = store.load(settings.index_dir)
    indexed = " ".join(c.text for c in snap.chunks.values() if c.doc_id == "legacy.txt")
    title, body = text.split("\n\n", 1) if language == "short" else (None, text)  # its first line is its title
    assert " ".join(indexed.split()) == " ".join(body.split())  # every accent decoded as written
    assert title is None or snap.documents["legacy.txt"].title == title
    # ...and the accented words are what retrieval sees.
    hits = CaseBot(settings).search("Décembre fièvre" if language != "short" else "fièvre récurrente", k=1)
    assert hits[0].doc_id == "legacy.txt" and "fièvre" in hits[0].text


def test_undecodable_text_is_rejected(setup):
    """High bytes with no NUL and no plausible encoding: rejected, not indexed as mojibake."""
    settings = setup()
    rng = random.Random(3)
    (settings.docs_dir / "junk.txt").write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(3000)))
    reason = assert_only_bad_rejected(settings, update(settings), "junk.txt", "not UTF-8")
    assert "save it as UTF-8" in reason


def test_file_over_size_limit(setup):
    settings = setup(max_file_mb=0.001)  # 1048 bytes; the good paper is smaller
    assert (settings.docs_dir / GOOD).stat().st_size < 0.001 * 2**20
    (settings.docs_dir / "long.txt").write_text(GOOD_TEXT.replace("58", "61") * 20, encoding="utf-8")
    reason = assert_only_bad_rejected(settings, update(settings), "long.txt", "over the 0.001 MiB limit")
    assert "max_file_mb" in reason


# --- other formats and unreadable files ----------------------------------------------------


def test_malformed_xml(setup):
    settings = setup()
    (settings.docs_dir / "article.xml").write_text(
        "<article><front><article-meta><title-group><article-title>Calcinosis"
        "</article-meta></front><body><sec><p>Unclosed</sec></body>",
        encoding="utf-8",
    )
    reason = assert_only_bad_rejected(settings, update(settings), "article.xml", "malformed XML")
    assert "fix the XML" in reason


def test_unsupported_extension(setup):
    settings = setup()
    (settings.docs_dir / "report.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    reason = assert_only_bad_rejected(settings, update(settings), "report.docx", "unsupported file type .docx")
    assert ".pdf" in reason and ".xml" in reason  # tells the user what would work


def test_dangling_symlink(setup):
    settings = setup()
    (settings.docs_dir / "x.txt").symlink_to(settings.docs_dir / "missing.txt")
    reason = assert_only_bad_rejected(settings, update(settings), "x.txt", "cannot read file")
    assert "No such file" in reason


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of their mode")
def test_file_without_read_permission(setup):
    settings = setup()
    bad = settings.docs_dir / "private.txt"
    bad.write_text(OTHER_TEXT, encoding="utf-8")
    bad.chmod(0)
    try:
        reason = assert_only_bad_rejected(settings, update(settings), "private.txt", "cannot read file")
    finally:
        bad.chmod(0o644)
    assert "Permission denied" in reason


# --- bad versions of good papers, bad sidecars ----------------------------------------------


def test_corrupt_replacement_keeps_previous_version(setup):
    settings = setup()
    other = settings.docs_dir / OTHER
    other.write_text(OTHER_TEXT, encoding="utf-8")
    first = update(settings)
    assert sorted(first.added) == [GOOD, OTHER]

    other.write_bytes(b"\x00\x01\x02garbage" + os.urandom(2000))  # a failed download over the good file
    report = update(settings)
    assert report.added == report.changed == report.removed == []
    assert sorted(report.unchanged) == [GOOD, OTHER]
    assert [r["source"] for r in report.rejected] == [OTHER]
    reason = report.rejected[0]["reason"]
    assert "binary data" in reason and "previously indexed version is kept" in reason

    snap = store.load(settings.index_dir)
    assert set(snap.documents) == {GOOD, OTHER}
    answer = CaseBot(settings).ask("What did the transbronchial biopsy show?")
    assert not answer.abstained
    assert answer.passages[0].doc_id == OTHER
    assert "non-caseating granulomas" in answer.text


def test_sidecar_with_unknown_keys(setup):
    settings = setup()
    (settings.docs_dir / OTHER).write_text(OTHER_TEXT, encoding="utf-8")
    (settings.docs_dir / "sarcoidosis.meta.toml").write_text(
        'title = "Lofgren syndrome"\nauthor = "A. Typo"\nvolume = 3\n', encoding="utf-8"
    )
    reason = assert_only_bad_rejected(settings, update(settings), OTHER, "sidecar sarcoidosis.meta.toml")
    assert "unknown keys ['author', 'volume']" in reason
    assert "authors" in reason  # the allowed keys are listed


# --- the same, through the command line -------------------------------------------------------


def test_cli_update_shows_progress_by_paper_on_a_terminal_that_reports_no_width(tmp_path):
    """A user review: under `script` (a terminal of 0 columns) the first build showed nothing for 30 s, and the bar,
    labelled in passages, counted files. It counts papers, draws at 80 columns then, and stays when done."""
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    for n in range(3):
        (docs / f"paper{n}.txt").write_text(GOOD_TEXT.replace("58", str(40 + n)), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")} | {"CASEBOT_MODEL": HASHING_MODEL}
    env.pop("COLUMNS", None)
    primary, secondary = pty.openpty()  # a new pseudo-terminal reports 0 columns, as `script` does
    try:
        proc = subprocess.run(
            [str(CASEBOT), "index", "update", "--docs-dir", str(docs), "--index-dir", str(index)],
            stdin=secondary,
            stdout=secondary,
            stderr=secondary,
            env=env,
            timeout=300,
        )
        os.close(secondary)
        out = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal was closed: everything written has been read
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(primary)
    assert proc.returncode == 0
    text = out.decode("utf-8", "replace")
    assert "indexing" in text and "3/3" in text and "paper" in text, text
    assert "passage/s" not in text


def test_cli_update_json_reports_rejections(tmp_path):
    docs, index = tmp_path / "docs", tmp_path / "index"
    (docs / "sub").mkdir(parents=True)
    (docs / GOOD).write_text(GOOD_TEXT, encoding="utf-8")
    (docs / "sub" / "empty.txt").write_bytes(b"")
    (docs / "junk.pdf").write_bytes(b"garbage before the header %PDF-1.4")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")}
    proc = subprocess.run(
        [str(CASEBOT), "index", "update", "--json", "--docs-dir", str(docs), "--index-dir", str(index)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout  # exactly one JSON object, nothing else on stdout
    out = json.loads(lines[0])
    assert set(out) == {
        "added",
        "changed",
        "removed",
        "unchanged",
        "duplicates",
        "rejected",
        "chunks_embedded",
        "generation",
        "warnings",
    }
    assert out["added"] == [GOOD]
    assert out["changed"] == out["removed"] == out["unchanged"] == out["duplicates"] == []
    assert [r["source"] for r in out["rejected"]] == ["junk.pdf", "sub/empty.txt"]
    assert out["rejected"][1] == {
        "source": "sub/empty.txt",
        "reason": "empty file: add its text, or remove it from the docs dir",
    }
    assert out["chunks_embedded"] >= 1
    assert out["generation"] == store.current_generation(index)
    assert "casebot: rejected sub/empty.txt: empty file" in proc.stderr
    assert "pypdf" not in proc.stderr  # one line per bad file, not the PDF reader's own warnings too
