"""Hybrid retrieval: fusion, paper names in questions, diversity, and the LangChain face."""

import pytest
from conftest import REPORT
from langchain_core.documents import Document

from bot.langchain_retriever import CaseBotRetriever

pytestmark = pytest.mark.model  # these tests judge the real model's answers

PAPERS = {
    "sts-fingertip.txt": "Topical sodium thiosulfate for fingertip calcinosis\n\nCASE REPORT\n\nA 54-year-old woman with "
    "CREST syndrome had painful fingertip calcinosis. Topical sodium thiosulfate (STS) 20% was applied twice daily. "
    "After 3 months the deposits had cleared and the pain resolved.\n",
    "rituximab-jdm.txt": "Rituximab in juvenile dermatomyositis with calcinosis\n\nCASE REPORT\n\nA 12-year-old girl with "
    "juvenile dermatomyositis developed calcinosis of both elbows. Rituximab 375 mg/m2 weekly for four weeks was "
    "given. The calcinosis regressed over two years.\n",
    "warfarin.txt": "Low-dose warfarin and calcinosis universalis\n\nDISCUSSION\n\nLow-dose warfarin has been "
    "reported to reduce calcinosis in small series. Its effect is slow and inconsistent. Bleeding risk must be "
    "weighed against uncertain benefit.\n",
}


def test_abbreviation_defined_in_one_paper_finds_it(bot_over):
    bot = bot_over(PAPERS)
    hits = bot.search("What strength of STS cleared the fingertip deposits?", k=3)
    assert hits[0].doc_id == "sts-fingertip.txt"


def test_question_naming_a_paper_reaches_it(bot_over):
    bot = bot_over(PAPERS)
    hits = bot.search("In the report on low-dose warfarin, what limits its use?", k=1)
    assert hits[0].doc_id == "warfarin.txt"


def test_exact_dose_numbers_are_matched_lexically(bot_over):
    bot = bot_over(PAPERS)
    assert bot.search("375 mg/m2", k=1)[0].doc_id == "rituximab-jdm.txt"


def test_fusion_prefers_passages_both_retrievers_agree_on(bot_over):
    bot = bot_over(PAPERS)
    retriever = bot.retriever()
    ranked = retriever.candidates(retriever.analyse("rituximab for calcinosis in juvenile dermatomyositis"))
    assert retriever.snap.chunks[ranked[0].chunk_id].doc_id == "rituximab-jdm.txt"
    top = ranked[0]
    assert top.dense > 0 and top.lexical > 0
    assert top.fused == max(c.fused for c in ranked)


def test_top_k_is_not_filled_with_one_paper_when_others_are_relevant(bot_over):
    long = "Calcinosis in dermatomyositis: a long review\n\nDISCUSSION\n\n" + " ".join(
        f"Calcinosis treatment option {i} was reported in dermatomyositis with variable benefit." for i in range(60)
    )
    case = (
        "Treatment of calcinosis in adult dermatomyositis with diltiazem\n\nCASE REPORT\n\nA 45-year-old woman with "
        "dermatomyositis developed calcinosis of the thighs. Treatment with diltiazem 240 mg daily was started. "
        "The calcinosis became smaller over one year of treatment.\n"
    )
    bot = bot_over({**PAPERS, "review.txt": long, "diltiazem.txt": case})
    limit = bot.settings.retrieval.per_doc_limit
    docs = [h.doc_id for h in bot.search("treatment of calcinosis in dermatomyositis", k=5)]
    # the review's passages score highest, but the case report, nearly as relevant, comes before its fourth
    assert docs[:limit] == ["review.txt"] * limit
    assert docs[limit] == "diltiazem.txt"


def test_langchain_retriever_returns_documents_with_provenance(shipped_bot):
    docs = CaseBotRetriever(bot=shipped_bot, k=3).invoke("IVIg dose")
    assert len(docs) == 3 and all(isinstance(d, Document) for d in docs)
    top = docs[0]
    assert top.metadata["source"] == REPORT and top.metadata["title"].startswith("Hard as stone")
    assert "400mg/kg/day" in top.page_content
    doc_text = shipped_bot.retriever().snap  # the passage is an exact span of the paper
    assert doc_text.chunks[top.metadata["chunk_id"]].text == top.page_content
    assert top.metadata["start"] < top.metadata["end"] and top.metadata["rank"] == 1


def test_a_question_asking_for_a_dose_prefers_the_passage_that_states_one(bot_over):
    bot = bot_over(
        {
            "other.txt": PAPERS["warfarin.txt"],
            "mino.txt": (
                "Minocycline for calcinosis in limited systemic sclerosis\n\nObjectives\n\nWhich minocycline dose should "
                "be used for calcinosis in systemic sclerosis is unknown; minocycline was used for calcinosis in systemic "
                "sclerosis here.\n\nMethods\n\nPatients whose deposits caused pain or ulceration received 50 or 100 mg "
                "daily on a regular basis.\n"
            ),
        }
    )
    hit = bot.search("What minocycline dose was used for calcinosis in systemic sclerosis?", k=1)[0]
    assert "50 or 100 mg daily" in hit.text
    assert "50 or 100 mg daily" in bot.ask("What minocycline dose was used for calcinosis?").citations[0].quote


# Each question's own words fit the other section better: only whom it asks about tells them apart.
TWO_SIDES = (
    "Intravenous sodium thiosulfate for calcinosis in dermatomyositis\n\nCase presentation\n\nA 58-year-old man "
    "developed painful calcified nodules on both elbows. He was started on 12.5 g of the drug intravenously three "
    "times weekly, and the nodules shrank over six months.\n\nDiscussion\n\nHow much intravenous sodium thiosulfate "
    "a man or woman with dermatomyositis should receive for calcinosis is not settled. Regimens usually give 12.5 "
    "to 25 g three times a week.\n"
)


@pytest.mark.parametrize(
    "question, section",
    [
        ("How much intravenous sodium thiosulfate did the man with dermatomyositis receive?", "Case presentation"),
        ("How much intravenous sodium thiosulfate is usually given for calcinosis in dermatomyositis?", "Discussion"),
    ],
)
def test_the_patient_is_found_in_the_case_and_the_condition_in_the_discussion(bot_over, question, section):
    bot = bot_over({"sts-iv.txt": TWO_SIDES, "other.txt": PAPERS["warfarin.txt"]})
    assert bot.search(question, k=1)[0].section == section


def test_a_question_naming_the_patient_by_age_finds_her_paper(bot_over):
    bot = bot_over(
        {
            "older.txt": "Calciphylaxis in chronic kidney disease\n\nCASE REPORT\n\nA 72-year-old woman with stage 3 "
            "chronic kidney disease developed painful skin ulcers on both thighs. A skin biopsy confirmed "
            "calciphylaxis.\n\nTREATMENT\n\nShe received intravenous sodium thiosulfate 25 g three times weekly.\n",
            "younger.txt": "Calciphylaxis on haemodialysis\n\nCASE REPORT\n\nA 45-year-old man on haemodialysis for 72 "
            "months developed painful ulcers of the calves. Calciphylaxis was diagnosed on biopsy.\n\nTREATMENT\n\n"
            "Sodium thiosulfate 12.5 g was infused after each dialysis session, every 72 hours.\n",
        }
    )
    hit = bot.search("How much sodium thiosulfate did the 72-year-old get?", k=1)[0]
    assert hit.doc_id == "older.txt" and "25 g" in hit.text


@pytest.mark.parametrize(
    ("group", "paper"), [("toddler", "toddler.txt"), ("infant", "infant.txt"), ("teenager", "teenager.txt")]
)
def test_a_question_naming_the_patient_by_age_group_finds_her_paper(bot_over, group, paper):
    """A patient called "the toddler" is aged 1 to 3 years, as "the 2-year-old" is aged 2."""
    bot = bot_over(
        {
            name: f"Kawasaki disease in a {age}\n\nCASE REPORT\n\nA {age} boy had fever for five days, a rash, red "
            "eyes and swollen hands. Echocardiography showed dilated coronary arteries.\n\nTREATMENT\n\n"
            f"He received intravenous immunoglobulin {dose} and high-dose aspirin.\n"
            for name, age, dose in (
                ("infant.txt", "7-month-old", "1 g/kg"),
                ("toddler.txt", "2-year-old", "2 g/kg"),
                ("teenager.txt", "15-year-old", "70 g"),
            )
        }
    )
    hit = bot.search(f"How much immunoglobulin did the {group} with Kawasaki disease receive?", k=1)[0]
    assert hit.doc_id == paper


def test_what_the_question_says_of_the_patient_lifts_every_passage_of_her_paper(bot_over):
    """The passage stating her treatment does not repeat that her kidneys failed after chickenpox; her paper's
    opening does, and that ranks her treatment above another patient's identical one (scoring.W_PAPER_COVERAGE)."""
    papers = {
        "girl.txt": "Plasma exchange: case one\n\nINTRODUCTION\n\nA teenage girl developed kidney failure two weeks "
        "after chickenpox.\n\nTREATMENT\n\nPlasma exchange was given daily for five days, then weekly.\n",
        "man.txt": "Plasma exchange: case two\n\nINTRODUCTION\n\nA middle-aged man developed a myasthenic crisis "
        "after influenza.\n\nTREATMENT\n\nPlasma exchange was given daily for five days, then stopped.\n",
    }
    bot = bot_over(papers)
    hits = bot.search("How often was plasma exchange given to the girl whose kidneys failed after chickenpox?", k=4)
    treatments = [h.doc_id for h in hits if h.section == "TREATMENT"]
    assert treatments == ["girl.txt", "man.txt"]


PEMPHIGUS_MAN = (
    "Pemphigus vulgaris with oral erosions treated with rituximab\n\nCase presentation\n\n"
    "A 51-year-old patient presented with painful oral erosions of pemphigus vulgaris. His skin was spared. "
    "He had not responded to prednisolone, and his erosions spread.\n\nTreatment\n\n"
    "He received rituximab 1000 mg, two infusions two weeks apart, and his oral erosions healed.\n"
)
PEMPHIGUS_WOMAN = (
    "Pemphigus vulgaris in a teacher\n\nCase presentation\n\n"
    "A 45-year-old teacher had oral erosions for a year. She had lost weight, and her gums bled. "
    "She was otherwise well.\n\nTreatment\n\n"
    "She was given rituximab at 375 mg/m2 weekly for four weeks, and her mouth healed.\n"
)


def test_a_man_s_story_does_not_answer_a_question_about_a_woman(bot_over):
    """The only report of pemphigus treated with rituximab is a man's: asked about "the woman with …", the bot has
    no report of her, and says so rather than quote his dose (Retriever._same_patient_first)."""
    bot = bot_over({"man.txt": PEMPHIGUS_MAN})
    assert bot.ask("What rituximab dose did the woman with oral erosions of pemphigus vulgaris receive?").abstained
    answer = bot.ask("What rituximab dose did the man with oral erosions of pemphigus vulgaris receive?")
    assert "rituximab 1000 mg" in answer.citations[0].quote


def test_the_paper_of_a_patient_of_the_sex_the_question_names_goes_first(bot_over):
    """A man's report that reads more like the question than hers ranks below the woman's the question names."""
    bot = bot_over({"man.txt": PEMPHIGUS_MAN, "woman.txt": PEMPHIGUS_WOMAN})
    question = "What rituximab dose did the {} with oral erosions of pemphigus vulgaris receive?"
    assert bot.search(question.format("woman"))[0].doc_id == "woman.txt"
    assert bot.search(question.format("man"))[0].doc_id == "man.txt"


def test_a_report_on_a_patient_of_another_age_does_not_answer(bot_over):
    """The report's patient is 51; its discussion mentions a 45-year-old reported elsewhere. Asked about "the
    45-year-old", the bot has no report of her, and says so rather than quote the 51-year-old's dose."""
    text = PEMPHIGUS_MAN + (
        "\nDiscussion\n\nA 45-year-old woman with the same disease was reported elsewhere to respond to rituximab. "
        "Relapses are common within two years.\n"
    )
    bot = bot_over({"man.txt": text})
    assert bot.ask(
        "What rituximab dose did the 45-year-old with oral erosions of pemphigus vulgaris receive?"
    ).abstained
    answer = bot.ask("What rituximab dose did the 51-year-old with oral erosions of pemphigus vulgaris receive?")
    assert "rituximab 1000 mg" in answer.citations[0].quote
