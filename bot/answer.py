"""Extractive answers: quote the passage sentences that answer, cite them, or abstain.

Nothing is generated. Each sentence of an answer is a verbatim quote followed by the
rank of its passage; when the evidence is weak the bot says so and lists the nearest
passages as related reading instead of quoting them as an answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from .analysis import (
    CLASS_WORD,
    DRUG_AMOUNT,
    DRUG_CLASSES,
    DRUG_NAME,
    FINDING,
    INVESTIGATION,
    MEMBER_CLASSES,
    PERSON,
    QUESTIONS_REMEMBERED,
    RESULTS_SECTION,
    SENTENCES_REMEMBERED,
    SHAPES,
    SPECIMENS,
    SYMPTOM_CLASSES,
    SYMPTOM_NAME,
    TEST_RESULT,
    TREATMENT,
    VALUE_KINDS,
    Vocabulary,
    about,
    amount_pattern,
    asked_amount,
    asks_finding,
    asks_how_confirmed,
    asks_how_treated,
    blank,
    concept_tokens,
    general_by_tense_only,
    given_object,
    methods_section,
    number_at,
    patient_description,
    section_about,
    sides,
    stem,
    tokens,
    words,
    words_before,
)
from .frequency import zipf
from .records import Answer, Citation, Hit
from .rerank import Reranker, overruled
from .retrieve import Query
from .scoring import (
    ABOUT_PENALTY,
    AIM_PENALTY,
    AMOUNT_DRUG_ZIPF,
    CAUSE_BONUS,
    CONTEXT_TERM_SHARE,
    DAY_BONUS,
    EXTRA_SENTENCE_MARGIN,
    FINDING_BONUS,
    FIRST_VALUE_BONUS,
    FOCUS_WEIGHT,
    GIVEN_BONUS,
    INTRO_PENALTY,
    LATER_DOSE_PENALTY,
    METHODS_PENALTY,
    MIN_CLAIM_COSINE,
    MIN_SENTENCE_COSINE,
    MIN_TOPIC_COSINE,
    OTHER_SIDE_PENALTY,
    QUANTITY_BONUS,
    QUANTITY_PENALTY,
    REPEAT_PENALTY,
    RERANK_MARGIN,
    RERANK_PAIRS,
    RERANK_RANK_WEIGHT,
    RERANK_SHORTLIST,
    RESTATE_PENALTY,
    RESULTS_BONUS,
    TITLE_LINE_PENALTY,
    UNTESTED_PENALTY,
    UNTREATED_PENALTY,
    W_COVERAGE,
    W_SEMANTIC,
    W_STANDING,
)

# Questions that restate a finding and ask whether it holds or how large it is ("Does X reduce Y?",
# "How much does X raise Y?"), unlike those asking for new content ("Which imaging is used?", "Why …?").
# (not "level": "What is the normal ferritin level?" asks for content, as a "what" question does)
CLAIM_KINDS = ("yes_no", *(kind for kind in VALUE_KINDS if kind != "level"))
# Questions about a study's outcome (whether it worked, how often, what share): its results answer
# them, while its methods state what was given (dose, duration) and to how many ("2,345 women").
OUTCOME_KINDS = ("yes_no", "count")
NO_ANSWER = "No passage in the indexed case reports answers this."
# An answer quotes at most this many sentences, whatever max_sentences says (a compound question's extra one).
MAX_QUOTES = 4
_WH = r"(?:what|which|when|where|how|why|who|whom|whose)"
_COMPOUND = re.compile(
    rf"\b{_WH}\b.*\band\s+(?:{_WH}|did|does|do|was|were|is|are|had|has)\b|\b{_WH}\s+and\s+{_WH}\b", re.I
)
# Links, keyword lists and a paper's bibliographic lines ("Letter to the editor, Indian Journal of
# Dermatology, volume 56, issue 3 (2011), pages 357-359", "Authors: …", "PMID: 21772617") are no answer.
_UNQUOTABLE = re.compile(
    r"https?://|www\.|^\s*(?:keywords|key words|facts from|doi|authors?:|journal:)|\bPMC?ID\b"
    r"|\bvolume \d+.*\b(?:issue|pages)\b",
    re.I,
)
# Sentences that restate a question rather than answer it: a case report announcing its case ("we
# report a patient who responded to weekly alendronate": it can still hold the answer) and, stronger,
# a study's aim ("To determine whether X reduces Y", which never holds the finding).
_ANNOUNCES = re.compile(
    r"\b(?:we (?:report|describe|present)|this (?:report|study|paper|article) (?:describes|reports|presents)|"
    r"here,? we|to (?:our|the authors'|the authors’|the best of our) knowledge)\b",
    re.I,
)
# Words joining a second treatment to a first in one sentence ("2 g of magnesium sulfate together with calcium
# gluconate"): a dose on one side is not the other's (see _dose_beside)
_JOINED = re.compile(
    r"\s*(?:;|\b(?:together with|along with|in addition to|as well as|combined with|followed by|alongside|plus)\b)\s*",
    re.I,
)
# A three-word sentence that states something ("Nothing suggested amyloidosis.", "Cultures were negative.") is an
# answer; other short ones are labels ("Retrospective descriptive study.", "Case report."): see quotable
_SHORT_STATEMENT = re.compile(r"\b(?:was|were|is|are|has|had|nothing|no|none|not|never)\b", re.I)
# A result written as a label and its value ("Ferritin: 1,250 ng/mL."): a statement of three words (twenty-third round)
_LABELLED_VALUE = re.compile(r"\s*[^\W\d_][\w-]*\s*:\s*\d[\d.,]*\s*\S+\s*")
# A paper's first line when it ends without a full stop: its title in a text file (scoring.TITLE_LINE_PENALTY)
_HEADING_LINE = re.compile(r"[^\n]*[^.!?:\s]\s*")
# A study's background: what was known before it, never what it found (marked down for the reranker, see reranked)
_BACKGROUND = re.compile(r"\b(?:background|introduction)\b", re.I)
_AIMS = re.compile(
    r"\b(?:(?:aim|aims|objective|objectives|purpose) (?:of|was|were|is)|to (?:determine|assess|evaluate|"
    r"investigate|examine|compare|describe|find out|establish|explore) (?:whether|if|the))\b"
    r"|^\s*(?:aims?|objectives?|purpose)\s*:",  # a structured abstract's label ("Objectives: To find out …")
    re.I,
)

# The sentence introducing a case's patient ("A 55-year-old Caucasian woman with …", "An
# 8-month-old boy …"), and the questions it does answer: her age, how she presented, her history.
# "A woman aged 68, …" and "A boy of 14, …" introduce her too (added 2026-11-27 from eval-dev, where
# "Which treatments failed …?" quoted "A woman aged 68, of Moroccan origin, …" first: eval-dev
# answer-hit 0.81 -> 0.857; no question of any other set moved, abstracts and shipped report included).
_INTRODUCES = re.compile(
    r"\s*(?:(?:the|our) patient (?:was|is)\s+)?"  # "The patient was a man aged 40 …"
    r"(?:an?|our)\s+(?:\w+\s+){0,2}?(?:\d+[\s-]*(?:years?|months?|weeks?|days?)[\s-]*old\b"
    r"|(?:boy|girl|man|woman|child|patient|infant|toddler|teenager|adolescent)\s*,?\s+(?:aged\s+\d|of\s+\d+\b))",
    re.I,
)
# "The digoxin level in blood drawn on arrival was reported only after death, at 44 ng/mL": the test and the word
# for its result name the subject of the first value after them, however far it is (twenty-first round, a tuning miss:
# tuning side false abstention 15 -> 14 at k = 5 and 10, nothing else moved; check7 and check8 unchanged)
_LEVEL_STEMS = frozenset(stem(w) for w in ("level", "levels", "concentration", "concentrations", "titre", "titer"))
_DAY_N = re.compile(r"\b(day|week|month)\s+(\d+)\b", re.I)  # a point of the course: "day 5", "week 2"
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
_NTH_DAY = re.compile(rf"\b({'|'.join(_ORDINALS)}|\d+(?:st|nd|rd|th))\s+(day|week|month)\b", re.I)  # "the third day"


def _days(text: str) -> set[tuple[str, str]]:
    """The points of a patient's course a text names: "on day 5" and "on the fifth day" are ("day", "5")."""
    named = {(unit.lower(), n) for unit, n in _DAY_N.findall(text)}
    for nth, unit in _NTH_DAY.findall(text):
        n = str(_ORDINALS.index(nth.lower()) + 1) if nth.lower() in _ORDINALS else nth[:-2]
        named.add((unit.lower(), n))
    return named


# "treat", "treated", "treatment" share a stem; "therapy", "therapeutic" and "management" say the same and share none
# (twenty-sixth round, for the shipped report's "How is calcinosis cutis treated?", which quoted her own IVIg course:
# no question of the tuning side, the check half, the abstracts or eval-dev moved). Answer choice only: retrieval and
# the abstention's coverage read the words as written.
_TREAT = stem("treat")
_THERAPY = re.compile(r"\b(?:therap\w*|manag\w*)", re.I)

_ASKS_PRESENTATION = re.compile(
    r"\b(?:how old|age|aged|present(?:ed|ing|ation)?|complain\w*|came\s+(?:in|to)|admitted|history|who)\b", re.I
)

# A question asking how a drug was given ("By what route …?", "How was methylene blue given?") and the
# sentences that state a route: the value shapes' bonus and penalty apply (scoring.QUANTITY_BONUS).
_ASKS_ROUTE = re.compile(
    r"\b(?:by )?what route\b|\broute\b|\bhow (?:was|were|is|are)\b.*\b(?:given|administered|delivered)\b", re.I
)
_ROUTE = re.compile(
    r"\b(?:orally|oral|by mouth|per os|intravenous(?:ly)?|iv|subcutaneous(?:ly)?|intramuscular(?:ly)?|topical(?:ly)?"
    r"|intralesional(?:ly)?|inhaled|nebuli[sz]ed|intrathecal(?:ly)?|infusion|bolus|injections?|per rectum|rectal(?:ly)?)\b",
    re.I,
)
# What a sentence giving a reason says: "because", "due to", "in view of", "so", "prompted", "to prevent"
_CAUSAL = re.compile(
    r"\b(?:because|due to|owing to|as a result|in view of|given (?:that|the|her|his|their)|since|therefore|thus"
    r"|so|prompted|prompting|led to|leading to|in order to|to prevent|to avoid|reasons?"
    r"|attributed to|caused by|triggered|set off|precipitated by|secondary to)\b",  # sixteenth round, see scoring
    re.I,
)
# "How many units of cryoprecipitate …?": a count of a drug or concept the question names, which the answering sentence
# names; "two units of fresh frozen plasma" states a count, not that one. Twenty-eighth round, from a probe's miss: no
# question of the tuning side or the check half changed its answer-hit or first quote (k = 5 and 10; one answer of the
# check half one quote shorter).
_COUNTED_OF = re.compile(r"\bhow\s+many\s+[^\W\d_]+\s+of\s+(?:the\s+|her\s+|his\s+)?([^\W\d_][\w-]*)", re.I)


def _counted(query: Query) -> set[str]:
    """The key terms of the drug or concept a count question counts ("cryoprecipitate" in "How many units of
    cryoprecipitate …?"), or nothing when it counts something else ("How many cycles of chemotherapy …?")."""
    m = _COUNTED_OF.search(query.question) if query.kind == "count" else None
    if not m:
        return set()
    word = m.group(1).lower()
    return {t for t, w in query.words.items() if w.lower().startswith(word) and (t[0] == "@" or DRUG_NAME.fullmatch(w))}


# A sentence saying a treatment was stopped: she had it, but the sentence that started it says so first.
_STOPPED = re.compile(r"\b(?:stopped|discontinued|withdrawn|ceased|tapered off|weaned off)\b", re.I)
# A question asking for the first value measured ("on admission", "when she first came in", "pre-treatment"):
# a case report tells its story in order, so the paper's first sentence giving that value is the one asked for,
# not "Eight weeks into treatment the platelet count had climbed to 102,000/µL".
_FIRST_VALUE = re.compile(
    r"\b(?:on|at)\s+(?:admission|arrival|presentation|diagnosis|baseline)\b|\bwhen\s+(?:s?he|they|it)\s+(?:first\s+)?"
    r"(?:came\s+in|presented|arrived|was\s+admitted)\b|\bfirst\s+came\s+in\b|\bbefore\s+(?:any\s+)?treatment\b"
    r"|\bpre-?treatment\b|\binitial(?:ly)?\b",
    re.I,
)
# A level question that places its value nowhere in the story ("What was her creatinine?", "How low was the serum
# sodium?") asks the one the story gives first, as _FIRST_VALUE does: not "Eight months later her serum creatinine was
# still raised at 187 µmol/L". Any word placing it elsewhere keeps the sentences as they rank. Twenty-eighth round,
# from a probe's misses: tuning side answer-hit and first-quote-hit +1 each at k = 5 and 10, nothing else moved; the
# same for dose questions cost the tuning side three answers (a case's dose is often changed before it is stated).
_PLACES_VALUE = re.compile(
    r"\b(?:later|after\w*|follow\w*|discharg\w*|final|last|latest|peak\w*|highest|lowest|nadir|max\w*|min\w*"
    r"|repeat\w*|subsequent\w*|during|before|until|when|while|once|then|next|second|third|maintenance|again"
    r"|rose|fell|drop\w*|climb\w*|recover\w*|improv\w*|worse\w*|changed?|trend\w*|end(?:ed)?|complet\w*|finish\w*"
    r"|eventual\w*|ultimately|response|responded|now|current\w*"
    r"|(?:on|by|at|from|to)\s+(?:day|week|month)s?)\b",
    re.I,
)
# A sentence placing its value later in the story ("Eight weeks later his haemoglobin had risen to 140 g/L", "on day
# 8", "at follow-up"): for a question asking the first value, another time point's, marked down by FIRST_VALUE_BONUS
# as the earliest is marked up. Twenty-eighth round, from a probe's miss (the later sentence ranked 0.053 above the
# admission value, bonus included): tuning side first-quote-hit +1 at k = 5, nothing else moved on any set.
_LATER_VALUE = re.compile(
    r"\b(?:later|afterwards|thereafter|subsequently)\b|\b(?:on|by)\s+day\s+(?:[2-9]|\d\d)"
    r"|\bat\s+(?:(?:her|his|the)\s+)?(?:follow[\s-]*up|review|discharge)\b|\bafter\s+(?:\w+\s+){0,2}(?:days?|weeks?|months?|treatment)\b",
    re.I,
)
# "How long had she had the rash (before …)?": how long something had lasted by a point of her story, told as a
# span ("a 16-month history", "present for 11 years"), never by a point in time after it ("At 12 months …", "by six
# months", "one month later"), which answers "when". Thirty-fifth round: the extra set one more first quote right,
# check19 one more answer; no other question of any set moved (k = 5 and 10).
_HOW_LONG_HAD = re.compile(r"^\W*(?:for\s+)?how\s+long\s+had\b", re.I)
_AT_A_TIME = re.compile(r"\b(?:at|by)\s+(?:about\s+|around\s+)?$", re.I)
_LATER = re.compile(r"\s+(?:later|afterwards)\b", re.I)


def _lasted(sentence: str) -> bool:
    """Whether `sentence` states a duration that is a span, not only points in time ("At six months", "a week later")."""
    return any(
        not _AT_A_TIME.search(sentence, 0, value.start()) and not _LATER.match(sentence, value.end())
        for value in SHAPES["duration"].finditer(sentence)
    )


# A dose question asking the dose a drug was started at, and a sentence giving a dose it was changed to later
# (scoring.LATER_DOSE_PENALTY)
_STARTING_DOSE = re.compile(
    r"\b(?:started|begun|commenced|initiated)\s+(?:on|at|with)\b|\bstart(?:ing)?\s+(?:[^\W\d_][\w-]*\s+){0,2}dose\b|\binitial(?:ly)?\b"
    r"|\bfirst\s+(?:dose|given|started)\b",
    re.I,
)
# A dose question asking the dose the patient went home on ("What prednisone dose was he discharged on?", "… sent
# home on?"), and a sentence saying so: the dose she was started on is not the answer when the paper does not give
# the one at discharge (see scoring, twenty-second round). "… stayed on after going home?" asks about a period, which
# a paper tells in its own words ("for the rest of the pregnancy").
_AT_DISCHARGE = re.compile(
    r"\bdischarged\s+(?:on|with)\b|\b(?:at|on)\s+discharge\b|\bwhen\s+(?:s?he|they)\s+(?:was|were)\s+discharged\b"
    r"|\bsent\s+home\s+on\b|\bon\s+leaving\s+(?:the\s+)?hospital\b",
    re.I,
)
_DISCHARGE = re.compile(
    r"\bdischarg\w*|\b(?:sent|went|going)\s+home\b|\b(?:leaving|left)\s+(?:the\s+)?hospital\b", re.I
)
_LATER_DOSE = re.compile(
    r"\bmaintenance\b|\b(?:reduced|cut back|tapered|lowered|decreased|weaned|increased|raised)\b", re.I
)
# What a dose is of, named after it: "300,000 units of vitamin D" (not "5 mg/kg of it", "of the drug").
_DOSE_OF = re.compile(
    r"\s+of\s+(?!(?:it|them|this|that|each|these|those|the\s+(?:drug|medication|medicine|same))\b)[^\W\d_]"
)
# what a drug's dose is asked by (the spelt-out units, amount, quantity and concentration added in the nineteenth
# round: "How many milligrams of …?", "What amount of X …?", "What concentration of X was given?")
_DOSE_WORD = re.compile(
    r"\b(?:doses?|dosed|dosages?|dosing|amount|quantity|concentration|mg|(?:milli|micro)?grams?|mcg|µg|units?)"
    r"(?:/\w+)?\b",
    re.I,
)
# Words that ask an amount of anything, a drug's among others ("How much spinal fluid …?", "her home diabetes
# regimen", "What dose was the boy …?"): the word they name is the drug asked only when it names a drug by its
# name (_names_a_drug)
_REGIMEN = re.compile(r"\bregimens?\b")
# "dose of olanzapine", "mg of methotrexate", "dose of oral corticosteroid", "dose of the intravenous steroid"
# Words that may stand between "dose of" and the drug: whose, its route, which dose
_BETWEEN = (
    "the her his their oral intravenous iv intramuscular subcutaneous topical inhaled intrathecal rectal sublingual "
    "transdermal initial starting loading maintenance daily weekly"
).split()
_QUALIFIERS = rf"(?:(?:{'|'.join(_BETWEEN)})\s+)*"
_OF = re.compile(rf"\s+of\s+{_QUALIFIERS}")  # "dose of oral X"
_WAS = re.compile(rf"\s+(?:was|were)\s+{_QUALIFIERS}")  # "At what dose was X given …?" (also "… was the boy …")
# "X dose", "X loading dose", "X maintenance regimen", "given X at what dose?"
_BEFORE_DOSE = re.compile(rf"\s*(?:at\s+(?:what|which)\s+)?{_QUALIFIERS}")
# Units a question may ask a dose in: "How many milligrams of X …?" (no drug's name either)
_UNIT_WORDS = (
    "mg milligram milligrams microgram micrograms gram grams mcg µg ml millilitre millilitres iu mmol meq unit units"
).split()
# "How much X …?", "How many milligrams of X …?": the drug whose dose is asked, when the word names a drug (below)
_HOW_MUCH = re.compile(rf"\bhow (?:much|many)\s+(?:(?:{'|'.join(_UNIT_WORDS)})\s+)?(?:of\s+)?{_QUALIFIERS}$")
# Words next to a dose word that say which dose or whose, not which drug ("the total daily dose", "weight-based
# dose", "the highest dose used"); with _QUALIFIER's endings. A class's word ("steroid", "aminoglycoside") is no
# drug's name: analysis.DRUG_CLASSES.
_NOT_A_DRUG = (
    frozenset(_BETWEEN)
    | frozenset(_UNIT_WORDS)
    | frozenset(
        "total monthly cumulative maximum maximal max minimum high low usual same first second third last final single "
        "each every per target peak standard full reduced new its this that what which weight body average mean "
        # nouns for any drug or its form: "What dose of the antidote …?" is answered by the antidote's name
        "treatment therapy agent antidote infusion injection injections tablet tablets pill pills capsule capsules "
        "course supplement supplements replacement drip bolus shot shots medicine medicines".split()
    )
)
_QUALIFIER = re.compile(r"[a-z]+(?:ed|ing|est|er)")  # "based", "loading", "highest", "higher"
# ... unless English text almost never uses the word: a drug's name ("What succimer dose …?": succimer's wordfreq
# Zipf frequency is 0, sevelamer's 1.0, while the rarest qualifiers of a dose are pegylated 1.7 and titrated 1.8;
# added 2026-11-27, eighteenth round)
DRUG_NAME_ZIPF = 1.5
_LISTED = re.compile(r"(?:\s*,\s*|\s+(?:and|or)\s+|\s*,\s*(?:and|or)\s+)")  # between drugs of one list


@dataclass
class Confidence:
    """Why the bot answers or abstains, from signals that do not move with k or with the number of quotes.

    - coverage: IDF-weighted share of the question's subject terms in the best-covered retrieved
      passage of the top paper. An on-topic question the papers do not answer ("JAK inhibitors
      in DM") scores a high cosine against any DM passage, but its distinctive terms appear in
      none of them. Of the top paper, not of its top passage: that passage may answer with
      other words than the question's while its neighbour names the subject (scoring.ADAPTER_L2).
      A generic "drugs" the question asks for ("Which drugs are used for X?") is held by a passage
      of that paper naming a drug.
    - cosine: the best sentence of the top passage against the question. Off-topic questions
      ("a recipe for banana bread") can share everyday words with a paper, never its meaning.
    - missing: identifiers, concepts and asked-for abbreviations of the question (IL-6, HbA1c, CRP,
      "What was the BNP?") that the top paper never mentions: it cannot state their value.
    - unmeasured: the question asks a test's result ("What was her ferritin level?", "What was
      the serum sodium of …?") and no retrieved sentence of the patient's paper states a level
      of that test: the paper did not report it, whatever else it says about ferritin.
    - undosed: the question asks the dose of a drug it names ("What dose of rituximab did she
      receive?") and no retrieved sentence of the patient's paper states a dose of it: "She
      was started on rituximab" or another drug's dose is not the answer; or it asks an amount in
      a unit ("How many IU …?", "in mg/kg") and none of her sentences gives a number in that unit.
    - unlasted: the question asks how long the patient was given a drug it names ("For how many days was she
      treated with clindamycin?") and no retrieved sentence of hers gives that drug a duration: "She received
      metronidazole. Ceftriaxone was continued for 6 weeks." does not say. Or it asks how long she was followed
      and no sentence of hers gives a duration of her follow-up ("She remained well at follow-up" does not).
    - untimed: the question asks when the patient had something it names by a drug's or a concept's name ("When was
      she started on infliximab?") and no retrieved sentence of hers names it with a time ("on day 5", "in March
      2019") or an event it came after, before or with ("after the second IVIG course failed"): "Infliximab was
      started." beside "after three days of symptoms" does not say.
    - uncounted: the question asks how many courses, sessions, doses or times she had ("How many cycles of ABVD …?",
      "How many times a day was the clobetasol applied?") and no retrieved sentence of hers gives a count beside that
      word, "times" or the drug it names: "She had been admitted twice before" does not say.
    - claim: the question states a finding about the condition and asks whether it holds or
      how large it is ("Does rituximab reduce calcinosis in dermatomyositis?", "How much do
      statins raise the risk of diabetes?": a yes/no or value question analysis.about reads
      as 'general'). The sentence that answers it restates that finding, so it must be much
      closer to the question (scoring.MIN_CLAIM_COSINE) than the sentence answering a
      question about new content ("What was her ferritin?", "Which imaging is used?").
    - presented: the question asks only how the patient presented ("How did she present?", "What was the initial
      presentation?"), it is clear which patient (every passage retrieved is from one paper, or the question or
      its conversation names her paper), and a sentence of her paper says she presented. Such a question has no
      subject of its own for the cosine to measure (0.08-0.17 against "A 69-year-old woman presented to …" on the
      shipped report, under scoring.MIN_SENTENCE_COSINE), and any case report answers it: no cosine bar applies.
    - topic: any other question about the condition in general, or in no tense ("Which causes more memory
      loss, ECT or ketamine?"), must be closer (scoring.MIN_TOPIC_COSINE) than one about a case's detail; a
      dose asked in no tense ("What dose of IVIg?") is a case's detail.
    Thresholds: scoring (chosen on the tune halves, see there).
    """

    coverage: float
    cosine: float
    missing: tuple[str, ...]
    claim: bool = False
    unmeasured: bool = False
    undosed: bool = False
    topic: bool = False
    unlasted: bool = False
    untimed: bool = False
    uncounted: bool = False
    presented: bool = False

    def answers(self, abstain_below: float) -> bool:
        least = MIN_CLAIM_COSINE if self.claim else MIN_TOPIC_COSINE if self.topic else MIN_SENTENCE_COSINE
        return (
            self.coverage >= abstain_below
            and (self.cosine >= least or self.presented)
            and not self.missing
            and not self.unmeasured
            and not self.undosed
            and not self.unlasted
            and not self.untimed
            and not self.uncounted
        )


# "Which drugs …?", "What medications …?" name the kind of answer, not a word the answer holds ("systemic therapy with
# bisphosphonates, IVIg, diltiazem …"): for the abstention's coverage, a passage of the top paper naming a drug holds it.
_GENERIC_DRUG = frozenset(stem(w) for w in ("drug", "drugs", "medication", "medications", "medicine", "medicines"))


# "How did she present?", "What was the initial presentation?": a question made only of these asks how the patient
# came to medical attention, and "A 69-year-old woman presented to our department …" answers it.
_PRESENTATION_TERMS = frozenset(stem(w) for w in ("present", "presentation", "initial", "first"))
# "the initial presentation", "the first presentation": a word placing the presentation in the story counts as an
# ordinary key word, not as the focus; "What was the initial presentation?" quoted "She was initially treated with …"
# over "A 69-year-old woman presented …" (twenty-seventh round: no question of the tuning side, the check half, the
# abstracts or eval-dev moved). For every focus noun it did the same, but "What was the initial treatment?" then
# quoted "Persistent symptoms despite various treatments …": "treated" is not "treatment" (scoring.FOCUS_WEIGHT).
_PRESENTATION = stem("presentation")
_ORDER_WORDS = frozenset(
    stem(w)
    for w in (
        *("initial", "first", "final", "last", "subsequent", "later", "earliest", "latest", "second", "third"),
        *("next", "previous", "prior", "original"),
    )
)
_PRESENTED = re.compile(r"\bpresent(?:ed|ing)\b", re.I)
_PATIENT = stem("patient")


def _states_presentation(query: Query, hits: list[Hit]) -> bool:
    """Whether the question asks only how the patient presented, it is clear which patient (the only paper
    retrieved, or hers: named by age or by the conversation), and her paper says she presented (Confidence)."""
    if query.whom != "patient" or not any(t in _PRESENTATION_TERMS for t in query.key):
        return False
    top = hits[0].doc_id
    hers = top in her_papers(query, hits)

    def says_who(term: str) -> bool:  # "the 69-year-old woman"
        return term in query.description or bool(PERSON.fullmatch(query.words.get(term, "")))

    return (
        all(t in _PRESENTATION_TERMS or t == _PATIENT or (hers and says_who(t)) for t in query.key)
        and (hers or len({hit.doc_id for hit in hits}) == 1)
        and any(_PRESENTED.search(hit.text) for hit in hits if hit.doc_id == top)
    )


def confidence(hits: list[Hit], query: Query | None = None) -> Confidence:
    claim = query is not None and query.whom == "general" and query.kind in CLAIM_KINDS
    if not hits:
        return Confidence(0.0, 0.0, (), claim)
    top = hits[0]
    unmeasured = query is not None and bool(query.measured) and not _states_level(query, hits)
    # a dose question that no sentence of hers answers: naming its drug, or about her and naming none the bot knows
    # ("How much ethanol was she given?"); "How much shorter are adults who …?" asks the size of an effect
    undosed = (
        query is not None
        and query.kind == "dose"
        and (bool(drugs := dose_drugs(query)) or query.whom == "patient")
        and not _states_dose(query, drugs, hits)
    ) or (
        query is not None
        and (amount := asked_amount(query.question)) is not None
        and not _states_amount(query, amount, hits)
    )
    unlasted = (
        query is not None
        and query.kind == "duration"
        and query.whom == "patient"
        and (
            (bool(drugs := _lasted_drugs(query)) and not _states_duration(query, drugs, hits))
            or (bool(_ASKS_FOLLOW_UP.search(query.question)) and not _states_follow_up(query, hits))
        )
    )
    courses = _ASKS_COURSES.search(query.question) if query is not None and query.whom == "patient" else None
    uncounted = query is not None and courses is not None and not _states_courses(query, courses.group(1), hits)
    untimed = (
        query is not None
        and query.kind == "time"
        and query.whom == "patient"
        and bool(named := _named_things(query))
        and not _states_time(query, named, hits)
    )
    # a dose asked in no tense ("What dose of IVIg?", "IVIg dose?") is a case's detail, and `undosed` checks it: the
    # topic bar is for questions on the condition in general
    topic = (
        query is not None and (query.whom == "general" or (query.whom is None and query.kind != "dose")) and not claim
    )
    presented = query is not None and _states_presentation(query, hits)
    coverage = max(hit.coverage for hit in hits if hit.doc_id == top.doc_id)
    if query is not None and (generic := [t for t in query.key if t in _GENERIC_DRUG and t in query.focus_head]):
        total = sum(query.key_idf.get(t, 0.0) for t in query.key) or 1.0
        if any(DRUG_NAME.search(hit.text) for hit in hits if hit.doc_id == top.doc_id):
            coverage = min(1.0, coverage + sum(query.key_idf.get(t, 0.0) for t in generic) / total)
    return Confidence(
        coverage,
        top.best_cosine,
        tuple(top.missing),
        claim,
        unmeasured,
        undosed,
        topic,
        unlasted,
        untimed,
        uncounted,
        presented,
    )


# "How many cycles / sessions / times …?": a count of courses of a treatment, told beside that word or the drug
_ASKS_COURSES = re.compile(
    r"\bhow\s+many\s+(?:more\s+|further\s+|separate\s+|total\s+)?(cycles?|courses?|sessions?|pulses?|doses?"
    r"|infusions?|rounds?|injections?|transfusions?|fractions?|times)\b",
    re.I,
)


# A count beside the word a "how many cycles …?" question counts ("three infusions", "a second course"), or a number of
# times ("twice", "four more times"): "infliximab 5 mg/kg was given on day 6" holds numbers and the drug, and counts
# nothing. Twenty-eighth round, from the abstention probe (one more of its unanswerable questions abstained on): no
# question of the tuning side or the check half moved (k = 5 and 10). Letting two words stand between "how many" and
# the counted word too ("How many infliximab infusions …?") cost the check half an answer.
_COUNT_WORD = (
    r"(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|single|second|third|fourth"
    r"|fifth|sixth|further|more|repeated|multiple)"
)
_TIMES = re.compile(
    r"\b(?:once|twice|thrice|(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|many)\s+"
    r"(?:more\s+|further\s+|additional\s+|other\s+)?times)\b",
    re.I,
)


def _states_courses(query: Query, word: str, hits: list[Hit]) -> bool:
    """Whether a sentence that can answer for the patient (_answering_sentences) gives a count beside the word the
    question counts ("three cycles"), a number of times, or a count beside a drug or concept the question names."""
    beside = rf"\b{_COUNT_WORD}\s+(?:[^\W\d_][\w-]*\s+){{0,2}}"
    counted = word.rstrip("s")
    named = _named_things(query)
    asked = set(query.key_idf) - query.description

    def counts(sentence: str, terms: set[str]) -> bool:
        if re.search(rf"{beside}{re.escape(counted)}", sentence, re.I):
            return True  # "five sessions of plasma exchange"
        if _TIMES.search(sentence) and (
            re.search(rf"\b{re.escape(counted)}", sentence, re.I) or any(query.has(t, terms) for t in asked)
        ):
            return True  # "Rituximab was given four times", "chelation four more times"; not "admitted twice before"
        names = [query.words.get(t, t) for t in named if query.has(t, terms)]
        return any(re.search(rf"{beside}{re.escape(name)}", sentence, re.I) for name in names)  # "three rituximab …"

    return any(counts(sentence, hit.sentence_terms[i]) for hit, i, sentence in _answering_sentences(query, hits))


# An event a time may be told by instead of a date: "after the second IVIG course failed", "once cultures grew MRSA"
_RELATIVE_TIME = re.compile(
    r"\b(?:after|before|following|once|when|until|during|later|earlier|previously|prior to|at the time of|upon|on"
    r"\s+(?:admission|arrival|presentation|discharge)|at\s+(?:admission|presentation|diagnosis|birth|discharge))\b",
    re.I,
)


def _own_terms(query: Query) -> list[str]:
    """The question's own key terms: for a follow-up, those it says itself, not those its conversation carries."""
    return [t for t in query.key if not query.own or t in query.own]


def _named_things(query: Query) -> list[str]:
    """The question's own terms that name a drug or a concept of the vocabulary, not the patient's description."""
    return [
        t
        for t in _own_terms(query)
        if t not in query.description and (t.startswith("@") or DRUG_NAME.fullmatch(query.words.get(t, "")))
    ]


def _states_time(query: Query, named: list[str], hits: list[Hit]) -> bool:
    """Whether a sentence that can answer for the patient (_answering_sentences) names one of `named` with a time or
    an event it is told by."""
    return any(
        (SHAPES["time"].search(sentence) or _RELATIVE_TIME.search(sentence))
        and any(query.has(t, hit.sentence_terms[i]) for t in named)
        for hit, i, sentence in _answering_sentences(query, hits)
    )


# A question asking how long until something happened, not how long a drug was given ("How long did it take for her
# hCG to normalise on methotrexate?", "How long after starting rituximab …?")
_TIME_TO = re.compile(
    r"\bhow\s+(?:long|many\s+\w+)\s+(?:did\s+it\s+take|after|before|until|into|later)\b|\bhow\s+soon\b"
)


# "How long was she followed up?", "How long was the follow-up?": told by a sentence with a duration and what she was
# followed by ("At 18 months of follow-up …", "She has been seen for 2 years …"), not another duration of her story
_ASKS_FOLLOW_UP = re.compile(r"\bfollow(?:ed|ing)?[\s-]*up\b|\bfollowed\b", re.I)
_FOLLOW_UP = re.compile(r"\bfollow|\breview|\bseen\b|\bvisits?\b|\bremain|\brelaps|\brecurr|\bremission\b", re.I)


def _states_follow_up(query: Query, hits: list[Hit]) -> bool:
    """Whether a sentence that can answer for the patient (_answering_sentences) gives a duration of her follow-up."""
    return any(
        SHAPES["duration"].search(sentence) and _FOLLOW_UP.search(sentence)
        for _, _, sentence in _answering_sentences(query, hits)
    )


def _lasted_drugs(query: Query) -> list[str]:
    """The drugs a question asking how long names by a drug's name or a concept of the vocabulary, as what she was
    given ("For how many weeks was he given ceftriaxone?", "How long was she treated with diltiazem?"), not those
    naming the patient ("How long had the man on lithium been unwell?"). Not a word English seldom uses, as a dose
    question's drug may be: here it is as often the condition ("… with endocarditis …")."""
    question = query.question.lower()
    if _TIME_TO.search(question):
        return []
    taken = given_object(question)  # "given ceftriaxone", "kept on prednisone"; not "the IVIG-resistant boy"
    own = _own_terms(query)
    return [
        t
        for t in own
        if t not in query.description
        and (t.startswith("@") or DRUG_NAME.fullmatch(query.words.get(t, "")))
        and all(w in taken for w in query.words.get(t, "").lower().split())
    ]


def _states_duration(query: Query, drugs: list[str], hits: list[Hit]) -> bool:
    """Whether a sentence that can answer for the patient (_answering_sentences) gives one of `drugs` a duration: one
    naming it with a duration that is its own (_value_attached), or one naming no drug right after one naming it ("She
    was started on prednisone. The dose was lowered … and continued for 6 months.")."""
    for hit, i, sentence in _answering_sentences(query, hits):
        if not SHAPES["duration"].search(sentence):
            continue
        if any(query.has(t, hit.sentence_terms[i]) for t in drugs):
            if _value_attached(query, drugs, sentence, SHAPES["duration"]):
                return True
        elif i > 0 and not DRUG_NAME.search(sentence) and any(query.has(t, hit.sentence_terms[i - 1]) for t in drugs):
            return True
    return False


def dose_drugs(query: Query) -> list[str]:
    """The drugs whose dose a dose question asks: the one next to its dose word ("infliximab dose",
    "dose of olanzapine"), else the first it names, with those listed along with it ("What doses of
    IVIG and rituximab …?"); not those naming the patient ("In the IVIG-refractory 2-year-old, what
    infliximab dose …?", "What dose of olanzapine was the man with lithium toxicity started on?").
    A follow-up naming no drug ("What dose?") asks about every drug of its context, and that drug
    may go unnamed in the answer ("It was given at 5 mg/kg"; see _names)."""
    if query.kind != "dose":
        return []
    question = query.question.lower()
    own = _own_terms(query)
    drugs = [t for t in own if DRUG_NAME.fullmatch(query.words.get(t, ""))]
    doses = list(_DOSE_WORD.finditer(question))

    regimens = list(_REGIMEN.finditer(question))

    def next_to(words: list[re.Match], at: int, length: int, after: re.Pattern = _OF) -> bool:
        return any(
            (at + length <= d.start() and _BEFORE_DOSE.fullmatch(question[at + length : d.start()]))
            or after.fullmatch(question[d.end() : at])
            for d in words
        )

    def next_to_dose(at: int, length: int, term: str) -> bool:
        return next_to(doses, at, length) or (
            (next_to(regimens, at, length) or next_to(doses, at, length, _WAS) or bool(_HOW_MUCH.search(question[:at])))
            and _names_a_drug(term, query.words[term].lower())
        )

    # a concept ("sodium thiosulfate", "ciclosporin") is the drug asked about only next to the dose word (added
    # 2026-11-26: cases validate unanswerable 12 -> 13 of 15; no answerable question of any set moved)
    # so is any other word next to it that is no qualifier of a dose ("What dose of vincristine …?", "What colchicine
    # dose …?", "loading dose of magnesium sulphate": added 2026-11-27, see scoring, fifteenth round)
    places = ((_word_at(question, query.words[t]), len(query.words[t]), t) for t in own if t not in query.description)
    named = sorted(
        (at, n, t)
        for at, n, t in places
        if at >= 0 and (t in drugs or (next_to_dose(at, n, t) and _may_name_a_drug(t, query.words[t].lower())))
    )
    if not named:
        return drugs
    attached = [x for x in named if next_to_dose(*x)]
    asked = (attached or named)[:1]
    for at, length, t in named:
        end = asked[-1][0] + asked[-1][1]
        if at >= end and _LISTED.fullmatch(question[end:at]):
            asked.append((at, length, t))
    return [t for _, _, t in asked]


def _names_a_drug(term: str, word: str) -> bool:
    """Whether a word names a drug by its name: a concept of the vocabulary, a drug's stem, or a word English
    seldom uses ("tranexamic", "filgrastim"; not "spinal" or "diabetes"): see scoring.AMOUNT_DRUG_ZIPF."""
    return term.startswith("@") or bool(DRUG_NAME.fullmatch(word)) or zipf(word) < AMOUNT_DRUG_ZIPF


def _may_name_a_drug(term: str, word: str) -> bool:
    """A concept ("@csa") names a drug unless it is a route ("IV"); another word unless it qualifies a dose."""
    if term.startswith("@"):
        return word not in _NOT_A_DRUG
    if term in DRUG_CLASSES or word in _NOT_A_DRUG or (CLASS_WORD.fullmatch(word) and not DRUG_NAME.fullmatch(word)):
        return False
    if not _QUALIFIER.fullmatch(word):
        return True
    return zipf(word) < DRUG_NAME_ZIPF


def _word_at(text: str, word: str) -> int:
    """Where `word` starts in `text` as a whole word (not inside "methylprednisolone"), or -1."""
    found = re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", text)
    return found.start() if found else -1


def _states_dose(query: Query, drugs: list[str], hits: list[Hit]) -> bool:
    """Whether a sentence that can answer for the patient (_answering_sentences) states a dose of one of `drugs`
    (of any drug when it names none); for a question about the dose she went home on, a sentence saying so."""
    discharge = bool(_AT_DISCHARGE.search(query.question))
    return any(
        SHAPES["dose"].search(sentence)
        and (not drugs or _names(query, drugs, hit, i, sentence))
        and (not discharge or bool(_DISCHARGE.search(sentence)))
        for hit, i, sentence in _answering_sentences(query, hits)
    )


def _states_amount(query: Query, amount: tuple[str, tuple[str, ...]], hits: list[Hit]) -> bool:
    """Whether a sentence that can answer for the patient (_answering_sentences) gives a number in the unit a
    question asks an amount in (analysis.asked_amount): "At what rate in units per kilogram per hour was the
    insulin infused?" is not answered by "an insulin infusion was started"."""
    pattern = amount_pattern(*amount)
    return any(pattern.search(sentence) for _, _, sentence in _answering_sentences(query, hits))


def _answering_sentences(query: Query, hits: list[Hit]) -> Iterator[tuple[Hit, int, str]]:
    """The retrieved sentences that may state a value of the patient's (hers, else the top passage's paper; any
    paper for a question about the condition). For a question about the patient, a sentence on the condition in
    general does not count: "ciclosporin 2 mg/kg/day is an option" in the discussion of a patient who never had
    it (see scoring, fifteenth round)."""
    papers = her_papers(query, hits) or ({hits[0].doc_id} if query.whom == "patient" else {h.doc_id for h in hits})
    for hit, i, sentence in _sentences_of(hits, papers):
        if not (query.whom == "patient" and _on_the_condition(hit, sentence)):
            yield hit, i, sentence


def _on_the_condition(hit: Hit, sentence: str) -> bool:
    """Whether a sentence speaks of the condition in general: in the present tense, or naming no one in
    a section that does (introduction, discussion): "The multiple-dose protocol alternates methotrexate
    1 mg/kg …"."""
    seen = _whom(hit, sentence)
    return seen == "general" or (seen is None and section_about(hit.section) == "general")


def _whom(hit: Hit, sentence: str) -> str | None:
    """Whom a sentence of `hit` speaks of (analysis.about); in the case's own section the present tense alone says
    nothing, since a case may be told in the present ("Prednisolone 40 mg daily is started."). Not in the sections
    after it (treatment, outcome): a passage there may run on into the discussion ("In adults, eculizumab is given as
    900 mg …")."""
    seen = about(sentence, question=False)
    if seen == "general" and section_about(hit.section) == "patient" and general_by_tense_only(sentence):
        return None
    return seen


def her_papers(query: Query, hits: list[Hit]) -> set[str]:
    """The retrieved papers of the patient a question names: by age, else through its conversation
    (a follow-up naming another patient's age leaves the earlier patient's papers)."""
    if query.whom != "patient":
        return set()
    named = query.described or set(query.prefer.docs)
    return {h.doc_id for h in hits if h.doc_id in named}


def _states_level(query: Query, hits: list[Hit]) -> bool:
    """Whether a retrieved sentence of the patient's paper (hers, else the top passage's) names the
    measured test (not just its specimen) just before a laboratory value: "eosinophilia … with a
    mortality of 10-20%" gives no eosinophil count. (Added 2026-11-26 with analysis.words_before, the window
    the index uses to tell a test: cases tune unanswerable 13 -> 14 of 15; no answerable question of any set moved
    once millimolar counted as a laboratory unit.) A level asked at discharge needs a sentence saying discharge or
    placing its value later in the story ("On day 7, the creatinine was 1.1 mg/dL"), not the value she came in with
    (twenty-eighth round: one more of the abstention probe's unanswerable questions abstained on; nothing moved on the
    tuning side or the check half, k = 5 and 10; discharge alone refused six of bench/phrasings.py's timepoints)."""
    papers = her_papers(query, hits) or {hits[0].doc_id}
    discharge = bool(_AT_DISCHARGE.search(query.question))
    return any(
        _gives_level(query, hit.sentence_terms[i], sentence)
        and (not discharge or bool(_DISCHARGE.search(sentence) or _LATER_VALUE.search(sentence)))
        for hit, i, sentence in _sentences_of(hits, papers)
    )


def _one_word_written(query: Query, tag: str, written: set[str]) -> bool:
    """Whether the question named concept `tag` by a single word, and `written` (a sentence's stems) holds it."""
    word = query.words.get(tag, "").lower()
    return bool(word) and " " not in word and "-" not in word and stem(word) in written


# Where a sentence starts a new clause, which names its own test: "Potassium was requested, and sodium was 118 mmol/L"
_NEW_CLAUSE = re.compile(r",\s*(?:and|but|while|whereas)\b|;", re.I)


def _gives_level(query: Query, terms: set[str], sentence: str) -> bool:
    """Whether `sentence` (its tokens `terms`) names the measured test just before a laboratory value."""
    named = [t for t in query.measured - SPECIMENS or query.measured if query.has(t, terms)]
    if not named:
        return False
    written = {stem(w) for w in words(sentence)}
    # a tag ("@crp") or a spelled-out abbreviation is no word of the sentence: it cannot be placed, unless the question
    # named the concept by one word the sentence writes, which is placed instead ("digoxin", a concept for its brand
    # names: "Digoxin toxicity was suspected, with a serum potassium of 6.1 mmol/L" gives no digoxin level)
    named = [t for t in named if not (t.startswith("@") and _one_word_written(query, t, written))]
    for n, value in enumerate(SHAPES["level"].finditer(sentence)):
        at = number_at(value)  # its test is named in its own clause ("X was requested, and Y was 4": Y's)
        clause = max((m.end() for m in _NEW_CLAUSE.finditer(sentence, 0, at)), default=0)
        before = {stem(w) for w in words_before(sentence[clause:], at - clause)}
        if any(query.has(t, before) or not query.has(t, written) for t in named):
            return True
        if n == 0 and _names_level(query, named, sentence[: number_at(value)]):
            return True  # "The digoxin level in blood drawn on arrival was reported only after death, at 44 ng/mL"
    return _value_after(query, named, sentence)


# A value right after the test it measures, in no laboratory unit the level shape knows: "The arterial pH was 7.08",
# "the anion gap was 28", "ESR of 110 mm/h", "a Glasgow Coma Scale score of 8" (twenty-second round); not "ESR on day
# 3" or "CRP 2 weeks later".
_VALUE_AFTER = re.compile(
    r"\W*(?:(?:was|were|of|at|measured|reached|(?:had\s+)?(?:rose|risen|fell|fallen|dropped)\s+to)\s+|:\s*)"
    r"(?:only\s+|about\s+|approximately\s+)?\d+(?:[.,]\d+)?(?![.,]?\d|\s*(?:-|to\s+\d)?\s*(?:days?|weeks?|months?|years?"
    r"|hours?|h\b|minutes?|min\b|times)|-)",
    re.I,
)


def _value_after(query: Query, named: list[str], sentence: str) -> bool:
    """Whether a value follows a word or concept form naming the measured test (`named`: its key terms)."""
    return any(_VALUE_AFTER.match(sentence, end) for _, end in _spans_naming(query, named, sentence))


_WORD = re.compile(r"[^\W_][\w-]*")


def _spans_naming(query: Query, terms: list[str], text: str) -> list[tuple[int, int]]:
    """Where `text` names one of `terms` (key terms of the query): a word whose stem is one, or a concept's form."""
    spans = [m.span() for m in _WORD.finditer(text) if any(query.has(t, {stem(m.group().lower())}) for t in terms)]
    if query.vocabulary is not None and any(t.startswith("@") for t in terms):
        spans += [(start, end) for tag, start, end in query.vocabulary.tag_spans(text) if tag in terms]
    return spans


def _names_level(query: Query, named: list[str], text: str) -> bool:
    """Whether `text` says "<the test> level" (or concentration, titre …): the subject of the first value after it."""
    stems = [stem(w) for w in words(text)]
    pairs = zip(stems, stems[1:], strict=False)  # each word with the one after it
    return any(w in _LEVEL_STEMS and any(query.has(t, {before}) for t in named) for before, w in pairs)


def _sentences_of(hits: list[Hit], papers: set[str]) -> Iterator[tuple[Hit, int, str]]:
    """(passage, sentence number, sentence) for every sentence of the retrieved passages of `papers`."""
    for hit in hits:
        if hit.doc_id in papers:
            for i, (s, e) in enumerate(hit.sentences):
                yield hit, i, hit.text[s:e]


def compose(
    query: Query, hits: list[Hit], max_sentences: int, abstain_below: float, reranker: Reranker | None = None
) -> Answer:
    """Quote the sentences of `hits` that answer the query, or abstain; works from the Hits alone (and the
    reranker, when given, which may put another sentence of the first quote's paper first: bot.rerank)."""
    answers = bool(hits) and confidence(hits, query).answers(abstain_below)
    view = RulesView()
    citations = select_sentences(query, hits, max_sentences, view) if answers else []
    if citations and reranker is not None:
        citations = reranked(reranker, query, hits, citations, view)
    if not citations:  # not confident, or nothing quotable in the passages
        return Answer(query.question, NO_ANSWER, True, [], hits, query.text)
    text = "\n".join(f"“{c.quote}” [{c.n}]" for c in citations)  # best first, one quote a line
    return Answer(query.question, text, False, citations, hits, query.text)


@dataclass
class RulesView:
    """How the rules saw an answer's candidate sentences: their ranking, best first, as citations, and the (passage
    number, start) of those a rule marked down (the wrong shape of value, another drug's dose, a title, an aim …)."""

    order: list[Citation] = field(default_factory=list)
    marked: set[tuple[int, int]] = field(default_factory=set)
    held: dict[tuple[int, int], set[str]] = field(default_factory=dict)  # the question's key terms each sentence holds


# A word used as the time of something else: "… presenting 7.8 years after initial diagnosis" says when, not how it is
# diagnosed. Read only for the reranker's choice (reranked), for questions that do not ask a time. Not "at": "At
# presentation she had painful nodules" tells the presentation.
_AS_A_TIME = re.compile(
    r"\b(?:after|before|since|following|prior\s+to|until|from)\s+(?:(?:the|her|his|their|its)\s+)?"
    r"(?:(?:initial|first|original)\s+)?(?:diagnos\w*|presentation|admission|surgery|operation|treatment|onset)\b",
    re.I,
)
_ASKS_A_TIME = frozenset({"time", "duration", "age"})


def _drops_the_answer(query: Query, answering: set[str], sentence: str, held: set[str]) -> bool:
    """Whether a sentence the reranker prefers to the rules' first quote (which holds the question's key terms
    `answering`; this one holds `held`) has lost what made that quote answer: a test or concept the question names
    ("Were CRP and ESR raised?": "… perivascular inflammatory infiltrates" names neither), a word the two share
    that this one uses only as a time ("How is it diagnosed?": "… 7.8 years after initial diagnosis"), or, for a
    question asking the presentation, a treatment without it ("She was initially treated with …")."""
    if {t for t in answering if t.startswith("@")} - held:
        return True
    if query.kind not in _ASKS_A_TIME and query.vocabulary is not None:
        spans = [m.span() for m in _AS_A_TIME.finditer(sentence)]
        if spans:
            rest = concept_tokens(blank(sentence, spans), query.vocabulary)
            times = concept_tokens(" ".join(sentence[a:b] for a, b in spans), query.vocabulary)
            if any(query.has(t, times) and not query.has(t, rest) for t in answering & held):
                return True
    return _PRESENTATION in query.focus_head and _PRESENTATION not in held and bool(TREATMENT.search(sentence))


def reranked(
    reranker: Reranker,
    query: Query,
    hits: list[Hit],
    citations: list[Citation],
    view: RulesView,
) -> list[Citation]:
    """The rules' quotes, led by the sentence of the first quote's paper the reranker is much surer of, if any
    (scoring.RERANK_MARGIN); the rules' quotes follow it, at most MAX_QUOTES in all. It chooses among the rules'
    best sentences (scoring.RERANK_SHORTLIST) that no rule marked down: "What were her symptoms?" is not answered by
    "her symptoms remained refractory", whatever the model says; nor one that drops what the first quote answers with
    (_drops_the_answer)."""
    first = citations[0]
    paper, section = hits[first.n - 1].doc_id, hits[first.n - 1].section
    # "Does X reduce Y?" asked of a study whose results the rules quote: its results say by how much; the
    # conclusion restating them is the authors' reading (abstracts: five first quotes moved there without this)
    findings = query.section is RESULTS_SECTION and bool(RESULTS_SECTION.search(section))
    candidates = {first.quote: first}  # overlapping passages repeat sentences: the best-ranked one stands
    answering = view.held.get((first.n, first.start), set())
    for c in view.order[:RERANK_SHORTLIST]:
        hit = hits[c.n - 1]
        if (
            c.quote not in candidates
            and hit.doc_id == paper
            and (c.n, c.start) not in view.marked
            and not (findings and not RESULTS_SECTION.search(hit.section))
            and not _drops_the_answer(query, answering, c.quote, view.held.get((c.n, c.start), set()))
        ):
            candidates[c.quote] = c
    if len(candidates) == 1:
        return citations
    choices = list(candidates.values())[:RERANK_PAIRS]  # the first quote and the best-ranked others
    scores = reranker.scores(query.question, [(hits[c.n - 1].section, c.quote) for c in choices])
    better = overruled(scores, [c.n for c in choices], 0, RERANK_RANK_WEIGHT, RERANK_MARGIN)
    if better is None:
        return citations
    promoted = choices[better]
    return [promoted, *(c for c in citations if c.quote != promoted.quote)][:MAX_QUOTES]


def select_sentences(
    query: Query, hits: list[Hit], max_sentences: int, view: RulesView | None = None
) -> list[Citation]:
    """Rank every sentence of the retrieved passages; quote the best, and others only when they add to it.

    A sentence's coverage counts the question's key terms it contains, weighted by how
    few candidate sentences contain them: words shared by all candidates (the disease,
    the patient's description) cannot tell the answer sentence from its neighbours. A
    paper's title words count as context for the subject, never for the focus (the word
    naming what is asked): a title mentioning "dose" does not make every sentence a dose.
    A sentence that restates a question (an aim, "we report a case of …") is context, not
    a finding, and so is a study's design for a question about its outcome; the
    sentence introducing the patient says who she is, not what is asked (unless the question
    asks how she presented). A question that says which patient (her age, the papers the
    conversation quoted) is answered from her papers when they were retrieved, never by
    another patient's sentence. A question about the case's patient is answered by what
    happened to her, a question about the condition in general by what the paper says of it
    (analysis.about). A follow-up asks for something new: a sentence an
    earlier turn of the conversation already quoted goes down a little (it can still win
    when it answers). `view`, when given, receives how the rules saw the sentences (RulesView).
    """
    named = dose_drugs(query)  # "What infliximab dose …?": a dose of another drug is not the answer
    counted = _counted(query)
    shape = query.expects or (DRUG_NAME if query.focus_head & DRUG_CLASSES else None)  # "which antibiotic"
    if shape is None and query.focus_head & SYMPTOM_CLASSES:
        shape = SYMPTOM_NAME  # "Which symptoms …?": "fever, a dry cough and myalgia", not "His symptoms resolved"
    if shape is None and _ASKS_ROUTE.search(query.question):
        shape = _ROUTE  # "By what route was she given vitamin C?": "given by mouth" (see scoring.QUANTITY_BONUS)
    # "Which antifungal followed …?" is answered by "… a course of fluconazole", "Which organs were involved?" by
    # "her liver and kidneys": a member's name stands for its class (analysis.MEMBER_CLASSES; see scoring)
    members = [
        (asked, member) for classes, member in MEMBER_CLASSES if (asked := query.focus & classes & set(query.key_idf))
    ]
    # "Which beta-blocker …?" names a class the vocabulary knows by its members: heparin is a drug, not one of them
    known = _asked_classes(query) if shape is DRUG_NAME else set()
    if known:
        members = [(asked, member) for asked, member in members if member is not DRUG_NAME]
    finding, confirmed = asks_finding(query.question), asks_how_confirmed(query.question)
    treated = asks_how_treated(query.question)
    side = sides(query.question)
    starting = query.kind == "dose" and bool(_STARTING_DOSE.search(query.question))
    history = query.kind == "duration" and bool(_HOW_LONG_HAD.search(query.question))
    results = query.section is RESULTS_SECTION
    presentation = asks_presentation(query.question)
    days = _days(query.question)  # "What was added on day 5?"
    asked = set(query.key_idf) - query.description  # the words naming the patient found her paper
    top = hits[0].score or 1.0
    titles = [_title_line(hit) for hit in hits]  # how far each passage's paper title reaches into it
    sentences = []
    for n, hit in enumerate(hits, 1):
        context = hit.title_terms - query.focus_head
        for i, (s, e) in enumerate(hit.sentences):
            sentence = hit.text[s:e]
            if not quotable(sentence):
                continue
            present = {t for t in asked if query.has(t, hit.sentence_terms[i])}
            if _TREAT in asked and _THERAPY.search(sentence):
                present.add(_TREAT)  # "How is it treated?": "… systemic therapy with bisphosphonates … may be used"
            for asked_class, member in members:
                if member.search(sentence):
                    present |= asked_class
            if known & hit.sentence_terms[i]:
                present |= query.focus_head
            sentences.append((n, i, s, e, hit, sentence, present, present | (context & asked)))
    if not sentences:
        return []
    spread = {t: sum(t in x[6] for x in sentences) for t in query.key_idf}
    placing = (query.focus - query.focus_head) & _ORDER_WORDS if _PRESENTATION in query.focus_head else set()
    weights = {
        t: idf
        * math.log(1 + len(sentences) / (1 + spread[t]))
        * (FOCUS_WEIGHT if t in query.focus and t not in placing else 1)
        * (CONTEXT_TERM_SHARE if query.own and t not in query.own and t not in query.focus else 1)
        for t, idf in query.key_idf.items()
    }
    total = sum(weights.values()) or 1.0
    scored: list[tuple[float, int, int, int, str, set[str], int]] = []
    others: set[tuple[int, int]] = set()
    # "What was the platelet count on admission?", or "What was her creatinine?", a level placed nowhere in the story
    placed = bool(days or _PLACES_VALUE.search(query.question) or _AT_DISCHARGE.search(query.question))
    first_value = (
        shape is not None
        and query.expects is not None
        and (bool(_FIRST_VALUE.search(query.question)) or (bool(query.measured) and not placed))
    )
    earliest: dict[str, tuple[int, int]] = {}  # paper -> (position, index in scored) of its first sentence stating one
    for n, i, s, e, hit, sentence, present, with_context in sentences:
        coverage = sum(weights[t] for t in with_context) / total
        score = W_SEMANTIC * hit.sentence_scores[i] + W_COVERAGE * coverage + W_STANDING * hit.score / top
        down = False  # whether a rule below marks it down (the reranker may not promote it: reranked)
        if shape is not None:  # "what dose", "which antibiotic": the quoted sentence must state one
            shaped = bool(known & hit.sentence_terms[i]) if known else bool(shape.search(sentence))
            stated = shaped and (not named or _names(query, named, hit, i, sentence))
            if stated and counted and not counted & hit.sentence_terms[i]:
                stated = False  # "two units of fresh frozen plasma" counts other units
            if stated and query.measured and shape is SHAPES["level"]:  # "What was the lactate?": not "15% alcohol"
                stated = _gives_level(query, hit.sentence_terms[i], sentence)
            if stated and history and shape is SHAPES["duration"]:
                stated = _lasted(sentence)  # "How long had she had it?": not "At 12 months her hair had regrown"
            score += QUANTITY_BONUS if stated else -QUANTITY_PENALTY
            down = not stated
            if shaped and not stated:
                others.add((n, s))  # another drug's dose: never quoted beside the answer
            if (
                first_value
                and stated
                and (present & query.focus or not query.focus)  # the value of the test asked, when it names one
                and hit.start + s < earliest.get(hit.doc_id, (1 << 62, 0))[0]
            ):
                earliest[hit.doc_id] = (hit.start + s, len(scored))
        if finding and (
            FINDING.search(sentence) or SHAPES["level"].search(sentence) or (confirmed and TEST_RESULT.search(sentence))
        ):
            score += FINDING_BONUS  # "What did the biopsy show?": the sentence reporting what it showed or measured
        if treated and not (TREATMENT.search(sentence) or DRUG_NAME.search(sentence)):
            score -= UNTREATED_PENALTY  # "How was her kidney injury managed?": not the sentence describing it
            down = True
        if confirmed and not INVESTIGATION.search(sentence):
            score -= UNTESTED_PENALTY  # "How was scurvy confirmed?": not her history, but the test that showed it
            down = True
        if query.kind == "why" and _CAUSAL.search(sentence):
            score += CAUSE_BONUS  # "Why was she dialysed?": "Because her methanol level was above 200 mg/L, …"
        aim = _AIMS.search(sentence)
        if aim or _ANNOUNCES.search(sentence):
            if query.kind not in ("what", "other", "list"):
                score -= AIM_PENALTY if aim else RESTATE_PENALTY
            down = True  # "To determine whether …", "We report …": context for any question
        if s < titles[n - 1]:
            score -= TITLE_LINE_PENALTY  # a title names everything the paper is about, and answers nothing
            down = True
        if query.kind in OUTCOME_KINDS and methods_section(hit.section):
            score -= METHODS_PENALTY  # "Randomised trial of 307 women …" says how it was studied, not what was found
            down = True
        if query.kind in OUTCOME_KINDS and _BACKGROUND.search(hit.section):
            down = True  # what was known before a study, never what it found (no penalty: the rules were set without)
        if not presentation and _INTRODUCES.match(sentence):
            score -= INTRO_PENALTY  # "A 55-year-old woman with …" says who she is, not what triggered it
            down = True
        if query.whom and (seen := _whom(hit, sentence)) and seen != query.whom:
            score -= ABOUT_PENALTY  # "how is it diagnosed?" is not answered by when she was diagnosed
            down = True
        if results and RESULTS_SECTION.search(hit.section):
            score += RESULTS_BONUS  # "Is X linked to fewer Y?": the study's results state whether it was
        if side and (named_sides := sides(sentence)) and not named_sides & side:
            score -= OTHER_SIDE_PENALTY  # "the right ovary" is not answered by what the left one showed
            down = True
        if starting and _LATER_DOSE.search(sentence):
            score -= LATER_DOSE_PENALTY  # "started on": not "stayed on a low maintenance dose of prednisolone, 4 mg"
            down = True
        if first_value and _LATER_VALUE.search(sentence):
            score -= FIRST_VALUE_BONUS
            down = True
        if days and days & _days(sentence):
            score += DAY_BONUS  # "On day 5 he was given a second IVIG course", not "… 5 mg/kg on day 9"
        if view is not None:
            view.held[(n, s)] = present
            if down:
                view.marked.add((n, s))  # a rule marked it down: not what the question asks, whatever else it says
        if sentence in query.said:  # a follow-up asks for something the conversation has not quoted yet
            score -= REPEAT_PENALTY
        scored.append((score, n, s, e, sentence, present, i))
    for _, at in earliest.values():  # "What was the platelet count on admission?": the first one the story gives
        scored[at] = (scored[at][0] + FIRST_VALUE_BONUS, *scored[at][1:])
    hers = her_papers(query, hits)
    if hers:  # "the 12-year-old" is not the 60-year-old man of another paper
        scored = [x for x in scored if hits[x[1] - 1].doc_id in hers]
        if not scored:
            return []

    def her_story_says(pattern: re.Pattern | None = None, tags: set[str] | None = None) -> bool:
        """Whether a sentence of her story (not one on the condition in general) matches `pattern` or holds `tags`."""
        return any(
            (pattern.search(x[4]) if pattern else tags and tags & hits[x[1] - 1].sentence_terms[x[6]])
            and not _on_the_condition(hits[x[1] - 1], x[4])
            for x in scored
        )

    if hers and query.whom == "patient" and not all(her_story_says(told) for told in history_topics(query.question)):
        return []  # "Is he a smoker?": no sentence of his story tells it
    if known and not her_story_says(tags=known):
        return []  # "Which beta-blocker was he sent home on?": none of his sentences names one
    if (
        shape is DRUG_NAME
        and not known
        and (query.focus_head & DRUG_CLASSES) - _GENERIC_DRUG
        and not her_story_says(DRUG_NAME)
    ):
        # "Which antibiotic was he given?": "He was given antibiotics" names none. Not for "which drugs" (a drug's
        # name need not look like one: penicillamine, phenoxybenzamine). Twenty-eighth round, from an abstention probe
        # over the tuning side's papers (22 of its 100 unanswerable questions abstained on, not 18): tuning side 2
        # more unanswerable questions abstained on at k = 5 and 10, the check half 1 more at k = 5; no answer lost.
        return []
    if query.given:  # "Was sodium thiosulfate given to this patient?"
        general = [_on_the_condition(hits[x[1] - 1], x[4]) for x in scored]
        naming = [bool(query.given & hits[x[1] - 1].sentence_terms[x[6]]) for x in scored]
        # a drug or concept the question names: not a word of it the papers may write another way ("steroids"); a
        # drug's name no stem or concept knows counts when English seldom uses the word ("fomepizole": twenty-eighth
        # round, abstention probe 28 -> 30 of 100, nothing moved on the tuning side or the check half at k = 5 or 10)
        asks_named = any(t in query.words and _names_a_drug(t, query.words[t].lower()) for t in query.given)
        if asks_named and any(naming) and all(g for g, n in zip(general, naming, strict=True) if n):
            return []  # only the condition's treatment options name it: the papers do not say she had it
        # her sentence naming it says whether she had it ("… treated with propofol, diazepam, labetalol …")
        scored = [
            (x[0] + GIVEN_BONUS * (n and not _STOPPED.search(x[4])), *x[1:])  # "… was started", not "… was stopped"
            for x, g, n in zip(scored, general, naming, strict=True)
            if not g
        ]
        if not scored:
            return []
    scored.sort(key=lambda x: -x[0])
    if view is not None:
        view.order = [Citation(n=n, quote=sentence, start=s, end=e) for _, n, s, e, sentence, *_ in scored]
    if confirmed and not INVESTIGATION.search(scored[0][4]):
        return []  # "How was the effusion detected?": no sentence of hers says by what (scoring.UNTESTED_PENALTY)
    best = scored[0][0]
    picked = [scored[0]]
    compound = bool(_COMPOUND.search(query.question))
    limit = min(MAX_QUOTES, max_sentences + compound)  # the neighbour below is an extra, not a replacement
    if compound:
        # "How long … and what was he given?": the second part is most often answered by
        # the sentence right after the best one, which shares none of the question's words.
        n, end = scored[0][1], scored[0][3]
        following = [x for x in scored if x[1] == n and x[2] > end]
        if following:
            picked.append(min(following, key=lambda x: x[2]))
    covered = set().union(*(p[5] for p in picked))
    for score, n, s, e, sentence, present, i in scored[1:]:
        if len(picked) >= limit or score < best - EXTRA_SENTENCE_MARGIN:
            break
        if any(p[4] == sentence or (p[1] == n and p[2] < e and s < p[3]) for p in picked):
            continue  # overlapping passages repeat sentences
        if not (present - covered) or (n, s) in others:
            continue  # a further quote must add a part of the answer, not repeat the best one's terms
        picked.append((score, n, s, e, sentence, present, i))
        covered |= present
    return [Citation(n=n, quote=sentence, start=s, end=e) for _, n, s, e, sentence, *_ in picked]


# Parts of a patient's history a question may ask about, each as (the question's words, the words of a sentence that
# tells it): "Is he a smoker?" is answered by a sentence on smoking or tobacco, not by the one describing his poisoning.
# The sentence side lists the usual ways a case report tells that part; a paper that does not tell it has no answer.
# Twenty-eighth round, from the abstention probe's history questions (0 of 10 abstained on; now 4, no answerable
# question refused): nothing moved on the tuning side, the check half, the abstracts or eval-dev (k = 5 and 10).
# Not kept: GIVEN_BONUS for her sentence telling that part (the check half lost an answer: "family" is often "an
# argument with a family member").
_HISTORY_TOPICS = tuple(
    (re.compile(asked, re.I), re.compile(told, re.I))
    for asked, told in (
        (
            r"\bsmok\w*|\bcigarettes?\b|\btobacco\b",
            r"\bsmok\w*|\bcigarettes?\b|\btobacco\b|\bpack[\s-]*years?\b|\bnicotine\b",
        ),
        (
            r"\balcohol\w*|\bdrink(?:s|er|ers|ing)?\b|\bdrank\b",
            r"\balcohol\w*|\bdrink\w*|\bdrank\b|\bbeer\b|\bwine\b|\bspirits\b|\bteetotal\w*|\babstin\w*|\bethanol\b",
        ),
        (r"\ballerg\w*", r"\ballerg\w*|\bhypersensitiv\w*|\banaphyla\w*|\bintoleran\w*|\breaction\b"),
        (r"\bvegan\b|\bvegetarian\b", r"\bvegan\b|\bvegetarian\b|\bdiet\w*|\bmeat\b|\beat\w*|\bfood\w*"),
        (
            r"\btravel\w*|\btrips?\b|\babroad\b|\bholidays?\b",
            r"\btravel\w*|\btrips?\b|\babroad\b|\bholidays?\b|\bvisit\w*|\breturn\w*|\bjourney\w*|\bflew\b|\bflights?\b",
        ),
        (r"\bimmuni[sz]\w*|\bvaccinat\w*|\bbooster\b", r"\bimmuni[sz]\w*|\bvaccin\w*|\bbooster\b|\btoxoid\b"),
        (
            r"\bfamily\b|\brelatives?\b|\bsiblings?\b|\binherit\w*|\bhereditary\b",  # not "her mother noticed …"
            r"\bfamil\w*|\brelatives?\b|\bsiblings?\b|\binherit\w*|\bhereditary\b",
        ),
    )
)


def history_topics(question: str) -> list[re.Pattern]:
    """What tells each part of the patient's history the question asks about, outside the words naming her ("the
    40-year-old with alcoholic hepatitis" asks nothing about drinking). Words of a clause naming her ("the man who
    drank antifreeze") may still ask one, which her story then tells ("drank")."""
    asked = blank(question, patient_description(question))
    return [told for asks, told in _HISTORY_TOPICS if asks.search(asked)]


@lru_cache(maxsize=QUESTIONS_REMEMBERED)
def asks_presentation(question: str) -> bool:
    """Whether the question asks the patient's age, presentation or history, outside the words that say which
    patient it is: "the young man admitted after a crash" and "the woman who drank rat poison" name her."""
    return bool(_ASKS_PRESENTATION.search(blank(question, patient_description(question))))


def _asked_classes(query: Query) -> set[str]:
    """The drug classes known by their members' stems (vocabulary `members`: "-olol") that a "which" question asks
    a member of: "@beta_blocker" for "Which beta-blocker …?", named by the words saying what the answer is
    (Query.focus). A class known only by the drugs listed under it ("immunosuppressant") may lack the one a paper
    names, so it is left to DRUG_NAME."""
    if query.vocabulary is None:
        return set()
    stemmed = query.vocabulary.stemmed_classes()
    return {
        t
        for t in query.key_idf
        if t in stemmed and set(tokens(query.words.get(t, ""), query.vocabulary, keep_stopwords=True)) & query.focus
    }


def _title_line(hit: Hit) -> int:
    """How far a paper's first line reaches into `hit` when the line reads as a title (no full stop at its end,
    no section above it), else 0: its sentences ("… (case report; J-STAGE, vol. 7 no. 1)" splits in two)."""
    if hit.start or hit.section:
        return 0
    line = hit.text.split("\n", 1)[0]
    return len(line) if _HEADING_LINE.fullmatch(line) else 0


def _names(query: Query, drugs: list[str], hit: Hit, i: int, sentence: str) -> bool:
    """Whether the dose sentence i of `hit` gives a dose of one of `drugs`: it names one in the part of the
    sentence that holds a dose ("2 g of magnesium sulfate together with calcium gluconate" gives no dose of
    calcium gluconate), or it names no drug at all and speaks of the drug of the sentence before it ("She was
    started on prednisone 30 mg. The dose was then lowered …") or, when that names none, of the paper's title
    ("received 50 or 100 mg daily" in a paper on minocycline)."""
    if any(query.has(t, hit.sentence_terms[i]) for t in drugs):
        return _dose_beside(query, drugs, sentence)
    if (
        DRUG_NAME.search(sentence)
        or (query.vocabulary is not None and hit.sentence_terms[i] & query.vocabulary.classes())  # "methadone 180 mg"
        or any(_DOSE_OF.match(sentence, m.end()) for m in SHAPES["dose"].finditer(sentence))
    ):
        return False  # it names what its dose is of ("148 mg of calcium and 8 units of vitamin D")
    if not DRUG_AMOUNT.search(sentence):
        return False  # "weight 53 kg", "HbA1c 5.3%": no amount of the drug before it or of the title's
    if i > 0 and DRUG_NAME.search(hit.text[slice(*hit.sentences[i - 1])]):
        return any(query.has(t, hit.sentence_terms[i - 1]) for t in drugs)
    return any(query.has(t, hit.title_terms) for t in drugs)


# The vocabulary's classes that name no drug: "haemodialysis" (a dialysis) beside "10 weeks" is not another drug's
_NOT_DRUG_CLASSES = frozenset({"@dialysis", "@liver_enzymes", "@ultrasound"})


def _drug_classes(vocabulary: Vocabulary) -> frozenset[str]:
    """The vocabulary's drug classes ("@opioid", "@enac"): a part of a sentence naming one names a drug."""
    return vocabulary.classes() - _NOT_DRUG_CLASSES


def _dose_beside(query: Query, drugs: list[str], sentence: str) -> bool:
    """Whether one of `drugs` stands in a part of `sentence` that states a dose (parts: see _JOINED); a part
    naming no drug continues the drug before it ("methotrexate was started, followed by 15 mg weekly")."""
    if query.vocabulary is None:
        return True
    parts = _JOINED.split(sentence)
    current = False  # whether the last part that names a drug names one of `drugs` ("followed by 15 mg weekly")
    classes = _drug_classes(query.vocabulary)
    for part in parts:
        terms = set(tokens(part, query.vocabulary))
        asked = any(query.has(t, terms) for t in drugs)
        # a drug by its name's ending, or one of the vocabulary's classes ("cyclosporine A", an immunosuppressant;
        # thirty-fourth round: the extra set one more unanswerable question refused, no other question of any set moved)
        if asked or DRUG_NAME.search(part) or terms & classes:
            current = asked
        if (
            current
            and SHAPES["dose"].search(part)
            and (not asked or _value_attached(query, drugs, part, SHAPES["dose"]))
        ):
            return True
    return False


# Between a dose (or a duration) and the drug named right after it: "2 g of ceftriaxone", "a 500-mg dose of
# metronidazole", "500 mg metronidazole", "500 mg three times daily of metronidazole", "6 weeks of ceftriaxone"
_VALUE_THEN_DRUG = re.compile(
    r"[\s-]*(?:(?:(?!(?:and|or|with|plus|then)\b)[a-z]+\s+){0,4}of\s+|(?:(?:daily\s+)?(?:dose|doses|course|bolus|infusion)\s+)?)"
    r"(?:(?:oral|intravenous|iv)\s+)?$",
    re.I,
)
_RESPECTIVELY = re.compile(r"\brespectively\b", re.I)


def _value_attached(query: Query, drugs: list[str], text: str, shape: re.Pattern) -> bool:
    """Whether a value of `shape` (a dose, a duration) in `text`, which names one of `drugs`, is that drug's: the
    drug named right after the value ("2 g of X"), else the last one named before it. "She received ceftriaxone 2 g
    daily and metronidazole." gives no metronidazole dose (twenty-second round); a text naming no other drug gives
    the asked one's."""
    asked = _spans_naming(query, drugs, text)
    named_drugs = [m.span() for m in DRUG_NAME.finditer(text)]
    # a drug the vocabulary puts in a class ("amiloride"), as in _dose_beside (thirty-fifth round: no question moved)
    if query.vocabulary is not None:
        classes = _drug_classes(query.vocabulary)
        named_drugs += [(start, end) for tag, start, end in query.vocabulary.tag_spans(text) if tag in classes]
    others = [(a, b) for a, b in named_drugs if not any(s < b and a < e for s, e in asked)]
    if not others or _RESPECTIVELY.search(text):
        return True
    named = sorted([(s, e, True) for s, e in asked] + [(s, e, False) for s, e in others])
    for value in shape.finditer(text):
        after = next((x for x in named if x[0] >= value.end()), None)
        before = next((x for x in reversed(named) if x[1] <= value.start()), None)
        owner = after if after is not None and _VALUE_THEN_DRUG.match(text[value.end() : after[0]]) else before or after
        if owner is None or owner[2]:
            return True
    return False


@lru_cache(maxsize=SENTENCES_REMEMBERED)
def quotable(sentence: str) -> bool:
    """Keyword lists, source lines and fragments are not answers."""
    n = len(sentence.split())
    short = n == 3 and bool(_SHORT_STATEMENT.search(sentence) or _LABELLED_VALUE.fullmatch(sentence))
    return (n >= 4 or short) and not _UNQUOTABLE.search(sentence)
