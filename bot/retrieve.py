"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates, fused, then reranked.

Stage 1 fuses the two rankings with weighted reciprocal rank fusion. Stage 2 scores
each candidate by its best sentence (sentence vectors were stored at index time,
so this costs one small matrix product) and by how much of the question's rarer
vocabulary it contains, then spreads the top k across papers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .analysis import Vocabulary, expected_value, focus_terms, key_terms, stem, tokens, words
from .config import Settings
from .embed import Embedder
from .records import Hit, Turn
from .store import Snapshot

# Stage-2 weights: best-sentence cosine, passage cosine, key-term coverage, fused rank.
W_SENTENCE, W_PASSAGE, W_COVERAGE, W_FUSED = 0.20, 0.25, 0.15, 0.30
W_VALUE = 0.10  # bonus when the question asks for a dose/duration/... and the passage states one
COMMON_UNKNOWN_IDF = 1.0  # weight of an everyday word the corpus happens not to use
REDUNDANT_COSINE = 0.95  # passages of one paper this alike say the same thing
RELEVANT_FRACTION = 0.9  # a paper's extra passages yield to other papers scoring within this fraction of the best
_ANAPHORA = re.compile(r"\b(it|its|this|that|these|those|she|he|her|his|they|them|their|the patient|same)\b", re.I)


@dataclass
class Query:
    question: str
    text: str  # what the embedder reads: the question, follow-up context and abbreviation long forms
    vector: np.ndarray
    terms: list[str]  # BM25 query tokens
    key: list[str]  # subject tokens a passage should contain
    key_idf: dict[str, float] = field(default_factory=dict)
    focus: set[str] = field(default_factory=set)  # key terms naming what the answer is
    expects: re.Pattern | None = None  # the shape of the value asked for (a dose, a duration ...)


@dataclass
class Candidate:
    chunk_id: int
    fused: float = 0.0
    dense: float = 0.0
    lexical: float = 0.0
    sentence: float = 0.0
    coverage: float = 0.0
    score: float = 0.0
    sentence_scores: np.ndarray | None = None


class Retriever:
    def __init__(self, snapshot: Snapshot, embedder: Embedder, settings: Settings):
        self.snap, self.embedder, self.settings = snapshot, embedder, settings
        self.vocabulary = Vocabulary.load(snapshot.abbreviations)
        n = len(snapshot.lexical)
        self._unknown_idf = float(np.log(1 + (n + 0.5) / 0.5))
        self._titles: dict[str, set[str]] = {}
        self._sentence_terms: dict[int, list[set[str]]] = {}

    def analyse(self, question: str, history: list[Turn] | tuple = ()) -> Query:
        context = ""
        if history and (len(key_terms(question, self.vocabulary)) < 4 or _ANAPHORA.search(question)):
            context = history[-1].question  # a follow-up leans on the question before it
        expansions = self.vocabulary.expansions(question + " " + context)
        text = " ".join(filter(None, [context, question] + [f"({e})" for e in expansions]))
        terms = tokens(text, self.vocabulary)
        subject = key_terms(question, self.vocabulary)
        if context:
            subject = {**subject, **key_terms(context, self.vocabulary)}  # "how long was it given?" needs its subject
        focus = focus_terms(question, self.vocabulary)
        idf = {t: self._idf(t, word) for t, word in {**{f: f for f in focus}, **subject}.items()}
        return Query(question, text, self.embedder.encode([text])[0], terms, list(subject), idf, focus,
                     expected_value(question))

    def title_terms(self, doc_id: str) -> set[str]:
        """A paper's title tokens: context every one of its sentences carries (cached per paper)."""
        if doc_id not in self._titles:
            self._titles[doc_id] = set(tokens(self.snap.documents[doc_id].title, self.vocabulary))
        return self._titles[doc_id]

    def _idf(self, term: str, word: str) -> float:
        """Corpus IDF; a word the corpus never uses weighs most when it is also rare in English.

        'psoriasis' missing from every passage says the papers do not cover the subject;
        'defined' missing says little. The embedder's WordPiece vocabulary (about 30k
        common words kept whole) tells the two apart without another word list.
        """
        col = self.snap.lexical.vocab.get(term)
        if col is not None:
            return float(self.snap.lexical.idf[col])
        common = not term.startswith("@") and len(self.embedder.tokenizer.tokenize(word)) == 1
        return COMMON_UNKNOWN_IDF if common else self._unknown_idf

    def candidates(self, query: Query) -> list[Candidate]:
        """Stage 1 and 2: fused candidates, scored and sorted best first."""
        s, snap = self.settings, self.snap
        n = min(s.candidates, len(snap.chunks))
        if n == 0:
            return []
        dense_scores, dense_ids = snap.dense.search(query.vector[None, :], n)
        pool: dict[int, Candidate] = {}
        for rank, (cid, score) in enumerate(zip(dense_ids[0], dense_scores[0])):
            if cid >= 0:
                c = pool.setdefault(int(cid), Candidate(int(cid)))
                c.dense, c.fused = float(score), c.fused + s.dense_weight / (s.rrf_k + rank + 1)
        lexical = snap.lexical.scores(query.terms)
        top = np.argpartition(-lexical, min(n, len(lexical) - 1))[:n] if len(lexical) else []
        for rank, row in enumerate(sorted(top, key=lambda r: -lexical[r])):
            if lexical[row] <= 0:
                break
            c = pool.setdefault(int(snap.lexical.chunk_ids[row]), Candidate(int(snap.lexical.chunk_ids[row])))
            c.lexical, c.fused = float(lexical[row]), c.fused + s.lexical_weight / (s.rrf_k + rank + 1)
        best_fused = max(c.fused for c in pool.values())
        known = [(snap.lexical.vocab[t], query.key_idf[t]) for t in query.key if t in snap.lexical.vocab]
        key_cols = np.asarray([col for col, _ in known], dtype=snap.lexical.tf.indices.dtype)
        key_weights = np.asarray([w for _, w in known], dtype=np.float64) / (sum(query.key_idf[t] for t in query.key) or 1)
        for c in pool.values():
            if c.dense == 0.0:  # found by BM25 only: its cosine was never computed
                c.dense = float(snap.dense.reconstruct(c.chunk_id) @ query.vector)
            c.sentence_scores = snap.sentence_vectors[c.chunk_id] @ query.vector
            c.sentence = float(c.sentence_scores.max())
            c.coverage = self._row_coverage(key_cols, key_weights, c.chunk_id)
            c.score = (W_SENTENCE * c.sentence + W_PASSAGE * c.dense + W_COVERAGE * c.coverage
                       + W_FUSED * c.fused / best_fused)
            if query.expects is not None and query.expects.search(snap.chunks[c.chunk_id].text):
                c.score += W_VALUE  # asked for a dose or a duration, and this passage states one
        return sorted(pool.values(), key=lambda c: -c.score)

    def _row_coverage(self, key_cols: np.ndarray, key_weights: np.ndarray, chunk_id: int) -> float:
        """IDF-weighted share of the question's subject terms in a passage, read off its term-count row."""
        lex = self.snap.lexical
        row = self.snap.lexical_rows[chunk_id]
        cols = lex.tf.indices[lex.tf.indptr[row]:lex.tf.indptr[row + 1]]
        return float(key_weights[np.isin(key_cols, cols)].sum()) if len(key_cols) else 0.0

    def sentence_terms(self, chunk_id: int) -> list[set[str]]:
        """Stems of each sentence of a passage (cached: the same passages answer many questions)."""
        if chunk_id not in self._sentence_terms:
            row = self.snap.chunks[chunk_id]
            self._sentence_terms[chunk_id] = [{stem(w) for w in words(row.text[s:e])} for s, e in row.sentences]
        return self._sentence_terms[chunk_id]

    def diversify(self, ranked: list[Candidate], k: int) -> list[Candidate]:
        """Top k, letting other relevant papers in before a paper's redundant or surplus passages.

        A passage waits behind other papers when its paper already has `per_doc_limit`
        passages among those chosen (and another paper scores within RELEVANT_FRACTION
        of the best), or when it nearly repeats one already chosen from its paper
        (cosine >= REDUNDANT_COSINE) while any other paper is at least half as relevant.
        """
        if not ranked:
            return []
        top = ranked[0].score
        chosen: list[Candidate] = []
        deferred: list[Candidate] = []
        vectors: dict[int, np.ndarray] = {}

        def vector(c: Candidate) -> np.ndarray:
            if c.chunk_id not in vectors:
                vectors[c.chunk_id] = self.snap.dense.reconstruct(c.chunk_id)
            return vectors[c.chunk_id]

        def others_above(doc: str, floor: float) -> bool:
            return any(o.score >= floor and self.snap.chunks[o.chunk_id].doc_id != doc and o not in chosen
                       for o in ranked)

        for c in ranked:
            doc = self.snap.chunks[c.chunk_id].doc_id
            same = [o for o in chosen if self.snap.chunks[o.chunk_id].doc_id == doc]
            surplus = len(same) >= self.settings.per_doc_limit and others_above(doc, top * RELEVANT_FRACTION)
            redundant = (not surplus and any(float(vector(c) @ vector(o)) >= REDUNDANT_COSINE for o in same)
                         and others_above(doc, top * 0.5))
            (deferred if surplus or redundant else chosen).append(c)
            if len(chosen) == k:
                return chosen
        return (chosen + deferred)[:k]

    def hit(self, c: Candidate) -> Hit:
        row = self.snap.chunks[c.chunk_id]
        return Hit(chunk_id=row.chunk_id, doc_id=row.doc_id, title=self.snap.documents[row.doc_id].title,
                   section=row.section, text=row.text, start=row.start, end=row.end, page=row.page,
                   score=c.score, sentences=row.sentences, dense=c.dense, lexical=c.lexical)

    def search(self, question: str, k: int | None = None, history: list[Turn] | tuple = ()) -> list[Hit]:
        query = self.analyse(question, history)
        return [self.hit(c) for c in self.diversify(self.candidates(query), k or self.settings.k)]

