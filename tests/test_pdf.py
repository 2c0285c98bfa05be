"""A real PDF, generated here: page numbers kept per passage, furniture dropped, words re-joined."""

from bot import CaseBot


def test_pdf_pages_furniture_and_hyphenation(make_settings, pdf_maker):
    settings = make_settings()
    pages = [
        "Clin Case Rep 2023\nCASE REPORT\nA 40-year-old man with dermatomyositis developed calci-\nnosis of the elbows.\n1",
        "Clin Case Rep 2023\nHe received diltiazem 240mg daily for twelve months.\nThe nodules softened.\n2",
        "Clin Case Rep 2023\nDISCUSSION\nDiltiazem may reduce calcium influx into cells.\nIts effect is slow.\n3",
    ]
    pdf_maker(settings.docs_dir / "diltiazem.pdf", pages)
    bot = CaseBot(settings)
    report = bot.update_index()
    assert report.added == ["diltiazem.pdf"]
    snap = bot.retriever().snap
    texts = " ".join(c.text for c in snap.chunks.values())
    assert "calcinosis of the elbows" in texts and "Clin Case Rep" not in texts
    answer = bot.ask("What dose of diltiazem was given?")
    assert "240mg daily" in answer.text
    assert answer.passages[answer.citations[0].n - 1].doc_id == "diltiazem.pdf"
    # a passage's page is the page it starts on
    pages = {c.section: c.page for c in snap.chunks.values()}
    assert pages == {"CASE REPORT": 1, "DISCUSSION": 3}
