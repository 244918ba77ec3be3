"""The text layer of one PDF page as Markdown blocks: ingestion's paragraphs, its math in place.

The prose is what :func:`~scipix_search.ingest.pdf.parse_pdf` keeps (its passages' blocks:
running headers, footers and page numbers already left out), plus short bold or large lines
outside the margins, which are section headings (ingestion drops text under 20 characters).
Each line is rebuilt from its characters so that math goes where it is printed: characters
inside an inline equation's box become ``$latex$`` (once, in the line holding most of them:
the text layer puts scripts on lines of their own), and characters inside a display
equation's box are left out, as is its printed number; a paragraph is cut where a display
sits among its lines, so the equation is read between its two halves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pymupdf

from scipix_search.ingest._markdown import (
    FULL_LINE_SLACK,
    DisplayBlock,
    TextBlock,
    display_blocks,
)
from scipix_search.ingest._types import BBox, ParsedEquation, ParsedPassage
from scipix_search.ingest.pdf._glyphs import Drawings, median
from scipix_search.ingest.pdf._passages import _MARGIN, _PAGE_NUMBER

#: A heading's characters are bold, or at least this much larger than the body text.
HEADING_SIZE = 1.15
#: Longest heading (characters); a longer bold block is a paragraph.
HEADING_MAX_CHARS = 120
#: A box is found inside another when its centre is, with this slack (points).
SLACK = 1.0
#: A paragraph's first line is indented by this much (points: from a third to four ems).
INDENT = (4.0, 40.0)
_BOLD = 16  # PyMuPDF span flag
_NUMBER_ONLY = re.compile(r"^\(\s*[\w.\-]+\s*\)$")


@dataclass(slots=True)
class _Line:
    block: int
    bbox: BBox
    chars: list[tuple[str, BBox, float]]  # each character, its box and its baseline
    heading: bool
    text: str = ""
    owned: set[int] = field(default_factory=set)  # inline equations written in this line


def _centre(box: BBox) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _holds(box: BBox, point: tuple[float, float], slack: float = SLACK) -> bool:
    return (
        box[0] - slack <= point[0] <= box[2] + slack
        and box[1] - slack <= point[1] <= box[3] + slack
    )


def _raw_lines(page: pymupdf.Page, kept: list[BBox]) -> list[_Line]:
    """The page's lines with their characters, each tagged with its paragraph: an index into
    ``kept`` (ingestion's passages), else a block number of its own. Text in the margins that
    ingestion left out (running headers, footers, page numbers) stays out, as do the labels of
    figures."""
    raw = page.get_text("rawdict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE)
    blocks = [b for b in raw["blocks"] if b.get("type") == 0]
    sizes = [s["size"] for b in blocks for ln in b["lines"] for s in ln["spans"] if s["chars"]]
    body = median(sizes) if sizes else 10.0
    height = page.rect.height
    drawings = Drawings(page)
    out: list[_Line] = []
    for number, block in enumerate(blocks):
        lines = block["lines"]
        spans = [s for ln in lines for s in ln["spans"] if _span_text(s).strip()]
        text = " ".join(_span_text(s) for s in spans).strip()
        x0, y0, x1, y1 = block["bbox"]
        # short text ingestion leaves out: kept (headings, a paragraph's short last line)
        # unless in the margins or a figure's (axis labels, diagram nodes)
        dropped = (
            y1 <= height * _MARGIN
            or y0 >= height * (1 - _MARGIN)
            or bool(_PAGE_NUMBER.match(text))
            or drawings.is_figure((x0, y0, x1, y1))
        )
        heading = (
            bool(spans)
            and 2 <= len(text) <= HEADING_MAX_CHARS
            and len(lines) <= 2
            and any(c.isalpha() for c in text)
            and all(s["flags"] & _BOLD or s["size"] >= HEADING_SIZE * body for s in spans)
        )
        for line in lines:
            box = _box(line["bbox"])
            home = next((k for k, b in enumerate(kept) if _holds(b, _centre(box))), None)
            if home is None and dropped:
                continue
            chars = [
                (c["c"], _box(c["bbox"]), float(c["origin"][1]))
                for s in line["spans"]
                for c in s["chars"]
            ]
            owner = home if home is not None else len(kept) + number
            out.append(_Line(owner, box, chars, heading))
    return out


def _span_text(span: dict[str, Any]) -> str:
    return "".join(c["c"] for c in span["chars"])


def _box(values: Sequence[float]) -> BBox:
    return (float(values[0]), float(values[1]), float(values[2]), float(values[3]))


def _write_lines(lines: list[_Line], inline: list[ParsedEquation], displays: list[BBox]) -> None:
    """Each line's text: display characters out, inline equations in as ``$latex$``."""
    counts: dict[int, list[int]] = {}
    for n, line in enumerate(lines):
        for _, box, _ in line.chars:
            point = _centre(box)
            for k, eq in enumerate(inline):
                if eq.bbox is not None and _holds(eq.bbox, point, 0.0):
                    counts.setdefault(k, [0] * len(lines))[n] += 1
    for k, per_line in counts.items():
        lines[max(range(len(lines)), key=per_line.__getitem__)].owned.add(k)
    for line in lines:
        out: list[str] = []
        written: set[int] = set()
        for c, box, base in line.chars:
            point = _centre(box)
            if any(_in_display(box, base, d) for d in displays):
                continue
            hit = next(
                (k for k, eq in enumerate(inline) if eq.bbox and _holds(eq.bbox, point, 0.0)),
                None,
            )
            if hit is None:
                if out and out[-1].endswith("$") and c.isalnum():
                    out.append(" ")
                out.append(c)
            elif hit in line.owned and hit not in written:
                written.add(hit)
                if out and out[-1][-1:].isalnum():
                    out.append(" ")
                out.append(f"${' '.join(inline[hit].latex.split())}$")
        line.text = "".join(out).strip()


def _in_display(box: BBox, base: float, display: BBox) -> bool:
    """A character of the display: its middle across lies in the display's box, and its
    centre or its baseline lies in it. A display's box is its ink (``EquationRegion.bbox``),
    a character's box the font's ascent and descent (CMSY10's reaches 0.8 em under the
    baseline, CMEX's hangs from it), so a display's own glyph can have its centre outside
    the ink; its baseline is inside (``SLACK``), as a glyph stands on it (or, CMEX's, hangs
    from it), where the baseline of a prose line next to a display is outside its ink."""
    mid = (box[0] + box[2]) / 2
    return display[0] <= mid <= display[2] and (
        _holds(display, _centre(box), 0.0) or display[1] - SLACK <= base <= display[3] + SLACK
    )


def _is_display_number(line: _Line, displays: list[BBox]) -> bool:
    """A ``(3)`` left on a display's band once the display's own characters are out."""
    if not _NUMBER_ONLY.match(line.text):
        return False
    # its box meets the display's band: a display's box is its ink, the number's the font's
    # ascent and descent, and a number set level with a lower limit (``\min_A``) has its
    # centre under the display's ink
    return any(min(line.bbox[3], d[3] + SLACK) > max(line.bbox[1], d[1] - SLACK) for d in displays)


def _segments(lines: list[_Line], displays: list[BBox]) -> list[TextBlock]:
    """Lines of one paragraph as text blocks, cut where a display lies between two lines."""
    blocks: list[TextBlock] = []
    current: list[_Line] = []

    def flush() -> None:
        if current:
            bbox = (
                min(ln.bbox[0] for ln in current),
                min(ln.bbox[1] for ln in current),
                max(ln.bbox[2] for ln in current),
                max(ln.bbox[3] for ln in current),
            )
            texts = tuple(ln.text for ln in current)
            heading = all(ln.heading for ln in current)
            blocks.append(TextBlock(bbox, texts, heading, current[-1].bbox))
            current.clear()

    left = min(ln.bbox[0] for ln in lines)
    right = max(ln.bbox[2] for ln in lines)
    for line in lines:
        if current:
            above, below = _centre(current[-1].bbox)[1], _centre(line.bbox)[1]
            x0, x1 = min(ln.bbox[0] for ln in current), max(ln.bbox[2] for ln in current)
            if _new_paragraph(current[-1].bbox, line.bbox, left, right) or any(
                above < _centre(d)[1] < below and d[0] < x1 and d[2] > x0 for d in displays
            ):
                flush()
        current.append(line)
    flush()
    return blocks


def _new_paragraph(prev: BBox, line: BBox, left: float, right: float) -> bool:
    """``line`` opens a paragraph inside the same text block: it is indented, on the line
    below a line that starts at the block's left edge and stops short of its right edge.

    PyMuPDF keeps paragraphs set without a vertical gap in one block; a piece of a line (a
    script: the text layer puts it on a line of its own) neither starts at the left edge nor
    lies below the line before it.
    """
    indent = line[0] - left
    return (
        INDENT[0] <= indent <= INDENT[1]
        and prev[0] <= left + INDENT[0]
        and prev[2] < right - FULL_LINE_SLACK
        and line[1] >= (prev[1] + prev[3]) / 2
    )


def page_markdown_blocks(
    page: pymupdf.Page,
    passages: list[ParsedPassage],
    equations: list[ParsedEquation],
) -> tuple[list[TextBlock], list[DisplayBlock]]:
    """The prose and display blocks of one text-layer page (1-based ``page.number + 1``).

    Args:
        page: the PyMuPDF page.
        passages: the document's passages (as ``parse_pdf`` gives them); this page's are used.
        equations: the document's equations, display and inline, with pages and boxes.

    Returns:
        Text blocks (paragraphs, or their pieces around a display; headings marked) and the
        display blocks, unordered: :func:`~scipix_search.ingest.page_markdown` orders them.
    """
    number = page.number + 1
    kept: list[BBox] = []
    for p in passages:
        if p.page == number and p.bbox is not None and p.bbox not in kept:
            kept.append(p.bbox)
    on_page = [e for e in equations if e.page == number and e.bbox is not None]
    displays = display_blocks(e for e in on_page if e.display)
    display_boxes = [d.bbox for d in displays]
    inline = [e for e in on_page if not e.display and e.latex.strip()]
    lines = _raw_lines(page, kept)
    _write_lines(lines, inline, display_boxes)
    by_block: dict[int, list[_Line]] = {}
    for line in lines:
        if line.text and not _is_display_number(line, display_boxes):
            by_block.setdefault(line.block, []).append(line)
    texts = [seg for group in by_block.values() for seg in _segments(group, display_boxes)]
    return texts, displays
