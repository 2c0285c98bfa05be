"""How an Answer looks: one record, several renderers, each within a length budget.

Citation numbers shown to people are consecutive in order of first use ([1], [2], [3]),
whatever the ranks of the cited passages; `--json` keeps the passage ranks (`n`), and
`numbering` is the one mapping between the two. Long content is cut at a sentence or
word boundary with an ellipsis, never mid-word.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Group, RenderableType
from rich.text import Text

from .answer import NO_ANSWER
from .records import Answer, Citation, Hit

ELLIPSIS = "…"
RELATED = "Related reading (not an answer):"
_SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*\s")


def fit(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a sentence, else word, boundary, with an ellipsis."""
    if len(text) <= limit:
        return text
    room = max(limit - 2, 0)  # leave space for " …"
    sentence = max((m.end() for m in _SENTENCE_END.finditer(text, 0, room + 1)), default=0)
    if sentence >= room // 2:
        return text[:sentence].rstrip() + " " + ELLIPSIS
    cut = room if text[room:room + 1].isspace() else text.rfind(" ", 0, room)
    return text[: cut if cut > 0 else room].rstrip(" ,;:\n") + ELLIPSIS


def trim_around(text: str, start: int, end: int, limit: int) -> str:
    """A window of `text` of at most `limit` characters around [start, end), cut at word boundaries."""
    if len(text) <= limit:
        return text
    if end - start >= limit - 2 * len(ELLIPSIS):
        return fit(text[start:end], limit)
    spare = limit - (end - start) - 2 * len(ELLIPSIS)
    lo = max(0, start - spare // 2)
    hi = min(len(text), end + (spare - (start - lo)))
    lo = max(0, min(lo, hi - (limit - 2 * len(ELLIPSIS))))
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else start
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else end
    return (ELLIPSIS if lo > 0 else "") + text[lo:hi].strip() + (ELLIPSIS if hi < len(text) else "")


def numbering(answer: Answer) -> dict[int, int]:
    """Passage rank (Citation.n) -> the number people see: consecutive, in order of first citation."""
    shown: dict[int, int] = {}
    for c in answer.citations:
        shown.setdefault(c.n, len(shown) + 1)
    return shown


def cited(answer: Answer) -> list[tuple[int, Hit, list[Citation]]]:
    """(shown number, passage, its citations) for every cited passage, in shown order."""
    shown = numbering(answer)
    out = []
    for rank, number in sorted(shown.items(), key=lambda item: item[1]):
        quotes = sorted((c for c in answer.citations if c.n == rank), key=lambda c: c.start)
        out.append((number, answer.passages[rank - 1], quotes))
    return out


def quote_lines(answer: Answer) -> list[str]:
    """The answer's quotes, best first, each with its shown citation number."""
    shown = numbering(answer)
    return [f"“{c.quote}” [{shown[c.n]}]" for c in answer.citations]


def where(hit: Hit, with_source: bool = True) -> str:
    """title — section — source, p. N: enough to find the passage in the paper."""
    page = f"p. {hit.page}" if hit.page else ""
    source = ", ".join(filter(None, [hit.doc_id if with_source else "", page]))
    return " — ".join(p for p in (hit.title, hit.section, source) if p)


def related(passages: Iterable[Hit], limit: int = 5) -> list[str]:
    """Nearest papers for an abstention, one line each, each paper once."""
    seen: set[str] = set()
    lines = []
    for hit in passages:
        if hit.doc_id in seen:
            continue
        seen.add(hit.doc_id)
        lines.append(where(hit))
        if len(lines) == limit:
            break
    return lines


def marked(hit: Hit, quotes: list[Citation], before: str, after: str) -> str:
    """The passage with each quoted sentence wrapped in `before`/`after`."""
    out, at = [], 0
    for c in quotes:
        out += [hit.text[at:c.start], before, hit.text[c.start:c.end], after]
        at = c.end
    return "".join(out + [hit.text[at:]])


PLAIN_LIMIT = 8000  # a terminal answer stays readable; passages beyond it are cut


def plain(answer: Answer, sources: bool = True, limit: int = PLAIN_LIMIT) -> str:
    """Plain text for a terminal or a pipe: quotes, then where each comes from."""
    if answer.abstained:
        lines = [NO_ANSWER]
        if answer.passages:
            lines += ["", RELATED] + [f"- {line}" for line in related(answer.passages)]
        return fit("\n".join(lines), limit)
    lines = quote_lines(answer)
    if sources:
        lines += ["", "Sources"]
        for number, hit, quotes in cited(answer):
            lines += [f"[{number}] {where(hit)}", "    " + marked(hit, quotes, "«", "»")]
    return fit("\n".join(lines), limit)


# --- terminal (rich) -----------------------------------------------------------------
# The interactive chat's renderers. They build rich Text (never Markdown, so no raw `**`
# reaches the screen); rich wraps Text at word boundaries to the terminal's width.

MARKER_COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "red")  # [1] [2] … each keep a colour
HIGHLIGHT = "bold black on yellow"  # the cited sentence inside a shown passage
SEARCHED_LIMIT = 300  # the searched-query line stays one or two lines


def _marker(number: int) -> Text:
    return Text(f"[{number}]", style=f"bold {MARKER_COLOURS[(number - 1) % len(MARKER_COLOURS)]}")


def rich_answer(answer: Answer) -> Group:
    """The quotes with coloured [n] markers, then a compact sources list (title — section — page)."""
    parts: list[RenderableType] = []
    if (answer.query or answer.question) != answer.question:
        parts.append(Text(f"searched: {fit(answer.query, SEARCHED_LIMIT)}", style="dim"))
    if answer.abstained:
        parts.append(Text(NO_ANSWER, style="bold"))
        if answer.passages:
            parts.append(Text(RELATED, style="dim"))
            parts += [Text(f"  - {line}", style="dim") for line in related(answer.passages)]
        return Group(*parts)
    shown = numbering(answer)
    for c in answer.citations:
        parts.append(Text.assemble("“", c.quote, "” ", _marker(shown[c.n])))
    parts.append(Text(""))
    for number, hit, _ in cited(answer):
        parts.append(Text.assemble(_marker(number), " ", (where(hit, with_source=False), "dim")))
    return Group(*parts)


def rich_sources(answer: Answer) -> Group:
    """Every cited passage in full, its quoted sentences highlighted (the nearest passages for an abstention)."""
    entries: list[tuple[int, Hit, list[Citation]]]
    if answer.abstained:
        entries = [(n, hit, []) for n, hit in enumerate(answer.passages[:3], 1)]
    else:
        entries = cited(answer)
    parts: list[RenderableType] = []
    for number, hit, quotes in entries:
        parts.append(Text.assemble(_marker(number), " ", (where(hit), "bold")))
        parts.append(_highlighted(hit.text, [(c.start, c.end) for c in quotes]))
        parts.append(Text(""))
    return Group(*parts)


def rich_section(number: int, hit: Hit, text: str, quotes: list[Citation]) -> Group:
    """The whole section around citation `number`, its quoted sentences highlighted."""
    spans = []
    for c in quotes:
        at = text.find(c.quote)
        if at != -1:
            spans.append((at, at + len(c.quote)))
    heading = Text.assemble(_marker(number), " ", (" — ".join(filter(None, [hit.title, hit.section])), "bold"))
    return Group(heading, _highlighted(text, spans))


def _highlighted(text: str, spans: list[tuple[int, int]]) -> Text:
    out = Text(text)
    for start, end in spans:
        out.stylize(HIGHLIGHT, start, end)
    return out
