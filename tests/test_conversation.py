"""Conversations: follow-ups that keep their context, topic switches that do not, and saved chats.

The corpus (tests/data/conversation) is three short invented case reports written for these
tests: a toddler with Kawasaki disease, an elderly man with scurvy, a woman with lithium toxicity.
Their treatments, doses and durations compete, so a follow-up such as "how long was it
given for?" only finds the right one through the turn before it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bot import evaluate as ev
from bot.analysis import Vocabulary
from bot.answer import select_sentences
from bot.cli import main
from bot.conversation import Conversation, Turn, resolve
from bot.errors import InputError
from bot.records import Answer, Citation, Hit, Preference
from bot.retrieve import W_PREFER_DOC, Query

CORPUS = Path(__file__).parent / "data" / "conversation"
KAWASAKI, SCURVY = "kawasaki-infliximab-toddler.txt", "scurvy-elderly-man.txt"


@pytest.fixture
def bot(bot_over):
    return bot_over({p.name: p.read_text(encoding="utf-8") for p in CORPUS.glob("*.txt")})


def first_quote(answer: Answer) -> str:
    assert not answer.abstained, answer.text
    return answer.citations[0].quote


def test_a_follow_up_finds_its_passage_only_through_the_turn_before(bot):
    alone = bot.search("How long was it given for?")
    assert alone[0].doc_id != SCURVY  # read alone, "it" could be any treatment of any paper
    assert bot.ask("How long was it given for?").abstained

    conversation = Conversation()
    bot.ask("What was the 66-year-old man with scurvy treated with?", conversation=conversation)
    follow = bot.ask("How long was it given for?", conversation=conversation)
    assert follow.passages[0].doc_id == SCURVY
    assert "1000 mg daily for four weeks" in first_quote(follow)
    assert follow.query.startswith("How long was it given for?") and "scurvy" in follow.query


def test_a_three_turn_chain_keeps_the_case_and_answers_the_last_question(bot):
    conversation = Conversation()
    first = bot.ask("What did the boy with Kawasaki disease receive first?", conversation=conversation)
    assert "intravenous immunoglobulin 2 g/kg" in first.text
    second = bot.ask("What was given next?", conversation=conversation)
    assert "infliximab 5 mg/kg" in first_quote(second)
    third = bot.ask("At what dose?", conversation=conversation)
    assert third.passages[0].doc_id == KAWASAKI
    assert "infliximab 5 mg/kg" in first_quote(third)  # the dose of what was given next, not the first dose
    assert [t.follow_up for t in conversation.turns] == [False, True, True]


def test_a_new_topic_is_searched_exactly_as_if_asked_alone(bot):
    question = "What was the haemoglobin of the 66-year-old man with scurvy?"
    alone = bot.ask(question)
    conversation = Conversation()
    bot.ask("What did the boy with Kawasaki disease receive first?", conversation=conversation)
    bot.ask("What was given next?", conversation=conversation)
    switched = bot.ask(question, conversation=conversation)
    assert switched.query == alone.query  # no Kawasaki context, no preference for the Kawasaki paper
    assert [(c.n, c.quote) for c in switched.citations] == [(c.n, c.quote) for c in alone.citations]
    assert switched.passages[0].doc_id == SCURVY
    assert conversation.turns[-1].follow_up is False


def test_an_off_topic_turn_abstains_and_does_not_become_the_topic(bot):
    conversation = Conversation()
    bot.ask("What did the boy with Kawasaki disease receive first?", conversation=conversation)
    off = bot.ask("What is the best pizza in Naples?", conversation=conversation)
    assert off.abstained
    back = bot.ask("What was given next?", conversation=conversation)
    assert "infliximab 5 mg/kg" in first_quote(back)


def test_a_follow_up_answers_what_it_asks_not_what_the_turn_before_asked(bot):
    # The earlier question and its quote keep the case; the follow-up's own words choose the sentence.
    conversation = Conversation()
    bot.ask("What was the 66-year-old man with scurvy treated with?", conversation=conversation)
    bot.ask("Did he get better?", conversation=conversation)
    outcome = bot.ask("What was his haemoglobin at the end?", conversation=conversation)
    assert outcome.passages[0].doc_id == SCURVY
    assert "haemoglobin rose to 12.4 g/dL by the end of treatment" in first_quote(outcome)


def test_a_follow_up_that_names_no_one_asks_about_whom_the_conversation_was_about(bot):
    # analysis.about: a question about the patient prefers what happened to him over what the
    # discussion says in general; "And the dose?" says neither, so the conversation decides.
    conversation = Conversation()
    bot.ask("What was the 66-year-old man with scurvy treated with?", conversation=conversation)
    assert bot.analyse("And the dose?").whom is None
    assert bot.analyse("And the dose?", conversation).whom == "patient"
    assert bot.analyse("How is scurvy usually treated?", conversation).whom == "general"  # it says: kept


def test_only_a_follow_ups_own_identifiers_can_be_missing_from_its_paper(bot):
    # Context comes from the conversation, not from the paper's index: an identifier it carries
    # ("IL-6" here) that the paper lacks must not make the follow-up abstain; the follow-up's own can.
    retriever = bot.retriever()
    context = [("What was the IL-6 level of the 66-year-old man with scurvy?", 1.0)]
    follow = retriever.retrieve(retriever.analyse("What dose of ascorbic acid was given?", context), 5)
    assert follow[0].doc_id == SCURVY and follow[0].missing == []
    own = retriever.retrieve(retriever.analyse("And his IL-6 dose?", context), 5)
    assert own[0].missing == ["il6"]


def test_a_preferred_paper_is_boosted_not_filtered(bot):
    retriever = bot.retriever()
    question = "What dose was given?"
    plain = {h.chunk_id: h.score for h in retriever.search(question, k=20)}
    preferred = retriever.search(question, k=20, prefer=Preference({SCURVY: 1.0}))
    assert {h.doc_id for h in preferred} > {SCURVY}  # the other papers are still there
    for h in preferred:
        assert h.score == pytest.approx(plain[h.chunk_id] + (W_PREFER_DOC if h.doc_id == SCURVY else 0.0))


def test_a_saved_conversation_loads_back_and_continues_the_same_way(bot, tmp_path):
    conversation = Conversation()
    bot.ask("What was the 66-year-old man with scurvy treated with?", conversation=conversation)
    path = tmp_path / "chat.json"
    conversation.save(path)
    loaded = Conversation.load(path)
    assert loaded.to_dict() == conversation.to_dict()
    assert json.loads(path.read_text())["format"] == "casebot-conversation/1"
    assert loaded.turns[0].cited[0].doc_id == SCURVY and loaded.turns[0].cited[0].quotes

    original = bot.ask("How long was it given for?", conversation=conversation)
    resumed = bot.ask("How long was it given for?", conversation=loaded)
    assert resumed.query == original.query and resumed.text == original.text


def test_ask_continue_appends_each_turn_to_the_saved_conversation(bot, tmp_path):
    s = bot.settings
    path = tmp_path / "chat.json"
    opts = ["--docs-dir", str(s.docs_dir), "--index-dir", str(s.index_dir), "--continue", str(path)]
    first = CliRunner().invoke(main, ["ask", "What was the 66-year-old man with scurvy treated with?", *opts])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(main, ["ask", "How long was it given for?", "--json", *opts])
    assert second.exit_code == 0, second.output
    data = json.loads(second.stdout)
    assert data["question"] == "How long was it given for?" and "scurvy" in data["query"]
    assert "four weeks" in data["answer"]
    saved = Conversation.load(path)
    assert [t.question for t in saved.turns] == [
        "What was the 66-year-old man with scurvy treated with?",
        "How long was it given for?",
    ]


def test_eval_replays_the_context_and_reports_follow_ups_apart(bot, tmp_path):
    rows = [
        {
            "id": "s1",
            "question": "What was the 66-year-old man with scurvy treated with?",
            "doc": "scurvy-elderly-man",
            "evidence": "He was treated with oral ascorbic acid 1000 mg daily for four weeks.",
        },
        {
            "id": "f1",
            "question": "How long was it given for?",
            "doc": "scurvy-elderly-man",
            "evidence": "oral ascorbic acid 1000 mg daily for four weeks",
            "context": ["What was the 66-year-old man with scurvy treated with?"],
        },
    ]
    path = tmp_path / "conversations.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    summary = ev.summarise(ev.run(bot, ev.load_questions(path)))
    assert summary["followup_questions"] == 1
    assert summary["followup_recall@1"] == 1.0 and summary["followup_first_quote_hit"] == 1.0
    assert summary["recall@1"] == 1.0

    path.write_text(json.dumps({**rows[1], "context": "not a list"}) + "\n")
    with pytest.raises(ev.EvalFileError, match='"context" must be a list'):
        ev.load_questions(path)


# --- rules and records, no model needed ----------------------------------------------------


def turn(question: str, quote: str = "", doc: str = "paper.txt", follow_up: bool = False) -> Turn:
    hit = Hit(1, doc, "A paper", "CASE REPORT", quote, 0, len(quote), None, 1.0, [(0, len(quote))])
    cites = [Citation(1, quote, 0, len(quote))] if quote else []
    answer = Answer(question, f"“{quote}” [1]" if quote else "", not quote, cites, [hit])
    return Turn.of(answer, follow_up)


@pytest.mark.parametrize(
    "question, follow_up",
    [
        ("Did it help?", True),
        ("And the dose?", True),
        ("What about pamidronate?", True),
        ("When those failed, what was tried next?", True),
        ("What was added on day 5?", True),
        ("How quickly was the steroid tapered?", True),
        ("What is calciphylaxis?", False),
        ("Which antibiotics did the 12-year-old boy with jaw swelling get before he was admitted?", False),
        ("Different topic: how is Wilson disease diagnosed?", False),
        ("Can you recommend a hiking trail near Denver?", False),
        ("What proportion of patients that develop calcinosis have ulcers?", False),
    ],
)
def test_the_follow_up_rules(question, follow_up):
    earlier = [
        turn(
            "What was the 69-year-old woman with dermatomyositis treated with?",
            "She was treated with intravenous immunoglobulin and pamidronate 60mg monthly.",
        )
    ]
    resolution = resolve(question, earlier, Vocabulary.load())
    assert resolution.follow_up is follow_up, resolution.reason
    if not follow_up:
        assert resolution.context == [] and not resolution.prefer


def test_a_question_mostly_about_things_no_paper_mentions_does_not_borrow_the_topic():
    earlier = [turn("What was the 66-year-old man with scurvy treated with?", "Oral ascorbic acid 1000 mg daily.")]
    papers = {"oral", "ascorb", "acid", "treat", "spinal", "fluid", "show", "repeat", "test"}
    haiku = resolve("Could you write me a haiku about autumn?", earlier, Vocabulary.load(), papers.__contains__)
    assert not haiku.follow_up and "no paper" in haiku.reason
    one_odd_word = resolve(
        "What did the repeat spinal fluid test show afterwards?", earlier, Vocabulary.load(), papers.__contains__
    )
    assert one_odd_word.follow_up


def test_a_follow_up_knows_what_its_context_turns_already_quoted():
    turns = [
        turn("What was the 66-year-old man with scurvy treated with?", "Oral ascorbic acid 1000 mg daily.", "b.txt"),
        turn("How long was it given for?", "He took ascorbic acid for four weeks.", "b.txt", follow_up=True),
    ]
    resolution = resolve("Did it help?", turns, Vocabulary.load())
    assert resolution.said == {"Oral ascorbic acid 1000 mg daily.", "He took ascorbic acid for four weeks."}
    assert resolve("What is calciphylaxis?", turns, Vocabulary.load()).said == set()


def test_a_sentence_already_quoted_yields_to_an_equally_good_new_one():
    said, new = "Lithium was stopped and she was dialysed.", "Her confusion resolved after one week."
    text = f"{said} {new}"
    hit = Hit(1, "a.txt", "A paper", "CASE REPORT", text, 0, len(text), None, 1.0,
              [(0, len(said)), (len(said) + 1, len(text))], sentence_terms=[set(), set()],
              sentence_scores=[0.5, 0.5])  # fmt: skip
    query = Query("Did it help?", "Did it help?", np.zeros(4), [], [], {}, own={"help"})
    assert select_sentences(query, [hit], 1)[0].quote == said  # a tie goes to the earlier sentence ...
    query.said = {said}
    assert select_sentences(query, [hit], 1)[0].quote == new  # ... unless the conversation has quoted it


def test_context_weighs_recent_turns_more_and_stops_where_the_topic_began():
    turns = [
        turn("Which drug caused lithium toxicity in the 58-year-old woman?", "Lithium was stopped.", "a.txt"),
        turn("What was the 66-year-old man with scurvy treated with?", "Oral ascorbic acid 1000 mg daily.", "b.txt"),
        turn("How long was it given for?", "He took ascorbic acid for four weeks.", "b.txt", follow_up=True),
    ]
    resolution = resolve("Did it help?", turns, Vocabulary.load())
    texts = [text for text, _ in resolution.context]
    assert texts[0] == "How long was it given for?" and "four weeks" in texts[1]
    assert "What was the 66-year-old man with scurvy treated with?" in texts
    assert not any("lithium" in t.lower() for t in texts)  # the earlier topic ended at the scurvy question
    weights = [w for _, w in resolution.context]
    assert weights == sorted(weights, reverse=True) and weights[0] == 1.0
    assert set(resolution.prefer.docs) == {"b.txt"}


def test_history_is_bounded_and_clearable():
    conversation = Conversation(max_turns=2)
    for q in ("first question here", "second question here", "third question here"):
        conversation.add(Answer(q, "", True, [], []))
    assert [t.question for t in conversation.turns] == ["second question here", "third question here"]
    data = {**conversation.to_dict(), "max_turns": 5}
    data["turns"] = data["turns"] * 3
    assert len(Conversation.from_dict(data, max_turns=4)) == 4
    conversation.clear()
    assert len(conversation) == 0


def test_a_file_that_is_not_a_saved_conversation_is_one_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"turns": []}')
    with pytest.raises(InputError, match="not a saved casebot conversation") as info:
        Conversation.load(bad)
    assert "/save" in info.value.fix
    bad.write_text("{not json")
    with pytest.raises(InputError, match="cannot read conversation"):
        Conversation.load(bad)


@pytest.mark.parametrize(
    "turn, problem",
    [
        ({"question": 1}, "turn.question should be str, not int"),
        ({"question": "why?", "abstained": "no"}, "turn.abstained should be bool, not str"),
        (
            {"question": "why?", "cited": [{"doc_id": "a.txt", "section": "", "chunk_id": "7"}]},
            "chunk_id should be int",
        ),
        ({"question": "why?", "cited": [{"doc_id": "a.txt", "section": "", "chunk_id": 7, "quotes": [3]}]}, "quotes"),
        ({"answer": "x"}, "missing 1 required positional argument: 'question'"),
        ({"question": "why?", "mood": "happy"}, "unexpected keyword argument 'mood'"),
        ("why?", "malformed"),
    ],
)
def test_a_saved_turn_of_the_wrong_shape_is_one_clear_error_naming_it(turn, problem, tmp_path):
    """A hand-edited file must not end a chat with a traceback at its next question."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "casebot-conversation/1", "turns": [{"question": "Hi?"}, turn]}))
    with pytest.raises(InputError, match="turn 2 of the saved conversation is malformed") as info:
        Conversation.load(bad)
    assert problem in str(info.value) and "__init__" not in str(info.value)


def test_a_follow_up_naming_another_patients_age_is_quoted_from_her_paper_not_the_earlier_one():
    """The conversation's paper (a.txt) is preferred, but "the 56-year-old" is the man of b.txt:
    a.txt's better-scoring sentence is about someone else."""
    earlier = "He was given oral ascorbic acid 1000 mg daily."
    hers = "She was given intravenous vitamin C."
    hits = [
        Hit(1, "a.txt", "A paper", "CASE REPORT", earlier, 0, len(earlier), None, 1.0, [(0, len(earlier))],
            sentence_terms=[set()], sentence_scores=[0.9]),
        Hit(2, "b.txt", "B paper", "CASE REPORT", hers, 0, len(hers), None, 0.8, [(0, len(hers))],
            sentence_terms=[set()], sentence_scores=[0.5]),
    ]  # fmt: skip
    query = Query("What was the 56-year-old given?", "", np.zeros(4), [], [], {}, own={"given"}, whom="patient")
    query.prefer = Preference({"a.txt": 1.0, "b.txt": 0.67})
    assert select_sentences(query, hits, 2)[0].quote == earlier  # without an age: the conversation's papers
    query.described = {"b.txt"}
    assert [c.quote for c in select_sentences(query, hits, 2)] == [hers]
