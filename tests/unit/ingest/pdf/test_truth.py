"""A text layer that lies (``tests/fixtures/pdf/lying_text_layer.tex``): the fonts' ToUnicode
maps are rewritten in memory so that ``=`` reads as ``“``, ``\\times`` as ``ˆ``, ``\\rho`` and
``\\tau`` as ``⇢`` and ``⌧`` (what real PDFs set in some Latin Modern / Computer Modern
builds print), while the page still draws the right glyphs."""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf
import pytest

from scipix_search.ingest import find_equation_regions, read_tex_equations
from scipix_search.ingest.pdf._truth import disagrees, drawn_char
from scipix_search.math import as_tokens

FIXTURE = Path(__file__).parents[3] / "fixtures" / "pdf" / "lying_text_layer"
LIES = {"CMR10": {0x3D: "“"}, "CMSY10": {0x02: "ˆ"}, "CMMI10": {0x1C: "⌧", 0x1A: "⇢"}}


def _cmap(text: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for a, b, u in re.findall(r"<([0-9A-F]+)>\s*<([0-9A-F]+)>\s*<([0-9A-F]+)>", block):
            for i, code in enumerate(range(int(a, 16), int(b, 16) + 1)):
                out[code] = chr(int(u, 16) + i)
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for a, u in re.findall(r"<([0-9A-F]+)>\s*<([0-9A-F]+)>", block):
            out[int(a, 16)] = bytes.fromhex(u).decode("utf-16-be")
    return out


def _lying(doc: pymupdf.Document, fonts: dict[str, dict[int, str]] = LIES) -> pymupdf.Document:
    """The fixture with ToUnicode maps that give some codes the wrong characters."""
    for xref, _, _, basefont, *_ in doc[0].get_fonts():
        lies = fonts.get(basefont.split("+")[-1])
        if not lies:
            continue
        stream = int(doc.xref_get_key(xref, "ToUnicode")[1].split()[0])
        mapping = _cmap(doc.xref_stream(stream).decode("latin-1")) | lies
        rows = "".join(
            f"<{c:02X}> <{u.encode('utf-16-be').hex().upper()}>\n"
            for c, u in sorted(mapping.items())
        )
        cmap = (
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Lie def\n"
            "/CMapType 2 def\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n"
            f"{len(mapping)} beginbfchar\n{rows}endbfchar\nendcmap\n"
            "CMapName currentdict /CMap defineresource pop\nend\nend\n"
        )
        doc.update_stream(stream, cmap.encode())
    return doc


@pytest.fixture(scope="module")
def lying() -> pymupdf.Document:
    return _lying(pymupdf.open(FIXTURE.with_suffix(".pdf")))


def test_the_tampered_text_layer_lies(lying: pymupdf.Document) -> None:
    text = lying[0].get_text()
    assert text.count("“") == 4 and "⌧" in text and "⇢" in text and "×" not in text


def test_formulas_are_read_from_the_drawn_glyphs_not_the_lying_text(
    lying: pymupdf.Document,
) -> None:
    source = {tuple(as_tokens(e.latex)) for e in read_tex_equations(FIXTURE.with_suffix(".tex"))}
    regions = find_equation_regions(lying, render=False, inline=True)
    read = {tuple(as_tokens(r.latex)) for r in regions}
    assert len(source) == 4
    assert source <= read
    assert all(r.text_complete for r in regions if r.display)


def test_an_honest_text_layer_reads_the_same() -> None:
    honest = find_equation_regions(FIXTURE.with_suffix(".pdf"), render=False, inline=True)
    lying = find_equation_regions(
        _lying(pymupdf.open(FIXTURE.with_suffix(".pdf"))), render=False, inline=True
    )
    assert [r.latex for r in honest] == [r.latex for r in lying]


@pytest.mark.parametrize(
    ("text", "name", "lies"),
    [
        ("“", "equal", True),
        ("ˆ", "multiply", True),
        ("⌧", "tau", True),
        ("=", "equal", False),
        ("ϕ", "phi", False),  # TeX's \phi and the glyph list's phi are one letter
        ("ε", "epsilon1", False),
        ("𝑥", "x", False),  # a math-italic code point is still the letter x
        ("−", "minus", False),
        ("·", "periodcentered", False),
        ("ﬁ", "fi", False),
        ("f", "fi", False),  # a letter of a ligature
        ("f", "ffi", False),
        ("a", "g42", False),  # a name that says nothing cannot contradict
        ("\ufffd", "bracketleftbig", False),
    ],
)
def test_disagreement_between_text_and_glyph_name(text: str, name: str, lies: bool) -> None:
    assert disagrees(text, drawn_char(name)) is lies


def test_tex_symbol_names_keep_a_lying_fonts_other_glyphs() -> None:
    """A font that lies on two codes is trusted only where its glyph names speak: CMSY's
    ``angbracketleft`` and ``floorleft`` are TeX's names, not the glyph list's, and read as
    ``\\langle`` and ``\\lfloor`` instead of unknown glyphs (``lying_angles.tex``)."""
    angles = FIXTURE.with_name("lying_angles")
    doc = _lying(pymupdf.open(angles.with_suffix(".pdf")), {"CMSY10": {0x02: "ˆ", 0x14: "“"}})
    assert "“" in doc[0].get_text()
    source = {tuple(as_tokens(e.latex)) for e in read_tex_equations(angles.with_suffix(".tex"))}
    read = {
        tuple(as_tokens(r.latex)) for r in find_equation_regions(doc, render=False, inline=True)
    }
    assert len(source) == 2
    assert source <= read
