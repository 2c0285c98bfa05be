"""Extractive answers: quote the passage sentences that answer, cite them, or abstain.

Nothing is generated. Each sentence of an answer is a verbatim quote followed by the
rank of its passage; when the evidence is weak the bot says so and lists the nearest
passages as related reading instead of quoting them as an answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .records import Answer, Citation, Hit
from .retrieve import Candidate, Query, Retriever, sentence_terms

NO_ANSWER = "No passage in the indexed case reports answers this."
# Questions that ask for a quantity: the quoted sentence must contain a number.
_QUANTITY = re.compile(
    r"\b(how (many|much|long|old|often|large|big|high|low|frequent|common|soon)|at what age|"
    r"what (dose|doses|dosage|strength|percentage|percent|proportion|share|size|age|level|concentration|duration|"
    r"rate|fraction|number|amount|osmolality|osmolalities|values?)|which dose|when)\b", re.I)
_NUMBER = re.compile(r"\d")
# Sentence score weights: cosine to the question, key-term coverage, standing of its passage.
W_SEMANTIC, W_COVERAGE, W_PASSAGE = 0.45, 0.35, 0.20
QUANTITY_BONUS, QUANTITY_PENALTY = 0.08, 0.15
EXTRA_SENTENCE_MARGIN = 0.06  # further sentences must score within this of the best one


@dataclass
class Confidence:
    """The signals abstention is decided on (kept for `eval --misses`)."""

    coverage: float
    sentence: float
    passage: float

    @property
    def value(self) -> float:
        return 0.5 * self.coverage + 0.3 * self.sentence + 0.2 * self.passage


def confidence(best: Candidate | None) -> Confidence:
    return Confidence(0.0, 0.0, 0.0) if best is None else Confidence(best.coverage, best.sentence, best.dense)


def compose(retriever: Retriever, query: Query, ranked: list[Candidate], k: int, max_sentences: int,
            abstain_below: float) -> Answer:
    chosen = retriever.diversify(ranked, k)
    hits = [retriever.hit(c) for c in chosen]
    conf = confidence(ranked[0] if ranked else None)
    if not hits or conf.value < abstain_below:
        return Answer(query.question, NO_ANSWER, True, [], hits)
    citations = select_sentences(retriever, query, chosen, hits, max_sentences)
    text = " ".join(f"“{c.quote}” [{c.n}]" for c in citations)
    return Answer(query.question, text, False, citations, hits)


def select_sentences(retriever: Retriever, query: Query, chosen: list[Candidate], hits: list[Hit],
                     max_sentences: int) -> list[Citation]:
    wants_number = bool(_QUANTITY.search(query.question))
    concept_tags = [t for t in query.key if t.startswith("@")]
    top = chosen[0].score or 1.0
    scored = []
    for n, (cand, hit) in enumerate(zip(chosen, hits), 1):
        for i, (s, e) in enumerate(hit.sentences):
            sentence = hit.text[s:e]
            present = sentence_terms(sentence) | set(t for t in concept_tags if t in retriever.vocabulary.tags(sentence))
            score = (W_SEMANTIC * float(cand.sentence_scores[i]) + W_COVERAGE * retriever.coverage(query, present)
                     + W_PASSAGE * cand.score / top)
            if wants_number:
                score += QUANTITY_BONUS if _NUMBER.search(sentence) else -QUANTITY_PENALTY
            scored.append((score, n, s, e, present))
    scored.sort(key=lambda x: -x[0])
    best = scored[0][0]
    picked, covered = [], set()
    for score, n, s, e, present in scored:
        if len(picked) == max_sentences or score < best - EXTRA_SENTENCE_MARGIN:
            break
        gain = {t for t in query.key if t in present} - covered
        if picked and not gain:
            continue
        if any(p[1] == n and p[2] < e and s < p[3] for p in picked):
            continue  # overlapping passages repeat sentences
        picked.append((score, n, s, e))
        covered |= gain
    picked.sort(key=lambda p: (p[1], p[2]))
    return [Citation(n=n, quote=hits[n - 1].text[s:e], start=s, end=e) for _, n, s, e in picked]


def render(answer: Answer, sources: bool = True) -> str:
    """Plain text with light Markdown (works in a terminal and in Discord)."""
    lines = [answer.text]
    cited = {c.n for c in answer.citations}
    if answer.abstained and answer.passages:
        lines += ["", "Related reading (not an answer):"]
        lines += [f"[{n}] {_where(h)}" for n, h in enumerate(answer.passages, 1)]
    elif sources and cited:
        lines += ["", "Sources"]
        for n, hit in enumerate(answer.passages, 1):
            if n not in cited:
                continue
            marked, offset = hit.text, 0
            for c in sorted((c for c in answer.citations if c.n == n), key=lambda c: c.start):
                marked = marked[:c.start + offset] + "**" + c.quote + "**" + marked[c.end + offset:]
                offset += 4
            lines += [f"[{n}] {_where(hit)}", f"    {marked}"]
    return "\n".join(lines)


def _where(hit: Hit) -> str:
    parts = [hit.title, hit.section or None, hit.doc_id + (f", p. {hit.page}" if hit.page else "")]
    return " — ".join(p for p in parts if p)
