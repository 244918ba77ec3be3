"""Relations TeX sets from overlapping pieces (``\\models``, ``\\iff``, ``\\longmapsto``) and
TeX's two phis, read from a pdflatex fixture (``tests/fixtures/pdf/joined_relations.tex``)."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from scipix_search.ingest import find_equation_regions, read_tex_equations
from scipix_search.math import as_tokens

FIXTURE = Path(__file__).parents[3] / "fixtures" / "pdf" / "joined_relations"
# CMMI's codes of \phi (glyph ``phi``) and \varphi (``phi1``)
PHI, VARPHI = 0x1E, 0x27


def _source() -> list[tuple[str, ...]]:
    return [tuple(as_tokens(e.latex)) for e in read_tex_equations(FIXTURE.with_suffix(".tex"))]


def _read(doc: pymupdf.Document | Path) -> list[tuple[str, ...]]:
    return [tuple(as_tokens(r.latex)) for r in find_equation_regions(doc, render=False)]


def _without(tokens: tuple[str, ...], dropped: set[str]) -> tuple[str, ...]:
    return tuple(t for t in tokens if t not in dropped)


def test_joined_relations_are_one_symbol_each() -> None:
    source, read = _source(), _read(FIXTURE.with_suffix(".pdf"))
    assert len(source) == len(read) == 3
    # \colon prints a plain colon; everything else is read as written
    for src, got in zip(source, read, strict=True):
        assert _without(src, {"\\colon", ":"}) == _without(got, {"\\colon", ":"})


def _swapped_phis(doc: pymupdf.Document) -> pymupdf.Document:
    """The fixture with CMMI's ToUnicode map giving \\phi and \\varphi each other's code
    points (real PDFs differ on which phi is U+03C6)."""
    for xref, _, _, basefont, *_ in doc[0].get_fonts():
        if not basefont.endswith("CMMI10"):
            continue
        stream = int(doc.xref_get_key(xref, "ToUnicode")[1].split()[0])
        cmap = (
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Swap def\n"
            "/CMapType 2 def\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
            f"2 beginbfchar\n<{PHI:02X}> <03C6>\n<{VARPHI:02X}> <03D5>\nendbfchar\nendcmap\n"
            "CMapName currentdict /CMap defineresource pop\nend\nend\n"
        )
        doc.update_stream(stream, cmap.encode())
    return doc


@pytest.mark.parametrize("swap", [False, True])
def test_phi_and_varphi_follow_the_glyph_names_not_the_code_points(swap: bool) -> None:
    doc = pymupdf.open(FIXTURE.with_suffix(".pdf"))
    if swap:
        doc = _swapped_phis(doc)
        text = doc[0].get_text()
        assert "φ" in text and "ϕ" in text
    source = [t for t in _source() if {"\\phi", "\\varphi"} & set(t)]
    read = [t for t in _read(doc) if {"\\phi", "\\varphi"} & set(t)]
    assert [[t for t in s if t in ("\\phi", "\\varphi")] for s in source] == [
        [t for t in r if t in ("\\phi", "\\varphi")] for r in read
    ]
