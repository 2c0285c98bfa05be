"""`casebot eval`: the fixed definitions, and figures on the shipped report's dev set."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot import evaluate as ev
from bot.cli import main

pytestmark = pytest.mark.model  # these tests judge the real model's answers

DEV = Path(__file__).parent / "data" / "dev_questions.jsonl"


def test_evidence_match_folds_case_whitespace_and_line_end_hyphens():
    passage = "Dermatomyositis (DM) is an immune-mediated myopathy characterized by proximal weakness."
    assert ev.holds(passage, "an immune-mediated MYOP-\nATHY characterized")
    assert ev.holds(passage, "is an immune-mediated myopathy characterized by proximal weakness and other things too")
    assert not ev.holds(passage, "a completely different sentence about thiosulfate and ulcers")


@pytest.mark.parametrize("name", ["questions", "conversations", "levels", "methods", "classes"])
def test_every_development_question_has_verbatim_evidence_in_its_document(name):
    """bench/data/cases: evidence is copied from the document it names, and a row's split is its document's."""
    root = Path(__file__).resolve().parent.parent
    cases = root / "bench" / "data" / "cases"
    splits = {}
    for row in ev.load_questions(cases / "questions.jsonl"):
        if row.get("doc"):
            splits[row["doc"]] = row["split"]
    for row in ev.load_questions(cases / f"{name}.jsonl"):
        if row.get("doc"):
            doc = next(
                p for p in (cases / "docs" / f"{row['doc']}.txt", root / "docs_src" / f"{row['doc']}.txt") if p.exists()
            )
            assert row["evidence"] in doc.read_text(encoding="utf-8"), row["id"]
            assert row["split"] in ("check", splits.get(row["doc"])), row["id"]


@pytest.mark.parametrize(
    ("folder", "split"),
    [
        ("fresh", lambda qid: "fresh"),
        ("check2", lambda qid: "tune"),  # a check on its two runs of the thirteenth round, tuned on since
        ("check3", lambda qid: "tune"),  # half a check in the fourteenth round, tuned on since
        ("check4", lambda qid: "tune"),  # the blind check of the fifteenth round, tuned on since
        ("check5", lambda qid: "tune"),  # the blind check of the sixteenth round, tuned on since
        ("check6", lambda qid: "tune"),  # the blind check of the seventeenth round, tuned on since
        ("check7", lambda qid: "check"),  # the blind check of the eighteenth and nineteenth rounds
        ("check8", lambda qid: "check"),  # the blind check of the nineteenth round
        ("check9", lambda qid: "tune"),  # the blind check of the twentieth round, tuned on since the twenty-second
        ("check10", lambda qid: "tune"),  # the blind check of the twenty-first round, tuned on since the twenty-second
        ("check11", lambda qid: "check"),  # the blind check of the twenty-second round
        ("check12", lambda qid: "check"),  # the blind check of the twenty-third round
        ("check13", lambda qid: "check"),  # the blind check of the twenty-fourth round
        ("check14", lambda qid: "check"),  # the blind check of the twenty-fifth round
        ("check15", lambda qid: "check"),  # the blind check of the twenty-sixth round
        ("check16", lambda qid: "check"),  # six papers by one writer, blind in the twenty-sixth round
        ("check17", lambda qid: "check"),  # the blind check of the twenty-ninth round
        ("check18", lambda qid: "check"),  # the blind check of the thirtieth round
        ("check19", lambda qid: "check"),  # the blind check of the thirty-first round
        ("check20", lambda qid: "check"),  # the blind check of the thirty-second round
        ("check21", lambda qid: "check"),  # the blind check of the thirty-third round
        ("check22", lambda qid: "check"),  # the blind check of the thirty-fourth round
        ("check23", lambda qid: "check"),  # the blind check of the thirty-fifth round
        ("check24", lambda qid: "check"),  # the blind check of the thirty-sixth round
        ("extra", lambda qid: "tune"),  # written for the reranker's training in the thirty-fourth round
    ],
)
def test_the_later_sets_have_verbatim_evidence_in_their_own_documents(folder, split):
    """bench/data/cases/fresh and check2 to check24: twelve more papers each (six in check16); extra: eighteen, written after the others."""
    root = Path(__file__).resolve().parent.parent / "bench" / "data" / "cases" / folder
    rows = ev.load_questions(root / "questions.jsonl")
    assert len(rows) == {"check16": 42, "extra": 126}.get(folder, 84) and len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["split"] == split(row["id"]), row["id"]
        if row.get("doc"):
            text = (root / "docs" / f"{row['doc']}.txt").read_text(encoding="utf-8")
            assert text.count(row["evidence"]) == 1, row["id"]


def test_half_of_the_span_must_be_one_contiguous_run():
    passage = "alpha beta gamma delta"
    assert ev.holds(passage, "alpha beta gamma xxxxxxxxxxxx")  # 16 of 29 characters contiguous
    assert not ev.holds(passage, "alpha xxxxxxx gamma xxxxxxxxxxx")


def test_dev_set_figures_on_the_shipped_report(shipped_bot):
    rows = ev.load_questions(DEV)
    assert len(rows) >= 20
    summary = ev.summarise(ev.run(shipped_bot, rows))
    # Regression floors, well under the figures reported in the README.
    assert summary["recall@5"] >= 0.9
    assert summary["answer_hit"] >= 0.7
    assert summary["false_abstention"] <= 0.1


def test_eval_command_prints_metrics_and_json_lines(shipped_bot, tmp_path):
    s = shipped_bot.settings
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(DEV.read_text().splitlines()[:3]) + "\n")
    opts = ["--docs-dir", str(s.docs_dir), "--index-dir", str(s.index_dir)]
    result = CliRunner().invoke(main, ["eval", str(questions), *opts])
    assert result.exit_code == 0, result.output
    assert "recall@1=" in result.stdout and "answer_hit=" in result.stdout
    result = CliRunner().invoke(main, ["eval", str(questions), "--json", *opts])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["r01", "r02", "r03"]
    assert {"question", "answer", "abstained", "citations", "passages"} <= set(lines[0])
    # what a script needs to score each question, and the figures on stderr
    assert {"rank", "answer_hit", "first_quote_hit", "problem"} <= set(lines[0])
    assert lines[0]["rank"] == 1 and lines[0]["answer_hit"] is True and lines[0]["problem"] is None
    assert "recall@1=" in result.stderr


def test_a_question_naming_a_paper_that_is_not_indexed_is_warned_about(shipped_bot, tmp_path):
    s = shipped_bot.settings
    questions = tmp_path / "q.jsonl"
    row = json.loads(DEV.read_text().splitlines()[0])
    questions.write_text(json.dumps({**row, "doc": "hard-as-stone-typo"}) + "\n")
    result = CliRunner().invoke(
        main, ["eval", str(questions), "--docs-dir", str(s.docs_dir), "--index-dir", str(s.index_dir)]
    )
    assert result.exit_code == 0
    assert "names papers that are not indexed: hard-as-stone-typo" in result.stderr


def test_a_malformed_question_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "question": "ok"}\nnot json\n')
    result = CliRunner().invoke(main, ["eval", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("casebot: error:") and ":2:" in result.stderr
    assert "Traceback" not in result.output
    bad.write_text('{"id": 1, "question": "ok"}\n{"id": 2, "question": " "}\n')
    result = CliRunner().invoke(main, ["eval", str(bad)])
    assert result.exit_code == 1 and ":2: the question is empty" in result.stderr
