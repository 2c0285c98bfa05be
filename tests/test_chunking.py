"""Passages are exact slices of the document, fit the model's window, and never cross sections."""

from pathlib import Path

from conftest import REPORT, SHIPPED

from bot.chunking import Chunker, passage_prefix, split_sentences
from bot.ingest import load_document


def chunks_of(doc, embedder, target=160):
    return Chunker(embedder.count_tokens, embedder.max_tokens, target, 1).chunk(doc)


def test_every_chunk_is_an_exact_span_of_the_cleaned_text(embedder):
    doc = load_document(SHIPPED / REPORT, SHIPPED, 25)
    chunks = chunks_of(doc, embedder)
    assert len(chunks) > 5
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        for s, e in c.sentences:
            assert c.text[s:e].strip() == c.text[s:e] and c.text[s:e]


def test_token_counts_are_the_models_own_and_never_truncated(embedder):
    text = load_document(SHIPPED / REPORT, SHIPPED, 25).text
    assert embedder.count_tokens(text) == len(embedder.tokenizer(text, verbose=False)["input_ids"]) > 500
    embedder.tokenizer(text, truncation=True, max_length=16)  # leaves truncation set on the shared tokenizer
    assert embedder.count_tokens(text) > 500


def test_chunks_fit_the_model_window_with_their_prefix(embedder):
    doc = load_document(SHIPPED / REPORT, SHIPPED, 25)
    for c in chunks_of(doc, embedder):
        assert embedder.count_tokens(passage_prefix(doc.title, c.section) + c.text) <= embedder.max_tokens


def test_chunks_stay_within_one_section_and_captions_stand_alone(embedder):
    doc = load_document(SHIPPED / REPORT, SHIPPED, 25)
    by_span = [(s, e, b) for s, e, b in doc.blocks]
    for c in chunks_of(doc, embedder):
        blocks = [b for s, e, b in by_span if s < c.end and c.start < e]
        assert len({b.section for b in blocks}) == 1
        kinds = {b.kind for b in blocks}
        assert kinds in ({"paragraph"}, {"caption"})


def test_every_sentence_is_in_some_chunk(embedder):
    doc = load_document(SHIPPED / REPORT, SHIPPED, 25)
    covered = "".join(c.text for c in chunks_of(doc, embedder, target=60))
    for _, _, block in doc.blocks:
        if block.kind in ("paragraph", "caption"):
            for s, e in split_sentences(block.text):
                assert block.text[s:e] in covered


def test_a_sentence_longer_than_the_window_is_split_not_truncated(tmp_path: Path, embedder):
    long = "The lesions involved " + ", ".join(f"site number {i} of the left forearm" for i in range(120)) + "."
    (tmp_path / "long.txt").write_text("Long report\n\n" + long + " A short closing sentence.\n", encoding="utf-8")
    doc = load_document(tmp_path / "long.txt", tmp_path, 5)
    chunks = chunks_of(doc, embedder)
    assert len(chunks) >= 3
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert embedder.count_tokens(passage_prefix(doc.title, c.section) + c.text) <= embedder.max_tokens
    assert all(f"site number {i} of" in " ".join(c.text for c in chunks) for i in range(120))


def test_sentence_splitting_respects_abbreviations_and_decimals():
    text = "Fig. 2 shows e.g. nodules. CK was 10.7 U/L. It rose. Figure 1. Ulcers (A, B)."
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Fig. 2 shows e.g. nodules.",
        "CK was 10.7 U/L.",
        "It rose.",
        "Figure 1. Ulcers (A, B).",
    ]
