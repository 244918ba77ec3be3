"""Display equations in born-digital PDFs, found from the text layer and the drawings.

A page's text lines are sorted into columns; lines that are not prose (few words in text
fonts) and carry math (math fonts or symbols) are grouped into vertical blocks; a block is
cut between equation numbers ``(n)`` at the right margin, and each part becomes an
:class:`EquationRegion` with its number, text-layer glyphs, a LaTeX reconstruction and a
rendered crop. Figures (images, plots) are masked out.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from scipix_search.exceptions import CorruptInputError, InputError
from scipix_search.ingest.pdf._correct import text_layer_complete
from scipix_search.ingest.pdf._delimiters import group_delimited
from scipix_search.ingest.pdf._families import is_math_font
from scipix_search.ingest.pdf._fonts import unnamed_glyph_names
from scipix_search.ingest.pdf._glyphs import (
    Bar,
    Drawings,
    Glyph,
    bars_among,
    glyphs_to_latex,
    median,
)
from scipix_search.ingest.pdf._inline import inline_regions
from scipix_search.ingest.pdf._radicals import group_radicals
from scipix_search.ingest.pdf._regions import EquationRegion, RegionRow
from scipix_search.ingest.pdf._rows import equation_rows, visual_rows
from scipix_search.ingest.pdf._unicode_math import split_math_alphanumeric

logger = logging.getLogger(__name__)

_NUMBER_RE = re.compile(r"^\(\s*([A-Z]?\d+(?:\.\d+)*[a-z]?)\s*\)$")
_WORD_RE = re.compile(r"[A-Za-z]{3,}")
_OPERATOR_WORDS = frozenset(
    "max min sup inf lim log exp sin cos tan det diag rank arg where and for subject to "
    "minimize maximize s.t. if otherwise with".split()
)


@dataclass(slots=True)
class _Line:
    glyphs: list[Glyph]
    bbox: tuple[float, float, float, float]
    text: str
    size: float
    math_share: float
    prose_chars: int
    number: str | None = None
    rows: list[list[Glyph]] = field(default_factory=list)
    hyphenated: bool = False

    @property
    def is_prose(self) -> bool:
        return (
            self.hyphenated
            or self.prose_chars >= 12
            or (self.prose_chars >= 6 and self.math_share < 0.15)
        )


def find_equation_regions(
    pdf: Path | str | pymupdf.Document,
    *,
    dpi: int = 200,
    render: bool = True,
    inline: bool = False,
) -> list[EquationRegion]:
    """Locate display equations (and, with ``inline``, inline math) in a born-digital PDF.

    Args:
        pdf: a PDF path or an open ``pymupdf.Document``.
        dpi: resolution of the rendered crops.
        render: render each display region's crop (PNG bytes in ``region.image``).
        inline: also return inline formulas of prose lines (``display=False``, no crop).

    Returns:
        Regions in reading order (page, then column, then top to bottom); inline regions
        follow the display regions of their page.

    Raises:
        InputError: the path does not exist.
        CorruptInputError: PyMuPDF cannot open the file.
    """
    own = not isinstance(pdf, pymupdf.Document)
    if own:
        path = Path(pdf)
        if not path.is_file():
            raise InputError("PDF not found", path=str(path))
        try:
            doc = pymupdf.open(path)
        except (pymupdf.FileDataError, RuntimeError) as exc:
            raise CorruptInputError("PDF cannot be opened", path=str(path)) from exc
    else:
        doc = pdf
    try:
        regions: list[EquationRegion] = []
        for page in doc:
            regions.extend(page_equation_regions(page, dpi=dpi, render=render, inline=inline))
        return regions
    finally:
        if own:
            doc.close()


def page_equation_regions(
    page: pymupdf.Page, *, dpi: int = 200, render: bool = True, inline: bool = False
) -> list[EquationRegion]:
    """Display equations (and inline math) on one page (see :func:`find_equation_regions`)."""
    lines = _page_lines(page)
    if not lines:
        return []
    body_size = median([ln.size for ln in lines if ln.is_prose] or [10.0])
    drawings = Drawings(page)
    bars = drawings.bars
    columns = _columns(lines, page.rect.width)
    regions: list[EquationRegion] = []
    in_display: set[int] = set()
    for col in columns:
        col.sort(key=lambda ln: (ln.bbox[1], ln.bbox[0]))
        for block in _math_blocks(col, body_size, drawings):
            in_display |= {id(ln) for ln in block}
            for part in _split_by_numbers(block):
                region = _make_region(page, part, bars, body_size)
                if region is not None:
                    regions.append(region)
    if inline:
        prose = [
            ln.glyphs
            for col in columns
            for ln in col
            if id(ln) not in in_display
            and not drawings.is_figure(ln.bbox)
            # a line with words: a sentence around the math, not a table cell or a label
            and (ln.is_prose or sum(g.c.isalpha() and not g.is_math for g in ln.glyphs) >= 3)
        ]
        regions.extend(inline_regions(page.number + 1, prose, bars))
    if render:
        for region in regions:
            region.image = _render(page, region.bbox, dpi)
            region.dpi = dpi
            for row in region.rows:
                row.image = _render(page, row.bbox, dpi)
    return regions


def _render(page: pymupdf.Page, bbox: tuple[float, float, float, float], dpi: int) -> bytes:
    clip = pymupdf.Rect(bbox) + (-2, -2, 2, 2)
    return page.get_pixmap(clip=clip, dpi=dpi).tobytes("png")


def _page_lines(page: pymupdf.Page) -> list[_Line]:
    raw = page.get_text("rawdict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE)
    # CMEX delimiters have no Unicode value; their glyph names tell a [ from a ) (costly: only
    # on pages that print such glyphs)
    unnamed = any(
        ch["c"] == "\ufffd"
        for block in raw["blocks"]
        if block.get("type") == 0
        for line in block["lines"]
        for span in line["spans"]
        for ch in span["chars"]
    )
    names = unnamed_glyph_names(page) if unnamed else {}
    out: list[_Line] = []
    height = page.rect.height
    for block in raw["blocks"]:
        if block.get("type") != 0:
            continue
        for line in block["lines"]:
            if abs(line["dir"][1]) > 0.1:
                continue  # rotated text: axis labels, margins
            glyphs = [_glyph(ch, span, names) for span in line["spans"] for ch in span["chars"]]
            visible = [g for g in glyphs if g.c.strip()]
            if not visible:
                continue
            text = "".join(g.c for g in glyphs).strip()
            bbox = line["bbox"]
            if (bbox[3] < 0.06 * height or bbox[1] > 0.94 * height) and len(text) < 40:
                continue  # running heads and page numbers
            out.append(_classify(visible, bbox, glyphs))
    return out


def _glyph(ch: dict, span: dict, names: dict[tuple[float, float], str]) -> Glyph:
    """A text-layer character as a glyph: a Unicode math alphanumeric (``𝑥``) becomes its
    base letter with the style in the font's role (see ``_unicode_math``); a variation
    selector (which some math fonts print after a delimiter) is blank."""
    c = ch["c"]
    if "\ufe00" <= c <= "\ufe0f":
        c = " "
    base, role = split_math_alphanumeric(c)
    name = ""
    if c == "\ufffd":
        name = names.get((round(ch["origin"][0], 1), round(ch["origin"][1], 1)), "")
    return Glyph(base, *ch["bbox"], ch["origin"][1], span["size"], span["font"] + role, name)


def _classify(visible: list[Glyph], bbox: tuple, glyphs: list[Glyph]) -> _Line:
    text = "".join(g.c for g in glyphs).strip()
    math = sum(g.is_math for g in visible)
    prose = 0
    word: list[Glyph] = []
    for g in [*glyphs, Glyph(" ", 0, 0, 0, 0, 0, 0, "")]:
        letter = g.c.isalpha() and not is_math_font(g.font)
        # a change of size inside a "word" is a script (r_{min}): math, not prose
        if letter and (not word or abs(g.size - word[-1].size) <= 0.15 * word[-1].size):
            word.append(g)
            continue
        prose += _prose_chars(word)
        word = [g] if letter else []
    size = max(g.size for g in visible)
    number = None
    m = _NUMBER_RE.match(text)
    if m:
        number = m.group(1)
    line = _Line(visible, tuple(bbox), text, size, math / len(visible), prose, number)
    line.hyphenated = _hyphenated(visible)
    return line


def _prose_chars(word: list[Glyph]) -> int:
    # NFKC expands ligatures (U+FB01 "fi" ...), which are a sure sign of text fonts
    token = unicodedata.normalize("NFKC", "".join(x.c for x in word))
    if len(token) >= 3 and token.lower() not in _OPERATOR_WORDS and _WORD_RE.match(token):
        return len(token)
    return 0


def _hyphenated(visible: list[Glyph]) -> bool:
    """A line ending in a word broken by a hyphen is prose: math prints a minus sign
    (U+2212, or a math-font glyph), never a text-font hyphen after a text-font letter."""
    if len(visible) < 3:
        return False
    *_, a, b, hyphen = visible
    return (
        hyphen.c in "-\u2010"
        and not hyphen.is_math
        and all(g.c.isalpha() and not is_math_font(g.font) for g in (a, b))
    )


def _columns(lines: list[_Line], width: float) -> list[list[_Line]]:
    mid = width / 2
    prose = [ln for ln in lines if ln.is_prose]
    left = sum(ln.bbox[2] < mid + 5 for ln in prose)
    right = sum(ln.bbox[0] > mid - 5 for ln in prose)
    if prose and left >= 0.3 * len(prose) and right >= 0.3 * len(prose):
        cols: list[list[_Line]] = [[], [], []]
        for ln in lines:
            if ln.bbox[2] < mid + 10:
                cols[0].append(ln)
            elif ln.bbox[0] > mid - 10:
                cols[1].append(ln)
            else:
                cols[2].append(ln)
        return [c for c in cols if c]
    return [lines]


def _math_blocks(col: list[_Line], body_size: float, drawings: Drawings) -> list[list[_Line]]:
    """Consecutive non-prose lines with math, merged while they overlap or nearly touch."""
    if not col:
        return []
    prose_lines = [ln for ln in col if ln.is_prose]
    prose_tops = sorted((ln.bbox[1], ln.bbox[3]) for ln in prose_lines)
    left = min(ln.bbox[0] for ln in prose_lines or col)
    right = max(ln.bbox[2] for ln in prose_lines or col)
    candidates = [
        ln
        for ln in col
        if (not ln.is_prose or _text_in_display(ln, left, right, body_size))
        and (ln.number or ln.is_prose or not _beside_prose(ln, prose_tops))
        and not drawings.is_figure(ln.bbox)
        and (
            ln.number
            or ln.math_share > 0
            or _symbolic(ln.text)
            or _fragment(ln)
            or _by_bar(ln, drawings.bars, body_size)
        )
    ]
    blocks: list[list[_Line]] = []
    for ln in sorted(candidates, key=lambda item: item.bbox[1]):
        if blocks:
            top = min(b.bbox[1] for b in blocks[-1])
            bottom = max(b.bbox[3] for b in blocks[-1])
            between = any(
                bottom - 1 <= (p0 + p1) / 2 <= ln.bbox[1] + 1
                for p0, p1 in prose_tops
                if (p0, p1) != (ln.bbox[1], ln.bbox[3])
            )
            if (
                ln.bbox[1] <= bottom + 0.6 * body_size
                and not between
                and ln.bbox[1] >= top - body_size
                and not _paragraph_resumes(ln, blocks[-1], left, body_size)
            ):
                blocks[-1].append(ln)
                continue
        if ln.is_prose:
            continue  # a text line belongs to a display only as its continuation
        blocks.append([ln])
    blocks = _join_aligned_rows(blocks, prose_tops, left, right, body_size)
    return [
        b
        for b in blocks
        if _is_display(b, body_size)
        and _centred(b, left, right)
        and not drawings.is_figure(_bbox(b))  # labels spread over a diagram
    ]


def _paragraph_resumes(line: _Line, block: list[_Line], left: float, body_size: float) -> bool:
    """The paragraph goes on under a display (``with $x$ fixed.``): the line starts at the
    column's margin with a word in a text font, while the display above is set in from it."""
    first = line.glyphs[0] if line.glyphs else None
    return (
        first is not None
        and not first.is_math
        and first.c.isalpha()
        and line.bbox[0] <= left + 0.5 * body_size
        and min(ln.bbox[0] for ln in block) >= left + 1.5 * body_size
        and line.bbox[1] >= max(ln.bbox[3] for ln in block) - 0.2 * body_size
    )


def _join_aligned_rows(
    blocks: list[list[_Line]],
    prose_tops: list[tuple[float, float]],
    left: float,
    right: float,
    body_size: float,
) -> list[list[_Line]]:
    """Rows of one ``align`` that tall content (fractions, limits) set further apart than
    lines merge: a row aligned at its relation is not centred on its own, but the rows
    together are. Two neighbouring blocks with nothing between them become one when one of
    them is off-centre and their union is centred."""
    out: list[list[_Line]] = []
    for block in blocks:
        if out:
            prev = out[-1]
            gap = min(ln.bbox[1] for ln in block) - max(ln.bbox[3] for ln in prev)
            between = any(
                max(ln.bbox[3] for ln in prev) - 1
                <= (p0 + p1) / 2
                <= min(ln.bbox[1] for ln in block) + 1
                for p0, p1 in prose_tops
            )
            off_centre = not (_centred(prev, left, right) and _centred(block, left, right))
            if (
                0 <= gap <= 1.5 * body_size
                and not between
                and off_centre
                and _centred(prev + block, left, right)
                and not any(ln.is_prose for ln in prev + block)
                # a line from the margin is the paragraph that goes on after a display
                and min(ln.bbox[0] for ln in prev + block) >= left + 1.5 * body_size
            ):
                out[-1] = prev + block
                continue
        out.append(block)
    return out


def _text_in_display(line: _Line, left: float, right: float, body_size: float) -> bool:
    """A line of words set inside a display (``\\text{strictly causal, ...}`` on the second
    row of an ``aligned``): indented from both margins, unlike any line of a paragraph, and
    starting with math."""
    first = line.glyphs[0] if line.glyphs else None
    return (
        first is not None
        and first.is_math
        and line.bbox[0] >= left + 3 * body_size
        and line.bbox[2] <= right - 3 * body_size
    )


def _by_bar(line: _Line, bars: list[Bar], body_size: float) -> bool:
    """The line is set just over or under a drawn rule that spans it: a numerator or
    denominator, even when its letters are in a text font (``\\frac{area(H_c)}{area(H_v)}``)."""
    x0, y0, x1, y1 = line.bbox
    return any(
        b.x0 - 2 <= x0
        and x1 <= b.x1 + 2
        and b.x1 - b.x0 <= x1 - x0 + 4 * body_size  # not a table rule across many cells
        and (0 <= y0 - b.y <= 0.6 * body_size or 0 <= b.y - y1 <= 0.6 * body_size)
        for b in bars
    )


def _bbox(lines: list[_Line]) -> tuple[float, float, float, float]:
    return (
        min(ln.bbox[0] for ln in lines),
        min(ln.bbox[1] for ln in lines),
        max(ln.bbox[2] for ln in lines),
        max(ln.bbox[3] for ln in lines),
    )


def _beside_prose(line: _Line, prose: list[tuple[float, float]]) -> bool:
    """True when the line shares its row with a prose line: inline math, not display."""
    y0, y1 = line.bbox[1], line.bbox[3]
    for p0, p1 in prose:
        overlap = min(y1, p1) - max(y0, p0)
        if overlap > 0.5 * min(y1 - y0, p1 - p0):
            return True
    return False


def _centred(block: list[_Line], left: float, right: float) -> bool:
    """Display math is centred in its column, wide, or numbered; algorithm and figure
    fragments hug the left margin."""
    if any(ln.number for ln in block):
        return True
    body = [ln for ln in block if not ln.number]
    x0, x1 = min(ln.bbox[0] for ln in body), max(ln.bbox[2] for ln in body)
    width = max(1.0, right - left)
    return abs((x0 + x1) / 2 - (left + right) / 2) < 0.12 * width or (x1 - x0) > 0.7 * width


def _fragment(line: _Line) -> bool:
    """One or two letters or digits alone: a numerator, denominator or limit of a formula."""
    return len(line.glyphs) <= 2 and all(g.c.isalnum() for g in line.glyphs)


def _symbolic(text: str) -> bool:
    return bool(re.search(r"[=+<>]", text)) and not _WORD_RE.search(text)


def _is_display(block: list[_Line], body_size: float) -> bool:
    glyphs = [g for ln in block for g in ln.glyphs if ln.number is None]
    if not glyphs:
        return False
    math = sum(g.is_math for g in glyphs)
    has_number = any(ln.number for ln in block)
    if not has_number and not any(g.c.isalpha() or g.c in "=<>≤≥∈≈" for g in glyphs):
        return False  # numbers and minus signs only: axis ticks of a plot
    if math == 0 and not (has_number and len(glyphs) >= 3):
        return False
    if len(glyphs) < 3 and not has_number:
        return False
    # a lone word-like line in a text font is a heading or a table cell, not math
    return math / len(glyphs) >= 0.08 or has_number


def _split_by_numbers(block: list[_Line]) -> list[list[_Line]]:
    numbers = sorted((ln for ln in block if ln.number), key=lambda ln: ln.bbox[1])
    if len(numbers) <= 1:
        return [block]
    body = sorted((ln for ln in block if not ln.number), key=lambda ln: ln.bbox[1])
    parts: list[list[_Line]] = []
    start = 0
    for current, nxt in zip(numbers, numbers[1:], strict=False):
        lo = (current.bbox[1] + current.bbox[3]) / 2
        hi = (nxt.bbox[1] + nxt.bbox[3]) / 2
        best, best_gap = None, -1e9
        for i in range(start, len(body) - 1):
            a, b = body[i], body[i + 1]
            if (a.bbox[1] + a.bbox[3]) / 2 < lo - 3 or (b.bbox[1] + b.bbox[3]) / 2 > hi + 3:
                continue
            gap = b.bbox[1] - max(x.bbox[3] for x in body[start : i + 1])
            if gap > best_gap:
                best, best_gap = i, gap
        if best is None:
            continue
        parts.append(body[start : best + 1])
        start = best + 1
    parts.append(body[start:])
    result = []
    for part in parts:
        if not part:
            continue
        top, bottom = min(x.bbox[1] for x in part), max(x.bbox[3] for x in part)
        nums = [n for n in numbers if top - 2 <= (n.bbox[1] + n.bbox[3]) / 2 <= bottom + 2]
        result.append(part + nums[:1])
    return result


def _make_region(
    page: pymupdf.Page, part: list[_Line], bars: list[Bar], body_size: float
) -> EquationRegion | None:
    numbers = [ln for ln in part if ln.number]
    body = [ln for ln in part if not ln.number]
    if not body:
        return None
    printed = [g for ln in body for g in ln.glyphs]
    x0, y0, x1, y1 = _bbox(body)
    row_text = [
        "".join(g.c for g in sorted(gs, key=lambda g: g.x0))
        for _, _, gs in visual_rows(printed, bars, body_size)
    ]
    # a radical, a matrix or a delimited group is one glyph for the row logic, so its rows
    # stay inside; a radical's rules are no fraction bars
    glyphs, bars = group_radicals(printed, bars)
    glyphs = group_delimited(glyphs, bars)
    rows = visual_rows(glyphs, bars, body_size)
    row_latex = [_latex(gs, bars) for _, _, gs in rows]
    region = EquationRegion(
        page=page.number + 1,
        bbox=(x0, y0, x1, y1),
        display=True,
        number=numbers[0].number if numbers else None,
        text="\n".join(row_text),
        latex=" \\\\ ".join(r for r in row_latex if r),
        row_latex=[r for r in row_latex if r],
        math_score=sum(g.is_math for g in printed) / max(1, len(printed)),
        text_complete=text_layer_complete(glyphs),
        has_bars=_has_bars(glyphs, bars),
    )
    groups = equation_rows(rows, body_size)
    if len(groups) > 1:
        for gs in groups:
            box = (min(g.x0 for g in gs), min(g.y0 for g in gs), max(g.x1 for g in gs))
            box = (*box, max(g.y1 for g in gs))
            region.rows.append(
                RegionRow(
                    bbox=box,
                    latex=_rows_latex(gs, rows, bars),
                    text_complete=text_layer_complete(gs),
                    has_bars=_has_bars(gs, bars),
                )
            )
        if numbers:  # the number belongs to the row it is printed beside
            centre = (numbers[0].bbox[1] + numbers[0].bbox[3]) / 2
            nearest = min(region.rows, key=lambda r: abs((r.bbox[1] + r.bbox[3]) / 2 - centre))
            nearest.number = region.number
    return region


def _has_bars(glyphs: list[Glyph], bars: list[Bar]) -> bool:
    """A rule is drawn among these glyphs (a fraction bar or a radical's vinculum)."""
    return bool(bars_among(glyphs, bars))


def _rows_latex(
    group: list[Glyph], rows: list[tuple[float, float, list[Glyph]]], bars: list[Bar]
) -> str:
    """LaTeX of an equation row that may span several visual rows (a continuation line that
    could not be cut off): each visual row rebuilt on its own, joined by ``\\\\``, since one
    left-to-right pass over two lines would interleave their glyphs."""
    ids = {id(g) for g in group}
    parts = [gs for _, _, gs in rows if all(id(g) in ids for g in gs)]
    if sum(len(gs) for gs in parts) != len(group):
        return _latex(group, bars)
    return " \\\\ ".join(_latex(gs, bars) for gs in parts)


def _latex(glyphs: list[Glyph], bars: list[Bar]) -> str:
    """Text-layer LaTeX of some rows, with the fraction bars that lie among them."""
    return glyphs_to_latex(glyphs, bars_among(glyphs, bars))
