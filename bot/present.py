"""How an Answer looks: one record, several renderers, each within a length budget.

Citation numbers shown to people are consecutive in order of first use ([1], [2], [3]),
whatever the ranks of the cited passages; `--json` keeps the passage ranks (`n`), and
`numbering` is the one mapping between the two. Long content is cut at a sentence or
word boundary with an ellipsis, never mid-word.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

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
    if limit <= 2:
        return ELLIPSIS[:limit]
    room = limit - 2  # leave space for " …"
    sentence = max((m.end() for m in _SENTENCE_END.finditer(text, 0, room + 1)), default=0)
    if sentence >= room // 2:
        return text[:sentence].rstrip() + " " + ELLIPSIS
    cut = room if text[room : room + 1].isspace() else text.rfind(" ", 0, room)
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


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(name: str) -> str:
    """A file name as it can be typed back: control characters (a terminal would act on an escape
    sequence in it) shown as \\xNN instead."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", name)


def where(hit: Hit, with_source: bool = True) -> str:
    """title — section — source, p. N: enough to find the passage in the paper."""
    page = f"p. {hit.page}" if hit.page else ""
    source = ", ".join(filter(None, [visible(hit.doc_id) if with_source else "", page]))
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
        out += [hit.text[at : c.start], before, hit.text[c.start : c.end], after]
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


# ---------------------------------------------------------------------------------------------
# Discord
#
# Discord rejects a message or embed over its limits (discord.py does not check them), so every
# piece is cut to its budget here. `discord` is imported inside the functions: the CLI imports
# this module and should not pay for it.
# ---------------------------------------------------------------------------------------------

MESSAGE_LIMIT = 2000
EMBED_TITLE_LIMIT = 256
EMBED_DESCRIPTION_LIMIT = 4096
EMBED_FIELDS_LIMIT = 25
EMBED_FIELD_NAME_LIMIT = 256
EMBED_FIELD_VALUE_LIMIT = 1024
EMBED_FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000  # all embeds of one message together
EMBEDS_PER_MESSAGE = 10
THREAD_NAME_LIMIT = 100
DISCLAIMER = "Quoted verbatim from the indexed case reports. Not medical advice."
ANSWER_COLOUR = 0x2B7BB9
ABSTAIN_COLOUR = 0x99AAB5
MIN_FIELD_VALUE = 200  # a shrunk citation still shows its quoted sentence's neighbourhood
PAPERS_PER_PAGE = 10


def _md(text: str) -> str:
    """Discord markdown escaped, so a passage shows exactly as written (a quote stays verbatim)."""
    from discord.utils import escape_markdown

    return escape_markdown(text)


def _escaped_within(cut: Callable[[int], str], limit: int) -> str:
    """`cut(size)` escaped for Discord, `size` shrunk until the escaped text is at most `limit` characters."""
    size = limit
    while size > 0:
        escaped = _md(cut(size))
        if len(escaped) <= limit:
            return escaped
        size -= len(escaped) - limit  # escapes added characters: cut the raw text shorter by as many
    return ELLIPSIS[:limit]


def _fit_md(text: str, limit: int) -> str:
    """`text` escaped for Discord and cut to `limit` characters *after* escaping."""
    return _escaped_within(lambda size: fit(text, size), limit)


def discord_text(text: str) -> str:
    """A plain Discord message: at most 2,000 characters."""
    return fit(text, MESSAGE_LIMIT)


def thread_name(question: str) -> str:
    """A thread title from the question: 1–100 characters, on one line."""
    name = fit(" ".join(question.split()), THREAD_NAME_LIMIT)
    return name or "casebot answer"


def embed_size(embeds: list) -> int:
    """Characters Discord counts against the 6,000 limit: titles, descriptions, fields, footers, authors."""
    total = 0
    for e in embeds:
        total += len(e.title or "") + len(e.description or "") + len(e.footer.text or "") + len(e.author.name or "")
        total += sum(len(f.name or "") + len(f.value or "") for f in e.fields)
    return total


def _citation_value(hit: Hit, quotes: list[Citation], limit: int) -> str:
    """The passage around its quoted sentences, cut at word boundaries, escaped for Discord."""
    start, end = min(c.start for c in quotes), max(c.end for c in quotes)
    return _escaped_within(lambda size: trim_around(hit.text, start, end, size), limit)


def answer_embed(answer: Answer):
    """One embed for an answer: the quotes with [n] in the description, one field per cited source.

    An abstention says so and lists the nearest papers as related reading, clearly not as an answer.
    """
    import discord

    title = _fit_md(answer.question, EMBED_TITLE_LIMIT) or None
    footer = fit(DISCLAIMER, EMBED_FOOTER_LIMIT)
    if answer.abstained:
        embed = discord.Embed(title=title, description=NO_ANSWER, colour=ABSTAIN_COLOUR)
        if answer.passages:
            lines = [f"• {line}" for line in related(answer.passages)]
            embed.add_field(name=RELATED, value=_fit_md("\n".join(lines), EMBED_FIELD_VALUE_LIMIT), inline=False)
        return embed.set_footer(text=footer)
    sources = cited(answer)[:EMBED_FIELDS_LIMIT]
    names = [_fit_md(f"[{number}] {where(hit)}", EMBED_FIELD_NAME_LIMIT) for number, hit, _ in sources]
    fixed = len(title or "") + len(footer) + sum(map(len, names))
    # The quotes come first; the sources share what is left of the 6,000 characters.
    description = _fit_md(
        "\n".join(quote_lines(answer)),
        min(EMBED_DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT - fixed - MIN_FIELD_VALUE * len(sources)),
    )
    share = (EMBED_TOTAL_LIMIT - fixed - len(description)) // max(len(sources), 1)
    embed = discord.Embed(title=title, description=description, colour=ANSWER_COLOUR)
    for name, (_, hit, quotes) in zip(names, sources, strict=True):
        embed.add_field(
            name=name, value=_citation_value(hit, quotes, min(EMBED_FIELD_VALUE_LIMIT, share)), inline=False
        )
    return embed.set_footer(text=footer)


def passages_embeds(answer: Answer) -> list:
    """Every retrieved passage in full (as far as 6,000 characters allow), cited ones first with their numbers."""
    import discord

    shown = numbering(answer)
    order = sorted(range(1, len(answer.passages) + 1), key=lambda rank: shown.get(rank, len(shown) + rank))
    order = order[:EMBEDS_PER_MESSAGE]
    titles = [
        _fit_md((f"[{shown[rank]}] " if rank in shown else "") + where(answer.passages[rank - 1]), EMBED_TITLE_LIMIT)
        for rank in order
    ]
    left = EMBED_TOTAL_LIMIT - sum(map(len, titles))
    embeds = []
    for i, (rank, title) in enumerate(zip(order, titles, strict=True)):
        share = min(EMBED_DESCRIPTION_LIMIT, left // (len(order) - i))
        description = _fit_md(answer.passages[rank - 1].text, share)
        left -= len(description)
        colour = ANSWER_COLOUR if rank in shown else ABSTAIN_COLOUR
        embeds.append(discord.Embed(title=title, description=description, colour=colour))
    return embeds


def papers_embed(documents: list, page: int, per_page: int = PAPERS_PER_PAGE):
    """One page of the indexed papers (objects with doc_id, title, chunks), sorted by source."""
    import discord

    pages = max(1, -(-len(documents) // per_page))
    page = min(max(page, 0), pages - 1)
    description = ""
    for d in documents[page * per_page : (page + 1) * per_page]:
        line = f"**{_fit_md(d.title, 300)}**\n`{fit(d.doc_id, 200)}` · {d.chunks} passages\n"
        if len(description) + len(line) > EMBED_DESCRIPTION_LIMIT - len(ELLIPSIS):
            description += ELLIPSIS  # whole entries only, so no markup is cut in half
            break
        description += line
    description = description.rstrip("\n") or "No papers are indexed yet."
    embed = discord.Embed(title=f"Indexed papers ({len(documents)})", description=description, colour=ANSWER_COLOUR)
    return embed.set_footer(text=f"Page {page + 1} of {pages}")


def report_messages(report) -> list[str]:
    """An index update's summary as Discord messages: counts, warnings, and every file with its
    reason, one a line, in as many messages of at most 2,000 characters as it takes."""
    lines = [f"Index {report.generation}: embedded {report.chunks_embedded} passage(s)."]
    lines += [f"**warning**: {_md(w)}" for w in report.warnings]
    for label in ("added", "changed", "removed", "duplicates", "rejected"):
        items = getattr(report, label)
        if not items:
            continue
        lines.append(f"**{label}** ({len(items)}):")
        lines += [discord_text("- " + _md(i if isinstance(i, str) else f"{i['source']}: {i['reason']}")) for i in items]
    lines.append(f"unchanged: {len(report.unchanged)}")
    messages = [""]
    for line in lines:
        if messages[-1] and len(messages[-1]) + 1 + len(line) > MESSAGE_LIMIT:
            messages.append("")
        messages[-1] += ("\n" if messages[-1] else "") + line
    return messages


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
