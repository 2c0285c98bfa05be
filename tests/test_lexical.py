"""BM25 matches the bm25s reference and stays correct as papers are added and removed."""

import bm25s
import numpy as np

from bot.lexical import LexicalIndex

CORPUS = [
    ["calcinosi", "cutis", "dermatomyos"],
    ["ivig", "dose", "400", "mg/kg"],
    ["calcinosi", "sts", "topic", "sts"],
    ["rituximab", "calcinosi", "case"],
    ["ulcer", "infect", "chalki", "materi", "calcinosi"],
]


def built(docs):
    return LexicalIndex.empty().with_changes(set(), list(enumerate(docs, 1)))


def test_scores_equal_bm25s_lucene():
    ours = built(CORPUS)
    ref = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    ref.index(CORPUS, show_progress=False)
    for query in (["calcinosi"], ["sts", "topic"], ["ivig", "400", "unknown"]):
        assert np.allclose(ours.scores(query), ref.get_scores(query), atol=1e-5), query


def test_incremental_changes_equal_a_fresh_build():
    index = built(CORPUS[:3]).with_changes({2}, [(4, CORPUS[3]), (5, CORPUS[4])])
    fresh = LexicalIndex.empty().with_changes(set(), [(1, CORPUS[0]), (3, CORPUS[2]), (4, CORPUS[3]), (5, CORPUS[4])])
    assert index.chunk_ids.tolist() == [1, 3, 4, 5]
    for query in (["calcinosi"], ["sts"], ["ivig"], ["ulcer", "rituximab"]):
        assert np.allclose(index.scores(query), fresh.scores(query))


def test_save_and_load_round_trip_without_pickle(tmp_path):
    index = built(CORPUS)
    index.save(tmp_path)
    again = LexicalIndex.load(tmp_path)
    assert again.chunk_ids.tolist() == index.chunk_ids.tolist()
    assert np.allclose(again.scores(["calcinosi", "sts"]), index.scores(["calcinosi", "sts"]))
