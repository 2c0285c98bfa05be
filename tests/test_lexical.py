"""BM25 matches the bm25s reference, over one segment or several, and with passages removed."""

import bm25s
import numpy as np
import pytest

from bot import lexical
from bot.lexical import FULL_PASS_POSTINGS, MERGE_BLOCK_ENTRIES, Bm25, Postings, merge_postings
from tests.test_store_layout import is_mapped

CORPUS = [
    ["calcinosi", "cutis", "dermatomyos"],
    ["ivig", "dose", "400", "mg/kg"],
    ["calcinosi", "sts", "topic", "sts"],
    ["rituximab", "calcinosi", "case"],
    ["ulcer", "infect", "chalki", "materi", "calcinosi"],
]
QUERIES = (["calcinosi"], ["sts", "topic"], ["ivig", "400", "unknown"], ["ulcer", "rituximab", "calcinosi"])


def bm25_of(*segments, dead=None, full_pass=FULL_PASS_POSTINGS):
    parts = [Postings.build(docs) for docs in segments]
    dead = dead or [None] * len(parts)
    total = sum(
        float(np.asarray(p.lengths)[~d].sum() if d is not None else np.asarray(p.lengths).sum())
        for p, d in zip(parts, dead, strict=True)
    )
    return Bm25(parts, dead, total, full_pass)


def scores(index, query):
    """Every row's score, as the exhaustive pass a reference implementation makes."""
    return index.scores_at(query, np.arange(index.offsets[-1]))


def reference(docs, query):
    ref = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    ref.index(docs, show_progress=False)
    return ref.get_scores(query)


def test_scores_equal_bm25s_lucene():
    ours = bm25_of(CORPUS)
    for query in QUERIES:
        assert np.allclose(scores(ours, query), reference(CORPUS, query), atol=1e-5), query


def test_segments_score_as_one_corpus():
    """Statistics are corpus-wide: three segments score exactly as one index of all the passages."""
    split = bm25_of(CORPUS[:2], CORPUS[2:3], CORPUS[3:])
    for query in QUERIES:
        assert np.allclose(scores(split, query), reference(CORPUS, query), atol=1e-5), query


def test_removed_passages_leave_the_statistics_and_the_results():
    dead = [np.array([False, False, True]), np.array([False, True])]
    index = bm25_of(CORPUS[:3], CORPUS[3:], dead=dead)
    live = [CORPUS[0], CORPUS[1], CORPUS[3]]
    for query in QUERIES:
        got = scores(index, query)
        assert got[2] == 0 and got[4] == 0
        assert np.allclose(got[[0, 1, 3]], reference(live, query), atol=1e-5), query
    assert index.rows_with("calcinosi").tolist() == [0, 3]
    assert index.contains("calcinosi", np.arange(5)).tolist() == [True, False, False, True, False]
    assert index.idf("ulcer") is None  # only a removed passage had it


@pytest.mark.parametrize("block", [MERGE_BLOCK_ENTRIES, 1, 3], ids=["one block", "an entry a block", "3 a block"])
@pytest.mark.parametrize("dropped", [True, False], ids=["rows dropped", "all kept"])
def test_merged_postings_equal_a_fresh_build(tmp_path, monkeypatch, block, dropped):
    """Merged a block of terms at a time (bounded memory at any size), with rows of removed passages left out."""
    monkeypatch.setattr(lexical, "MERGE_BLOCK_ENTRIES", block)
    parts = [
        (CORPUS[:3], np.array([True, not dropped, True])),
        (CORPUS[3:4], np.array([not dropped])),
        (CORPUS[3:], np.array([True, True])),
    ]
    for i, (passages, _) in enumerate(parts):
        (tmp_path / str(i)).mkdir()
        Postings.build(passages).save(tmp_path / str(i))
    (tmp_path / "merged").mkdir()
    merge_postings([(tmp_path / str(i), keep) for i, (_, keep) in enumerate(parts)], tmp_path / "merged")
    merged = Postings.open(tmp_path / "merged")
    fresh = Postings.build([p for passages, keep in parts for p, k in zip(passages, keep, strict=True) if k])
    assert list(merged.terms) == list(fresh.terms)
    for name in ("ptr", "rows", "tf", "lengths"):
        got, want = getattr(merged, name), getattr(fresh, name)
        assert got.dtype == want.dtype and np.array_equal(got, want), name


def test_save_and_open_memory_mapped_without_pickle(tmp_path):
    postings = Postings.build(CORPUS)
    postings.save(tmp_path)
    again = Postings.open(tmp_path)
    assert is_mapped(again.rows) and is_mapped(again.tf)
    assert list(again.terms) == list(postings.terms)
    assert again.terms.get("sts") is not None and again.terms.get("absent") is None
    assert np.allclose(
        scores(Bm25([again], [None], 19.0), ["calcinosi", "sts"]), scores(bm25_of(CORPUS), ["calcinosi", "sts"])
    )


@pytest.mark.parametrize("full_pass", [FULL_PASS_POSTINGS, 0], ids=["one pass", "MaxScore"])
@pytest.mark.parametrize("seed", range(8))
def test_top_rows_equal_a_full_sort(seed, full_pass):
    """Neither way of finding the best rows changes them: the n best positive scores of every
    row, equal scores by row, over several segments with removed passages, repeated and common
    query terms, with or without good seeds; nor the scores the search gives for other rows."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(60)]
    share = np.geomspace(0.9, 0.002, len(words))  # a few words in most passages, most in few
    segments = [
        [
            [w for w, p in zip(words, share, strict=True) if rng.random() < p] * int(rng.integers(1, 3)) or ["w0"]
            for _ in range(int(rng.integers(50, 400)))
        ]
        for _ in range(int(rng.integers(1, 4)))
    ]
    dead = [rng.random(len(docs)) < rng.choice([0.0, 0.05, 0.6]) for docs in segments]
    index = bm25_of(*segments, dead=[d if d.any() else None for d in dead], full_pass=full_pass)
    for _ in range(20):
        query = list(rng.choice(words, int(rng.integers(1, 9)))) + ["absent"]
        every = scores(index, query)
        positive = np.flatnonzero(every > 0)
        ranked = positive[np.lexsort((positive, -every[positive]))]
        for n in (0, 1, 5, 40, 1000):
            np.testing.assert_array_equal(index.top(query, n), ranked[:n])
            for seeds in (rng.choice(len(every), 2 * n), np.concatenate([ranked[:n], rng.choice(len(every), n)])):
                np.testing.assert_array_equal(index.top(query, n, seeds), ranked[:n])  # poor, removed or best rows
            # the second stage's pool scores, read from the search: bit for bit what scores_at gives
            rows, scores_of = index.search(query, n)
            pool = np.unique(np.concatenate([rows, rng.choice(len(every), 30)]))
            np.testing.assert_array_equal(scores_of(pool).view(np.uint32), index.scores_at(query, pool).view(np.uint32))
