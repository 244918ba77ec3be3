"""The glyph reading keeps its layout and takes from the formula OCR only what it could not name."""

from __future__ import annotations

from pathlib import Path

from scipix_search.ingest.pdf._holes import fill_holes, has_holes, is_hole, mend_pieces
from scipix_search.ingest.pdf._locate import find_equation_regions
from scipix_search.ingest.pdf._regions import EquationRegion, regions_to_equations
from tests.factories import typeset_article

HOLE = "\ufffd"


def test_is_hole_only_for_glyphs_without_latex() -> None:
    assert is_hole(HOLE) and is_hole("\uf8f1") and is_hole("∕")  # U+2215, no LaTeX name
    assert not is_hole("x") and not is_hole("α") and not is_hole("≤") and not is_hole("=")
    assert has_holes(f"a{HOLE}b") and not has_holes(r"\alpha \leq \frac{1}{2}")


def test_fill_holes_takes_the_ocr_symbol_at_the_hole() -> None:
    glyphs = rf"S=\left\{{ \{{(x,y)\in E\}}{HOLE}y\in T \right\}}"
    ocr = r"S=\left\{\left(x,y\right)\in E\right\}\Big| y\in\mathrm{T}\right\}"
    assert fill_holes(glyphs, ocr) == r"S=\left\{ \{(x,y)\in E\}|y\in T \right\}"
    # a command is kept apart from the letter after it
    assert fill_holes(rf"a{HOLE}b", r"a \mid b") == r"a\mid b"
    # symbol for symbol where the readings differ elsewhere too: each hole its own symbol
    assert fill_holes(rf"q^{{i{HOLE}2}}+x{HOLE}y", r"q^{i/2}+x\star y") == r"q^{i/2}+x\star y"


def test_fill_holes_keeps_the_glyph_layout_of_rows() -> None:
    # the OCR reads a multi-row display as one line; the glyphs' rows stay
    glyphs = rf"f=\begin{{cases}} a{HOLE}2, & x>0, \\ b, & x\leq0, \end{{cases}}"
    ocr = r"f=\left\{a/2,\quad x>0,\ b,\quad x\leq0,\right."
    assert fill_holes(glyphs, ocr) == r"f=\begin{cases} a/2, & x>0, \\ b, & x\leq0, \end{cases}"


def test_fill_holes_drops_a_hole_the_ocr_reads_nothing_at() -> None:
    assert fill_holes(rf"x=y{HOLE}+1", r"x=y+1") == r"x=y+1"


def test_fill_holes_primes_align_with_their_script_form() -> None:
    glyphs = rf"G(x,x')={HOLE}x|y{HOLE}"
    ocr = r"G(x,x^{\prime})=\langle x|y\rangle"
    assert fill_holes(glyphs, ocr) == r"G(x,x')=\langle x|y\rangle"


def test_fill_holes_gives_up_where_a_hole_hides_structure() -> None:
    # the OCR reads a root, a fraction or an accent where the glyphs have a hole: the glyph
    # reading lacks part of the layout, not a symbol
    assert fill_holes(rf"x\subseteq{HOLE}", r"x\subseteq\sqrt{(1)}") is None
    assert fill_holes(rf"y={HOLE}+1", r"y=\frac{a}{b}+1") is None
    assert fill_holes(rf"\rho{HOLE}=-3a", r"\dot{\rho}=-3a") is None
    assert fill_holes(r"x=1", r"x=2") == r"x=1"  # no hole: nothing to take


def test_regions_to_equations_fills_holes_of_a_typeset_display(tmp_path: Path) -> None:
    # STIX Two's math slash maps to U+2215, which has no LaTeX: the glyph reading has holes
    tex = typeset_article(
        tmp_path / "holes.tex",
        "\\begin{equation}\n f(x) = \\begin{cases} q^{i/2} + x, & x > 0, \\\\ "
        "\\theta_0/2 - x, & x \\leq 0, \\end{cases}\n\\end{equation}\n",
        "\\usepackage{stix2}\n",
    )
    regions = find_equation_regions(tex.with_suffix(".pdf"), dpi=72)
    assert len(regions) == 1 and not regions[0].text_complete
    assert has_holes(regions[0].latex) and r"\begin{cases}" in regions[0].latex

    class OneLine:  # what the formula OCR reads from such a crop: one line, no rows
        latex = r"f(x)=\left\{q^{i/2}+x,\quad x>0,\ \theta_{0}/2-x,\quad x\leq0,\right."
        confidence = 0.9

    (eq,) = regions_to_equations(regions, recognizer=lambda image: OneLine())
    assert eq.origin == "ocr" and not has_holes(eq.latex)
    assert eq.latex == regions[0].latex.replace("∕", "/")  # the rows are the glyphs'

    class Fraction:  # the OCR reads a structure where the glyphs have a hole: it is used
        latex = r"f(x)=\left\{q^{\frac{i}{2}}+x,\ x>0,\ \frac{\theta_{0}}{2}-x,\ x\leq0\right."
        confidence = 0.9

    (eq,) = regions_to_equations(regions, recognizer=lambda image: Fraction())
    assert eq.latex.startswith(r"f(x)=\left\{q^{") and r"\begin{cases}" not in eq.latex


def test_mend_pieces_writes_each_tall_delimiter_once() -> None:
    # the Symbol font's pieces (top, middle, bottom) of one brace, spread over a cases' rows
    top, mid, bottom = "\uf8f1", "\uf8f2", "\uf8f3"
    glyphs = rf"a, \\ {top} \\ {mid}U_{{L}}, x<0, \\ U= \\ {bottom}U_{{R}}, x\geq0"
    assert mend_pieces(glyphs) == r"a, \\ \{ \\ U_{L}, x<0, \\ U= \\ U_{R}, x\geq0"
    assert mend_pieces(glyphs, keep=False) == r"a, \\  \\ U_{L}, x<0, \\ U= \\ U_{R}, x\geq0"
    # two delimiters one after the other: each is written once, each on its own side
    paren = "\uf8eb\uf8ec\uf8ed"  # left parenthesis: top, extension, bottom
    assert mend_pieces(f"x{paren}a+b\uf8f6\uf8f7\uf8f8{paren}c\uf8f6\uf8f8") == "x(a+b)(c)"
    assert not has_holes(mend_pieces(glyphs)) and has_holes(glyphs)


def test_ocr_structure_at_delimiter_pieces_keeps_the_glyph_rows() -> None:
    # the glyphs set the rows of a cases, with an inner brace whose pieces the rebuild did
    # not assemble; the OCR reads the crop as one line with a \frac across those pieces: a
    # delimiter hides no structure, so the rows stay the glyphs'
    top, mid, bottom = "\uf8f1", "\uf8f2", "\uf8f3"
    glyphs = (
        rf"\begin{{cases}} \partial_{{t}}\rho=0, \\ {top} \\ {mid}U_{{L}},x<0, \\ U= \\ "
        rf"{bottom}U_{{R}},x\geq0, \end{{cases}}"
    )
    region = EquationRegion(page=1, bbox=(0, 0, 100, 40), display=True, latex=glyphs)
    region.image = _png()

    class Garbled:
        latex = r"\left\{\begin{array}{l}\partial_{t}\rho=0,\\ U=\left\{\frac{U_{L}x<0}{U_{R}x\geq0}\end{array}\right."
        confidence = 0.9

    (eq,) = regions_to_equations([region], recognizer=lambda image: Garbled())
    assert eq.latex.startswith(r"\begin{cases} \partial_{t}\rho=0, \\ \{ \\ U_{L},x<0")
    assert not has_holes(eq.latex)


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buf, format="PNG")
    return buf.getvalue()


def test_a_fraction_inside_a_radical_counts_as_drawn(tmp_path: Path) -> None:
    # the radical takes its vinculum and the fraction bars of its radicand out of the bars
    # the row logic sees; they are still drawn, so the OCR's \frac there is no row stack
    tex = typeset_article(
        tmp_path / "radical.tex",
        "\\begin{equation}\n D = D_0 \\sqrt{1 + \\frac{E}{V^2}} + q^{i/2}\n\\end{equation}\n",
        "\\usepackage{stix2}\n",
    )
    (region,) = find_equation_regions(tex.with_suffix(".pdf"), dpi=72)
    assert region.has_bars and has_holes(region.latex)

    class Read:
        latex = r"D=D_{0}\sqrt{1+\frac{E}{V^{2}}}+q^{i/2}"
        confidence = 0.9

    (eq,) = regions_to_equations([region], recognizer=lambda image: Read())
    assert r"\frac{E}{V^{2}}" in eq.latex and "matrix" not in eq.latex


def test_fill_holes_takes_no_letters_from_an_environment_name() -> None:
    # the OCR reads a cases as \left\{ \begin{array}{ll}: the name and the column spec print
    # nothing, and the brace a cases prints is the OCR's \{ (no hole takes "r r a y l l")
    glyphs = rf"A=\begin{{cases}} {HOLE}a|b{HOLE}, & x>0, \\ c, & \text{{else}}. \end{{cases}}"
    ocr = r"A=\left\{\begin{array}{l l}{{\langle a|b\rangle,}}&{{x>0,}}\\ {{c,}}&{{\mathrm{else.}}}\end{array}\right."
    assert fill_holes(glyphs, ocr) == (
        r"A=\begin{cases} \langle a|b\rangle, & x>0, \\ c, & \text{else}. \end{cases}"
    )
    # a matrix the OCR reads as a bmatrix keeps the glyphs' pmatrix; only its hole is filled
    glyphs = rf"M=\begin{{pmatrix}} a & b{HOLE} \\ c & d \end{{pmatrix}}"
    ocr = r"M=\begin{pmatrix}a&b'\\ c&d\end{pmatrix}"
    assert fill_holes(glyphs, ocr) == r"M=\begin{pmatrix} a & b' \\ c & d \end{pmatrix}"
