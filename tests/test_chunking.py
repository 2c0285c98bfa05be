"""Passages are exact slices of the document, fit the model's window, and never cross sections."""

import random
from pathlib import Path

from conftest import REPORT, SHIPPED

from bot.chunking import Chunker, passage_prefix, split_sentences
from bot.config import load_settings
from bot.ingest import load_document
from bot.records import Block, Document, Metadata


def chunks_of(doc, embedder, target=160):
    minimum = load_settings(env={}).chunking.min_passage_tokens
    return Chunker(embedder.count_tokens, embedder.max_tokens, target, 1, min_tokens=minimum).chunk(doc)


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


def test_chunks_name_every_section_they_cover_and_captions_stand_alone(embedder):
    doc = load_document(SHIPPED / REPORT, SHIPPED, 25)
    by_span = [(s, e, b) for s, e, b in doc.blocks]
    for c in chunks_of(doc, embedder):
        blocks = [b for s, e, b in by_span if s < c.end and c.start < e and b.kind != "heading"]
        assert [s for s in dict.fromkeys(b.section for b in blocks) if s] == [s for s in c.section.split(" / ") if s]
        kinds = {b.kind for b in blocks}
        assert kinds == {"paragraph"} or (kinds == {"caption"} and len(blocks) == 1)


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


# --- short passages join their neighbours (issue 11, item 4a) -------------------------------------
# A word-count tokenizer keeps these tests fast and their arithmetic visible: a passage of n words is
# n + 2 "word pieces" ([CLS]/[SEP] included), as Chunker expects of the model's counter.


def words(text: str) -> int:
    return len(text.split()) + 2


def make_doc(blocks: list[tuple[str, str, str]], doc_id: str = "paper.txt", title: str = "A paper") -> Document:
    """A document of (kind, section, text) blocks, headings written in where the section changes."""
    text, spans, section = "", [], None
    for kind, sec, body in blocks:
        if sec != section and sec:
            text += ("\n\n" if text else "") + sec.upper()
            spans.append((len(text) - len(sec), len(text), Block("heading", sec.upper(), sec)))
        section = sec
        text += ("\n\n" if text else "") + body
        spans.append((len(text) - len(body), len(text), Block(kind, body, sec)))
    return Document(doc_id, text, spans, Metadata(title=title), "hash-" + doc_id, "text-" + doc_id)


def sentence(n: int, word: str = "word") -> str:
    return " ".join([word.capitalize()] + [word] * (n - 1)) + "."


def check_exact(doc: Document, chunks: list) -> None:
    """Every passage is the document slice at start:end, and its sentences point inside it."""
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text and c.doc_id == doc.doc_id
        assert c.sentences and c.sentences[0][0] == 0 and c.sentences[-1][1] == len(c.text)
        for (s, e), nxt in zip(c.sentences, c.sentences[1:] + [(len(c.text), len(c.text))], strict=True):
            assert 0 <= s < e <= nxt[0] and c.text[s:e] == c.text[s:e].strip()
            assert c.text[s:e] in [b.text[bs:be] for _, _, b in doc.blocks for bs, be in split_sentences(b.text)]


def test_tiny_passages_of_one_section_merge_up_to_the_minimum():
    doc = make_doc([("paragraph", "Results", " ".join(sentence(5) for _ in range(12)))])
    plain = Chunker(words, 256, 14, 0).chunk(doc)  # 2 sentences (10 words) a passage
    merged = Chunker(words, 256, 14, 0, min_tokens=24).chunk(doc)
    assert [words(c.text) - 2 for c in plain] == [10] * 6
    assert [words(c.text) - 2 for c in merged] == [30, 30]  # each grown until it reached 24
    check_exact(doc, merged)


def test_a_tiny_last_passage_joins_its_predecessor():
    body = " ".join([sentence(12), sentence(12), sentence(12), sentence(3, "short")])
    doc = make_doc([("paragraph", "Case", body), ("paragraph", "Outcome", sentence(20, "later"))])
    plain = Chunker(words, 256, 40, 1).chunk(doc)
    assert [c.section for c in plain] == ["Case", "Case", "Outcome"] and words(plain[1].text) - 2 == 15
    merged = Chunker(words, 256, 40, 1, min_tokens=20).chunk(doc)
    assert [c.section for c in merged] == ["Case", "Outcome"]
    assert merged[0].text == body and len(merged[0].sentences) == 4  # the overlap sentence is not doubled
    check_exact(doc, merged)


def test_a_short_section_joins_the_next_and_the_label_names_both():
    doc = make_doc(
        [
            ("paragraph", "Background", sentence(30, "context")),
            ("paragraph", "Objective", sentence(12, "aim")),
            ("paragraph", "Methods", "Randomised trial."),
            ("paragraph", "Results", sentence(40, "finding")),
            ("caption", "Results", "Figure 1. Tiny."),
            ("paragraph", "Conclusions", sentence(6, "so")),
        ]
    )
    chunks = Chunker(words, 256, 160, 1, min_tokens=24).chunk(doc)
    assert [c.section for c in chunks] == ["Background", "Objective / Methods / Results", "Results", "Conclusions"]
    assert "METHODS" in chunks[1].text and "RESULTS" in chunks[1].text  # the headings lie between the sentences
    assert [chunks[1].text[s:e] for s, e in chunks[1].sentences][1] == "Randomised trial."
    assert chunks[2].text == "Figure 1. Tiny."  # captions never merge with prose, nor a paragraph across them
    check_exact(doc, chunks)


def test_merged_passages_never_exceed_the_token_limit():
    rng = random.Random(4)
    for _ in range(40):
        blocks = [
            (
                "caption" if rng.random() < 0.1 else "paragraph",
                f"Section {rng.randint(0, 4)}",
                " ".join(sentence(rng.randint(1, 30)) for _ in range(rng.randint(1, 6))),
            )
            for _ in range(rng.randint(1, 12))
        ]
        doc = make_doc(blocks, title="A title " * rng.randint(1, 8))
        chunks = Chunker(words, 64, 40, rng.randint(0, 2), min_tokens=rng.choice([8, 30, 60])).chunk(doc)
        for c in chunks:
            assert words(passage_prefix(doc.title, c.section) + c.text) <= 64
        check_exact(doc, chunks)
        every = {b.text[s:e] for _, _, b in doc.blocks if b.kind != "heading" for s, e in split_sentences(b.text)}
        assert every == {c.text[s:e] for c in chunks for s, e in c.sentences}  # nothing lost


def test_passages_of_different_documents_never_merge():
    a = make_doc([("paragraph", "Methods", "Cohort study."), ("paragraph", "Results", sentence(40))], "a.txt")
    b = make_doc([("paragraph", "Methods", "Case series.")], "b.txt")
    chunker = Chunker(words, 256, 160, 1, min_tokens=24)
    ca, cb = chunker.chunk(a), chunker.chunk(b)
    assert [c.text for c in cb] == ["Case series."] and cb[0].section == "Methods"  # alone: nothing of its own to join
    assert all("Case series" not in c.text for c in ca) and [c.section for c in ca] == ["Methods / Results"]
    check_exact(a, ca)
    check_exact(b, cb)
