"""Equation regions found on PDF pages, before (or without) OCR."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scipix_search.ingest._types import BBox, EquationOrigin, ParsedEquation
from scipix_search.ingest.pdf._correct import MIN_AGREEMENT, agreement, correct
from scipix_search.ingest.pdf._holes import fill_holes, has_holes, mend_pieces

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class RegionRow:
    """One equation row of a multi-row region (a row of align, eqnarray, split, gather).

    Attributes:
        bbox: x0, y0, x1, y1 of the row's ink in PDF points (``_glyphs.ink_box``).
        layout: the box of the row's glyphs as the text layer sets them (a font's ascent
            and descent): the crop the formula OCR reads.
        latex: text-layer LaTeX of the row.
        number: the equation number printed beside this row, or None.
        image: the row's crop as PNG bytes (at the region's ``dpi``), or None.
        text_complete: the text-layer LaTeX is trusted as it is (see ``text_layer_complete``).
        has_bars: a horizontal rule (fraction bar) is drawn among the row's glyphs.
        codes_only: some glyphs' text is a bitmap font's code, not its character
            (``_fonts.anonymous_bitmap_fonts``): the OCR is not checked against the text.
    """

    bbox: BBox
    latex: str = ""
    number: str | None = None
    image: bytes | None = None
    text_complete: bool = False
    has_bars: bool = True
    codes_only: bool = False
    layout: BBox | None = None


@dataclass(slots=True)
class EquationRegion:
    """A display (or inline) formula located on a PDF page.

    Attributes:
        page: 1-based page number.
        bbox: x0, y0, x1, y1 in PDF points, top-left origin (the equation number excluded):
            the box of the region's ink, its glyphs as drawn and the rules among them
            (``_glyphs.ink_box``): what a page highlights and a scan's detector is held to.
        layout: the box of the region's text lines (a font's ascent and descent, up to
            10 pt past the ink): what the text layer's own blocks are compared with
            (``passages_outside``) and the crop the formula OCR reads; ``bbox`` where unset.
        display: True for a display equation, False for inline math inside a prose line.
        number: the printed equation number without parentheses (``"3"``, ``"2.1"``), or None.
        text: the text-layer glyphs, row by row (rows joined by newlines).
        latex: best-effort LaTeX rebuilt from the glyphs (rows joined by ``\\\\``).
        row_latex: the same LaTeX, one entry per visual row.
        image: the crop rendered at ``dpi`` as PNG bytes (None when rendering was not asked).
        dpi: the resolution of ``image``.
        math_score: share of the region's glyphs that are math (fonts or symbols), 0..1.
        rows: the equation rows when the region prints several equations one under the
            other (each becomes its own equation); empty for a one-row region.
        text_complete: every glyph maps to LaTeX and the layout is one the glyph rebuild
            handles, so the text-layer LaTeX is trusted as it is (no OCR needed).
        has_bars: a horizontal rule (fraction bar) is drawn among the region's glyphs.
        codes_only: as for :class:`RegionRow`.
    """

    page: int
    bbox: BBox
    display: bool
    number: str | None = None
    text: str = ""
    latex: str = ""
    row_latex: list[str] = field(default_factory=list)
    image: bytes | None = None
    dpi: int = 0
    math_score: float = 0.0
    rows: list[RegionRow] = field(default_factory=list)
    text_complete: bool = False
    has_bars: bool = True
    codes_only: bool = False
    layout: BBox | None = None

    def to_pil(self) -> Any:
        """The crop as a ``PIL.Image`` (RGB); raises ValueError when there is no image."""
        if self.image is None:
            raise ValueError("region has no rendered image")
        import io

        from PIL import Image

        return Image.open(io.BytesIO(self.image)).convert("RGB")


Recognizer = Callable[[Any], Any]
"""Anything called with a PIL image returning an object with ``latex`` and ``confidence``
(like ``scipix_search.ocr.LatexRecognizer``), or a plain LaTeX string. A recognizer with a
``batch(images, same_document=True, settled=..., moot=...)`` method gets all crops of the
document in one call (``settled`` tells it which first reads the text layer confirms, ``moot``
which sets of reads it would keep none of)."""

MIN_CONFIDENCE = 0.3
"""OCR results below this confidence keep the text-layer LaTeX."""

SETTLED = 0.3
"""A crop's first OCR read whose symbols the text layer prints at least this often (as
``agreement`` counts them, after ``correct``) is kept without the recognizer's scale vote; one
that invents most of its symbols is read again at neighbouring scales. On the real papers
(``benchmarks/pdf_equations.py --ocr``) 0.3 kept latex@0.8 where voting every doubtful crop had
it (88.3 vs 88.2 %) at a third of the OCR time; settling every read lost 0.3 point on one half,
settling only reads above ``MIN_AGREEMENT`` (0.6) lost 0.3 overall."""


def regions_to_equations(
    regions: list[EquationRegion],
    recognizer: Recognizer | None = None,
    *,
    min_confidence: float = MIN_CONFIDENCE,
) -> list[ParsedEquation]:
    """Turn regions into equations: OCR LaTeX where a recognizer is given, else the text layer.

    A region or row whose text layer is complete (every glyph mapped, a layout the glyph
    rebuild handles) keeps its text-layer LaTeX and is not read by OCR; OCR LaTeX is
    corrected with the text layer (bold letters, confusable symbols, fractions without a
    drawn bar; see ``_pdf_choose.correct``), and dropped for the text layer when fewer than
    ``MIN_AGREEMENT`` of its symbols are printed on the page.
    A region with equation rows (align, eqnarray, ...) gives one equation per row, each read
    from its own crop (the formula OCR reads one line at a time), and one equation for the
    whole display with the rows joined by ``\\\\`` (the LaTeX source keeps some multi-row
    displays whole: split, multline, arrays). Crops of one document are read in one batch.

    Args:
        regions: regions from :func:`find_equation_regions`, in reading order.
        recognizer: optional OCR callable; when it fails or is unsure (confidence below
            ``min_confidence``) the text-layer LaTeX is kept (logged), so one bad crop never
            loses the document.
        min_confidence: least OCR confidence to use its LaTeX.

    Returns:
        ``ParsedEquation`` per region and per row, with ``origin="ocr"`` (recognised) or
        ``"pdf"``.
    """
    units: list[tuple[EquationRegion, RegionRow | None]] = []
    for region in regions:
        units.append((region, None))
        units.extend((region, row) for row in region.rows)
    read = _recognize(units, recognizer, min_confidence)
    out: list[ParsedEquation] = []
    for i, (region, row) in enumerate(units):
        if row is None and region.rows:  # the whole display: its rows, as read
            parts = [read[j] for j, (r, w) in enumerate(units) if r is region and w is not None]
            latex = " \\\\ ".join(p[0] for p in parts if p[0])
            origin: EquationOrigin = "ocr" if any(p[1] == "ocr" for p in parts) else "pdf"
            confs = [p[2] for p in parts if p[2] is not None]
            confidence = min(confs) if confs else None
        else:
            latex, origin, confidence = read[i]
        target = row or region
        out.append(
            ParsedEquation(
                latex=latex,
                page=region.page,
                bbox=target.bbox,
                display=region.display,
                origin=origin,
                order=len(out),
                number=target.number,
                confidence=confidence,
            )
        )
    return out


def _recognize(
    units: list[tuple[EquationRegion, RegionRow | None]],
    recognizer: Recognizer | None,
    min_confidence: float,
) -> list[tuple[str, EquationOrigin, float | None]]:
    """(latex, origin, confidence) per unit; the whole of a multi-row region is not read."""
    read: list[tuple[str, EquationOrigin, float | None]] = [
        ((row or region).latex, "pdf", None) for region, row in units
    ]
    if recognizer is None:
        return read
    todo: list[int] = []  # the units OCR reads, and their crops
    crops: list[bytes] = []
    for i, (region, row) in enumerate(units):
        crop = row.image if row is not None else region.image
        if crop is None or (row is None and region.rows):
            continue
        if (row or region).text_complete:
            continue  # the glyphs alone are exact: no OCR
        todo.append(i)
        crops.append(crop)
    if not todo:
        return read
    images = [_pil(crop) for crop in crops]
    batch = getattr(recognizer, "batch", None)
    checked = [units[i][1] or units[i][0] for i in todo]

    def settled(k: int, latex: str) -> bool:
        """A first read the text layer confirms needs no scale vote (see ``SETTLED``)."""
        unit = checked[k]
        if unit.codes_only:  # nothing to check it with
            return False
        fixed = correct(latex, unit.latex, bars=unit.has_bars)
        return agreement(fixed, unit.latex) >= SETTLED

    def moot(k: int, reads: list[str]) -> bool:
        """Whether every read of a split vote invents too many symbols to be kept (as the
        loop below judges a result): then which one the vote elects changes nothing."""
        unit = checked[k]
        if unit.codes_only:  # a read of codes is kept unchecked
            return False
        return all(
            agreement(correct(latex, unit.latex, bars=unit.has_bars), unit.latex) < MIN_AGREEMENT
            for latex in reads
        )

    try:
        if batch is not None:
            # crops of one document share a font size: the recognizer scales them together
            results = list(batch(images, same_document=True, settled=settled, moot=moot))
        else:
            results = []
            for i, image in zip(todo, images, strict=True):
                try:
                    results.append(recognizer(image))
                except Exception as exc:  # noqa: BLE001 - OCR may fail on one crop; keep the rest
                    region = units[i][0]
                    logger.warning(
                        "OCR failed on page %d region %s: %s", region.page, region.bbox, exc
                    )
                    results.append(None)
    except Exception as exc:  # noqa: BLE001 - a failed batch keeps the text layer
        logger.warning("OCR of %d equation crops failed: %s", len(images), exc)
        return read
    for i, result in zip(todo, results, strict=True):
        if result is None:
            continue
        text = result if isinstance(result, str) else getattr(result, "latex", "")
        confidence = None if isinstance(result, str) else getattr(result, "confidence", None)
        if text and (confidence is None or confidence >= min_confidence):
            # the text layer knows the printed symbols and fonts that OCR guesses
            unit = units[i][1] or units[i][0]
            if unit.codes_only:  # the text layer's symbols are codes: nothing to check with
                read[i] = (text, "ocr", confidence)
                continue
            glyphs = read[i][0]
            fixed = correct(text, glyphs, bars=unit.has_bars)
            if agreement(fixed, glyphs) < MIN_AGREEMENT:
                continue  # OCR invents symbols the page does not print: keep the glyphs
            if has_holes(glyphs):
                # the glyph reading is exact but for the glyphs it could not name: the OCR
                # fills those, and replaces it whole only where a hole hides a structure;
                # the pieces of a tall delimiter name it, and hide no structure
                glyphs = mend_pieces(glyphs)
                filled = fill_holes(glyphs, fixed)
                fixed = fixed if filled is None else filled
            read[i] = (fixed, "ocr", confidence)
    return read


def _pil(data: bytes) -> Any:
    import io

    from PIL import Image

    return Image.open(io.BytesIO(data)).convert("RGB")
