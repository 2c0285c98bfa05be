"""How the answer rules hold up when the same fact is written or asked another way.

    python bench/phrasings.py [--battery dose,questions,two-drugs,durations,levels,unitless,two-tests,yes-no,names,timepoints,reasons,counts,times,sizes,follow-up,abbreviations]

Each battery writes short case reports, one per probe (a patient, her story in a "Case presentation" section and a
discussion of the condition in general), indexes them with the configured model, asks each probe's question and
checks the answer: quoted from the sentence that states the fact, or refused when the paper never states it for her.
It prints, per phrasing, one mark per probe ("ok", "REFUSED" when the fact was there, "ANSWERED" when it was not,
"WRONG" for another sentence) and a total per battery.

The batteries stand for what a writer of case questions does that the development sets may not show often enough:
a case told in the present tense, a dose sentence naming a second drug without one, a value in no laboratory unit.
Every rule found with them is kept only if no development question moves the wrong way (bot/scoring.py, twenty-second
round). They are not a quality figure: their papers are templates, so the model's ranking is easier than in a real
report, and a phrasing that passes here can still fail beside a dozen other sentences.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import CaseBot, load_settings  # noqa: E402

# Ages name the patients apart in a battery's index; the first is an adult's.
FIRST_AGE = 21


@dataclass
class Probe:
    phrasing: str  # the template it comes from (printed)
    story: str  # the patient's sentences, between her presentation and her going home
    discussion: str  # the general paragraph
    condition: str
    question: str  # with {age} and {condition}
    expect: str | None  # a part of the sentence that answers, or None: the paper does not say


def report(condition: str, age: int, story: str, discussion: str) -> str:
    return (
        f"{condition.capitalize()} in a {age}-year-old woman (case report)\n\nCase presentation\n\n"
        f"A {age}-year-old woman presented with {condition} after three days of symptoms. Examination and first tests "
        f"supported the diagnosis. {story} She improved over the next week and went home.\n\nDiscussion\n\n"
        f"{discussion}\n"
    )


def cap(text: str) -> str:
    return text[0].upper() + text[1:]


DRUGS = [
    ("cellulitis", "cefazolin", "1 g every 8 hours"),
    ("gout", "colchicine", "0.5 mg twice daily"),
    ("pneumonia", "ceftriaxone", "2 g daily"),
]
PAIRS = [  # a drug with a dose, and a second drug of the same paper
    ("liver abscess", "ceftriaxone", "2 g daily", "metronidazole", "500 mg three times daily"),
    ("autoimmune hepatitis", "prednisolone", "40 mg daily", "azathioprine", "100 mg daily"),
    ("endocarditis", "vancomycin", "1 g twice daily", "rifampicin", "600 mg daily"),
]
DOSE_QUESTION = "What dose of {drug} was the {age}-year-old woman with {condition} given?"


def dose_sentences() -> list[Probe]:
    """A patient's dose written 33 ways, past and present tense."""
    phrasings = [
        "She was started on {d} {x}.",
        "{D} {x} was started.",
        "{D} was given at a dose of {x}.",
        "Treatment with {d} {x} was begun.",
        "She received {d}, {x}.",
        "{D} ({x}) was commenced.",
        "On day 2, {d} {x} was added.",
        "A course of {d} {x} followed.",
        "The team prescribed {d} {x}.",
        "Her regimen was {d} {x}.",
        "{D} was prescribed ({x}).",
        "She was treated with {d} at {x}.",
        "Medication: {d} {x}.",
        "{D} was administered intravenously at {x}.",
        "We gave {d} {x}.",
        "She was given {x} of {d}.",
        "Her {d} dose was {x}.",
        "{D} therapy ({x}) was initiated.",
        "She was placed on {d} {x}.",
        "Treatment consisted of {d} {x}, fluids and rest.",
        "{D} was initiated at {x}.",
        "{x} of {d} was given.",
        "She received {d} {x} and paracetamol 1 g.",
        # told in the present
        "She is started on {d} {x}.",
        "{D} {x} is started.",
        "She receives {d} {x}.",
        "{D} {x} is given.",
        "{D} is given at {x}.",
        "We start {d} {x}.",
        "{D} is prescribed at {x}.",
        "{D} {x} is commenced and continued.",
        "Oral {d} {x} is begun.",
        "{D} is continued at {x}.",
    ]
    return [
        Probe(
            p,
            story := p.format(d=d, D=cap(d), x=x),
            f"{cap(c)} is common. Standard therapy is {d} at another dose of 5 units.",
            c,
            DOSE_QUESTION.replace("{drug}", d),
            story.rstrip("."),
        )
        for p in phrasings
        for c, d, x in DRUGS
    ]


def dose_questions() -> list[Probe]:
    """A dose question asked 15 ways over one sentence stating the dose."""
    phrasings = [
        "What dose of {d} was the {age}-year-old woman with {condition} given?",
        "How much {d} did the {age}-year-old woman with {condition} receive?",
        "At what dose was {d} given to the {age}-year-old woman with {condition}?",
        "How many milligrams of {d} did the {age}-year-old woman with {condition} get?",
        "What {d} regimen was the {age}-year-old woman with {condition} put on?",
        "How was {d} dosed in the {age}-year-old woman with {condition}?",
        "What was the {d} dosage for the {age}-year-old woman with {condition}?",
        "The {age}-year-old woman with {condition} got {d} at what dose?",
        "How often and at what dose was {d} given to the {age}-year-old woman with {condition}?",
        "For the {age}-year-old woman with {condition}, what dose of {d} was used?",
        "What daily dose of {d} did the {age}-year-old woman with {condition} take?",
        "Which dose of {d} did the woman aged {age} with {condition} receive?",
        "In the woman aged {age} with {condition}, what was the {d} dose?",
        "What was the starting dose of {d} in the {age}-year-old with {condition}?",
        "What dose of {d} was started for the {condition} of the {age}-year-old woman?",
    ]
    return [
        Probe(
            q,
            f"She was started on {d} {x}.",
            f"{cap(c)} is common. Standard therapy is {d} at another dose of 5 units.",
            c,
            q.replace("{d}", d),
            f"She was started on {d} {x}",
        )
        for q in phrasings
        for c, d, x in DRUGS
    ]


def two_drugs() -> list[Probe]:
    """A sentence giving two drugs' doses (each asked), or one drug's dose beside a second drug without one."""
    both = [
        "She received {a} {x} and {b} {y}.",
        "She was treated with {a} {x}, {b} {y} and fluids.",
        "{A} {x} was combined with {b} {y}.",
        "She was given {a} ({x}) together with {b} ({y}).",
        "Treatment consisted of {a} at {x} plus {b} at {y}.",
        "{A} {x} was started; {b} {y} was added on day 3.",
        "She was started on {a} {x}, and {b} {y} was added later.",
        "She received {a} and {b}, at {x} and {y} respectively.",
        "{A} was given at {x} and {b} at {y}.",
        "She received {x} of {a} and {y} of {b}.",
    ]
    one = [
        "She received {a} {x} and {b}.",
        "She was started on {b}, with {a} {x}.",
        "{B} was added to {a} {x}.",
        "{A} {x} was given; {b} was also started.",
        "She was treated with {a} {x}, {b} and fluids.",
        "{A} ({x}) and {b} were given.",
        "{B} and {a} {x} were given.",
        "She received {b}; the {a} dose was {x}.",
    ]
    probes = []
    for c, a, x, b, y in PAIRS:
        general = f"{cap(c)} is uncommon in the young."
        for p in both:
            story = p.format(a=a, A=cap(a), x=x, b=b, B=cap(b), y=y)
            probes += [
                Probe(p + " (first)", story, general, c, DOSE_QUESTION.replace("{drug}", a), x),
                Probe(p + " (second)", story, general, c, DOSE_QUESTION.replace("{drug}", b), y),
            ]
        for p in one:
            story = p.format(a=a, A=cap(a), x=x, b=b, B=cap(b))
            probes.append(
                Probe(p + " (the drug without a dose)", story, general, c, DOSE_QUESTION.replace("{drug}", b), None)
            )
    return probes


def durations() -> list[Probe]:
    """How long a drug was given: stated seven ways, or only for another drug."""
    stated = [
        "{A} was continued for 6 weeks.",
        "She received {a} for 6 weeks.",
        "She completed a 6-week course of {a}.",
        "{A} was given for a total of 6 weeks.",
        "After 6 weeks of {a} she was well.",
        "She was treated with {a} {x} for 6 weeks.",
        "{A} was stopped after 6 weeks.",
    ]
    other = [
        "{B} was added; {a} was continued for 6 weeks.",
        "She was started on {b}, and {a} was given for 6 weeks.",
        "{B} was given with {a}, the latter for 6 weeks.",
        "She received {b}. {A} was continued for 6 weeks.",
    ]
    question = "For how long was the {age}-year-old woman with {condition} given {drug}?"
    probes = []
    for c, a, x, b, _ in PAIRS:
        general = f"{cap(c)} is uncommon in the young."
        for p in stated:
            story = p.format(a=a, A=cap(a), x=x)
            probes.append(Probe(p, story, general, c, question.replace("{drug}", a), "6"))
        for p in other:
            story = p.format(a=a, A=cap(a), b=b, B=cap(b))
            probes.append(Probe(p + " (the other drug)", story, general, c, question.replace("{drug}", b), None))
    return probes


TESTS = [
    ("ferritin", "1,250 ng/mL", "iron overload"),
    ("serum sodium", "118 mmol/L", "confusion"),
    ("creatine kinase", "45,000 U/L", "rhabdomyolysis"),
]


def levels() -> list[Probe]:
    """A test's result written 20 ways."""
    phrasings = [
        "Her {t} was {v}.",
        "{T} was {v}.",
        "Laboratory tests showed a {t} of {v}.",
        "Blood tests revealed {t} {v}.",
        "{T} measured {v}.",
        "{T} came back at {v}.",
        "{T} was raised at {v}.",
        "{T} was markedly elevated ({v}).",
        "Tests on admission showed anaemia and a {t} of {v}.",
        "{T} is {v}.",
        "Her {t} is {v}.",
        "Tests show a {t} of {v}.",
        "The {t} level was {v}.",
        "A {t} of {v} was found.",
        "{T} rose to {v} on day 3.",
        "She had a {t} of {v}.",
        "Initial {t} was {v}, and the rest was normal.",
        "{T} ({v}) was high.",
        "On admission, {t} {v}; haemoglobin 120 g/L.",
        "{T}: {v}.",
    ]
    question = "What was the {t} of the {age}-year-old woman with {condition}?"
    return [
        Probe(p, s := p.format(t=t, T=cap(t), v=v), f"{cap(c)} is common. A {t} above 500 is typical.", c,
              question.replace("{t}", t), s.rstrip("."))
        for p in phrasings
        for t, v, c in TESTS
    ]  # fmt: skip


def unitless() -> list[Probe]:
    """Results in no laboratory unit, asked three ways (the third a level question)."""
    items = [
        ("arterial pH", "The arterial pH was 7.08.", "metformin poisoning"),
        ("ESR", "The ESR was 110 mm/h.", "temporal arteritis"),
        ("serum osmolality", "Her serum osmolality was 320 mOsm/kg.", "hyperglycaemia"),
        ("anion gap", "The anion gap was 28.", "ketoacidosis"),
        ("QTc", "The QTc was 560 ms.", "syncope"),
        ("temperature", "Her temperature was 39.5 °C.", "fever"),
        ("heart rate", "Her heart rate was 38 beats per minute.", "bradycardia"),
        ("Glasgow Coma Scale score", "Her Glasgow Coma Scale score was 8.", "coma"),
        ("respiratory rate", "Her respiratory rate was 32 breaths per minute.", "asthma"),
    ]
    questions = [
        "What was the {t} of the {age}-year-old woman with {condition}?",
        "What {t} did the {age}-year-old woman with {condition} have?",
        "What was the {t} level in the {age}-year-old woman with {condition}?",
    ]
    return [
        Probe(q, s, f"{cap(c)} is common and its causes are many.", c, q.replace("{t}", t), s.rstrip("."))
        for t, s, c in items
        for q in questions
    ]


def two_tests() -> list[Probe]:
    """One test's value given, a second test named without one: asked for the second."""
    pairs = [
        ("sodium", "118 mmol/L", "potassium", "confusion"),
        ("ferritin", "1,250 ng/mL", "transferrin saturation", "fatigue"),
        ("creatinine", "320 µmol/L", "urea", "oliguria"),
    ]
    phrasings = [
        "Her {a} was {x} and her {b} was normal.",
        "Her {a} was {x}; {b} was also checked.",
        "{A} was {x}, while {b} was not measured.",
        "Tests showed {a} {x} and a raised {b}.",
        "{B} was requested, and {a} was {x}.",
        "Her {b} was high and her {a} was {x}.",
    ]
    question = "What was the {t} level of the {age}-year-old woman with {condition}?"
    probes = []
    for a, x, b, c in pairs:
        for p in phrasings:
            story = p.format(a=a, A=cap(a), x=x, b=b, B=cap(b))
            general = f"{cap(c)} has many causes."
            probes.append(Probe(p + " (the first)", story, general, c, question.replace("{t}", a), x))
            probes.append(Probe(p + " (the second)", story, general, c, question.replace("{t}", b), None))
    return probes


def yes_no() -> list[Probe]:
    """Whether she was given a treatment: yes, no, or not said (only the discussion names it)."""
    treatments = [
        ("intravenous immunoglobulin", "Guillain-Barre syndrome"),
        ("plasma exchange", "myasthenic crisis"),
        ("activated charcoal", "amitriptyline overdose"),
    ]
    phrasings = [
        "She was given {x}.",
        "{X} was given on day 2.",
        "{X} was not given.",
        "She did not receive {x}.",
        "{X} was withheld because of her kidney function.",
        "No {x} was given.",
        "{X} was considered but not given.",
        "Treatment included {x} and supportive care.",
    ]
    question = "Was the {age}-year-old woman with {condition} given {x}?"
    probes = []
    for x, c in treatments:
        general = f"{cap(c)} is common. Options include {x}, which helps many patients."
        for p in phrasings:
            story = p.format(x=x, X=cap(x))
            probes.append(Probe(p, story, general, c, question.replace("{x}", x), story.rstrip(".")))
        probes.append(Probe("(not said)", "", general, c, question.replace("{x}", x), None))
    return probes


def names() -> list[Probe]:
    """A drug or test the question names otherwise than the paper: abbreviation, regional or brand name, long form."""
    pairs = [  # (the paper's sentence, the question's name, a dose or a level, the value)
        ("She was started on intravenous immunoglobulin 2 g/kg.", "IVIG", "dose", "2 g/kg"),
        ("She was started on IVIG 2 g/kg.", "intravenous immunoglobulin", "dose", "2 g/kg"),
        ("She was started on methotrexate 15 mg weekly.", "MTX", "dose", "15 mg"),
        ("She was started on co-trimoxazole 960 mg twice daily.", "trimethoprim-sulfamethoxazole", "dose", "960 mg"),
        ("She was started on TMP-SMX 960 mg twice daily.", "co-trimoxazole", "dose", "960 mg"),
        ("She was started on paracetamol 1 g four times daily.", "acetaminophen", "dose", "1 g"),
        ("She was started on adrenaline 0.5 mg intramuscularly.", "epinephrine", "dose", "0.5 mg"),
        ("She was started on noradrenaline at 0.1 µg/kg/min.", "norepinephrine", "dose", "0.1"),
        ("She was started on ciclosporin 5 mg/kg/day.", "cyclosporine", "dose", "5 mg/kg"),
        ("She was started on frusemide 40 mg daily.", "furosemide", "dose", "40 mg"),
        ("She was started on salbutamol 5 mg nebulised.", "albuterol", "dose", "5 mg"),
        ("She was started on low-molecular-weight heparin 1 mg/kg twice daily.", "LMWH", "dose", "1 mg/kg"),
        ("She was started on enoxaparin 1 mg/kg twice daily.", "low-molecular-weight heparin", "dose", "1 mg/kg"),
        ("Her creatine kinase was 45,000 U/L.", "CK", "level", "45,000"),
        ("Her CK was 45,000 U/L.", "creatine kinase", "level", "45,000"),
        ("Her C-reactive protein was 230 mg/L.", "CRP", "level", "230"),
        ("Her haemoglobin was 6.2 g/dL.", "hemoglobin", "level", "6.2"),
        ("Her HbA1c was 11.2%.", "glycated haemoglobin", "level", "11.2"),
        ("Her TSH was 0.01 mU/L.", "thyroid-stimulating hormone", "level", "0.01"),
        ("Her lactate dehydrogenase was 1,200 U/L.", "LDH", "level", "1,200"),
        ("Her alanine aminotransferase was 850 U/L.", "ALT", "level", "850"),
        ("Her erythrocyte sedimentation rate was 110 mm/h.", "ESR", "level", "110"),
    ]
    dose = "What dose of {name} was the {age}-year-old woman with {condition} given?"
    level = "What was the {name} level of the {age}-year-old woman with {condition}?"
    return [
        Probe(f"{story} | asked as {name}", story, "Acute illness has many causes.", "an acute illness",
              (dose if kind == "dose" else level).replace("{name}", name), value)
        for story, name, kind, value in pairs
    ]  # fmt: skip


def timepoints() -> list[Probe]:
    """One test measured on arrival and again later, in two sentences; asked for one of the two times."""
    tests = [
        ("serum creatinine", "4.2 mg/dL", "1.1 mg/dL", "acute kidney injury"),
        ("serum sodium", "112 mmol/L", "134 mmol/L", "hyponatraemia"),
        ("platelet count", "8 x 10^9/L", "160 x 10^9/L", "immune thrombocytopenia"),
    ]
    stories = [  # (the first value's sentence, the later one's)
        ("On admission, her {t} was {a}.", "At discharge, her {t} was {b}."),
        ("Her {t} at presentation was {a}.", "After treatment, the {t} had improved to {b}."),
        ("When she arrived, the {t} was {a}.", "By the time she went home, the {t} was {b}."),
        ("The initial {t} was {a}.", "On day 7, the {t} was {b}."),
    ]
    early = [
        "What was the {t} of the {age}-year-old woman with {condition} on admission?",
        "What {t} did the {age}-year-old woman with {condition} have when she arrived?",
        "What was the initial {t} of the {age}-year-old woman with {condition}?",
    ]
    late = [
        "What was the {t} of the {age}-year-old woman with {condition} at discharge?",
        "What {t} did the {age}-year-old woman with {condition} have after treatment?",
        "What was the {t} of the {age}-year-old woman with {condition} when she went home?",
    ]
    probes = []
    for first, then in stories:
        for t, a, b, c in tests:
            story = f"{first} She was treated in hospital. {then}".format(t=t, a=a, b=b)
            general = f"{cap(c)} is common. A {t} is measured daily."
            for question in early:
                probes.append(Probe(f"{first} [asked early]", story, general, c, question.replace("{t}", t), a))
            for question in late:
                probes.append(Probe(f"{then} [asked late]", story, general, c, question.replace("{t}", t), b))
    return probes


def reasons() -> list[Probe]:
    """Why a treatment was given, the reason written ten ways beside a sentence naming it without one."""
    cases = [  # (condition, what was done, its reason)
        ("status epilepticus", "she was intubated", "her oxygen saturation fell to 82%"),
        ("lupus nephritis", "rituximab was added", "proteinuria persisted on mycophenolate"),
        ("cellulitis", "the antibiotic was changed to vancomycin", "blood cultures grew MRSA"),
    ]
    phrasings = [
        "Because {r}, {d}.",
        "{D} because {r}.",
        "As {r}, {d}.",
        "{D}, as {r}.",
        "{R}, so {d}.",
        "{D} after {r}.",
        "Since {r}, {d}.",
        "{R}; therefore {d}.",
        "{D} when {r}.",
        "Given that {r}, {d}.",
    ]
    probes = []
    for c, done, reason in cases:
        asked = {"she was intubated": "intubated", "rituximab was added": "given rituximab"}.get(
            done, "switched to vancomycin"
        )
        for p in phrasings:
            said = p.format(d=done, D=cap(done), r=reason, R=cap(reason))
            story = f"{said} Her course was then reviewed daily."
            general = f"{cap(c)} is common. Treatment depends on severity."
            probes.append(
                Probe(
                    p, story, general, c, f"Why was the {{age}}-year-old woman with {{condition}} {asked}?", reason[1:]
                )
            )  # fmt: skip (the reason may open the sentence, capitalised)
    return probes


def counts() -> list[Probe]:
    """How many courses or sessions she had, the count written eight ways beside another count, or not given."""
    cases = [  # (condition, the treatment, what is counted, the count as written)
        ("lupus nephritis", "cyclophosphamide", "pulses", "six"),
        ("myasthenic crisis", "plasma exchange", "sessions", "five"),
        ("Hodgkin lymphoma", "ABVD", "cycles", "four"),
    ]
    phrasings = [
        "She received {n} {u} of {x}.",
        "{X} was given as {n} {u}.",
        "A total of {n} {u} of {x} were given.",
        "She completed {d} {u} of {x}.",
        "After {n} {u} of {x}, she improved.",
        "{X} ({d} {u}) was given.",
        "She had {n} {u} of {x} in all.",
        "{N} {u} of {x} were given.",
    ]
    digits = {"six": "6", "five": "5", "four": "4"}
    question = "How many {u} of {x} did the {age}-year-old woman with {condition} receive?"
    probes = []
    for c, x, u, n in cases:
        for p in phrasings:
            said = p.format(n=n, N=cap(n), d=digits[n], u=u, x=x, X=cap(x))
            story = f"She had been admitted twice before. {said}"
            general = f"{cap(c)} is common. Treatment depends on severity."
            q = question.replace("{u}", u).replace("{x}", x)
            probes.append(Probe(p, story, general, c, q, said.split(" ", 1)[1].rstrip(".")))
        story = f"She had been admitted twice before. She was treated with {x}."
        probes.append(Probe("(not said)", story, f"{cap(c)} is common. Six {u} are usual.", c, q, None))
    return probes


def times() -> list[Probe]:
    """When a drug was started, written seven ways after a sentence giving how long she had been ill, or not given."""
    drugs = [
        ("Kawasaki disease", "infliximab"),
        ("giant cell arteritis", "tocilizumab"),
        ("sarcoidosis", "methotrexate"),
    ]
    phrasings = [
        "{X} was started on day 5.",
        "On the fifth day, {x} was started.",
        "{X} was begun five days after admission.",
        "{X} was added in March 2019.",
        "Two weeks later, {x} was started.",
        "She was started on {x} on hospital day 5.",
        "On day 5 of her admission she received {x}.",
    ]
    question = "When was the {age}-year-old woman with {condition} started on {x}?"
    probes = []
    for c, x in drugs:
        for p in phrasings:
            said = p.format(x=x, X=cap(x))
            general = f"{cap(c)} is common. {cap(x)} is an option in refractory cases."
            probes.append(Probe(p, said, general, c, question.replace("{x}", x), said.split(" ", 1)[1].rstrip(".")))
        probes.append(Probe("(not said)", f"{cap(x)} was started.", general, c, question.replace("{x}", x), None))
    return probes


def sizes() -> list[Probe]:
    """How large a lesion was, written seven ways beside another structure's size, or not given."""
    lesions = [("liver abscess", "abscess"), ("parotid tumour", "mass"), ("renal cyst", "cyst")]
    phrasings = [
        "The {l} measured 4 x 3 cm.",
        "A 4-cm {l} was found.",
        "Ultrasound showed a {l} of 4.2 cm.",
        "The {l} was 40 mm across.",
        "CT showed a {l} measuring 4 cm in diameter.",
        "Imaging revealed a {l} 4 cm in size.",
        "The {l} had grown to 4 cm.",
    ]
    question = "How large was the {l} of the {age}-year-old woman with a {condition}?"
    probes = []
    for c, lesion in lesions:
        for p in phrasings:
            said = p.format(l=lesion)
            story = f"A 1-cm lymph node was also seen. {said}"
            general = f"A {c} is common. Lesions over 5 cm often need drainage or surgery."
            probes.append(
                Probe(p, story, general, c, question.replace("{l}", lesion), said.split(" ", 1)[1].rstrip("."))
            )
        story = f"A 1-cm lymph node was also seen. A {lesion} was found."
        probes.append(Probe("(not said)", story, general, c, question.replace("{l}", lesion), None))
    return probes


def follow_up() -> list[Probe]:
    """How long she was followed, written six ways after a sentence giving how long a drug was taken, or not given."""
    conditions = ["sarcoidosis", "pemphigus vulgaris", "autoimmune hepatitis"]
    phrasings = [
        "She was followed up for 18 months without relapse.",
        "At 18 months of follow-up she remained well.",
        "Over 18 months of follow-up there was no recurrence.",
        "She has been followed for 18 months.",
        "After a follow-up of 18 months, she is in remission.",
        "She remained well during 18 months of follow-up.",
    ]
    question = "How long was the {age}-year-old woman with {condition} followed up?"
    probes = []
    for c in conditions:
        general = f"{cap(c)} is common. Patients are usually followed for at least two years."
        for p in phrasings:
            probes.append(Probe(p, f"Prednisolone was given for 6 weeks. {p}", general, c, question, "18 months"))
        story = "Prednisolone was given for 6 weeks. She remained well at follow-up."
        probes.append(Probe("(not said)", story, general, c, question, None))
    return probes


def abbreviations() -> list[Probe]:
    """A common clinical abbreviation in the question, its long form in a paper that never writes the abbreviation."""
    pairs = [  # (the paper's sentence, the question, a part of the sentence that answers)
        ("Her international normalised ratio was 5.2.", "What was the INR of", "5.2"),
        ("Her white cell count was 18.4 x 10^9/L.", "What was the WBC of", "18.4"),
        ("Her intraocular pressure was 48 mmHg in the right eye.", "What was the IOP of", "48 mmHg"),
        ("Her Glasgow Coma Scale score was 7 on arrival.", "What was the GCS of", "score was 7"),
        ("Her free thyroxine was 42 pmol/L.", "What was the FT4 of", "42 pmol/L"),
        ("Her procalcitonin was 12 ng/mL.", "What was the PCT of", "12 ng/mL"),
        ("Her alkaline phosphatase was 640 U/L.", "What was the ALP of", "640 U/L"),
        ("Her gamma-glutamyl transferase was 310 U/L.", "What was the GGT of", "310 U/L"),
        ("An electroencephalogram showed generalised slowing.", "What did the EEG show in", "generalised slowing"),
        ("Bronchoalveolar lavage showed 40% eosinophils.", "What did the BAL show in", "40% eosinophils"),
        ("The direct antiglobulin test was positive for C3d.", "What did the DAT show in", "positive for C3d"),
        ("The acute kidney injury was treated with haemodialysis.", "How was the AKI treated in", "haemodialysis"),
        (
            "The diabetic ketoacidosis was treated with an insulin infusion.",
            "How was the DKA treated in",
            "insulin infusion",
        ),
        ("The deep vein thrombosis was treated with apixaban.", "How was the DVT treated in", "apixaban"),
        (
            "The disseminated intravascular coagulation was treated with cryoprecipitate.",
            "How was the DIC treated in",
            "cryoprecipitate",
        ),
        (
            "The acute respiratory distress syndrome was managed with prone ventilation.",
            "How was the ARDS treated in",
            "prone ventilation",
        ),
        ("She was admitted to the intensive care unit for 6 days.", "How long did she stay in the ICU, the", "6 days"),
        ("Magnesium sulphate 4 g was given intravenously.", "What dose of MgSO4 was given to", "4 g"),
        ("Prothrombin complex concentrate 50 units/kg was given.", "What dose of PCC was given to", "50 units/kg"),
        ("Total parenteral nutrition was started on day 3.", "When was TPN started in", "day 3"),
    ]
    return [
        Probe(f"{story} | asked as {next(w for w in q.split() if sum(c.isupper() for c in w) > 1)}", story, "Acute illness has many causes.", "an acute illness",
              f"{q} the {{age}}-year-old woman with {{condition}}?", expect)
        for story, q, expect in pairs
    ]  # fmt: skip


BATTERIES: dict[str, Callable[[], list[Probe]]] = {
    "dose": dose_sentences,
    "questions": dose_questions,
    "two-drugs": two_drugs,
    "durations": durations,
    "levels": levels,
    "unitless": unitless,
    "two-tests": two_tests,
    "yes-no": yes_no,
    "names": names,
    "timepoints": timepoints,
    "reasons": reasons,
    "counts": counts,
    "times": times,
    "sizes": sizes,
    "follow-up": follow_up,
    "abbreviations": abbreviations,
}


def run(name: str, probes: list[Probe], tmp: Path) -> tuple[int, int]:
    """Index one paper per probe, ask every probe's question; print the marks per phrasing; (passed, probes)."""
    docs = tmp / name / "docs"
    docs.mkdir(parents=True)
    ages = []
    for n, probe in enumerate(probes):
        age = FIRST_AGE + n
        (docs / f"p{n:03d}.txt").write_text(report(probe.condition, age, probe.story, probe.discussion), "utf-8")
        ages.append(age)
    bot = CaseBot(load_settings(docs_dir=docs, index_dir=tmp / name / "index"))
    bot.update_index()
    marks: dict[str, list[str]] = {}
    for probe, age in zip(probes, ages, strict=True):
        answer = bot.ask(probe.question.replace("{age}", str(age)).replace("{condition}", probe.condition))
        first = answer.citations[0].quote if answer.citations else ""
        if probe.expect is None:
            mark = "ok" if answer.abstained else "ANSWERED"
        else:
            mark = "REFUSED" if answer.abstained else "ok" if probe.expect in first else "WRONG"
        marks.setdefault(probe.phrasing, []).append(mark)
    passed = sum(m == "ok" for v in marks.values() for m in v)
    print(f"\n== {name}: {passed} of {len(probes)} as expected")
    for phrasing, v in marks.items():
        print(f"  {' '.join(f'{m:<8}' for m in v)} | {phrasing}")
    return passed, len(probes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--battery", default=",".join(BATTERIES), help="comma-separated: " + ", ".join(BATTERIES))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    chosen = [b.strip() for b in args.battery.split(",") if b.strip()]
    unknown = [b for b in chosen if b not in BATTERIES]
    if unknown:
        parser.error(f"unknown battery {', '.join(unknown)}: choose from {', '.join(BATTERIES)}")
    total = [0, 0]
    with tempfile.TemporaryDirectory(prefix="casebot-phrasings-") as tmp:
        for name in chosen:
            passed, n = run(name, BATTERIES[name](), Path(tmp))
            total[0] += passed
            total[1] += n
    print(f"\nall batteries: {total[0]} of {total[1]} as expected")


if __name__ == "__main__":
    main()
