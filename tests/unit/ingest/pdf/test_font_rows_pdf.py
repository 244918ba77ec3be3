"""Display rows in math fonts other than Computer Modern, typeset here with pdflatex (the
tests skip without it or without the font package).

- Euler (``eulervm``) and STIX Two set a display integral whose text-layer box is not where
  it is drawn: Euler's extension font hangs the glyph from a baseline a row higher, STIX's
  ink reaches a row lower than its line's box. Cutting an ``align`` between its equation
  numbers by line boxes put the integral or its upper limit in the row above.
- Fourier and mathptmx take math letters from the text italic: scripts such as ``H_{MNL}``
  read as an italic prose word and the row was cut off. Fourier's symbol font names its
  radical ``radicallow`` (no Unicode value) and its ``\\mathcal`` font is a font of its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest import find_equation_regions, read_tex_equations, regions_to_equations
from scipix_search.math import as_tokens
from tests.factories import require_tex_file, typeset_article

_PACKAGES = {
    "euler": ("eulervm", "\\usepackage{eulervm}\n"),
    "stix2": ("stix2", "\\usepackage[T1]{fontenc}\n\\usepackage{stix2}\n"),
    "fourier": ("fourier", "\\usepackage[T1]{fontenc}\n\\usepackage{fourier}\n"),
    "mathptmx": ("mathptmx", "\\usepackage{mathptmx}\n"),
}
_INTEGRAL = (
    "The spectral function of the model is found from\n"
    "\\begin{align}\n"
    "\\Delta_{Sl(d)} &= \\frac{1}{4} , \\\\\n"
    "R(E) &= \\int_{-\\infty}^{\\infty} d\\tau \\, e^{-i E \\tau} G(\\tau) .\n"
    "\\end{align}\n"
)
_SCRIPTS = (
    "The action of the three-form field in the bulk reads\n"
    "\\begin{align}\n"
    "S_{H} &= \\int d^{4} x \\int d\\theta \\sqrt{-G} H_{MNL} H^{MNL} , \\\\\n"
    "T_{MN} &= H_{MAB} H_{N}^{AB} .\n"
    "\\end{align}\n"
)
_CALLIGRAPHIC = (
    "The entropy of the horizon is then\n"
    "\\begin{equation}\n"
    "\\mathcal{S}_{H} = \\sqrt{-G} \\, \\mathcal{A} .\n"
    "\\end{equation}\n"
)


def _typeset(tmp: Path, font: str, body: str) -> Path:
    package, preamble = _PACKAGES[font]
    require_tex_file(f"{package}.sty")
    return typeset_article(tmp / f"{font}.tex", body, preamble)


def _rows(tex: Path) -> tuple[list[tuple[str, ...]], set[tuple[str, ...]]]:
    source = [tuple(as_tokens(e.latex)) for e in read_tex_equations(tex) if e.display]
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    return source, {tuple(as_tokens(e.latex)) for e in regions_to_equations(regions)}


@pytest.mark.parametrize("font", ["euler", "stix2"])
def test_display_integral_stays_in_its_numbered_row(tmp_path: Path, font: str) -> None:
    source, read = _rows(_typeset(tmp_path, font, _INTEGRAL))
    assert len(source) == 2
    assert all(row in read for row in source)


@pytest.mark.parametrize("font", ["fourier", "mathptmx"])
def test_scripts_in_text_italic_are_no_prose_word(tmp_path: Path, font: str) -> None:
    source, read = _rows(_typeset(tmp_path, font, _SCRIPTS))
    assert len(source) == 2
    assert all(row in read for row in source)


def test_fourier_radical_and_calligraphic_letters(tmp_path: Path) -> None:
    source, read = _rows(_typeset(tmp_path, "fourier", _CALLIGRAPHIC))
    assert source[0] in read
