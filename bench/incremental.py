"""What adding one paper costs: update of a 1,000-paper index vs indexing that paper alone.

    python bench/incremental.py [--papers 1000] [--repeat 3] [--seed 7] [--workdir DIR]

Builds an index of synthetic papers (bench/synthetic.py), adds paper number N, and
times the update two ways: in-process with the model already loaded
(`Indexer(settings).update()`), and as a maintainer runs it (`casebot index update`
in a subprocess, model load included). The same paper indexed alone into an empty
index is the yardstick (target: update <= 2x alone). Each figure is the median of
--repeat runs; between runs the paper is removed again by an untimed update.

It then proves the first update re-embedded nothing else (report counts, chunk ids
and stored vectors of every old paper identical before and after) and prints a
cProfile breakdown of one in-process update by stage.
--workdir keeps corpus and index between runs, so the slow base build happens once.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from synthetic import OtherLoad, write_corpus, write_paper  # noqa: E402

from bot import load_settings, store  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.embed import get_embedder  # noqa: E402
from bot.indexer import Indexer, UpdateReport  # noqa: E402

CASEBOT = Path(sys.executable).with_name("casebot")
# Stages of an update as (label, part of the file name, function name) in cProfile's keys.
STAGES = [
    ("read the index catalogue (store.load_catalog)", "bot/store.py", "load_catalog"),
    ("scan docs dir (indexer.scan)", "bot/indexer.py", "scan"),
    ("hash files (ingest.content_hash)", "bot/ingest.py", "content_hash"),
    ("read + clean new paper (load_document)", "bot/ingest.py", "load_document"),
    ("link the segments (GenerationWriter.__init__)", "bot/store.py", "__init__"),
    ("chunk + analyse (Indexer.read)", "bot/indexer.py", "read"),
    ("  Vocabulary.load", "bot/analysis.py", "load"),
    ("embed + hand to the writer (Indexer.embed_into)", "bot/indexer.py", "embed_into"),
    ("  model (Embedder.encode_passages)", "bot/embed.py", "encode_passages"),
    ("  SQLite inserts (SegmentBuilder.add_document)", "bot/segment.py", "add_document"),
    ("write + publish (GenerationWriter.commit)", "bot/store.py", "commit"),
    ("  new segment's arrays (SegmentBuilder.finish)", "bot/segment.py", "finish"),
    ("  segment merges (merge_segments)", "bot/segment.py", "merge_segments"),
    ("  checksums (files.sha256_file)", "bot/files.py", "sha256_file"),
    ("  fsync", "~", "<built-in method posix.fsync>"),
    ("  old generations removed", "bot/store.py", "_collect_garbage"),
]


@dataclass
class Snapshot:
    """What must not change for an old paper: its chunk ids and the vectors stored under them."""

    chunk_ids: dict[str, list[int]]
    dense: dict[int, np.ndarray]
    sentences: dict[int, np.ndarray]

    @classmethod
    def of(cls, settings: Settings) -> Snapshot:
        snap = store.load(settings.index_dir)
        ids: dict[str, list[int]] = {}
        for cid, row in snap.chunks.items():
            ids.setdefault(row.doc_id, []).append(cid)
        return cls(
            {d: sorted(v) for d, v in ids.items()},
            {cid: snap.passage_vectors(snap.rows([cid]))[0] for cid in snap.chunks},
            {cid: sentence_vectors(snap, cid) for cid in snap.chunks},
        )


def sentence_vectors(snap: store.Snapshot, chunk_id: int) -> np.ndarray:
    """The stored sentence vectors of one passage, read from its segment."""
    ((i, _, local_rows),) = snap.per_segment(snap.rows([chunk_id]))
    segment, local = snap.segments[i], int(local_rows[0])
    offsets = segment.sentence_offsets
    return np.array(segment.sentence_vectors[offsets[local] : offsets[local + 1]])


def timed(run: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def cli_update(settings: Settings) -> float:
    """Wall time of `casebot index update` as a maintainer runs it (fresh process, model load included)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")
    }  # same settings as load_settings(env={})
    start = time.perf_counter()
    done = subprocess.run(
        [
            str(CASEBOT),
            "index",
            "update",
            "--docs-dir",
            str(settings.docs_dir),
            "--index-dir",
            str(settings.index_dir),
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"casebot index update failed: {done.stderr.strip()}")
    return elapsed


def alone(paper: Path, tmp: Path, run: int) -> Settings:
    """Settings over a docs dir holding only `paper` and an index dir that does not exist yet."""
    settings = load_settings(env={}, docs_dir=tmp / f"alone-{run}" / "docs", index_dir=tmp / f"alone-{run}" / "index")
    settings.docs_dir.mkdir(parents=True)
    shutil.copy(paper, settings.docs_dir / paper.name)
    return settings


def check(label: str, ok: bool) -> bool:
    print(f"  [{'ok' if ok else 'FAIL'}] {label}")
    return ok


def prove_incremental(report: UpdateReport, before: Snapshot, after: Snapshot, new: str, n_old: int) -> bool:
    old = set(before.chunk_ids)
    new_chunks = len(after.chunk_ids.get(new, []))
    same_vectors = all(
        np.array_equal(before.dense[c], after.dense[c]) and np.array_equal(before.sentences[c], after.sentences[c])
        for d in old
        for c in before.chunk_ids[d]
    )
    results = [
        check(f"report.added == [{new}]", report.added == [new]),
        check(
            f"report.chunks_embedded ({report.chunks_embedded}) == passages of the new paper ({new_chunks})",
            report.chunks_embedded == new_chunks > 0,
        ),
        check(
            f"report.unchanged has {len(report.unchanged)} entries (expected {n_old})",
            len(report.unchanged) == n_old and not (report.changed or report.removed),
        ),
        check(
            f"chunk ids of all {len(old)} old papers identical before and after",
            old == set(after.chunk_ids) - {new} and all(before.chunk_ids[d] == after.chunk_ids[d] for d in old),
        ),
        check("their passage and sentence vectors identical", same_vectors),
    ]
    return all(results)


def stage_breakdown(profiler: cProfile.Profile, total: float) -> None:
    stats = pstats.Stats(profiler).stats  # {(file, line, function): (cc, nc, tt, ct, callers)}
    print(f"  {'update (wall, under cProfile)':<48} {total:7.3f} s")
    for label, where, function in STAGES:
        seconds = sum(v[3] for (f, _, fn), v in stats.items() if fn == function and where in f)
        print(f"  {label:<48} {seconds:7.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, help="keep corpus and index here (default: a temporary folder)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="casebot-bench-") as scratch:
        tmp = Path(scratch)
        work = args.workdir or tmp / "work"
        settings = load_settings(env={}, docs_dir=work / "docs", index_dir=work / "index")
        write_corpus(settings.docs_dir, args.papers, args.seed)
        for stray in settings.docs_dir.glob("synthetic-*.txt"):
            if int(stray.stem.split("-")[1]) >= args.papers:
                stray.unlink()  # papers left by a run with --workdir and other sizes
        get_embedder(settings.model.model, settings.model.offline, settings.model.batch_size).encode(["warm up"])
        load = OtherLoad()

        build, base = timed(lambda: Indexer(settings).update())
        print(
            f"base index: {args.papers} papers, {base.chunks_embedded} passages embedded in {build:.1f} s "
            f"({base.generation})"
        )
        before = Snapshot.of(settings)

        paper = write_paper(settings.docs_dir, args.papers, args.seed)
        new = paper.name
        update_s, report = timed(lambda: Indexer(settings).update())
        print(f"\nproof that only {new} was embedded ({report.generation}):")
        proven = prove_incremental(report, before, Snapshot.of(settings), new, len(before.chunk_ids))
        n_new = report.chunks_embedded

        def remove_new_paper() -> None:
            paper.unlink()
            Indexer(settings).update()  # untimed: back to the base papers
            write_paper(settings.docs_dir, args.papers, args.seed)

        in_process, cli = [update_s], []
        for _ in range(args.repeat - 1):
            remove_new_paper()
            in_process.append(timed(lambda: Indexer(settings).update())[0])
        alone_in_process = [timed(lambda i=i: Indexer(alone(paper, tmp, i)).update())[0] for i in range(args.repeat)]
        for _ in range(args.repeat):
            remove_new_paper()
            cli.append(cli_update(settings))
        alone_cli = [cli_update(alone(paper, tmp, args.repeat + i)) for i in range(args.repeat)]

        remove_new_paper()
        profiler = cProfile.Profile()
        profiled, _ = timed(lambda: profiler.runcall(Indexer(settings).update))
        noise = load.report()

        print(
            "\nin-process update under cProfile, by stage (cumulative seconds; indented stages are part of the one "
            "above; cProfile inflates Python-heavy stages about 2x):"
        )
        stage_breakdown(profiler, profiled)

        rows = [
            ("in-process, model loaded", in_process, alone_in_process),
            ("`casebot index update`, new process", cli, alone_cli),
        ]
        print(f"\nadding 1 paper ({n_new} passages), median of {args.repeat} runs (all runs: update | alone):")
        for label, upd, one in rows:
            print(f"  {label:<36} " + " ".join(f"{x:.2f}" for x in upd) + " | " + " ".join(f"{x:.2f}" for x in one))
        print(f"  {noise}")
        print("\nFor the README:")
        for label, upd, one in rows:
            u, a = statistics.median(upd), statistics.median(one)
            print(
                f"add 1 paper to {args.papers:,} ({label}): update {u:.2f} s vs same paper alone {a:.2f} s "
                f"-> {u / a:.2f}x (target <= 2x)"
            )
        print(
            f"re-embedded: {n_new} passages of the new paper only, {args.papers} papers unchanged "
            f"(chunk ids and vectors identical): {'yes' if proven else 'NO'}"
        )
        if not proven:
            sys.exit(1)


if __name__ == "__main__":
    main()
