"""Answer quality on a development set, against the textbook pipeline, in one run.

    python bench/quality.py --eval-dev ../shared/eval-dev [--misses]

Indexes the set's documents together with docs_src/ (so the shipped report competes
with them), runs `casebot eval` on its questions and on tests/data/dev_questions.jsonl,
and measures the textbook baseline (character splitter 1000/200 + all-MiniLM-L6-v2 +
FAISS) on the same documents and questions with the same definitions.
"""
from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

import faiss

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import CaseBot, load_settings  # noqa: E402
from bot import evaluate as ev  # noqa: E402
from bot.embed import get_embedder  # noqa: E402


def textbook(docs: Path, rows: list[dict], settings) -> dict:
    """Character splitter 1000/200, raw text, dense top-k: what most RAG tutorials build."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = [(f.stem, piece) for f in sorted(docs.iterdir()) if f.suffix == ".txt"
              for piece in splitter.split_text(f.read_text(encoding="utf-8"))]
    model = get_embedder(settings.model.model, settings.model.offline, settings.model.batch_size)
    index = faiss.IndexFlatIP(model.dimension)
    index.add(model.encode([c[1] for c in chunks]))
    answerable = [r for r in rows if r.get("doc") and r.get("evidence")]
    ranks = []
    for r in answerable:
        _, ids = index.search(model.encode([r["question"]]), 10)
        ranks.append(next((i for i, j in enumerate(ids[0], 1)
                           if chunks[j][0] == r["doc"] and ev.holds(chunks[j][1], r["evidence"])), None))
    out = {f"recall@{k}": round(sum(1 for x in ranks if x and x <= k) / len(ranks), 3) for k in (1, 4, 5, 10)}
    out["mrr"] = round(sum(1 / x for x in ranks if x) / len(ranks), 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval-dev", type=Path, default=ROOT.parent / "shared" / "eval-dev")
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if not (args.eval_dev / "questions.jsonl").exists():
        sys.exit(f"no development set at {args.eval_dev}: pass --eval-dev DIR")
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        shutil.copytree(args.eval_dev / "docs", docs)
        for f in (ROOT / "docs_src").iterdir():
            shutil.copy(f, docs / f.name)
        # The shipped-report set is scored on docs_src/ alone: its unanswerable questions
        # are unanswerable by that report, not by the development documents.
        runs = (("eval-dev", args.eval_dev / "questions.jsonl", docs),
                ("shipped-report dev set", ROOT / "tests" / "data" / "dev_questions.jsonl", ROOT / "docs_src"))
        for name, path, corpus in runs:
            settings = load_settings(docs_dir=corpus, index_dir=Path(tmp) / f"index-{corpus.name}")
            bot = CaseBot(settings)
            bot.update_index()
            rows = ev.load_questions(path)
            outcomes = ev.run(bot, rows)
            summary = ev.summarise(outcomes)
            print(f"casebot   [{name}] " + " ".join(f"{k}={v}" for k, v in summary.items() if v is not None))
            print(f"textbook  [{name}] " + " ".join(f"{k}={v}" for k, v in textbook(corpus, rows, settings).items()))
            if args.misses:
                for m in ev.misses(outcomes):
                    print(f"   {m['id']:>4} {m['problem']:<34} rank={m['rank']} conf={m['confidence']} "
                          f"{m['question'][:70]}")


if __name__ == "__main__":
    main()
