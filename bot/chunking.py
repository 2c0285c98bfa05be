"""Split a cleaned document into passages that fit the embedder, on sentence boundaries.

A passage never crosses a section or mixes a caption with prose, carries its exact
character span in the document, and is measured in the model's own word pieces:
nothing is truncated behind the user's back.

Merging short passages (issue 11, item 4a) was measured and not kept. A passage under a
minimum of word pieces grew into the next passage of its section, or, when it was whole
sections, into the next section ("Objective / Methods / Results"); a short last passage
joined its predecessor (the implementation is in the history: commit 27bdcb9). Minimum
chosen on cases tune + abstracts, grid {32, 48, 64, 96}, cap = the model window (a cap at
chunk_tokens and a within-section-only variant were also tried). Baseline -> min 64, the best
candidate: tune k=5 paper@1 0.890 -> 0.907, recall@1 0.644 -> 0.653, recall@5 0.890 -> 0.915,
answer-hit 0.737 -> 0.729 (k=10 0.754 -> 0.729), first-quote-hit 0.602 -> 0.619 (k=10 0.619 ->
0.619), false abstention 0.017 -> 0.008; abstracts paper@1 0.98 -> 0.99, unindexed abstained
0.08 -> 0.08, false abstention 0.03 -> 0.03. Validate then fell: recall@1 0.593 -> 0.556,
answer-hit 0.694 -> 0.676 (k=10 0.685 -> 0.685), first-quote-hit 0.556 -> 0.528, unanswerable
abstained 0.40 -> 0.33. Larger minima raise recall (bigger passages hold the evidence more
often) but lower answer-hit on tune (min 96: 0.737 -> 0.712, first-quote-hit 0.602 -> 0.568),
because more sentences compete for the quote; shipped report unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .records import Chunk, Document

# Abbreviations after which a full stop does not end a sentence.
_NO_BREAK = re.compile(
    r"(?:\b(?:e\.g|i\.e|et al|etc|vs|Fig|Figs|Dr|Mr|Mrs|Ms|Prof|No|approx|ca|cf|Ref|resp|St)\.|(?:^|\s)[A-Z]\."
    r"|^(?:Figure|Fig\.|Table)\s*\d+[A-Za-z]?\.)$"
)
_BOUNDARY = re.compile(
    r"[.!?][\"”’)\]]*\s+(?=[\"“(\[]?[A-Z0-9])"
    # a citation mark glued to the full stop of a word ("… are affected.2,3 Typical …"); not a decimal ("1.5 L")
    r"|(?<=[a-z])[.!?]\d{1,3}(?:[,–-]\d{1,3})*\s+(?=[\"“(\[]?[A-Z])"
)


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


class Chunker:
    def __init__(
        self,
        count_tokens: Callable[[str], int],
        max_tokens: int,
        target_tokens: int,
        overlap: int,
        max_chars: int = 4000,
    ):
        self.count, self.max_tokens, self.target, self.overlap = count_tokens, max_tokens, target_tokens, overlap
        self.max_chars = max_chars

    def chunk(self, doc: Document) -> list[Chunk]:
        chunks: list[Chunk] = []
        run: list[tuple[int, int]] = []  # sentence spans (absolute) of consecutive same-section paragraphs
        run_block = None
        for start, _end, block in doc.blocks + [(len(doc.text), len(doc.text), None)]:
            continues = (
                block is not None
                and block.kind == "paragraph"
                and run_block is not None
                and run_block.kind == "paragraph"
                and block.section == run_block.section
            )
            if run and not continues:
                chunks.extend(self._pack(doc, run, run_block))
                run = []
            if block is None or block.kind not in ("paragraph", "caption"):
                run_block = None
                continue
            run_block = block
            run.extend((start + s, start + e) for s, e in split_sentences(block.text))
        return chunks

    def _budget(self, doc: Document, section: str) -> tuple[str, int]:
        prefix = passage_prefix(doc.title, section)
        # The prefix rides along in every passage; a very long title must not eat the budget.
        while self.count(prefix) > self.max_tokens // 3:
            prefix = prefix[: len(prefix) * 3 // 4]
        return prefix, self.max_tokens - self.count(prefix) + 1  # both counts include [CLS]/[SEP]

    def _pack(self, doc: Document, sentences: list[tuple[int, int]], block) -> list[Chunk]:
        prefix, hard = self._budget(doc, block.section)
        target = min(self.target, hard)
        pieces: list[tuple[int, int, int]] = []  # (start, end, tokens) with every piece under the hard limit
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
            start, end = pieces[i][0], pieces[j - 1][1]
            while j - 1 > i and self.count(prefix + doc.text[start:end]) > self.max_tokens:
                j -= 1  # additive counts were optimistic across a boundary
                end = pieces[j - 1][1]
            text = doc.text[start:end]
            out.append(
                Chunk(
                    doc_id=doc.doc_id,
                    text=text,
                    start=start,
                    end=end,
                    section=block.section,
                    page=self._page(doc, start),
                    sentences=[(s - start, e - start) for s, e, _ in pieces[i:j]],
                )
            )
            i = j if j >= len(pieces) else max(i + 1, j - self.overlap)
        return out

    def _split_long(self, text: str, s: int, e: int, limit: int) -> list[tuple[int, int, int]]:
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
