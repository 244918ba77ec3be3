"""A display region's box is the ink of its glyphs and rules, not their lines' font boxes.

Typeset here with pdflatex (skips without it) at 12 pt, where Computer Modern's CMSY10
reports a descent of 0.96 em: a line holding a ``=``-free ``\\in`` or ``\\{`` got a box
reaching 8-13 pt under the display (the real papers' ``ehataht_bell`` regions, which a
scan's detector, trimming its boxes to their ink, then missed at IoU 0.5). Scored against
the page rendered at 144 dpi, as ``benchmarks/region_ink.py`` scores the corpora."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymupdf
import pytest

from scipix_search.config import Settings
from scipix_search.pipeline import Models, convert_to_markdown
from tests.factories import math_font_preamble, typeset_article

DISPLAYS = [
    r"C[\rho] = \max\{0, \lambda_1 - \lambda_2 - \lambda_3\} \in [0, 1],",
    r"\sum_{i=1}^{n} x_i \leq \frac{a}{b},",
    r"\mathcal{M} \subseteq \{ x \mid \forall i .\, x_i \neq 0 \}",
    r"\left( \begin{matrix} a & b \\ c & d \end{matrix} \right) \cdot v = w,",
    r"\| A \|_{\infty} \leq \varepsilon .",
    r"\sqrt{x^2 + y^2} = r",
]
DPI = 144


def _ink(grey: np.ndarray, box: tuple[float, float, float, float]) -> tuple[float, ...] | None:
    """The box (points) of the ink inside ``box`` (points) on the page image."""
    s = DPI / 72
    x0, y0 = int(box[0] * s), int(box[1] * s)
    x1, y1 = int(np.ceil(box[2] * s)), int(np.ceil(box[3] * s))
    dark = grey[y0:y1, x0:x1] < 200
    rows, cols = np.flatnonzero(dark.any(axis=1)), np.flatnonzero(dark.any(axis=0))
    if not len(rows):
        return None
    return (
        (x0 + cols[0]) / s,
        (y0 + rows[0]) / s,
        (x0 + cols[-1] + 1) / s,
        (y0 + rows[-1] + 1) / s,
    )


@pytest.mark.parametrize("font", ["cm", "newtx"])
def test_display_regions_fit_their_ink(tmp_path: Path, font: str) -> None:
    from scipix_search.ingest.pdf import find_equation_regions

    body = "".join(
        f"Some words of prose lead into the display that follows here:\n\\[ {d} \\]\n"
        "and the text goes on after it for a line or so.\n\n"
        for d in DISPLAYS
    )
    tex = typeset_article(tmp_path / "doc.tex", body, math_font_preamble(font), options="12pt")
    pdf = tex.with_suffix(".pdf")
    regions = [r for r in find_equation_regions(pdf, render=False) if r.display]
    assert len(regions) >= 0.8 * len(DISPLAYS), [r.text for r in regions]
    fits = 0
    with pymupdf.open(pdf) as doc:
        for r in regions:
            pix = doc[r.page - 1].get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
            grey = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w)
            inside = _ink(grey, r.bbox)
            around = _ink(
                grey, (r.bbox[0] - 1.5, r.bbox[1] - 1.5, r.bbox[2] + 1.5, r.bbox[3] + 1.5)
            )
            assert inside is not None and around is not None
            # top and bottom within a pixel of the ink, none of it cut off; across, MuPDF's
            # measured outline is the glyph's advance (side bearings in: a tall ``(`` 2.5 pt)
            over = [a - b for a, b in zip(r.bbox, inside, strict=True)]
            cut = max(abs(a - b) for a, b in zip(around, inside, strict=True))
            fits += abs(over[1]) <= 1.0 and abs(over[3]) <= 1.0 and cut <= 1.0
            assert -over[0] <= 3.0 and over[2] <= 3.0, (r.text, over)
            assert r.layout is not None  # the lines' boxes, for the text layer's blocks
    assert fits >= 0.9 * len(regions), (fits, len(regions))


def test_markdown_keeps_display_glyphs_out_and_the_prose_in(tmp_path: Path) -> None:
    """The ink box is tighter than the glyphs' font boxes: the display's characters still
    leave the Markdown's prose (by their baseline), the prose around stays whole."""
    body = "".join(
        f"Some words of prose lead into the display that follows here:\n\\[ {d} \\]\n"
        "and the text goes on after it for a line or so.\n\n"
        for d in DISPLAYS
    )
    pdf = typeset_article(tmp_path / "doc.tex", body, options="12pt").with_suffix(".pdf")
    settings = Settings(pdf_equation_ocr="off")
    md = convert_to_markdown(pdf.read_bytes(), pdf.name, settings=settings, models=Models(settings))
    prose = [ln for ln in md.splitlines() if ln and not ln.startswith(("$$", "<!--"))]
    assert sum("lead into the display" in ln for ln in prose) == len(DISPLAYS), md
    assert sum("the text goes on after it" in ln for ln in prose) == len(DISPLAYS), md
    # no stray symbol of a display is left as a line of its own
    assert all(len(ln.strip()) > 3 for ln in prose), md
