"""P5: how opening, asking and adding a paper grow with the index (10k, 100k, ... passages).

    python bench/scale.py [--sizes 10000,100000] [--questions 30] [--repeat 3] [--previous] [--workdir DIR]

For each size, synthetic papers (bench/synthetic.py, about 6.5 passages a paper) are
indexed by the real indexer with the deterministic hashing embedder standing in for the
model (`casebot/hashing-384`: only storage and search are measured, and the model would
take hours at these sizes). Each figure comes from new processes, so nothing is warm
that a user's first question would not find warm (the files are in the page cache: each
index is read once before its figures are taken, see warm_page_cache):

  open       CPU time of `store.load` in a fresh process (median of --repeat processes: one
             load is a few milliseconds, and single samples varied 1.6x), and the peak RSS it
             adds over a process that only imported casebot;
  cold ask   peak RSS of `casebot ask` as a new process, and how its RSS at exit splits into
             private pages (RssAnon) and pages of mapped files (RssFile: libraries and the
             index pages the question touched, shared with the page cache);
  warm ask   median wall time of `CaseBot.ask` after three warm-up questions, and recall@10
             of its dense search against exact search over every segment, on --recall-questions
             other questions (a passage tied with the tenth exact neighbour counts as found);
  add 1      CPU time of `Indexer.add()` (what `casebot index add` runs) for one new paper
             (removed again by an untimed `index update` between repeats).

Every figure is also printed as a ratio to the smallest size, with the segment count and
the dense search each segment uses (exact or approximate). --previous also builds each
corpus with the loader before format 3 (git commit PREVIOUS_LOADER) and measures its
open the same way. --workdir keeps the corpora and indexes between runs.
Targets (issue 12): open and cold RSS at 1M <= 2x the 10k figures, warm ask <= 3x,
add-one-paper <= 2x.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from synthetic import questions, write_corpus  # noqa: E402

NEUTRAL = Path(tempfile.gettempdir())  # children run here: `python -c` puts its working directory on sys.path
HASHING = "casebot/hashing-384"
PASSAGES_PER_PAPER = 6.5  # synthetic papers at the default chunk size
PREVIOUS_LOADER = "36e20b16aaed7c02395e259619afd497d19206fd"  # main before index format 3 (the whole index loaded into Python objects)
SEED = 7

OPEN = """
import json, resource, sys, time
from pathlib import Path
from bot import store
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.process_time()
snap = store.load(Path(sys.argv[1]))
cpu = time.process_time() - t
print(json.dumps({"cpu": cpu, "rss_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024}))
"""
WARM = """
import json, statistics, sys, time
import numpy as np
from bot import CaseBot, ann, load_settings
bot = CaseBot(load_settings(docs_dir=sys.argv[1], index_dir=sys.argv[2], model=sys.argv[3]))
qs = json.loads(sys.argv[4])
for q in qs[:3]:
    bot.ask(q)
times = []
for q in qs:
    t = time.perf_counter()
    bot.ask(q)
    times.append(time.perf_counter() - t)
snap = bot.retriever().snap
probes = bot.encoder.encode(json.loads(sys.argv[5]))  # the dense search against exact search over every segment
best = np.full((len(probes), 10), -np.inf, np.float32)
for segment in snap.segments:  # each question's 10 best exact scores over the whole index
    scores, _ = ann.exact_search(segment.passage_vectors, probes, 10)
    best = np.sort(np.concatenate([best, scores], axis=1), axis=1)[:, -10:]
found = np.full((len(probes), 10), -np.inf, np.float32)  # exact scores of what the dense search found
for i, vector in enumerate(probes):
    rows = snap.dense_search(vector, 10)
    found[i, : len(rows)] = snap.passage_vectors(rows) @ vector
recall = ann.tie_aware_recall(found, best[:, ::-1]).mean()  # a passage tied with the 10th counts as found
print(json.dumps({"ask_ms": 1000 * statistics.median(times), "recall_at_10": float(recall)}))
"""
ADD = """
import json, statistics, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[5])
from synthetic import write_paper
from bot import load_settings, store
from bot.indexer import Indexer
settings = load_settings(docs_dir=sys.argv[1], index_dir=sys.argv[2], model=sys.argv[3])
number, repeat, cpu = int(sys.argv[4]), int(sys.argv[6]), []
for _ in range(repeat):
    path = write_paper(Path(sys.argv[1]), number, 7)
    t = time.process_time()
    with store.writer_lock(settings.index_dir) as lock:  # what `casebot index add` runs after copying the file
        report = Indexer(settings).add([path.name], lock)
    cpu.append(time.process_time() - t)
    assert report.added == [path.name], report.added
    path.unlink()
    Indexer(settings).update()
print(json.dumps({"add_cpu": statistics.median(cpu)}))
"""


def child(script: str, *args: str, pythonpath: Path = ROOT) -> tuple[dict, float]:
    """Run a script in a new process: what it printed (JSON, last line) and its peak RSS in MB (wait4)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")}
    env.update(PYTHONPATH=str(pythonpath), CASEBOT_MODEL=HASHING)
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", script, *args], env=env, stdout=subprocess.PIPE, stderr=err, text=True, cwd=NEUTRAL
        )
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            raise SystemExit(f"child failed: {err.read()}")
    return (json.loads(out.strip().splitlines()[-1]) if out.strip() else {}), usage.ru_maxrss / 1024


# `casebot ask` as the console script runs it, reporting at exit how its resident memory splits
# into private pages (RssAnon: Python, numpy results) and pages of mapped files (RssFile:
# libraries, and the index files' pages the question touched, shared with the page cache).
COLD_ASK = """
import atexit, json, sys
report = sys.argv.pop(1)
def split():
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    with open(report, "w") as out:
        json.dump({k: int(status[k].split()[0]) / 1024 for k in ("RssAnon", "RssFile")}, out)
atexit.register(split)
sys.argv[0] = "casebot"
from bot.cli import main
main()
"""


def cold_ask_rss(docs: Path, index: Path, question: str) -> tuple[float, dict[str, float]]:
    """Peak RSS (MB) of `casebot ask` in a new process, and its RssAnon / RssFile at exit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")}
    env.update(PYTHONPATH=str(ROOT), CASEBOT_MODEL=HASHING)
    with tempfile.NamedTemporaryFile("r", suffix=".json") as split:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                COLD_ASK,
                split.name,
                "ask",
                question,
                "--docs-dir",
                str(docs),
                "--index-dir",
                str(index),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=NEUTRAL,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"casebot ask failed: {proc.stderr.read().decode() if proc.stderr else ''}")
        return usage.ru_maxrss / 1024, json.loads(Path(split.name).read_text())


def warm_page_cache(index: Path) -> float:
    """Read every file of the current generation once (GB read): the figures are of files in the page cache.

    This machine's kernel reclaims page cache that has not been read for a while (DAMON),
    so an index built or used minutes earlier may be back on disk: a 1M-passage warm ask
    measured 61 ms right after a build and 292 ms a quarter of an hour later.
    """
    total = 0
    for path in sorted((index / (index / "CURRENT").read_text().strip()).rglob("*")):
        if path.is_file():
            with open(path, "rb", buffering=0) as fh:
                while chunk := fh.read(1 << 24):
                    total += len(chunk)
    return total / 2**30


def build(docs: Path, index: Path, papers: int, pythonpath: Path = ROOT) -> int:
    """Index the corpus (once; kept with --workdir); the passage count."""
    if not docs.is_dir():
        write_corpus(docs, papers, SEED)
    if not (index / "CURRENT").exists():
        env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")}
        env.update(PYTHONPATH=str(pythonpath), CASEBOT_MODEL=HASHING)
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from bot.cli import main; main()",
                "index",
                "update",
                "--json",
                "--docs-dir",
                str(docs),
                "--index-dir",
                str(index),
            ],
            env=env,
            check=True,
            capture_output=True,
            cwd=NEUTRAL,
        )
    current = (index / "CURRENT").read_text().strip()
    return json.loads((index / current / "manifest.json").read_text())


def previous_tree(work: Path) -> Path:
    old = work / "previous-loader"
    if not old.is_dir():
        tree = subprocess.run(
            ["git", "-C", str(ROOT), "archive", PREVIOUS_LOADER, "bot"], capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(tree)) as tar:
            tar.extractall(old, filter="data")
    return old


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="passages, comma-separated")
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--recall-questions", type=int, default=200, help="questions for recall@10 vs exact search")
    parser.add_argument("--previous", action="store_true", help="also measure the loader before format 3")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="casebot-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    qs = questions(args.questions, SEED)
    recall_qs = questions(args.recall_questions, SEED + 1)
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        papers = max(1, round(size / PASSAGES_PER_PAPER))
        docs, index = work / f"p{papers}" / "docs", work / f"p{papers}" / "index"
        manifest = build(docs, index, papers)
        passages = int(manifest["chunks"])
        searches = ",".join(sorted({seg.get("dense", {}).get("kind", "exact") for seg in manifest["segments"]}))
        print(f"read {warm_page_cache(index):.1f} GB of index files into the page cache", flush=True)
        baseline_rss = child("import bot.store\nprint('{}')")[1]
        opens = [child(OPEN, str(index)) for _ in range(args.repeat)]
        opened, open_rss = {"cpu": statistics.median(o["cpu"] for o, _ in opens)}, max(rss for _, rss in opens)
        warm, _ = child(WARM, str(docs), str(index), HASHING, json.dumps(qs), json.dumps(recall_qs))
        added, _ = child(ADD, str(docs), str(index), HASHING, str(papers), str(ROOT / "bench"), str(args.repeat))
        row = {
            "size": size,
            "papers": papers,
            "passages": passages,
            "open_ms": 1000 * opened["cpu"],
            "open_rss": open_rss - baseline_rss,
            **dict(zip(("cold_rss", "cold_split"), cold_ask_rss(docs, index, qs[0]), strict=True)),
            "ask_ms": warm["ask_ms"],
            "recall": warm["recall_at_10"],
            "add_s": added["add_cpu"],
            "segments": len(manifest["segments"]),
            "search": searches,
        }
        if args.previous:
            old = previous_tree(work)
            old_index = work / f"p{papers}" / "index-previous"
            build(docs, old_index, papers, pythonpath=old)
            old_base = child("import bot.store\nprint('{}')", pythonpath=old)[1]
            old_open, old_rss = child(OPEN, str(old_index), pythonpath=old)
            row.update(prev_open_ms=1000 * old_open["cpu"], prev_open_rss=old_rss - old_base)
        rows.append(row)
        print(json.dumps(row), flush=True)

    base = rows[0]
    print(f"\nP5 scale (hashing embedder; new processes; ratios to {base['passages']:,} passages):")
    print(
        f"  {'passages':>10} {'open ms':>9} {'open MB':>8} {'cold-ask MB':>12} {'(anon+file)':>12} {'warm ask ms':>12} {'add-1 CPU-s':>12}"
        f"  recall@10  segments"
    )
    for r in rows:
        print(
            f"  {r['passages']:>10,} {r['open_ms']:>9.1f} {r['open_rss']:>8.1f} {r['cold_rss']:>12.0f} "
            f"{r['cold_split']['RssAnon']:>5.0f}+{r['cold_split']['RssFile']:<6.0f} "
            f"{r['ask_ms']:>12.1f} {r['add_s']:>12.2f}  {r['recall']:>9.3f}  {r['segments']} ({r['search']})"
        )
        print(
            f"  {'ratio':>10} {r['open_ms'] / base['open_ms']:>8.2f}x {'':>8} {r['cold_rss'] / base['cold_rss']:>11.2f}x "
            f"{r['cold_split']['RssAnon'] / base['cold_split']['RssAnon']:>5.2f}x{'':<6} "
            f"{r['ask_ms'] / base['ask_ms']:>11.2f}x {r['add_s'] / base['add_s']:>11.2f}x"
        )
        if "prev_open_ms" in r:
            print(f"  {'previous':>10} {r['prev_open_ms']:>9.1f} {r['prev_open_rss']:>8.1f}   (loader before format 3)")


if __name__ == "__main__":
    main()
