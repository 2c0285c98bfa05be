"""The question adapter: fit, stored without pickle, used only with the model it was fit for."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from bot import adapter as adapter_module
from bot.adapter import PACKAGED, QuestionAdapter, fit
from bot.embed import HASHING_MODEL
from bot.errors import ConfigError
from bot.onnx_encoder import PROBE_COSINE, PROBES, probe_vectors
from bot.scoring import PASSAGE_FEATURES

PAPERS = {
    "a.txt": "Scurvy in a 66-year-old woman\n\nCase presentation\n\nShe had bruising and bleeding gums. "
    "Her diet had no fruit for a year.\n\nTreatment\n\nShe was given vitamin C 1 g daily and recovered.",
    "b.txt": "Calciphylaxis on dialysis\n\nCase presentation\n\nA 60-year-old man on haemodialysis had painful "
    "ulcers.\n\nTreatment\n\nSodium thiosulfate 25 g was infused after each session.",
}


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def _papers(rng: np.random.Generator, twist: np.ndarray, n: int, d: int, m: int):
    """Questions whose paper has m - 1 sentences repeating the question and one answer lying along q·twist."""
    questions = _unit(rng.normal(size=(n, d)))
    sentences, labels = [], []
    for q in questions:
        near = _unit(q + 0.9 * _unit(rng.normal(size=(m - 1, d))))  # close to the question, not the answer
        answer = _unit(q @ twist + 0.3 * _unit(rng.normal(size=d)))
        order = rng.permutation(m)
        rows = np.vstack([near, answer])[order]
        sentences.append(rows.astype(np.float32))
        labels.append(order == m - 1)
    return questions.astype(np.float32), sentences, labels


def _firsts(delta, questions, sentences, labels) -> float:
    a = QuestionAdapter(delta, np.zeros((len(PROBES), len(delta)), np.float32), "test")
    return float(
        np.mean([marks[np.argmax(s @ a.apply(q))] for q, s, marks in zip(questions, sentences, labels, strict=True)])
    )


def test_the_fit_learns_where_answers_lie_and_it_holds_on_questions_it_was_not_fit_on():
    """The sentences repeating the question are nearer it than the answer: the model's cosine picks
    them; a map fit on 300 such questions picks the answer for new ones."""
    rng, d = np.random.default_rng(0), 16
    twist = np.linalg.qr(rng.normal(size=(d, d)))[0]  # answers lie in a rotated direction
    train = _papers(rng, twist, 300, d, 6)
    held_out = _papers(rng, twist, 200, d, 6)
    delta = fit(*train, l2=0.001, temperature=0.05, steps=300, rate=0.01)
    assert _firsts(np.zeros((d, d), np.float32), *held_out) < 0.3
    assert _firsts(delta, *held_out) > 0.8
    again = fit(*train, l2=0.001, temperature=0.05, steps=300, rate=0.01)
    assert np.array_equal(delta, again)  # rerunning the script reproduces the shipped map


def test_a_strong_penalty_keeps_the_map_near_the_identity():
    rng, d = np.random.default_rng(1), 8
    data = _papers(rng, np.linalg.qr(rng.normal(size=(d, d)))[0], 50, d, 4)
    loose = fit(*data, l2=0.0, temperature=0.05, steps=100, rate=0.01)
    tight = fit(*data, l2=10.0, temperature=0.05, steps=100, rate=0.01)
    assert np.linalg.norm(tight) < 0.2 * np.linalg.norm(loose)


def test_a_question_without_an_answering_sentence_is_refused():
    rng = np.random.default_rng(2)
    q, s, marks = _papers(rng, np.eye(4), 3, 4, 3)
    marks[1][:] = False
    with pytest.raises(ValueError, match="answering sentence"):
        fit(q, s, marks, l2=0.01, temperature=0.05, steps=1, rate=0.01)


def test_an_adapter_is_stored_as_plain_arrays_and_read_back(tmp_path):
    rng = np.random.default_rng(3)
    delta = (0.01 * rng.normal(size=(8, 8))).astype(np.float32)
    probes = _unit(rng.normal(size=(len(PROBES), 8))).astype(np.float32)
    QuestionAdapter(delta, probes, "some/model").save(tmp_path / "a.npz")
    back = QuestionAdapter.load(tmp_path / "a.npz")
    assert back.model == "some/model" and np.allclose(back.delta, delta, atol=1e-4)
    assert back.agreement(probes) > 0.9999 and back.agreement(probes[:, :4]) == -1.0
    np.savez(tmp_path / "other.npz", weights=delta)
    with pytest.raises(ValueError, match="not delta, probes and model"):
        QuestionAdapter.load(tmp_path / "other.npz")
    np.savez(tmp_path / "pickled.npz", delta=np.array([object()]), probes=probes, model=np.array("m"))
    with pytest.raises(ValueError):  # an object array would need pickle: never loaded
        QuestionAdapter.load(tmp_path / "pickled.npz")


def test_the_packaged_adapter_was_fit_for_the_default_model(embedder):
    packaged = QuestionAdapter.load(PACKAGED)
    assert packaged.model == "sentence-transformers/all-MiniLM-L6-v2"
    assert packaged.agreement(np.asarray(probe_vectors(embedder), np.float32)) >= PROBE_COSINE
    assert packaged.delta.shape == (embedder.dimension, embedder.dimension)


def test_the_shipped_index_ranks_passages_with_the_packaged_adapter(shipped_bot):
    retriever = shipped_bot.retriever()
    assert retriever.adapter is not None
    query = retriever.analyse("What dose of intravenous immunoglobulin was she given?")
    rows, features, _, quoted, bounds, _ = retriever.pool(query)
    column = PASSAGE_FEATURES.index("sentence")
    adapted, _ = retriever.snap.sentence_scores(rows, retriever.adapter.apply(query.vector))
    own, _ = retriever.snap.sentence_scores(rows, query.vector)
    for i in range(len(rows)):  # passages rank by the adapted cosine; the answer quotes by the model's
        assert features[i, column] == pytest.approx(adapted[bounds[i] : bounds[i + 1]].max(), abs=1e-6)
    assert np.allclose(quoted, own, atol=1e-6) and not np.allclose(quoted, adapted, atol=1e-3)


def test_sentences_are_scored_against_several_vectors_at_once_as_one_at_a_time(bot_over):
    snap = bot_over(PAPERS, model=HASHING_MODEL).retriever().snap
    rows = np.arange(len(snap))
    vectors = _unit(np.random.default_rng(4).normal(size=(3, snap.segments[0].sentence_rows.shape[1])))
    together, starts = snap.sentence_scores(rows, vectors.T.astype(np.float32))
    for j, v in enumerate(vectors.astype(np.float32)):
        alone, same = snap.sentence_scores(rows, v)
        assert np.allclose(together[:, j], alone, atol=1e-6) and np.array_equal(starts, same)


def test_an_index_of_another_model_is_ranked_without_the_packaged_adapter(bot_over, caplog):
    with caplog.at_level(logging.INFO, logger="bot.adapter"):
        bot = bot_over(PAPERS, model=HASHING_MODEL)
        assert bot.retriever().adapter is None
    assert "fit for sentence-transformers/all-MiniLM-L6-v2" in caplog.text
    assert not bot.ask("What dose of sodium thiosulfate was infused?").abstained


def test_an_adapter_fit_for_the_index_model_is_used_and_off_turns_it_off(bot_over, tmp_path):
    plain = bot_over(PAPERS, model=HASHING_MODEL)
    probes = plain.encoder.encode(list(PROBES))
    d = probes.shape[1]
    QuestionAdapter(np.full((d, d), 0.01, np.float32), probes, HASHING_MODEL).save(tmp_path / "mine.npz")
    mine = bot_over(PAPERS, model=HASHING_MODEL, question_adapter=str(tmp_path / "mine.npz"))
    assert mine.retriever().adapter is not None
    assert bot_over(PAPERS, model=HASHING_MODEL, question_adapter="off").retriever().adapter is None


def test_a_missing_adapter_file_is_one_clear_line(bot_over, tmp_path):
    bot = bot_over(PAPERS, model=HASHING_MODEL, question_adapter=str(tmp_path / "nowhere.npz"))
    with pytest.raises(ConfigError) as caught:
        bot.ask("What dose of sodium thiosulfate was infused?")
    line = caught.value.one_line()
    assert "question_adapter" in line and "nowhere.npz" in line and "bench/fit_adapter.py" in line


def test_an_adapter_for_another_model_named_by_path_is_not_used_and_says_so(bot_over, tmp_path, caplog):
    QuestionAdapter.load(PACKAGED).save(tmp_path / "minilm.npz")
    with caplog.at_level(logging.WARNING, logger="bot.adapter"):
        bot = bot_over(PAPERS, model=HASHING_MODEL, question_adapter=str(tmp_path / "minilm.npz"))
        assert bot.retriever().adapter is None
    assert "minilm.npz not used" in caplog.text


def test_a_damaged_packaged_adapter_is_skipped_with_a_warning(bot_over, tmp_path, monkeypatch, caplog):
    (tmp_path / "broken.npz").write_bytes(b"not an npz file")
    monkeypatch.setattr(adapter_module, "PACKAGED", tmp_path / "broken.npz")
    with caplog.at_level(logging.WARNING, logger="bot.adapter"):
        bot = bot_over(PAPERS, model=HASHING_MODEL)
        assert bot.retriever().adapter is None
    assert "cannot be read" in caplog.text
