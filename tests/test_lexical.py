"""BM25 matches the bm25s reference, over one segment or several, and with passages removed."""

import bm25s
import numpy as np

from bot.lexical import Bm25, Postings
from tests.test_store_layout import is_mapped

CORPUS = [
    ["calcinosi", "cutis", "dermatomyos"],
    ["ivig", "dose", "400", "mg/kg"],
    ["calcinosi", "sts", "topic", "sts"],
    ["rituximab", "calcinosi", "case"],
    ["ulcer", "infect", "chalki", "materi", "calcinosi"],
]
QUERIES = (["calcinosi"], ["sts", "topic"], ["ivig", "400", "unknown"], ["ulcer", "rituximab", "calcinosi"])


def bm25_of(*segments, dead=None):
    parts = [Postings.build(docs) for docs in segments]
    dead = dead or [None] * len(parts)
    total = sum(
        float(np.asarray(p.lengths)[~d].sum() if d is not None else np.asarray(p.lengths).sum())
        for p, d in zip(parts, dead, strict=True)
    )
    return Bm25(parts, dead, total)


def reference(docs, query):
    ref = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    ref.index(docs, show_progress=False)
    return ref.get_scores(query)


def test_scores_equal_bm25s_lucene():
    ours = bm25_of(CORPUS)
    for query in QUERIES:
        assert np.allclose(ours.scores(query)[0], reference(CORPUS, query), atol=1e-5), query


def test_segments_score_as_one_corpus():
    """Statistics are corpus-wide: three segments score exactly as one index of all the passages."""
    split = bm25_of(CORPUS[:2], CORPUS[2:3], CORPUS[3:])
    for query in QUERIES:
        assert np.allclose(np.concatenate(split.scores(query)), reference(CORPUS, query), atol=1e-5), query


def test_removed_passages_leave_the_statistics_and_the_results():
    dead = [np.array([False, False, True]), np.array([False, True])]
    index = bm25_of(CORPUS[:3], CORPUS[3:], dead=dead)
    live = [CORPUS[0], CORPUS[1], CORPUS[3]]
    for query in QUERIES:
        scores = np.concatenate(index.scores(query))
        assert scores[2] == 0 and scores[4] == 0
        assert np.allclose(scores[[0, 1, 3]], reference(live, query), atol=1e-5), query
    assert [r.tolist() for r in index.rows_with("calcinosi")] == [[0], [0]]
    assert index.idf("ulcer") is None  # only a removed passage had it


def test_merged_postings_equal_a_fresh_build():
    a, b = Postings.build(CORPUS[:3]), Postings.build(CORPUS[3:])
    merged = Postings.merge([(a, np.array([True, False, True])), (b, np.array([True, True]))])
    fresh = Postings.build([CORPUS[0], CORPUS[2], CORPUS[3], CORPUS[4]])
    assert list(merged.terms) == list(fresh.terms)
    for name in ("ptr", "rows", "tf", "lengths"):
        assert np.array_equal(getattr(merged, name), getattr(fresh, name)), name


def test_save_and_open_memory_mapped_without_pickle(tmp_path):
    postings = Postings.build(CORPUS)
    postings.save(tmp_path)
    again = Postings.open(tmp_path)
    assert is_mapped(again.rows) and is_mapped(again.tf)
    assert list(again.terms) == list(postings.terms)
    assert again.terms.get("sts") is not None and again.terms.get("absent") is None
    assert np.allclose(
        Bm25([again], [None], 19.0).scores(["calcinosi", "sts"])[0], bm25_of(CORPUS).scores(["calcinosi", "sts"])[0]
    )
