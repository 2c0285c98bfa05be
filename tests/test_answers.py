"""What a clinician gets back: quoted, cited sentences, or an honest 'no evidence'."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import REPORT

from bot import retrieve
from bot.analysis import stem
from bot.answer import NO_ANSWER
from bot.cli import main
from bot.conversation import Conversation
from bot.embed import HASHING_MODEL
from bot.present import plain as render
from bot.retrieve import Query

pytestmark = pytest.mark.model  # these tests judge the real model's answers


def test_share_of_dm_patients_with_calcinosis_is_quoted_and_cited(shipped_bot):
    answer = shipped_bot.ask("What share of dermatomyositis patients develop calcinosis cutis?")
    assert not answer.abstained
    cited = [c for c in answer.citations if "8%" in c.quote]
    assert cited, answer.text
    assert answer.passages[cited[0].n - 1].doc_id == REPORT
    assert re.search(r"8% of DM patients.*\[\d\]", answer.text)


def test_the_demo_question_is_answered_by_the_share_not_by_a_figure_reference(shipped_bot):
    """`make demo` asks this: "(Figure 1)" in a sentence about her ulcers does not state a share."""
    answer = shipped_bot.ask("What share of dermatomyositis patients develop calcinosis cutis?")
    assert "approximately 8% of DM patients" in answer.citations[0].quote
    assert "ulcers" not in answer.text


def test_every_sentence_of_an_answer_is_a_verbatim_quote_with_its_citation(shipped_bot):
    answer = shipped_bot.ask("Which dose of IVIg did the patient receive?")
    assert "400mg/kg/day" in answer.text
    for c in answer.citations:
        assert answer.passages[c.n - 1].text[c.start : c.end] == c.quote
    # nothing but quotes and markers: the bot adds no words of its own to an answer
    assert re.sub(r"“[^”]+” \[\d+\]", "", answer.text).strip() == ""


@pytest.mark.parametrize(
    "question",
    [
        "Which antibiotic is first-line for erythema migrans in Lyme disease?",
        "What is the first-line antibiotic for Lyme disease?",  # the README's example
        "What antibiotic treats Lyme disease?",
    ],
)
def test_off_topic_question_abstains_and_still_shows_related_reading(shipped_bot, question):
    """The report shares "disease" and "first-line" with these; it never names Lyme disease."""
    answer = shipped_bot.ask(question)
    assert answer.abstained and answer.text == NO_ANSWER and not answer.citations
    assert answer.passages
    shown = render(answer)
    assert "Related reading (not an answer)" in shown and "Hard as stone" in shown


def test_a_request_for_something_the_papers_never_contain_abstains(shipped_bot):
    # the request names the paper's subject, but asks for a poem: no passage holds one
    assert shipped_bot.ask("Write me a poem about calcinosis in dermatomyositis.").abstained
    assert shipped_bot.ask("Tell me a joke about calcium deposits.").abstained
    assert not shipped_bot.ask("Tell me about calcinosis in dermatomyositis.").abstained


def test_on_topic_question_the_report_cannot_answer_abstains(shipped_bot):
    answer = shipped_bot.ask("How often does calcinosis respond to JAK inhibitors in juvenile dermatomyositis?")
    assert answer.abstained


def test_a_question_about_the_condition_is_answered_by_what_the_paper_says_of_it(shipped_bot):
    # issue 11: this was answered with when the patient's dermatomyositis was diagnosed
    answer = shipped_bot.ask("How is calcinosis cutis diagnosed?")
    assert answer.citations[0].quote.startswith("Diagnosis is suspected based on physical findings and imaging")


def test_a_question_about_the_patient_is_answered_by_what_happened_to_her(shipped_bot):
    # not by the typical interval in DM ("typically presenting 7.8 years after initial diagnosis")
    answer = shipped_bot.ask(
        "How many years after her DM diagnosis did the calcinosis become apparent in this patient?"
    )
    assert answer.citations[0].quote.startswith("Five years after the diagnosis, she developed")


@pytest.mark.parametrize("question", ["Was sodium thiosulfate given to this patient?", "Did she respond to rituximab?"])
def test_whether_she_had_a_treatment_is_not_answered_by_the_treatment_options(shipped_bot, question):
    """Issue 11: "Therapeutic options include … sodium thiosulfate" was quoted as if she had received it.
    The report names both drugs only among the options; it never says she had either."""
    answer = shipped_bot.ask(question)
    assert answer.abstained, answer.text


def test_whether_she_had_a_treatment_is_answered_by_the_sentence_saying_she_had_it(shipped_bot):
    answer = shipped_bot.ask("Did she receive pamidronate?")
    assert answer.citations[0].quote.startswith("She was treated with intravenous immunoglobulin (IVIg)")


@pytest.mark.parametrize("question", ["What dose of IVIg?", "IVIg dose?", "What was the dose of IVIg?"])
def test_a_dose_asked_in_few_words_is_answered_like_a_full_question(shipped_bot, question):
    """A user review: the terse forms were refused as if the report gave no dose (they name no tense, so they were
    held to the bar of a question on the condition in general)."""
    answer = shipped_bot.ask(question)
    assert answer.citations[0].quote.startswith("She was treated with intravenous immunoglobulin (IVIg) 400mg/kg/day")


@pytest.mark.parametrize("brand", ["Aredia", "Remicade"])
def test_a_dose_asked_by_a_brand_name_is_answered_from_the_generic_name(bot_over, brand):
    """Clinicians ask by the brand; reports print the generic name. Each brand question was refused as if the paper
    gave no dose (seven of nine such refusals in a probe of 95 dose, level and time questions)."""
    bot = bot_over(
        {
            "colitis.txt": "Infliximab rescue in acute severe ulcerative colitis\n\nCASE REPORT\n\n"
            "A 23-year-old man was admitted with bloody diarrhoea twelve times a day. Intravenous hydrocortisone "
            "100 mg four times daily was started. By day 5 he had not improved, and infliximab 5 mg/kg was given on "
            "day 6 as rescue therapy. He was discharged on day 12.",
            "hypercalcaemia.txt": "Pamidronate for hypercalcaemia of malignancy\n\nCASE REPORT\n\n"
            "A 71-year-old woman with breast cancer was confused, and her corrected calcium was 3.9 mmol/L. She received "
            "intravenous saline and a single infusion of pamidronate 90 mg over four hours. Her calcium fell to "
            "2.6 mmol/L within five days.",
        }
    )
    question, quoted = {
        "Aredia": ("What dose of Aredia did the 71-year-old woman receive?", "pamidronate 90 mg"),
        "Remicade": ("What dose of Remicade was given as rescue therapy?", "infliximab 5 mg/kg"),
    }[brand]
    answer = bot.ask(question)
    assert not answer.abstained and quoted in answer.citations[0].quote


def test_how_long_she_had_a_drug_the_report_names_only_among_the_options_abstains(shipped_bot):
    """A user review: "(1 year)" of pamidronate was quoted to "How long was she treated with diltiazem?"; the
    report names diltiazem only among the condition's treatment options."""
    assert shipped_bot.ask("How long was she treated with diltiazem?").abstained
    answer = shipped_bot.ask("How long was she treated with IVIg?")
    assert answer.citations[0].quote.startswith("She was treated with intravenous immunoglobulin (IVIg) 400mg/kg/day")


@pytest.mark.parametrize(
    "question", ["Which drugs are used for calcinosis cutis?", "What medications are used for calcinosis cutis?"]
)
def test_which_drugs_treat_the_condition_is_answered_by_the_sentence_naming_them(shipped_bot, question):
    """A user review: refused, since no passage holds the word "drugs"; the report names them instead."""
    answer = shipped_bot.ask(question)
    assert answer.citations[0].quote.startswith("In more extensive cases, systemic therapy with bisphosphonates")
    assert shipped_bot.ask("Which drugs are used for gout?").abstained  # a condition the report does not treat


@pytest.mark.parametrize(
    "question",
    [
        "How did the patient present?",
        "How did she present?",
        "What was her presentation?",
        "What was the initial presentation?",
    ],
)
def test_how_she_presented_is_answered_by_the_sentence_saying_so(shipped_bot, question):
    """Refused before: the question has no subject of its own for the cosine bar to measure."""
    answer = shipped_bot.ask(question)
    assert answer.citations[0].quote.startswith("A 69-year-old woman presented to our Rheumatology department")


def test_the_initial_treatment_is_still_the_sentence_saying_she_was_initially_treated(shipped_bot):
    """ "initial" weighs less than "presentation" in "What was the initial presentation?", not here."""
    answer = shipped_bot.ask("What was the initial treatment?")
    assert answer.citations[0].quote.startswith("She was initially treated with prednisolone 60mg daily")


@pytest.mark.parametrize(
    "question",
    [
        "How did the 30-year-old woman present?",
        "How was the 30-year-old woman treated?",
        "What was the dose of IVIg in the 30-year-old woman?",
        "How did the boy present?",
    ],
)
def test_a_patient_the_report_does_not_describe_is_not_answered_with_hers(shipped_bot, question):
    """The report's patient is a 69-year-old woman: her story is not the 30-year-old's (these were answered with it)."""
    assert shipped_bot.ask(question).abstained
    assert not shipped_bot.ask(question.replace("30-year-old", "69-year-old").replace("the boy", "she")).abstained


def test_how_the_condition_is_treated_is_answered_by_the_therapy_the_discussion_names(shipped_bot):
    """Her own IVIg course was quoted first: "therapy" shares no stem with "treated"."""
    answer = shipped_bot.ask("How is calcinosis cutis treated?")
    assert answer.citations[0].quote.startswith("In more extensive cases, systemic therapy with bisphosphonates")


@pytest.mark.parametrize("question", ["What were her symptoms?", "What symptoms did she have?"])
def test_her_symptoms_are_answered_by_the_sentence_naming_them(shipped_bot, question):
    """Not "Despite good laboratory response, her symptoms remained refractory.", which has the word only."""
    answer = shipped_bot.ask(question)
    assert answer.citations[0].quote.startswith("Five years after the diagnosis, she developed paresthesia")


def test_which_symptoms_is_answered_by_the_symptoms_not_the_word(bot_over):
    bot = bot_over(
        {
            "tick-fever.txt": "Fever and myalgia after a tick bite: a case report\n\nCASE PRESENTATION\n\n"
            "A 34-year-old forester was admitted to our medical ward in late spring. Over the preceding three days "
            "he had fever, a dry cough and diffuse myalgia. He recalled a tick bite on the left calf two weeks "
            "earlier. His temperature was 39.2 C and the chest was clear. A chest radiograph was normal. Serology "
            "confirmed the diagnosis and he was treated with doxycycline 100 mg twice daily for ten days. His "
            "symptoms resolved within a week.\n\nDISCUSSION\n\nTick-borne infections should be considered in "
            "forest workers with fever in spring and summer.\n"
        }
    )
    for question in ("Which symptoms did he have before admission?", "What symptoms did the forester have?"):
        answer = bot.ask(question)
        assert answer.citations[0].quote.startswith("Over the preceding three days he had fever"), question


def test_rendered_sources_mark_the_cited_sentence(shipped_bot):
    answer = shipped_bot.ask("What did the X-ray show when calcinosis was diagnosed?")
    shown = render(answer)
    assert "Sources" in shown and f"«{answer.citations[0].quote}»" in shown
    assert "[1] Hard as stone: an exuberant form of calcinosis cutis — " in shown


def test_a_follow_up_question_uses_the_earlier_turn(shipped_bot):
    first = shipped_bot.ask("Which bisphosphonate was the patient treated with?")
    conversation = Conversation()
    conversation.add(first)
    follow = shipped_bot.ask("For how long was it given?", conversation=conversation)
    assert not follow.abstained
    assert "pamidronate 60mg monthly (1 year)" in follow.text


def test_ask_json_follows_the_contract(shipped_bot):
    s = shipped_bot.settings
    result = CliRunner().invoke(
        main,
        [
            "ask",
            "What share of DM patients develop calcinosis cutis?",
            "--json",
            "--docs-dir",
            str(s.docs_dir),
            "--index-dir",
            str(s.index_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"question", "query", "answer", "abstained", "citations", "passages"}
    assert isinstance(data["abstained"], bool) and data["citations"]
    assert [p["n"] for p in data["passages"]] == list(range(1, len(data["passages"]) + 1))
    for p in data["passages"]:
        assert set(p) == {"n", "source", "title", "section", "text", "score", "start", "end", "page"}
        assert p["source"] == REPORT and isinstance(p["score"], float)
    for n in data["citations"]:
        assert f"[{n}]" in data["answer"]


def test_ask_k_limits_the_passages(shipped_bot):
    assert len(shipped_bot.ask("What treatments were tried?", k=2).passages) == 2


def test_a_two_part_question_also_quotes_the_sentence_that_follows(bot_over):
    bot = bot_over(
        {
            "boy.txt": (
                "Late calcinosis in juvenile dermatomyositis\n\nCASE REPORT\n\nA boy of 14 presented with hard nodules "
                "over both elbows that had kept recurring for the past 4 years. He had been treated on and off with topical "
                "and systemic antibiotics, without meaningful relief. Radiographs showed calcified deposits. Alendronate "
                "70 mg weekly was started.\n"
            )
        }
    )
    answer = bot.ask("How long had the boy's nodules been recurring, and what had he been given before?")
    assert "recurring for the past 4 years" in answer.text
    assert "treated on and off with topical and systemic antibiotics" in answer.text


ABSTRACTS = Path(__file__).resolve().parent.parent / "bench" / "data" / "abstracts"
CASES = ABSTRACTS.parent / "cases"


def cases_bot(bot_over, *patterns: str, **overrides):
    """A bot over the development case reports (of any of bench/data/cases's sets, numbered apart) whose file
    names match any of `patterns`."""
    papers = {f.name: f.read_text(encoding="utf-8") for p in patterns for f in sorted(CASES.glob(f"**/docs/{p}"))}
    return bot_over(papers, **overrides)


def one_paper(bot_over, name: str, text: str):
    """A bot over one paper, with the deterministic embedder: for rules that read words, not meaning."""
    return bot_over({name: text}, model=HASHING_MODEL)


def refused_until_told(bot_over, story: str, question: str, told: str, untold: str = "") -> list[str]:
    """Ask `question` of a one-paper bot whose `story` has `untold` in its slot, which must refuse it, then with
    `told` there; the quotes of that second answer."""
    assert one_paper(bot_over, "case.md", story.format(untold)).ask(question).abstained, untold
    return [c.quote for c in one_paper(bot_over, "case.md", story.format(told)).ask(question).citations]


def test_a_yes_no_claim_about_a_study_that_is_not_indexed_abstains(bot_over):
    """Twelve structured abstracts (six on statins). A yes/no question restating a claim is
    answered only by a sentence that restates it: related statin studies are not evidence."""
    papers = {f.name: f.read_text(encoding="utf-8") for f in sorted((ABSTRACTS / "docs").iterdir())[:12]}
    bot = bot_over(papers)
    for indexed in (
        "In people over 75 with diabetes but no prior cardiovascular disease, is starting a statin linked to fewer "
        "cardiovascular events?",
        "In patients who quit statins because of myalgia, do blinded rechallenges show more muscle pain on the "
        "statin than on placebo?",
    ):
        assert not bot.ask(indexed).abstained, indexed
    for held_out in (  # their abstracts lie in heldout/, never indexed
        "Does giving rosuvastatin to ventilated patients with sepsis and ARDS lower 60-day mortality?",
        "After a spontaneous brain haemorrhage, does continuing a statin raise the risk of another bleed?",
    ):
        assert bot.ask(held_out).abstained, held_out


def test_a_question_about_a_topic_no_abstract_covers_abstains_however_close_its_neighbour(bot_over):
    """The esketamine trial shares "ketamine" and depression with the question; it compares nothing
    with ECT. A question about a topic (not a patient) is answered by a sentence that speaks of it."""
    docs = ABSTRACTS / "docs"
    bot = bot_over(
        {f.name: f.read_text(encoding="utf-8") for n in ("a0129", "a0191", "a0226") for f in docs.glob(n + "*")}
    )
    assert bot.ask("Which causes more memory loss, ECT or ketamine?").abstained
    answer = bot.ask("Which side effects were common with esketamine nasal spray?")
    assert answer.citations[0].quote.startswith("Dissociation and transient blood pressure rises")


TAKOTSUBO = (
    "Recurrent stress cardiomyopathy\n\nCase presentation\n\nA 55-year-old woman with hypertension and a previous "
    "episode of stress cardiomyopathy came to the emergency department with chest pain. Her symptoms began after an "
    "argument with a family member. Coronary angiography showed no obstruction, and the left ventricle was "
    "ballooned at the apex.\n"
)


@pytest.mark.parametrize("introduced", ["A 55-year-old woman", "A woman aged 55,"])
def test_the_sentence_introducing_the_patient_is_not_taken_for_the_answer(bot_over, introduced):
    bot = bot_over({"takotsubo.txt": TAKOTSUBO.replace("A 55-year-old woman", introduced)})
    answer = bot.ask("What triggered the 55-year-old woman's stress cardiomyopathy episode?")
    assert answer.citations[0].quote == "Her symptoms began after an argument with a family member."
    # ... but it is the answer when the question asks how she presented
    answer = bot.ask("How did the 55-year-old woman with stress cardiomyopathy present?")
    assert answer.citations[0].quote.startswith(f"{introduced} with hypertension")


def test_an_abbreviation_asked_for_is_answered_only_by_a_paper_that_writes_it_or_spells_it_out(bot_over):
    """The report never measured BNP: its close neighbours ("stress cardiomyopathy", "the 55-year-old
    woman") are no evidence. Spelled out, brain natriuretic peptide is the answer."""
    question = "What was the BNP of the 55-year-old woman with stress cardiomyopathy?"
    assert bot_over({"takotsubo.txt": TAKOTSUBO}).ask(question).abstained
    measured = TAKOTSUBO.replace("at the apex.", "at the apex. Her brain natriuretic peptide was 850 pg/mL.")
    answer = bot_over({"takotsubo.txt": measured}, index_dir=None).ask(question)
    assert answer.citations[0].quote == "Her brain natriuretic peptide was 850 pg/mL."


DRESS = (
    "Allopurinol DRESS with pericardial effusion\n\nIntroduction\n\nDrug rash with eosinophilia and systemic symptoms "
    "(DRESS) is a severe adverse drug reaction, with a mortality of 10-20%.\n\nCase presentation\n\nA 39-year-old "
    "woman developed fever and a widespread rash six weeks after starting allopurinol for gout. She had enlarged "
    "lymph nodes and toxic hepatitis. Arterial blood gas analysis gave a pH of 7.43 and lactate 5.7 mM.\n"
)


def test_a_test_result_is_stated_only_by_a_value_right_after_the_test(bot_over):
    """ "eosinophilia … with a mortality of 10-20%" names eosinophils and a share: no eosinophil count."""
    bot = bot_over({"dress.txt": DRESS})
    assert bot.ask("What was the eosinophil count of the 39-year-old woman with allopurinol DRESS?").abstained
    answer = bot.ask("What was the lactate on her arterial gas?")  # millimolar is a laboratory unit
    assert answer.citations[0].quote.endswith("lactate 5.7 mM.")


def test_what_a_test_showed_is_answered_by_the_sentence_reporting_the_finding(bot_over):
    bot = bot_over(
        {
            "mucor.txt": (
                "Rhinocerebral mucormycosis in diabetic ketoacidosis\n\nCase presentation\n\nA 55-year-old man with "
                "diabetes presented with facial swelling. Nasal tissue was examined and swabs were sent for fungal "
                "culture. Tissue sent for histopathology showed broad aseptate hyphae. He was started on amphotericin B.\n"
            )
        }
    )
    answer = bot.ask("What did histology show when the nasal tissue was examined in the 55-year-old?")
    assert answer.citations[0].quote == "Tissue sent for histopathology showed broad aseptate hyphae."


def test_a_question_whether_a_treatment_works_is_answered_by_the_finding_not_the_aim_or_design(bot_over):
    """In a structured abstract the OBJECTIVE restates the question and METHODS describe the trial;
    neither says whether compression sleeves worked."""
    name = "a0039_prophylactic-compression-sleeve-axillary.txt"
    papers = {f.name: f.read_text(encoding="utf-8") for f in sorted((ABSTRACTS / "docs").iterdir())[:12]}
    bot = bot_over({**papers, name: (ABSTRACTS / "docs" / name).read_text(encoding="utf-8")})
    answer = bot.ask("Do compression sleeves worn after axillary dissection prevent arm swelling?")
    quoted = [(answer.passages[c.n - 1].section, c.quote) for c in answer.citations]
    assert quoted[0][0] in ("RESULTS", "CONCLUSIONS"), quoted
    assert not any(section in ("OBJECTIVE", "METHODS") for section, _ in quoted), quoted


def test_an_inline_objectives_label_marks_the_aim_not_the_finding(bot_over):
    """One paragraph with the labels inline: "Objectives: To find out whether …" restates the question."""
    bot = bot_over(
        {
            "minocycline.txt": "Minocycline for calcinosis in limited systemic sclerosis\n\n"
            "Objectives: To find out whether minocycline helps calcinosis in limited systemic sclerosis. "
            "Methods: Nine patients with painful calcinosis took minocycline 50 or 100 mg daily. "
            "Results: Eight of the nine patients improved, and their ulcers healed within months. "
            "Conclusions: Low-dose minocycline can control calcinosis and is well tolerated.\n"
        }
    )
    answer = bot.ask("Does minocycline help calcinosis in limited systemic sclerosis?")
    assert answer.citations and not answer.citations[0].quote.startswith("Objectives"), answer.text


def test_a_novelty_claim_is_not_the_answer_about_the_patient(bot_over):
    """'To the authors' knowledge, calciphylaxis had not been reported in a patient … nor taking warfarin'
    names warfarin and a patient, but says what the literature lacks, not what she took."""
    bot = cases_bot(bot_over, "1[0-2]_*.txt")
    answer = bot.ask("Was the 72-year-old woman with calciphylaxis taking warfarin?")
    assert "taking apixaban rather than warfarin" in answer.citations[0].quote


def test_a_patient_named_by_age_is_not_answered_with_another_patients_sentence(bot_over):
    """Two papers report weight loss; the question names the 12-year-old, so the 60-year-old
    man's "had lost 15 kg" is someone else's finding, whatever its wording scores."""
    bot = cases_bot(bot_over, "24_*", "32_*")
    answer = bot.ask("How much weight had the 12-year-old lost?")
    assert "weight loss of 4.5 kg" in answer.citations[0].quote
    assert all(
        answer.passages[c.n - 1].doc_id == "32_cat-scratch-hepatosplenic-lip-kitten.txt" for c in answer.citations
    )


def test_a_question_for_a_test_result_is_answered_by_a_value_or_not_at_all(bot_over):
    """The pheochromocytoma report says metanephrines were measured, never their values: the
    sentence naming them is no answer to "what were the values?". The sarcoidosis report states
    PTH-rp's level, and that sentence, not one saying it became undetectable, comes first."""
    bot = cases_bot(bot_over, "25_*", "29_*")
    assert bot.ask("What were the plasma metanephrine values of the 42-year-old man in cardiogenic shock?").abstained
    answer = bot.ask("What was her PTH-related protein level?")
    assert "PTH-rp was raised at 11.6 pmol/L" in answer.citations[0].quote


def test_a_question_for_a_drug_is_answered_by_the_sentence_naming_one(bot_over):
    """ "Which drug was continued …?" shares "continued" with the sentence on her surgery; the answer
    is the one that names a drug (cyclophosphamide: a WHO stem, analysis.DRUG_NAME)."""
    bot = cases_bot(bot_over, "1[7-9]_*.txt")
    answer = bot.ask("Which drug was continued after both ovaries had been removed?")
    assert answer.citations[0].quote == "Treatment was then continued with cyclophosphamide."


def test_a_result_the_patients_paper_never_gives_is_not_answered(bot_over):
    """Ferritin is a test (the other scurvy report gives "ferritin 114 ng/mL"); the 66-year-old
    woman's report never states hers, so asking for it abstains instead of quoting her admission.
    The man's ferritin is answered with its value, and a question about something that is not a
    test is answered as before."""
    bot = cases_bot(bot_over, "03_*", "04_*")
    assert bot.ask("What was the ferritin of the 66-year-old woman whose scurvy presented as depression?").abstained
    answer = bot.ask("What was the ferritin in the 56-year-old man with scurvy after an oesophagectomy?")
    assert "ferritin 114 ng/mL" in answer.citations[0].quote
    assert not bot.ask("What was the treatment of the 66-year-old woman with scurvy?").abstained


def test_a_question_for_a_result_quotes_the_sentence_with_the_value(bot_over):
    """ "What was the ceruloplasmin in the man with slurred speech?" shares "slurred speech" with his
    examination; ceruloplasmin is a test (a passage gives it in mg/dl), so the value comes first."""
    bot = cases_bot(bot_over, "1[3-6]_*.txt")
    answer = bot.ask("What was the ceruloplasmin in the 31-year-old man with slurred speech and a hand tremor?")
    assert answer.citations[0].quote.startswith("Serum ceruloplasmin was low at 10 mg/dl")


def test_a_drug_the_paper_never_names_is_not_answered_with_another_drugs_dose(bot_over):
    """The toddler got infliximab; asked for a rituximab dose, quoting his infliximab or
    immunoglobulin dose would be the wrong drug's."""
    bot = cases_bot(bot_over, "0[1-3]_*.txt")
    assert bot.ask("What rituximab dose did the 2-year-old with Kawasaki disease receive?").abstained
    answer = bot.ask("What infliximab dose did the 2-year-old with Kawasaki disease receive?")
    assert "5 mg/kg" in answer.citations[0].quote


def test_a_dose_the_patients_paper_never_states_is_not_answered_with_the_drug_being_started(bot_over):
    """Her paper says she went on to tocilizumab but gives no dose: "What tocilizumab dose …?" has
    no answer there, and neither her prednisolone dose nor the sentence naming the drug is one."""
    bot = cases_bot(bot_over, "2[78]_*.txt")
    assert bot.ask("What tocilizumab dose did the 65-year-old woman with absent radial pulses receive?").abstained
    answer = bot.ask("What methotrexate dose was the 65-year-old woman with absent radial pulses started on?")
    assert "15 mg once a week" in answer.citations[0].quote
    assert bot.ask("How many mg of methotrexate did the 65-year-old woman take a week?").citations


def test_a_dose_of_a_drug_named_by_a_concept_is_not_answered_by_how_often_it_was_given(bot_over):
    """Her paper says sodium thiosulfate was given twice a week for two months, never how many grams."""
    bot = cases_bot(bot_over, "1*.txt")
    question = "How many grams of sodium thiosulfate were given per infusion to the 72-year-old with calciphylaxis?"
    assert bot.ask(question).abstained
    answer = bot.ask("How often was sodium thiosulfate given to the 72-year-old with calciphylaxis?")
    assert "twice a week" in answer.citations[0].quote


def test_the_dose_asked_is_of_the_drug_the_question_asks_about_not_of_the_one_naming_the_patient(bot_over):
    """ "the 62-year-old with lithium toxicity" names lithium to say who he is; his paper gives lithium
    levels and no olanzapine dose, so the question has no answer there."""
    from bot.answer import dose_drugs

    bot = cases_bot(bot_over, "0[78]_*.txt")
    question = "What dose of olanzapine was the 62-year-old with lithium toxicity started on?"
    assert [bot.analyse(question).words[t] for t in dose_drugs(bot.analyse(question))] == ["olanzapine"]
    assert bot.ask(question).abstained
    listed = bot.analyse("What doses of lithium, olanzapine and quetiapine did he take before admission?")
    assert [listed.words[t] for t in dose_drugs(listed)] == ["lithium", "olanzapine", "quetiapine"]


@pytest.mark.parametrize(
    "question, words, asked",
    [
        # the drug next to the dose word, not the one that says who the patient is
        ("In the IVIG-refractory 2-year-old, what infliximab dose was given?", ["IVIG", "infliximab"], ["infliximab"]),
        (
            "For the 62-year-old on lithium, what dose of olanzapine was started?",
            ["lithium", "olanzapine"],
            ["olanzapine"],
        ),
        ("How many mg/kg of olanzapine did the man on lithium get?", ["lithium", "olanzapine"], ["olanzapine"]),
        # whole words: "prednisolone" inside "methylprednisolone" is not where prednisolone is named
        (
            "What doses of methylprednisolone and prednisolone did he receive?",
            ["methylprednisolone", "prednisolone"],
            ["methylprednisolone", "prednisolone"],
        ),
        (
            "What doses of lithium, olanzapine and quetiapine did he take?",
            ["lithium", "olanzapine", "quetiapine"],
            ["lithium", "olanzapine", "quetiapine"],
        ),
    ],
)
def test_the_drug_whose_dose_is_asked(question, words, asked):
    from bot.answer import dose_drugs

    query = Query(question, question, np.zeros(3), [], words, kind="dose", words={w: w for w in words})
    assert dose_drugs(query) == asked


@pytest.mark.parametrize(
    "question, words, asked",
    [
        (
            "How many grams of sodium thiosulfate were given per infusion to the 72-year-old with calciphylaxis?",
            {"@sts": "sodium thiosulfate", "@cua": "calciphylaxis"},
            ["@sts"],
        ),
        ("What ciclosporin dose controlled her pyoderma?", {"@csa": "ciclosporin", "@pg": "pyoderma"}, ["@csa"]),
        # its route or form may stand between the dose word and the drug
        (
            "What weight-based dose of oral corticosteroid was the 43-year-old put on?",
            {"@corticosteroid": "corticosteroid"},
            ["@corticosteroid"],
        ),
        # a concept after the dose word, not attached to it, is the patient's condition, not a drug
        ("What steroid dose was used for the woman with allopurinol-induced DRESS?", {"@dress": "DRESS"}, []),
    ],
)
def test_a_drug_named_by_a_concept_is_asked_about_only_next_to_the_dose_word(question, words, asked):
    from bot.answer import dose_drugs

    query = Query(question, question, np.zeros(3), [], list(words), kind="dose", words=words)
    assert dose_drugs(query) == asked


@pytest.mark.parametrize(
    "question, words, asked",
    [
        # a word next to the dose word names the drug, even one without a drug-name stem
        ("What loading dose of magnesium sulphate did she receive?", ["magnesium", "sulphate"], ["magnesium"]),
        ("What hemin dose was the 21-year-old given?", ["hemin", "21"], ["hemin"]),
        # not a word saying which dose, nor a class's word (its members answer it)
        ("What was the highest dose used?", ["highest", "used"], []),
        ("What weight-based dose was the 43-year-old put on?", ["weight", "based", "43"], []),
        ("What dose of the aminoglycoside did the 25-year-old receive?", ["aminoglycoside", "25"], []),
        ("What dose of the antidote did he get?", ["antidote"], []),
        ("What dose of the antiparasitic drug did he get?", ["antiparasitic", "drug"], []),
        # nor a class named by what it acts against or by its structure (twenty-second round)
        ("What starting dose of the antithyroid drug was he given?", ["antithyroid", "drug"], []),
        ("How many milligrams of the tricyclic did the 25-year-old take?", ["milligrams", "tricyclic", "25"], []),
        ("What dose of the anti-inflammatory did she take?", ["anti-inflammatory"], []),
        # a word English almost never uses is a drug's name, whatever its ending ("-er" as in "higher")
        ("What succimer dose in mg/kg was the 2-year-old given?", ["succimer", "mg/kg", "2"], ["succimer"]),
        ("What titrated dose was he on?", ["titrated"], []),
    ],
)
def test_a_word_next_to_the_dose_word_names_the_drug_asked(question, words, asked):
    from bot.answer import dose_drugs

    terms = {stem(w) if w in ("aminoglycoside", "antiparasitic", "tricyclic") else w: w for w in words}
    query = Query(question, question, np.zeros(3), [], list(terms), kind="dose", words=terms)
    assert [terms[t] for t in dose_drugs(query)] == asked


@pytest.mark.parametrize(
    "question, words, asked",
    [
        # after "was" / "were": "At what dose was X given …?"
        ("At what dose was filgrastim given to the 56-year-old man?", ["filgrastim", "56"], ["filgrastim"]),
        # with a dose's qualifiers between the drug and the dose word
        ("What magnesium sulfate loading dose did she receive?", ["magnesium", "sulfate"], ["sulfate"]),
        ("What ciclosporin maintenance dose was he put on?", ["ciclosporin"], ["ciclosporin"]),
        ("How was ciclosporin dosed in the 23-year-old?", ["ciclosporin", "23"], ["ciclosporin"]),
        # "How much X", "X regimen" ask amounts of anything: only a drug's name counts, not a unit
        ("How much tranexamic acid was the 82-year-old given?", ["tranexamic", "acid", "82"], ["tranexamic"]),
        ("How many milligrams of filgrastim were given?", ["milligrams", "filgrastim"], ["filgrastim"]),
        ("What ciclosporin regimen did the 23-year-old get?", ["ciclosporin", "23"], ["ciclosporin"]),
        ("How much spinal fluid had been drained?", ["spinal", "fluid", "drained"], []),
        ("What was her home diabetes regimen?", ["home", "diabetes"], []),
        ("How much weight had she lost?", ["weight", "lost"], []),
        # "amount", "quantity" and "concentration" of a drug ask its dose; so does "given X at what dose?"
        ("What amount of ciclosporin did he receive?", ["ciclosporin"], ["ciclosporin"]),
        ("What quantity of filgrastim was given to him?", ["filgrastim"], ["filgrastim"]),
        ("What concentration of thiamine was given to him?", ["thiamine"], ["thiamine"]),
        ("The 56-year-old was given filgrastim at what dose?", ["56", "filgrastim"], ["filgrastim"]),
    ],
)
def test_the_drug_asked_in_other_phrasings_of_a_dose_question(question, words, asked):
    """A dose question names its drug in many ways; the dose rule must find it in each (nineteenth round: a
    battery of 14 phrasings found it in 6 for drugs without a drug's stem)."""
    from bot.analysis import question_type
    from bot.answer import dose_drugs

    query = Query(question, question, np.zeros(3), [], words, kind=question_type(question), words={w: w for w in words})
    assert query.kind == "dose"
    assert dose_drugs(query) == asked


def test_a_dose_the_paper_never_gives_is_refused_however_the_question_asks_it(bot_over):
    """The colitis paper names ciclosporin only as an option and gives the 23-year-old's infliximab dose: every
    wording of "his ciclosporin dose" is refused, every wording of his infliximab dose is answered with it."""
    bot = cases_bot(bot_over, "64_*", "65_*")
    wordings = [
        "How much {} did the 23-year-old with acute severe colitis receive?",
        "At what dose was {} given to the 23-year-old with acute severe colitis?",
        "What {} regimen did the 23-year-old with acute severe colitis get?",
        "What {} loading dose did the 23-year-old with acute severe colitis receive?",
        "How was {} dosed in the 23-year-old with acute severe colitis?",
    ]
    for wording in wordings:
        assert bot.ask(wording.format("ciclosporin")).abstained, wording
        answer = bot.ask(wording.format("infliximab"))
        assert any("5 mg/kg" in c.quote for c in answer.citations), wording


def test_a_dose_the_discussion_gives_in_general_is_not_the_patients_dose(bot_over):
    """The colitis paper's discussion offers "intravenous ciclosporin 2 mg/kg/day" to non-responders; the
    23-year-old had infliximab, whose dose his story gives, and never ciclosporin."""
    bot = cases_bot(bot_over, "64_*", "65_*")
    assert bot.ask("What dose of ciclosporin did the 23-year-old with acute severe colitis receive?").abstained
    answer = bot.ask("What infliximab dose did the 23-year-old with acute severe colitis receive?")
    assert "infliximab 5 mg/kg was given on day 6" in answer.citations[0].quote


def test_a_dose_of_another_drug_is_not_the_dose_asked(bot_over):
    """The gout paper gives allopurinol and febuxostat doses and no colchicine dose."""
    bot = cases_bot(bot_over, "65_*", "70_*")
    question = (
        "What colchicine dose had the man with long-standing gout been prescribed before he stopped tolerating it?"
    )
    assert bot.ask(question).abstained


def test_a_value_asked_on_admission_is_the_first_the_story_gives(bot_over):
    """The infant's platelet count is given on admission and again eight weeks into treatment."""
    bot = cases_bot(bot_over, "67_*", "66_*")
    answer = bot.ask("What was the platelet count of the 7-month-old with the growing neck lump on admission?")
    assert "8,000/µL" in answer.citations[0].quote
    answer = bot.ask("How low was the Hb in the 62-year-old jaundiced man with a big spleen when he first came in?")
    assert "His haemoglobin was only 4.9 g/dL" in answer.citations[0].quote  # "Hb" is haemoglobin


def test_a_first_value_is_not_one_the_story_places_later(bot_over):
    """ "Eight weeks later his haemoglobin had risen to 140 g/L" names the test and ranks above "His haemoglobin was
    low at 50 g/L"; asked the value on presentation, the later one is another time point's."""
    bot = cases_bot(bot_over, "134_*", "139_*")
    answer = bot.ask("What was the Hb of the 15-month-old boy with favism on presentation?")
    assert "His haemoglobin was low at 50 g/L" in answer.citations[0].quote


def test_a_value_asked_at_no_point_of_the_story_is_the_first_it_gives(bot_over):
    """ "What was her creatinine?" names no time: the value she came in with, as a clinician reads it, not the one
    eight months later; a question naming another point of the story keeps its own answer."""
    bot = one_paper(
        bot_over,
        "ain.md",
        "# Interstitial nephritis after a proton pump inhibitor\n\n## Case\n\nA 63-year-old woman taking "
        "esomeprazole was admitted with vomiting. Her serum creatinine was 1878 µmol/L and her urea 42 mmol/L.\n\nShe "
        "needed dialysis for four days. Eight months later her serum creatinine was still raised at 187 µmol/L.\n",
    )
    answer = bot.ask("What was the serum creatinine of the 63-year-old woman on esomeprazole?")
    assert "1878 µmol/L" in answer.citations[0].quote
    answer = bot.ask("What was the serum creatinine of the 63-year-old woman on esomeprazole at follow-up?")
    assert "187 µmol/L" in answer.citations[0].quote


def test_iv_in_a_question_is_the_route_not_a_class_iv_title(bot_over):
    """ "What IV steroid …?" once counted the lupus paper's "class IV" title as the question's word."""
    bot = cases_bot(bot_over, "63_*", "64_*")
    answer = bot.ask("What IV steroid regimen was he started on for the severe UC flare?")
    assert "intravenous hydrocortisone 100 mg every 6 hours" in answer.citations[0].quote


def test_a_follow_up_naming_no_drug_asks_the_dose_of_every_drug_of_its_context():
    from bot.answer import dose_drugs

    context = {"methotrexate": "methotrexate", "tocilizumab": "tocilizumab", "prednisolone": "prednisolone"}
    query = Query(
        "What dose?", "What dose?", np.zeros(3), [], list(context), kind="dose", words=context, own=set(context)
    )
    assert dose_drugs(query) == list(context)


def test_a_dose_question_that_names_the_patient_by_another_drug_quotes_the_drug_asked(bot_over):
    bot = cases_bot(bot_over, "0[1-3]_*.txt")
    answer = bot.ask("In the IVIG-refractory 2-year-old with Kawasaki disease, what infliximab dose was given?")
    assert "5 mg/kg" in answer.citations[0].quote


def test_a_dose_answer_never_adds_another_drugs_dose_as_a_further_quote(bot_over):
    """The cohort's diltiazem and pamidronate doses share "calcinosis", "dose" and "mg" with the
    question; they are not minocycline's dose, whatever the depth of the search."""
    bot = bot_over(
        {
            "minocycline.txt": "Minocycline for calcinosis in limited systemic sclerosis: a small case series\n\n"
            "Methods: Nine patients with limited cutaneous systemic sclerosis and painful calcinosis took "
            "minocycline 50 or 100 mg daily for a median of three and a half years.\n\n"
            "Results: Eight patients improved; their ulcers healed and the deposits shrank.\n",
            "cohort.txt": "Calcinosis in systemic sclerosis: a cohort from one centre\n\n"
            "In most patients calcinosis was treated with diltiazem at a mean dose of 180 mg/day, combined "
            "with pamidronate at a mean dose of 60 mg a month. Minocycline was tried in two patients.\n",
        }
    )
    for k in (5, 10):
        answer = bot.ask("What dose of minocycline was used for calcinosis?", k=k)
        assert "50 or 100 mg daily" in answer.citations[0].quote
        assert not any("diltiazem" in c.quote for c in answer.citations), [c.quote for c in answer.citations]


def test_a_dose_given_beside_another_drug_is_not_that_drugs_dose(bot_over):
    """ "She received 2 g of intravenous magnesium sulfate together with intravenous calcium gluconate": the
    2 g is magnesium's, and no sentence gives a calcium gluconate dose."""
    bot = cases_bot(bot_over, "79_*", "78_*")
    question = "What dose of {} was given to the 35-year-old woman with methadone-related torsades?"
    assert bot.ask(question.format("calcium gluconate")).abstained
    assert "2 g of intravenous magnesium sulfate" in bot.ask(question.format("magnesium sulfate")).citations[0].quote


@pytest.mark.parametrize(
    "text, not_stated, stated, quote",
    [
        (  # the dose is ciclosporin's, not the globulin's
            "Pure red cell aplasia with thymoma in a 71-year-old man\n\nTreatment\n\n"
            "The thymoma was resected, but his anaemia persisted. "
            "He next received a course of antithymocyte globulin together with cyclosporine A, which was started at "
            "5 mg/kg per day in two divided doses. His reticulocytes recovered within six weeks.\n",
            "What dose of antithymocyte globulin did the 71-year-old man with red cell aplasia get?",
            "What dose of cyclosporine did the 71-year-old man with red cell aplasia get?",
            "5 mg/kg per day",
        ),
        (  # the six weeks are amiloride's, so how long she took tacrolimus is not stated (thirty-fifth round)
            "Liddle syndrome after a kidney transplant in a 35-year-old woman\n\nTreatment\n\n"
            "Her hypertension and low potassium persisted. "
            "Tacrolimus was continued, and she was given amiloride for 6 weeks. Her potassium returned to normal.\n",
            "For how long was the 35-year-old woman with Liddle syndrome given tacrolimus?",
            "For how long was the 35-year-old woman with Liddle syndrome given amiloride?",
            "amiloride for 6 weeks",
        ),
    ],
)
def test_a_value_beside_a_drug_known_by_its_class_is_that_drugs(bot_over, text, not_stated, stated, quote):
    """ "… antithymocyte globulin together with cyclosporine A, which was started at 5 mg/kg per day", "Tacrolimus was
    continued, and she was given amiloride for 6 weeks": a dose or a duration in the part of a sentence naming a drug
    the vocabulary knows by its class (not by a drug-name ending) is that drug's, not the other's."""
    bot = bot_over({"paper.txt": text})
    assert bot.ask(not_stated).abstained
    assert quote in bot.ask(stated).citations[0].quote


def test_how_long_she_had_had_it_is_a_span_not_a_later_point_in_time(bot_over):
    """ "How long had he had …?" asks how long it had lasted when he came: "a 16-month history of …", not "At six
    months his weakness and bone pain had gone", a point in time after it (which answers "when")."""
    text = (
        "Tumour-induced osteomalacia from a tumour of the hand in a 55-year-old man\n\nCase presentation\n\n"
        "A 55-year-old man was seen with a 16-month history of worsening weakness. "
        "He had had two fractures of the ribs.\n\nOutcome and follow-up\n\n"
        "The tumour was removed in full. At six months his weakness and bone pain had gone and he had had no new "
        "fractures.\n"
    )
    question = "How long had the 55-year-old man had weakness and bone pain before he was seen?"
    assert "16-month history" in bot_over({"tio.txt": text}).ask(question).citations[0].quote


def test_a_dose_sentence_naming_no_drug_speaks_of_the_drug_before_it(bot_over):
    """ "She was started on prednisone 30 mg per day. The dose was then lowered … until a maintenance dose of
    5 mg per day": those are prednisone's doses, although the paper's title also names azathioprine."""
    bot = cases_bot(bot_over, "76_*", "77_*")
    question = "What azathioprine dose was used for maintenance in the 31-year-old woman with autoimmune pancreatitis?"
    assert bot.ask(question).abstained
    answer = bot.ask(
        "What maintenance dose of prednisone did the 31-year-old woman with autoimmune pancreatitis reach?"
    )
    assert "maintenance dose of 5 mg per day" in answer.citations[0].quote


def test_a_dose_part_naming_no_drug_continues_the_drug_before_it(bot_over):
    text = (
        "Methotrexate for a woman with psoriasis\n\nTreatment\n\n"
        "Methotrexate was started in March, followed by 15 mg weekly for six months. "
        "Folic acid was added. Her plaques cleared and she remained well at follow-up.\n"
    )
    answer = bot_over({"mtx.txt": text}).ask("What methotrexate dose did the woman with psoriasis take?")
    assert "15 mg weekly" in answer.citations[0].quote


@pytest.mark.parametrize(
    "question",
    [
        "What prednisolone dose was the pregnant 26-year-old with pustular psoriasis started on?",
        "What was the starting prednisolone dose for the pregnant 26-year-old with generalized pustular psoriasis?",
    ],
)
def test_the_dose_a_drug_was_started_on_is_not_the_maintenance_dose(bot_over, question):
    """ "Systemic prednisolone was begun at 32 mg once daily" and later "she stayed on a low maintenance dose of
    prednisolone, 4 mg once daily": the second names the dose word, the first answers."""
    bot = cases_bot(bot_over, "81_*", "80_*")
    answer = bot.ask(question)
    assert "begun at 32 mg once daily" in answer.citations[0].quote


def test_the_dose_a_patient_went_home_on_is_not_the_dose_she_was_started_on(bot_over):
    """A paper giving the prednisolone dose he was started on, and only that he was discharged, does not say what he
    went home on; a paper saying "discharged on prednisolone 20 mg" does."""
    story = (
        "Drug reaction in a young man\n\nCase presentation\n\n"
        "A 21-year-old man presented with fever, a widespread rash and raised liver enzymes three weeks after "
        "starting carbamazepine. Carbamazepine was stopped and he was started on oral prednisolone 40 mg per day. "
        "The rash faded over the following week and his liver enzymes returned to normal. {}\n"
    )
    question = "What prednisolone dose was the 21-year-old man with the drug reaction taking when he was discharged?"
    unsaid = bot_over({"dress.txt": story.format("He was discharged home on day 12.")})
    assert unsaid.ask(question).abstained
    said = bot_over({"dress.txt": story.format("He was discharged on prednisolone 20 mg per day, to be tapered.")})
    assert "discharged on prednisolone 20 mg" in said.ask(question).citations[0].quote


def test_a_case_told_in_the_present_tense_states_the_patients_dose(bot_over):
    """Some case reports tell the story in the present ("Prednisolone 40 mg daily is started."): in the case's own
    section that is the patient's dose, not the condition's, while the discussion's present tense stays general."""
    text = (
        "Sarcoidosis with hypercalcaemia (case report)\n\nCase presentation\n\n"
        "A 34-year-old woman presents with thirst, fatigue and a serum calcium of 3.2 mmol/L. Hilar lymph nodes are "
        "enlarged and a biopsy shows non-caseating granulomas. Prednisolone 40 mg daily is started. Her calcium is "
        "normal after two weeks.\n\nDiscussion\n\nHypercalcaemia of sarcoidosis responds to glucocorticoids. "
        "Hydroxychloroquine 200 mg twice daily is an alternative when steroids are not tolerated.\n"
    )
    bot = bot_over({"sarcoid.txt": text})
    answer = bot.ask("What prednisolone dose was the 34-year-old woman with sarcoidosis started on?")
    assert "Prednisolone 40 mg daily is started" in answer.citations[0].quote
    assert bot.ask("What hydroxychloroquine dose did the 34-year-old woman with sarcoidosis take?").abstained


def short_case(condition: str, age: int, story: str, discussion: str = "") -> str:
    """A short case report: a woman presenting with `condition`, her `story`, her going home, then a discussion."""
    return (
        f"{condition} in a {age}-year-old woman (case report)\n\nCase presentation\n\nA {age}-year-old woman "
        f"presented with {condition.lower()} after three days of symptoms. Examination was otherwise unremarkable. "
        f"{story} She improved over the next week and went home.\n\nDiscussion\n\n"
        f"{discussion or condition + ' is common and its causes are many.'}\n"
    )


def test_a_result_in_no_laboratory_unit_is_the_level_asked(bot_over):
    """ "The arterial pH was 7.08" and "The ESR was 110 mm/h" state the level asked ("What was the … level?"), and a
    paper saying only that the ESR was raised does not."""
    bot = bot_over(
        {
            "ph.txt": short_case("Metformin poisoning", 41, "The arterial pH was 7.08."),
            "esr.txt": short_case("Temporal arteritis", 72, "The ESR was 110 mm/h."),
            "raised.txt": short_case("Polymyalgia rheumatica", 68, "The ESR was raised."),
        }
    )
    answer = bot.ask("What was the arterial pH level in the 41-year-old woman with metformin poisoning?")
    assert "pH was 7.08" in answer.citations[0].quote
    answer = bot.ask("What was the ESR level in the 72-year-old woman with temporal arteritis?")
    assert "ESR was 110 mm/h" in answer.citations[0].quote
    assert bot.ask("What was the ESR level in the 68-year-old woman with polymyalgia rheumatica?").abstained


def test_an_amount_whose_unit_is_joined_by_a_hyphen_is_a_dose(bot_over):
    """ "She had swallowed twenty 500-mg paracetamol tablets" states how much she took: the dose question was refused
    as undosed while the amount's unit was joined to it by a hyphen."""
    story = "She had swallowed twenty 500-mg paracetamol tablets the night before."
    bot = bot_over({"apap.txt": short_case("Paracetamol overdose", 30, story)})
    answer = bot.ask("How much paracetamol did the 30-year-old woman with paracetamol overdose take?")
    assert not answer.abstained and "twenty 500-mg paracetamol tablets" in answer.citations[0].quote


def test_when_a_drug_was_started_is_answered_only_by_a_sentence_timing_that_drug(bot_over):
    """ "When was she started on infliximab?" over "Infliximab was started." is refused, not answered with another
    time of her story ("after three days of symptoms"); a day, a date or an event it followed answers it (the event
    is quoted, though not first: a sentence with a time shape still ranks above it, see bot/scoring.py)."""
    bot = bot_over(
        {
            "none.txt": short_case("Kawasaki disease", 22, "Infliximab was started."),
            "day.txt": short_case("Giant cell arteritis", 71, "Tocilizumab was started on day 5."),
            "event.txt": short_case("Sarcoidosis", 45, "Methotrexate was added after prednisolone failed."),
        }
    )
    assert bot.ask("When was the 22-year-old woman with Kawasaki disease started on infliximab?").abstained
    answer = bot.ask("When was the 71-year-old woman with giant cell arteritis started on tocilizumab?")
    assert "on day 5" in answer.citations[0].quote
    answer = bot.ask("When was the 45-year-old woman with sarcoidosis started on methotrexate?")
    assert any("after prednisolone failed" in c.quote for c in answer.citations)


def test_how_long_she_was_followed_is_answered_only_by_a_duration_of_her_follow_up(bot_over):
    """ "How long was she followed up?" over "She remained well at follow-up." is refused, not answered with how long
    she took prednisolone; "At 18 months of follow-up she remained well." answers it."""
    course = "Prednisolone was given for 6 weeks."
    bot = bot_over(
        {
            "none.txt": short_case("Sarcoidosis", 45, f"{course} She remained well at follow-up."),
            "said.txt": short_case("Pemphigus vulgaris", 52, f"{course} At 18 months of follow-up she remained well."),
        }
    )
    assert bot.ask("How long was the 45-year-old woman with sarcoidosis followed up?").abstained
    answer = bot.ask("How long was the 52-year-old woman with pemphigus vulgaris followed up?")
    assert "18 months of follow-up" in answer.citations[0].quote


def test_how_many_courses_is_answered_only_by_a_count_of_those_courses(bot_over):
    """ "How many pulses of cyclophosphamide …?" over "She was treated with cyclophosphamide." is refused, not answered
    with "She had been admitted twice before"; a count beside the word counted, "times" or the drug answers it."""
    before = "She had been admitted twice before."
    bot = bot_over(
        {
            "none.txt": short_case("Lupus nephritis", 27, f"{before} She was treated with cyclophosphamide."),
            "said.txt": short_case("Myasthenic crisis", 39, f"{before} She received five sessions of plasma exchange."),
            "times.txt": short_case("Pemphigus vulgaris", 52, f"{before} Rituximab was given four times."),
        }
    )
    assert bot.ask(
        "How many pulses of cyclophosphamide did the 27-year-old woman with lupus nephritis receive?"
    ).abstained
    answer = bot.ask("How many sessions of plasma exchange did the 39-year-old woman with myasthenic crisis have?")
    assert "five sessions" in answer.citations[0].quote
    answer = bot.ask("How many times was rituximab given to the 52-year-old woman with pemphigus vulgaris?")
    assert "four times" in answer.citations[0].quote
    answer = bot.ask("How many doses of rituximab did the 52-year-old woman with pemphigus vulgaris receive?")
    assert "four times" in answer.citations[0].quote  # a count question, not refused as a dose without a unit


def test_a_common_abbreviation_is_answered_from_a_paper_writing_only_its_long_form(bot_over):
    """ "What was the WBC …?" over "Her white cell count was 18.4 x 10^9/L." was refused: WBC counted as something
    the paper never mentions, since "white cell count" does not spell it."""
    bot = bot_over(
        {
            "wbc.txt": short_case("Septic arthritis", 63, "Her white cell count was 18.4 x 10^9/L."),
            "mg.txt": short_case("Eclampsia", 22, "Magnesium sulphate 4 g was given intravenously."),
        }
    )
    answer = bot.ask("What was the WBC of the 63-year-old woman with septic arthritis?")
    assert "18.4" in answer.citations[0].quote
    answer = bot.ask("What dose of MgSO4 was given to the 22-year-old woman with eclampsia?")
    assert "4 g" in answer.citations[0].quote


def test_a_dose_in_a_sentence_naming_two_drugs_is_the_dose_of_the_drug_it_belongs_to(bot_over):
    """ "She received ceftriaxone 2 g daily and metronidazole." gives no metronidazole dose (the drug a writer most
    often asks about when its dose is not given); a dose belongs to the drug named right after it ("500 mg three
    times daily of metronidazole"), else to the last one named before it."""
    both = "She received 2 g of ceftriaxone and 500 mg three times daily of metronidazole."
    bot = bot_over(
        {
            "one.txt": short_case("Liver abscess", 41, "She received ceftriaxone 2 g daily and metronidazole."),
            "both.txt": short_case("Lung abscess", 57, both),
            "added.txt": short_case("Septic arthritis", 63, "Metronidazole was added to ceftriaxone 2 g daily."),
        }
    )
    assert bot.ask("What dose of metronidazole was the 41-year-old woman with liver abscess given?").abstained
    assert bot.ask("What dose of metronidazole was the 63-year-old woman with septic arthritis given?").abstained
    answer = bot.ask("What dose of ceftriaxone was the 41-year-old woman with liver abscess given?")
    assert "ceftriaxone 2 g daily" in answer.citations[0].quote
    answer = bot.ask("What dose of metronidazole was the 57-year-old woman with lung abscess given?")
    assert "500 mg three times daily of metronidazole" in answer.citations[0].quote


def test_how_long_a_drug_was_given_is_answered_only_by_that_drugs_duration(bot_over):
    """ "She received metronidazole. Ceftriaxone was continued for 6 weeks." does not say how long she had
    metronidazole; "She completed a 6-week course of ceftriaxone." says how long she had ceftriaxone. A question on how
    long something took while on a drug is not about the drug's course."""
    unsaid = "She received metronidazole. Ceftriaxone was continued for 6 weeks."
    bot = bot_over(
        {
            "unsaid.txt": short_case("Liver abscess", 41, unsaid),
            "said.txt": short_case("Lung abscess", 57, "She completed a 6-week course of ceftriaxone."),
        }
    )
    assert bot.ask("For how long was the 41-year-old woman with liver abscess given metronidazole?").abstained
    answer = bot.ask("For how long was the 57-year-old woman with lung abscess given ceftriaxone?")
    assert "6-week course of ceftriaxone" in answer.citations[0].quote
    answer = bot.ask("How long did it take for the 41-year-old woman with liver abscess to improve on metronidazole?")
    assert not answer.abstained


def test_a_value_belongs_to_the_test_named_in_its_own_clause(bot_over):
    """ "Potassium was requested, and sodium was 118 mmol/L" gives the sodium, not the potassium."""
    bot = bot_over({"na.txt": short_case("Confusion", 77, "Potassium was requested, and sodium was 118 mmol/L.")})
    assert bot.ask("What was the potassium level of the 77-year-old woman with confusion?").abstained
    answer = bot.ask("What was the sodium level of the 77-year-old woman with confusion?")
    assert "sodium was 118 mmol/L" in answer.citations[0].quote


def test_a_dose_question_naming_no_known_drug_abstains_when_no_dose_is_stated(bot_over):
    """The methanol paper says he was "given ethanol intravenously" and never how much; ethanol has no drug-name
    stem, so only the rule that some dose must be stated refuses the question."""
    bot = cases_bot(bot_over, "53_*", "52_*")
    assert bot.ask("How much ethanol was infused for the 28-year-old with inhaled methanol poisoning?").abstained


def test_a_weight_or_a_share_is_no_dose_of_the_drug_in_the_papers_title(bot_over):
    """The diabetes insipidus paper says "Desmopressin was started" and gives her weight (53 kg) and HbA1c (5.3%),
    never a desmopressin dose; the lead paper gives the toddler's weight (14.9 kg) and no succimer dose."""
    bot = cases_bot(bot_over, "101_*", "96_*")
    for question in (
        "What desmopressin dose was the 38-year-old woman with gestational diabetes insipidus started on?",
        "What succimer dose in mg/kg was the 2-year-old boy with paint-chip lead poisoning given?",
    ):
        assert bot.ask(question).abstained, question


def test_a_drug_level_is_the_level_of_the_drug_the_question_names(bot_over):
    """ "The drug level" of an infant on flecainide is "A serum flecainide concentration, taken 1 hour before the
    arrest, was 1360 µg/L" (its test is named before a clause set off by commas)."""
    bot = cases_bot(bot_over, "97_*", "96_*")
    answer = bot.ask("What was the drug level in the blood of the 18-day-old infant who collapsed on flecainide?")
    assert "was 1360 µg/L" in answer.citations[0].quote


def test_the_british_name_of_a_drug_and_a_class_word_find_the_patients_dose(bot_over):
    """Also: a test's value is the first quote only when the sentence names the test ("15% alcohol" is a share
    too, of no lactate)."""
    bot = cases_bot(bot_over, "102_*", "103_*")
    answer = bot.ask(
        "What was the lactate level of the diabetic woman with schizophrenia who took a metformin overdose with "
        "rice wine?"
    )
    assert "lactate of 119 mg/dL" in answer.citations[0].quote
    answer = bot.ask(
        "How fast was the norepinephrine drip running when the 44-year-old woman who overdosed on metformin "
        "and sake arrived in shock?"
    )
    assert "noradrenaline infusion at 0.13 μg/kg per minute" in answer.citations[0].quote
    answer = bot.ask(
        "What weight-based dose of the antiparasitic drug did the 45-year-old with COVID pneumonia get as a single "
        "dose on day 8?"
    )
    assert "ivermectin 200 µg/kg" in answer.citations[0].quote


def test_whether_a_treatment_was_given_is_said_by_the_sentence_starting_it_not_stopping_it(bot_over):
    """ "… the mechanical support was withdrawn" says he had it, after the sentence saying it was implanted."""
    bot = cases_bot(bot_over, "55_*", "56_*")
    answer = bot.ask("Did the man with fulminant myocarditis receive biventricular mechanical support?")
    assert "a biventricular CentriMag device was implanted" in answer.citations[0].quote


def test_an_amount_asked_in_a_unit_is_answered_only_by_a_number_in_that_unit(bot_over):
    """The pancreatitis paper says he was started on atorvastatin 80 mg and a continuous insulin infusion, never at
    how many units per kilogram per hour; the vitamin D paper offers furosemide 1 mg/kg "once the child is
    rehydrated" in its discussion, a sentence on the condition, not on the 9-month-old."""
    bot = cases_bot(bot_over, "45_*", "92_*")
    for question in (
        "At what rate in units per kilogram per hour was the insulin infused in the 45-year-old with "
        "hypertriglyceridaemic pancreatitis?",
        "What dose of furosemide in mg/kg was the 9-month-old with vitamin D intoxication given?",
    ):
        assert bot.ask(question).abstained, question
    answer = bot.ask(
        "How many mg of atorvastatin was the 45-year-old with hypertriglyceridaemic pancreatitis started on?"
    )
    assert "atorvastatin 80 mg once daily" in answer.citations[0].quote


def test_a_class_named_by_its_action_is_answered_by_a_drug_of_it(bot_over):
    """ "Which luminal amoebicide …?" asks for a drug, as "Which antibiotic …?" does: the sentence naming
    paromomycin, not the one on his earlier infection."""
    bot = cases_bot(bot_over, "94_*", "93_*")
    answer = bot.ask("Which luminal amoebicide did the 32-year-old man get, and for how long?")
    assert "paromomycin" in answer.citations[0].quote


def test_how_a_diagnosis_was_confirmed_is_answered_by_the_test_that_came_back_positive(bot_over):
    bot = cases_bot(bot_over, "37_*", "38_*")
    answer = bot.ask("How was the leptospiral infection confirmed in the 45-year-old man with jaundice and gangrene?")
    assert "The microscopic agglutination test for leptospiral antibodies was positive" in answer.citations[0].quote


def test_a_papers_title_line_is_not_the_answer(bot_over):
    """The title says "treated with short-course amphotericin B"; the reason the course was short is in
    the treatment section."""
    bot = cases_bot(bot_over, "73_*", "74_*")
    question = (
        "Why was the amphotericin course cut to three days for the HIV-positive woman with cryptococcal meningitis?"
    )
    answer = bot.ask(question)
    assert answer.citations[0].quote.startswith("Because the culture showed a low fungal burden")


def test_a_title_line_split_into_sentences_is_still_the_title(bot_over):
    """ "… methylprednisolone (case report abstract; J-STAGE, jsicm vol. 7 no. 1)" splits at "vol." and "no.";
    no part of it answers what the bronchoalveolar lavage showed, which the paper never says."""
    bot = cases_bot(bot_over, "83_*", "82_*")
    question = (
        "What percentage of eosinophils was in the lavage fluid of the 22-year-old man who took up heavy smoking?"
    )
    title = Path(next(CASES.glob("**/docs/83_*"))).read_text(encoding="utf-8").split("\n", 1)[0]
    assert not any(c.quote in title for c in bot.ask(question).citations)


def test_a_treatment_only_the_discussion_names_was_not_given_to_the_patient(bot_over):
    """The chorea paper's discussion says secondary prophylaxis "continues with benzathine penicillin"; the
    boy's story never says he had it."""
    text = (
        "Sydenham chorea in a boy\n\nCase presentation\n\nA 10-year-old boy had jerking movements of his right arm "
        "and leg. He was treated with haloperidol, and the movements settled within two weeks.\n\nDiscussion\n\n"
        "Secondary prophylaxis then continues with benzathine penicillin every 3-4 weeks for at least 10 years.\n"
    )
    bot = bot_over({"chorea.txt": text})
    assert bot.ask("Did the 10-year-old boy with Sydenham chorea get benzathine penicillin injections?").abstained
    assert "haloperidol" in bot.ask("Was the 10-year-old boy with Sydenham chorea given haloperidol?").text


def test_a_what_triggered_question_is_answered_by_the_cause(bot_over):
    bot = cases_bot(bot_over, "83_*", "82_*")
    answer = bot.ask("What was thought to have set off the eosinophilic pneumonia in the 22-year-old motorcyclist?")
    assert "heavy smoking had triggered it" in answer.citations[0].quote


def test_a_short_sentence_that_states_a_finding_is_an_answer(bot_over):
    from bot.answer import quotable

    assert quotable("Nothing suggested amyloidosis.") and quotable("Cultures were negative.")
    assert not quotable("Retrospective descriptive study.") and not quotable("Randomised controlled trial.")
    assert quotable("Ferritin: 1,250 ng/mL.")  # a result written as a label and its value
    bot = cases_bot(bot_over, "77_*", "76_*")
    answer = bot.ask("Was there any sign of amyloidosis in the 35-year-old woman with FMF?")
    assert answer.citations[0].quote == "Nothing suggested amyloidosis."


def test_a_papers_bibliographic_lines_are_never_quoted():
    from bot.answer import quotable

    for line in (
        "Letter to the editor, Indian Journal of Dermatology, volume 56, issue 3 (2011), pages 357-359",
        "Authors: Feroze Kaliyadan, S Venkitakrishnan. PMCID: PMC3132933; PMID: 21772617",
        "Journal: Annals of the Rheumatic Diseases, 1 March 2003",
        "Keywords: calcinosis cutis, sodium thiosulfate",
    ):
        assert not quotable(line), line
    assert quotable("She responded to weekly alendronate within six months.")


def test_a_test_whose_value_comes_after_many_mentions_is_still_a_test(bot_over, monkeypatch):
    """Whether "ferritin" is a test is decided by the first passages naming it that give a laboratory
    value. They are looked for a few rows at a time (at 1M passages a test's name is in tens of
    thousands), so the search must go on past passages that name it without a value."""
    monkeypatch.setattr(retrieve, "SHAPES_READ_AT_ONCE", 1)
    sections = [
        f"## Part {i}\n\nFerritin is discussed in part {i} of this review of how iron stores are judged in clinic."
        for i in range(1, 6)
    ]
    paper = "# Iron stores in practice\n\n" + "\n\n".join(sections)
    paper += "\n\n## Case\n\nA 66-year-old woman was admitted with fatigue. Her serum ferritin was 114 ng/mL.\n"
    bot = bot_over({"iron.md": paper}, model=HASHING_MODEL)
    assert bot.analyse("What was the ferritin of the 66-year-old woman?").measured == {"ferritin"}


def test_an_abbreviated_test_is_a_test_where_the_paper_spells_it_out(bot_over):
    """ "What was the CRP …?" asks a test when the patient's paper gives "C-reactive protein" a value: the
    abbreviation (learned from another paper) and its long form are one test, so the question expects a
    laboratory value and its answer is the sentence stating it, not the one describing her."""
    bot = bot_over(
        {
            "review.md": "# Markers of inflammation\n\nC-reactive protein (CRP) rises within hours of an infection.\n",
            "case.md": "# Chest pain in sickle cell disease\n\nA 24-year-old woman with sickle cell disease had chest "
            "pain.\n\nC-reactive protein was 103 mg/dL and ferritin 741 ug/L.\n",
        },
        model=HASHING_MODEL,
    )
    assert bot.analyse("What was the CRP of the 24-year-old woman?").measured == {"crp", "@crp"}


def test_the_condition_naming_the_patient_is_not_the_treatment_asked_about(bot_over):
    """In "Was labetalol given to the woman with eclampsia and PRES?" the concept PRES says who she is; the
    treatment asked about is labetalol (or plasma exchange), whose sentences say whether she had it."""
    bot = bot_over(
        {
            "pres.md": "# Eclampsia\n\nPosterior reversible encephalopathy syndrome (PRES) followed the seizures of a "
            "35-year-old woman.\n\nHer seizure was treated with propofol and labetalol.\n"
        },
        model=HASHING_MODEL,
    )
    assert bot.analyse("Was labetalol given to the 35-year-old woman with eclampsia and PRES?").given == {"labetalol"}
    given = bot.analyse("Was plasma exchange used in the 35-year-old woman with eclampsia and PRES?").given
    assert "@tpe" in given and "@pres" not in given


def test_a_level_written_without_a_unit_answers_a_question_for_it(bot_over):
    """ "The first serum sodium was 114." states the sodium: the question is neither refused for want of a unit
    nor answered by the sentence introducing the patient."""
    bot = bot_over(
        {
            "potomania.md": "# Beer potomania\n\n## Case\n\nA 63-year-old man who drank beer heavily was brought in "
            "confused.\n\nThe first serum sodium was 114. He was given hypertonic saline.\n"
        },
        model=HASHING_MODEL,
    )
    answer = bot.ask("What was the serum sodium of the 63-year-old beer drinker on arrival?")
    assert answer.citations and answer.citations[0].quote == "The first serum sodium was 114."
    measured = bot.analyse("What was the sodium of the 63-year-old beer drinker?").measured
    assert measured == {"sodium", "@na"}  # a test, and its concept (the vocabulary's "Na")


def test_a_test_named_as_the_subject_of_its_value_states_it_however_far_the_value(bot_over):
    """ "The digoxin level in blood drawn on arrival was reported only after death, at 44 ng/mL" states the digoxin
    level; a test named in passing before another value ("digoxin toxicity, with a potassium of 6.1 mmol/L") does not."""
    paper = (
        "# Digoxin poisoning\n\n## Case\n\nA 54 kg patient had taken digoxin tablets that were not prescribed. "
        "The digoxin level in blood drawn on arrival was reported only after death, at 44 ng/mL.\n"
    )
    bot = bot_over({"digoxin.md": paper}, model=HASHING_MODEL)
    answer = bot.ask("What digoxin concentration was measured in the blood of the 54 kg patient on arrival?")
    assert not answer.abstained and "44 ng/mL" in answer.citations[0].quote
    passing = paper.replace("The digoxin level in blood drawn on arrival was reported only after death, at 44 ng/mL",
                            "Digoxin toxicity was suspected, with a serum potassium of 6.1 mmol/L")  # fmt: skip
    bot = bot_over({"digoxin.md": passing}, model=HASHING_MODEL)
    assert bot.ask("What digoxin concentration was measured in the blood of the 54 kg patient on arrival?").abstained


def test_the_paper_naming_what_the_question_names_is_the_one_asked_about(bot_over, monkeypatch):
    """The toddler's IVIG paper shares more of the question's words, but never mentions an anti-TNF drug: the paper
    ranked next that gives infliximab is the one asked about, so the bot answers from it instead of abstaining for
    want of "anti-TNF" in the top paper (scoring.NAMING_PAPER_HITS)."""
    papers = {
        "ivig.md": "# Kawasaki disease in a toddler treated with immunoglobulin\n\n## Case\n\nA toddler aged 2 with "
        "Kawasaki disease received intravenous immunoglobulin on illness day 4 and again on illness day 6, with "
        "aspirin. The fever of the toddler settled on illness day 8, and antibody tests for other infections were "
        "negative.\n",
        "ifx.md": "# Refractory Kawasaki disease\n\n## Case\n\nA 3-year-old boy with Kawasaki disease stayed febrile "
        "after two courses of immunoglobulin. Because inflammation was still active, infliximab was infused "
        "intravenously at 5 mg/kg on day 9.\n",
    }
    bot = bot_over(papers)
    question = "On which illness day did the toddler receive the anti-TNF antibody, and how much?"
    answer = bot.ask(question)
    assert not answer.abstained and "infliximab" in answer.citations[0].quote
    monkeypatch.setattr(retrieve, "NAMING_PAPER_HITS", 1)  # the top paper alone: it never names one
    assert bot.ask(question).abstained


def test_a_dose_naming_what_it_is_of_is_no_dose_of_the_drug_before_it(bot_over):
    """ "148 mg of calcium" names its substance: it does not speak of the furosemide of the sentence before, so the
    paper states no furosemide dose and the question is refused."""
    bot = bot_over(
        {
            "vitd.md": "# Vitamin D intoxication\n\n## Case\n\nA 9-month-old girl was treated with intravenous fluids, "
            "furosemide and calcitonin. Her daily intake on the diet was 148 mg of calcium and 8 units of vitamin D.\n"
        },
        model=HASHING_MODEL,
    )
    assert bot.ask("What dose of furosemide was the 9-month-old girl given?").abstained


def test_the_first_value_asked_is_that_of_the_test_asked(bot_over):
    """ "What INR did he have when he arrived?": the earliest INR of his story, not the earliest value of any test."""
    bot = bot_over(
        {
            "apap.md": "# Late paracetamol overdose\n\n## Case\n\nOn arrival his AST was 6,628 units/L. Clotting was "
            "deranged, with an INR of 5.77.\n\nHe was given acetylcysteine. His liver tests improved, and the INR came "
            "back to 0.89.\n"
        },
        model=HASHING_MODEL,
    )
    answer = bot.ask("What INR did the man with the paracetamol overdose have when he arrived?")
    assert answer.citations[0].quote == "Clotting was deranged, with an INR of 5.77."


def test_a_capitalised_abbreviation_naming_the_patient_is_found_spelled_out(bot_over):
    """ "the man who presented with a STEMI" is not refused as naming something his paper never mentions: it
    writes "ST-elevation myocardial infarction"."""
    bot = bot_over(
        {
            "scad.md": "# Coronary dissection in a young man\n\n## Case\n\nA 33-year-old man had chest pain; the ECG "
            "showed an ST-elevation myocardial infarction.\n\nAngiography showed dissection of the left anterior "
            "descending artery.\n"
        },
        model=HASHING_MODEL,
    )
    answer = bot.ask("Which coronary artery was dissected in the 33-year-old man who presented with a STEMI pattern?")
    assert not answer.abstained


def test_only_a_test_makes_a_question_ask_for_a_laboratory_value(bot_over):
    """Ferritin and serum sodium are tests; "urinary symptoms" names a specimen but no analyte, and
    the outcome is never given a laboratory value, so neither must be answered with one or refused."""
    bot = cases_bot(bot_over, "03_*", "04_*", model=HASHING_MODEL)
    assert bot.analyse("What was the ferritin of the 66-year-old woman?").measured == {"ferritin"}
    assert bot.analyse("What was the serum sodium of the 66-year-old woman?").measured == {"serum", "sodium", "@na"}
    assert bot.analyse("What urinary symptoms did the 66-year-old woman have?").measured == set()
    assert bot.analyse("What was the outcome of the 56-year-old man?").measured == set()


def test_the_words_naming_the_patient_do_not_make_his_introduction_the_answer(bot_over):
    """ "the 49-year-old Japanese man" finds his paper; the sentence introducing him ("A 49-year-old Japanese
    man … came to hospital after two weeks …") repeats those words but does not say how long he stayed."""
    bot = cases_bot(bot_over, "55_*")
    answer = bot.ask("How long was the 49-year-old Japanese man in hospital before he was discharged?")
    assert answer.citations[0].quote.startswith("He went home after 37 days in hospital")


def test_a_why_question_is_answered_by_the_sentence_giving_the_reason(bot_over):
    bot = cases_bot(bot_over, "48_*")
    answer = bot.ask(
        "Why did the poison centre hold off on recommending the antidote straight away for the 54 kg patient?"
    )
    assert answer.citations[0].quote.startswith("Because no significant signs or symptoms accompanied")


def test_a_dose_question_is_not_answered_by_concentrations_measured_later(bot_over):
    """ "C-reactive protein had fallen to 0.4 mg/dL" is a level, not the anakinra dose."""
    bot = cases_bot(bot_over, "65_*", "64_*", "16_*")
    answer = bot.ask("What dose of anakinra was the wheelchair-bound man with tophaceous gout started on?")
    assert "anakinra, 100 mg a day" in answer.citations[0].quote


def test_a_question_naming_a_drug_class_is_answered_by_the_sentence_naming_its_member(bot_over):
    """Her paper writes "a heparin infusion" and "oral azithromycin", never "anticoagulated" or "macrolide":
    a drug's class is known by the vocabulary's members and by its INN stem ("-thromycin")."""
    bot = cases_bot(bot_over, "93_*.txt", "85_*.txt")
    answer = bot.ask("Was the 27-year-old woman with catastrophic antiphospholipid syndrome anticoagulated?")
    assert "heparin infusion" in answer.citations[0].quote
    answer = bot.ask(
        "Was a macrolide part of the admission regimen for the 24-year-old woman with acute chest syndrome?"
    )
    assert any("azithromycin" in c.quote for c in answer.citations)


def test_a_sentence_naming_another_known_drug_gives_no_dose_of_the_drug_asked(bot_over):
    """Her paper's title names magnesium; "She was taking methadone 180 mg per day" names a drug the vocabulary
    knows (an opioid), so it is methadone's dose, not the magnesium dose asked for."""
    bot = cases_bot(bot_over, "79_*.txt")
    answer = bot.ask(
        "What dose of IV magnesium was given for the first bout of torsades in the 35-year-old on methadone maintenance?"
    )
    assert "2 g of intravenous magnesium" in answer.citations[0].quote
    assert not any("methadone 180 mg" in c.quote for c in answer.citations)


def test_ward_shorthand_is_read_as_the_name_the_paper_writes(bot_over):
    """ "5-FC" is flucytosine and "serum Na" the serum sodium, as a drug chart and a results sheet write them: the
    dose question was answered with another drug's sentence, the level question refused."""
    bot = cases_bot(bot_over, "73_*", "49_*")
    answer = bot.ask(
        "At what dose was 5-FC given to the HIV-positive Ugandan woman with antigen-negative cryptococcal meningitis?"
    )
    assert "flucytosine at 100 mg/kg" in answer.citations[0].quote
    answer = bot.ask("What was the serum Na of the pregnant woman with the acute porphyria attack?")
    assert "Serum sodium was low at 123 mmol/L" in answer.citations[0].quote


def test_a_count_of_a_named_thing_is_answered_by_a_sentence_naming_it(bot_over):
    """ "How many units of cryoprecipitate …?" is not answered by "two units of fresh frozen plasma", however well
    that sentence matches the rest of the question, and the other way round."""
    bot = one_paper(
        bot_over,
        "afe.md",
        "# Amniotic fluid embolism\n\n## Case\n\nA 32-year-old woman collapsed during a caesarean section. While the "
        "bleeding continued she received two units of fresh frozen plasma and one unit of packed red cells.\n\nOnce "
        "the coagulation results were back, four units of cryoprecipitate were transfused, and the bleeding stopped.\n",
    )
    for asked, told in [
        ("cryoprecipitate", "four units of cryoprecipitate"),
        ("cryo", "four units of cryoprecipitate"),  # the ward's word for it
        ("fresh frozen plasma", "two units of fresh frozen plasma"),
        ("FFP", "two units of fresh frozen plasma"),
    ]:
        answer = bot.ask(f"How many units of {asked} did the 32-year-old woman receive while she was bleeding?")
        assert told in answer.citations[0].quote, asked


def test_which_drug_of_a_class_is_refused_when_her_story_names_none(bot_over):
    """ "Which antibiotic …?" asks for a drug's name: "he was given antibiotics" names none, and a paper that does not
    say which has no answer; a paper naming ceftriaxone has one."""
    story = (
        "# Brucellosis in a migrant worker\n\n## Case\n\nA 25-year-old man had three weeks of fever. Typhoid was "
        "suspected and he was given {} for a week, without effect.\n\nBlood cultures then grew Brucella.\n"
    )
    question = "Which antibiotic was the 25-year-old man given when typhoid was suspected?"
    quotes = refused_until_told(bot_over, story, question, told="ceftriaxone", untold="oral antibiotics")
    assert "ceftriaxone" in quotes[0]


def test_a_count_of_courses_stands_beside_what_it_counts(bot_over):
    """ "How many infusions of infliximab …?" is not answered by "infliximab 5 mg/kg was given on day 6": a dose and a
    day are no count of infusions; "three infusions of infliximab" and "given four more times" are."""
    story = (
        "# Acute severe colitis\n\n## Case\n\nA 23-year-old man with ulcerative colitis did not respond to "
        "intravenous steroids. {given}\n\nHe went home on day 14.\n"
    )
    question = "How many infusions of infliximab did the 23-year-old man with colitis get?"
    for given, answered in [
        ("Infliximab 5 mg/kg was given on day 6 as rescue therapy.", False),
        ("He received three infusions of infliximab 5 mg/kg.", True),
        ("Infliximab 5 mg/kg was given on day 6, and then four more times.", True),
    ]:
        bot = one_paper(bot_over, "colitis.md", story.format(given=given))
        assert bot.ask(question).abstained is not answered, given


def test_a_level_asked_at_discharge_needs_a_sentence_saying_so(bot_over):
    """Asked the platelet count at discharge, a paper giving only the one on admission has no answer (as for the dose
    she went home on); a paper saying what it was at discharge has one."""
    story = (
        "# Vaccine-induced thrombosis\n\n## Case\n\nA 53-year-old woman had a headache ten days after her vaccine. "
        "Her platelet count was 40 x 10^9/L on admission.{}\n\nShe was treated with immunoglobulin.\n"
    )
    question = "What was the platelet count at discharge in the 53-year-old woman with vaccine-induced thrombosis?"
    quotes = refused_until_told(bot_over, story, question, told=" At discharge her platelet count was 182 x 10^9/L.")
    assert "182 x 10^9/L" in quotes[0]


def test_a_history_question_is_refused_when_her_story_does_not_tell_that_part(bot_over):
    """ "Is he a smoker?" is answered by a sentence of his story on smoking, and refused when only the discussion
    mentions smokers."""
    from bot.answer import history_topics

    story = (
        "# Delayed sequelae of carbon monoxide poisoning\n\n## Case\n\nA 55-year-old man was found in a tent with "
        "a charcoal stove.{} His carboxyhaemoglobin was 18%.\n\n## Discussion\n\nSmokers can have a "
        "carboxyhaemoglobin of up to 10% at baseline.\n"
    )
    question = "Is the 55-year-old man with carbon monoxide poisoning a smoker?"
    assert "He was a heavy smoker." in refused_until_told(bot_over, story, question, told=" He was a heavy smoker.")
    assert len(history_topics("Did the 40-year-old man who drank antifreeze drink alcohol every day?")) == 1


def test_a_rare_drug_named_only_among_the_options_was_not_given_to_her(bot_over):
    """ "Was fomepizole used …?" over a paper whose discussion lists fomepizole among the antidotes and whose story
    gives ethanol: the story does not say he had it (a drug's name neither a stem nor the vocabulary knows, but rare
    in English, counts as one)."""
    story = (
        "# Inhaled methanol poisoning\n\n## Case\n\nA 28-year-old man who worked in a laboratory had blurred vision. "
        "He was given intravenous ethanol and haemodialysis.{}\n\n## Discussion\n\nFomepizole or ethanol block alcohol "
        "dehydrogenase and are the antidotes of choice.\n"
    )
    question = "Was fomepizole used in the 28-year-old man with methanol poisoning?"
    assert refused_until_told(bot_over, story, question, told=" Fomepizole was added on day 2.")[0] == (
        "Fomepizole was added on day 2."
    )
