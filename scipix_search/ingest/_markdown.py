"""A parsed page as Markdown: prose in column reading order, ``$...$`` and ``$$...$$`` math.

Pure layout on boxes and strings, shared by both sources of a page: the text layer of a
born-digital PDF (``ingest.pdf``: its paragraphs, cut where a display equation sits among
their lines) and OCR of a page image (lines grouped here into paragraphs). Display equations
are the ``ParsedEquation`` rows ingestion stores: a multi-row display is written one ``$$``
line per row, the rows of one display on consecutive lines (no blank line between them), each
with its printed number as ``\\tag{n}``; :func:`markdown_displays` reads them back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scipix_search.ingest._types import BBox, ParsedEquation

#: Points (or pixels) a column's boxes may cross the middle of the page.
GUTTER = 10.0
#: Least share of a page's boxes in each half for the page to be read as two columns.
MIN_COLUMN_SHARE = 0.2
#: Boxes at least this share of the page wide count in telling one column from two.
MIN_LINE_WIDTH = 0.2
#: A box overlapping this share of each column's width spans both (a title, a wide figure).
SPAN_OVERLAP = 0.25
#: OCR lines further apart than this many line heights start a new paragraph.
PARAGRAPH_GAP = 0.9
#: Text blocks closer than this many line heights may be lines of one paragraph.
CONTINUATION_GAP = 1.5
#: Points a line may stop short of its column's right edge and still be full.
FULL_LINE_SLACK = 6.0

_HYPHEN_BREAK = re.compile(r"(\w)[-\u00ad]\n(\w)")
_NUMBER = re.compile(r"^\(\s*([\w.\-]{1,8})\s*\)$")
_TAG = re.compile(r"\s*\\tag\{[^{}]*\}\s*$")
_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
)


@dataclass(frozen=True, slots=True)
class TextBlock:
    """A paragraph (or a piece of one) on a page: its lines, with inline math as ``$...$``."""

    bbox: BBox
    lines: tuple[str, ...]
    heading: bool = False
    last: BBox | None = None  # the last line's box: a full last line may go on in the next


@dataclass(frozen=True, slots=True)
class DisplayBlock:
    """One display equation: its rows' LaTeX and printed numbers (None: unnumbered)."""

    bbox: BBox
    rows: tuple[str, ...]
    numbers: tuple[str | None, ...]


def _centre_inside(inner: BBox, outer: BBox) -> bool:
    # a row's box may reach past its display's (a tall delimiter): its centre does not
    x, y = (inner[0] + inner[2]) / 2, (inner[1] + inner[3]) / 2
    return outer[0] <= x <= outer[2] and outer[1] <= y <= outer[3]


def display_blocks(equations: Iterable[ParsedEquation]) -> list[DisplayBlock]:
    """The display equations of one page as blocks, a multi-row display with its rows.

    Ingestion stores a multi-row display as the whole (rows joined by ``\\\\``) followed by
    each row, its centre inside the whole's box; the Markdown writes the rows (their own
    numbers) and drops the whole, so no row is printed twice.
    """
    groups: list[tuple[BBox, ParsedEquation, list[ParsedEquation]]] = []
    for eq in equations:
        if not eq.display or eq.bbox is None:
            continue
        if groups and _centre_inside(eq.bbox, groups[-1][0]):
            groups[-1][2].append(eq)
        else:
            groups.append((eq.bbox, eq, []))
    blocks = []
    for bbox, head, rows in groups:
        parts = [r for r in rows if r.latex.strip()] or [head]
        if not any(p.latex.strip() for p in parts):
            continue
        blocks.append(
            DisplayBlock(
                bbox,
                tuple(" ".join(p.latex.split()) for p in parts),
                tuple(p.number for p in parts),
            )
        )
    return blocks


def _columns(boxes: Sequence[BBox], width: float) -> list[int] | None:
    """Column of each box (0 left, 1 right, 2 across both), or None for a one-column page."""
    mid = width / 2
    left = [b[2] < mid + GUTTER for b in boxes]
    right = [b[0] > mid - GUTTER and not lf for b, lf in zip(boxes, left, strict=True)]
    # Only lines or paragraphs of some width say how the page is set: the pieces of a
    # formula, numbers and short last lines sit in one half on a one-column page too.
    wide = [b[2] - b[0] >= MIN_LINE_WIDTH * width for b in boxes]
    n_left = sum(w and lf for w, lf in zip(wide, left, strict=True))
    n_right = sum(w and rt for w, rt in zip(wide, right, strict=True))
    n_across = sum(wide) - n_left - n_right
    if min(n_left, n_right) < MIN_COLUMN_SHARE * sum(wide) or n_across >= n_left + n_right:
        return None
    extents = []
    for side in (left, right):
        chosen = [b for b, s in zip(boxes, side, strict=True) if s]
        extents.append((min(b[0] for b in chosen), max(b[2] for b in chosen)))
    columns = []
    for box, lf, rt in zip(boxes, left, right, strict=True):
        if lf or rt:
            columns.append(0 if lf else 1)
            continue
        shares = [(min(box[2], hi) - max(box[0], lo)) / max(hi - lo, 1.0) for lo, hi in extents]
        if min(shares) >= SPAN_OVERLAP:
            columns.append(2)
        else:
            columns.append(0 if (box[0] + box[2]) / 2 < mid else 1)
    return columns


def reading_order(boxes: Sequence[BBox], width: float) -> list[tuple[int, int]]:
    """Boxes of one page in reading order, as ``(index, section)`` pairs.

    On a two-column page (enough boxes in each half), the page is cut into bands by the boxes
    that span both columns (a title, an abstract, a wide figure or equation); within a band
    the left column is read top to bottom, then the right one. ``section`` numbers each
    column of each band in reading order (a paragraph never runs across two of them). A
    one-column page is read top to bottom, in one section.
    """
    by_top = sorted(range(len(boxes)), key=lambda i: (boxes[i][1], boxes[i][0]))
    columns = _columns(boxes, width)
    if columns is None:
        return [(i, 0) for i in by_top]
    out: list[tuple[int, int]] = []
    band: list[list[int]] = [[], []]
    section = 0

    def flush() -> None:
        nonlocal section
        for column in band:
            if column:
                out.extend((i, section) for i in column)
                section += 1
            column.clear()

    for i in by_top:
        if columns[i] == 2:
            flush()
            out.append((i, section))
            section += 1
        else:
            band[columns[i]].append(i)
    flush()
    return out


def _cut_across_gutter(lines: Sequence[tuple[BBox, str]], width: float) -> list[tuple[BBox, str]]:
    """OCR lines, a line run across the gap between two columns cut in two at the gap.

    The text detector sometimes joins the lines of both columns that sit at one height into
    one box. Such a line runs past both column edges, one column goes on above and below it
    and the other has a line beside it (a title or a caption across both columns has text on
    one side only); its words are shared by width (the OCR gives no word boxes here).
    """
    boxes = [b for b, _ in lines]
    columns = _columns(boxes, width)
    if columns is None:
        return list(lines)
    # the column edges most lines keep (one line may overrun its column)
    left_edge = _median([b[2] for b, c in zip(boxes, columns, strict=True) if c == 0])
    right_edge = _median([b[0] for b, c in zip(boxes, columns, strict=True) if c == 1])
    out: list[tuple[BBox, str]] = []
    for box, text in lines:
        reach = CONTINUATION_GAP * (box[3] - box[1])
        beside = {
            (c, b[1] < box[1])
            for b, c in zip(boxes, columns, strict=True)
            if c != 2 and abs(b[1] - box[1]) <= 1.5 * reach
        }
        across = box[0] < left_edge - GUTTER and box[2] > right_edge + GUTTER
        flanked = {(0, True), (0, False)} <= beside or {(1, True), (1, False)} <= beside
        if not (across and flanked and {0, 1} <= {c for c, _ in beside}):
            out.append((box, text))
            continue
        share = (left_edge - box[0]) / max(box[2] - box[0], 1.0)
        cut = round(share * len(text))
        spaces = [i for i, ch in enumerate(text) if ch == " "]
        cut = min(spaces, key=lambda i: abs(i - cut)) if spaces else cut
        out.append(((box[0], box[1], left_edge, box[3]), text[:cut].strip()))
        out.append(((right_edge, box[1], box[2], box[3]), text[cut:].strip()))
    return out


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def ocr_blocks(lines: Sequence[tuple[BBox, str]], width: float) -> list[TextBlock]:
    """OCR text lines of one page as paragraphs: read by column, split at vertical gaps."""
    lines = _cut_across_gutter(lines, width)
    blocks: list[TextBlock] = []
    group: list[tuple[BBox, str]] = []
    last_section = -1

    def flush() -> None:
        if group:
            bbox = (
                min(b[0] for b, _ in group),
                min(b[1] for b, _ in group),
                max(b[2] for b, _ in group),
                max(b[3] for b, _ in group),
            )
            blocks.append(TextBlock(bbox, tuple(t for _, t in group)))
            group.clear()

    for i, section in reading_order([b for b, _ in lines], width):
        box, text = lines[i]
        if not text.strip():
            continue
        if group:
            prev = group[-1][0]
            height = max(prev[3] - prev[1], 1.0)
            if section != last_section or box[1] - prev[3] > PARAGRAPH_GAP * height:
                flush()
        group.append((box, text))
        last_section = section
    flush()
    return blocks


def paragraph_text(lines: Iterable[str]) -> str:
    """Lines of a paragraph as one line of text: hyphenation at line ends joined, as ingestion
    joins it, ligatures spelled out, white space collapsed."""
    text = "\n".join(line.strip() for line in lines).translate(_LIGATURES)
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    return " ".join(text.split())


def display_markdown(block: DisplayBlock) -> str:
    """``$$ latex \\tag{n} $$`` per row, the rows on consecutive lines."""
    return "\n".join(
        f"$$ {latex} \\tag{{{number}}} $$" if number else f"$$ {latex} $$"
        for latex, number in zip(block.rows, block.numbers, strict=True)
    )


def _continues(prev: TextBlock, block: TextBlock, left: float, right: float) -> bool:
    """``block`` is the next line of ``prev``'s paragraph: ``prev`` ends in a full line,
    ``block`` starts at the column's left edge (not indented), one line pitch below.

    Some PDFs (double-spaced drafts) make every line a block of its own, further apart than
    ingestion's paragraph rule joins; a paragraph of the Markdown is still one paragraph.
    """
    if prev.heading or block.heading or prev.last is None:
        return False
    line_height = (block.bbox[3] - block.bbox[1]) / max(1, len(block.lines))
    return (
        prev.last[2] >= right - FULL_LINE_SLACK
        and block.bbox[0] <= left + GUTTER / 5
        and 0 <= block.bbox[1] - prev.bbox[3] <= CONTINUATION_GAP * line_height
    )


def _numbers_to_displays(
    texts: Sequence[TextBlock], displays: Sequence[DisplayBlock]
) -> tuple[list[TextBlock], list[DisplayBlock]]:
    """A ``(3)`` on a display's band (the OCR reads it as a line of text beside the detected
    equation) becomes that display's number when it has none, and leaves the prose."""
    kept, out = [], list(displays)
    for block in texts:
        match = _NUMBER.match(" ".join(block.lines).strip()) if len(block.lines) == 1 else None
        centre = (block.bbox[1] + block.bbox[3]) / 2
        near = [i for i, d in enumerate(out) if match and d.bbox[1] <= centre <= d.bbox[3]]
        if not near or match is None:
            kept.append(block)
            continue
        display = out[near[0]]
        if len(display.rows) == 1 and display.numbers[0] is None:
            out[near[0]] = DisplayBlock(display.bbox, display.rows, (match.group(1),))
    return kept, out


def page_markdown(
    texts: Sequence[TextBlock], displays: Sequence[DisplayBlock], width: float
) -> str:
    """One page's blocks in reading order, paragraphs separated by blank lines."""
    texts, displays = _numbers_to_displays(texts, displays)
    items: list[TextBlock | DisplayBlock] = [*texts, *displays]
    order = reading_order([item.bbox for item in items], width)
    edges: dict[int, tuple[float, float]] = {}
    for i, section in order:
        box = items[i].bbox
        lo, hi = edges.get(section, (box[0], box[2]))
        edges[section] = (min(lo, box[0]), max(hi, box[2]))
    parts: list[str] = []
    paragraph: list[str] = []
    prev: TextBlock | None = None
    prev_section = -1

    def flush() -> None:
        text = paragraph_text(paragraph)
        if text:
            parts.append(f"## {text}" if prev is not None and prev.heading else text)
        paragraph.clear()

    for i, section in order:
        item = items[i]
        if isinstance(item, DisplayBlock):
            flush()
            parts.append(display_markdown(item))
            prev = None
            continue
        if prev is None or section != prev_section or not _continues(prev, item, *edges[section]):
            flush()
        paragraph.extend(item.lines)
        prev, prev_section = item, section
    flush()
    return "\n\n".join(parts)


def page_separator(number: int) -> str:
    """The comment that opens each page's Markdown (invisible when rendered)."""
    return f"<!-- page {number} -->"


def document_markdown(pages: Iterable[tuple[int, str]]) -> str:
    """Pages' Markdown, each opened by :func:`page_separator`, ending in one newline."""
    chunks = [f"{page_separator(n)}\n\n{md}".rstrip() for n, md in pages]
    return "\n\n".join(chunks) + "\n"


def markdown_displays(markdown: str) -> list[list[str]]:
    """The display equations of Markdown this module wrote: each as its rows' LaTeX, without
    their ``\\tag``; ``$$`` lines with no blank line between them are rows of one display."""
    displays: list[list[str]] = []
    previous_was_display = False
    for line in markdown.splitlines():
        stripped = line.strip()
        is_display = stripped.startswith("$$") and stripped.endswith("$$") and len(stripped) > 4
        if is_display:
            latex = _TAG.sub("", stripped[2:-2].strip()).strip()
            if previous_was_display:
                displays[-1].append(latex)
            else:
                displays.append([latex])
        previous_was_display = is_display
    return displays
