"""Conversations: the turns a user has had with the bot, and how a follow-up finds its context.

Front-end agnostic: the terminal chat and Discord threads hold a `Conversation` each and
pass it to `CaseBot.ask`, which resolves the question against it and records the turn.
A conversation is plain data and serialises to JSON (never pickle).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .records import Answer

FORMAT = "casebot-conversation/1"


@dataclass
class CitedPassage:
    """A passage an answer quoted: where a follow-up is likely to look again."""

    doc_id: str
    section: str
    chunk_id: int
    title: str = ""


@dataclass
class Turn:
    """One exchange: what was asked, what was searched, what was answered and from where."""

    question: str
    query: str = ""
    answer: str = ""
    abstained: bool = False
    cited: list[CitedPassage] = field(default_factory=list)

    @classmethod
    def of(cls, answer: Answer) -> Turn:
        cited_ranks = sorted({c.n for c in answer.citations})
        cited = [CitedPassage(h.doc_id, h.section, h.chunk_id, h.title)
                 for n, h in enumerate(answer.passages, 1) if n in cited_ranks]
        return cls(answer.question, answer.query or answer.question, answer.text, answer.abstained, cited)


@dataclass
class Conversation:
    """The turns so far, oldest first, bounded to `max_turns`."""

    max_turns: int = 8
    turns: list[Turn] = field(default_factory=list)

    def add(self, answer: Answer) -> Turn:
        turn = Turn.of(answer)
        self.turns.append(turn)
        del self.turns[:-self.max_turns]
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
            raise InputError(f"not a saved casebot conversation (expected format {FORMAT!r})",
                             "give a file written by /save or `casebot ask --continue`")
        try:
            turns = [Turn(**{**t, "cited": [CitedPassage(**c) for c in t.get("cited", [])]}) for t in data["turns"]]
        except TypeError as exc:
            raise InputError(f"a saved conversation turn is malformed ({exc})",
                             "give a file written by /save or `casebot ask --continue`") from None
        conversation = cls(max_turns or int(data.get("max_turns") or cls.max_turns))
        conversation.turns = turns[-conversation.max_turns:]
        return conversation

    def save(self, path: Path) -> None:
        """Write atomically: a crash never leaves half a conversation."""
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, max_turns: int | None = None) -> Conversation:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"cannot read conversation {path} ({exc})",
                             "give a file written by /save or `casebot ask --continue`") from None
        return cls.from_dict(data, max_turns)
