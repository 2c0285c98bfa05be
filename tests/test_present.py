"""Renderers of one Answer: consecutive citation numbers people see, and length budgets kept."""

from __future__ import annotations

import json

from bot.present import ELLIPSIS, fit, numbering, plain, trim_around
from bot.records import Answer, Citation, Hit

LONG = " ".join(f"Sentence number {i} says something about calcinosis and its treatment." for i in range(200))


def hit(n: int, text: str) -> Hit:
    return Hit(
        chunk_id=n,
        doc_id=f"paper-{n}.txt",
        title=f"Paper {n}",
        section="Case report",
        text=text,
        start=0,
        end=len(text),
        page=None,
        score=1.0 / n,
        sentences=[(0, len(text))],
    )


def answer_citing(ranks: list[int]) -> Answer:
    passages = [hit(n, f"Passage {n} states fact {n} plainly.") for n in range(1, 6)]
    citations = [Citation(n, passages[n - 1].text, 0, len(passages[n - 1].text)) for n in ranks]
    text = "\n".join(f"“{c.quote}” [{c.n}]" for c in citations)
    return Answer("q?", text, False, citations, passages)


def test_shown_citation_numbers_are_consecutive_in_order_of_use():
    answer = answer_citing([4, 1, 2])  # passages ranked 4, 1 and 2 are quoted, in that order
    assert numbering(answer) == {4: 1, 1: 2, 2: 3}
    shown = plain(answer)
    assert "“Passage 4 states fact 4 plainly.” [1]" in shown
    assert "“Passage 1 states fact 1 plainly.” [2]" in shown
    assert "[1] Paper 4 — Case report — paper-4.txt" in shown
    assert "[4]" not in shown


def test_json_keeps_the_passage_ranks():
    data = json.loads(json.dumps(answer_citing([4, 1]).to_dict()))
    assert data["citations"] == [1, 4] and [p["n"] for p in data["passages"]] == [1, 2, 3, 4, 5]


def test_fit_cuts_at_a_sentence_or_word_boundary_and_never_mid_word():
    for limit in (1, 5, 40, 100, 999, 4096):
        out = fit(LONG, limit)
        assert len(out) <= limit and out.endswith(ELLIPSIS)
        body = out.rstrip(ELLIPSIS).rstrip()
        assert LONG.startswith(body)
        assert limit < 10 or LONG[len(body) : len(body) + 1] in (" ", "")  # the cut falls between words
    assert fit("short", 10) == "short"


def test_trim_around_keeps_the_quote_whole_within_the_budget():
    quote = "Sentence number 100 says something about calcinosis and its treatment."
    start = LONG.index(quote)
    out = trim_around(LONG, start, start + len(quote), 300)
    assert quote in out and len(out) <= 300 and out.startswith(ELLIPSIS) and out.endswith(ELLIPSIS)


def test_plain_answer_with_huge_passages_stays_in_its_budget():
    passages = [hit(n, LONG) for n in (1, 2, 3)]
    citations = [Citation(n, LONG[:70], 0, 70) for n in (1, 2, 3)]
    answer = Answer("q?", "", False, citations, passages)
    assert len(plain(answer, limit=2000)) <= 2000


def test_the_discord_report_of_an_update_shows_its_warnings_and_every_rejection():
    from bot.indexer import UpdateReport
    from bot.present import MESSAGE_LIMIT, report_messages

    report = UpdateReport(
        added=["a.txt"],
        rejected=[
            {"source": f"scan-{i:02}.pdf", "reason": "corrupt PDF (PdfStreamError); re-export it"} for i in range(60)
        ],
        generation="gen-000002",
        warnings=["index generation gen-000001 is damaged; rebuilt it from docs"],
    )
    messages = report_messages(report)
    assert len(messages) > 1 and all(len(m) <= MESSAGE_LIMIT for m in messages)
    text = "\n".join(messages)
    assert "**warning**: index generation gen-000001 is damaged" in text
    assert all(f"scan-{i:02}.pdf: corrupt PDF" in text for i in range(60)) and text.endswith("unchanged: 0")
