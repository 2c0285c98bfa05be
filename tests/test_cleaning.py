"""The cleaner must turn the shipped report's PDF text back into real words and whole paragraphs."""

from conftest import REPORT, SHIPPED

from bot.cleaning import clean_pages
from bot.ingest import load_document


def shipped_blocks():
    return clean_pages([(SHIPPED / REPORT).read_text(encoding="utf-8")])


def test_words_split_at_line_ends_are_rejoined():
    text = " ".join(b.text for b in shipped_blocks())
    for word in [
        "myopathy",
        "weakness",
        "manifestations",
        "calcium",
        "laboratory",
        "dermatomyositis",
        "interfibrillar",
        "extrusion",
        "subcutaneous",
        "thiosulfate",
    ]:
        assert word in text, word
    for fragment in ["myop-", "labo-", "calci-", "ex- trusion", "thio- sulfate"]:
        assert fragment not in text


def test_real_hyphens_are_kept():
    text = " ".join(b.text for b in shipped_blocks())
    assert "anti-SSA52" in text and "short-duration" in text and "69-year-old" in text
    assert "C-reactive protein" in text


def test_caption_that_interrupts_a_paragraph_becomes_its_own_block():
    blocks = shipped_blocks()
    captions = [b.text for b in blocks if b.kind == "caption"]
    assert captions == [
        "Figure 1. Ulcers on the patients thighs and buttocks (A, B, C, D) and arms (E).",
        "Figure 2. X-ray of the hip (A), thighs (B), right (C) and left (D) arms with multiple calcifications.",
    ]
    paragraph = next(b.text for b in blocks if "clinically stable" in b.text)
    assert "clinically stable but continues to experience local pain" in paragraph
    assert "Figure 1. Ulcers" not in paragraph


def test_sections_and_title_are_detected():
    blocks = shipped_blocks()
    assert blocks[0].kind == "title" and blocks[0].text == "Hard as stone: an exuberant form of calcinosis cutis"
    assert [b.text for b in blocks if b.kind == "heading"] == ["BACKGROUND", "CASE REPORT", "DISCUSSION"]
    dose = next(b for b in blocks if "400mg/kg/day" in b.text)
    assert dose.section == "CASE REPORT"


def test_reference_marks_garbled_by_ocr_are_dropped_before_punctuation():
    text = " ".join(b.text for b in shipped_blocks())
    assert "after initial diagnosis. It can be" in text  # was "diagnosis®."
    assert "shoulders, and buttocks, leading" in text  # was "buttocks?,"


def test_hyphenated_compound_broken_at_its_hyphen_stays_hyphenated():
    blocks = clean_pages(["A well-known sign was seen. It is a well-\nknown finding in adults."])
    assert "a well-known finding" in blocks[0].text


def test_running_headers_and_page_numbers_are_dropped():
    sites = ["elbow", "knee", "hip", "wrist"]
    pages = [
        f"J Case Rep 2024\nPatient {i} had calcinosis of the {sites[i - 1]}\nand was treated.\n{i}" for i in range(1, 5)
    ]
    blocks = clean_pages(pages)
    text = " ".join(b.text for b in blocks)
    assert "J Case Rep" not in text and "calcinosis of the knee and was treated." in text
    assert not any(b.text.strip().isdigit() for b in blocks)
    assert [b.page for b in blocks] == [1, 2, 3, 4]


def test_markdown_headings(tmp_path):
    (tmp_path / "note.md").write_text("# Topical STS\n\n## Methods\n\nWe applied it twice daily.\n", encoding="utf-8")
    doc = load_document(tmp_path / "note.md", tmp_path, 5)
    assert doc.title == "Topical STS"
    assert [(b.kind, b.section) for _, _, b in doc.blocks][-1] == ("paragraph", "Methods")
