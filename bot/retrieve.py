"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates, fused, then reranked.

Stage 1 fuses the two rankings with weighted reciprocal rank fusion. Stage 2 scores
each candidate by its best sentence (sentence vectors were stored at index time,
so this costs one small matrix product; the question's vector is first moved by the
question adapter, bot/adapter.py) and by how much of the question's rarer
vocabulary it contains, then spreads the top k across papers.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Container, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .adapter import QuestionAdapter
from .analysis import (
    DRUG_CLASSES,
    DRUG_NAME,
    NOT_ANALYTES,
    PERSON,
    SHAPES,
    SPECIMENS,
    TEST_EVIDENCE,
    Vocabulary,
    about,
    acronyms,
    age_group_ages,
    ages,
    asked_section,
    blank,
    concept_tokens,
    eponyms,
    expected_value,
    focus_terms,
    key_terms,
    measured,
    number_at,
    patient_description,
    question_sex,
    question_type,
    received,
    requested,
    section_about,
    shape_bit,
    spells_out,
    stem,
    text_sex,
    title_sex,
    tokens,
    words_before,
)
from .analysis import (
    words as text_words,
)
from .config import Settings
from .embed import QueryEncoder
from .frequency import zipf
from .records import Hit, Preference
from .scoring import (
    COMMON_UNKNOWN_IDF,
    CONTEXT_WEIGHT,
    NAMING_PAPER_HITS,
    OWN_VECTOR_SHARE,
    PASSAGE_FEATURES,
    PASSAGE_WEIGHTS,
    RARE_ZIPF,
    RELEVANT_FRACTION,
    SECTION_MISMATCH_PENALTY,
    SECTION_PRIOR,
    SENTENCE_OWN_SHARE,
    W_DESCRIBED_DOC,
    W_PAPER_COVERAGE,
)
from .store import Snapshot

# Whether what a question asks is a test: a passage gives it a laboratory value with its name just before
# (analysis.words_before), among the first passages holding the test's words and a value.
TEST_EVIDENCE_PASSAGES = 16  # 16 and 50 gave the same figures; 16 keeps "What was the treatment of …?" near 1.5 ms
# Those passages are found by reading the value shapes of the rows holding the test's words this many at a
# time, stopping once enough state a level: at 1M passages "ESR" is in tens of thousands of them, and reading
# all their shapes cost ~5-10 ms a question.
SHAPES_READ_AT_ONCE = 1024

# A preferred paper's passages go up by this times its weight, its preferred sections by W_PREFER_SECTION more:
# the paper under discussion keeps the topic, so the follow-up's context terms need not (issue 10 raised the
# paper boost from 0.05 with scoring.CONTEXT_WEIGHT; figures there). A clearly better passage elsewhere still wins.
# (Set on the conversation tune split; see bot/conversation.py.)
W_PREFER_DOC, W_PREFER_SECTION = 0.3, 0.03
VOCABULARIES_CACHED = 64  # questions mostly share their papers' abbreviations: built once, reused
# From this many passages the BM25 search runs on a second thread while the dense search runs on the
# asking one (FAISS and numpy's array loops release the GIL), instead of after it with the dense rows as
# seeds (they make MaxScore's floor, but on the synthetic indexes BM25 without them was as fast or faster:
# 100k 2.3 vs 3.8 ms; rankings are identical either way). Warm asks, 2026-11-26, alternating rounds: 100k
# passages (hashing embedder) 24.4 -> 22.2 ms median over 8 rounds of 100 questions; 10k (real model) no
# difference beyond the noise (15.7-19.9 ms both ways), so small indexes keep the plain sequential path.
# Not kept (eighteenth round, 2026-11-27): the question's encode on this thread while the rest of the question is
# analysed (onnxruntime releases the GIL): warm asks at 10k, three alternating rounds of 200, 1.57-1.66x the floor
# before and 1.69-1.78x with it (the hand-off costs more than the ~1 ms of analysis it hides).
PARALLEL_STAGE1_PASSAGES = 50_000
_STAGE1 = ThreadPoolExecutor(max_workers=1, thread_name_prefix="casebot-bm25")
# The papers that mention the age a question names its patient by are listed from the passages holding
# it, one SQLite lookup each (~10 us). On a large index a common age is everywhere: "5-year-old" is in
# 23,539 of the synthetic 1M index's passages (216 ms to list). From this many passages the papers are
# asked one by one instead, only those the question ranks (PapersHolding: ~0.2 ms a paper, ~80 papers
# a question at 1M, 17 ms), with the same answers; below it listing costs less. 1M passages, the 5 of
# 40 benchmark questions that name an age: 179-199 -> 90-106 ms median, the slowest 282-302 -> 94-117.
DESCRIBED_LISTED_ROWS = 2_000


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
    own: set[str] = field(default_factory=set)  # a follow-up's own subject terms (empty: the question has no context)
    own_vector: np.ndarray | None = None  # a follow-up read alone: its quotes' sentences are scored against this
    prefer: Preference = field(default_factory=Preference)
    kind: str = "other"  # analysis.question_type of the question
    words: dict[str, str] = field(default_factory=dict)  # key term -> the word of the question it came from
    alternatives: dict[str, set[str]] = field(default_factory=dict)  # key term -> tokens that also count as it
    focus_head: set[str] = field(default_factory=set)  # the last focus word: the kind of answer ("dose", "treatments")
    said: set[str] = field(default_factory=set)  # sentences the follow-up's context turns quoted
    whom: str | None = None  # analysis.about: the case's patient ("patient"), the condition ("general"), or None
    unknown_request: str | None = None  # what a request asks for when no passage mentions it ("a joke")
    measured: set[str] = field(default_factory=set)  # tokens of the test whose result is asked ("ferritin")
    described: Container[str] = field(default_factory=set)  # papers with the age (group) naming its patient
    abbreviations: set[str] = field(default_factory=set)  # key terms of the abbreviations it asks for ("bnp")
    section: re.Pattern | None = None  # analysis.asked_section: the kind of section that answers it ("Treatment")
    # tokens naming the treatment a yes/no question asks whether she received (analysis.received)
    given: set[str] = field(default_factory=set)
    # key terms only the words naming the patient give ("jaundiced" in "… in the jaundiced teenager?"):
    # they find her paper but do not tell its sentences apart (analysis.patient_description)
    description: set[str] = field(default_factory=set)
    vocabulary: Vocabulary | None = None  # what read the question: answer reads parts of sentences with it

    def has(self, term: str, present: set[str]) -> bool:
        """Whether `present` (a passage's or sentence's tokens) contains key term `term` or an alternative."""
        return term in present or bool(self.alternatives.get(term, set()) & present)


@dataclass(frozen=True)
class Patient:
    """Whom a question or a paper speaks of: her sex ("F", "M" or None) and her ages (analysis.ages tokens)."""

    sex: str | None
    ages: frozenset[str]

    def matches(self, paper: Patient) -> bool:
        """Whether the paper's patient is surely the one this question asks about: of her sex (or, when the question
        names none, of one of her ages), and not of other ages."""
        return not self.conflicts(paper) and (paper.sex == self.sex if self.sex else bool(paper.ages & self.ages))

    def conflicts(self, paper: Patient) -> bool:
        """Whether the paper's patient is surely another: of the other sex, or of none of the ages asked."""
        other_sex = self.sex is not None and paper.sex not in (None, self.sex)
        return other_sex or bool(self.ages and paper.ages and not paper.ages & self.ages)


@dataclass(slots=True)
class Candidate:
    chunk_id: int
    fused: float = 0.0
    dense: float = 0.0
    lexical: float = 0.0
    sentence: float = 0.0
    coverage: float = 0.0
    score: float = 0.0
    sentence_scores: np.ndarray | None = None
    doc_id: str = ""
    section: str = ""


class PapersHolding:
    """The papers with a passage among `rows` (ascending live rows of the snapshot), answered paper by
    paper (see DESCRIBED_LISTED_ROWS): a paper is in it when one of its own rows is."""

    def __init__(self, snap: Snapshot, rows: np.ndarray):
        self._snap, self._rows = snap, rows
        self._known: dict[str, bool] = {}

    def __contains__(self, doc_id: object) -> bool:
        if not isinstance(doc_id, str) or not len(self._rows):
            return False
        if doc_id not in self._known:
            own = self._snap.paper_rows(doc_id)
            at = np.minimum(np.searchsorted(self._rows, own), len(self._rows) - 1)
            self._known[doc_id] = bool(np.any(self._rows[at] == own))
        return self._known[doc_id]

    def __bool__(self) -> bool:
        return bool(len(self._rows))


def diversify(ranked: list[Candidate], k: int, per_doc_limit: int) -> list[Candidate]:
    """Top k of `ranked` (best first), letting other papers' relevant passages in before a paper's surplus ones.

    Once a paper has `per_doc_limit` passages among those chosen, its next one waits
    while another paper still has an unchosen passage scoring within RELEVANT_FRACTION
    of the best; after those, passages are taken by score again, whatever their paper.
    """
    if not ranked:
        return []
    relevant = [c for c in ranked if c.score >= ranked[0].score * RELEVANT_FRACTION]
    chosen: list[Candidate] = []
    taken: set[int] = set()
    per_doc: dict[str, int] = {}

    def waits(c: Candidate) -> bool:
        """Its paper is full while another paper still has a relevant passage to place."""
        return per_doc.get(c.doc_id, 0) >= per_doc_limit and any(
            o.doc_id != c.doc_id and o.chunk_id not in taken for o in relevant
        )

    while len(chosen) < min(k, len(ranked)):
        left = [c for c in ranked if c.chunk_id not in taken]
        c = next((c for c in left if not waits(c)), left[0])
        chosen.append(c)
        taken.add(c.chunk_id)
        per_doc[c.doc_id] = per_doc.get(c.doc_id, 0) + 1
    return chosen


def is_rare(term: str, word: str) -> bool:
    """Specialised vocabulary: a concept tag, an identifier (IL-6, HbA1c) or a word rare in English."""
    return (
        term.startswith("@")
        or any(c.isdigit() for c in term)
        and any(c.isalpha() for c in term)
        or (zipf(word) < RARE_ZIPF)
    )


class Retriever:
    def __init__(
        self, snapshot: Snapshot, encoder: QueryEncoder, settings: Settings, adapter: QuestionAdapter | None = None
    ):
        self.snap, self.encoder, self.settings, self.adapter = snapshot, encoder, settings, adapter
        n = snapshot.bm25.n
        self._unknown_idf = float(np.log(1 + (n + 0.5) / 0.5))
        self._titles: dict[str, set[str]] = {}
        self._patients: dict[str, Patient] = {}  # doc id -> its patient (patient)
        self._vocabularies: OrderedDict[frozenset, Vocabulary] = OrderedDict()

    def vocabulary_for(self, text: str) -> Vocabulary:
        """The curated concepts plus the papers' abbreviations that may occur in `text` (all of them find no more)."""
        learned = self.snap.abbreviations(text)
        key = frozenset((short, frozenset(longs)) for short, longs in learned.items())
        if key not in self._vocabularies:
            if len(self._vocabularies) >= VOCABULARIES_CACHED:
                self._vocabularies.popitem(last=False)  # OrderedDict: see store._remember
            self._vocabularies[key] = Vocabulary.load(learned)
        return self._vocabularies[key]

    def analyse(
        self,
        question: str,
        context: Sequence[tuple[str, float]] = (),
        prefer: Preference | None = None,
        said: Iterable[str] = (),
    ) -> Query:
        """The question as the retriever reads it.

        `context` is (text, weight) a follow-up carries from earlier turns, most recent first
        (bot.conversation decides; its first two entries are the previous question and the
        entities of what that turn quoted): searched with the question, its subject terms
        weighted by `weight` times CONTEXT_WEIGHT, and its vector mixed with the question's
        own (OWN_VECTOR_SHARE), so the context keeps the topic without outvoting the question.
        The follow-up's own terms (`Query.own`) decide what to quote. `prefer` favours papers
        and sections in the scoring; `said` are the sentences the context turns quoted.
        """
        extra = " ".join(text for text, _ in context)
        vocabulary = self.vocabulary_for(question + " " + extra)
        expansions = vocabulary.expansions(question + " " + extra)
        text = " ".join(filter(None, [question, extra] + [f"({e})" for e in expansions]))
        terms = tokens(text, vocabulary)
        own = key_terms(question, vocabulary)
        subject, weight = dict(own), dict.fromkeys(own, 1.0)
        for part, w in context:  # "how long was it given?" needs its subject
            for t, word in key_terms(part, vocabulary).items():
                subject.setdefault(t, word)
                weight[t] = max(weight.get(t, 0.0), w * CONTEXT_WEIGHT)
        focus = focus_terms(question, vocabulary)
        words = {**{f: f for f in focus}, **subject}
        idf = {t: self._idf(t, word, vocabulary) * weight.get(t, 1.0) for t, word in words.items()}
        if context and not own:  # "at what dose?" asks about the turn before: its question and what it quoted
            own = key_terms(" ".join(text for text, _ in context[:2]), vocabulary)
        test, described = self._test_asked(question, vocabulary), self._described(question)
        description = self._description(question, vocabulary) - focus  # the words naming the patient
        kind, whom = question_type(question), self._whom(question, context)
        vectors = self.encoder.encode([text, question] if context else [text])
        if context and OWN_VECTOR_SHARE:
            mixed = OWN_VECTOR_SHARE * vectors[1] + (1 - OWN_VECTOR_SHARE) * vectors[0]
            vectors = np.stack([mixed / (np.linalg.norm(mixed) or 1.0), vectors[1]])
        return Query(
            question,
            text,
            vectors[0],
            terms,
            list(subject),
            idf,
            focus,
            expected_value(question) or (SHAPES["level"] if test else None),  # "What was the ferritin …?": a value
            set(own) if context else set(),
            vectors[1] if context else None,
            prefer or Preference(),
            kind,
            words,
            vocabulary.alternatives(words),
            focus_terms(question, vocabulary, head_only=True),
            set(said),
            whom,
            self._unknown_request(question),
            test,
            described,
            {t for t, word in words.items() if word in acronyms(question)},
            asked_section(question, kind, whom),
            received(question, kind, whom, [t for t in own if t in words and t not in description], words, vocabulary),
            description,
            vocabulary,
        )

    @staticmethod
    def _description(question: str, vocabulary: Vocabulary) -> set[str]:
        """Key terms of the words naming the patient that the rest of the question does not use."""
        spans = patient_description(question)
        if not spans:
            return set()
        named = key_terms(" ".join(question[a:b] for a, b in spans), vocabulary)
        rest = key_terms(blank(question, spans), vocabulary)
        return {t for t, word in named.items() if not PERSON.fullmatch(word)} - set(rest)

    def _described(self, question: str) -> Container[str]:
        """The papers that mention the age by which the question names its patient ("the 72-year-old",
        or any age of a group: "the toddler")."""
        rows = [self.snap.rows_with(t) for t in ages(question) + age_group_ages(question)]
        found = np.unique(np.concatenate(rows)) if rows else np.zeros(0, np.int64)
        if len(found) >= DESCRIBED_LISTED_ROWS:
            return PapersHolding(self.snap, found)
        return {doc for doc, _ in self.snap.places(found)}

    def _test_asked(self, question: str, vocabulary: Vocabulary) -> set[str]:
        """Tokens of the test whose result the question asks (analysis.measured), or none when what it
        asks is not a test. "What was her ferritin level?" says so; "What was the ferritin of …?" and
        "What was the serum sodium of …?" ask a test because a passage of the index gives it a
        laboratory value, its words just before the value ("ferritin 114 ng/mL"), or because it names a
        specimen before an analyte ("serum sodium"); "What was the outcome of …?" and "What urinary
        symptoms did she have?" do not."""
        asked = measured(question)
        if not asked:
            return set()
        named = set(tokens(asked, vocabulary))
        if named - SPECIMENS <= DRUG_CLASSES and (  # "the drug level in the blood of the infant on flecainide"
            drugs := [w for w in text_words(question) if DRUG_NAME.fullmatch(w.lower())]
        ):
            named = (named & SPECIMENS) | set(tokens(" ".join(drugs), vocabulary))
            asked = " ".join([w for w in text_words(asked) if stem(w.lower()) in SPECIMENS] + drugs)
        said = [stem(w.lower()) for w in text_words(asked)]
        if question_type(question) == "level" or (
            SPECIMENS.intersection(said[:-1]) and said[-1] not in NOT_ANALYTES
        ):  # "serum sodium", "24-hour urinary copper"; not "urinary symptoms" or "blood cultures"
            return named
        test = concept_tokens(asked, vocabulary) - SPECIMENS  # "CRP" is in a passage saying "C-reactive protein"
        found = [self.snap.rows_with(t) for t in test]
        rows = found[0] if found else np.zeros(0, np.int64)
        for other in found[1:]:  # every word of the test is in the passage
            rows = rows[np.isin(rows, other, assume_unique=True)]
        level, stating, count = shape_bit(SHAPES["level"]), [], 0
        for start in range(0, len(rows), SHAPES_READ_AT_ONCE):  # the first passages stating a level, in row order
            part = rows[start : start + SHAPES_READ_AT_ONCE]
            stating.append(part[(self.snap.value_shapes(part) & level) != 0])
            count += len(stating[-1])
            if count >= TEST_EVIDENCE_PASSAGES:
                break
        rows = np.concatenate(stating)[:TEST_EVIDENCE_PASSAGES] if stating else rows
        for row in self.snap.chunks.fetch(self.snap.chunk_ids(rows).tolist()).values():
            for s, e in row.sentences:
                text = row.text[s:e]
                for m in TEST_EVIDENCE.finditer(text):
                    if test <= set(tokens(" ".join(words_before(text, number_at(m))), vocabulary)):
                        return named
        return set()

    def _unknown_request(self, question: str) -> str | None:
        """The object of a request ("Write me a poem about kidneys") when no passage of the index
        mentions it: the papers cannot supply it, whatever else the request names."""
        wanted = requested(question)
        return wanted if wanted and self.snap.idf(stem(wanted)) is None else None

    @staticmethod
    def _whom(question: str, context: Sequence[tuple[str, float]]) -> str | None:
        """Whom the question asks about (analysis.about); a follow-up that does not say ("And the
        oral follow-on regimen?") asks about whom its conversation was about, most recent first."""
        for text in [question, *(text for text, _ in context)]:
            if whom := about(text, question=True):
                return whom
        return None

    def _holding(self, query: Query, term: str, rows: np.ndarray) -> np.ndarray:
        """Which of the (ascending) rows hold key term `term` or one of its alternatives."""
        held = np.zeros(len(rows), bool)
        for t in {term} | query.alternatives.get(term, set()):
            held |= self.snap.holding(t, rows)
        return held

    def title_terms(self, doc_id: str) -> set[str]:
        """A paper's title tokens: context every one of its sentences carries (cached per paper)."""
        if doc_id not in self._titles:
            title = self.snap.documents[doc_id].title
            self._titles[doc_id] = set(tokens(title, self.vocabulary_for(title)))
        return self._titles[doc_id]

    def missing(self, query: Query, doc_id: str) -> list[str]:
        """The question's identifiers, concept tags, drugs, eponymous conditions and the abbreviations it asks
        for (IL-6, @crp, tocilizumab, Lyme disease, "What was the BNP?", unless the paper spells it out) that
        a paper never mentions, and what a request asks for that no paper mentions: a paper that never names
        tocilizumab cannot give its dose, however close its prednisolone dose sentence scores. An age naming the
        patient ("How was the 30-year-old woman treated?") that no paper of the index gives is missing from all of
        them: another patient's treatment is not hers (twenty-sixth round; no question of any development set,
        blind set or the abstracts moved)."""
        rows = None
        out = [query.unknown_request] if query.unknown_request else []
        named = eponyms(query.question)
        if (said := ages(query.question)) and not query.described:
            out.append(said[0])  # "the 30-year-old woman": no paper tells of a patient that age
        for t in query.key:
            identifier = t.startswith("@") or (any(c.isdigit() for c in t) and any(c.isalpha() for c in t))
            word = query.words.get(t, "")
            if not (identifier or word in named or t in query.abbreviations or DRUG_NAME.fullmatch(word)):
                continue
            rows = self.snap.paper_rows(doc_id) if rows is None else rows
            if self._holding(query, t, rows).any():
                continue
            capitals = len(word) > 3 and word.upper() in query.question  # "STEMI" (initials of two or three: chance)
            if (t in query.abbreviations or capitals) and self._spelled_out(word, rows):
                continue  # "BNP" for a paper that writes "brain natriuretic peptide"
            out.append(t)
        return out

    def _spelled_out(self, acronym: str, rows: np.ndarray) -> bool:
        """Whether a passage of `rows` writes out the phrase `acronym` abbreviates (analysis.spells_out)."""
        chunks = self.snap.chunks.fetch(self.snap.chunk_ids(rows).tolist())
        return any(spells_out(acronym, row.text) for row in chunks.values())

    def _idf(self, term: str, word: str, vocabulary: Vocabulary) -> float:
        """Corpus IDF; a word the corpus never uses weighs most when it is also rare in English.

        'psoriasis' missing from every passage says the papers do not cover the subject;
        'defined' missing says little. A word-frequency list of English (wordfreq) tells
        the two apart.
        """
        found = [
            idf
            for t in {term} | vocabulary.alternatives([term]).get(term, set())
            if (idf := self.snap.idf(t)) is not None
        ]
        if found:
            return max(found)
        return self._unknown_idf if is_rare(term, word) else COMMON_UNKNOWN_IDF

    def candidates(self, query: Query) -> list[Candidate]:
        """Stage 1 and 2: fused candidates, scored by scoring.PASSAGE_WEIGHTS and sorted best first."""
        pool = self.pool(query)
        if pool is None:
            return []
        rows, features, lexical, sentence_scores, bounds, held = pool
        chunk_ids, places = self.snap.chunk_ids(rows), self.snap.places(rows)
        score = features @ PASSAGE_WEIGHTS
        if query.whom:  # a question about the patient is seldom answered in the discussion, and vice versa
            score -= SECTION_MISMATCH_PENALTY * np.array(
                [section_about(section) not in (None, query.whom) for _, section in places]
            )
        if query.prefer or query.described:
            score += self._preference(places, query.prefer, query.described)
        if query.key:  # the answer's passage seldom repeats what the question says of its patient; her paper does
            score += W_PAPER_COVERAGE * self._paper_coverage(held, [doc for doc, _ in places])
        if query.section is not None:  # "What did the MRI show?": its investigations
            asked = {section: bool(query.section.search(section)) for section in {section for _, section in places}}
            score += SECTION_PRIOR * np.array([asked[section] for _, section in places])
        f = {name: i for i, name in enumerate(PASSAGE_FEATURES)}
        columns = features[:, [f["fused"], f["passage"], f["sentence"], f["coverage"]]].tolist()  # floats at once
        out = [
            Candidate(
                chunk_id,
                fused,
                dense,
                lexical_score,
                sentence,
                coverage,
                total,
                sentence_scores[bounds[i] : bounds[i + 1]],
                *places[i],
            )
            for i, (chunk_id, (fused, dense, sentence, coverage), lexical_score, total) in enumerate(
                zip(chunk_ids.tolist(), columns, lexical.tolist(), score.tolist(), strict=True)
            )
        ]
        return sorted(out, key=lambda c: -c.score)

    def pool(self, query: Query) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[int], np.ndarray] | None:
        """Stage 1 and the features of stage 2: (rows, features, BM25 scores, sentence cosines, sentence bounds,
        key-term holdings: see _key_holdings).

        Stage 2 works on arrays over the whole pool (rows of the snapshot), so its cost
        hardly depends on how many candidates there are.
        """
        s, snap = self.settings, self.snap
        n = min(s.retrieval.candidates, len(snap.chunks))
        if n == 0:
            return None
        if len(snap.chunks) >= PARALLEL_STAGE1_PASSAGES:
            lexical = _STAGE1.submit(snap.lexical_search, query.terms, n)
            dense_rows = snap.dense_search(query.vector, n, helper=_STAGE1)  # it takes its share when BM25 is done
            lexical_rows, lexical_scores = lexical.result()
        else:
            dense_rows = snap.dense_search(query.vector, n)
            lexical_rows, lexical_scores = snap.lexical_search(query.terms, n, seeds=dense_rows)
        rows = np.unique(np.concatenate([dense_rows, lexical_rows]))
        fused = np.zeros(len(rows))
        for ranked, weight in ((dense_rows, s.retrieval.dense_weight), (lexical_rows, s.retrieval.lexical_weight)):
            fused[np.searchsorted(rows, ranked)] += weight / (s.retrieval.rrf_k + 1 + np.arange(len(ranked)))
        dense = snap.passage_vectors(rows) @ query.vector
        # with the adapter, a passage ranks by its best sentence under the adapted question (the second column, in the
        # same pass over the sentence vectors); the answer quotes by the model's cosine (the first)
        vectors = (
            query.vector if self.adapter is None else np.column_stack([query.vector, self.adapter.apply(query.vector)])
        )
        scores, sentence_starts = self._sentence_scores(rows, vectors)
        sentence_scores, ranking = (scores, scores) if scores.ndim == 1 else (scores[:, 0], scores[:, 1])
        best_sentence = np.maximum.reduceat(ranking, sentence_starts) if len(ranking) else dense
        value = np.zeros(len(rows))
        if query.expects is not None:  # asked for a dose or a duration: passages stating one go up
            value = ((snap.value_shapes(rows) & shape_bit(query.expects)) != 0).astype(float)
        pool_lexical = lexical_scores(rows)  # BM25 of the whole pool: mostly read from the search itself
        held = self._key_holdings(rows, query)
        features = np.column_stack([best_sentence, dense, held.sum(axis=1), fused / fused.max(), value])
        bounds = sentence_starts.tolist() + [len(sentence_scores)]  # ints: ~70 slices an ask
        return rows, features, pool_lexical, sentence_scores, bounds, held

    def _preference(self, places: list[tuple[str, str]], prefer: Preference, described: Container[str]) -> np.ndarray:
        """The boost each passage (doc id, section) gets for lying in a preferred paper or section; the
        papers of the patient the question names by age are preferred as well (scoring.W_DESCRIBED_DOC)."""
        aged = W_DESCRIBED_DOC / W_PREFER_DOC
        paper = {doc: max(prefer.docs.get(doc, 0.0), aged if doc in described else 0.0) for doc, _ in places}
        return np.array(
            [
                W_PREFER_DOC * paper[doc] + W_PREFER_SECTION * prefer.sections.get((doc, section), 0.0)
                for doc, section in places
            ]
        )

    def _sentence_scores(self, rows: np.ndarray, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cosine of every sentence of the given passages to the question (a column per vector when `vector` is
        (d, m)), and where each passage's begin."""
        return self.snap.sentence_scores(rows, vector)

    def _key_holdings(self, rows: np.ndarray, query: Query) -> np.ndarray:
        """A column per key term of the question, holding the term's share of their IDF weight where a passage holds
        it: a row's sum is its coverage, and what a paper's passages hold between them is their columns' maximum."""
        weights = {t: query.key_idf[t] for t in query.key}
        total = sum(weights.values()) or 1.0
        held = np.zeros((len(rows), len(weights)))
        for j, (term, weight) in enumerate(weights.items()):
            held[self._holding(query, term, rows), j] = weight / total
        return held

    @staticmethod
    def _paper_coverage(held: np.ndarray, docs: list[str]) -> np.ndarray:
        """For each passage, the weighted share of the question's key terms that some pooled passage of its paper
        contains: "the teenager whose kidneys failed after chickenpox" is in the paper's opening, the plasma
        exchange she had is in its treatment section."""
        paper = {doc: i for i, doc in enumerate(dict.fromkeys(docs))}
        of = np.array([paper[doc] for doc in docs])
        best = np.zeros((len(paper), held.shape[1]))
        np.maximum.at(best, of, held)
        return best[of].sum(axis=1)

    def hit(self, c: Candidate) -> Hit:
        row = self.snap.chunks[c.chunk_id]
        scores = [] if c.sentence_scores is None else c.sentence_scores.tolist()
        return Hit(
            chunk_id=row.chunk_id,
            doc_id=row.doc_id,
            title=self.snap.documents[row.doc_id].title,
            section=row.section,
            text=row.text,
            start=row.start,
            end=row.end,
            page=row.page,
            score=c.score,
            sentences=row.sentences,
            dense=c.dense,
            lexical=c.lexical,
            coverage=c.coverage,
            best_cosine=max(scores, default=0.0),
            sentence_terms=row.sentence_terms(),
            sentence_scores=scores,
            title_terms=self.title_terms(row.doc_id),
        )

    def retrieve(self, query: Query, k: int) -> list[Hit]:
        """The top k passages for an analysed question, spread across papers, best first."""
        chosen = diversify(self.candidates(query), k, self.settings.retrieval.per_doc_limit)
        self.snap.chunks.fetch([c.chunk_id for c in chosen])  # the shown passages' text, in one query
        hits = [self.hit(c) for c in chosen]
        self._spell_out(query, hits)
        if hits:
            hits = self._naming_paper_first(query, hits)
            hits = self._same_patient_first(query, hits)
        if query.own_vector is not None:  # a follow-up quotes mostly what it asks itself, not what its context says
            for h in hits:
                own = self._sentence_scores(self.snap.rows([h.chunk_id]), query.own_vector)[0]
                mixed = SENTENCE_OWN_SHARE * own + (1 - SENTENCE_OWN_SHARE) * np.asarray(h.sentence_scores)
                h.sentence_scores = [float(x) for x in mixed]
        return hits

    def _naming_paper_first(self, query: Query, hits: list[Hit]) -> list[Hit]:
        """Note what the top paper never mentions of what the question names (Hit.missing, which makes the bot
        abstain); when a paper ranked among the next few passages (scoring.NAMING_PAPER_HITS) names all of it, that
        paper is the one asked about: its passages go first, and those of the papers found lacking are dropped. "The
        toddler who received the anti-TNF antibody" is the Kawasaki patient given infliximab, not the one ranked
        above her who had only IVIG."""

        def missing(doc_id: str) -> list[str]:  # a follow-up's context terms came from its papers: only its own count
            return [t for t in self.missing(query, doc_id) if not query.own or t in query.own]

        hits[0].missing = missing(hits[0].doc_id)
        if not hits[0].missing:
            return hits
        lacking = {hits[0].doc_id}
        for doc_id in dict.fromkeys(h.doc_id for h in hits[1:NAMING_PAPER_HITS]):  # in rank order, each paper once
            if doc_id in lacking:
                continue
            if not missing(doc_id):  # its passages first; those of the papers lacking a named term cannot answer
                return [h for h in hits if h.doc_id == doc_id] + [
                    h for h in hits if h.doc_id not in lacking and h.doc_id != doc_id
                ]
            lacking.add(doc_id)
        return hits

    def _same_patient_first(self, query: Query, hits: list[Hit]) -> list[Hit]:
        """When a question about a patient names her sex ("the woman with …") or her age ("the 35-year-old") and the
        top paper's patient is surely another (Patient.conflicts), the first paper among the next few passages
        (scoring.NAMING_PAPER_HITS) whose patient is hers goes first; when there is none, the question's word is
        missing from the top paper (Hit.missing, which makes the bot abstain): a man's story does not tell what was
        done for her. Nothing is dropped. Not for a follow-up, whose patient its conversation has chosen. An age group
        ("the infant", "the teenager") is not compared: writers call a 14-month-old "the infant", and "the newborn of
        the woman with …" names the mother by her baby (thirty-fifth round: the check half 3 more false abstentions)."""
        if query.whom != "patient" or query.own:
            return hits
        sex, said = question_sex(query.question), ages(query.question)
        asked = Patient(sex[0] if sex else None, frozenset(said))
        if not (asked.sex or asked.ages) or not asked.conflicts(self.patient(hits[0].doc_id)):
            return hits
        for doc_id in dict.fromkeys(h.doc_id for h in hits[1:NAMING_PAPER_HITS]):
            if asked.matches(self.patient(doc_id)):
                return [h for h in hits if h.doc_id == doc_id] + [h for h in hits if h.doc_id != doc_id]
        words = ([sex[1]] if sex else []) + said[:1]
        hits[0].missing = [*hits[0].missing, *words]
        return hits

    def patient(self, doc_id: str) -> Patient:
        """A paper's patient: her sex by its title, else by the words of its case's own sections (analysis.text_sex);
        her ages, those its title and its case's own sections give (a series may give several)."""
        if doc_id not in self._patients:
            title = self.snap.documents[doc_id].title
            rows = self.snap.chunks.fetch(self.snap.chunk_ids(self.snap.paper_rows(doc_id)).tolist())
            case = " ".join(r.text for r in rows.values() if section_about(r.section) == "patient")
            sex = title_sex(title) or text_sex(case)
            self._patients[doc_id] = Patient(sex, frozenset(ages(title) + ages(case)))
        return self._patients[doc_id]

    @staticmethod
    def _spell_out(query: Query, hits: list[Hit]) -> None:
        """Count an abbreviation the question asks for ("What was the BNP?") as present in the sentences that
        write out its phrase ("Her brain natriuretic peptide was 850 pg/mL"), so answer selection finds them."""
        for hit in hits if query.abbreviations else []:
            for i, (s, e) in enumerate(hit.sentences):
                terms = hit.sentence_terms[i]
                terms.update(
                    t for t in query.abbreviations if t not in terms and spells_out(query.words[t], hit.text[s:e])
                )

    def search(self, question: str, k: int | None = None, prefer: Preference | None = None) -> list[Hit]:
        return self.retrieve(self.analyse(question, prefer=prefer), k or self.settings.retrieval.k)
