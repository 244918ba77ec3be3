"""Rows of a ``split`` in a double-spaced 12pt manuscript, typeset here with pdflatex (the
test skips without it).

* ``\\linespread`` (``setspace``, a journal's draft mode) sets the rows of a ``split`` or an
  ``align`` with limits under their operators further apart than the lines of one display,
  and rows near the centre are each centred enough on their own: the ``split`` was read as
  several displays. A row that starts with a relation set right under one of the row above's
  is the next row of that display (the column an ``align`` lines its rows up at), and so is
  a row whose first relation is set right under one of the row above's (``V &= ...``).
* ``\\mathbf`` letters between the halves of a ``\\bigl\\{`` (``\\mathbf{U}^{\\mathsf{H}}
  \\mathbf{Q} \\mathbf{U}``) are text-bold letters that form no word, and their superscript
  puts the top of their line above the row's other lines: the line was left out of the
  display, and the braces enclosed nothing (``\\operatorname{tr}\\left\\{ \\right\\}``).
"""

from __future__ import annotations

import pytest

from scipix_search.math import as_tokens
from tests.factories import typeset_numbered

_DISPLAYS = (
    r"\begin{split} \mathbf{A}_{1} = & \arg\min_{\mathbf{A}} (\mathrm{tr}\{\mathbf{G}_{0}"
    r"\mathbf{A} + \mathbf{A}^{\mathsf{H}} \mathbf{G}_{0}^{\mathsf{H}}\}) \\ = & \arg\min_{"
    r"\mathbf{A}} (\mathrm{tr}\{\mathbf{G}_{0} \mathbf{A} + \mathbf{A}^{\mathsf{H}} \mathbf{A}"
    r" + \mathbf{G}_{0} \mathbf{G}_{0}^{\mathsf{H}}\}) \\ = & \arg\min_{\mathbf{A}} (\mathrm{tr}"
    r"\{(\mathbf{A} - \mathbf{G}_{0})^{\mathsf{H}} (\mathbf{A} - \mathbf{G}_{0})\}) \end{split}",
    r"\begin{split} & \mathrm{tr}\left\{\mathbf{U}^{\mathsf{H}} \mathbf{Q} \mathbf{U}\right\}"
    r" \\ = & \mathrm{tr}\left\{\mathbf{U}_{0}^{\mathsf{H}} \mathbf{Q} \mathbf{U}_{0} + "
    r"(\mathbf{U} - \mathbf{U}_{0})^{\mathsf{H}} \mathbf{Q} \mathbf{U}_{0}\right\} \end{split}",
    r"\begin{split} \mathbf{U} &= \mathbf{A} \mathbf{T} \mathbf{X}; \\ \mathbf{V} &= \mathbf{S}^{"
    r"\mathsf{H}} \tilde{\hat{\mathbf{H}}}^{\mathsf{T}} \\ \mathbf{Q} &= \tilde{\hat{\mathbf{H}}}^{*}"
    r" \tilde{\hat{\mathbf{H}}}^{\mathsf{T}} + \mathbf{\Sigma}_{\tilde{\mathbf{E}}}. \end{split}",
)


@pytest.fixture(scope="module")
def read(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[tuple[str, str]]]:
    doc = typeset_numbered(
        tmp_path_factory.mktemp("spaced") / "spaced.tex",
        _DISPLAYS,
        "\\usepackage{amssymb}\n\\linespread{1.6}\n",
        options="12pt",
        lead="We find\n",
        between="as the next step shows in full for every mode of the spectrum, as stated in "
        "the introduction.",
    )
    return doc.source, [(r.number or "", r.latex) for r in doc.regions if r.display]


def test_one_display_per_split(read: tuple[list[str], list[tuple[str, str]]]) -> None:
    source, regions = read
    assert [number for number, _ in regions] == ["1", "2", "3"]
    for (_, latex), src in zip(regions, source, strict=True):
        assert latex.count("\\\\") == src.count("\\\\"), latex


def test_bold_letters_stay_inside_their_braces(
    read: tuple[list[str], list[tuple[str, str]]],
) -> None:
    _, regions = read
    first_row = regions[1][1].split("\\\\")[0]
    assert " ".join(as_tokens(first_row)) == " ".join(
        as_tokens(
            r"\operatorname{tr}\left\{ \mathbf{U}^{\mathsf{H}} \mathbf{Q} \mathbf{U} \right\}"
        )
    )
