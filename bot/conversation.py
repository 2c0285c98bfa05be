"""Conversations: the turns a user has had with the bot, and how a follow-up finds its context.

Front-end agnostic: the terminal chat and Discord threads hold a `Conversation` each and
pass it to `CaseBot.ask`, which resolves the question against it and records the turn.
A conversation is plain data and serialises to JSON (never pickle).

Follow-up resolution (no text generator is available offline, so these are rules):

Is the question a follow-up? Checked in this order, the first rule that fires decides:
  1. No earlier turns: standalone.
  2. It says it changes the topic ("different topic: …", "another case: …"): standalone.
  3. It opens with an ellipsis marker ("and the dose?", "what about …", "how about …",
     "also …", "any other …"): follow-up.
  4. It identifies its own patient: an age ("the 44-year-old", "in her 40s") or a person
     with a description ("the woman with …", "the boy who …"): standalone, even if it
     also says "she" ("… the boy with jaw swelling receive before he was admitted?").
  5. It refers outside itself: a personal or possessive pronoun (it, she, they, their …),
     a demonstrative used as one ("did that help?", "when those failed", "This drug …")
     or "the same": follow-up. "the patient" alone does not count.
  6. At least half of its content words are in no indexed paper ("a haiku about autumn",
     "a hiking trail near Denver"), when the caller says what the papers contain
     (`known`): standalone. One unusual word ("afterwards") is not enough. Such a question
     must abstain on its own merits, not borrow the case under discussion.
  7. It names a subject the conversation has not been about: a vocabulary concept, an
     abbreviation, a capitalised word inside the sentence or a word rarer in English
     than NAME_ZIPF ("What is calciphylaxis?", "a hiking trail near Denver?") that none
     of the earlier questions, quotes or titles mention: standalone.
  8. Otherwise follow-up: in a conversation a question that names neither a patient nor
     a new subject ("What was added on day 5?", "How quickly was the steroid tapered?")
     continues the case under discussion.
A standalone question is searched exactly as asked, with no context and no preference
for earlier papers, so a topic switch is never polluted.

What does a follow-up search? The question itself, then context from earlier turns,
most recent first: each turn's question, the entities of its best quote (drug and
disease concepts, doses, durations, ages, sizes, rare words such as drug names and
sites) with the cited papers' titles, then the entities only its other quotes name. Context reaches back at most
MAX_CONTEXT_TURNS turns and stops at the most recent standalone turn, where the topic
began; an abstained standalone turn found nothing and sets no topic, so it is skipped.
Turn i back weighs RECENCY_DECAY**i; its best quote's entities weigh ENTITY_SHARE of that,
its other quotes' entities RECENCY_DECAY of those. The
papers and sections the context turns cited are passed to the retriever as a
preference (a boost, not a filter: a follow-up may move to another paper). The paper
keeps the topic, so the context counts less than the follow-up's own words
(scoring.CONTEXT_WEIGHT, OWN_VECTOR_SHARE), and the sentences the context turns quoted
(`Resolution.said`) are passed on too: a follow-up asks for something not yet said, so
its answer prefers a sentence it has not quoted (scoring.REPEAT_PENALTY).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .analysis import SHAPES, Vocabulary, key_terms, tokens
from .errors import InputError
from .frequency import zipf
from .records import Answer, Preference

FORMAT = "casebot-conversation/1"

NAME_ZIPF = 2.5  # words rarer than this in English (drug names, rare diseases) name a subject
ENTITY_ZIPF = 3.6  # quoted words rarer than this (sites, findings, drugs) are worth carrying forward
MAX_CONTEXT_TURNS = 3  # a follow-up leans on at most this many earlier turns
RECENCY_DECAY = 0.5  # each turn further back counts half as much
ENTITY_SHARE = 0.6  # entities of a turn's quotes weigh this share of its question
MAX_ENTITIES = 8  # per turn: enough to name the drugs and values, too few to drown the question
SECTION_SHARE = 0.5  # preferring a cited paper's other sections: this share of the section boost

_SWITCH = re.compile(
    r"\b(?:different|another|new|other|unrelated)\s+(?:topic|case|question|subject|patient|report)\b|"
    r"^\s*(?:switching|changing)\b|\bchange of (?:topic|subject)\b",
    re.I,
)
_AGE = re.compile(
    r"\b\d+[\s-]*(?:years?|months?|weeks?|days?|yr|mo)[\s-]*old\b|\baged?\s+\d+|"
    r"\bin (?:his|her|their) (?:early |mid |mid-|late )?\d0s\b",
    re.I,
)
_PERSON = re.compile(
    r"\b(?:woman|man|boy|girl|child|infant|toddler|baby|newborn|neonate|mother|father|teenager|teen|"
    r"student|adolescent|lady|gentleman|patient|siblings?|brothers?|sisters?|twins?)\s+"
    r"(?:with|who|whose|from|aged|on|in)\b",
    re.I,
)
_OPENER = re.compile(
    r"^\s*(?:and|also|so|but|then|plus|what about|how about|and what|what else|anything else|"
    r"any other|what if|same)\b",
    re.I,
)
_PRONOUN = re.compile(
    r"\b(?:it|its|itself|they|them|their|theirs|she|her|hers|herself|he|him|his|himself|"
    r"the same|such)\b",
    re.I,
)
# A demonstrative refers outside the question at its start or after a verb or preposition;
# after a noun it is a relative pronoun ("patients that develop ...").
_DEMONSTRATIVE = re.compile(
    r"(?:^|\b(?:is|was|were|are|did|does|do|of|for|with|about|after|before|to|in|on|from|"
    r"by|at|despite|under|than|like|besides|when|if|since|once|while|because|and|but|as)\s+)"
    r"(?:this|that|these|those)\b",
    re.I,
)
_CAPITALISED = re.compile(r"(?<=[\w,;:)] )[A-Z][\w-]+|\b[A-Z]{2,}\w*")
_WORDS = re.compile(r"[^\W\d_][\w'-]*[^\W_]|[^\W\d_]")
_VALUE_SHAPES = [SHAPES[kind] for kind in ("dose", "duration", "age", "size")]  # not bare numbers


@dataclass
class CitedPassage:
    """A passage an answer quoted: where a follow-up is likely to look again."""

    doc_id: str
    section: str
    chunk_id: int
    title: str = ""
    quotes: list[str] = field(default_factory=list)  # the sentences quoted from it


def _wrongly_typed(turn: Turn) -> str | None:
    """The first field of a loaded turn whose value has the wrong type (JSON can hold anything)."""
    expected: list[tuple[str, Any, type]] = [
        (f"turn.{name}", getattr(turn, name), str) for name in ("question", "query", "answer")
    ]
    expected += [(f"turn.{name}", getattr(turn, name), bool) for name in ("abstained", "follow_up")]
    for c in turn.cited:
        expected += [(f"cited.{name}", getattr(c, name), str) for name in ("doc_id", "section", "title")]
        expected += [("cited.chunk_id", c.chunk_id, int), ("cited.quotes", c.quotes, list)]
        expected += [("cited.quotes", q, str) for q in c.quotes if isinstance(c.quotes, list)]
    for name, value, kind in expected:
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return f"{name} should be {kind.__name__}, not {type(value).__name__}"
    return None


@dataclass
class Turn:
    """One exchange: what was asked, what was searched, what was answered and from where."""

    question: str
    query: str = ""
    answer: str = ""  # the plain answer text (quotes with [n]), shown again when a saved chat is loaded
    abstained: bool = False
    cited: list[CitedPassage] = field(default_factory=list)
    follow_up: bool = False  # resolved against earlier turns (else it started a topic)

    @classmethod
    def of(cls, answer: Answer, follow_up: bool = False) -> Turn:
        """The turn of an answer; cited passages in order of first citation, so the best quote comes first."""
        cited: dict[int, CitedPassage] = {}
        for c in answer.citations:
            h = answer.passages[c.n - 1]
            cited.setdefault(c.n, CitedPassage(h.doc_id, h.section, h.chunk_id, h.title)).quotes.append(c.quote)
        return cls(
            answer.question,
            answer.query or answer.question,
            answer.text,
            answer.abstained,
            list(cited.values()),
            follow_up,
        )


@dataclass
class Resolution:
    """How a question reads in its conversation: standalone, or a follow-up with weighted context."""

    question: str
    follow_up: bool
    reason: str  # the rule that decided (module docstring), for logs and --debug
    context: list[tuple[str, float]] = field(default_factory=list)  # (text, weight), most recent first
    prefer: Preference = field(default_factory=Preference)
    said: set[str] = field(default_factory=set)  # sentences the context turns quoted: not worth saying again


def resolve(
    question: str, turns: Sequence[Turn], vocabulary: Vocabulary, known: Callable[[str], bool] | None = None
) -> Resolution:
    """Decide whether `question` leans on `turns` (oldest first) and, if so, what context it carries.

    `known(term)` tells whether any indexed paper contains an analysed term (rule 6).
    """
    follow_up, reason = _is_follow_up(question, turns, vocabulary, known)
    if not follow_up:
        return Resolution(question, False, reason)
    context: list[tuple[str, float]] = []
    docs: dict[str, float] = {}
    sections: dict[tuple[str, str], float] = {}
    said: set[str] = set()
    weight, used = 1.0, 0
    for turn in reversed(turns):
        if used == MAX_CONTEXT_TURNS:
            break
        if turn.abstained and not turn.follow_up:
            continue  # an off-topic or unanswered question set no topic
        used += 1
        context.append((turn.question, weight))
        lead, rest = entities(turn, vocabulary)
        context += [
            (" ".join(found), share)
            for found, share in ((lead, weight * ENTITY_SHARE), (rest, weight * ENTITY_SHARE * RECENCY_DECAY))
            if found
        ]
        said.update(q for c in turn.cited for q in c.quotes)
        for c in turn.cited:
            docs[c.doc_id] = max(docs.get(c.doc_id, 0.0), weight)
            sections[(c.doc_id, c.section)] = max(sections.get((c.doc_id, c.section), 0.0), weight)
        if not turn.follow_up:
            break  # the topic began here
        weight *= RECENCY_DECAY
    return Resolution(question, True, reason, context, Preference(docs, sections), said)


def _is_follow_up(
    question: str, turns: Sequence[Turn], vocabulary: Vocabulary, known: Callable[[str], bool] | None
) -> tuple[bool, str]:
    if not turns:
        return False, "first question"
    if _SWITCH.search(question):
        return False, "says it changes the topic"
    if _OPENER.search(question):
        return True, "opens with an ellipsis marker"
    if _AGE.search(question) or _PERSON.search(question):
        return False, "identifies its own patient"
    if _PRONOUN.search(question) or _DEMONSTRATIVE.search(question):
        return True, "refers to something earlier"
    own = key_terms(question, vocabulary)
    unknown = [w for t, w in own.items() if known is not None and not w.isdigit() and not known(t)]
    if unknown and 2 * len(unknown) >= len(own):
        return False, f"uses words no paper contains ({', '.join(unknown)})"
    named = [t for t, w in own.items() if _names_something(t, w, question, vocabulary)]
    if named:
        earlier = set()
        for turn in turns[-MAX_CONTEXT_TURNS:]:
            said = " ".join([turn.question] + [q for c in turn.cited for q in c.quotes] + [c.title for c in turn.cited])
            earlier |= set(key_terms(said, vocabulary)) | set(tokens(said, vocabulary))
        new = [t for t in named if t not in earlier]
        if new:
            return False, f"names a new subject ({', '.join(new)})"
    return True, "names no patient or subject of its own"


def _names_something(term: str, word: str, question: str, vocabulary: Vocabulary) -> bool:
    """A concept, an abbreviation, a capitalised word mid-sentence or a word rare in English names a subject;
    a class named by an everyday word ("the steroid", "dialysis") is a kind of thing, judged as a word."""
    if term.startswith("@") and term not in vocabulary.classes():
        return True
    if word.isdigit():
        return False
    capitalised = any(m.group().lower().startswith(word.lower()) for m in _CAPITALISED.finditer(question))
    return capitalised or zipf(word) < NAME_ZIPF


def entities(turn: Turn, vocabulary: Vocabulary) -> tuple[list[str], list[str]]:
    """What a turn's quotes were about: concepts, values and rare words of its best quote (with the
    cited papers' titles), and separately those only its other quotes name.

    These are what a follow-up's pronoun most likely points at ("did *it* help?" after a
    quote naming pamidronate 60mg monthly); the best quote first, as it usually answered.
    """
    quotes = [q for c in turn.cited for q in c.quotes]
    lead = _entities(quotes[:1], vocabulary)
    rest = [e for e in _entities(quotes[1:], vocabulary) if e not in lead]
    titles = [t for t in dict.fromkeys(c.title for c in turn.cited) if t]
    return lead + titles, rest


def _entities(quotes: list[str], vocabulary: Vocabulary) -> list[str]:
    found: dict[str, None] = {}
    for quote in quotes:
        spans = [(a, quote[a:b]) for _, a, b in vocabulary.tag_spans(quote, implied=False)]
        spans += [(m.start(), m.group()) for shape in _VALUE_SHAPES for m in shape.finditer(quote)]
        spans += [
            (m.start(), m.group())
            for m in _WORDS.finditer(quote)
            if len(m.group()) > 3 and zipf(m.group()) < ENTITY_ZIPF
        ]
        end = -1
        for start, text in sorted(spans, key=lambda x: (x[0], -len(x[1]))):
            if start >= end:  # "69-year-old" once, not again as "69-year"
                found.setdefault(" ".join(text.split()))
                end = start + len(text)
    return list(found)[:MAX_ENTITIES]


@dataclass
class Conversation:
    """The turns so far, oldest first, bounded to `max_turns`."""

    max_turns: int = 8
    turns: list[Turn] = field(default_factory=list)

    def resolve(self, question: str, vocabulary: Vocabulary, known: Callable[[str], bool] | None = None) -> Resolution:
        return resolve(question, self.turns, vocabulary, known)

    def add(self, answer: Answer, follow_up: bool = False) -> Turn:
        turn = Turn.of(answer, follow_up)
        self.turns.append(turn)
        del self.turns[: -self.max_turns]
        return turn

    def clear(self) -> None:
        self.turns.clear()

    def __len__(self) -> int:
        return len(self.turns)

    def to_dict(self) -> dict[str, Any]:
        return {"format": FORMAT, "max_turns": self.max_turns, "turns": [asdict(t) for t in self.turns]}

    @classmethod
    def from_dict(cls, data: Any, max_turns: int | None = None) -> Conversation:
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("turns"), list):
            raise InputError(
                f"not a saved casebot conversation (expected format {FORMAT!r})",
                "give a file written by /save or `casebot ask --continue`",
            )
        turns = []
        for n, t in enumerate(data["turns"], 1):
            try:
                turn = Turn(**{**t, "cited": [CitedPassage(**c) for c in t.get("cited", [])]})
                problem = _wrongly_typed(turn)
            except (TypeError, AttributeError) as exc:
                problem = re.sub(r"^\w+\.__init__\(\) ", "", str(exc))
            if problem:
                raise InputError(
                    f"turn {n} of the saved conversation is malformed ({problem})",
                    "give a file written by /save or `casebot ask --continue`",
                )
            turns.append(turn)
        conversation = cls(max_turns or int(data.get("max_turns") or cls.max_turns))
        conversation.turns = turns[-conversation.max_turns :]
        return conversation

    def save(self, path: Path) -> None:
        """Write atomically: a crash never leaves half a conversation."""
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InputError(
                f"cannot write conversation {path} ({exc.strerror or exc})", "give a path in a writable folder"
            ) from None

    @classmethod
    def load(cls, path: Path, max_turns: int | None = None) -> Conversation:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(
                f"cannot read conversation {path} ({exc})", "give a file written by /save or `casebot ask --continue`"
            ) from None
        return cls.from_dict(data, max_turns)
