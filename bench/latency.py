"""Warm `ask` latency against its floor, and indexing throughput against raw model.encode.

    python bench/latency.py [--papers 1000] [--questions 200] [--seed 7] [--profile] [--ask-only DIR] [--real DIR]

On a synthetic corpus (bench/synthetic.py, about 10 passages a paper) in a temporary
folder, in one process with one warm model:

(b) indexing: times a full `update_index()` (ingest, chunk, analyse, embed, write)
    against `model.encode` alone over the exact passage texts the index embedded
    (title and section prefix + chunk text), batch by batch right after the indexer's
    own call, and compares passages per second. Same model object, same torch threads.
(a) ask: after a warm-up, times `bot.ask(q)` over varied questions and, per question,
    the floor any dense retriever pays: one query encode plus one FAISS search of the
    same depth. It then replays ask's stages with timers to show where the rest goes.

--real DIR does the same over real case reports and the questions people asked of them: the cases corpus
(bench/data/cases/docs with docs_src/) and its questions, indexed in DIR once. The synthetic questions seldom
give the answer reranker a second candidate to score; real ones usually do, so this is what the reranker
costs a user. --profile adds cProfile listings: a build of the first 100 papers and 50 asks. --ask-only DIR
measures (a) alone over an index kept in DIR (built there once, brought up to date
when the analysis changes), so it can be repeated on a
quiet machine without rebuilding.
The last block of lines is meant for the README. At the default size the model
dominates the run time (an index build and a raw encode of ~10k passages each).
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from synthetic import OtherLoad, questions, write_corpus  # noqa: E402

from bot import CaseBot, load_settings  # noqa: E402
from bot.answer import compose  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.embed import get_embedder  # noqa: E402
from bot.evaluate import load_questions  # noqa: E402
from bot.indexer import EMBED_BATCH  # noqa: E402
from bot.rerank import shipped_reranker  # noqa: E402

PROFILE_PAPERS, PROFILE_ASKS, WARMUP_ASKS = 100, 50, 5
CASES = ROOT / "bench" / "data" / "cases"


@contextmanager
def replaced(obj: object, name: str, replacement: Callable) -> Iterator[None]:
    """Shadow a method on one instance (the class and every other instance are untouched)."""
    setattr(obj, name, replacement)
    try:
        yield
    finally:
        delattr(obj, name)


def counter(fn: Callable, totals: dict[str, float], key: str) -> Callable:
    """`fn(question, sentences)`, adding the number of sentences of each call to totals[key]."""

    def wrapper(question, sentences):
        totals[key] += len(sentences)
        return fn(question, sentences)

    return wrapper


def timer(fn: Callable, totals: dict[str, float], key: str) -> Callable:
    """`fn`, adding the wall time of each call to totals[key]."""

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[key] += time.perf_counter() - start

    return wrapper


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def measure_indexing(settings: Settings) -> dict:
    """(b): a full update_index, with a raw model.encode of each batch run right after the indexer's.

    Same texts (what the indexer handed the model: prefix + chunk text), same model
    object, same threads. Interleaving batch by batch makes both see the same machine:
    on a shared box, one raw encode before or after a long build measures another load.
    The raw runs are subtracted from the build's wall time.
    """
    embedder = get_embedder(settings.model.model, settings.model.offline, settings.model.batch_size)
    raw_encode, indexer_encode_passages = embedder.model.encode, embedder.encode_passages
    totals: dict[str, float] = defaultdict(float)

    def encode_passages(texts: list[str], spans: list[list[tuple[int, int]]]):
        result = timer(indexer_encode_passages, totals, "encode_passages")(texts, spans)
        timer(raw_encode, totals, "raw")(texts, batch_size=settings.model.batch_size, show_progress_bar=False)
        totals["passages"] += len(texts)
        return result

    with (
        replaced(embedder.model, "encode", timer(raw_encode, totals, "model")),
        replaced(embedder, "encode_passages", encode_passages),
    ):
        start = time.perf_counter()
        report = CaseBot(settings).update_index()
        build = time.perf_counter() - start - totals["raw"]
    if report.duplicates or report.rejected:
        sys.exit(f"synthetic corpus not indexed cleanly: {report.duplicates[:3]} {report.rejected[:3]}")
    assert totals["passages"] == report.chunks_embedded, (totals["passages"], report.chunks_embedded)
    return {
        "passages": report.chunks_embedded,
        "papers": len(report.added),
        "build": build,
        "raw": totals["raw"],
        "model": totals["model"],
        "passages_post": totals["encode_passages"] - totals["model"],
    }


def measure_ask(bot: CaseBot, qs: list[str]) -> dict[str, list[float]]:
    """(a): ask wall time and the floor (encode + dense search of the same depth), per question."""
    snap, embedder = bot.retriever().snap, bot.encoder
    depth = min(bot.settings.retrieval.candidates, len(snap.chunks))
    out: dict[str, list[float]] = defaultdict(list)
    for q in qs:
        start = time.perf_counter()
        bot.ask(q)
        out["ask"].append(time.perf_counter() - start)
        start = time.perf_counter()
        vector = embedder.encode([q])
        encoded = time.perf_counter()
        snap.dense_search(vector[0], depth)
        done = time.perf_counter()
        out["encode"].append(encoded - start)
        out["search"].append(done - encoded)
        out["floor"].append(done - start)
    return out


def ask_stages(bot: CaseBot, qs: list[str]) -> dict[str, list[float]]:
    """Replay CaseBot.ask stage by stage (same calls, same order) with a timer around each."""
    s, embedder = bot.settings, bot.encoder
    reranker = shipped_reranker() if s.answer.rerank else None
    out: dict[str, list[float]] = defaultdict(list)
    for q in qs:
        totals: dict[str, float] = defaultdict(float)
        t0 = time.perf_counter()
        retriever = bot.retriever()
        t1 = time.perf_counter()
        resolution = bot.resolve(q, None, retriever)
        t2 = time.perf_counter()
        with replaced(embedder, "encode", timer(embedder.encode, totals, "encode")):
            query = retriever.analyse(resolution.question, resolution.context, resolution.prefer, resolution.said)
        t3 = time.perf_counter()
        hits = retriever.retrieve(query, s.retrieval.k)
        t4 = time.perf_counter()
        compose(query, hits, s.answer.max_sentences, s.answer.abstain_below)
        t5 = time.perf_counter()
        with replaced(reranker, "scores", counter(reranker.scores, totals, "pairs")) if reranker else nullcontext():
            compose(query, hits, s.answer.max_sentences, s.answer.abstain_below, reranker)
        t6 = time.perf_counter()
        out["retriever() (generation check)"].append(t1 - t0)
        out["resolve (cleaning, follow-up rules)"].append(t2 - t1)
        out["analyse: query encode"].append(totals["encode"])
        out["analyse: rest (terms, tags, idf)"].append(t3 - t2 - totals["encode"])
        out["retrieve (dense + BM25 + rerank + diversify)"].append(t4 - t3)
        out["compose (sentences, the rules)"].append(t5 - t4)
        out["compose: the reranker's part"].append(max(0.0, (t6 - t5) - (t5 - t4)))
        out["total"].append(t4 - t0 + t6 - t5)
        out["pairs"].append(totals["pairs"])  # question-sentence pairs the reranker scored (0: not run)
    return out


def profile(settings: Settings, bot: CaseBot, qs: list[str], tmp: Path) -> None:
    """cProfile a small build (into its own index) and a batch of asks; list bot/ and model entries."""
    small = load_settings(env={}, docs_dir=tmp / "profile-docs", index_dir=tmp / "profile-index")
    small.docs_dir.mkdir()
    for path in sorted(settings.docs_dir.iterdir())[:PROFILE_PAPERS]:
        shutil.copy(path, small.docs_dir)
    runs: list[tuple[str, Callable[[], object]]] = [
        (f"update_index() of {PROFILE_PAPERS} papers", lambda: CaseBot(small).update_index()),
        (f"{min(PROFILE_ASKS, len(qs))} asks", lambda: [bot.ask(q) for q in qs[:PROFILE_ASKS]]),
    ]
    for label, run in runs:
        profiler = cProfile.Profile()
        profiler.runcall(run)
        print(f"\ncProfile, {label} (cumulative; bot/, model and tokenizer entries):")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(
            r"/bot/|model\.py.*\(encode\)|encode_batch|_nn\.linear|sqlite3|fsync", 30
        )


def measure_asks(settings: Settings, args: argparse.Namespace, scratch: Path, qs: list[str] | None = None) -> None:
    """(a) with its README line, over `qs` (default: synthetic questions); --profile adds cProfile listings (a
    small build goes into `scratch`)."""
    load = OtherLoad()
    bot = CaseBot(settings)
    retriever = bot.retriever()
    for q in questions(WARMUP_ASKS, args.seed + 1):
        bot.ask(q)
    qs = qs or questions(args.questions, args.seed)
    a = measure_ask(bot, qs)
    stages = ask_stages(bot, qs)
    med = {k: statistics.median(v) for k, v in a.items()}
    print(
        f"\n(a) ask over {len(qs)} questions, {len(retriever.snap.chunks)} passages, "
        f"{len(retriever.snap.segments)} segment(s), questions embedded by {type(bot.encoder).__name__}"
    )
    for key in ("ask", "floor", "encode", "search"):
        print(f"  {key:<8} median {ms(med[key]):>9}  p90 {ms(pct(a[key], 90)):>9}")
    pairs = stages.pop("pairs")
    print("  ask replayed stage by stage (median, p90):")
    for key, values in stages.items():
        print(f"    {key:<38} {ms(statistics.median(values)):>9}  {ms(pct(values, 90)):>9}")
    ran = [n for n in pairs if n]
    print(
        f"  the answer reranker ran for {len(ran)} of {len(qs)} questions"
        + (f", scoring {statistics.mean(ran):.1f} sentences each" if ran else "")
    )
    print(f"  {load.report()}")
    if args.profile:
        profile(settings, bot, qs, scratch)
    print("\nFor the README:")
    print(
        f"ask latency ({len(retriever.snap.chunks):,} passages): median {ms(med['ask'])} "
        f"(p90 {ms(pct(a['ask'], 90))}) vs floor {ms(med['floor'])} (encode {med['encode'] * 1000:.1f} + "
        f"search {med['search'] * 1000:.1f}) -> {med['ask'] / med['floor']:.2f}x (target <= 1.3x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=1000, help="synthetic papers (about 10 passages each)")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="also print cProfile listings")
    parser.add_argument(
        "--ask-only",
        type=Path,
        metavar="DIR",
        help="only (a), over DIR/docs and DIR/index (built there with `casebot index update` if missing)",
    )
    parser.add_argument(
        "--real",
        type=Path,
        metavar="DIR",
        help="only (a), over the cases corpus and its questions (indexed in DIR/index if missing)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    if args.real:
        settings = load_settings(env={}, docs_dir=args.real / "docs", index_dir=args.real / "index")
        if not settings.docs_dir.is_dir():
            settings.docs_dir.mkdir(parents=True)
            for folder in (CASES / "docs", ROOT / "docs_src"):
                for path in folder.iterdir():
                    if path.is_file():
                        shutil.copy(path, settings.docs_dir)
        CaseBot(settings).update_index()
        rows = load_questions(CASES / "questions.jsonl")
        with tempfile.TemporaryDirectory(prefix="casebot-bench-") as scratch:
            measure_asks(settings, args, Path(scratch), [row["question"] for row in rows])
        return

    if args.ask_only:
        settings = load_settings(env={}, docs_dir=args.ask_only / "docs", index_dir=args.ask_only / "index")
        if not settings.docs_dir.is_dir():
            write_corpus(settings.docs_dir, args.papers, args.seed)
        CaseBot(settings).update_index()  # built once; rebuilt only when the analysis or model changed
        with tempfile.TemporaryDirectory(prefix="casebot-bench-") as scratch:
            measure_asks(settings, args, Path(scratch))
        return

    with tempfile.TemporaryDirectory(prefix="casebot-bench-") as tmp:
        settings = load_settings(env={}, docs_dir=Path(tmp) / "docs", index_dir=Path(tmp) / "index")
        write_corpus(settings.docs_dir, args.papers, args.seed)
        embedder = get_embedder(settings.model.model, settings.model.offline, settings.model.batch_size)
        warm_up = (settings.docs_dir / "synthetic-00000.txt").read_text(encoding="utf-8").split("\n\n")
        embedder.model.encode(warm_up * 4, batch_size=settings.model.batch_size, show_progress_bar=False)
        print(
            f"torch {torch.__version__}: {torch.get_num_threads()} intra-op threads, "
            f"{torch.get_num_interop_threads()} inter-op threads; batch_size {settings.model.batch_size}"
        )
        load = OtherLoad()
        b = measure_indexing(settings)
        indexing_load = load.report()
        rest = b["build"] - b["model"] - b["passages_post"]
        index_rate, raw_rate = b["passages"] / b["build"], b["passages"] / b["raw"]
        print(f"\n(b) indexing {b['papers']} papers, {b['passages']} passages")
        print(f"  update_index()      {b['build']:8.1f} s  {index_rate:6.1f} passages/s")
        print(f"    model.encode      {b['model']:8.1f} s  (inside encode_passages, ~{EMBED_BATCH} passages a call)")
        print(f"    encode_passages   {b['passages_post']:8.1f} s  (offset tokenisation + sentence pooling)")
        print(f"    everything else   {rest:8.1f} s  (scan, ingest, chunk, lexical analysis, SQLite, FAISS, commit)")
        print(
            f"  raw model.encode    {b['raw']:8.1f} s  {raw_rate:6.1f} passages/s  (same batches, run right after each)"
        )
        print(f"  {indexing_load}")

        measure_asks(settings, args, Path(tmp))
        ratio_index = index_rate / raw_rate
        print(
            f"indexing: {index_rate:.0f} passages/s vs raw encode {raw_rate:.0f} passages/s -> "
            f"{ratio_index:.2f}x (target >= 0.9x)  [{torch.get_num_threads()} torch threads, CPU]"
        )


if __name__ == "__main__":
    main()
