"""The PDF scorer compares a source row with what the page prints: bold asked for on a symbol
whose font has no bold is not printed, and the reader is not held to it."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from scipix_search.eval._printed import as_printed, plain_symbols
from tests.factories import typeset_article


def _symbols_of_display(tmp_path: Path, display: str, preamble: str = "") -> frozenset[str]:
    pdf = typeset_article(tmp_path / "doc.tex", f"\\[ {display} \\]\n", preamble).with_suffix(
        ".pdf"
    )
    with pymupdf.open(pdf) as doc:
        page = doc[0]
        hits = page.search_for("=")
        assert hits, "the display's relation is in the text layer"
        row = hits[0]
        box = (page.rect.x0, row.y0 - 8, page.rect.x1, row.y1 + 8)
        return plain_symbols(doc, 1, box)


def test_mathbf_leaves_the_nabla_regular_and_boldsymbol_does_not(tmp_path: Path) -> None:
    # \mathbf switches letters and digits only: the nabla is cmsy's, regular
    assert "∇" in _symbols_of_display(tmp_path, r"\mathbf{\nabla} f = 0")
    # \boldsymbol takes the bold math version: cmbsy's bold nabla
    assert "∇" not in _symbols_of_display(tmp_path, r"\boldsymbol{\nabla} f = 0")


def test_mathptmx_boldsymbol_prints_the_symbol_fonts_regular_nabla(tmp_path: Path) -> None:
    plain = _symbols_of_display(
        tmp_path, r"\boldsymbol{\nabla} \cdot \boldsymbol{E} = 0", "\\usepackage{mathptmx}\n"
    )
    assert "∇" in plain


def test_as_printed_drops_only_bold_the_region_does_not_print() -> None:
    row = r"\boldsymbol{\mathrm{\nabla\cdotp}}(\boldsymbol{\varepsilon}\boldsymbol{\nabla}V) = 0"
    assert as_printed(row, {"∇", "·"}) == (
        r"{\mathrm{\nabla\cdotp}}(\boldsymbol{\varepsilon}{\nabla}V) = 0"
    )
    # the dot is not known to be regular: its group keeps the bold; the lone nabla does not
    assert as_printed(row, {"∇"}) == (
        r"\boldsymbol{\mathrm{\nabla\cdotp}}(\boldsymbol{\varepsilon}{\nabla}V) = 0"
    )
    # letters keep their bold whatever the region prints; nothing plain, nothing changes
    assert as_printed(r"\mathbf{x} + \bm{\partial}", {"∂", "x"}) == r"\mathbf{x} + {\partial}"
    assert as_printed(row, set()) == row
    assert as_printed(r"\boldsymbol{\nabla", {"∇"}) == r"\boldsymbol{\nabla"
