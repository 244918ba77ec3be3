"""Bold symbols in three font setups, read back from pdflatex documents typeset here (the tests
skip without pdflatex).

``\\pmb`` and ``bm``'s ``\\bm`` (where a symbol's font has no bold version) print the glyph
two or three times a fraction of a mu apart, "poor man's bold"; where a bold font exists
(``CMBSY10``, ``CMMIB10``, ``txbsys``) ``\\bm`` and ``\\boldsymbol`` print its glyph once.
Either way the symbol is ``\\boldsymbol{...}``: a ``\\nabla`` or ``\\partial`` as well as a
letter, and the copies are one glyph. Without the overprint rule the copies read as plain
symbols. Under mathptmx, ``\\bm{\\mathrm{\\nabla}}`` (vial_ferromtm's ``\\grad``) prints one
regular Symbol-font ``∇``: mathptmx has no bold math version, so ``bm`` sets the
``\\mathrm`` group in the normal fonts and prints no copies; the reading is what is printed.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from scipix_search.ingest.pdf import _lines
from scipix_search.math import as_tokens
from tests.factories import typeset_numbered

_SETUPS = {
    "cm": "",
    "mathptmx": "\\usepackage{mathptmx}\n",
    "fourier": "\\usepackage[T1]{fontenc}\n\\usepackage{fourier}\n",
}
_DISPLAYS = {
    "bm": r"\bm{\nabla} f = \bm{\partial} \rho",
    "pmb": r"\pmb{\nabla} \cdot \mathbf{E} = \pmb{\partial} \rho",
    "greek": r"\bm{\Gamma} = \pmb{\Omega} + \bm{\ell}",
    "infty": r"\bm{\alpha} x = \bm{\infty}",
}
_OVERPRINTED = ("pmb", "greek")


def _read(tmp: Path, setup: str, displays: list[str]) -> list[str]:
    doc = typeset_numbered(
        tmp / "bold.tex", displays, "\\usepackage{amssymb}\n\\usepackage{bm}\n" + _SETUPS[setup]
    )
    return [latex for _, latex in doc.pairs()]


@pytest.fixture(scope="module", params=list(_SETUPS))
def bold_rows(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    setup = request.param
    latex = _read(tmp_path_factory.mktemp(f"bold-{setup}"), setup, list(_DISPLAYS.values()))
    return setup, dict(zip(_DISPLAYS, latex, strict=True))


@pytest.mark.parametrize("key", list(_DISPLAYS))
def test_bold_symbols_read_as_typeset(bold_rows, key: str) -> None:
    setup, rows = bold_rows
    assert tuple(as_tokens(rows[key])) == tuple(as_tokens(_DISPLAYS[key])), (setup, rows[key])


def test_overprinted_copies_read_plain_without_the_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_lines, "overprinted", lambda trace: set())
    monkeypatch.setattr(
        _lines,
        "without_overprints",
        lambda lines: [(gs, box) for gs, box in lines if any(g.c.strip() for g in gs)],
    )
    for setup in _SETUPS:
        (tmp_path / setup).mkdir()
        displays = [_DISPLAYS[k] for k in _OVERPRINTED]
        for source, latex in zip(displays, _read(tmp_path / setup, setup, displays), strict=True):
            assert tuple(as_tokens(latex)) != tuple(as_tokens(source)), (setup, latex)


def test_mathrm_nabla_under_mathptmx_prints_one_regular_glyph(tmp_path: Path) -> None:
    (latex,) = _read(tmp_path, "mathptmx", [r"\bm{\mathrm{\nabla}} V = 0"])
    assert tuple(as_tokens(latex)) == tuple(as_tokens(r"\nabla V = 0")), latex
    with pymupdf.open(tmp_path / "bold.pdf") as pdf:
        nablas = [
            (span["font"], ch[2])
            for span in pdf[0].get_texttrace()
            for ch in span["chars"]
            if ch[0] == ord("∇")
        ]
    assert len(nablas) == 1 and "Bold" not in nablas[0][0], nablas
