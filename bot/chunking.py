"""Split a cleaned document into passages that fit the embedder, on sentence boundaries.

A passage never crosses a section or mixes a caption with prose, carries its exact
character span in the document, and is measured in the model's own word pieces:
nothing is truncated behind the user's back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .records import Block, Chunk, Document

SECTION_JOIN = " / "  # the label of a passage merged across sections: "Objective / Methods"

# Abbreviations after which a full stop does not end a sentence.
_NO_BREAK = re.compile(
    r"(?:\b(?:e\.g|i\.e|et al|etc|vs|Fig|Figs|Dr|Mr|Mrs|Ms|Prof|No|approx|ca|cf|Ref|resp|St)\.|(?:^|\s)[A-Z]\."
    r"|^(?:Figure|Fig\.|Table)\s*\d+[A-Za-z]?\.)$"
)
_BOUNDARY = re.compile(r"[.!?][\"”’)\]]*\s+(?=[\"“(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of `text` (whitespace between sentences belongs to neither)."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        end = m.start() + len(m.group(0).rstrip())
        if _NO_BREAK.search(text[start : m.start() + 1]):
            continue
        spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


def passage_prefix(title: str, section: str) -> str:
    """What the embedder and BM25 see before a passage: which paper, which section."""
    return f"{title}. {section}.\n" if section else f"{title}.\n"


def split_at_words(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Spans of text[start:end], each at most max_chars long, cut at the last space before the limit
    (or hard at the limit when a run has no space): a word-piece count cannot bound a passage's length,
    since the tokenizer turns a run of any length without spaces into a single unknown token."""
    spans = []
    while end - start > max_chars:
        cut = text.rfind(" ", start + 1, start + max_chars + 1)
        cut = cut if cut > start else start + max_chars
        spans.append((start, cut))
        start = cut
        while start < end and text[start] == " ":
            start += 1
    if start < end:
        spans.append((start, end))
    return spans


Piece = tuple[int, int, int]  # (start, end, word pieces) of a sentence, or of a part of a long one


@dataclass
class _Draft:
    """A passage being built: its pieces, the sections it covers, and where it sits in its runs."""

    pieces: list[Piece]
    sections: list[str]  # distinct section names, in order
    kind: str  # "paragraph" | "caption"
    starts_run: bool  # begins where its first run (same-section paragraphs, or one caption) begins
    ends_run: bool  # ends where its last run ends

    @property
    def tokens(self) -> int:
        return sum(p[2] for p in self.pieces)

    @property
    def section(self) -> str:
        return SECTION_JOIN.join(s for s in self.sections if s)


class Chunker:
    def __init__(
        self,
        count_tokens: Callable[[str], int],
        max_tokens: int,
        target_tokens: int,
        overlap: int,
        max_chars: int = 4000,
        min_tokens: int = 0,
    ):
        self.count, self.max_tokens, self.target, self.overlap = count_tokens, max_tokens, target_tokens, overlap
        self.max_chars, self.min_tokens = max_chars, min_tokens

    def chunk(self, doc: Document) -> list[Chunk]:
        drafts: list[_Draft] = []
        run: list[tuple[int, int]] = []  # sentence spans (absolute) of consecutive same-section paragraphs
        run_block: Block | None = None
        for start, _end, block in doc.blocks + [(len(doc.text), len(doc.text), None)]:
            continues = (
                block is not None
                and block.kind == "paragraph"
                and run_block is not None
                and run_block.kind == "paragraph"
                and block.section == run_block.section
            )
            if run and run_block is not None and not continues:
                drafts.extend(self._pack(doc, run, run_block))
                run = []
            if block is None or block.kind not in ("paragraph", "caption"):
                run_block = None
                continue
            run_block = block
            run.extend((start + s, start + e) for s, e in split_sentences(block.text))
        return [self._chunk(doc, d) for d in self._merge(doc, drafts)]

    def _budget(self, doc: Document, section: str) -> tuple[str, int]:
        prefix = passage_prefix(doc.title, section)
        # The prefix rides along in every passage; a very long title must not eat the budget.
        while self.count(prefix) > self.max_tokens // 3:
            prefix = prefix[: len(prefix) * 3 // 4]
        return prefix, self.max_tokens - self.count(prefix) + 1  # both counts include [CLS]/[SEP]

    def _pack(self, doc: Document, sentences: list[tuple[int, int]], block: Block) -> list[_Draft]:
        prefix, hard = self._budget(doc, block.section)
        target = min(self.target, hard)
        pieces: list[Piece] = []  # every piece under the hard limit
        for s0, e0 in sentences:
            for s, e in split_at_words(doc.text, s0, e0, self.max_chars):
                n = self.count(doc.text[s:e]) - 2
                pieces.extend([(s, e, n)] if n <= hard - 2 else self._split_long(doc.text, s, e, hard - 2))
        out, i = [], 0
        while i < len(pieces):
            j, used = i, 0
            while j < len(pieces) and (
                j == i or (used + pieces[j][2] <= target - 2 and pieces[j][1] - pieces[i][0] <= self.max_chars)
            ):
                used += pieces[j][2]
                j += 1
            while j - 1 > i and not self._fits(doc, prefix, pieces[i][0], pieces[j - 1][1]):
                j -= 1  # additive counts were optimistic across a boundary
            out.append(_Draft(pieces[i:j], [block.section], block.kind, i == 0, j >= len(pieces)))
            i = j if j >= len(pieces) else max(i + 1, j - self.overlap)
        return out

    def _fits(self, doc: Document, prefix: str, start: int, end: int) -> bool:
        return self.count(prefix + doc.text[start:end]) <= self.max_tokens

    def _merge(self, doc: Document, drafts: list[_Draft]) -> list[_Draft]:
        """Passages under `min_tokens` grow by joining what follows them, in document order: the next
        passage of their section, or, when they are whole sections, the next section ("Randomised trial."
        as a METHODS section joins the RESULTS after it). A short passage that ends its section joins the
        one before it instead (the section's remainder; a short last section, the section before it). Captions
        stay alone, and a merged passage still fits the model's window with its prefix."""
        if self.min_tokens <= 0:
            return drafts
        out: list[_Draft] = []
        for i, d in enumerate(drafts):
            last = i + 1 == len(drafts) or drafts[i + 1].kind != "paragraph"  # nothing after it to grow into
            joined = self._join(doc, out[-1], d, last) if out else None
            if joined is None:
                out.append(d)
            else:
                out[-1] = joined
        return out

    def _join(self, doc: Document, a: _Draft, b: _Draft, b_last: bool) -> _Draft | None:
        """`a` and the `b` after it as one passage, if one of them is short and the result fits."""
        if a.kind != "paragraph" or b.kind != "paragraph":
            return None
        small_a, small_b = a.tokens < self.min_tokens, b.tokens < self.min_tokens
        if not a.ends_run:  # b continues a's section
            wanted = small_a or (small_b and b.ends_run)
        else:  # b begins another section: only whole sections cross
            wanted = (small_a and a.starts_run) or (small_b and b.ends_run and b_last)
        if not wanted:
            return None
        pieces = a.pieces + [p for p in b.pieces if p[0] >= a.pieces[-1][1]]  # a run's passages overlap
        if pieces[-1][1] - pieces[0][0] > self.max_chars:
            return None
        sections = a.sections + [s for s in b.sections if s not in a.sections]
        merged = _Draft(pieces, sections, "paragraph", a.starts_run, b.ends_run)
        prefix, _ = self._budget(doc, merged.section)
        return merged if self._fits(doc, prefix, pieces[0][0], pieces[-1][1]) else None

    def _chunk(self, doc: Document, d: _Draft) -> Chunk:
        start, end = d.pieces[0][0], d.pieces[-1][1]
        return Chunk(
            doc_id=doc.doc_id,
            text=doc.text[start:end],
            start=start,
            end=end,
            section=d.section,
            page=self._page(doc, start),
            sentences=[(s - start, e - start) for s, e, _ in d.pieces],
        )

    def _split_long(self, text: str, s: int, e: int, limit: int) -> list[Piece]:
        """A sentence longer than the model's window: split at clause, then word boundaries."""
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=limit,
            chunk_overlap=0,
            length_function=lambda t: self.count(t) - 2,
            separators=["; ", ", ", " ", ""],
            keep_separator="end",
            add_start_index=True,
        )
        out = []
        for piece in splitter.create_documents([text[s:e]]):
            ps = s + piece.metadata["start_index"]
            out.append((ps, ps + len(piece.page_content), self.count(piece.page_content) - 2))
        return out

    @staticmethod
    def _page(doc: Document, pos: int) -> int | None:
        for start, end, block in doc.blocks:
            if start <= pos <= end:
                return block.page
        return None
