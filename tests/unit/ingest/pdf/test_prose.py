"""Bibliography entries and figure text are kept out of a paper's passages."""

from __future__ import annotations

import pytest

from scipix_search.ingest.pdf._prose import is_figure_text, prose_flags


def test_the_reference_list_is_not_prose_up_to_an_appendix() -> None:
    texts = [
        "We model the drop as an inviscid sphere falling onto a film (Smith et al., 2019).",
        "References",
        "Smith, J., Jones, K., 2019. Drop impact on thin films. J. Fluid Mech. 870, 1-20.",
        "Proceedings of the Royal Society A, pages 12-19",  # an entry cut in two blocks
        "Appendix A: Derivation of the film thickness",
        "The film thickness follows from a balance of inertia and surface tension.",
    ]
    assert prose_flags(texts) == [
        "prose",  # a citation inside a sentence is prose
        "reference",
        "reference",
        "reference",
        "prose",
        "prose",
    ]


def test_numbered_entries_without_a_heading_are_references() -> None:
    texts = [
        "[12] A. Author and B. Author, Phys. Rev. Lett. 120, 104501 (2018).",
        "[3] is our base.",
    ]
    assert prose_flags(texts) == ["reference", "prose"]


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("0.00 0.25 0.50 0.75 1.00 x", True),
        ("−50 0 50 100 Mitigated fNL", True),
        ("0 100 200 300 400 500 Epoch", True),
        ("The error falls from 0.5 to 0.1 over 100 epochs of training.", False),
        ("Temperature", False),
    ],
)
def test_figure_text_is_mostly_numbers(text: str, figure: bool) -> None:
    assert is_figure_text(text) is figure


@pytest.mark.slow
def test_real_papers_end_in_prose_not_in_their_bibliography(shared_dir) -> None:  # type: ignore[no-untyped-def]
    """A paper's reference list comes last: its last passage used to be a cited title."""
    from scipix_search.eval import paper_folders
    from scipix_search.ingest import parse_pdf
    from scipix_search.ingest.pdf._prose import is_reference_entry

    papers = paper_folders(shared_dir / "papers")[::3]
    ends_in_references = 0
    for paper in papers:
        data = paper.pdf.read_bytes()
        passages = parse_pdf(data, paper.pdf.name, "", max_pages=2000).passages
        assert len(passages) > 30
        ends_in_references += is_reference_entry(passages[-1].text)
    assert ends_in_references / len(papers) <= 0.34
