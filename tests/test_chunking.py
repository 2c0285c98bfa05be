"""Passages are exact slices of the document, fit the model's window, and never cross sections."""

import random
from pathlib import Path

from conftest import REPORT, SHIPPED

from bot.chunking import Chunker, passage_prefix, split_sentences
from bot.ingest import load_document
from bot.records import Block, Document, Metadata


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


def test_a_citation_mark_after_a_full_stop_still_ends_the_sentence():
    """PDF text keeps superscript references as plain digits: "affected.2 Typical …" is two sentences,
    so a quote of the first does not run into the next. A decimal before a unit is not a citation."""
    text = "About 25% are affected.2 Typical sites are the hands.3,4 A 1.5 L Bolus was given. It rose.1-3"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "About 25% are affected.2",
        "Typical sites are the hands.3,4",
        "A 1.5 L Bolus was given.",
        "It rose.1-3",
    ]


def words(text: str) -> int:
    """A word-count tokenizer ([CLS]/[SEP] included, as Chunker expects): fast, and its arithmetic visible."""
    return len(text.split()) + 2


def make_doc(blocks: list[tuple[str, str, str]], title: str) -> Document:
    """A document of (kind, section, text) blocks, a heading written in wherever the section changes."""
    text, spans, section = "", [], None
    for kind, sec, body in blocks:
        if sec != section:
            text += ("\n\n" if text else "") + sec.upper()
            spans.append((len(text) - len(sec), len(text), Block("heading", sec.upper(), sec)))
        section = sec
        text += "\n\n" + body
        spans.append((len(text) - len(body), len(text), Block(kind, body, sec)))
    return Document("paper.txt", text, spans, Metadata(title=title), "hash", "text-hash")


def test_random_documents_chunk_into_exact_in_window_single_section_passages():
    rng = random.Random(4)
    for _ in range(40):
        blocks = [
            (
                "caption" if rng.random() < 0.1 else "paragraph",
                f"Section {rng.randint(0, 4)}",
                " ".join("Word " * rng.randint(0, 29) + "end." for _ in range(rng.randint(1, 6))),
            )
            for _ in range(rng.randint(1, 12))
        ]
        doc = make_doc(blocks, title="A title " * rng.randint(1, 8))
        chunks = Chunker(words, 64, 40, rng.randint(0, 2)).chunk(doc)
        sentences = {b.text[s:e] for _, _, b in doc.blocks if b.kind != "heading" for s, e in split_sentences(b.text)}
        assert sentences == {c.text[s:e] for c in chunks for s, e in c.sentences}  # nothing lost
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
            assert words(passage_prefix(doc.title, c.section) + c.text) <= 64
            assert c.sentences[0][0] == 0 and c.sentences[-1][1] == len(c.text)
            for (s, e), (nxt, _) in zip(c.sentences, c.sentences[1:] + [(len(c.text), 0)], strict=True):
                assert 0 <= s < e <= nxt and c.text[s:e] in sentences
            covered = [b for s, e, b in doc.blocks if s < c.end and c.start < e]
            assert len({b.section for b in covered}) == 1 and len({b.kind for b in covered}) == 1
