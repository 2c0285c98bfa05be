"""Property-based test of `casebot index update` over generated docs folders (issue 13).

Each example is a docs folder mixing good papers (odd but valid names, an AES PDF with an
empty user password, a link to another paper inside the folder) with bad files of every
kind found by the adversarial run: random bytes, truncated and password-protected PDFs,
names that are not UTF-8, broken sidecars, links out of the folder and dangling ones,
files over the size limit, base64 and empty files. The invariants a maintainer relies on:

- the update exits 0 and every good paper is indexed;
- every bad file is rejected with a one-line reason (a link to a paper inside: a duplicate);
- nothing outside the docs and index folders changed;
- `verify` finds nothing, nothing is left pending, and a second update has nothing to do.

`make test` runs a fixed, derandomised set of examples; CASEBOT_FUZZ_EXAMPLES=N runs N
random ones (e.g. for a longer run before a release).
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from click.testing import CliRunner
from conftest import write_pdf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import store
from bot.cli import main as cli_main
from bot.config import load_settings
from bot.indexer import expected_manifest, pending_changes

EXAMPLES = int(os.environ.get("CASEBOT_FUZZ_EXAMPLES", "0")) or 12
MAX_FILE_MB = 0.05  # small, so "huge" files are cheap to make

DISEASES = [
    "dermatomyositis",
    "gout",
    "sarcoidosis",
    "Kawasaki disease",
    "scurvy",
    "lupus",
    "pemphigus",
    "tuberculosis",
    "brucellosis",
    "amyloidosis",
    "porphyria",
    "Whipple disease",
]
DRUGS = [
    "sodium thiosulfate",
    "allopurinol",
    "naproxen",
    "immunoglobulin",
    "ascorbic acid",
    "prednisolone",
    "rituximab",
    "isoniazid",
    "doxycycline",
    "tafamidis",
    "hemin",
    "ceftriaxone",
]


def paper(i: int) -> str:
    """A short case report, different for every i (no two are duplicates)."""
    disease, drug = DISEASES[i % len(DISEASES)], DRUGS[(i * 5) % len(DRUGS)]
    return (
        f"A {23 + i}-year-old patient with {disease} was admitted with fever and fatigue for {i + 2} weeks. "
        f"Examination found {i % 4 + 1} tender nodules on the forearms and a raised inflammatory marker. "
        f"Treatment with {drug} was started and the symptoms settled within {i % 6 + 2} months.\n"
    )


@cache
def pdf_bytes(kind: str) -> bytes:
    """A real PDF of paper(100): plain, protected by a user password, or AES with an empty user password."""
    from pypdf import PdfReader, PdfWriter

    with tempfile.TemporaryDirectory() as tmp:
        text = paper(100).replace(". ", ".\n")
        path = write_pdf(Path(tmp) / "p.pdf", [text], encrypt="secret" if kind == "password" else None)
        if kind == "aes-empty-password":
            writer = PdfWriter(clone_from=PdfReader(path))
            writer.encrypt(user_password="", owner_password="owner", algorithm="AES-256")
            with open(path, "wb") as fh:
                writer.write(fh)
        return path.read_bytes()


@dataclass
class Entry:
    """One docs entry: raw file name (bytes), content or link target, and what the update must do with it."""

    name: bytes
    expect: str  # "indexed" | "rejected" | "duplicate"
    data: bytes = b""
    link: str | None = None  # "outside" | "dangling" | "inside:<name>"
    sidecar: bytes | None = None


NAME_CHARS = st.characters(codec="utf-8", categories=("L", "N", "Zs", "Pd"))
odd_names = st.text(NAME_CHARS, min_size=1, max_size=20).filter(lambda n: n.strip() == n and n[:1] not in ".-")
BROKEN_SIDECARS = [
    b"authors = 5\n",
    b'title = ["a", "b"]\n',
    b"year = 'soon'\n",
    b"volume = 3\n",
    b'title = "unterminated\n',
    b"\xff\xfe\x00junk",
    b"pmid = [1, 2]\n",
]


@st.composite
def bad_entry(draw, i: int) -> Entry:
    kind = draw(
        st.sampled_from(
            [
                "random-bytes",
                "truncated-pdf",
                "password-pdf",
                "broken-sidecar",
                "not-utf8-name",
                "link-outside",
                "dangling-link",
                "link-loop",
                "huge",
                "base64",
                "empty",
                "unsupported",
            ]
        )
    )
    name = f"bad{i}-{kind}".encode()
    if kind == "random-bytes":
        suffix = draw(st.sampled_from([b".txt", b".md", b".xml", b".pdf"]))
        return Entry(name + suffix, "rejected", b"\x00\x00" + draw(st.binary(min_size=16, max_size=3000)))
    if kind == "truncated-pdf":
        whole = pdf_bytes("plain")
        return Entry(name + b".pdf", "rejected", whole[: draw(st.integers(1, len(whole) - 40))])
    if kind == "password-pdf":
        return Entry(name + b".pdf", "rejected", pdf_bytes("password"))
    if kind == "broken-sidecar":
        return Entry(
            name + b".txt", "rejected", paper(200 + i).encode(), sidecar=draw(st.sampled_from(BROKEN_SIDECARS))
        )
    if kind == "not-utf8-name":
        return Entry(
            name + draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3\x28"])) + b".txt", "rejected", paper(300 + i).encode()
        )
    if kind == "link-outside":
        return Entry(name + b".txt", "rejected", link="outside")
    if kind == "dangling-link":
        return Entry(name + b".txt", "rejected", link="dangling")
    if kind == "link-loop":
        return Entry(name + b".txt", "rejected", link="inside:" + (name + b".txt").decode())
    if kind == "huge":
        return Entry(name + b".txt", "rejected", (paper(400 + i) * 300).encode())
    if kind == "base64":
        blob = base64.encodebytes(draw(st.binary(min_size=2000, max_size=20000)))
        return Entry(name + b".txt", "rejected", blob)
    if kind == "empty":
        return Entry(name + draw(st.sampled_from([b".txt", b".pdf", b".xml"])), "rejected", b"")
    return Entry(name + b".docx", "rejected", draw(st.binary(max_size=500)))


@st.composite
def docs_folders(draw) -> list[Entry]:
    entries = []
    for i, stem in enumerate(draw(st.lists(odd_names, min_size=1, max_size=3, unique_by=str.casefold))):
        suffix = draw(st.sampled_from([".txt", ".md"]))
        folder = draw(st.sampled_from(["", "sub/", f"{stem}/"]))
        encoding = draw(st.sampled_from(["utf-8", "utf-16", "utf-16-le", "cp1252"]))
        sidecar = draw(st.sampled_from([None, b'title = "A case"\nauthors = ["A. Author"]\nyear = 2020\n']))
        entries.append(
            Entry(f"{folder}{i}-{stem}{suffix}".encode(), "indexed", paper(i).encode(encoding), sidecar=sidecar)
        )
    if draw(st.booleans()):
        entries.append(Entry(b"protected.pdf", "indexed", pdf_bytes("aes-empty-password")))
    if draw(st.booleans()):  # a link to a paper inside: "!" sorts first, so the link is indexed, the file a duplicate
        entries.append(Entry(b"!alias.txt", "indexed", link="inside:" + entries[0].name.decode()))
        entries[0].expect = "duplicate"
    entries += [draw(bad_entry(i)) for i in range(draw(st.integers(1, 5)))]
    return entries


def snapshot(folder: Path) -> dict[str, tuple[str, bytes]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            out[str(path)] = (
                ("link", os.readlink(path).encode())
                if path.is_symlink()
                else (("dir", b"") if path.is_dir() else ("file", path.read_bytes()))
            )
    return out


def build(root: Path, entries: list[Entry]) -> Path:
    docs = root / "docs"
    docs.mkdir()
    (root / "outside").mkdir()
    (root / "outside" / "secret.txt").write_text(paper(999), encoding="utf-8")
    (docs / "orphan.meta.toml").write_text("authors = 5\n", encoding="utf-8")  # no paper: ignored
    (docs / ".hidden.txt").write_bytes(b"\x00" * 100)  # hidden: ignored
    for e in entries:
        path = os.path.join(os.fsencode(docs), e.name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if e.link == "outside":
            os.symlink(root / "outside" / "secret.txt", path)
        elif e.link == "dangling":
            os.symlink(docs / "missing.txt", path)
        elif e.link:
            os.symlink(e.link.split(":", 1)[1], path)
        else:
            with open(path, "wb") as fh:
                fh.write(e.data)
        if e.sidecar is not None:
            with open(path[: path.rindex(b".")] + b".meta.toml", "wb") as fh:
                fh.write(e.sidecar)
    return docs


def shown(name: bytes) -> str:
    return name.decode("utf-8", "backslashreplace")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="CASEBOT_FUZZ_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(entries=docs_folders())
def test_update_over_a_docs_folder_of_good_papers_and_bad_files(entries, embedder, monkeypatch):
    for key in list(os.environ):
        if key.startswith("CASEBOT_"):
            monkeypatch.delenv(key)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        docs, index = build(root, entries), root / "index"
        outside = snapshot(root / "outside")
        env = {"CASEBOT_MAX_FILE_MB": str(MAX_FILE_MB)}
        result = CliRunner(env=env).invoke(
            cli_main,
            ["index", "update", "--json", "--docs-dir", str(docs), "--index-dir", str(index)],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.stderr
        report = json.loads(result.stdout)

        good = sorted(shown(e.name) for e in entries if e.expect == "indexed")
        assert sorted(report["added"]) == good
        reasons = {r["source"]: r["reason"] for r in report["rejected"]}
        assert set(reasons) == {shown(e.name) for e in entries if e.expect == "rejected"}
        assert all(reason and "\n" not in reason for reason in reasons.values())
        assert sorted(d["source"] for d in report["duplicates"]) == sorted(
            shown(e.name) for e in entries if e.expect == "duplicate"
        )

        assert snapshot(root / "outside") == outside
        assert {p.name for p in root.iterdir()} == {"docs", "index", "outside"}
        s = load_settings(env=env, docs_dir=docs, index_dir=index)
        assert store.verify(index, expected_manifest(s, embedder.dimension)) == []
        catalog = store.load_catalog(index)
        assert sorted(catalog.documents) == good
        assert not any(pending_changes(catalog, docs).values())

        again = CliRunner(env=env).invoke(
            cli_main,
            ["index", "update", "--json", "--docs-dir", str(docs), "--index-dir", str(index)],
            catch_exceptions=False,
        )
        assert again.exit_code == 0 and json.loads(again.stdout)["generation"] == report["generation"]
