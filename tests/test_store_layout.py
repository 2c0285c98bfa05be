"""The index layout on disk: opening it, answering from it, and what an update writes.

`test_answers_match_the_format_2_index` pins what today's users get: the answers and
rankings over the 35 development case reports (deterministic hashing embedder, so
no model is needed) were recorded with index format 2, which loaded the whole index
into Python objects. Any later layout must answer every question identically.
Regenerate the record only for a deliberate change of answers:
`CASEBOT_REGENERATE_GOLDEN=1 pytest tests/test_store_layout.py`.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from bot import CaseBot
from bot.embed import HASHING_MODEL

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "bench" / "data" / "cases"
GOLDEN = Path(__file__).parent / "data" / "golden_answers.json"


def answers(bot: CaseBot, questions: list[str]) -> list[dict]:
    out = []
    for question in questions:
        answer, ranked = bot.ask_ranked(question, k=5)
        out.append(
            {
                "question": question,
                "abstained": answer.abstained,
                "text": answer.text,
                "ranking": [[h.doc_id, h.section, h.start, h.end, round(h.score, 4)] for h in ranked],
            }
        )
    return out


@pytest.fixture(scope="module")
def cases_questions() -> list[str]:
    rows = [json.loads(line) for line in (CASES / "questions.jsonl").read_text().splitlines() if line.strip()]
    return [r["question"] for r in rows]


def test_answers_match_the_format_2_index(make_settings, tmp_path, cases_questions):
    docs = tmp_path / "docs"
    shutil.copytree(CASES / "docs", docs)
    bot = CaseBot(make_settings(docs_dir=docs, model=HASHING_MODEL))
    bot.update_index()
    got = answers(bot, cases_questions)
    if os.environ.get("CASEBOT_REGENERATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert [g["question"] for g in got] == [w["question"] for w in want]
    for g, w in zip(got, want, strict=True):
        assert g == w, g["question"]
