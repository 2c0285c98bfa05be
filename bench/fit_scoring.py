"""Fit the stage-2 passage weights (bot/scoring.py PASSAGE_WEIGHTS) on the TUNE half of bench/data/cases.

    python bench/fit_scoring.py [--cache DIR] [--listwise]

Indexes bench/data/cases/docs plus docs_src once (cached in DIR), takes every candidate
passage of every answerable TUNE question with its stage-2 features and a label (does it
hold the evidence?), and fits a logistic regression. It prints the weights and recall@1/@5
with the current and the fitted weights on both halves: the validate half never takes part
in the fit. Copy the weights into bot/scoring.py only if they help both halves.

--listwise fits them as a ranker instead, on the tune questions and the classes set (also
tune): per question, the softmax likelihood of the passages holding the evidence among the
pool, each passage scored with the weights plus what the rules add to it (section priors and
penalties, the described patient's papers: Retriever.candidates), weights summing to 1 like
today's. It prints the pool's recall@1/@5 on both halves.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from collections.abc import Callable
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


def listwise_data(bot: CaseBot, rows: list[dict]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per answerable question with evidence in its pool: (features, what the rules add, labels)."""
    retriever = bot.retriever()
    out = []
    for row in (r for r in rows if r.get("doc")):
        query = bot.analyse(row["question"])
        pool = retriever.pool(query)
        if pool is None:
            continue
        ids = retriever.snap.chunk_ids(pool[0]).tolist()
        total = {c.chunk_id: c.score for c in retriever.candidates(query)}
        added = np.array([total[c] for c in ids]) - pool[1] @ retrieve.PASSAGE_WEIGHTS
        chunks = [retriever.snap.chunks[c] for c in ids]
        gold = np.array([Path(c.doc_id).stem == row["doc"] and ev.holds(c.text, row["evidence"]) for c in chunks])
        if gold.any():
            out.append((pool[1], added, gold))
    return out


def fit_listwise(data: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
    from scipy.optimize import minimize

    def loss(p: np.ndarray) -> float:
        w, sharpness = np.abs(p[:-1]) / np.abs(p[:-1]).sum(), np.exp(p[-1])
        total = 0.0
        for features, added, gold in data:
            s = sharpness * (features @ w + added)
            s -= s.max()
            total -= np.log(np.exp(s[gold]).sum() / np.exp(s).sum())
        return total / len(data)

    start = np.concatenate([scoring.PASSAGE_WEIGHTS, [np.log(20.0)]])
    best = minimize(loss, start, method="L-BFGS-B", bounds=[(0, 2)] * len(scoring.PASSAGE_WEIGHTS) + [(0, 6)]).x
    return np.abs(best[:-1]) / np.abs(best[:-1]).sum()


def pool_recall(data: list[tuple[np.ndarray, np.ndarray, np.ndarray]], weights: np.ndarray, k: int) -> float:
    return float(
        np.mean([gold[np.argsort(-(f @ weights + added), kind="stable")[:k]].any() for f, added, gold in data])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/casebot-fit"))
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--listwise", action="store_true", help="fit as a ranker over each question's pool")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    bot = build(args.cache)
    rows = ev.load_questions(CASES / "questions.jsonl")
    tune = [r for r in rows if r.get("split") == "tune"]
    validate = [r for r in rows if r.get("split") == "validate"]
    figures: Callable[[np.ndarray], list[str]]
    if args.listwise:
        pools = {
            "tune": listwise_data(bot, tune + ev.load_questions(CASES / "classes.jsonl")),
            "validate": listwise_data(bot, validate),
        }
        fitted = fit_listwise(pools["tune"])

        def figures(weights: np.ndarray) -> list[str]:
            return [f"{h} pool r@{k}={pool_recall(d, weights, k):.3f}" for h, d in pools.items() for k in (1, 5)]

    else:
        from sklearn.linear_model import LogisticRegression

        x, y, _ = dataset(bot, tune)
        model = LogisticRegression(C=args.c, class_weight="balanced", max_iter=2000).fit(x, y)
        fitted = model.coef_[0] / np.abs(model.coef_[0]).sum()  # scale is irrelevant to ranking

        def figures(weights: np.ndarray) -> list[str]:
            halves = (("tune", tune), ("validate", validate))
            return [
                f"{half} r@{k}={recall(bot, half_rows, weights, k):.3f}" for half, half_rows in halves for k in (1, 5)
            ]

    print("features:", ", ".join(scoring.PASSAGE_FEATURES))
    print("fitted  :", np.array2string(fitted, precision=3, separator=", "))
    current = scoring.PASSAGE_WEIGHTS
    for name, weights in (("current", current), ("fitted", fitted)):
        print(f"{name:<8}", "  ".join(figures(weights)))
    retrieve.PASSAGE_WEIGHTS = current


if __name__ == "__main__":
    main()
