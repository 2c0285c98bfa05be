"""The dense-index seam: what the store and retriever ask of any vector engine, checked on FAISS."""

import numpy as np

from bot.vectors import DenseIndex, FaissIndex


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_faiss_index_adds_removes_searches_and_round_trips_by_passage_id(tmp_path):
    rng = np.random.default_rng(7)
    vectors = unit(rng.normal(size=(6, 8)))
    index: DenseIndex = FaissIndex.empty(8)
    index.add(np.array([10, 11, 12, 13, 14, 15]), vectors)
    index.remove(np.array([12]))
    assert len(index) == 5 and index.ids().tolist() == [10, 11, 13, 14, 15]
    scores, ids = index.search(vectors[3:4], 2)
    assert ids[0][0] == 13 and abs(scores[0][0] - 1.0) < 1e-5  # a vector finds itself first
    _, ids = index.search(vectors[2:3], 6)
    assert 12 not in ids[0] and ids[0][-1] == -1  # removed; a short result is padded with -1
    index.save(tmp_path / "dense.faiss")
    again = FaissIndex.load(tmp_path / "dense.faiss")
    assert again.ids().tolist() == index.ids().tolist()
    assert np.allclose(again.vectors(), vectors[[0, 1, 3, 4, 5]])
    assert FaissIndex.empty(8).vectors().shape == (0, 8)
