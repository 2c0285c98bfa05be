"""`casebot eval`: answer a question file in one process and score retrieval and answers.

Definitions are fixed so figures compare across versions (README, "Measuring quality"):
a passage holds the evidence when it comes from the gold document (file stem == doc)
and contains at least half of the evidence span as one contiguous run, after folding
case and whitespace and re-joining words split at line ends.

A row with "context" (earlier questions, oldest first) is a follow-up: its earlier
questions are asked first through the same conversation core the front ends use, and
its figures are also reported on their own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from .answer import confidence
from .conversation import Conversation
from .core import CaseBot
from .errors import InputError
from .records import Answer

RECALL_AT = (1, 5, 10)


class EvalFileError(InputError):
    fix = 'correct the question file (format in README, "Measuring quality")'


def fold(text: str) -> str:
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
    return " ".join(text.casefold().split())


def holds(text: str, evidence: str) -> bool:
    ev, tx = fold(evidence), fold(text)
    if not ev:
        return False
    if ev in tx:
        return True
    match = SequenceMatcher(None, ev, tx, autojunk=False).find_longest_match(0, len(ev), 0, len(tx))
    return match.size * 2 >= len(ev)


def quote_holds(quote: str, evidence: str) -> bool:
    """A single quoted sentence holds the evidence: it contains half of it, or (for a long evidence
    span of several sentences) the evidence contains most of the quote."""
    return holds(quote, evidence) or (len(fold(quote)) >= 40 and holds(evidence, quote))


def strip_citations(text: str) -> str:
    return re.sub(r"\s*\[\d+\]", "", text).replace("“", "").replace("”", "")


def load_questions(path: Path) -> list[dict]:
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"cannot read {path}: {exc}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("question"), str) or "id" not in row:
            raise EvalFileError(f'{path}:{n}: each line needs at least {{"id", "question"}}')
        if not row["question"].strip():
            raise EvalFileError(f"{path}:{n}: the question is empty")
        context = row.get("context") or []
        if not isinstance(context, list) or not all(isinstance(q, str) and q.strip() for q in context):
            raise EvalFileError(f'{path}:{n}: "context" must be a list of earlier questions, oldest first')
        rows.append(row)
    return rows


@dataclass
class Outcome:
    row: dict
    answer: Answer
    rank: int | None  # 1-based rank of the first passage holding the evidence, within the top 10
    answer_hit: bool  # some quote of the answer holds the evidence
    first_quote_hit: bool = False  # the first (best) quote alone holds the evidence, or lies within it
    signals: dict = field(default_factory=dict)

    @property
    def answerable(self) -> bool:
        return bool(self.row.get("doc")) and bool(self.row.get("evidence"))

    @property
    def follow_up(self) -> bool:
        return bool(self.row.get("context"))


def run(bot: CaseBot, rows: list[dict], k: int | None = None) -> list[Outcome]:
    k = k or bot.settings.retrieval.k
    outcomes = []
    for row in rows:
        conversation = None
        if row.get("context"):
            conversation = Conversation(bot.settings.conversation.max_turns)
            for earlier in row["context"]:
                bot.ask(earlier, k, conversation)
        answer, top = bot.ask_ranked(row["question"], k, conversation, depth=max(RECALL_AT))
        rank = hit = first = None
        if row.get("doc") and row.get("evidence"):
            rank = next(
                (
                    i
                    for i, h in enumerate(top, 1)
                    if Path(h.doc_id).stem == row["doc"] and holds(h.text, row["evidence"])
                ),
                None,
            )
            hit = not answer.abstained and holds(strip_citations(answer.text), row["evidence"])
            first = bool(answer.citations) and quote_holds(answer.citations[0].quote, row["evidence"])
        conf = confidence(answer.passages)
        outcomes.append(
            Outcome(
                row,
                answer,
                rank,
                bool(hit),
                bool(hit and first),
                {
                    "confidence": round(conf.coverage, 3),
                    "cosine": round(conf.cosine, 3),
                    "missing": list(conf.missing),
                    "top": [f"{Path(h.doc_id).stem}#{h.chunk_id}" for h in top[:3]],
                },
            )
        )
    return outcomes


def summarise(outcomes: list[Outcome]) -> dict:
    """The figures over all questions, then the follow-ups' own (prefixed `followup_`) when there are any."""
    out = _figures(outcomes)
    follow_ups = [o for o in outcomes if o.follow_up]
    if follow_ups:
        out.update(
            {f"followup_{key}": value for key, value in _figures(follow_ups).items() if key in FOLLOW_UP_FIGURES}
        )
    return out


FOLLOW_UP_FIGURES = (
    "questions",
    "recall@1",
    "recall@5",
    "answer_hit",
    "first_quote_hit",
    "abstention",
    "false_abstention",
)


def _figures(outcomes: list[Outcome]) -> dict:
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    share = lambda xs, total: round(sum(xs) / len(total), 3) if total else None  # noqa: E731
    out: dict[str, float | None] = {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
    }
    for k in RECALL_AT:
        out[f"recall@{k}"] = share([o.rank is not None and o.rank <= k for o in answerable], answerable)
    out["paper@1"] = share(
        [bool(o.answer.passages) and Path(o.answer.passages[0].doc_id).stem == o.row["doc"] for o in answerable],
        answerable,
    )
    out["mrr"] = round(sum(1 / o.rank for o in answerable if o.rank) / len(answerable), 3) if answerable else None
    out["answer_hit"] = share([o.answer_hit for o in answerable], answerable)
    out["first_quote_hit"] = share([o.first_quote_hit for o in answerable], answerable)
    answered = [o for o in outcomes if not o.answer.abstained]
    out["quotes_per_answer"] = (
        round(sum(len(o.answer.citations) for o in answered) / len(answered), 2) if answered else None
    )
    out["abstention"] = share([o.answer.abstained for o in unanswerable], unanswerable)
    out["false_abstention"] = share([o.answer.abstained for o in answerable], answerable)
    return out


def problem(o: Outcome) -> str | None:
    """What went wrong with one question, the first thing of: abstained, evidence not retrieved or
    below rank 1, answer or first quote missing the evidence, an unanswerable question answered."""
    if not o.answerable:
        return None if o.answer.abstained else "answered an unanswerable question"
    return (
        ("abstained" if o.answer.abstained else None)
        or ("evidence not retrieved" if o.rank is None else "evidence below rank 1" if o.rank > 1 else None)
        or ("answer misses evidence" if not o.answer_hit else None)
        or ("first quote misses evidence" if not o.first_quote_hit else None)
    )


def misses(outcomes: list[Outcome]) -> list[dict]:
    """Questions that went wrong, with the signals a maintainer needs to see why."""
    rows = []
    for o in outcomes:
        if wrong := problem(o):
            question = " → ".join([*o.row.get("context", []), o.row["question"]])
            rows.append(
                {
                    "id": o.row["id"],
                    "problem": wrong,
                    "rank": o.rank,
                    **o.signals,
                    "question": question,
                    "query": o.answer.query,
                }
            )
    return rows
