"""Display equations in born-digital PDFs, found from the text layer and the drawings.

A page's text lines are sorted into columns; lines that are not prose (few words in text
fonts) and carry math (math fonts or symbols) are grouped into vertical blocks, kept when
centred, numbered, or set flush left at the document's ``\\mathindent`` (``fleqn``); a block
is cut between equation numbers ``(n)`` at either margin, and each part becomes an
:class:`EquationRegion` with its number, text-layer glyphs, a LaTeX reconstruction and a
rendered crop. Figures (images, plots) and ruled tables are masked out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from scipix_search.exceptions import CorruptInputError, InputError
from scipix_search.ingest._types import BBox
from scipix_search.ingest.pdf._accents import group_wide_accents
from scipix_search.ingest.pdf._algorithms import in_algorithm
from scipix_search.ingest.pdf._blocks import (
    Block,
    display_blocks,
    flush_left_indent,
    in_plot,
    in_table,
    lines_bbox,
    set_flush_left,
    shares_table_rows,
    split_by_numbers,
    split_columns,
    unruled_table,
)
from scipix_search.ingest.pdf._correct import text_layer_complete
from scipix_search.ingest.pdf._delimiters import group_bare_array, group_delimited
from scipix_search.ingest.pdf._glyphs import (
    BITMAP_ROLE,
    Bar,
    Drawings,
    Glyph,
    bars_among,
    glyphs_to_latex,
    ink_box,
    median,
)
from scipix_search.ingest.pdf._inline import RELATIONS, inline_regions, visual_lines
from scipix_search.ingest.pdf._lines import Line, page_lines
from scipix_search.ingest.pdf._radicals import group_radicals
from scipix_search.ingest.pdf._regions import EquationRegion, RegionRow
from scipix_search.ingest.pdf._relations import join_relations
from scipix_search.ingest.pdf._rows import equation_rows, visual_rows
from scipix_search.ingest.pdf._shapes import DocumentFonts

logger = logging.getLogger(__name__)


def find_equation_regions(
    pdf: Path | str | pymupdf.Document,
    *,
    dpi: int = 200,
    render: bool = True,
    inline: bool = False,
    render_complete: bool = True,
    lists: Sequence[pymupdf.DisplayList] | None = None,
) -> list[EquationRegion]:
    """Locate display equations (and, with ``inline``, inline math) in a born-digital PDF.

    Args:
        pdf: a PDF path or an open ``pymupdf.Document``.
        dpi: resolution of the rendered crops.
        render: render each display region's crop (PNG bytes in ``region.image``).
        inline: also return inline formulas of prose lines (``display=False``, no crop).
        render_complete: with ``render``, also crop what the formula OCR never reads
            (``regions_to_equations``): a region or row whose text layer is complete, and a
            region read row by row. Ingestion passes False: the real papers have 1,085
            display crops, of which OCR reads 22 (the rest cost about 0.7 CPU s).
        lists: the pages' display lists (``_textpage.display_lists``) where the caller shares
            them with its other readings of ``pdf`` (an open document); each page makes its
            own otherwise.

    Returns:
        Regions in reading order (page, then column, then top to bottom); inline regions
        follow the display regions of their page.

    Raises:
        InputError: the path does not exist.
        CorruptInputError: PyMuPDF cannot open the file.
    """
    own = not isinstance(pdf, pymupdf.Document)
    if isinstance(pdf, pymupdf.Document):
        doc = pdf
    else:
        path = Path(pdf)
        if not path.is_file():
            raise InputError("PDF not found", path=str(path))
        try:
            doc = pymupdf.open(path)
        except (pymupdf.FileDataError, RuntimeError) as exc:
            raise CorruptInputError("PDF cannot be opened", path=str(path)) from exc
    try:
        fonts = DocumentFonts()  # a font a page shows too little of: judged on every page
        listed: Sequence[pymupdf.DisplayList | None] = lists or [None] * doc.page_count
        pages = [_read_page(doc[n], fonts, listed[n]) for n in range(doc.page_count)]
        for number in fonts.reread():
            pages[number] = _read_page(doc[number], fonts, listed[number])
        # fleqn is a document's choice: its numbered displays on every page show the indent
        blocks = [b for p in pages if p is not None for _, bs in p.blocks for b in bs]
        sizes = [p.body_size for p in pages if p is not None]
        indent = flush_left_indent(blocks, median(sizes)) if sizes else None
        regions: list[EquationRegion] = []
        for p in pages:
            if p is not None:
                regions.extend(
                    _page_regions(
                        p,
                        indent,
                        dpi=dpi,
                        render=render,
                        inline=inline,
                        render_complete=render_complete,
                    )
                )
        return regions
    finally:
        if own:
            doc.close()


def page_equation_regions(
    page: pymupdf.Page, *, dpi: int = 200, render: bool = True, inline: bool = False
) -> list[EquationRegion]:
    """Display equations (and inline math) on one page (see :func:`find_equation_regions`;
    whether displays are set flush left is judged from this page alone)."""
    p = _read_page(page)
    if p is None:
        return []
    indent = flush_left_indent([b for _, bs in p.blocks for b in bs], p.body_size)
    return _page_regions(p, indent, dpi=dpi, render=render, inline=inline)


@dataclass(slots=True)
class _Page:
    """A page's text lines, columns and display candidates, before placement decides."""

    page: pymupdf.Page
    listed: pymupdf.DisplayList
    body_size: float
    drawings: Drawings
    blocks: list[tuple[list[Line], list[Block]]]  # each column with its candidates
    dropped: list[Block]  # candidates in tables and plots: no displays


def _read_page(
    page: pymupdf.Page,
    fonts: DocumentFonts | None = None,
    listed: pymupdf.DisplayList | None = None,
) -> _Page | None:
    # One display list a page: the text is read from it twice (``_textpage``) and the crops
    # are rendered from it (``Page.get_pixmap`` records the whole page again for every crop).
    if listed is None:
        listed = page.get_displaylist()
    lines = page_lines(page, listed, fonts)
    if not lines:
        return None
    body_size = median([ln.size for ln in lines if ln.is_prose] or [10.0])
    margin = margin_line_numbers(lines, body_size)
    lines = [ln for ln in lines if id(ln) not in margin]
    for ln in lines:
        # TeX sets an equation number in the text's size; a ``(0)`` in script size is a
        # script that MuPDF gave a line of its own (``\\rho_{(0)}^*``)
        if ln.number and ln.size < 0.8 * body_size:
            ln.number = None
    drawings = Drawings(page)
    blocks = []
    dropped: list[Block] = []
    tables: list[Block] = []
    for col in split_columns(lines, page.rect.width):
        col.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
        found = []
        for b in display_blocks(col, body_size, drawings):
            # cells of a table (a column of values with math) and a plot's labels are no
            # display
            if in_table(b.lines, lines, drawings.rules, body_size) or unruled_table(
                b.lines, col, b.right - b.left, body_size
            ):
                tables.append(b)
                dropped.append(b)
            elif in_plot(b.lines, lines, drawings):
                dropped.append(b)
            elif in_algorithm(b.lines, lines, drawings.rules):
                continue  # pseudocode's steps: their math is inline math of the steps
            else:
                found.append(b)
        blocks.append((col, found))
    # a table's other columns (its last rows can have no rule below them): the candidates
    # beside a table's rows, under one of its rules
    for i, (col, found) in enumerate(blocks):
        cells = [
            b
            for b in found
            if any(shares_table_rows(b.lines, t.lines, drawings.rules) for t in tables)
        ]
        if cells:
            dropped.extend(cells)
            blocks[i] = (col, [b for b in found if all(b is not c for c in cells)])
    return _Page(page, listed, body_size, drawings, blocks, dropped)


def _page_regions(
    p: _Page,
    indent: float | None,
    *,
    dpi: int,
    render: bool,
    inline: bool,
    render_complete: bool = True,
) -> list[EquationRegion]:
    page, listed, body_size, drawings = p.page, p.listed, p.body_size, p.drawings
    bars = drawings.bars
    regions: list[EquationRegion] = []
    in_display: set[int] = set()
    for b in p.dropped:  # nor inline math of a sentence, as when they were displays
        if b.centred or set_flush_left(b, indent):
            in_display |= {id(ln) for ln in b.lines}
    for _, col_blocks in p.blocks:
        for b in col_blocks:
            if not (b.centred or set_flush_left(b, indent)):
                continue
            block = b.lines
            in_display |= {id(ln) for ln in block}
            for part in split_by_numbers(block):
                region = _make_region(page, part, bars, body_size)
                if region is not None:
                    regions.append(region)
    if inline:
        prose = [
            glyphs
            for col, _ in p.blocks
            for glyphs in visual_lines(
                [ln for ln in col if id(ln) not in in_display and not drawings.is_figure(ln.bbox)]
            )
            # a line with words (a sentence around the math), or a table row whose math holds
            # a relation (``$-10 < f < 58$`` in a cell); not a column of numbers or a label
            if sum(g.c.isalpha() and not g.is_math for g in glyphs) >= 3
            or any(g.is_math and g.c in RELATIONS for g in glyphs)
        ]
        regions.extend(inline_regions(page.number + 1, prose, bars))
    displays = [r for r in regions if r.display]
    if render and displays:
        # Inline math is never read by OCR (its glyphs are the reading), so it gets no crop.
        for region in displays:
            if render_complete or not (region.rows or region.text_complete):
                region.image = _render(listed, region.layout or region.bbox, dpi)
            region.dpi = dpi
            for row in region.rows:
                if render_complete or not row.text_complete:
                    row.image = _render(listed, row.layout or row.bbox, dpi)
    return regions


def margin_line_numbers(lines: list[Line], body_size: float) -> set[int]:
    """``id``s of the lines that are a margin's line numbers (``lineno``, a journal's review
    mode): small numbers alone on their lines, aligned on one edge, counting up down the page
    by one step (every line, or every fifth), and those of the same size that continue that
    count, two or more on another edge (a short second column). Beside a display they joined it
    (``\\frac{a}{6t},^{60}_{61}``)."""
    numbers = sorted(
        (ln for ln in lines if ln.text.isdigit() and ln.size < 0.8 * body_size),
        key=lambda ln: ln.bbox[2],
    )
    found: set[int] = set()
    counts: list[tuple[float, int, int]] = []  # (size, step, a value) of each count found
    column: list[Line] = []
    for ln in [*numbers, None]:
        if ln is not None and (not column or ln.bbox[2] - column[-1].bbox[2] < 1.5):
            column.append(ln)
            continue
        column.sort(key=lambda c: c.bbox[1])
        values = [int(c.text) for c in column]
        steps = [b - a for a, b in zip(values, values[1:], strict=False)]
        step = max(set(steps), key=steps.count, default=0)
        if len(column) >= 5 and step > 0 and steps.count(step) >= 0.8 * len(steps):
            found |= {id(c) for c in column}
            counts.append((column[0].size, step, values[0]))
        column = [] if ln is None else [ln]
    # the rest of the count: two or more on one edge, up by the step, the same size
    rest = [
        ln
        for ln in numbers
        if id(ln) not in found
        and any(
            abs(ln.size - size) < 0.05 * size and (int(ln.text) - value) % step == 0
            for size, step, value in counts
        )
    ]
    for ln in rest:
        aligned = sorted(
            (c for c in rest if abs(c.bbox[2] - ln.bbox[2]) < 1.5), key=lambda c: c.bbox[1]
        )
        values = [int(c.text) for c in aligned]
        if len(aligned) >= 2 and all(a < b for a, b in zip(values, values[1:], strict=False)):
            found.add(id(ln))
    return found


def _render(
    listed: pymupdf.DisplayList, bbox: tuple[float, float, float, float], dpi: int
) -> bytes:
    """The crop of ``bbox`` (2 pt of margin) as PNG bytes, as ``Page.get_pixmap`` renders it."""
    clip = pymupdf.Rect(bbox) + (-2, -2, 2, 2)
    zoom = dpi / 72
    pixmap = listed.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=clip)
    pixmap.set_dpi(dpi, dpi)
    return pixmap.tobytes("png")


def _make_region(
    page: pymupdf.Page, part: list[Line], bars: list[Bar], body_size: float
) -> EquationRegion | None:
    numbers = [ln for ln in part if ln.number]
    body = [ln for ln in part if not ln.number]
    if not body:
        return None
    printed = [g for ln in body for g in ln.glyphs]
    x0, y0, x1, y1 = lines_bbox(body)
    row_text = [
        "".join(g.c for g in sorted(gs, key=lambda g: g.x0))
        for _, _, gs in visual_rows(printed, bars, body_size)
    ]
    drawn = bars  # every rule: a radical's and the fractions in its radicand count as drawn
    # a radical, a matrix or a delimited group is one glyph for the row logic, so its rows
    # stay inside; a radical's rules are no fraction bars
    glyphs, bars = group_radicals(group_wide_accents(join_relations(printed)), bars)
    glyphs = group_bare_array(group_delimited(glyphs, bars), bars)
    rows = visual_rows(glyphs, bars, body_size)
    row_latex = [_latex(gs, bars, glyphs) for _, _, gs in rows]
    region = EquationRegion(
        page=page.number + 1,
        bbox=ink_box(printed, drawn),
        layout=(x0, y0, x1, y1),
        display=True,
        number=numbers[0].number if numbers else None,
        text="\n".join(row_text),
        latex=" \\\\ ".join(r for r in row_latex if r),
        row_latex=[r for r in row_latex if r],
        math_score=sum(g.is_math for g in printed) / max(1, len(printed)),
        text_complete=text_layer_complete(glyphs),
        has_bars=_has_bars(glyphs, drawn),
        codes_only=_codes_only(printed),
    )
    groups = equation_rows(rows, body_size)
    if len(groups) > 1:
        for gs in groups:
            box = (
                min(g.x0 for g in gs),
                min(g.y0 for g in gs),
                max(g.x1 for g in gs),
                max(g.y1 for g in gs),
            )
            region.rows.append(
                RegionRow(
                    bbox=_row_ink(box, printed, drawn),
                    layout=box,
                    latex=_rows_latex(gs, rows, bars, glyphs),
                    text_complete=text_layer_complete(gs),
                    has_bars=_has_bars(gs, drawn),
                    codes_only=_codes_only(gs),
                )
            )
        if numbers:  # the number belongs to the row it is printed beside
            centre = (numbers[0].bbox[1] + numbers[0].bbox[3]) / 2
            # by the rows' line boxes, as the number's own box is measured
            nearest = min(region.rows, key=lambda r: abs(_middle(r.layout or r.bbox) - centre))
            nearest.number = region.number
    return region


def _middle(box: BBox) -> float:
    return (box[1] + box[3]) / 2


def _row_ink(layout: BBox, printed: list[Glyph], bars: list[Bar]) -> BBox:
    """The ink box of an equation row whose glyphs' boxes span ``layout``: the printed
    glyphs whose centre lies in it (a row's matrix or radical is one atom, whose members'
    outlines are the printed glyphs inside it)."""
    inside = [
        g
        for g in printed
        if layout[0] <= (g.x0 + g.x1) / 2 <= layout[2]
        and layout[1] <= (g.y0 + g.y1) / 2 <= layout[3]
    ]
    return ink_box(inside, bars) if inside else layout


def _has_bars(glyphs: list[Glyph], bars: list[Bar]) -> bool:
    """A rule is drawn among these glyphs (a fraction bar or a radical's vinculum)."""
    return bool(bars_among(glyphs, bars))


def _rows_latex(
    group: list[Glyph],
    rows: list[tuple[float, float, list[Glyph]]],
    bars: list[Bar],
    block: list[Glyph],
) -> str:
    """LaTeX of an equation row that may span several visual rows (a continuation line that
    could not be cut off): each visual row rebuilt on its own, joined by ``\\\\``, since one
    left-to-right pass over two lines would interleave their glyphs."""
    ids = {id(g) for g in group}
    parts = [gs for _, _, gs in rows if all(id(g) in ids for g in gs)]
    if sum(len(gs) for gs in parts) != len(group):
        return _latex(group, bars, block)
    return " \\\\ ".join(_latex(gs, bars, block) for gs in parts)


def _latex(glyphs: list[Glyph], bars: list[Bar], block: list[Glyph]) -> str:
    """Text-layer LaTeX of some rows, with the fraction bars that lie among them.

    A bar whose numerator the row logic put in another row of the ``block`` (and none in
    this one) is left out: over its denominator alone it would read as an ``\\overline``.
    """
    ids = {id(g) for g in glyphs}
    near = [
        b
        for b in bars_among(glyphs, bars)
        if any(_numerator_of(g, b) for g in glyphs)
        or not any(id(g) not in ids and _numerator_of(g, b) for g in block)
    ]
    return glyphs_to_latex(glyphs, near)


def _numerator_of(g: Glyph, bar: Bar) -> bool:
    return bar.x0 - 1 <= (g.x0 + g.x1) / 2 <= bar.x1 + 1 and 0 <= bar.y - g.base <= 0.6 * g.size


def _codes_only(glyphs: list[Glyph]) -> bool:
    """Some glyph's text is an anonymous bitmap font's code, not its character."""
    return any(BITMAP_ROLE in g.font for g in glyphs)
