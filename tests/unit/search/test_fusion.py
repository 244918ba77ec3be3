from scipix_search.search import Hit, reciprocal_rank_fusion


def test_rrf_rewards_items_ranked_by_both_lists():
    fused = reciprocal_rank_fusion([[1, 2, 3], [2, 9, 3]])
    assert [i for i, _ in fused] == [2, 3, 1, 9]


def test_rrf_empty_lists():
    assert reciprocal_rank_fusion([[], []]) == []


def test_hit_to_dict_follows_contract():
    passage = Hit("passage", 1, 2, "a.pdf", "T", 3, [0, 0, 1, 1], 0.5, text="x").to_dict()
    assert set(passage) == {
        "kind",
        "id",
        "document_id",
        "source",
        "title",
        "page",
        "bbox",
        "score",
        "raw_score",
        "close_match",
        "text",
    }
    equation = Hit("equation", 1, 2, "a.pdf", "T", 3, None, 0.5, latex="x^2", number="3").to_dict()
    assert equation["latex"] == "x^2" and "text" not in equation


def test_hit_to_dict_says_which_part_matched():
    whole = Hit("equation", 1, 2, "a.pdf", "T", 3, None, 0.5, latex="x^2").to_dict()
    assert "matched_latex" not in whole  # the whole equation matched
    part = Hit(
        "equation", 1, 2, "a.pdf", "T", 3, None, 0.5, latex="y = x^2", matched_latex="x ^ { 2 }"
    )
    assert part.to_dict()["matched_latex"] == "x ^ { 2 }"
    passage = Hit("passage", 1, 2, "a.pdf", "T", 3, None, 0.5, text="x", matched_latex="x")
    assert "matched_latex" not in passage.to_dict()
