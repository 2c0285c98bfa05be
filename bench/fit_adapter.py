"""Fit the question adapter (bot/adapter.py) on the tuning side of bench/data/cases and write it.

    python bench/fit_adapter.py [--cache DIR] [--cv] [--out bot/data/question_adapter.npz]

Indexes the tuning side's documents (bench/data/cases/docs, docs_src/ and the check sets tuned on:
TUNING_SETS) with the configured model, once (cached in DIR). For every answerable question of the
tuning side that asks on its own (conversations are left out), it takes the question's vector as
the retriever embeds it, its paper's sentence vectors as the index stores them, and which of those
sentences hold the evidence (evaluate.quote_holds). It fits the map on all of them with
scoring.ADAPTER_L2 and writes it with the model's probe vectors.

--cv first runs leave-one-set-out over the grid ADAPTER_L2_GRID: each set's questions are ranked
by a map fit on the other sets, and it prints, per set, how often the model's cosine and the
adapted one put an answering sentence first among the paper's sentences. This is how ADAPTER_L2
was chosen. The check half (check7, check8, check11, check12) and later blind sets never take part.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import CaseBot, load_settings  # noqa: E402
from bot import evaluate as ev  # noqa: E402
from bot.adapter import PACKAGED, QuestionAdapter, fit  # noqa: E402
from bot.onnx_encoder import probe_vectors  # noqa: E402
from bot.scoring import ADAPTER_L2, ADAPTER_RATE, ADAPTER_STEPS, ADAPTER_TEMPERATURE  # noqa: E402

CASES = ROOT / "bench" / "data" / "cases"
TUNING_SETS = ("fresh", "check2", "check3", "check4", "check5", "check6", "check9", "check10")
CASES_FILES = ("questions", "classes", "levels", "methods")  # conversations ask in turns: not one question
ADAPTER_L2_GRID = (0.0001, 0.001, 0.01, 0.03, 0.1)


def build(cache: Path) -> CaseBot:
    docs = cache / "docs"
    if not docs.exists():
        docs.mkdir(parents=True)
        for src in (CASES / "docs", ROOT / "docs_src", *(CASES / name / "docs" for name in TUNING_SETS)):
            for f in src.iterdir():
                if f.is_file():
                    shutil.copy(f, docs / f.name)
    bot = CaseBot(load_settings(env={}, docs_dir=docs, index_dir=cache / "index", question_adapter="off"))
    bot.update_index()
    return bot


def questions() -> list[tuple[str, dict]]:
    """(set, row) of every answerable question of the tuning side; the cases questions by half."""
    out = []
    for name in CASES_FILES:
        for row in ev.load_questions(CASES / f"{name}.jsonl"):
            out.append((f"cases-{row.get('split')}" if name == "questions" else name, row))
    for name in TUNING_SETS:
        out += [(name, row) for row in ev.load_questions(CASES / name / "questions.jsonl")]
    return [(name, row) for name, row in out if row.get("doc") and row.get("evidence")]


def paper_sentences(bot: CaseBot, stem: str) -> tuple[list[str], np.ndarray]:
    """A paper's sentences in order (each once: neighbouring passages repeat one) and their stored vectors."""
    snap = bot.retriever().snap
    doc_id = next(d for d in snap.documents if Path(d).stem == stem)
    rows = np.sort(snap.paper_rows(doc_id))
    identity = np.eye(bot.encoder.dimension, dtype=np.float32)
    vectors, _ = snap.sentence_scores(rows, identity)  # a sentence's cosines to the axes are its vector
    chunk_ids = snap.chunk_ids(rows).tolist()
    chunks = snap.chunks.fetch(chunk_ids)
    texts = [chunks[c].text[s:e] for c in chunk_ids for s, e in chunks[c].sentences]
    assert len(texts) == len(vectors)  # one row per sentence, in passage order
    first: dict[str, int] = {}  # each sentence's first place: neighbouring passages repeat one
    for at, text in enumerate(texts):
        first.setdefault(text, at)
    return list(first), vectors[list(first.values())]


def dataset(bot: CaseBot) -> tuple[list[str], np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Set names, question vectors, each question's paper sentence vectors and answering-sentence marks."""
    papers: dict[str, tuple[list[str], np.ndarray]] = {}
    names, vectors, sentences, labels = [], [], [], []
    for name, row in questions():
        if row["doc"] not in papers:
            papers[row["doc"]] = paper_sentences(bot, row["doc"])
        texts, paper = papers[row["doc"]]
        marks = np.array([ev.quote_holds(t, row["evidence"]) for t in texts])
        if not marks.any():  # an evidence span across two sentences that neither holds alone
            continue
        names.append(name)
        vectors.append(bot.analyse(row["question"]).vector)
        sentences.append(paper)
        labels.append(marks)
    print(f"{len(names)} questions over {len(papers)} papers")
    return names, np.array(vectors), sentences, labels


def firsts(delta: np.ndarray | None, vectors: np.ndarray, sentences: list[np.ndarray], labels: list[np.ndarray]) -> int:
    """How many questions have an answering sentence first among their paper's, by cosine to the (adapted) question."""
    adapter = QuestionAdapter(delta, np.zeros(0), "") if delta is not None else None
    count = 0
    for q, paper, marks in zip(vectors, sentences, labels, strict=True):
        v = adapter.apply(q) if adapter else q
        count += bool(marks[int(np.argmax(paper @ v))])
    return count


def fitted(vectors: np.ndarray, sentences: list[np.ndarray], labels: list[np.ndarray], l2: float) -> np.ndarray:
    return fit(
        vectors, sentences, labels, l2=l2, temperature=ADAPTER_TEMPERATURE, steps=ADAPTER_STEPS, rate=ADAPTER_RATE
    )


def cross_validate(names: list[str], vectors: np.ndarray, sentences: list, labels: list) -> None:
    sets = sorted(set(names))
    for l2 in ADAPTER_L2_GRID:
        before = after = 0
        parts = []
        for held in sets:
            train = [i for i, n in enumerate(names) if n != held]
            test = [i for i, n in enumerate(names) if n == held]
            delta = fitted(vectors[train], [sentences[i] for i in train], [labels[i] for i in train], l2)
            b = firsts(None, vectors[test], [sentences[i] for i in test], [labels[i] for i in test])
            a = firsts(delta, vectors[test], [sentences[i] for i in test], [labels[i] for i in test])
            before, after = before + b, after + a
            parts.append(f"{held} {b}->{a}/{len(test)}")
        print(f"l2={l2}: answering sentence first {before} -> {after} of {len(names)}  ({', '.join(parts)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/casebot-fit-adapter"))
    parser.add_argument("--cv", action="store_true", help="leave-one-set-out over ADAPTER_L2_GRID first")
    parser.add_argument("--out", type=Path, default=PACKAGED)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    bot = build(args.cache)
    names, vectors, sentences, labels = dataset(bot)
    if args.cv:
        cross_validate(names, vectors, sentences, labels)
    started = time.perf_counter()
    delta = fitted(vectors, sentences, labels, ADAPTER_L2)
    print(f"fit with l2={ADAPTER_L2} in {time.perf_counter() - started:.1f} s")
    print(
        f"in sample: answering sentence first {firsts(None, vectors, sentences, labels)} -> "
        f"{firsts(delta, vectors, sentences, labels)} of {len(names)}"
    )
    manifest_probes = (bot.retriever().snap.manifest.get("query_encoder") or {}).get("probes")
    probes = np.asarray(manifest_probes or probe_vectors(bot.encoder), np.float32)
    QuestionAdapter(delta, probes, bot.settings.model.model).save(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
