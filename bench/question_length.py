"""Cost of one question against its length: does it grow linearly?

    python bench/question_length.py [--sizes 16,128,1024] [--profile]

Over the shipped case report (indexed in a temporary folder, warm model), times the
whole question path below the front end's word limit (`CaseBot.analyse` refuses long
questions; this calls the retriever and the answer stage directly, as the limit could be
raised to 5,000 words): analyse -> retrieve -> compose, for questions of each size in KB
made of varied clinical sentences. Prints seconds per size and the ratio of the time
per KB of each size to the smallest one (1.0 means linear, above it super-linear).

Issue 13 reported 128 KB: 3.5 s and 1 MB: 222 s. At commit 2a27dfb this bench measured
128 KB 4.8 s and 1 MB 21.3 s (0.55 per KB, linear; other question shapes, such as runs of
digits, dots, slashes or hyphens, were linear too), and 2.0 s / 9.4 s (0.58) after the
hardening; the front end's limit of max_question_words (300) keeps questions near 2 KB.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import pstats
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import CaseBot, load_settings  # noqa: E402
from bot.answer import compose  # noqa: E402

SENTENCES = [
    "What share of dermatomyositis patients develop calcinosis cutis on the elbows or fingertips?",
    "Was sodium thiosulfate 25 mg/kg/day given intravenously for 6 months, and did the IVIG help?",
    "Which kind of treatment—diltiazem, bisphosphonates or surgery—reduced the nodules in the boy?",
    "Les lésions ont régressé après trois mois; how long did the patient's CRP stay above 10 mg/L?",
]


def question(kb: int) -> str:
    """Varied sentences, each with a made-up word of its own, as a long paste has ever new words."""
    rng = random.Random(kb)
    out, n, i = [], 0, 0
    while n < kb * 1024:
        made_up = "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(4))
        s = SENTENCES[i % len(SENTENCES)].replace("6 months", f"{i % 40 + 2} months") + f" Was it {made_up}?"
        out.append(s)
        n += len(s) + 1
        i += 1
    return " ".join(out)[: kb * 1024]


def answer_once(bot: CaseBot, text: str) -> float:
    start = time.perf_counter()
    query = bot.retriever().analyse(" ".join(text.split()))
    hits = bot.retriever().retrieve(query, bot.settings.retrieval.k)
    a = bot.settings.answer
    compose(query, hits, a.max_sentences, a.abstain_below)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="16,128,1024", help="question sizes in KB, comma-separated")
    parser.add_argument("--profile", action="store_true", help="cProfile the largest size")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(ROOT / "docs_src", Path(tmp) / "docs")
        bot = CaseBot(load_settings(env={}, docs_dir=Path(tmp) / "docs", index_dir=Path(tmp) / "index"))
        bot.update_index()
        answer_once(bot, question(1))  # warm: model, index, caches
        timings = {}
        for kb in sizes:
            if args.profile and kb == max(sizes):
                profile = cProfile.Profile()
                profile.enable()
            timings[kb] = answer_once(bot, question(kb))
            print(f"{kb:>6} KB question: {timings[kb]:8.2f} s", flush=True)
        if args.profile:
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(12)
    base = timings[sizes[0]] / sizes[0]
    print(
        "time per KB relative to the smallest size (1.0 = linear): "
        + ", ".join(f"{kb} KB {timings[kb] / kb / base:.2f}" for kb in sizes)
    )


if __name__ == "__main__":
    main()
