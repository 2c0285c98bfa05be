"""The top k: one paper may not crowd out the others, but neither may irrelevant passages outrank its good ones."""

from bot.retrieve import Candidate, diversify


def ranked(*scored: tuple[str, float]) -> list[Candidate]:
    return [Candidate(chunk_id=i, score=score, doc_id=doc) for i, (doc, score) in enumerate(scored)]


def docs(chosen: list[Candidate]) -> list[tuple[str, float]]:
    return [(c.doc_id, c.score) for c in chosen]


def test_a_paper_past_its_limit_waits_for_other_relevant_papers():
    pool = ranked(("a", 1.0), ("a", 0.99), ("a", 0.98), ("a", 0.97), ("b", 0.95))
    assert docs(diversify(pool, 5, per_doc_limit=3)) == [("a", 1.0), ("a", 0.99), ("a", 0.98), ("b", 0.95), ("a", 0.97)]


def test_a_surplus_passage_does_not_wait_behind_irrelevant_ones():
    # the paper's fourth passage outscores everything of other papers but b's first: it comes right after that
    pool = ranked(("a", 1.0), ("a", 0.99), ("a", 0.98), ("a", 0.94), ("b", 0.92), ("c", 0.5), ("d", 0.4))
    assert docs(diversify(pool, 5, per_doc_limit=3)) == [("a", 1.0), ("a", 0.99), ("a", 0.98), ("b", 0.92), ("a", 0.94)]


def test_without_other_relevant_papers_the_best_passages_stay_on_top():
    pool = ranked(("a", 1.0), ("a", 0.99), ("a", 0.98), ("a", 0.97), ("b", 0.3))
    assert docs(diversify(pool, 4, per_doc_limit=3)) == [("a", 1.0), ("a", 0.99), ("a", 0.98), ("a", 0.97)]


def test_near_identical_passages_of_one_paper_are_not_pushed_down():
    # short passages of one paper share its title prefix and look alike to the embedder; they still rank by score
    pool = ranked(("a", 1.0), ("a", 0.97), ("b", 0.6))
    assert docs(diversify(pool, 3, per_doc_limit=3)) == [("a", 1.0), ("a", 0.97), ("b", 0.6)]


def test_fewer_candidates_than_k():
    assert docs(diversify(ranked(("a", 1.0)), 10, per_doc_limit=1)) == [("a", 1.0)]
    assert diversify([], 10, per_doc_limit=3) == []
