"""Display math in a sans-serif math setup (``arev``: Bitstream Vera extended for TeX
math), typeset here with pdflatex (the tests skip without it or without arev).

- ``\\mathsf`` is upright: a letter of a slanted sans font is the math italic of a sans
  setup (``ArevSans-Oblique``), a plain variable, not ``\\mathsf``.
- Arev draws the math ``a i l u v w x I`` and the capitals ``Γ Ξ Π Σ Φ`` from private-use
  glyphs named only by code point (``uniEBE9``); its TeX encodings say which letters they are.
  Its math italic ``f`` is named ``florin`` (``ƒ``).
- The prose is sans too, and ``\\text`` words in math are set in it: they are ``\\text``, not
  the ``\\mathsf`` that a sans word in a serif page is.
"""

from __future__ import annotations

from pathlib import Path

from scipix_search.ingest import find_equation_regions, read_tex_equations, regions_to_equations
from scipix_search.ingest.pdf._pua import family_pua_char
from scipix_search.math import as_tokens
from tests.factories import require_tex_file, typeset_article

_BODY = (
    "The amplitude of the string reduces to the boundary values, and we find\n"
    "\\begin{equation}\n"
    "X^{i}(\\tau, \\sigma = 0) = x^{i} , \\qquad w_{a} = \\Gamma_{l} u + \\Sigma v .\n"
    "\\end{equation}\n"
    "The same holds for the second set of modes, which satisfy\n"
    "\\begin{equation}\n"
    "\\Pi_{i} = \\Phi ( x , y ) + \\Xi_{a} b c + f ( x ) .\n"
    "\\end{equation}\n"
    "The sign of the coupling then follows from\n"
    "\\begin{equation}\n"
    "S_{b} = \\begin{cases} T_{\\theta} , & \\text{if } x > 0 , \\\\ - \\Lambda ,"
    " & \\text{otherwise} . \\end{cases}\n"
    "\\end{equation}\n"
)


def _typeset(tmp: Path) -> Path:
    require_tex_file("arev.sty")
    return typeset_article(
        tmp / "arev.tex", _BODY, "\\usepackage[T1]{fontenc}\n\\usepackage{arev}\n"
    )


def test_sans_math_italic_letters_are_plain_variables(tmp_path: Path) -> None:
    tex = _typeset(tmp_path)
    source = [tuple(as_tokens(e.latex)) for e in read_tex_equations(tex) if e.display]
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    read = [e.latex for e in regions_to_equations(regions)]
    assert len(read) == len(source) == 3
    assert not any("\\mathsf" in latex for latex in read), read
    assert {tuple(as_tokens(latex)) for latex in read} == set(source), read


def test_family_pua_needs_the_family() -> None:
    assert family_pua_char("ArevSans-Oblique", "\uebf8") == "x"
    assert family_pua_char("SomeOtherFont-Italic", "\uebf8") == "\uebf8"
    assert family_pua_char("ArevSans-Roman", "x") == "x"
