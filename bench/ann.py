"""Exact search vs the IVF index of bot/ann.py, by segment size: the figures behind EXACT_LIMIT.

    python bench/ann.py [--sizes 10000,100000,1000000] [--codec sq4|sq8|flat|all] [--dir DIR]

For each size it writes a clustered synthetic segment (384-dim unit vectors drawn around
rows/50 random centres, 200..4000 of them) as passage_vectors.npy, maps it back, builds
the IVF index with build_ivf (nprobe calibrated on 300 probe questions), and measures on
200 other questions:

* exact ms: one exact_search over the mmapped array (warm page cache), per question;
* ivf ms: one IvfSearcher.search (including the exact re-score of quantised codes), per question;
* recall@10 of the IVF results against exact search, and the calibrated nprobe;
* open ms and RSS: IvfSearcher.open in a fresh process (warm page cache), its VmRSS after
  the open and the growth the open caused; "+1 q MB" the growth that one search of depth
  80 (a cold ask's candidates) then caused (pages of the lists and vectors it touched);
  "full read" is the same file read without IO_FLAG_MMAP, for contrast;
* build s: train + add + write + calibrate.

Questions are noisy copies of random rows (noise twice the vector's length, cosine
~0.45 to the source row): their neighbours are the source's cluster, and the isotropic
noise sends a few questions' neighbours all over the space, the hard case for IVF.
Single questions, as the bot asks them, each on one thread (numpy's BLAS is set to one
thread below; faiss searches one question on one thread). The machine is shared: run with nice and
compare figures from the same run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# One BLAS thread for exact search, like faiss's one thread for one question: on this
# 2-core shared machine, numpy's two OpenBLAS threads made a 10k-row exact search 30 ms
# instead of 3.4 ms whenever another process held a core (they spin waiting for each other).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot import ann  # noqa: E402

DIM = 384
ROW_NOISE = 1.0
QUERY_NOISE = 2.0
PROBES = 300
QUESTIONS = 200
EXACT_QUESTIONS = 30  # exact search at 1M rows takes ~0.1 s a question

OPEN_SCRIPT = """
import json, resource, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from bot import ann
import faiss

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

vectors = np.load(sys.argv[2], mmap_mode="r")
before = rss_mb()
t = time.perf_counter()
searcher = ann.IvfSearcher.open(sys.argv[3], int(sys.argv[4]), vectors)
open_ms = (time.perf_counter() - t) * 1000
after = rss_mb()
for q in np.load(sys.argv[5]):  # the first question of a new process: what it maps of the files
    searcher.search(q, 80)
search_growth = rss_mb() - after
del searcher
t = time.perf_counter()
full = faiss.read_index(sys.argv[3])
full_ms = (time.perf_counter() - t) * 1000
full_rss = rss_mb()
print(json.dumps({"open_ms": open_ms, "rss_mb": after, "open_growth_mb": after - before, "search_growth_mb": search_growth,
                  "full_ms": full_ms, "full_growth_mb": full_rss - after}))
"""


def clustered(rows: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    count = max(200, min(4000, rows // 50))
    centres = rng.standard_normal((count, DIM), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    out = np.empty((rows, DIM), dtype=np.float32)
    for start in range(0, rows, 65_536):
        stop = min(rows, start + 65_536)
        x = centres[rng.integers(0, count, stop - start)]
        x = x + rng.standard_normal((stop - start, DIM), dtype=np.float32) * (ROW_NOISE / np.sqrt(DIM))
        out[start:stop] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def questions(vectors: np.ndarray, count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.asarray(vectors[np.sort(rng.integers(0, len(vectors), count))], dtype=np.float32)
    x = x + rng.standard_normal(x.shape, dtype=np.float32) * (QUERY_NOISE / np.sqrt(DIM))
    return np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)


def per_question_ms(fn, queries: np.ndarray) -> float:
    fn(queries[0])  # warm-up
    started = time.perf_counter()
    for q in queries:
        fn(q)
    return (time.perf_counter() - started) * 1000 / len(queries)


def run(rows: int, codec: str, folder: Path) -> dict[str, float | int | str]:
    folder.mkdir(parents=True, exist_ok=True)
    vectors_path = folder / "passage_vectors.npy"
    started = time.perf_counter()
    np.save(vectors_path, clustered(rows, seed=1))
    vectors = np.load(vectors_path, mmap_mode="r")
    made = time.perf_counter() - started
    probes = questions(vectors, PROBES, seed=2)
    held_out = questions(vectors, QUESTIONS, seed=3)

    index_path = folder / f"ivf-{codec}.faiss"
    started = time.perf_counter()
    record = ann.build_ivf(vectors, index_path, probes, codec=codec)
    build_s = time.perf_counter() - started
    one = folder / "one-question.npy"
    np.save(one, held_out[:1])

    opened = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-c",
                OPEN_SCRIPT,
                str(Path(__file__).resolve().parents[1]),
                str(vectors_path),
                str(index_path),
                str(record["nprobe"]),
                str(one),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    searcher = ann.IvfSearcher.open(index_path, int(record["nprobe"]), vectors)
    _, truth = ann.exact_search(vectors, held_out, ann.RECALL_K)
    _, found = searcher.search(held_out, ann.RECALL_K)
    exact_ms = per_question_ms(lambda q: ann.exact_search(vectors, q, ann.RECALL_K), held_out[:EXACT_QUESTIONS])
    ivf_ms = per_question_ms(lambda q: searcher.search(q, ann.RECALL_K), held_out)
    return {
        "rows": rows,
        "codec": codec,
        "exact_ms": exact_ms,
        "ivf_ms": ivf_ms,
        "recall": ann.recall_at_k(found, truth),
        "nlist": int(record["nlist"]),
        "nprobe": int(record["nprobe"]),
        "open_ms": opened["open_ms"],
        "rss_mb": opened["rss_mb"],
        "open_growth_mb": opened["open_growth_mb"],
        "search_growth_mb": opened["search_growth_mb"],
        "full_ms": opened["full_ms"],
        "full_growth_mb": opened["full_growth_mb"],
        "index_mb": index_path.stat().st_size / 2**20,
        "vectors_mb": vectors_path.stat().st_size / 2**20,
        "build_s": build_s,
        "data_s": made,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated segment sizes (rows)")
    codecs = [ann.CODEC_SQ4, ann.CODEC_SQ8, ann.CODEC_FLAT]
    parser.add_argument("--codec", choices=[*codecs, "all"], default=ann.DEFAULT_CODEC)
    parser.add_argument(
        "--flat-up-to", type=int, default=100_000, help="with --codec all: build flat only up to this size"
    )
    parser.add_argument("--dir", type=Path, help="where segments are written (default: a temporary folder, removed)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    codecs = codecs if args.codec == "all" else [args.codec]
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]

    header = (
        f"{'rows':>9} {'codec':>5} {'exact ms':>9} {'ivf ms':>7} {'recall@10':>9} {'nlist':>6} {'nprobe':>6} "
        f"{'open ms':>8} {'RSS MB':>7} {'+open MB':>8} {'+1 q MB':>8} {'full-read ms':>12} {'+full MB':>8} "
        f"{'index MB':>8} {'vecs MB':>8} {'build s':>8}"
    )
    results = []
    print(header, flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        base = args.dir or Path(scratch)
        for rows in sizes:
            for codec in codecs:
                if codec == ann.CODEC_FLAT and len(codecs) > 1 and rows > args.flat_up_to:
                    continue
                result = run(rows, codec, base / f"seg-{rows}")
                results.append(result)
                print(
                    f"{rows:>9} {codec:>5} {result['exact_ms']:>9.2f} {result['ivf_ms']:>7.3f} {result['recall']:>9.4f} "
                    f"{result['nlist']:>6} {result['nprobe']:>6} {result['open_ms']:>8.1f} {result['rss_mb']:>7.0f} "
                    f"{result['open_growth_mb']:>8.1f} {result['search_growth_mb']:>8.1f} {result['full_ms']:>12.1f} {result['full_growth_mb']:>8.1f} "
                    f"{result['index_mb']:>8.1f} {result['vectors_mb']:>8.1f} {result['build_s']:>8.1f}",
                    flush=True,
                )
    print("\n" + header)
    for r in results:
        print(
            f"{r['rows']:>9} {r['codec']:>5} {r['exact_ms']:>9.2f} {r['ivf_ms']:>7.3f} {r['recall']:>9.4f} "
            f"{r['nlist']:>6} {r['nprobe']:>6} {r['open_ms']:>8.1f} {r['rss_mb']:>7.0f} {r['open_growth_mb']:>8.1f} "
            f"{r['search_growth_mb']:>8.1f} {r['full_ms']:>12.1f} {r['full_growth_mb']:>8.1f} {r['index_mb']:>8.1f} {r['vectors_mb']:>8.1f} {r['build_s']:>8.1f}"
        )


if __name__ == "__main__":
    main()
