"""Hardening (issue 13): one bad file never stops an update, and nothing outside the docs
and index folders is read or written.

Each section is one defect found by an adversarial run, numbered as in the issue; every
test failed on the code before the fix. The real model, real PDFs and a real index are
used throughout; CLI calls run in-process through click's CliRunner unless the behaviour
is about processes (a terminal prompt, a second process holding the lock).
"""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from test_bad_input import GOOD, GOOD_TEXT, OTHER, OTHER_TEXT  # the same two papers beside the bad files

from bot import CaseBot, store
from bot.cli import main as cli_main
from bot.errors import InputError, StoreError
from bot.indexer import Indexer, expected_manifest

CASEBOT = Path(sys.executable).with_name("casebot")
SECRET = (
    "The vault combination is kept by the night porter of the east wing. "
    "Nobody outside the building should ever be told the combination.\n"
)


def clean_env(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")}, **extra}


@pytest.fixture
def cli(monkeypatch, embedder, tmp_path):
    """Invoke `casebot ...` in-process; the user state dir (notes shown once) is the test's own."""
    for key in list(os.environ):
        if key.startswith("CASEBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def invoke(settings, *args: str, input: str | None = None):
        where = ["--docs-dir", str(settings.docs_dir), "--index-dir", str(settings.index_dir)]
        return CliRunner().invoke(cli_main, [str(a) for a in args] + where, input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def docs(make_settings, embedder):
    """Settings over a docs dir holding the good paper (not yet indexed)."""

    def make(**overrides):
        settings = make_settings(**overrides)
        (settings.docs_dir / GOOD).write_text(GOOD_TEXT, encoding="utf-8")
        return settings

    return make


def rejected(report) -> dict[str, str]:
    return {r["source"]: r["reason"] for r in report.rejected}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# --- 1. one bad file never aborts the update -----------------------------------------------------


def test_pdf_needing_a_missing_optional_package_is_rejected_not_fatal(docs, pdf_maker, monkeypatch):
    """Without `cryptography`, pypdf raises DependencyError for AES PDFs: that file is rejected, the rest indexed."""
    import pypdf
    from pypdf.errors import DependencyError

    settings = docs()
    pdf_maker(settings.docs_dir / "aes.pdf", ["Calcinosis cutis in juvenile dermatomyositis, a case report."])

    def without_cryptography(*args, **kwargs):
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(pypdf, "PdfReader", without_cryptography)
    report = Indexer(settings).update()
    assert report.added == [GOOD]
    assert "cryptography>=3.1 is required" in rejected(report)["aes.pdf"]


def test_aes_pdf_with_an_empty_user_password_is_decrypted_and_indexed(docs, pdf_maker, tmp_path):
    """'No copying' PDFs are AES-encrypted with an empty user password: they open without one."""
    from pypdf import PdfReader, PdfWriter

    settings = docs()
    plain = pdf_maker(tmp_path / "plain.pdf", [OTHER_TEXT.strip().replace(". ", ".\n")])
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm="AES-256")
    with open(settings.docs_dir / "protected.pdf", "wb") as fh:
        writer.write(fh)
    pdf_maker(settings.docs_dir / "locked.pdf", ["Calcinosis cutis after dermatomyositis."], encrypt="secret")

    report = Indexer(settings).update()
    assert report.added == [GOOD, "protected.pdf"]
    assert "remove the password" in rejected(report)["locked.pdf"]
    answer = CaseBot(settings).ask("What did the transbronchial biopsy show?")
    assert answer.passages[0].doc_id == "protected.pdf" and "non-caseating granulomas" in answer.text


def test_file_name_that_is_not_utf8_is_rejected_and_the_rest_indexed(docs):
    settings = docs()
    with open(os.path.join(os.fsencode(settings.docs_dir), b"caf\xe9-report.txt"), "w", encoding="utf-8") as fh:
        fh.write(OTHER_TEXT)
    report = Indexer(settings).update()
    assert report.added == [GOOD]
    assert rejected(report) == {
        "caf\\xe9-report.txt": "the file name is not valid UTF-8 (shown with \\x escapes); rename it"
    }
    assert not any(CaseBot(settings).pending_changes().values())  # remembered, not "new" on every ask


@pytest.mark.parametrize(
    "sidecar, phrase",
    [
        ("authors = 5\n", "authors must be a list of strings"),
        ('title = ["Lofgren", "syndrome"]\n', "title must be a string, not ['Lofgren', 'syndrome']"),
        ('year = "last spring"\n', "year must be a whole number (e.g. 2021), not 'last spring'"),
    ],
)
def test_sidecar_with_a_wrong_type_is_rejected_naming_the_field_and_type(docs, sidecar, phrase):
    settings = docs()
    (settings.docs_dir / OTHER).write_text(OTHER_TEXT, encoding="utf-8")
    (settings.docs_dir / "sarcoidosis.meta.toml").write_text(sidecar, encoding="utf-8")
    report = Indexer(settings).update()
    assert report.added == [GOOD]
    reason = rejected(report)[OTHER]
    assert reason.startswith("sidecar sarcoidosis.meta.toml: ") and phrase in reason and "\n" not in reason


def test_a_new_format_is_one_reader_function(docs, monkeypatch):
    """Issue 8: readers are registered by suffix; adding one makes the update index that format."""
    from bot import ingest
    from bot.cleaning import clean_pages
    from bot.records import Metadata

    def read_rst(data: bytes) -> tuple[Metadata, list]:
        lines = [ln for ln in data.decode("utf-8").splitlines() if not set(ln) <= set("=-~")]
        return Metadata(title=lines[0]), clean_pages(["\n".join(lines[1:])])

    settings = docs()
    (settings.docs_dir / "lofgren.rst").write_text(
        "Lofgren syndrome\n================\n\n" + OTHER_TEXT, encoding="utf-8"
    )
    assert "unsupported file type .rst" in rejected(Indexer(settings).update())["lofgren.rst"]
    monkeypatch.setitem(ingest.READERS, ".rst", read_rst)
    (settings.docs_dir / "lofgren.rst").touch()
    report = Indexer(settings).update()
    assert report.added == ["lofgren.rst"] and report.rejected == []
    assert store.load(settings.index_dir).documents["lofgren.rst"].title == "Lofgren syndrome"


# --- 2. nothing outside the docs folder is indexed ----------------------------------------------


def test_symlink_out_of_the_docs_folder_is_rejected(docs, tmp_path):
    settings = docs()
    outside = tmp_path / "elsewhere" / "secret.txt"
    outside.parent.mkdir()
    outside.write_text(SECRET, encoding="utf-8")
    (settings.docs_dir / "passwd.txt").symlink_to(outside)
    (settings.docs_dir / "inner.txt").symlink_to(settings.docs_dir / GOOD)  # a link inside is fine

    report = Indexer(settings).update()
    assert "outside the docs folder" in rejected(report)["passwd.txt"]
    assert "follow_symlinks" in rejected(report)["passwd.txt"]
    assert "passwd.txt" not in store.load(settings.index_dir).documents
    assert not any(h.doc_id == "passwd.txt" for h in CaseBot(settings).search("vault combination night porter"))


def test_symlinks_out_are_indexed_when_the_setting_allows_them(docs, tmp_path):
    settings = docs(follow_symlinks=True)
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (settings.docs_dir / "shared.txt").symlink_to(tmp_path / "secret.txt")
    assert Indexer(settings).update().added == [GOOD, "shared.txt"]


def test_paper_reached_through_a_link_out_is_dropped_when_links_are_no_longer_followed(docs, tmp_path):
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    allowed = docs(follow_symlinks=True)
    (allowed.docs_dir / "shared.txt").symlink_to(tmp_path / "secret.txt")
    Indexer(allowed).update()
    settings = docs()  # the same folders, follow_symlinks back to its default (false)
    report = Indexer(settings).update()
    assert report.removed == ["shared.txt"] and "outside the docs folder" in rejected(report)["shared.txt"]
    assert set(store.load(settings.index_dir).documents) == {GOOD}


# --- 3. nothing is written through a link in the index folder ------------------------------------


def test_lock_file_that_is_a_symlink_is_refused_and_its_target_untouched(docs, tmp_path, cli):
    settings = docs()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    settings.index_dir.mkdir()
    (settings.index_dir / store.LOCK).symlink_to(victim)

    result = cli(settings, "index", "update")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is a symbolic link" in lines[0] and "delete the link" in lines[0], result.stderr
    assert victim.read_text(encoding="utf-8") == "precious\n"


# --- 4. `index remove` takes the writer lock before touching a file -------------------------------


def test_remove_during_another_update_touches_nothing(docs, cli):
    settings = docs()
    Indexer(settings).update()
    with store.writer_lock(settings.index_dir):  # another update is running
        result = cli(settings, "index", "remove", GOOD, "--yes")
    assert result.exit_code == 1 and "another update is running" in result.stderr
    assert (settings.docs_dir / GOOD).read_text(encoding="utf-8") == GOOD_TEXT
    assert set(store.load(settings.index_dir).documents) == {GOOD}


# --- 5. a question has a length limit and no control characters ----------------------------------


def test_question_over_the_word_limit_is_refused_naming_the_setting(shipped_bot):
    question = "What share of dermatomyositis patients develop calcinosis cutis? " * 40  # 320 words
    with pytest.raises(InputError) as caught:
        shipped_bot.ask(question)
    assert "320 words, over the limit of 300 (setting max_question_words)" in caught.value.one_line()


@pytest.mark.parametrize("question", ["?", " ... ", "?!"])
def test_a_question_of_punctuation_only_is_refused_like_an_empty_one(shipped_bot, question):
    """A user review: `casebot ask "?"` searched and abstained instead of asking for a question."""
    with pytest.raises(InputError) as caught:
        shipped_bot.ask(question)
    assert "the question has no words" in caught.value.one_line()


def test_control_characters_are_stripped_from_a_question(shipped_bot):
    answer = shipped_bot.ask("What share of\x00 dermatomyositis\x1b[31m patients develop\x07 calcinosis cutis?")
    assert answer.question == "What share of dermatomyositis [31m patients develop calcinosis cutis?"
    assert not any(ord(c) < 32 for c in answer.query)
    assert not answer.abstained


# --- 6. `index add` copies only accepted files; `index remove` can be undone ------------------------


def test_add_copies_only_files_that_would_be_accepted(make_settings, embedder, cli, tmp_path):
    settings = make_settings()
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / GOOD).write_text(GOOD_TEXT, encoding="utf-8")
    (incoming / "empty.txt").write_bytes(b"")
    (incoming / "junk.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(3000))

    result = cli(settings, "index", "add", incoming / GOOD, incoming / "empty.txt", incoming / "junk.pdf", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["added"] == [GOOD]
    reasons = {Path(r["source"]).name: r["reason"] for r in out["rejected"]}
    assert set(reasons) == {"empty.txt", "junk.pdf"}
    assert (
        reasons["empty.txt"]
        == f"not copied into {settings.docs_dir}: empty file: add its text, or remove it from the docs dir"
    )
    assert "corrupt PDF" in reasons["junk.pdf"]
    assert sorted(p.name for p in settings.docs_dir.iterdir()) == [GOOD]
    # Nothing was copied, so nothing is reported again by the next update.
    assert Indexer(settings).update().rejected == []


def test_the_summary_lists_each_rejected_file_on_a_line_and_add_counts_no_unchanged_papers(
    make_settings, embedder, cli, tmp_path
):
    """A user review: rejects were joined by "; " while their reasons hold "; " themselves, and `index add`
    said "unchanged 0" beside an index of fifteen papers (it reads only the papers it adds)."""
    settings = make_settings()
    (settings.docs_dir / GOOD).write_text(GOOD_TEXT, encoding="utf-8")
    (settings.docs_dir / "empty.txt").write_bytes(b"")
    (settings.docs_dir / "junk.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(3000))
    lines = cli(settings, "index", "update").stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.split()[:2] == ["rejected", "2"])
    assert [line.split(":")[0].strip() for line in lines[at + 1 : at + 3]] == ["empty.txt", "junk.pdf"]
    assert any(line.split()[:2] == ["unchanged", "0"] for line in lines)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "other.txt").write_text(GOOD_TEXT.replace("calcinosis", "scleroderma"), encoding="utf-8")
    added = cli(settings, "index", "add", incoming / "other.txt").stdout
    assert any(line.split() == ["added", "1", "other.txt"] for line in added.splitlines()) and "unchanged" not in added


def test_add_never_replaces_another_paper_of_the_same_name(make_settings, embedder, cli, tmp_path):
    """`index add` adds papers: a new file named like an indexed one is refused, not copied over it."""
    settings = make_settings()
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / GOOD).write_text(GOOD_TEXT, encoding="utf-8")
    assert cli(settings, "index", "add", incoming / GOOD).exit_code == 0

    (incoming / GOOD).write_text(OTHER_TEXT, encoding="utf-8")  # another paper, the same file name
    result = cli(settings, "index", "add", incoming / GOOD, "--json")
    assert result.exit_code == 1  # nothing was added
    (reason,) = [r["reason"] for r in json.loads(result.stdout)["rejected"]]
    assert f"{GOOD} exists already with other content" in reason and "casebot index remove" in reason
    assert (settings.docs_dir / GOOD).read_text(encoding="utf-8") == GOOD_TEXT
    assert list(CaseBot(settings).retriever().snap.documents) == [GOOD]

    (incoming / GOOD).write_text(GOOD_TEXT, encoding="utf-8")  # the same bytes again lose nothing
    again = cli(settings, "index", "add", incoming / GOOD, "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["unchanged"] == [GOOD]

    (incoming / "copy-of-it.txt").write_text(GOOD_TEXT, encoding="utf-8")  # an indexed paper under another name
    copy = cli(settings, "index", "add", incoming / "copy-of-it.txt", "--json")
    assert copy.exit_code == 0
    (dup,) = json.loads(copy.stdout)["duplicates"]
    assert dup["duplicate_of"] == GOOD and dup["reason"] == "same text; not copied"
    assert sorted(p.name for p in settings.docs_dir.iterdir()) == [GOOD]  # no second copy to report forever


def test_escape_sequences_in_a_paper_or_its_name_never_reach_the_terminal(make_settings, embedder, cli):
    """A paper could set the window title (OSC) or clear the screen (CSI) of whoever reads its quotes;
    a file name with an escape in it is shown as it can be typed back."""
    settings = make_settings()
    (settings.docs_dir / GOOD).write_text(
        GOOD_TEXT.replace("calcinosis", "calcinosis\x1b]0;PWNED\x07", 1), encoding="utf-8"
    )
    (settings.docs_dir / "odd\x1b[31mname.txt").write_bytes(b"")
    report = cli(settings, "index", "update")
    assert "odd\\x1b[31mname.txt: empty file" in report.stderr
    answer = cli(settings, "ask", "What did the radiographs of the woman with calcinosis show?")
    assert "\x1b" not in report.output + answer.output and "\x07" not in answer.output
    assert "calcinosis" in answer.output  # the text itself is still there
    unquoted = cli(settings, "ask", *"What did the radiographs of the woman with calcinosis show?".split())
    assert unquoted.exit_code == 0 and unquoted.output == answer.output  # quotes around a question are optional
    listed = cli(settings, "index", "list").output
    assert "\x1b" not in listed and f"{GOOD}  [1 passage, added" in listed


def test_asking_an_index_whose_current_pointer_is_gone_says_so_before_rebuilding(make_settings, embedder, cli):
    """A user review: with CURRENT deleted, `ask` said "No index yet" and silently re-embedded everything."""
    settings = make_settings()
    (settings.docs_dir / GOOD).write_text(GOOD_TEXT, encoding="utf-8")
    assert cli(settings, "index", "update").exit_code == 0
    (settings.index_dir / store.CURRENT).unlink()
    result = cli(settings, "ask", "What did the radiographs show?")
    assert "CURRENT file is missing" in result.stderr and "No index yet" not in result.stderr
    assert GOOD in result.stdout  # then it searches the new index


def test_asking_an_index_without_papers_says_how_to_add_some(make_settings, embedder, cli):
    settings = make_settings()
    assert cli(settings, "index", "update").exit_code == 0  # an empty docs folder: an empty index
    result = cli(settings, "ask", "What dose of IVIG was given?")
    assert "No passage in the indexed case reports answers this." in result.stdout
    assert "the index holds no papers" in result.stderr and "casebot index update" in result.stderr


def test_remove_moves_papers_to_the_trash_and_restore_brings_them_back(docs, cli):
    settings = docs()
    (settings.docs_dir / OTHER).write_text(OTHER_TEXT, encoding="utf-8")
    (settings.docs_dir / "sarcoidosis.meta.toml").write_text('title = "Lofgren syndrome"\n', encoding="utf-8")
    Indexer(settings).update()

    removed = cli(settings, "index", "remove", "sarcoidosis", "--json")
    assert removed.exit_code == 0, removed.stderr
    assert json.loads(removed.stdout)["removed"] == [OTHER]
    assert sorted(p.name for p in settings.docs_dir.iterdir()) == [GOOD]
    assert "undo with `casebot index restore NAME`" in removed.stderr

    restored = cli(settings, "index", "restore", "sarcoidosis", "--json")
    assert restored.exit_code == 0, restored.stderr
    assert json.loads(restored.stdout)["added"] == [OTHER]
    assert (settings.docs_dir / OTHER).read_text(encoding="utf-8") == OTHER_TEXT
    assert store.load(settings.index_dir).documents[OTHER].title == "Lofgren syndrome"  # the sidecar came back too

    missing = cli(settings, "index", "restore", "nope")
    assert missing.exit_code == 1 and "no removed paper named 'nope'" in missing.stderr


def test_remove_asks_for_confirmation_on_a_terminal(docs, tmp_path):
    import pexpect

    settings = docs()
    Indexer(settings).update()
    child = pexpect.spawn(
        str(CASEBOT),
        ["index", "remove", "calcinosis", "--docs-dir", str(settings.docs_dir), "--index-dir", str(settings.index_dir)],
        env=clean_env(),
        timeout=120,
        encoding="utf-8",
    )
    child.expect(r"Remove calcinosis.txt from .* \(kept in the index's trash\)\? \[y/N\]")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1  # aborted
    assert (settings.docs_dir / GOOD).exists() and set(store.load(settings.index_dir).documents) == {GOOD}


def test_trash_keeps_a_removal_for_a_bounded_number_of_generations(tmp_path):
    from bot import trash

    index = tmp_path / "index"
    for n in (1, 2, 7):
        (index / trash.TRASH / f"gen-{n:06d}-20260101T000000Z" / "paper.txt").parent.mkdir(parents=True)
        (index / trash.TRASH / f"gen-{n:06d}-20260101T000000Z" / "paper.txt").write_text("x", encoding="utf-8")
    trash.collect(index, f"gen-{2 + trash.KEEP_GENERATIONS:06d}")
    assert sorted(p.name[:10] for p in (index / trash.TRASH).iterdir()) == ["gen-000002", "gen-000007"]


# --- 7. `ask` waits for another process's first build ---------------------------------------------


def test_ask_waits_for_the_first_build_another_process_is_running(docs, tmp_path):
    settings = docs()
    with store.writer_lock(settings.index_dir) as lock:  # this test is "the other process"
        with open(tmp_path / "stderr", "wb") as err:
            proc = subprocess.Popen(
                [
                    str(CASEBOT),
                    "ask",
                    "What was injected monthly?",
                    "--docs-dir",
                    str(settings.docs_dir),
                    "--index-dir",
                    str(settings.index_dir),
                ],
                stdout=subprocess.PIPE,
                stderr=err,
                env=clean_env(),
                text=True,
            )
        deadline = time.monotonic() + 120
        while b"waiting for it" not in (tmp_path / "stderr").read_bytes():
            assert proc.poll() is None, (tmp_path / "stderr").read_text()
            assert time.monotonic() < deadline, "ask never said it was waiting"
            time.sleep(0.1)
        Indexer(settings).update(lock=lock)
    stdout, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, (tmp_path / "stderr").read_text()
    assert "sodium thiosulfate" in stdout
    assert "Another process is building the first index" in (tmp_path / "stderr").read_text()


# --- 8. `index add` never writes outside the docs folder ------------------------------------------


def test_add_refuses_a_path_through_dotdot(make_settings, embedder, cli, tmp_path, monkeypatch):
    settings = make_settings()
    project = tmp_path / "project"
    (project / "config").mkdir(parents=True)
    (project / "config" / "casebot.toml").write_text("[retrieval]\nk = 5\n", encoding="utf-8")
    (project / "some" / "dir").mkdir(parents=True)
    (project / "some" / "paper.txt").write_text(OTHER_TEXT, encoding="utf-8")
    monkeypatch.chdir(project / "some" / "dir")
    before = tree(tmp_path)

    for target in ("..", "../../some/dir/.."):
        result = cli(settings, "index", "add", target)
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "a path through '..'" in lines[0], result.stderr
    assert tree(tmp_path) == before


def test_add_refuses_a_target_that_a_link_leads_out_of_the_docs_folder(make_settings, embedder, cli, tmp_path):
    settings = make_settings()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (settings.docs_dir / "batch").symlink_to(elsewhere, target_is_directory=True)
    incoming = tmp_path / "batch"
    incoming.mkdir()
    (incoming / GOOD).write_text(GOOD_TEXT, encoding="utf-8")

    result = cli(settings, "index", "add", incoming)
    assert result.exit_code == 1
    assert "lies outside" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(elsewhere.iterdir()) == []


def test_add_does_not_copy_links_out_of_an_added_folder(make_settings, embedder, cli, tmp_path):
    settings = make_settings()
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    incoming = tmp_path / "batch"
    incoming.mkdir()
    (incoming / GOOD).write_text(GOOD_TEXT, encoding="utf-8")
    (incoming / "leak.txt").symlink_to(tmp_path / "secret.txt")

    result = cli(settings, "index", "add", incoming, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["added"] == ["batch/" + GOOD]
    assert not (settings.docs_dir / "batch" / "leak.txt").exists()
    assert "leak.txt" in result.stderr and "outside" in result.stderr


# --- 9. content guards: non-prose, passage length, passages per file ------------------------------


def test_base64_file_is_rejected_naming_the_limit(docs):
    import base64

    settings = docs()
    blob = base64.encodebytes(os.urandom(30_000)).decode()  # 76-character lines of base64
    (settings.docs_dir / "attachment.txt").write_text(blob, encoding="utf-8")
    (settings.docs_dir / "one-line.txt").write_text("x" * 200_000, encoding="utf-8")
    reasons = rejected(Indexer(settings).update())
    for name in ("attachment.txt", "one-line.txt"):
        assert "is not prose" in reasons[name] and "(setting max_nonprose_share)" in reasons[name]


def test_table_of_numbers_is_rejected(docs):
    settings = docs()
    rows = "\n".join(" ".join(str((i * 37 + j * 11) % 997) for j in range(12)) for i in range(400))
    (settings.docs_dir / "table.txt").write_text(rows, encoding="utf-8")
    assert "is not prose" in rejected(Indexer(settings).update())["table.txt"]


def test_no_passage_is_longer_than_max_passage_chars(docs):
    settings = docs(max_passage_chars=1000)
    run = "calcinosis" * 600  # 6,000 characters without a space: one "unknown" word piece to the model
    (settings.docs_dir / OTHER).write_text(OTHER_TEXT * 30 + run + " " + OTHER_TEXT, encoding="utf-8")
    report = Indexer(settings).update()
    assert report.added == [GOOD, OTHER]
    chunks = [c for c in store.load(settings.index_dir).chunks.values() if c.doc_id == OTHER]
    assert max(len(c.text) for c in chunks) <= 1000
    assert "".join(c.text for c in chunks).count("calcinosis") >= 600  # split, not dropped


def test_file_over_the_passage_limit_is_rejected_naming_the_setting(docs):
    settings = docs(max_passages_per_file=3)
    paragraphs = "\n\n".join(f"Case {i}. " + OTHER_TEXT for i in range(12))
    (settings.docs_dir / "series.txt").write_text(paragraphs, encoding="utf-8")
    reason = rejected(Indexer(settings).update())["series.txt"]
    assert "over the limit of 3 (setting max_passages_per_file)" in reason


# --- 10. a rejected replacement is a warning, said once ---------------------------------------------


def test_rejected_replacement_is_a_verify_warning_and_an_ask_note_once(docs, cli):
    settings = docs()
    (settings.docs_dir / OTHER).write_text(OTHER_TEXT, encoding="utf-8")
    Indexer(settings).update()
    (settings.docs_dir / OTHER).write_bytes(b"\x00\x01garbage" + os.urandom(2000))  # a failed download
    assert cli(settings, "index", "update").exit_code == 0

    verify = cli(settings, "index", "verify")
    assert verify.exit_code == 0, verify.stdout
    assert f"warning: a bad replacement of {OTHER} is waiting" in verify.stdout
    assert "the previous good version is served" in verify.stdout
    assert json.loads(cli(settings, "index", "verify", "--json").stdout)["consistent"] is True

    first = cli(settings, "ask", "What did the transbronchial biopsy show?")
    second = cli(settings, "ask", "What did the transbronchial biopsy show?")
    assert first.exit_code == second.exit_code == 0
    assert "non-caseating granulomas" in first.stdout and "non-caseating granulomas" in second.stdout
    assert f"the replacement of {OTHER} was rejected" in first.stderr
    assert "rejected" not in second.stderr and "changed since" not in second.stderr


# --- 11. UTF-16 text ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, bom",
    [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-16-le", b""), ("utf-16-be", b"")],
)
def test_utf16_text_is_decoded(docs, encoding, bom):
    settings = docs()
    (settings.docs_dir / OTHER).write_bytes(bom + OTHER_TEXT.replace("Lofgren", "Löfgren").encode(encoding))
    report = Indexer(settings).update()
    assert report.added == [GOOD, OTHER], report.rejected
    assert "Löfgren syndrome" in store.load(settings.index_dir).chunks[2].text


# --- 12. damaged generations, CURRENT, leftovers -----------------------------------------------------


def test_reader_refuses_and_update_rebuilds_a_tampered_generation(docs, cli, embedder):
    settings = docs()
    Indexer(settings).update()
    gen = settings.index_dir / store.current_generation(settings.index_dir)
    terms = next(gen.glob("seg-*/terms.npy"))  # the BM25 vocabulary: reversed, the same size
    np.save(terms, np.load(terms)[::-1].copy(), allow_pickle=False)
    with pytest.raises(StoreError, match="does not match its checksum"):
        CaseBot(settings).ask("What was injected monthly?")

    result = cli(settings, "index", "update", "--json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["generation"] != gen.name and out["added"] == [GOOD]
    assert "does not match its checksum" in out["warnings"][0] and "rebuilt it" in out["warnings"][0]
    assert "casebot: warning:" in result.stderr
    assert store.verify(settings.index_dir, expected_manifest(settings, embedder.dimension)) == []
    assert "sodium thiosulfate" in CaseBot(settings).ask("What was injected monthly?").text


def test_current_naming_a_folder_outside_the_index_is_refused(docs, tmp_path, cli):
    settings = docs()
    Indexer(settings).update()
    (tmp_path / "x").mkdir()
    (settings.index_dir / store.CURRENT).write_text("../../x\n", encoding="utf-8")
    with pytest.raises(StoreError, match="not a generation folder inside"):
        store.load(settings.index_dir)
    result = cli(settings, "index", "update", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["added"] == [GOOD]
    assert set(store.load(settings.index_dir).documents) == {GOOD}
    assert list((tmp_path / "x").iterdir()) == []


def test_every_update_removes_leftover_temporaries_and_links_named_like_them(docs, tmp_path):
    settings = docs()
    first = Indexer(settings).update().generation
    target = tmp_path / "not-the-index"
    target.mkdir()
    (target / "keep.txt").write_text("keep", encoding="utf-8")
    (settings.index_dir / (store.TMP_PREFIX + "gen-000005")).mkdir()  # a killed writer's half-built generation
    (settings.index_dir / (store.TMP_PREFIX + "gen-000002")).symlink_to(target, target_is_directory=True)

    assert Indexer(settings).update().generation == first  # nothing changed: no new generation
    assert not list(settings.index_dir.glob(store.TMP_PREFIX + "*"))
    assert (target / "keep.txt").read_text(encoding="utf-8") == "keep"

    (settings.index_dir / (store.TMP_PREFIX + "gen-000002")).symlink_to(target, target_is_directory=True)
    (settings.docs_dir / OTHER).write_text(OTHER_TEXT, encoding="utf-8")
    assert Indexer(settings).update().added == [OTHER]  # the link named like the next build does not block it
    assert (target / "keep.txt").read_text(encoding="utf-8") == "keep"


def test_generation_folder_that_is_a_symlink_is_refused(docs, tmp_path):
    settings = docs()
    gen = settings.index_dir / Indexer(settings).update().generation
    moved = tmp_path / "moved"
    gen.rename(moved)
    gen.symlink_to(moved, target_is_directory=True)
    with pytest.raises(StoreError, match="is a symbolic link"):
        store.load(settings.index_dir)


# --- concurrency of the reader while the lock is taken in a thread (regression guard) -----------------


def test_writer_running_sees_a_lock_held_elsewhere(tmp_path):
    index = tmp_path / "index"
    assert not store.writer_running(index)
    held, release = threading.Event(), threading.Event()

    def hold():
        with store.writer_lock(index):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(30)
    try:
        assert store.writer_running(index)
        assert not store.wait_for_writer(index, 0.3)
    finally:
        release.set()
        thread.join()
    assert store.wait_for_writer(index, 5)
