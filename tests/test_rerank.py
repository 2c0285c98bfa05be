"""The reranker: a second opinion on the answer's first quote, shipped inside the package, run without torch."""

from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest

from bot import CaseBot, answer, rerank
from bot.analysis import Vocabulary
from bot.answer import RulesView, reranked
from bot.records import Citation, Hit
from bot.rerank import Reranker, overruled, shipped_reranker
from bot.retrieve import Query
from bot.scoring import RERANK_MARGIN, RERANK_PAIRS, RERANK_RANK_WEIGHT, RERANK_SHORTLIST


def test_the_shipped_reranker_scores_the_answering_sentence_highest():
    reranker = shipped_reranker()
    assert reranker is not None
    cases = [
        (
            "What dose of prednisolone was she started on?",
            [
                ("Case presentation", "A 45-year-old woman presented with three weeks of fever and painful joints."),
                ("Treatment", "She was started on prednisolone 60 mg daily, tapered over eight weeks."),
                ("Discussion", "Corticosteroids remain the mainstay of treatment for this condition."),
            ],
        ),
        (
            "How was the diagnosis confirmed?",
            [
                ("Case presentation", "He had a painless nodule on the left forearm for six months."),
                ("Discussion", "The condition is rare and often mistaken for a cyst."),
                ("Investigations", "An excisional biopsy showed non-caseating granulomas, confirming the diagnosis."),
            ],
        ),
    ]
    for question, sentences in cases:
        scores = reranker.scores(question, sentences)
        answer = next(i for i, (section, _) in enumerate(sentences) if section in {"Treatment", "Investigations"})
        assert int(np.argmax(scores)) == answer, (question, scores)


def test_a_sentences_score_does_not_depend_on_the_others_scored_with_it():
    """Scored side by side on two threads, each pair still gets the score it gets alone: the int8 model's
    activation scale is per run, so a batch would move every score with its neighbours."""
    reranker = shipped_reranker()
    assert reranker is not None
    question = "What dose of prednisolone was she started on?"
    sentences = [
        ("Treatment", "She was started on prednisolone 60 mg daily, tapered over eight weeks."),
        ("Discussion", "Corticosteroids remain the mainstay of treatment for this condition, " * 8),
        ("Case presentation", "A 45-year-old woman presented with three weeks of fever."),
        ("Outcome", "She remained well."),
        ("Investigations", "CRP was 80 mg/L."),
    ]
    together = reranker.scores(question, sentences)
    alone = [float(reranker.scores(question, [s])[0]) for s in sentences]
    assert together.tolist() == alone
    assert len(set(alone)) == len(alone)  # five sentences, five different scores
    assert reranker.scores(question, []).shape == (0,)


def test_a_damaged_reranker_is_refused_and_logged(tmp_path, monkeypatch, caplog):
    damaged = tmp_path / "reranker"
    shutil.copytree(rerank.RERANKER_DIR, damaged)
    model = damaged / rerank.MODEL_FILE
    model.write_bytes(model.read_bytes()[:-10])  # a truncated download or a disk error
    with pytest.raises(ValueError, match="checksum"):
        Reranker(damaged)
    monkeypatch.setattr(rerank, "RERANKER_DIR", damaged)
    shipped_reranker.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger="bot.rerank"):
            assert shipped_reranker() is None
        assert "reinstall casebot" in caplog.text
    finally:
        shipped_reranker.cache_clear()


def test_the_reranker_overrules_only_by_more_than_the_margin():
    scores = np.array([1.0, 1.0 + RERANK_MARGIN, 2.0 + RERANK_MARGIN], np.float32)
    assert overruled(scores, [1, 1, 1], current=0, rank_weight=0.5, margin=RERANK_MARGIN) == 2
    assert overruled(scores[:2], [1, 1], current=0, rank_weight=0.5, margin=RERANK_MARGIN) is None  # equal: not more
    # a sentence of a lower-ranked passage pays for its rank: two ranks down cost it 1.0, all it had beyond the margin
    assert overruled(scores, [1, 1, 3], current=0, rank_weight=0.5, margin=RERANK_MARGIN) is None


class Scripted:
    """A reranker whose scores are written in the test: the mechanism, not the model, is under test."""

    def __init__(self, scores: dict[str, float]):
        self.given = scores

    def scores(self, question, sentences):
        return np.array([self.given.get(text, 0.0) for _, text in sentences], np.float32)


def passage(chunk_id: int, doc_id: str, *sentences: str) -> Hit:
    text = " ".join(sentences)
    spans, at = [], 0
    for s in sentences:
        spans.append((at, at + len(s)))
        at += len(s) + 1
    return Hit(chunk_id, doc_id, doc_id, "Case", text, 0, len(text), None, 1.0, spans)


STARTED = "She was started on prednisolone 60 mg daily."
PRESENTED = "A 45-year-old woman presented with fever."
GENERAL = "Prednisolone 1 mg/kg is the usual starting dose."
OTHER = "He was given prednisolone 40 mg daily."


def rules_quote(hits: list[Hit], n: int, sentence: str) -> Citation:
    start = hits[n - 1].text.index(sentence)
    return Citation(n=n, quote=sentence, start=start, end=start + len(sentence))


def rules_saw(hits: list[Hit], *ranked: tuple[int, str], marked: tuple[tuple[int, str], ...] = ()) -> RulesView:
    """The rules' ranking of (passage number, sentence), best first, and the sentences they marked down."""
    order = [rules_quote(hits, n, sentence) for n, sentence in ranked]
    return RulesView(order, {(n, hits[n - 1].text.index(sentence)) for n, sentence in marked})


def test_a_much_surer_sentence_of_the_same_paper_goes_first_and_the_rules_quotes_follow():
    hits = [passage(1, "a.txt", PRESENTED, GENERAL), passage(2, "a.txt", STARTED)]
    query = Query("What dose of prednisolone was she started on?", "", np.zeros(4), [], [], {})
    rules = [rules_quote(hits, 1, GENERAL), rules_quote(hits, 1, PRESENTED)]
    view = rules_saw(hits, (1, GENERAL), (2, STARTED), (1, PRESENTED))
    answer = reranked(Scripted({GENERAL: 1.0, STARTED: 6.0}), query, hits, rules, view)
    assert [c.quote for c in answer] == [STARTED, GENERAL, PRESENTED]
    assert answer[0] == Citation(n=2, quote=STARTED, start=0, end=len(STARTED))  # cited where it stands
    unsure = Scripted({GENERAL: 1.0, STARTED: 1.0 + RERANK_RANK_WEIGHT + RERANK_MARGIN})  # its rank eats the excess
    assert reranked(unsure, query, hits, rules, view) == rules


def test_the_reranker_promotes_only_what_the_rules_shortlist_and_did_not_mark_down():
    hits = [passage(1, "a.txt", PRESENTED, GENERAL), passage(2, "a.txt", STARTED)]
    query = Query("What dose of prednisolone was she started on?", "", np.zeros(4), [], [], {})
    rules = [rules_quote(hits, 1, GENERAL)]
    sure = Scripted({GENERAL: 0.0, STARTED: 10.0})
    marked = rules_saw(hits, (1, GENERAL), (2, STARTED), marked=((2, STARTED),))  # e.g. no dose stated
    assert reranked(sure, query, hits, rules, marked) == rules
    far_down = rules_saw(hits, (1, GENERAL), *[(1, PRESENTED)] * RERANK_SHORTLIST, (2, STARTED))
    assert reranked(sure, query, hits, rules, far_down) == rules


CRP = ("Were CRP and ESR raised?", "yes_no", set(), ("CRP and ESR were normal.", {"@crp", "@esr"}))
DIAGNOSIS = ("Diagnosis rests on imaging and biopsy.", {"diagnosi"})
DIAGNOSED_BEFORE = ("Calcinosis typically appears 7.8 years after initial diagnosis.", {"diagnosi"})
PRESENTATION = ("What was the initial presentation?", "what", {"present"})
PRESENTED_WITH = ("She presented with painful nodules.", {"present"})


@pytest.mark.parametrize(
    ("question", "kind", "head", "first", "surer", "wins"),
    [
        # a test the question names: the biopsy's "inflammatory infiltrates" names neither
        (*CRP, ("The biopsy showed inflammatory infiltrates.", {"inflamm"}), False),
        (*CRP, ("CRP was 4 mg/L and the ESR 10 mm/h.", {"@crp", "@esr"}), True),
        # issue 11's example: the word asked about, used only as the time of something else, unless a time is asked
        ("How is calcinosis cutis diagnosed?", "how", set(), DIAGNOSIS, DIAGNOSED_BEFORE, False),
        ("When was the calcinosis diagnosed?", "time", set(), DIAGNOSIS, DIAGNOSED_BEFORE, True),
        # how she presented is not answered by how she was first treated; "at presentation" is not a time
        (*PRESENTATION, PRESENTED_WITH, ("She was initially treated with prednisolone.", {"initi"}), False),
        (
            *PRESENTATION,
            PRESENTED_WITH,
            ("At presentation she had painful nodules and was given rest.", {"present"}),
            True,
        ),
    ],
    ids=[
        "drops-the-test-it-names",
        "names-the-test",
        "a-word-as-a-time",
        "a-time-for-a-time",
        "a-treatment-for-a-presentation",
        "at-presentation",
    ],
)
def test_the_reranker_never_promotes_a_sentence_that_drops_what_the_first_quote_answers_with(
    question, kind, head, first, surer, wins
):
    assert promoted(question, kind, head, first, surer) == (surer if wins else first)[0]


def promoted(question: str, kind: str, head: set[str], *sentences: tuple[str, set[str]]) -> str:
    """The first quote after a reranker much surer of the second sentence, each (sentence, the key terms it holds)."""
    (first, held_first), (surer, held_surer) = sentences
    hits = [passage(1, "a.txt", first, surer)]
    query = Query(question, "", np.zeros(4), [], [], {}, kind=kind, focus_head=head, vocabulary=Vocabulary.load())
    view = rules_saw(hits, (1, first), (1, surer))
    view.held = {(1, 0): held_first, (1, len(first) + 1): held_surer}
    return reranked(Scripted({first: 0.0, surer: 10.0}), query, hits, [rules_quote(hits, 1, first)], view)[0].quote


def test_the_rules_tell_the_reranker_what_each_of_their_sentences_holds(shipped_bot, monkeypatch):
    seen: list[RulesView] = []

    def spy(reranker, query, hits, citations, view):
        seen.append(view)
        return reranked(reranker, query, hits, citations, view)

    monkeypatch.setattr(answer, "reranked", spy)
    shipped_bot.ask("Were inflammatory markers like CRP and ESR raised?")
    (view,) = seen
    assert {(c.n, c.start) for c in view.order} <= view.held.keys()
    assert {"@crp", "@esr"} <= view.held[(view.order[0].n, view.order[0].start)]


def test_the_reranker_scores_at_most_a_bounded_number_of_sentences():
    """Each sentence costs the model about 2 ms: the first quote and the best-ranked others, RERANK_PAIRS in all,
    even when the first quote ranks below the rules' shortlist (a rule choosing, say, the earliest value stated)."""
    others = [f"She was given drug {i} at 10 mg." for i in range(RERANK_SHORTLIST + 2)]
    hits = [passage(1, "a.txt", GENERAL, *others)]
    query = Query("What dose was she given?", "", np.zeros(4), [], [], {})
    rules = [rules_quote(hits, 1, GENERAL)]
    view = rules_saw(hits, *((1, o) for o in others), (1, GENERAL))
    assert RERANK_PAIRS <= RERANK_SHORTLIST  # so the bound, not the shortlist, decides here
    scored: list[str] = []

    class Recording(Scripted):
        def scores(self, question, sentences):
            scored.extend(text for _, text in sentences)
            return super().scores(question, sentences)

    answer = reranked(Recording({o: 10.0 for o in others}), query, hits, rules, view)
    assert scored == [GENERAL, *others[: RERANK_PAIRS - 1]]
    assert answer[0].quote == others[0]


def test_the_reranker_never_quotes_another_paper():
    hits = [passage(1, "a.txt", PRESENTED, GENERAL), passage(2, "b.txt", OTHER)]
    query = Query("What dose of prednisolone was she given?", "", np.zeros(4), [], [], {})
    rules = [rules_quote(hits, 1, GENERAL)]
    view = rules_saw(hits, (1, GENERAL), (2, OTHER))
    assert reranked(Scripted({GENERAL: 0.0, OTHER: 10.0}), query, hits, rules, view) == rules


def test_the_setting_turns_the_reranker_off(shipped_bot, monkeypatch):
    questions = ["How is calcinosis cutis treated?", "What treatments were tried for her calcinosis?"]
    calls = []
    real = shipped_reranker()
    assert real is not None

    class Counting:
        def scores(self, q, sentences):
            calls.append(q)
            return real.scores(q, sentences)

    monkeypatch.setattr("bot.core.shipped_reranker", lambda: Counting())
    for question in questions:
        shipped_bot.ask(question)
    asked = list(calls)
    assert asked  # the rules' shortlist held another sentence of the paper: the reranker was asked
    settings = shipped_bot.settings
    rules_only = CaseBot(settings.model_copy(update={"answer": settings.answer.model_copy(update={"rerank": False})}))
    for question in questions:
        rules_only.ask(question)
    assert calls == asked
