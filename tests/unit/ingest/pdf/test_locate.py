"""Display-equation regions from small PDFs built with PyMuPDF, and glyph LaTeX."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from scipix_search.exceptions import CorruptInputError, InputError
from scipix_search.ingest.pdf._glyphs import Bar, Glyph, glyphs_to_latex
from scipix_search.ingest.pdf._locate import find_equation_regions
from scipix_search.ingest.pdf._regions import regions_to_equations
from tests.factories import PROSE, prose_lines


def _paper(tmp_path: Path) -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    y = prose_lines(page, 100.0)
    # display equation: italic letters, Symbol-font Greek and operators, and a number
    y += 16
    page.insert_text((250, y), "x", fontname="tiit", fontsize=10)
    page.insert_text((256, y + 3), "i", fontname="tiit", fontsize=7)
    page.insert_text((262, y), "=", fontname="tiro", fontsize=10)
    page.insert_text((272, y), "αβ", fontname="symb", fontsize=10)
    page.insert_text((290, y), "+", fontname="tiro", fontsize=10)
    page.insert_text((300, y - 6), "1", fontname="tiro", fontsize=10)
    page.draw_line((299, y - 3.5), (307, y - 3.5), width=0.4)
    page.insert_text((300, y + 6), "2", fontname="tiro", fontsize=10)
    page.insert_text((520, y), "(1)", fontname="tiro", fontsize=10)
    y += 30
    y = prose_lines(page, y)
    # inline math inside a prose line is not a display equation
    page.insert_text((72, y), "and with prose around it we write ", fontname="helv", fontsize=10)
    page.insert_text((260, y), "α", fontname="symb", fontsize=10)
    path = tmp_path / "paper.pdf"
    doc.save(path)
    doc.close()
    return path


def test_find_equation_regions_display_equation(tmp_path: Path) -> None:
    regions = find_equation_regions(_paper(tmp_path), dpi=100)
    assert len(regions) == 1
    region = regions[0]
    assert region.page == 1 and region.display
    assert region.number == "1"
    assert 240 < region.bbox[0] < 255 and region.bbox[2] < 320  # number not in the bbox
    assert "x_{i}" in region.latex
    assert "\\frac{1}{2}" in region.latex
    assert region.image is not None and region.image[:4] == b"\x89PNG"
    assert region.to_pil().size[0] > 10


def test_find_equation_regions_accepts_open_document(tmp_path: Path) -> None:
    with pymupdf.open(_paper(tmp_path)) as doc:
        regions = find_equation_regions(doc, render=False)
    assert len(regions) == 1 and regions[0].image is None


def test_find_equation_regions_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        find_equation_regions(tmp_path / "missing.pdf")
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"this is not a pdf")
    with pytest.raises(CorruptInputError):
        find_equation_regions(bad)


def test_glyphs_to_latex_scripts_and_fraction() -> None:
    g = [
        Glyph("y", 0, 0, 5, 10, 10, 10, "CMMI10"),
        Glyph("2", 5, -2, 8, 4, 4, 7, "CMR7"),
        Glyph("=", 10, 2, 16, 8, 10, 10, "CMR10"),
        Glyph("a", 20, -6, 25, 3, 3, 10, "CMMI10"),
        Glyph("b", 20, 8, 25, 16, 16, 10, "CMMI10"),
        Glyph("∑", 30, 0, 38, 12, 10, 10, "CMEX10"),
        Glyph("α", 40, 2, 45, 10, 10, 10, "CMMI10"),
        Glyph("R", 46, 0, 52, 10, 10, 10, "MSBM10"),
    ]
    latex = glyphs_to_latex(g, [Bar(19, 26, 6.5)])
    assert latex == "y^{2}=\\frac{a}{b}\\sum\\alpha\\mathbb{R}"


def test_regions_to_equations_text_layer_and_ocr(tmp_path: Path) -> None:
    regions = find_equation_regions(_paper(tmp_path), dpi=72)
    plain = regions_to_equations(regions)
    assert plain[0].origin == "pdf" and plain[0].number == "1"

    class FakeResult:
        latex = r"x_i = \alpha\beta + \frac{1}{2}"
        confidence = 0.9

    assert regions[0].text_complete  # every glyph maps to LaTeX: no OCR needed
    calls: list[object] = []
    kept = regions_to_equations(regions, recognizer=lambda image: calls.append(image))
    assert kept[0].origin == "pdf" and not calls

    regions[0].text_complete = False  # as for a formula with big operators or radicals
    ocr = regions_to_equations(regions, recognizer=lambda image: FakeResult())
    assert ocr[0].origin == "ocr" and ocr[0].confidence == 0.9

    def broken(image: object) -> str:
        raise RuntimeError("model failed")

    assert regions_to_equations(regions, recognizer=broken)[0].origin == "pdf"


def _page_with(tmp_path: Path, draw: object) -> Path:
    """A page of prose with something drawn by ``draw(page, y)`` in the middle."""
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    y = prose_lines(page, 100.0)
    y = draw(page, y + 30)  # type: ignore[operator]
    for _ in range(3):
        page.insert_text((72, y + 30), PROSE, fontname="helv", fontsize=10)
        y += 14
    path = tmp_path / "page.pdf"
    doc.save(path)
    doc.close()
    return path


def _formula(page: pymupdf.Page, x: float, y: float) -> None:
    page.insert_text((x, y), "y", fontname="tiit", fontsize=10)
    page.insert_text((x + 8, y), "=", fontname="tiro", fontsize=10)
    page.insert_text((x + 18, y), "αx", fontname="symb", fontsize=10)
    page.insert_text((x + 34, y), "+", fontname="tiro", fontsize=10)
    page.insert_text((x + 44, y), "β", fontname="symb", fontsize=10)


def test_find_equation_regions_skips_diagram_labels(tmp_path: Path) -> None:
    def diagram(page: pymupdf.Page, y: float) -> float:
        # a block diagram: boxed math labels joined by arrows, centred like display math
        for x in (200, 340):
            page.draw_rect(pymupdf.Rect(x - 6, y - 14, x + 62, y + 6), width=0.6)
            _formula(page, x, y)
        page.draw_line((268, y - 4), (334, y - 4), width=0.6)
        page.draw_line((300, y + 6), (330, y + 30), width=0.6)  # a slanted arrow
        return y + 40

    assert find_equation_regions(_page_with(tmp_path, diagram), render=False) == []


def test_find_equation_regions_keeps_display_math_beside_rules(tmp_path: Path) -> None:
    def equation(page: pymupdf.Page, y: float) -> float:
        _formula(page, 270, y)
        page.draw_line((260, y + 8), (340, y + 8), width=0.4)  # thin rules are math too
        return y + 20

    regions = find_equation_regions(_page_with(tmp_path, equation), render=False)
    assert len(regions) == 1 and regions[0].latex.startswith("y=")


def test_find_equation_regions_hyphenated_prose_is_not_math(tmp_path: Path) -> None:
    def prose_line(page: pymupdf.Page, y: float) -> float:
        # one centred line, mostly inline math and few text words, but it ends in a word
        # broken by a hyphen: prose (seen in a real paper set in Times with mathptmx)
        writer = pymupdf.TextWriter(page.rect)
        roman, italic = pymupdf.Font("tiro"), pymupdf.Font("tiit")
        x = 120.0
        parts = "where |y| = 1/|a| + |b|, |c| = 3|d| + |e| and |f| = 5|g| + |h|. The fit pa-"
        for i, text in enumerate(parts.split("|")):
            font = italic if i % 2 else roman
            _, end = writer.append((x, y), text, font=font, fontsize=10)
            x = end.x
        writer.write_text(page)
        return y + 14

    assert find_equation_regions(_page_with(tmp_path, prose_line), render=False) == []


def test_find_equation_regions_roman_subscripts_are_not_words(tmp_path: Path) -> None:
    def bounds(page: pymupdf.Page, y: float) -> float:
        # (r_min, r_max) | r_min < r_max in one line: italic r and roman subscripts would
        # read as the words "rmin", "rmax" if sizes were ignored
        writer = pymupdf.TextWriter(page.rect)
        roman, italic = pymupdf.Font("tiro"), pymupdf.Font("tiit")
        x = 230.0
        for text, font, size, dy in [
            ("(", roman, 10, 0), ("r", italic, 10, 0), ("min", roman, 7, 2), (", ", roman, 10, 0),
            ("r", italic, 10, 0), ("max", roman, 7, 2), (") | ", roman, 10, 0),
            ("r", italic, 10, 0), ("min", roman, 7, 2), (" < ", roman, 10, 0),
            ("r", italic, 10, 0), ("max", roman, 7, 2),
        ]:  # fmt: skip
            _, end = writer.append((x, y + dy), text, font=font, fontsize=size)
            x = end.x
        writer.write_text(page)
        return y + 20

    regions = find_equation_regions(_page_with(tmp_path, bounds), render=False)
    assert len(regions) == 1
    assert "r_{min}" in regions[0].latex or "r_{\\min}" in regions[0].latex


def test_glyphs_to_latex_accents_and_bold_greek() -> None:
    g = [
        Glyph("w", 0, 0, 6, 10, 10, 10, "CMMIB10"),
        Glyph("ˆ", 1, -2, 5, 8, 10, 10, "CMR10"),  # a hat printed as its own glyph
        Glyph("=", 8, 2, 14, 8, 10, 10, "CMR10"),
        Glyph("Φ", 16, 0, 23, 10, 10, 10, "CMBX10"),
        Glyph("x", 24, 0, 29, 10, 10, 10, "CMMI10"),
    ]
    assert glyphs_to_latex(g, []) == "\\hat{\\boldsymbol{w}}=\\boldsymbol{\\Phi}x"


def test_words_inside_a_display_are_kept_only_indented_and_starting_with_math() -> None:
    from scipix_search.ingest.pdf._blocks import _text_in_display
    from scipix_search.ingest.pdf._lines import Line as _Line

    def line(x0: float, x1: float, first_font: str, first: str = "x") -> _Line:
        glyphs = [Glyph(first, x0, 100, x0 + 8, 111, 109, 10.0, first_font)]
        glyphs += [
            Glyph(c, x0 + 10 + 5 * i, 100, x0 + 15 + 5 * i, 111, 109, 10.0, "CMR10")
            for i, c in enumerate("strictly causal")
        ]
        return _Line(glyphs, (x0, 100, x1, 111), "Φ strictly causal", 10.0, 0.1, 14)

    def ok(ln: _Line, col: list[_Line] | None = None) -> bool:
        return _text_in_display(ln, col or [ln], 72, 540, 10.0)

    # the second row of an aligned display: "Φx, Φu strictly causal, linear, and ℓ∞-stable"
    row = line(200, 412, "CMMIB10")
    assert ok(row)
    # beside the display's math on its row
    assert ok(row, [line(150, 190, "CMMI10"), row])
    # a paragraph line starts at the margin; a centred line of words does not start with math
    assert not ok(line(72, 412, "CMMIB10"))
    assert not ok(line(200, 412, "CMR10", "W"))
    # a piece of a paragraph's line ("Here G^{(3)}" | "r(x) denotes the ..."): its row
    # starts with a word
    assert not ok(row, [line(90, 190, "CMR10", "H"), row])


def test_crops_are_rendered_for_display_equations_only() -> None:
    """OCR reads display crops; inline math is its glyphs, so rendering it is wasted work.
    A crop is the pixels ``Page.get_pixmap`` gives for the same clip and resolution: the
    lines' box (``layout``), which the formula OCR's figures were measured on."""
    path = Path(__file__).parents[3] / "fixtures" / "pdf" / "display_math.pdf"
    regions = find_equation_regions(path, dpi=150, inline=True)
    assert any(r.display for r in regions) and any(not r.display for r in regions)
    with pymupdf.open(path) as doc:
        for region in regions:
            if not region.display:
                assert region.image is None
                continue
            for unit in [region, *region.rows]:
                assert unit.layout is not None
                clip = pymupdf.Rect(unit.layout) + (-2, -2, 2, 2)
                page = doc[region.page - 1]
                assert unit.image == page.get_pixmap(clip=clip, dpi=150).tobytes("png")
