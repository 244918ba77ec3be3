"""Fonts whose text layer names other glyphs than the ones drawn, told by the drawn outlines
(``_shapes``). The LX fonts (``lxfonts``, typeset here with pdflatex; skips without it) name
every glyph after the ASCII character of its code, so their math italic read ``!`` for
``\\omega``, ``=`` for ``/`` and ``;`` for ``,``; mathabx names its own layout so too, fits
no TeX encoding, and is read through that layout (``_tex_metrics``' ``MATHA``/``MATHB``/``MATHX``)."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from scipix_search.ingest.pdf._fonts import anonymous_bitmap_fonts
from scipix_search.ingest.pdf._ink import accurate_raw
from scipix_search.ingest.pdf._lines import page_lines
from scipix_search.ingest.pdf._shapes import (
    DocumentFonts,
    Sample,
    fit_encoding,
    misnamed_fonts,
    outline_extents,
)
from scipix_search.math import as_tokens
from tests.factories import require_tex_file, typeset, typeset_numbered

_DISPLAYS = [
    "f ( x ) = \\omega x _ { 1 } , \\; x _ { 2 } / y",
    "\\Omega = \\sum _ { i = 1 } ^ { n } \\omega _ { i } / \\lambda _ { i } ,",
    "g = \\omega ^ { 2 } \\, a / b , \\; h = \\omega / c .",
]


def _misread_fonts(pdf: Path) -> set[str]:
    out: set[str] = set()
    for page in pymupdf.open(pdf):
        trace = page.get_texttrace()
        bitmap = anonymous_bitmap_fonts(page)
        _, read = misnamed_fonts(page, trace, outline_extents(accurate_raw(page)), bitmap)
        out |= read
    return out


def test_a_math_italic_named_after_ascii_codes_reads_as_drawn(tmp_path: Path) -> None:
    require_tex_file("lxfonts.sty")
    preamble = "\\usepackage[T1]{fontenc}\n\\usepackage{lxfonts}\n"
    shown = typeset_numbered(tmp_path / "doc.tex", _DISPLAYS, preamble)
    pdf = shown.tex.with_suffix(".pdf")
    assert any("cmmi" in f for f in _misread_fonts(pdf))
    text = "".join(g.c for line in page_lines(pymupdf.open(pdf)[0]) for g in line.glyphs)
    assert "ω" in text and "!" not in text
    read = [as_tokens(r) == as_tokens(s) for s, r in shown.pairs()]
    assert sum(read) >= 2, shown.pairs()


def test_fonts_with_a_layout_of_their_own_read_through_it(tmp_path: Path) -> None:
    """mathabx's symbol fonts follow no TeX encoding and name each glyph after the ASCII
    character of its code (``p`` draws ``(``): read through their own layouts, as the drawn
    outlines tell, their symbols come out as drawn; Computer Modern's fonts stay as they read."""
    require_tex_file("mathabx.sty")
    displays = [
        "A \\subset B \\supset C \\subseteq D \\supseteq E \\sqcup G \\sqcap H",
        "a \\cup b \\cap c \\vee e \\wedge f \\setminus g \\pm h \\mp i",
        "x \\times y \\div z \\circ u \\bullet v \\ast w \\star s \\diamond t",
        "f ( x ) = \\sum _ { i = 1 } ^ { n } \\omega _ { i } \\leq [ y ] + z - 1",
        "p \\prec q \\preceq r \\succ s \\neq t \\leq u \\geq v \\ll w \\gg x",
        "\\int _ { 0 } ^ { 1 } g ( t ) \\, d t \\rightarrow \\infty , \\quad a \\in A",
    ]
    shown = typeset_numbered(
        tmp_path / "doc.tex", displays, "\\usepackage{amssymb}\n\\usepackage{mathabx}\n"
    )
    misread = _misread_fonts(shown.tex.with_suffix(".pdf"))
    assert misread and all("math" in f.lower() and "cm" not in f.lower() for f in misread)
    read = [as_tokens(r) == as_tokens(s) for s, r in shown.pairs()]
    assert sum(read) >= 0.6 * len(displays), shown.pairs()
    plain = typeset_numbered(tmp_path / "plain.tex", displays, "\\usepackage{amssymb}\n")
    assert _misread_fonts(plain.tex.with_suffix(".pdf")) == set()


def _samples(readings: list[tuple[int, str, float, float]]) -> list[Sample]:
    return [Sample(code, text, top, bottom) for code, text, top, bottom in readings]


def test_an_encoding_is_found_only_where_its_outlines_fit_the_ink() -> None:
    # OML's omega, comma and slash drawn at the codes of ! ; = (the ink of Computer Modern's)
    lying = [
        (33, "!", 0.44, 0.01), (59, ";", 0.11, 0.19), (61, "=", 0.75, 0.25),
        (97, "a", 0.44, 0.01), (120, "x", 0.44, 0.01), (65, "A", 0.72, 0.0),
    ]  # fmt: skip
    assert fit_encoding(_samples(lying)) == "OML"
    # the same codes drawing what the text layer says: nothing to re-read
    honest = [
        (33, "!", 0.69, 0.0), (59, ";", 0.43, 0.19), (61, "=", 0.37, -0.13),
        (97, "a", 0.44, 0.01), (120, "x", 0.44, 0.01), (65, "A", 0.72, 0.0),
    ]  # fmt: skip
    assert fit_encoding(_samples(honest)) == ""
    # two lies are too few to judge a font by
    assert fit_encoding(_samples(lying[1:])) == ""


def _read(lines: list) -> list[tuple[str, str, str, tuple[float, float, float, float]]]:
    return [(g.c, g.font, g.name, (g.x0, g.y0, g.x1, g.y1)) for ln in lines for g in ln.glyphs]


def test_a_font_a_page_shows_too_little_of_is_judged_on_the_whole_document(
    tmp_path: Path,
) -> None:
    """A page with one ``a / b`` of the LX math italic shows too few of its codes to judge;
    read in one pass with the samples of every page (``DocumentFonts``), it is named to be
    read again and then reads as the whole document's judgement says, as a second reading
    of the document does."""
    require_tex_file("lxfonts.sty")
    body = "".join(f"\\begin{{equation}} {d} \\end{{equation}}\n" for d in _DISPLAYS)
    tex = typeset(
        tmp_path / "doc.tex",
        "\\documentclass[11pt]{article}\n\\usepackage{amsmath}\n\\usepackage[T1]{fontenc}\n"
        "\\usepackage{lxfonts}\n\\pagestyle{empty}\n\\begin{document}\nThe first page.\n"
        + body
        + "\\newpage\nThe second page shows the math italic once.\n"
        "\\begin{equation} a / b \\end{equation}\n\\end{document}\n",
    )
    doc = pymupdf.open(tex.with_suffix(".pdf"))
    fonts = DocumentFonts()
    pages = [page_lines(page, None, fonts) for page in doc]
    again = fonts.reread()
    assert again == [1]
    pages[1] = page_lines(doc[1], None, fonts)
    assert [_read(p) for p in pages] == [_read(page_lines(page)) for page in doc]
    text = "".join(c for c, *_ in _read(pages[1]))
    assert "/" in text and "=" not in text
