"""Answering a question does not load torch: the lean ONNX encoder gives the model's own vectors.

A new `casebot ask` process used to spend most of its time importing torch and loading the
model. The index build exports the model to ONNX once; every front end answers through
onnxruntime, and falls back to sentence-transformers, saying why, whenever the export is
missing or does not reproduce the index's model.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from conftest import REPORT, ROOT

from bot import CaseBot
from bot.embed import Embedder
from bot.errors import EmbedderError
from bot.onnx_encoder import ENCODERS_DIR, MODEL_FILE, OnnxEncoder, verified_encoder

HEAVY = ("torch", "transformers", "sentence_transformers")
QUESTION = "What share of dermatomyositis patients develop calcinosis cutis?"
DEV_QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "tests/data/dev_questions.jsonl").open()]
PAPERS = {
    "gout.txt": "A 61-year-old man had recurrent podagra. Colchicine 0.5 mg twice daily prevented new flares "
    "over two years. Serum urate fell below 6 mg/dL on allopurinol.",
    "lyme.txt": "A 30-year-old hiker developed erythema migrans after a tick bite. "
    "Doxycycline 100 mg twice daily for 14 days cleared the rash.",
}

FRONT_ENDS = {  # front end: (what it runs, what its output shows)
    "ask": (
        """
        main(["ask", QUESTION, "--json", *DIRS], standalone_mode=False)
    """,
        "8% of DM patients",
    ),
    "chat": (
        """
        sys.stdin = io.StringIO(QUESTION + "\\n")
        main(["chat", *DIRS], standalone_mode=False)
    """,
        "8% of DM patients",
    ),
    "eval": (
        """
        main(["eval", str(ROOT / "tests/data/dev_questions.jsonl"), *DIRS], standalone_mode=False)
    """,
        "questions=30",
    ),
    "langchain": (
        """
        from bot.langchain_retriever import CaseBotRetriever
        docs = CaseBotRetriever(bot=CaseBot(load_settings(docs_dir=DIRS[1], index_dir=DIRS[3])), k=3).invoke(QUESTION)
        print(docs[0].metadata["source"])
    """,
        REPORT,
    ),
}


def run_front_end(name: str, settings) -> subprocess.CompletedProcess:
    """A front end in a fresh Python process, which then reports which heavy modules it imported and how many
    of wordfreq's dictionaries it loaded (bot.frequency reads the index build's table instead)."""
    script = "\n".join(
        [
            "import io, json, sys",
            "from pathlib import Path",
            "from bot import CaseBot, load_settings",
            "from bot.cli import main",
            f"ROOT, QUESTION = Path({str(ROOT)!r}), {QUESTION!r}",
            f"DIRS = ['--docs-dir', {str(settings.docs_dir)!r}, '--index-dir', {str(settings.index_dir)!r}]",
            textwrap.dedent(FRONT_ENDS[name][0]).strip(),
            "wordfreq = sys.modules.get('wordfreq')",
            "print('WORDLISTS', wordfreq.get_frequency_dict.cache_info().currsize if wordfreq else 0)",
            f"print('IMPORTED', json.dumps([m for m in {HEAVY!r} if m in sys.modules]))",
        ]
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEBOT_")}
    env.update(PYTHONPATH=str(ROOT), CASEBOT_CACHE_DIR=str(settings.cache_dir))
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120, cwd=settings.docs_dir
    )


@pytest.mark.parametrize("front_end", list(FRONT_ENDS))
def test_answering_in_a_new_process_never_imports_torch_or_transformers(shipped_bot, front_end):
    proc = run_front_end(front_end, shipped_bot.settings)
    assert proc.returncode == 0, proc.stderr
    imported = json.loads(proc.stdout.rsplit("IMPORTED ", 1)[1])
    assert imported == [], f"{front_end} imported {imported}"
    assert "WORDLISTS 0" in proc.stdout
    assert FRONT_ENDS[front_end][1] in proc.stdout
    assert "sentence-transformers instead" not in proc.stderr  # the lean encoder was used, not the fallback


def test_the_onnx_encoder_gives_the_models_own_vectors(shipped_bot, embedder):
    onnx = shipped_bot.encoder
    assert isinstance(onnx, OnnxEncoder)
    report = (shipped_bot.settings.docs_dir / REPORT).read_text(encoding="utf-8")
    paragraphs = [p for p in report.split("\n\n") if p.strip()]
    sentences = [s for p in paragraphs for s in re.split(r"(?<=[.?!])\s+", p)] + paragraphs + DEV_QUESTIONS
    sentences.append(report)  # longer than the model's window: both must cut it at the same token
    assert embedder.count_tokens(report) > embedder.max_tokens and len(sentences) > 75
    cosines = np.sum(onnx.encode(sentences) * embedder.encode(sentences), axis=1)
    assert cosines.min() >= 0.999
    one_at_a_time = np.vstack([onnx.encode([s]) for s in sentences[:20]])  # how questions are encoded
    assert np.sum(one_at_a_time * embedder.encode(sentences[:20]), axis=1).min() >= 0.999
    assert onnx.word_pieces("calcinosis") == embedder.word_pieces("calcinosis")


def test_onnx_and_torch_give_identical_answers(shipped_bot, make_settings):
    s = shipped_bot.settings
    torch_bot = CaseBot(make_settings(docs_dir=s.docs_dir, index_dir=s.index_dir, query_encoder="torch"))
    assert isinstance(torch_bot.encoder, Embedder) and isinstance(shipped_bot.encoder, OnnxEncoder)
    for question in DEV_QUESTIONS:
        lean, full = shipped_bot.ask(question).to_dict(), torch_bot.ask(question).to_dict()
        # float32 kernels differ in summation order, so a score may differ in its sixth decimal
        lean_scores, full_scores = ([p.pop("score") for p in d["passages"]] for d in (lean, full))
        assert lean == full, question
        assert lean_scores == pytest.approx(full_scores, abs=2e-6), question


@pytest.fixture
def own_cache(tmp_path, cache_dir, shipped_bot):
    """A cache dir of the test's own holding a copy of the session's export (so the test may damage it);
    building the shipped index made that export, whichever tests run before."""
    own = tmp_path / "cache"
    shutil.copytree(cache_dir / ENCODERS_DIR, own / ENCODERS_DIR)
    return own


def the_export(cache) -> os.PathLike:
    (folder,) = (cache / ENCODERS_DIR).iterdir()
    return folder


def test_a_missing_onnx_encoder_is_exported_again_by_the_first_question(bot_over, own_cache, caplog):
    """Another user's index, or a cleared cache: the model that must answer this question anyway
    exports the encoder, and the questions after it are lean. Nothing is wrong, so it is logged as
    information, not as a warning on the user's terminal."""
    bot = bot_over(PAPERS, cache_dir=own_cache)
    shutil.rmtree(the_export(own_cache))
    with caplog.at_level(logging.INFO):
        first = CaseBot(bot.settings)
        answer = first.ask("Which dose of colchicine prevented flares?")
    assert "0.5 mg twice daily" in answer.text
    assert isinstance(first.encoder, OnnxEncoder) and "exported the lean ONNX query encoder" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert isinstance(CaseBot(bot.settings).encoder, OnnxEncoder)


def test_a_missing_onnx_encoder_that_cannot_be_exported_falls_back_to_the_model_and_says_why(
    bot_over, own_cache, caplog
):
    bot = bot_over(PAPERS, cache_dir=own_cache)
    shutil.rmtree(own_cache / ENCODERS_DIR)
    (own_cache / ENCODERS_DIR).write_text("not a folder")  # a cache nothing can be written into
    with caplog.at_level(logging.WARNING):
        answer = CaseBot(bot.settings).ask("Which dose of colchicine prevented flares?")
    assert "0.5 mg twice daily" in answer.text
    assert "sentence-transformers instead of the lean ONNX encoder" in caplog.text and "is missing" in caplog.text
    # once the cache can be written, the next update exports it again, and answers are lean once more
    (own_cache / ENCODERS_DIR).unlink()
    bot.update_index()
    assert isinstance(CaseBot(bot.settings).encoder, OnnxEncoder)


def test_a_mismatched_onnx_encoder_falls_back_to_the_model_and_says_why(bot_over, own_cache, caplog):
    import onnx
    from onnx import numpy_helper

    bot = bot_over(PAPERS, cache_dir=own_cache)
    path = the_export(own_cache) / MODEL_FILE
    graph = onnx.load(str(path))
    biggest = max(graph.graph.initializer, key=lambda t: np.prod(t.dims))  # the word embeddings
    weights = numpy_helper.to_array(biggest)
    noisy = weights + np.random.default_rng(0).normal(0, weights.std(), weights.shape).astype(weights.dtype)
    biggest.CopyFrom(numpy_helper.from_array(noisy, biggest.name))
    onnx.save(graph, str(path))  # another model's weights under this model's name

    with caplog.at_level(logging.WARNING):
        lenient = CaseBot(bot.settings)
        answer = lenient.ask("How long was doxycycline given?")
    assert "14 days" in answer.text and isinstance(lenient.encoder, Embedder)
    assert "does not match the index's model (probe cosine" in caplog.text
    strict = CaseBot(
        bot.settings.model_copy(update={"model": bot.settings.model.model_copy(update={"query_encoder": "onnx"})})
    )
    with pytest.raises(EmbedderError, match="query_encoder is onnx, but .* does not match"):
        strict.ask("How long was doxycycline given?")


def test_verification_needs_the_index_probe_vectors(shipped_bot):
    manifest = dict(shipped_bot.retriever().snap.manifest)
    assert verified_encoder(shipped_bot.settings.cache_dir, manifest)
    manifest["query_encoder"] = {
        **manifest["query_encoder"],
        "probes": [[-x for x in row] for row in manifest["query_encoder"]["probes"]],
    }
    with pytest.raises(Exception, match="does not match"):
        verified_encoder(shipped_bot.settings.cache_dir, manifest)
