"""Extractive answers: quote the passage sentences that answer, cite them, or abstain.

Nothing is generated. Each sentence of an answer is a verbatim quote followed by the
rank of its passage; when the evidence is weak the bot says so and lists the nearest
passages as related reading instead of quoting them as an answer.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .records import Answer, Citation, Hit
from .retrieve import Query

NO_ANSWER = "No passage in the indexed case reports answers this."
_WH = r"(?:what|which|when|where|how|why|who|whom|whose)"
_COMPOUND = re.compile(rf"\b{_WH}\b.*\band\s+(?:{_WH}|did|does|do|was|were|is|are|had|has)\b|\b{_WH}\s+and\s+{_WH}\b", re.I)
_UNQUOTABLE = re.compile(r"https?://|www\.|^\s*(keywords|key words|facts from|doi)\b", re.I)
# Sentence score weights: cosine to the question, key-term coverage, standing of its passage.
W_SEMANTIC, W_COVERAGE, W_PASSAGE = 0.45, 0.35, 0.20
QUANTITY_BONUS, QUANTITY_PENALTY = 0.08, 0.15
EXTRA_SENTENCE_MARGIN = 0.15
# A follow-up's quote answers what the follow-up itself asks: terms it carries from earlier
# turns only help rank the passages, and count this share when choosing its sentences.
CONTEXT_TERM_SHARE = 0.2
FOCUS_WEIGHT = 3.0  # "which treatments ...": a sentence naming treatments is likelier the answer  # further sentences must score within this of the best one


@dataclass
class Confidence:
    """How well the best passages cover the question's subject terms (IDF-weighted).

    Coverage, not cosine, decides abstention: an on-topic question the papers do not
    answer ("JAK inhibitors in DM") scores a high cosine against any DM passage, but
    its distinctive terms appear in none of them. Averaging the top passage with the
    best of the top k tolerates a reranker that put a near miss first.
    """

    top: float
    best: float

    @property
    def value(self) -> float:
        return (self.top + self.best) / 2


def confidence(hits: list[Hit]) -> Confidence:
    if not hits:
        return Confidence(0.0, 0.0)
    return Confidence(hits[0].coverage, max(h.coverage for h in hits))


def compose(query: Query, hits: list[Hit], max_sentences: int, abstain_below: float) -> Answer:
    """Quote the sentences of `hits` that answer the query, or abstain; works from the Hits alone."""
    conf = confidence(hits)
    if not hits or conf.value < abstain_below:
        return Answer(query.question, NO_ANSWER, True, [], hits, query.text)
    citations = select_sentences(query, hits, max_sentences)
    text = "\n".join(f"“{c.quote}” [{c.n}]" for c in citations)  # best first, one quote a line
    return Answer(query.question, text, False, citations, hits, query.text)


def select_sentences(query: Query, hits: list[Hit], max_sentences: int) -> list[Citation]:
    """Rank every sentence of the retrieved passages; quote the best and close runners-up.

    A sentence's coverage counts the question's key terms it contains, with terms of
    its paper's title counted as present (the title is context every sentence has),
    and terms weighted by how few candidate sentences contain them: words shared by
    all candidates (the disease, the patient's description) cannot tell the answer
    sentence from its neighbours.
    """
    shape = query.expects
    asked = set(query.key_idf)
    top = hits[0].score or 1.0
    sentences = []
    for n, hit in enumerate(hits, 1):
        for i, (s, e) in enumerate(hit.sentences):
            sentence = hit.text[s:e]
            if not quotable(sentence):
                continue
            present = hit.sentence_terms[i] & asked
            sentences.append((n, i, s, e, hit, sentence, present, present | hit.title_terms))
    if not sentences:
        return []
    spread = {t: sum(t in x[6] for x in sentences) for t in query.key_idf}
    weights = {t: idf * math.log(1 + len(sentences) / (1 + spread[t])) * (FOCUS_WEIGHT if t in query.focus else 1)
               * (CONTEXT_TERM_SHARE if query.own and t not in query.own and t not in query.focus else 1)
               for t, idf in query.key_idf.items()}
    total = sum(weights.values()) or 1.0
    scored = []
    for n, i, s, e, hit, sentence, present, with_context in sentences:
        coverage = sum(weights[t] for t in with_context if t in weights) / total
        score = W_SEMANTIC * hit.sentence_scores[i] + W_COVERAGE * coverage + W_PASSAGE * hit.score / top
        if shape is not None:  # "what dose": the quoted sentence must state one
            score += QUANTITY_BONUS if shape.search(sentence) else -QUANTITY_PENALTY
        scored.append((score, n, s, e, sentence))
    scored.sort(key=lambda x: -x[0])
    best = scored[0][0]
    picked = [scored[0]]
    compound = bool(_COMPOUND.search(query.question))
    limit = min(4, max_sentences + compound)  # the neighbour below is an extra, not a replacement
    if compound:
        # "How long … and what was he given?": the second part is most often answered by
        # the sentence right after the best one, which shares none of the question's words.
        n, end = scored[0][1], scored[0][3]
        following = [x for x in scored if x[1] == n and x[2] > end]
        if following:
            picked.append(min(following, key=lambda x: x[2]))
    for score, n, s, e, sentence in scored[1:]:
        if len(picked) >= limit or score < best - EXTRA_SENTENCE_MARGIN:
            break
        if any(p[4] == sentence or (p[1] == n and p[2] < e and s < p[3]) for p in picked):
            continue  # overlapping passages repeat sentences
        picked.append((score, n, s, e, sentence))
    return [Citation(n=n, quote=sentence, start=s, end=e) for _, n, s, e, sentence in picked]


def quotable(sentence: str) -> bool:
    """Keyword lists, source lines and fragments are not answers."""
    return len(sentence.split()) >= 4 and not _UNQUOTABLE.search(sentence)
