"""Deterministic synthetic case reports and questions for the performance benchmarks (and a noise check).

    python bench/synthetic.py OUT_DIR [--papers 20] [--seed 7]   # write a corpus to look at

Latency and indexing speed depend on corpus size and passage shape, not on medical
truth, so the benchmarks need thousands of papers nobody has to ship or license.
Each paper is laid out like the shipped report (title line, BACKGROUND / CASE REPORT /
DISCUSSION headings, blank lines between paragraphs) and filled from templates with
varied diseases, sites, laboratory values, drugs and doses, and abbreviation
definitions ("creatine kinase (CK)"), so every paper has distinct text (the
duplicate rule never fires) and passages exercise the same analysis as real ones.
Paper number i is generated from its own seed, so it is the same text whatever the
corpus size: benchmarks can add "paper n" to a corpus of n papers.
At the default chunk size (160 word pieces) a paper yields about 10 passages.

OtherLoad reports how much CPU other processes took while a benchmark ran: on a
small shared machine a concurrent test run halves the model's speed, and a figure
taken then must not be mistaken for a regression.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# (long form, abbreviation or "") — the first mention in a paper defines the abbreviation.
DISEASES = [
    ("dermatomyositis", "DM"),
    ("juvenile dermatomyositis", "JDM"),
    ("systemic sclerosis", "SSc"),
    ("systemic lupus erythematosus", "SLE"),
    ("mixed connective tissue disease", "MCTD"),
    ("chronic kidney disease", "CKD"),
    ("antisynthetase syndrome", "ASyS"),
    ("polymyositis", "PM"),
    ("limited cutaneous systemic sclerosis", "lcSSc"),
    ("overlap myositis", ""),
    ("CREST syndrome", ""),
    ("primary hyperparathyroidism", "PHPT"),
    ("pseudoxanthoma elasticum", "PXE"),
    ("sarcoidosis", ""),
    ("rheumatoid arthritis", "RA"),
    ("lupus panniculitis", ""),
    ("end-stage renal disease", "ESRD"),
]
LESIONS = [
    "calcinosis cutis",
    "dystrophic calcinosis",
    "metastatic calcification",
    "calcinosis universalis",
    "calcinosis circumscripta",
    "tumoral calcinosis",
    "osteoma cutis",
    "subcutaneous calcified nodules",
    "calcified plaques",
    "iatrogenic calcinosis cutis",
    "calciphylaxis",
    "idiopathic calcinosis cutis",
]
SITES = [
    "fingertips",
    "elbows",
    "knees",
    "buttocks",
    "thighs",
    "forearms",
    "periorbital region",
    "scalp",
    "earlobes",
    "axillae",
    "shins",
    "ankles",
    "dorsum of the hands",
    "gluteal region",
    "abdominal wall",
    "shoulders",
    "heels",
    "lower back",
    "upper arms",
    "calves",
    "chin",
    "sacral area",
]
# (name, abbreviation, unit, low, high, decimals)
LABS = [
    ("creatine kinase", "CK", "U/L", 40, 4200, 0),
    ("lactate dehydrogenase", "LDH", "U/L", 140, 980, 0),
    ("aldolase", "", "U/L", 3, 28, 1),
    ("C-reactive protein", "CRP", "mg/L", 1, 140, 1),
    ("erythrocyte sedimentation rate", "ESR", "mm/h", 4, 115, 0),
    ("serum calcium", "", "mmol/L", 2.0, 3.3, 2),
    ("serum phosphate", "", "mmol/L", 0.7, 2.8, 2),
    ("parathyroid hormone", "PTH", "pg/mL", 9, 950, 0),
    ("25-hydroxyvitamin D", "", "ng/mL", 6, 64, 1),
    ("creatinine", "", "µmol/L", 48, 720, 0),
    ("ferritin", "", "ng/mL", 25, 2600, 0),
    ("haemoglobin", "", "g/dL", 7.9, 15.8, 1),
    ("alkaline phosphatase", "ALP", "U/L", 40, 620, 0),
    ("myoglobin", "", "ng/mL", 20, 1400, 0),
    ("alanine aminotransferase", "ALT", "U/L", 8, 240, 0),
    ("aspartate aminotransferase", "AST", "U/L", 9, 260, 0),
]
ANTIBODIES = [
    "anti-MDA5",
    "anti-NXP2",
    "anti-TIF1γ",
    "anti-Jo-1",
    "anti-Scl-70",
    "anticentromere",
    "anti-SSA/Ro52",
    "anti-Mi-2",
    "anti-U1-RNP",
    "anti-PL-7",
    "anti-SRP",
    "anti-HMGCR",
    "anti-dsDNA",
    "anti-Ku",
]
# (drug, abbreviation, dose templates): doses vary per paper.
DRUGS: list[tuple[str, str, list[str]]] = [
    ("prednisolone", "", ["{0}mg daily"]),
    ("methylprednisolone", "", ["{1}mg intravenously for three days"]),
    ("methotrexate", "MTX", ["{2}mg weekly"]),
    ("mycophenolate mofetil", "MMF", ["{3}g twice daily"]),
    ("hydroxychloroquine", "HCQ", ["{4}mg daily"]),
    ("azathioprine", "AZA", ["{5}mg daily"]),
    ("intravenous immunoglobulin", "IVIg", ["{6}g/kg every four weeks"]),
    ("rituximab", "RTX", ["{7}mg two weeks apart"]),
    ("sodium thiosulfate", "STS", ["{8}g intravenously three times weekly"]),
    ("diltiazem", "", ["{9}mg daily"]),
    ("alendronate", "", ["70mg weekly"]),
    ("pamidronate", "", ["{10}mg monthly"]),
    ("colchicine", "", ["{11}mg daily"]),
    ("probenecid", "", ["500mg twice daily"]),
    ("minocycline", "", ["100mg daily"]),
    ("tacrolimus", "", ["{12}mg twice daily"]),
    ("cyclosporine", "CsA", ["{13}mg/kg/day"]),
    ("aluminium hydroxide", "", ["{14}mg three times daily"]),
    ("warfarin", "", ["{15}mg daily"]),
    ("infliximab", "", ["5mg/kg every eight weeks"]),
    ("tofacitinib", "", ["5mg twice daily"]),
    ("topical sodium thiosulfate", "", ["{16}% ointment twice daily"]),
]
DOSE_CHOICES = [
    [15, 20, 30, 40, 50, 60],
    [250, 500, 1000],
    [10, 12.5, 15, 20, 25],
    [0.5, 1, 1.5],
    [200, 300, 400],
    [50, 75, 100, 150],
    [1, 2],
    [375, 500, 1000],
    [12.5, 20, 25],
    [90, 120, 180, 240, 360],
    [30, 60, 90],
    [0.5, 1, 1.5],
    [1, 2, 3],
    [2.5, 3, 4, 5],
    [320, 500, 640],
    [1, 2, 3, 5],
    [10, 20, 25],
]
IMAGING = [
    ("plain radiography", ""),
    ("computed tomography", "CT"),
    ("magnetic resonance imaging", "MRI"),
    ("high-resolution ultrasound", ""),
    ("bone scintigraphy", ""),
    ("dual-energy computed tomography", "DECT"),
    ("18F-fluorodeoxyglucose positron emission tomography", "FDG-PET"),
]
PROCEDURES = [
    ("surgical excision", ""),
    ("curettage", ""),
    ("carbon dioxide laser ablation", ""),
    ("extracorporeal shock wave lithotripsy", "ESWL"),
    ("intralesional sodium thiosulfate injections", ""),
    ("needle aspiration", ""),
    ("hyperbaric oxygen therapy", "HBOT"),
]
BIOPSY = [
    "basophilic deposits in the deep dermis that stained black with von Kossa",
    "amorphous calcium deposits surrounded by foreign-body giant cells",
    "interface dermatitis with dermal mucin and a sparse perivascular infiltrate",
    "perifascicular atrophy with scattered necrotic and regenerating fibres",
    "lobular panniculitis with hyaline fat necrosis and lymphoid follicles",
    "calcification of small dermal vessels with intimal hyperplasia and thrombosis",
    "lamellar bone with osteocytes and marrow spaces in the reticular dermis",
    "granulomatous inflammation around calcified material without caseation",
]
SYMPTOMS = [
    "proximal muscle weakness",
    "dysphagia",
    "Raynaud's phenomenon",
    "a heliotrope rash",
    "Gottron's papules",
    "arthralgia",
    "weight loss",
    "low-grade fever",
    "pruritus",
    "pain on pressure",
    "discharge of chalky material",
    "digital ulcers",
    "a shawl sign",
    "mechanic's hands",
    "exertional dyspnoea",
    "periungual erythema",
    "nail-fold capillary changes",
    "fatigue",
    "morning stiffness",
    "skin tightening of the fingers",
]
OUTCOMES = [
    "partial regression of the nodules",
    "complete healing of the ulcers",
    "no new deposits",
    "stabilisation of the lesions",
    "softening of the plaques",
    "a marked reduction in drainage",
    "improved range of motion",
    "resolution of the inflammatory flares",
]
DEPARTMENTS = [
    "Rheumatology",
    "Dermatology",
    "Paediatric Rheumatology",
    "Nephrology",
    "Internal Medicine",
    "Plastic Surgery",
    "Endocrinology",
]
OPENERS = [
    "Striking",
    "Extensive",
    "Refractory",
    "Painful",
    "Unusual",
    "Progressive",
    "Ulcerated",
    "Late-onset",
    "Localized",
    "Disseminated",
    "Recurrent",
    "Early",
]
SCALES = [
    ("visual analogue scale", "VAS"),
    ("Childhood Myositis Assessment Scale", "CMAS"),
    ("Manual Muscle Testing", "MMT8"),
    ("Health Assessment Questionnaire", "HAQ"),
]


@dataclass
class _Case:
    """The facts one paper is about, drawn once so its sentences agree with each other."""

    rng: random.Random
    age: int
    person: str  # "woman", "man", "girl", "boy"
    disease: tuple[str, str]
    lesion: str
    sites: list[str]
    drugs: list[tuple[str, str, str]]  # (name, abbreviation, dose)
    labs: list[tuple[str, str, str]]  # (name, abbreviation, "812 U/L")
    imaging: tuple[str, str]
    procedure: tuple[str, str]
    defined: set[str]

    def name(self, long: str, abbr: str) -> str:
        """'creatine kinase (CK)' the first time, 'CK' afterwards (when there is an abbreviation)."""
        if not abbr:
            return long
        if abbr in self.defined:
            return abbr
        self.defined.add(abbr)
        return f"{long} ({abbr})"

    @property
    def pronoun(self) -> str:
        return "she" if self.person in ("woman", "girl") else "he"

    def n(self, low: float, high: float, decimals: int = 0) -> str:
        value = self.rng.uniform(low, high)
        return f"{value:.{decimals}f}" if decimals else str(int(round(value)))


def _case(rng: random.Random) -> _Case:
    person = rng.choice(["woman", "man", "girl", "boy", "woman", "man"])
    age = rng.randint(3, 16) if person in ("girl", "boy") else rng.randint(19, 88)
    dose_values = [rng.choice(c) for c in DOSE_CHOICES]
    drugs = [(name, abbr, rng.choice(doses).format(*dose_values)) for name, abbr, doses in rng.sample(DRUGS, 5)]
    labs = []
    for name, abbr, unit, low, high, decimals in rng.sample(LABS, 6):
        value = rng.uniform(low, high)
        labs.append((name, abbr, f"{value:.{decimals}f} {unit}" if decimals else f"{int(round(value))} {unit}"))
    return _Case(
        rng,
        age,
        person,
        rng.choice(DISEASES),
        rng.choice(LESIONS),
        rng.sample(SITES, 4),
        drugs,
        labs,
        rng.choice(IMAGING),
        rng.choice(PROCEDURES),
        set(),
    )


Template = Callable[[_Case], str]


def _cap(text: str) -> str:
    """Capitalise the first letter only ("CT showed", "Mycophenolate mofetil (MMF) was")."""
    return text[:1].upper() + text[1:]


BACKGROUND: list[Template] = [
    lambda c: (
        f"Deposition of insoluble calcium salts in the skin and subcutaneous tissue, seen here as {c.lesion}, "
        f"complicates {c.name(*c.disease)} in roughly {c.n(5, 40)}% of patients in published series."
    ),
    lambda c: (
        "Four types are usually distinguished, dystrophic, metastatic, idiopathic and iatrogenic, and the "
        "distinction guides the investigations, such as serum calcium, phosphate and parathyroid hormone, and "
        "the choice of treatment."
    ),
    lambda c: (
        f"Dystrophic deposits form in tissue damaged by inflammation while serum calcium and phosphate remain "
        f"normal, which is the typical pattern in {c.name(*c.disease)}."
    ),
    lambda c: (
        f"In a cohort of {c.n(40, 600)} patients followed for a median of {c.n(3, 14)} years, calcinosis appeared "
        f"at a median of {c.n(2, 9, 1)} years after the first symptoms."
    ),
    lambda c: (
        f"Risk factors reported so far include a delay of more than {c.n(4, 18)} months before treatment, "
        f"positive {c.rng.choice(ANTIBODIES)} antibodies and persistent disease activity."
    ),
    lambda c: (
        f"The lesions range from small papules on the {c.sites[0]} to large tumoral masses that limit the "
        f"movement of the {c.sites[1]}."
    ),
    lambda c: (
        f"Complications include ulceration, secondary infection, chronic pain and contractures, and in one "
        f"registry they led to hospital admission in {c.n(8, 35)}% of affected patients."
    ),
    lambda c: (
        f"No treatment has proven efficacy in a randomised trial, and most evidence comes from case reports and "
        f"small series of fewer than {c.n(10, 60)} patients."
    ),
    lambda c: (
        f"Agents tried include {c.name(*c.drugs[0][:2])}, {c.name(*c.drugs[1][:2])} and "
        f"{c.name(*c.drugs[2][:2])}, with inconsistent results across studies."
    ),
    lambda c: (
        f"Surgical options such as {c.name(*c.procedure)} are reserved for painful or functionally limiting "
        f"deposits that do not respond to medical therapy."
    ),
    lambda c: (
        "Pathogenic mechanisms proposed include local alkaline phosphatase activity, mitochondrial injury in "
        "damaged muscle and a deficit of inhibitors such as fetuin-A and matrix Gla protein."
    ),
    lambda c: (
        f"Imaging with {c.name(*c.imaging)} helps to estimate the extent of the deposits, to detect deep "
        f"fascial and intramuscular calcification that examination misses, and to follow the response over time."
    ),
    lambda c: (
        f"We describe a {c.age}-year-old {c.person} with {c.lesion} of the {c.sites[0]} and review the "
        f"management options reported in the literature."
    ),
    lambda c: (
        f"The prevalence is higher in juvenile disease, where figures of {c.n(20, 47)}% have been reported, than "
        f"in adult-onset disease."
    ),
]
CASE_REPORT: list[Template] = [
    lambda c: (
        f"A {c.age}-year-old {c.person} was referred to our {c.rng.choice(DEPARTMENTS)} department with "
        f"{c.rng.choice(['firm', 'painful', 'hard', 'ulcerated', 'tender'])} nodules on the {c.sites[0]} and "
        f"{c.sites[1]}."
    ),
    lambda c: (
        f"{c.pronoun.capitalize()} had been diagnosed with {c.name(*c.disease)} at the age of "
        f"{max(1, c.age - c.rng.randint(1, 12))}, after {c.n(2, 14)} months of {c.rng.choice(SYMPTOMS)} and "
        f"{c.rng.choice(SYMPTOMS)}."
    ),
    lambda c: (
        f"Laboratory tests showed {c.name(*c.labs[0][:2])} of {c.labs[0][2]} and "
        f"{c.name(*c.labs[1][:2])} of {c.labs[1][2]}, while {c.name(*c.labs[2][:2])} was {c.labs[2][2]}."
    ),
    lambda c: (
        f"The {c.name(*c.labs[3][:2])} measured {c.labs[3][2]} and the {c.name(*c.labs[4][:2])} "
        f"{c.labs[4][2]}, and renal function was {c.rng.choice(['normal', 'mildly impaired', 'preserved'])}."
    ),
    lambda c: (
        f"Antinuclear antibodies were positive at a titre of 1:{c.rng.choice([80, 160, 320, 640, 1280])}, with "
        f"{c.rng.choice(ANTIBODIES)} antibodies, and {c.rng.choice(ANTIBODIES)} was negative."
    ),
    lambda c: (
        f"{_cap(c.name(*c.imaging))} showed "
        f"{c.rng.choice(['sheet-like', 'nodular', 'linear', 'reticular', 'amorphous'])} calcified deposits in the "
        f"{c.sites[2]}, the largest measuring {c.n(6, 58)} by {c.n(4, 40)} mm."
    ),
    lambda c: (
        f"A {c.n(3, 6)} mm punch biopsy of a nodule on the {c.sites[1]} revealed {c.rng.choice(BIOPSY)}, and "
        f"cultures of the drained material were {c.rng.choice(['sterile', 'negative', 'positive for Staphylococcus aureus'])}."
    ),
    lambda c: (
        f"{c.pronoun.capitalize()} was initially treated with {c.name(*c.drugs[0][:2])} {c.drugs[0][2]} and "
        f"{c.name(*c.drugs[1][:2])} {c.drugs[1][2]}."
    ),
    lambda c: (
        f"After {c.n(2, 11)} months the {c.name(*c.labs[5][:2])} had fallen to {c.labs[5][2]}, but new deposits "
        f"appeared on the {c.sites[3]}."
    ),
    lambda c: (
        f"{_cap(c.name(*c.drugs[2][:2]))} {c.drugs[2][2]} was added, and "
        f"{c.name(*c.drugs[3][:2])} {c.drugs[3][2]} was started {c.n(3, 20)} weeks later."
    ),
    lambda c: (
        f"The deposits on the {c.sites[0]} drained chalky white material on {c.n(2, 9)} occasions and one "
        f"episode of cellulitis required oral antibiotics for {c.n(7, 21)} days."
    ),
    lambda c: (
        f"Because of pain scored {c.n(6, 10)} on the {c.name(*c.rng.choice(SCALES))}, "
        f"{c.name(*c.procedure)} of the largest deposit was performed under local anaesthesia."
    ),
    lambda c: (
        f"Muscle strength improved to {c.n(60, 80)} of 80 on manual testing, and the "
        f"{c.name(*c.labs[0][:2])} returned to {c.n(40, 190)} U/L."
    ),
    lambda c: (
        f"At the {c.n(6, 36)}-month follow-up, {c.name(*c.drugs[4][:2])} {c.drugs[4][2]} had been given for "
        f"{c.n(3, 18)} months with {c.rng.choice(OUTCOMES)}."
    ),
    lambda c: (
        f"Pulmonary function tests showed a forced vital capacity of {c.n(52, 104)}% predicted and a diffusing "
        f"capacity of {c.n(40, 98)}% predicted, and the echocardiogram estimated a systolic pulmonary artery "
        f"pressure of {c.n(18, 46)} mmHg."
    ),
    lambda c: (
        f"Repeat {c.name(*c.imaging)} after {c.n(6, 24)} months showed the deposits on the {c.sites[2]} "
        f"{c.rng.choice(['had shrunk by about a third', 'were unchanged', 'had partly resolved', 'had progressed'])}."
    ),
]
DISCUSSION: list[Template] = [
    lambda c: (
        f"This case illustrates how {c.lesion} can progress over {c.n(2, 15)} years despite control of the "
        f"muscle and skin activity of the underlying {c.name(*c.disease)}."
    ),
    lambda c: (
        f"The response to {c.name(*c.drugs[0][:2])} in our patient agrees with earlier reports, in which "
        f"{c.n(20, 70)}% of patients improved within {c.n(3, 12)} months."
    ),
    lambda c: (
        f"{_cap(c.name(*c.drugs[4][:2]))} is thought to act by "
        f"{c.rng.choice(['chelating calcium', 'reducing local inflammation', 'inhibiting osteoclast activity', 'blocking calcium influx into cells', 'inhibiting crystal formation'])}, "
        f"which may explain the slow softening of the deposits."
    ),
    lambda c: (
        f"A review of {c.n(12, 90)} published cases found that {c.name(*c.procedure)} relieved pain in "
        f"{c.n(50, 95)}% but that deposits recurred in {c.n(10, 45)}%."
    ),
    lambda c: (
        f"Early and aggressive immunosuppression may prevent calcinosis, particularly in children with "
        f"{c.name(*c.disease)} and {c.rng.choice(ANTIBODIES)} antibodies, in whom the risk was {c.n(2, 6, 1)} "
        f"times higher in one cohort."
    ),
    lambda c: (
        f"The serum calcium of {c.n(2.1, 2.6, 2)} mmol/L and phosphate of {c.n(0.8, 1.4, 2)} mmol/L in our "
        f"patient support a dystrophic mechanism rather than a metastatic one."
    ),
    lambda c: (
        f"Monitoring with {c.name(*c.imaging)} every {c.n(6, 18)} months allowed us to document the "
        f"evolution of the lesions on the {c.sites[2]} objectively."
    ),
    lambda c: (
        f"Combination therapy is often needed, and in one series {c.n(3, 9)} of {c.n(10, 15)} patients received "
        f"three or more agents before a response was seen."
    ),
    lambda c: (
        f"Adverse effects were limited to {c.rng.choice(['transient nausea', 'mild hypotension', 'oral ulcers', 'a rise in transaminases', 'headache', 'metabolic acidosis'])}, "
        f"which resolved after a dose reduction."
    ),
    lambda c: (
        f"Ulcerated lesions on the {c.sites[3]} carry a high risk of infection and call for prompt wound care, "
        f"which in our patient meant dressings every {c.n(2, 4)} days for {c.n(3, 16)} weeks."
    ),
    lambda c: (
        f"The time from diagnosis to the first deposits, about {c.n(2, 11)} years here, is consistent with "
        f"the median reported for {c.name(*c.disease)}."
    ),
    lambda c: (
        f"Prospective studies with standardised outcome measures such as the {c.name(*c.rng.choice(SCALES))} "
        f"are needed to compare treatments."
    ),
    lambda c: (
        f"In conclusion, {c.lesion} of the {c.sites[0]} remains difficult to treat, and a multidisciplinary "
        f"approach gave the best result in our patient."
    ),
    lambda c: (
        f"Similar deposits on the {c.sites[1]} have been described in {c.n(2, 30)} patients receiving "
        f"{c.name(*c.drugs[1][:2])}, which suggests the association deserves further study."
    ),
]
SECTIONS = (("BACKGROUND", BACKGROUND), ("CASE REPORT", CASE_REPORT), ("DISCUSSION", DISCUSSION))


def paper_text(number: int, seed: int) -> str:
    """The full text of paper `number`: a title line, then three sections of 2–3 paragraphs."""
    rng = random.Random(f"casebot-synthetic:{seed}:{number}")
    case = _case(rng)
    title = (
        f"{rng.choice(OPENERS)} {case.lesion} of the {case.sites[0]} in a {case.age}-year-old {case.person} "
        f"with {case.disease[0]}: a case report"
    )
    lines = [title, ""]
    for heading, templates in SECTIONS:
        # Templates keep their order (a report reads start to finish), a random subset of them is used.
        chosen = sorted(rng.sample(range(len(templates)), rng.randint(10, 13)))
        sentences = [templates[i](case) for i in chosen]
        cuts = sorted(rng.sample(range(2, len(sentences) - 1), rng.randint(1, 2)))
        paragraphs = [sentences[a:b] for a, b in zip([0, *cuts], [*cuts, len(sentences)], strict=True)]
        lines += [heading, ""]
        for paragraph in paragraphs:
            lines += [" ".join(paragraph), ""]
    return "\n".join(lines)


def write_paper(directory: Path, number: int, seed: int) -> Path:
    path = Path(directory) / f"synthetic-{number:05d}.txt"
    path.write_text(paper_text(number, seed), encoding="utf-8")
    return path


def write_corpus(directory: Path, n_papers: int, seed: int) -> list[Path]:
    """Papers 0 .. n_papers-1 as .txt files in `directory` (created if missing)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return [write_paper(directory, i, seed) for i in range(n_papers)]


QUESTIONS: list[Callable[[random.Random], str]] = [
    lambda r: f"What dose of {r.choice(DRUGS)[0]} was given for {r.choice(LESIONS)}?",
    lambda r: f"What was the {r.choice(LABS)[0]} level in the patient with {r.choice(DISEASES)[0]}?",
    lambda r: (
        f"What was the {r.choice([lab[1] for lab in LABS if lab[1]])} in the {r.randint(3, 88)}-year-old with "
        f"{r.choice([d[1] for d in DISEASES if d[1]])}?"
    ),
    lambda r: f"Which imaging showed calcified deposits in the {r.choice(SITES)}?",
    lambda r: f"How long after the diagnosis of {r.choice(DISEASES)[0]} did {r.choice(LESIONS)} appear?",
    lambda r: f"Which antibodies were positive in patients with {r.choice(DISEASES)[0]} and calcinosis?",
    lambda r: f"What did the skin biopsy of the {r.choice(SITES)} show?",
    lambda r: f"How was {r.choice(LESIONS)} of the {r.choice(SITES)} treated?",
    lambda r: f"Did {r.choice(DRUGS)[0]} reduce the size of the deposits?",
    lambda r: f"What proportion of patients with {r.choice(DISEASES)[0]} develop calcinosis?",
    lambda r: f"Was {r.choice(PROCEDURES)[0]} effective for painful deposits on the {r.choice(SITES)}?",
    lambda r: f"Which adverse effects did {r.choice([d[1] or d[0] for d in DRUGS])} cause?",
    lambda r: f"What are the risk factors for calcinosis in {r.choice(DISEASES)[1] or 'children'}?",
    lambda r: (
        f"Is {r.choice(['secukinumab', 'dupilumab', 'omalizumab', 'apremilast'])} effective for "
        f"{r.choice(['psoriasis', 'atopic dermatitis', 'urticaria'])} in these patients?"
    ),
    lambda r: f"How many patients improved with {r.choice(DRUGS)[0]} in published series?",
]


def questions(n: int, seed: int) -> list[str]:
    """`n` varied questions in the corpus's vocabulary (a few about subjects it never covers)."""
    rng = random.Random(f"casebot-questions:{seed}")
    return [rng.choice(QUESTIONS)(rng) for _ in range(n)]


class OtherLoad:
    """CPU time used by other processes since construction, from /proc/stat (Linux) and os.times()."""

    def __init__(self) -> None:
        self.start = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float] | None:
        try:
            fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        except OSError:
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        busy = sum(int(x) for i, x in enumerate(fields[:8]) if i not in (3, 4)) / ticks  # all but idle, iowait
        own = os.times()
        return time.monotonic(), busy, own.user + own.system + own.children_user + own.children_system

    def report(self) -> str:
        end = self._sample()
        if self.start is None or end is None:
            return "other processes' CPU use: unknown (no /proc/stat)"
        wall, busy, own = (b - a for a, b in zip(self.start, end, strict=True))
        others = max(0.0, busy - own) / wall
        verdict = (
            "quiet machine" if others < 0.1 else "figures are slowed by other processes: re-run on a quiet machine"
        )
        return f"other processes used {others:.2f} of {os.cpu_count()} cores on average meanwhile ({verdict})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--papers", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    paths = write_corpus(args.out, args.papers, args.seed)
    print(f"wrote {len(paths)} papers to {args.out}")


if __name__ == "__main__":
    main()
