"""The records that flow through casebot: Document -> Chunk -> Hit -> Answer.

They are plain dataclasses so every stage can be tested on its own and every
front end (CLI, Discord, LangChain) sees the same shapes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Block:
    """A run of cleaned text with one role: a heading, a paragraph or a figure caption."""

    kind: str  # "heading" | "paragraph" | "caption"
    text: str
    section: str = ""  # the heading this block sits under ("" before the first one)
    page: int | None = None  # 1-based page for PDFs


@dataclass
class Metadata:
    """Bibliographic facts about a paper; any of them may come from a sidecar file."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    journal: str | None = None
    year: int | None = None
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None

    def merged(self, override: Metadata) -> Metadata:
        """Fields set in `override` win; empty ones keep ours."""
        mine, theirs = asdict(self), asdict(override)
        return Metadata(**{k: theirs[k] if theirs[k] not in (None, [], "") else v for k, v in mine.items()})


@dataclass
class Document:
    """A cleaned paper. `text` is the blocks joined by blank lines; spans index into it."""

    doc_id: str  # source path relative to the docs dir, POSIX style
    text: str
    blocks: list[tuple[int, int, Block]]  # (start, end, block) with text[start:end] == block.text
    metadata: Metadata
    content_hash: str  # sha256 of the source bytes (and sidecar)
    text_hash: str  # sha256 of the normalised text, for duplicate detection

    @property
    def title(self) -> str:
        return self.metadata.title or self.doc_id


@dataclass
class Chunk:
    """A passage of a document small enough for the embedder (measured in its tokens)."""

    doc_id: str
    text: str
    start: int
    end: int  # document.text[start:end] == text
    section: str
    page: int | None
    sentences: list[tuple[int, int]]  # sentence spans relative to `text`
    chunk_id: int | None = None


@dataclass
class Hit:
    """A retrieved passage with its provenance, its scores and what the answer stage needs per sentence.

    The answer stage works from Hits alone: each carries its sentences' analysed terms
    and their cosines to the question, so nothing downstream reaches back into the index.
    """

    chunk_id: int
    doc_id: str
    title: str
    section: str
    text: str
    start: int
    end: int
    page: int | None
    score: float
    sentences: list[tuple[int, int]]
    dense: float = 0.0  # cosine of the query to the passage
    lexical: float = 0.0  # BM25 score
    coverage: float = 0.0  # IDF-weighted share of the question's subject terms the passage contains
    sentence_terms: list[set[str]] = field(default_factory=list)  # stems and concept tags of each sentence
    sentence_scores: list[float] = field(default_factory=list)  # cosine of each sentence to the question
    title_terms: set[str] = field(default_factory=set)  # the paper's title tokens (context, not answer)
    missing: list[str] = field(default_factory=list)  # the question's identifiers/concepts its paper never mentions
    best_cosine: float = 0.0  # its best sentence's cosine to the question as searched (with a follow-up's context)


@dataclass
class Preference:
    """Papers and sections a search should favour, each with a weight in [0, 1]: a boost, never a filter.

    A follow-up prefers what the recent turns cited; any caller may name papers
    ("in the Hard as stone report ...") the same way.
    """

    docs: dict[str, float] = field(default_factory=dict)  # doc_id -> weight
    sections: dict[tuple[str, str], float] = field(default_factory=dict)  # (doc_id, section) -> weight

    def __bool__(self) -> bool:
        return bool(self.docs or self.sections)


@dataclass
class Citation:
    """One quoted sentence of an answer and where it comes from."""

    n: int  # 1-based rank of the passage in Answer.passages
    quote: str
    start: int  # span of the quote within the passage text
    end: int


@dataclass
class Answer:
    """Quoted sentences with citations (best first), or an abstention; always with the passages searched.

    `text` is the plain form (one quote a line, `[n]` = passage rank); front ends render
    the record itself through bot.present. `query` is what was actually searched, which
    differs from `question` for a follow-up that leans on earlier turns.
    """

    question: str
    text: str
    abstained: bool
    citations: list[Citation]
    passages: list[Hit]
    query: str = ""

    def to_dict(self) -> dict:
        """The `--json` contract: see README, "JSON output"."""
        return {
            "question": self.question,
            "query": self.query or self.question,
            "answer": self.text,
            "abstained": self.abstained,
            "citations": sorted({c.n for c in self.citations}),
            "passages": [
                {
                    "n": n,
                    "source": h.doc_id,
                    "title": h.title,
                    "section": h.section,
                    "text": h.text,
                    "score": round(float(h.score), 6),
                    "start": h.start,
                    "end": h.end,
                    "page": h.page,
                }
                for n, h in enumerate(self.passages, 1)
            ],
        }
