"""Bold letters in fonts whose names say no bold, read back from pdflatex documents typeset
here (the tests skip without pdflatex).

``\\mathbf`` takes the text family's bold, and some families name it with no bold word:
Libertine's semibold ``LinLibertineTZ`` (newtxmath[libertine]'s ``\\mathbf``: the held-out
``libertine`` setup, acmart), Biolinum's ``LinBiolinumTB`` (mathastext over a Biolinum
prose: it read ``\\mathsf``, then plain). The reader takes a font as bold where its program
says so (MuPDF's span flag, from the program's weight: ``LinBiolinumTB``) or where its stems
are much wider than its family's regular on the page (``_fonts.heavy_fonts``:
``LinLibertineTZ``, whose weight says semibold); ``_lines.BOLD_BY_PROGRAM``. With it off the
four bold displays of the two fail. Computer Modern (``CMBX10``, bold by name) and cm-super
(``fontenc`` T1; ``\\mathbf`` stays OT1's ``CMBX10``) are the controls, and a big operator
stays plain in every setup.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.math import as_tokens
from tests.factories import read_keyed_displays

_SETUPS = {
    "cm": "",
    "cm-super": "\\usepackage[T1]{fontenc}\n",
    "libertine": "\\usepackage[T1]{fontenc}\n\\usepackage{libertine}\n"
    "\\usepackage[libertine]{newtxmath}\n",
    "biolinum-mathastext": "\\usepackage[T1]{fontenc}\n\\usepackage[sfdefault]{biolinum}\n"
    "\\usepackage{mathastext}\n",
}
_DISPLAYS = {
    "bold-product": r"\mathbf{p} = \mathbf{M} \mathbf{w} + x",
    "bold-sum": r"\mathbf{y}_i = \sum_{j=1}^{n} a_{ij} \mathbf{x}_j",
    "plain": r"f(x) = \int_0^1 g(t) \, dt",
}


@pytest.fixture(scope="module", params=list(_SETUPS))
def rows(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    setup = request.param
    tmp: Path = tmp_path_factory.mktemp(f"boldprogram-{setup}")
    preamble = "\\usepackage{amssymb}\n" + _SETUPS[setup]
    return setup, read_keyed_displays(tmp / "bold.tex", _DISPLAYS, preamble, options="10pt")


@pytest.mark.parametrize("key", list(_DISPLAYS))
def test_displays_read_as_typeset(rows, key: str) -> None:
    setup, latex = rows
    assert tuple(as_tokens(latex[key])) == tuple(as_tokens(_DISPLAYS[key])), (setup, latex[key])
