"""The introducing sentence of an equation: which passage comes before it, and its last sentence.

The page layouts here are the three cases of a two-column paper (boxes in points, top-left
origin); the corpus figure is benchmarks/equation_context.py on the real papers.
"""

from scipix_search.search import Hit, PlacedPassage, context_sentence, last_sentence

LEFT = (50.0, 0.0, 290.0, 0.0)  # a left column's x-range
RIGHT = (310.0, 0.0, 550.0, 0.0)


def _at(column: tuple[float, ...], page: int, order: int, top: float, bottom: float, text: str):
    return PlacedPassage(page, order, (column[0], top, column[2], bottom), text)


PAGES = [
    _at(LEFT, 1, 0, 80, 200, "Intro. The last words of page one are here."),
    _at(RIGHT, 1, 1, 80, 700, "Right column of page one ends the page."),
    _at(LEFT, 2, 2, 80, 300, "We study heat. The temperature obeys the heat equation"),
    _at(LEFT, 2, 3, 340, 700, "where alpha is the diffusivity. Then the energy decays as"),
    _at(RIGHT, 2, 4, 120, 400, "so that the flux is finite."),
]


def test_the_passage_just_above_in_the_column_introduces_it():
    # between passages 2 and 3 of the left column: the nearest one above, not the first
    assert (
        context_sentence(2, (100, 305, 240, 330), PAGES)
        == "The temperature obeys the heat equation"
    )
    # below passage 3, still in the left column
    assert context_sentence(2, (100, 705, 240, 730), PAGES) == "Then the energy decays as"


def test_top_of_right_column_takes_the_end_of_the_left_column():
    assert context_sentence(2, (360, 80, 500, 110), PAGES) == "Then the energy decays as"


def test_top_of_a_page_takes_the_end_of_the_page_before():
    assert (
        context_sentence(2, (100, 40, 240, 70), PAGES) == "Right column of page one ends the page."
    )


def test_a_passage_that_starts_mid_sentence_is_read_with_the_one_before():
    # passage 4 continues passage 3's last sentence across the column break
    sentence = context_sentence(2, (360, 410, 500, 440), PAGES)
    assert sentence == "Then the energy decays as so that the flux is finite."


def test_no_passage_before_is_no_context():
    assert context_sentence(1, (100, 40, 240, 70), PAGES) is None


def test_last_sentence_keeps_a_lone_fragment_with_its_sentence_and_the_end_of_a_long_one():
    assert last_sentence("The operator is defined as (a)") == "The operator is defined as (a)"
    assert last_sentence("First. Hence we obtain B.") == "Hence we obtain B."
    long = last_sentence("word " * 200 + "defined as", limit=40)
    assert long is not None and long.endswith("defined as") and len(long) == 40
    assert last_sentence("   ") is None


def test_a_sentence_does_not_end_at_eq_ref_fig_or_et_al():
    text = "We go. By substituting Eq. (38) into Eq. (39) of Ref. [2], as Liu et al. (2020) did, we get"
    assert last_sentence(text) == text.removeprefix("We go. ")


def test_context_is_serialised_only_for_equations_that_have_one():
    base = dict(id=1, document_id=1, source="a.pdf", title=None, page=1, bbox=None, score=1.0)
    with_context = Hit(kind="equation", latex="x", context="It reads", **base)  # type: ignore[arg-type]
    assert with_context.to_dict()["context"] == "It reads"
    assert "context" not in Hit(kind="equation", latex="x", **base).to_dict()  # type: ignore[arg-type]
    assert "context" not in Hit(kind="passage", text="t", **base).to_dict()  # type: ignore[arg-type]
