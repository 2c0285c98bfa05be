"""Keeping the index in step with the docs dir: incremental updates, duplicates, JATS,
the writer lock, crash safety, live reload, damage detection and repair, no pickle,
and `casebot index add/remove`.

The real model is used throughout. Subprocesses are used only where the behaviour is
about processes (kill, lock, exit codes); other CLI calls run in-process through
click's CliRunner so they share the session's loaded model.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bot import CaseBot, load_settings, store
from bot.cli import main as cli_main
from bot.embed import HASHING_MODEL
from bot.indexer import Indexer, analysis_version, expected_manifest, pending_changes

CASEBOT = Path(sys.executable).with_name("casebot")

PAPERS = {
    "gout.txt": "A 67-year-old man had recurrent podagra and tophi over both olecranon bursae. "
    "Joint aspiration showed negatively birefringent monosodium urate crystals. "
    "Allopurinol was titrated until serum urate fell below six milligrams per decilitre.",
    "kawasaki.txt": "A 3-year-old boy had five days of fever, conjunctival injection and a strawberry tongue. "
    "Echocardiography revealed a dilated left anterior descending coronary artery. "
    "Intravenous immunoglobulin and aspirin were given and the fever settled within a day.",
    "sarcoid.txt": "A 41-year-old woman presented with erythema nodosum and bilateral hilar lymphadenopathy. "
    "A transbronchial biopsy showed non-caseating granulomas. "
    "The syndrome resolved within eight weeks on naproxen alone.",
}
NEW_PAPER = (
    "scurvy.txt",
    "A 52-year-old man living on tea and biscuits developed perifollicular haemorrhages and bleeding gums. "
    "His plasma ascorbic acid was undetectable. "
    "Oral vitamin C supplements healed the gums within three weeks.",
)


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CASEBOT), *args], capture_output=True, text=True, env=clean_env(), timeout=300)


@pytest.fixture
def cli(monkeypatch, embedder):
    """Invoke `casebot ...` in-process (exit code, stdout and stderr as a user sees them)."""
    for key in list(os.environ):
        if key.startswith("CASEBOT_") and key != "CASEBOT_MODEL":
            monkeypatch.delenv(key)

    def invoke(*args: str):
        return CliRunner().invoke(cli_main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def corpus(make_settings, monkeypatch):
    """Settings over a docs dir holding PAPERS (not yet indexed), embedded by the fast hashing embedder:
    these tests are about keeping the index in step, not about the model's judgement. (The CLI reads
    the model from the environment, so `cli` calls in these tests use the same one.)"""
    monkeypatch.setenv("CASEBOT_MODEL", HASHING_MODEL)
    settings = make_settings(model=HASHING_MODEL)
    for name, text in PAPERS.items():
        (settings.docs_dir / name).write_text(text, encoding="utf-8")
    return settings


def chunk_map(snap: store.Snapshot, exclude: set[str] = frozenset()) -> dict[int, tuple[str, str]]:
    return {cid: (c.doc_id, c.text) for cid, c in snap.chunks.items() if c.doc_id not in exclude}


def listing(index_dir: Path) -> dict[str, tuple[int, int]]:
    """Every file under the index dir (but the lock file, rewritten by each writer) with size and mtime."""
    return {
        p.relative_to(index_dir).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in index_dir.rglob("*")
        if p.is_file() and p.name != store.LOCK
    }


# --- 1. incremental updates ------------------------------------------------------------------


def test_incremental_update_embeds_only_what_changed(corpus):
    s = corpus
    first = Indexer(s).update()
    assert sorted(first.added) == sorted(PAPERS)
    snap1 = store.load(s.index_dir)

    # Add a fourth paper: only it is embedded, the others keep their passages and vectors.
    (s.docs_dir / NEW_PAPER[0]).write_text(NEW_PAPER[1], encoding="utf-8")
    added = Indexer(s).update()
    snap2 = store.load(s.index_dir)
    assert added.added == [NEW_PAPER[0]]
    assert sorted(added.unchanged) == sorted(PAPERS)
    assert added.changed == added.removed == added.rejected == []
    assert added.chunks_embedded == snap2.documents[NEW_PAPER[0]].chunks > 0
    assert snap2.generation != snap1.generation
    old = chunk_map(snap1)
    assert chunk_map(snap2, exclude={NEW_PAPER[0]}) == old
    for cid in old:  # not re-embedded: the very same vectors
        assert np.array_equal(snap2.passage_vectors(snap2.rows([cid])), snap1.passage_vectors(snap1.rows([cid])))

    # Modify one: it is re-embedded under new chunk ids, the rest untouched.
    (s.docs_dir / "gout.txt").write_text(
        PAPERS["gout.txt"].replace("67-year-old", "71-year-old") + " Colchicine was added for flares.", encoding="utf-8"
    )
    changed = Indexer(s).update()
    snap3 = store.load(s.index_dir)
    assert changed.changed == ["gout.txt"] and changed.added == changed.removed == []
    assert changed.chunks_embedded == snap3.documents["gout.txt"].chunks
    assert chunk_map(snap3, exclude={"gout.txt"}) == chunk_map(snap2, exclude={"gout.txt"})
    gout_ids = {cid for cid, c in snap3.chunks.items() if c.doc_id == "gout.txt"}
    assert gout_ids.isdisjoint(chunk_map(snap2)) and gout_ids
    assert "Colchicine" in " ".join(snap3.chunks[cid].text for cid in gout_ids)

    # Delete one: a reader that found it before no longer retrieves it.
    bot = CaseBot(s)
    question = "What did echocardiography show in the boy with Kawasaki disease?"
    assert bot.search(question)[0].doc_id == "kawasaki.txt"
    (s.docs_dir / "kawasaki.txt").unlink()
    removed = Indexer(s).update()
    assert removed.removed == ["kawasaki.txt"] and removed.added == removed.changed == []
    assert removed.chunks_embedded == 0
    snap4 = store.load(s.index_dir)
    assert "kawasaki.txt" not in snap4.documents
    assert all(c.doc_id != "kawasaki.txt" for c in snap4.chunks.values())
    assert all(h.doc_id != "kawasaki.txt" for h in bot.search(question, k=10))

    # Nothing changed: same generation, nothing written.
    before = listing(s.index_dir)
    noop = Indexer(s).update()
    assert noop.generation == removed.generation == store.current_generation(s.index_dir)
    assert noop.added == noop.changed == noop.removed == noop.rejected == noop.duplicates == []
    assert noop.chunks_embedded == 0
    assert sorted(noop.unchanged) == sorted(["gout.txt", "sarcoid.txt", NEW_PAPER[0]])
    assert listing(s.index_dir) == before


# --- 2. duplicates -----------------------------------------------------------------------------


def test_same_text_under_two_names_is_indexed_once(make_settings, embedder):
    s = make_settings()
    (s.docs_dir / "original.txt").write_text(PAPERS["gout.txt"], encoding="utf-8")
    (s.docs_dir / "renamed-copy.txt").write_text(PAPERS["gout.txt"], encoding="utf-8")
    report = Indexer(s).update()
    assert report.added == ["original.txt"]
    assert report.duplicates == [{"source": "renamed-copy.txt", "duplicate_of": "original.txt", "reason": "same text"}]
    assert set(store.load(s.index_dir).documents) == {"original.txt"}


def test_same_doi_in_sidecars_is_a_duplicate(make_settings, embedder):
    s = make_settings()
    (s.docs_dir / "preprint.txt").write_text(PAPERS["sarcoid.txt"], encoding="utf-8")
    (s.docs_dir / "preprint.meta.toml").write_text('doi = "10.1234/CaseRep.2024.017"\n', encoding="utf-8")
    (s.docs_dir / "published.txt").write_text(
        PAPERS["sarcoid.txt"] + " Follow-up at one year was normal.", encoding="utf-8"
    )
    (s.docs_dir / "published.meta.toml").write_text('doi = "10.1234/caserep.2024.017"\n', encoding="utf-8")
    report = Indexer(s).update()
    assert report.added == ["preprint.txt"]
    assert report.duplicates == [{"source": "published.txt", "duplicate_of": "preprint.txt", "reason": "same DOI"}]
    assert set(store.load(s.index_dir).documents) == {"preprint.txt"}


def test_editing_only_a_sidecar_reindexes_its_paper(make_settings, embedder):
    """The paper's own size and mtime did not move; its sidecar's did, and so did its title."""
    s = make_settings()
    paper, sidecar = s.docs_dir / "gout.txt", s.docs_dir / "gout.meta.toml"
    paper.write_text(PAPERS["gout.txt"], encoding="utf-8")
    sidecar.write_text('title = "Tophaceous gout"\n', encoding="utf-8")
    Indexer(s).update()
    before = paper.stat().st_mtime_ns

    sidecar.write_text('title = "Gout in a 67-year-old"\n', encoding="utf-8")
    assert pending_changes(store.load(s.index_dir), s.docs_dir)["changed"] == ["gout.txt"]  # what `ask` notes
    report = Indexer(s).update()
    assert paper.stat().st_mtime_ns == before and report.changed == ["gout.txt"]
    assert store.load(s.index_dir).documents["gout.txt"].title == "Gout in a 67-year-old"
    assert Indexer(s).update().unchanged == ["gout.txt"]  # and then it is up to date


# --- 3. JATS end to end ------------------------------------------------------------------------

JATS = """<?xml version="1.0" encoding="UTF-8"?>
<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="case-report">
  <front>
    <journal-meta><journal-title-group><journal-title>Clinical Case Reports</journal-title></journal-title-group></journal-meta>
    <article-meta>
      <article-id pub-id-type="pmid">38000123</article-id>
      <article-id pub-id-type="doi">10.1002/ccr3.9999</article-id>
      <title-group><article-title>Tumoral calcinosis in a haemodialysis patient</article-title></title-group>
      <contrib-group>
        <contrib contrib-type="author"><name><surname>Moreau</surname><given-names>Claire</given-names></name></contrib>
        <contrib contrib-type="author"><name><surname>Tanaka</surname><given-names>Kenji</given-names></name></contrib>
      </contrib-group>
      <pub-date pub-type="epub"><day>3</day><month>2</month><year>2023</year></pub-date>
    </article-meta>
  </front>
  <body>
    <sec><title>Introduction</title>
      <p>Tumoral calcinosis is a rare deposition of calcium phosphate around large joints.<xref ref-type="bibr" rid="R1">1</xref>
         It is seen most often in patients on long-term haemodialysis with a high calcium phosphate product.</p></sec>
    <sec><title>Case presentation</title>
      <p>A 45-year-old man on haemodialysis for nine years developed a painless mass over the right hip.
         Computed tomography showed lobulated calcified masses with fluid levels around the greater trochanter.</p></sec>
    <sec><title>Discussion</title>
      <p>Intensified dialysis with a low calcium dialysate and sevelamer reduced the mass within a year.
         Surgery was not needed.</p></sec>
  </body>
</article>
"""


def test_jats_article_metadata_and_sections(make_settings, embedder):
    s = make_settings()
    (s.docs_dir / "tumoral.xml").write_text(JATS, encoding="utf-8")
    report = Indexer(s).update()
    assert report.added == ["tumoral.xml"] and report.rejected == []

    listed = run_cli("index", "list", "--json", "--docs-dir", str(s.docs_dir), "--index-dir", str(s.index_dir))
    assert listed.returncode == 0, listed.stderr
    (entry,) = json.loads(listed.stdout)
    assert entry["source"] == "tumoral.xml"
    assert entry["title"] == "Tumoral calcinosis in a haemodialysis patient"
    assert entry["authors"] == ["Claire Moreau", "Kenji Tanaka"]
    assert entry["journal"] == "Clinical Case Reports"
    assert entry["year"] == 2023
    assert entry["doi"] == "10.1002/ccr3.9999"
    assert entry["pmid"] == "38000123"

    sections = {c.section for c in store.load(s.index_dir).chunks.values()}
    assert {"Introduction", "Case presentation", "Discussion"} <= sections
    hit = CaseBot(s).search("What did computed tomography show around the greater trochanter?", k=1)[0]
    assert hit.section == "Case presentation" and hit.title == entry["title"]


# --- 4. one writer at a time ----------------------------------------------------------------------


def test_second_writer_is_refused_while_the_lock_is_held(tmp_path):
    docs, index = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    (docs / "gout.txt").write_text(PAPERS["gout.txt"], encoding="utf-8")
    with store.writer_lock(index):
        proc = run_cli("index", "update", "--docs-dir", str(docs), "--index-dir", str(index))
    assert proc.returncode == 1
    assert f"casebot: error: another update is running (pid {os.getpid()})" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert store.current_generation(index) is None and not list(index.glob("gen-*"))


# --- 5. a killed update leaves the previous generation intact ---------------------------------------

DRUGS = [
    "sodium thiosulfate",
    "diltiazem",
    "bisphosphonates",
    "colchicine",
    "minocycline",
    "probenecid",
    "intravenous immunoglobulin",
    "rituximab",
]
SITES = ["elbows", "fingertips", "knees", "buttocks", "forearms", "shins", "shoulders", "thighs", "hips", "ankles"]
CITIES = ["Lisbon", "Oslo", "Nairobi", "Quito", "Hanoi", "Tbilisi", "Perth", "Montreal", "Dakar", "Lima", "Riga"]
CAUSES = ["dermatomyositis", "systemic sclerosis", "lupus", "chronic kidney disease", "hyperparathyroidism"]


def case_report(i: int) -> str:
    drug, site, city, cause = (
        DRUGS[i % len(DRUGS)],
        SITES[i % len(SITES)],
        CITIES[i % len(CITIES)],
        CAUSES[i % len(CAUSES)],
    )
    return (
        f"Case {i}: a {20 + i}-year-old patient from {city} with {cause} developed calcinosis cutis on the {site}. "
        f"Radiographs showed {i % 7 + 2} calcified nodules measuring up to {i % 5 + 1} centimetres. "
        f"Treatment with {drug} was started and followed for {i % 11 + 3} months. "
        f"The lesions {'regressed' if i % 2 else 'remained stable'} at the last visit."
    )


BASE_PAPERS = {f"case-{i:03d}.txt": case_report(i) for i in range(40)}
NEW_PAPERS = {f"case-{i:03d}.txt": case_report(i) for i in range(40, 45)}
QUESTIONS = [
    "How was calcinosis cutis treated with sodium thiosulfate?",
    "What did radiographs show in the patient from Oslo?",
    "Which patients with systemic sclerosis developed calcinosis on the fingertips?",
]


@pytest.fixture(scope="module")
def base_index(tmp_path_factory, embedder):
    """40 papers indexed once, with the answers to QUESTIONS recorded."""
    root = tmp_path_factory.mktemp("killbase")
    (root / "docs").mkdir()
    for name, text in BASE_PAPERS.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    settings = load_settings(env={}, docs_dir=root / "docs", index_dir=root / "index")
    generation = Indexer(settings).update().generation
    bot = CaseBot(settings)
    answers = {q: bot.ask(q).to_dict() for q in QUESTIONS}
    return root, generation, answers


PUBLISHED = store.FAULT_STEPS.index("published")  # from this step on, the new generation is live


def _killed_at(step: str, command: str, s, tmp_path) -> subprocess.CompletedProcess:
    """Run `casebot index <command>` with CASEBOT_FAULT=step: it kills itself (SIGKILL) when it gets there."""
    proc = subprocess.run(
        [str(CASEBOT), "index", command, "--docs-dir", str(s.docs_dir), "--index-dir", str(s.index_dir)],
        capture_output=True,
        text=True,
        env={**clean_env(), store.FAULT_ENV: step},
        timeout=600,
    )
    assert proc.returncode == -signal.SIGKILL, (
        f"fault point {step!r} never reached: exit {proc.returncode}, stderr: {proc.stderr[-500:]}"
    )
    return proc


# Every step for `update`; for `rebuild` (which builds from nothing) the steps where its work differs.
KILLS = [(step, "update") for step in store.FAULT_STEPS] + [(step, "rebuild") for step in ("embedded", "published")]


@pytest.mark.parametrize("step, command", KILLS)
def test_killed_update_leaves_previous_generation_intact(step, command, base_index, make_settings, embedder, tmp_path):
    """Crash safety at every step, deterministically: the writer dies (kill -9) exactly at `step`."""
    root, base_gen, answers = base_index
    shutil.copytree(root / "docs", tmp_path / "docs")
    shutil.copytree(root / "index", tmp_path / "index")
    s = make_settings(docs_dir=tmp_path / "docs", index_dir=tmp_path / "index")
    new = NEW_PAPERS
    for name, text in new.items():
        (s.docs_dir / name).write_text(text, encoding="utf-8")

    _killed_at(step, command, s, tmp_path)

    expected = expected_manifest(s, embedder.dimension)
    snap = store.load(s.index_dir, expected)
    assert store.verify(s.index_dir, expected) == []
    if store.FAULT_STEPS.index(step) < PUBLISHED:
        # Readers still see the previous generation, whole, answering exactly as before.
        assert store.current_generation(s.index_dir) == base_gen
        assert set(snap.documents) == set(BASE_PAPERS)
        assert sorted(pending_changes(snap, s.docs_dir)["new"]) == sorted(new)  # all `verify` would add
        bot = CaseBot(s)
        assert {q: bot.ask(q).to_dict() for q in QUESTIONS} == answers
    else:  # died after publishing: the new generation is live and whole
        assert store.current_generation(s.index_dir) != base_gen
        assert set(snap.documents) == set(BASE_PAPERS) | set(new)

    # The next update cleans up after the dead writer and brings in whatever is missing.
    report = Indexer(s).update()
    assert report.added == (sorted(new) if store.FAULT_STEPS.index(step) < PUBLISHED else [])
    assert report.rejected == [] and report.removed == [] and report.warnings == []
    assert not list(s.index_dir.glob(store.TMP_PREFIX + "*")) and not (s.index_dir / "CURRENT.new").exists()
    assert set(store.load(s.index_dir, expected).documents) == set(BASE_PAPERS) | set(new)
    assert store.verify(s.index_dir, expected) == []


# --- 6. readers pick up a new generation -------------------------------------------------------


def test_reader_sees_new_generation_without_restart(corpus):
    s = corpus
    Indexer(s).update()
    reader = CaseBot(s)
    assert reader.ask("What did the transbronchial biopsy show?").passages[0].doc_id == "sarcoid.txt"
    before = reader.retriever().snap.generation
    question = "Which vitamin healed the bleeding gums?"
    assert all(p.doc_id != NEW_PAPER[0] for p in reader.ask(question).passages)

    (s.docs_dir / NEW_PAPER[0]).write_text(NEW_PAPER[1], encoding="utf-8")
    CaseBot(s).update_index()  # another instance publishes

    answer = reader.ask(question)
    assert answer.passages[0].doc_id == NEW_PAPER[0]
    assert "vitamin C" in answer.text
    assert reader.retriever().snap.generation == store.current_generation(s.index_dir) != before


# --- 7. verify catches damage; rebuild repairs it ---------------------------------------------


def test_verify_reports_truncated_vectors_file(corpus, cli):
    s = corpus
    Indexer(s).update()
    vectors = next((s.index_dir / store.current_generation(s.index_dir)).glob("seg-*/passage_vectors.npy"))
    vectors.write_bytes(vectors.read_bytes()[: vectors.stat().st_size // 2])
    result = cli("index", "verify", "--docs-dir", s.docs_dir, "--index-dir", s.index_dir)
    assert result.exit_code == 1
    assert any(
        "passage_vectors.npy" in line and "casebot index rebuild" in line for line in result.stdout.splitlines()
    ), result.stdout


def _delete_one_chunk_row(index_dir: Path) -> None:
    con = sqlite3.connect(next((index_dir / store.current_generation(index_dir)).glob("seg-*/segment.sqlite")))
    with con:
        con.execute("DELETE FROM chunks WHERE chunk_id = (SELECT min(chunk_id) FROM chunks)")
    con.close()


def test_verify_reports_faiss_sqlite_mismatch(corpus, cli):
    s = corpus
    Indexer(s).update()
    _delete_one_chunk_row(s.index_dir)
    result = cli("index", "verify", "--docs-dir", s.docs_dir, "--index-dir", s.index_dir)
    assert result.exit_code == 1
    assert "the vectors hold 1 passage(s) with no row in SQLite" in result.stdout
    assert "casebot index rebuild" in result.stdout


def test_asking_a_damaged_index_says_so_in_one_line(corpus, cli):
    s = corpus
    Indexer(s).update()
    _delete_one_chunk_row(s.index_dir)
    result = cli("ask", "What was given for the nodules?", "--docs-dir", s.docs_dir, "--index-dir", s.index_dir)
    assert result.exit_code != 0 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "is damaged" in lines[0] and "casebot index rebuild" in lines[0], result.stderr


def test_rebuild_repairs_damaged_index(corpus, cli):
    """Regression: a rebuild was numbered gen-000001 and could not be published over that generation."""
    s = corpus
    Indexer(s).update()
    _delete_one_chunk_row(s.index_dir)
    rebuilt = cli("index", "rebuild", "--json", "--docs-dir", s.docs_dir, "--index-dir", s.index_dir)
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert sorted(json.loads(rebuilt.stdout)["added"]) == sorted(PAPERS)
    result = cli("index", "verify", "--docs-dir", s.docs_dir, "--index-dir", s.index_dir)
    assert result.exit_code == 0, result.stdout
    assert "is consistent" in result.stdout


def test_an_update_over_a_damaged_index_says_so_once_and_rebuilds(corpus):
    s = corpus
    Indexer(s).update()
    gen = s.index_dir / store.current_generation(s.index_dir)
    (gen / store.MANIFEST).write_text("{not json", encoding="utf-8")
    env = {**clean_env(), "CASEBOT_MODEL": HASHING_MODEL}
    where = ["--docs-dir", str(s.docs_dir), "--index-dir", str(s.index_dir)]
    proc = subprocess.run(
        [str(CASEBOT), "index", "update", *where], capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    damage = [line for line in proc.stderr.splitlines() if "damaged" in line or "unreadable" in line]
    assert len(damage) == 1 and damage[0].startswith("casebot: warning:"), proc.stderr
    assert sorted(store.load(s.index_dir).documents) == sorted(PAPERS)


def test_rebuild_after_updates_leaves_a_loadable_index(corpus):
    """Regression: a rebuild after several updates published gen-000001, which garbage collection then deleted."""
    s = corpus
    Indexer(s).update()
    for i in range(3):
        (s.docs_dir / f"extra-{i}.txt").write_text(case_report(100 + i), encoding="utf-8")
        Indexer(s).update()
    report = Indexer(s).update(rebuild=True)
    assert store.current_generation(s.index_dir) == report.generation
    snap = store.load(s.index_dir)
    assert len(snap.documents) == len(PAPERS) + 3
    assert Indexer(s).update().generation == report.generation  # and the next update builds on it


def test_model_mismatch_is_refused_with_rebuild_hint(corpus):
    s = corpus
    Indexer(s).update()
    expected = store.expected_manifest(
        "some/other-model", 384, s.chunking.chunk_tokens, s.chunking.overlap_sentences, analysis_version()
    )
    with pytest.raises(store.IndexMismatch) as exc:
        store.load(s.index_dir, expected)
    assert exc.value.fix == "casebot index rebuild"
    assert "some/other-model" in str(exc.value) and s.model.model in str(exc.value)


# --- 8. nothing pickled ----------------------------------------------------------------------------


def test_index_contains_no_pickle(corpus):
    s = corpus
    (s.docs_dir / "empty.txt").write_bytes(b"")  # a rejection, so the skipped table is written too
    Indexer(s).update()
    (s.docs_dir / NEW_PAPER[0]).write_text(NEW_PAPER[1], encoding="utf-8")
    Indexer(s).update()
    files = [p for p in s.index_dir.rglob("*") if p.is_file()]
    arrays = 0
    for path in files:
        assert path.suffix not in (".pkl", ".pickle"), path
        head = path.read_bytes()[:2]
        assert not (len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5), f"{path} is a pickle"
        if path.suffix in (".npz", ".npy"):
            loaded = np.load(path, allow_pickle=False)
            if path.suffix == ".npz":
                with loaded:
                    for key in loaded.files:
                        assert loaded[key].dtype != object
                        arrays += 1
            else:
                arrays += 1
    assert arrays > 0  # the lexical matrix was found and read without pickle


# --- 9. index add / remove -----------------------------------------------------------------------


def test_index_add_and_remove(make_settings, embedder, cli, tmp_path):
    s = make_settings()
    incoming = tmp_path / "incoming"
    (incoming / "batch").mkdir(parents=True)
    (incoming / "gout.txt").write_text(PAPERS["gout.txt"], encoding="utf-8")
    (incoming / "gout.meta.toml").write_text('title = "Tophaceous gout"\nyear = 2021\n', encoding="utf-8")
    (incoming / "batch" / "kawasaki.txt").write_text(PAPERS["kawasaki.txt"], encoding="utf-8")
    (incoming / "batch" / "sarcoid.txt").write_text(PAPERS["sarcoid.txt"], encoding="utf-8")

    added = cli(
        "index",
        "add",
        incoming / "gout.txt",
        incoming / "batch",
        "--json",
        "--docs-dir",
        s.docs_dir,
        "--index-dir",
        s.index_dir,
    )
    assert added.exit_code == 0, added.stderr
    assert json.loads(added.stdout)["added"] == ["batch/kawasaki.txt", "batch/sarcoid.txt", "gout.txt"]
    for rel in ("gout.txt", "gout.meta.toml", "batch/kawasaki.txt", "batch/sarcoid.txt"):
        assert (s.docs_dir / rel).read_bytes() == (incoming / rel).read_bytes()
    assert not [p for p in s.docs_dir.rglob(".*")]  # no half-copied temporaries left
    docs = store.load(s.index_dir).documents
    assert docs["gout.txt"].title == "Tophaceous gout" and docs["gout.txt"].metadata["year"] == 2021

    removed = cli("index", "remove", "gout", "--json", "--docs-dir", s.docs_dir, "--index-dir", s.index_dir)
    assert removed.exit_code == 0, removed.stderr
    assert json.loads(removed.stdout)["removed"] == ["gout.txt"]
    assert not (s.docs_dir / "gout.txt").exists() and not (s.docs_dir / "gout.meta.toml").exists()
    assert set(store.load(s.index_dir).documents) == {"batch/kawasaki.txt", "batch/sarcoid.txt"}
    assert all(h.doc_id != "gout.txt" for h in CaseBot(s).search("monosodium urate crystals", k=10))

    generation = store.current_generation(s.index_dir)
    unknown = run_cli("index", "remove", "nope", "--docs-dir", str(s.docs_dir), "--index-dir", str(s.index_dir))
    assert unknown.returncode != 0
    lines = unknown.stderr.strip().splitlines()
    assert len(lines) == 1 and "'nope'" in lines[0] and "casebot index list" in lines[0], unknown.stderr
    assert store.current_generation(s.index_dir) == generation
    assert sorted(p.name for p in s.docs_dir.rglob("*.txt")) == ["kawasaki.txt", "sarcoid.txt"]


# --- the freshness note of `casebot ask` ------------------------------------------------------


def ask_note(cli, settings) -> str:
    result = cli(
        "ask",
        "Which crystals were in the joint fluid?",
        "--docs-dir",
        settings.docs_dir,
        "--index-dir",
        settings.index_dir,
    )
    assert result.exit_code == 0, result.output
    return result.stderr


def test_ask_notes_new_papers_by_name_in_a_small_library(corpus, cli):
    Indexer(corpus).update()
    assert "note:" not in ask_note(cli, corpus)
    (corpus.docs_dir / NEW_PAPER[0]).write_text(NEW_PAPER[1], encoding="utf-8")
    assert "changed since the index was built (1 new): run `casebot index update`" in ask_note(cli, corpus)


def test_ask_in_a_large_library_compares_folders_not_files(corpus, cli, monkeypatch):
    """Above FULL_FRESHNESS_PAPERS papers the note must not list the docs folder (2 s of CPU
    and 64 MB at 61,538 papers): only the folders' modification times are compared."""
    from bot import indexer

    real_scan = indexer.scan

    def no_scan(docs_dir):
        raise AssertionError("the docs folder was listed")

    (corpus.docs_dir / "cardiology").mkdir()
    (corpus.docs_dir / "cardiology" / "kawasaki.txt").write_text(PAPERS["kawasaki.txt"] + " Second centre.")
    Indexer(corpus).update()
    monkeypatch.setattr(indexer, "FULL_FRESHNESS_PAPERS", 0)
    monkeypatch.setattr(indexer, "scan", no_scan)
    assert "note:" not in ask_note(cli, corpus)

    (corpus.docs_dir / "cardiology" / "myocarditis.txt").write_text(NEW_PAPER[1], encoding="utf-8")
    note = ask_note(cli, corpus)
    assert f"files were added, removed or renamed in {corpus.docs_dir / 'cardiology'} since the index" in note
    assert "run `casebot index update`" in note
    monkeypatch.setattr(indexer, "scan", real_scan)
    assert Indexer(corpus).update().added == ["cardiology/myocarditis.txt"]
    monkeypatch.setattr(indexer, "scan", no_scan)
    assert "note:" not in ask_note(cli, corpus)

    # A file the index does not take (not a paper) still moves the folder; the update that
    # finds nothing to index records the folder anew, so the note goes away.
    (corpus.docs_dir / "minutes.docx").write_bytes(b"PK\x03\x04")
    assert f"renamed in {corpus.docs_dir} since" in ask_note(cli, corpus)
    monkeypatch.setattr(indexer, "scan", real_scan)
    assert not Indexer(corpus).update().added
    monkeypatch.setattr(indexer, "scan", no_scan)
    assert "note:" not in ask_note(cli, corpus)


def test_a_damaged_folders_record_is_one_clear_line_after_the_answer(corpus, cli, monkeypatch):
    from bot import indexer

    Indexer(corpus).update()
    monkeypatch.setattr(indexer, "FULL_FRESHNESS_PAPERS", 0)
    record = corpus.index_dir / store.current_generation(corpus.index_dir) / store.FOLDERS
    st = record.stat()
    record.write_bytes(b"{" + b" " * (st.st_size - 1))  # same size, not JSON; mtime put back
    os.utime(record, ns=(st.st_atime_ns, st.st_mtime_ns))
    result = cli(
        "ask", "Which crystals were in the joint fluid?", "--docs-dir", corpus.docs_dir, "--index-dir", corpus.index_dir
    )
    assert "urate crystals" in result.stdout  # the answer is given first
    assert result.exit_code == 1
    assert "is damaged" in result.stderr and "casebot index verify" in result.stderr
    assert "Traceback" not in result.output


def test_index_add_does_not_hide_earlier_changes_of_its_folder(corpus, cli, monkeypatch, tmp_path):
    from bot import indexer

    Indexer(corpus).update()
    monkeypatch.setattr(indexer, "FULL_FRESHNESS_PAPERS", 0)
    paper = tmp_path / NEW_PAPER[0]
    paper.write_text(NEW_PAPER[1], encoding="utf-8")
    args = ("--docs-dir", corpus.docs_dir, "--index-dir", corpus.index_dir)
    assert cli("index", "add", paper, *args).exit_code == 0
    assert "note:" not in ask_note(cli, corpus)  # the copy `index add` made is no news

    (corpus.docs_dir / "dropped.txt").write_text(PAPERS["gout.txt"].replace("67", "71"), encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text(PAPERS["sarcoid.txt"].replace("41", "38"), encoding="utf-8")
    assert cli("index", "add", other, *args).exit_code == 0
    assert "files were added, removed or renamed in" in ask_note(cli, corpus)  # dropped.txt still waits


def test_a_question_read_before_an_update_is_searched_in_the_new_generation(corpus):
    """A question read against one generation carries nothing row-numbered: a newer
    generation (published meanwhile) searches it as it would search the question anew."""
    Indexer(corpus).update()
    bot = CaseBot(corpus)
    old = bot.retriever()
    question = "Which crystals were in the joint fluid?"
    query = old.analyse(question)
    (corpus.docs_dir / "pseudogout.txt").write_text(
        "An 80-year-old woman had a hot swollen knee; joint fluid held rhomboid calcium pyrophosphate crystals.",
        encoding="utf-8",
    )
    Indexer(corpus).update()
    new = bot.retriever()
    assert new.snap.generation != old.snap.generation
    searched = [h.chunk_id for h in new.retrieve(query, 5)]
    assert searched == [h.chunk_id for h in new.retrieve(new.analyse(question), 5)]
