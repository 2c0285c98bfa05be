"""Fit the stage-2 passage weights (bot/scoring.py PASSAGE_WEIGHTS) on the TUNE half of bench/data/cases.

    python bench/fit_scoring.py [--cache DIR]

Indexes bench/data/cases/docs plus docs_src once (cached in DIR), takes every candidate
passage of every answerable TUNE question with its stage-2 features and a label (does it
hold the evidence?), and fits a logistic regression. It prints the weights and recall@1/@5
with the current and the fitted weights on both halves: the validate half never takes part
in the fit. Copy the weights into bot/scoring.py only if they help both halves.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import CaseBot, load_settings, retrieve, scoring  # noqa: E402  # noqa: E402
from bot import evaluate as ev  # noqa: E402

CASES = ROOT / "bench" / "data" / "cases"


def build(cache: Path) -> CaseBot:
    docs = cache / "docs-cases"
    if not docs.exists():
        docs.mkdir(parents=True)
        for src in (CASES / "docs", ROOT / "docs_src"):
            for f in src.iterdir():
                shutil.copy(f, docs / f.name)
    bot = CaseBot(load_settings(env={}, docs_dir=docs, index_dir=cache / "index-cases"))
    bot.update_index()
    return bot


def dataset(bot: CaseBot, rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels and question numbers of every pooled candidate of the answerable rows."""
    retriever = bot.retriever()
    xs, ys, groups = [], [], []
    for g, row in enumerate(r for r in rows if r.get("doc")):
        query = bot.analyse(row["question"])
        pool = retriever.pool(query)
        if pool is None:
            continue
        pool_rows, features = pool[0], pool[1]
        for i, r in enumerate(pool_rows):
            chunk = retriever.snap.chunks[int(retriever.snap.chunk_ids(np.asarray([r]))[0])]
            ys.append(Path(chunk.doc_id).stem == row["doc"] and ev.holds(chunk.text, row["evidence"]))
            xs.append(features[i])
            groups.append(g)
    return np.array(xs), np.array(ys, bool), np.array(groups)


def recall(bot: CaseBot, rows: list[dict], weights: np.ndarray, k: int) -> float:
    retrieve.PASSAGE_WEIGHTS = weights  # the module-level name retrieve.candidates reads
    answerable = [r for r in rows if r.get("doc")]
    hits = 0
    for row in answerable:
        top = bot.search(row["question"], k=k)
        hits += any(Path(h.doc_id).stem == row["doc"] and ev.holds(h.text, row["evidence"]) for h in top)
    return hits / len(answerable)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/casebot-fit"))
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    from sklearn.linear_model import LogisticRegression

    bot = build(args.cache)
    rows = ev.load_questions(CASES / "questions.jsonl")
    tune = [r for r in rows if r.get("split") == "tune"]
    validate = [r for r in rows if r.get("split") == "validate"]
    x, y, _ = dataset(bot, tune)
    model = LogisticRegression(C=args.c, class_weight="balanced", max_iter=2000).fit(x, y)
    fitted = model.coef_[0] / np.abs(model.coef_[0]).sum()  # scale is irrelevant to ranking
    print("features:", ", ".join(scoring.PASSAGE_FEATURES))
    print("fitted  :", np.array2string(fitted, precision=3, separator=", "))
    current = scoring.PASSAGE_WEIGHTS
    for name, weights in (("current", current), ("fitted", fitted)):
        figures = [
            f"{half} r@{k}={recall(bot, half_rows, weights, k):.3f}"
            for half, half_rows in (("tune", tune), ("validate", validate))
            for k in (1, 5)
        ]
        print(f"{name:<8}", "  ".join(figures))
    retrieve.PASSAGE_WEIGHTS = current


if __name__ == "__main__":
    main()
