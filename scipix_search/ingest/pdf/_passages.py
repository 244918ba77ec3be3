"""Prose passages from born-digital PDFs with PyMuPDF.

Passages are text blocks at paragraph level. Running headers, footers and page numbers are
dropped (text in the page margins that repeats across pages, or is only a number), and
end-of-line hyphenation is joined. Title, authors and the rest come from page 1's typography
(``_meta.py``).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

from scipix_search.exceptions import CorruptInputError, InputTooLargeError, ScipixError
from scipix_search.ingest._types import BBox, ParsedDocument, ParsedPage, ParsedPassage
from scipix_search.ingest.pdf._meta import read_pdf_meta
from scipix_search.ingest.pdf._prose import prose_flags
from scipix_search.ingest.pdf._textpage import text_page

if TYPE_CHECKING:
    import pymupdf

logger = logging.getLogger(__name__)

_MARGIN = 0.075  # share of the page height treated as header / footer band
_SAME_HEIGHT = 4.0  # points: a running line's top, rounded to this, is the same on every page
_RUNNING_MAX_CHARS = 160  # a head or foot is a line or two, never a paragraph
_MIN_PASSAGE_CHARS = 20
DISPLAY_COVER = 0.8
"""A text block this much of whose height lies beside display-equation regions that it meets is
the display's own text. On the real papers a display's block scores 1.0 (0.96-1.0 with its
number); blocks where MuPDF joined a display to the sentence that leads into it score 0.5-0.7
and keep their prose."""
_MAX_PASSAGE_CHARS = 1000
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")
_HYPHEN_BREAK = re.compile(r"(\w)[-\u00ad]\n(\w)")
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^\s*(page\s*)?[ivxlcdm\d]+(\s*(of|/)\s*\d+)?\s*$", re.I)
_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
)


def open_pdf(data: bytes, name: str, *, max_pages: int) -> pymupdf.Document:
    """Open PDF bytes with PyMuPDF, turning every kind of damage into a one-line reason.

    Raises:
        CorruptInputError: unreadable, truncated, encrypted or empty PDFs.
        InputTooLargeError: more pages than ``max_pages``.
    """
    import pymupdf

    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # PyMuPDF raises several types for damaged files
        raise CorruptInputError(f"{name}: not a readable PDF ({exc})") from exc
    try:
        _check_opened(doc, data, name, max_pages)
    except ScipixError:
        doc.close()
        raise
    except Exception as exc:  # MuPDF fails reading some damaged trees (ten million pages)
        doc.close()
        raise CorruptInputError(f"{name}: not a readable PDF ({exc})") from exc
    return doc


def _check_opened(doc: pymupdf.Document, data: bytes, name: str, max_pages: int) -> None:
    if doc.needs_pass:
        raise CorruptInputError(f"{name}: PDF is encrypted (password required)")
    if doc.page_count == 0:
        raise CorruptInputError(f"{name}: PDF has no pages")
    # MuPDF silently repairs broken files; a repaired file without an end marker was cut short.
    if doc.is_repaired and b"%%EOF" not in data[-2048:]:
        raise CorruptInputError(
            f"{name}: PDF is truncated (no %%EOF; cross-reference table broken)"
        )
    if doc.page_count > max_pages:
        raise InputTooLargeError(f"{name}: {doc.page_count} pages exceeds the limit of {max_pages}")


@dataclass(slots=True)
class _Block:
    page: int
    bbox: tuple[float, float, float, float]
    text: str
    in_margin: bool


def _clean(text: str) -> str:
    text = text.replace("\u00ad\n", "").translate(_LIGATURES)
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip()


def _page_text(
    page: pymupdf.Page, listed: pymupdf.DisplayList | None = None
) -> tuple[ParsedPage, list[_Block]]:
    """A page, and its text blocks in reading order (read from its display list ``listed``
    when given, see ``_textpage``).

    One text page serves both readings (the page's plain text, whether it has any, and its
    blocks): they use the same flags, and making a text page (interpreting the content
    stream) costs more than reading it.
    """
    import pymupdf

    textpage = text_page(page, pymupdf.TEXTFLAGS_BLOCKS, listed)
    has_text = bool(page.get_text("text", textpage=textpage).strip())
    height = page.rect.height or 1.0
    out: list[_Block] = []
    for x0, y0, x1, y1, text, _no, kind in page.get_text("blocks", sort=True, textpage=textpage):
        if kind != 0 or not text.strip():
            continue
        margin = y1 <= height * _MARGIN or y0 >= height * (1 - _MARGIN)
        out.append(_Block(page.number + 1, (x0, y0, x1, y1), text, margin))
    return ParsedPage(page.number + 1, page.rect.width, page.rect.height, has_text), out


def _merge_lines(blocks: list[_Block]) -> list[_Block]:
    """Join blocks that are lines of one paragraph (some PDFs make every line a block).

    A block continues the previous one when it sits right below it in the same column with no
    indent, and the previous line runs to the column's right edge (a paragraph's last line
    usually stops short).
    """
    out: list[_Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        lines = max(1, block.text.strip().count("\n") + 1)
        line_height = (block.bbox[3] - block.bbox[1]) / lines
        if (
            prev is not None
            and prev.page == block.page
            and not prev.in_margin
            and not block.in_margin
            and 0 <= block.bbox[1] - prev.bbox[3] <= max(3.0, 0.8 * line_height)
            and abs(block.bbox[0] - prev.bbox[0]) <= 3.0
            and prev.bbox[2] >= block.bbox[2] - 15.0
        ):
            bbox = (
                min(prev.bbox[0], block.bbox[0]),
                prev.bbox[1],
                max(prev.bbox[2], block.bbox[2]),
                block.bbox[3],
            )
            out[-1] = _Block(prev.page, bbox, prev.text.rstrip("\n") + "\n" + block.text, False)
        else:
            out.append(block)
    return out


def _chunks(text: str, limit: int = _MAX_PASSAGE_CHARS) -> list[str]:
    """Split long paragraphs at sentence ends: the encoder reads at most 256 tokens."""
    if len(text) <= limit:
        return [text]
    pieces, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        if current and len(current) + len(sentence) + 1 > limit:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


def _running_key(text: str) -> str:
    """What a head or foot keeps from page to page: its cleaned text, digits aside."""
    return _DIGITS.sub("#", text).lower()


def _running_lines(blocks: list[_Block], texts: list[str], page_count: int) -> set[str]:
    """Headers and footers: margin texts that repeat (digits ignored) on several pages, and
    short texts that repeat at the same height on as many pages and at least three.

    The second kind sits below the margin band: a book's wide top margin (18 % of the page
    down), a journal's head under a rule, a preprint's footer line above the page number. As
    passages they would be the "last passage of the previous page" that introduces an
    equation at the top of the next one (``search/_context.py``).
    """
    threshold = max(2, int(page_count * 0.3))
    keys = [_running_key(text) for text in texts]  # texts: the blocks' cleaned texts
    counts = Counter(key for b, key in zip(blocks, keys, strict=True) if b.in_margin)
    running = {key for key, n in counts.items() if n >= threshold}
    placed = Counter(
        (key, round(b.bbox[1] / _SAME_HEIGHT))
        for b, key in zip(blocks, keys, strict=True)
        if not b.in_margin and len(key) <= _RUNNING_MAX_CHARS
    )
    running |= {key for (key, _y), n in placed.items() if n >= max(3, threshold)}
    return running


def passages_outside(
    passages: list[ParsedPassage], boxes: dict[int, list[BBox]], *, cover: float = DISPLAY_COVER
) -> list[ParsedPassage]:
    """The passages that are not a display equation's own text, renumbered in reading order.

    The text layer gives a display its own block, which reads as a garbled line
    (``p2 = 2t(c1f(ρ2/ρ0) + e1) −(σ1 + sxx2)``): about a tenth of the real papers' passages
    and of their tokens. The equation itself is stored as LaTeX; as a passage it would only
    cost an embedding and answer text queries with noise. A block that is mostly prose
    around a display (less than ``cover`` of its height beside the regions) is kept whole.

    Args:
        passages: a document's passages in reading order.
        boxes: display-equation boxes (PDF points) by 1-based page number.
        cover: the share of a passage's height beside the page's boxes at which it is dropped.
    """
    kept: list[ParsedPassage] = []
    for passage in passages:
        page_boxes = boxes.get(passage.page or 0, [])
        if (
            passage.bbox is not None
            and page_boxes
            and (_covered_share(passage.bbox, page_boxes) >= cover)
        ):
            continue
        kept.append(replace(passage, order=len(kept)))
    return kept


def _covered_share(box: BBox, boxes: list[BBox]) -> float:
    """The share of ``box``'s height that lies beside ``boxes`` it meets horizontally.

    Height, not area: a display's block also holds its number at the column's edge, which
    the region leaves out (a one-row display with its number is 40-45 % region by area).
    """
    height = box[3] - box[1]
    if height <= 0:
        return 0.0
    spans = sorted(
        (max(box[1], other[1]), min(box[3], other[3]))
        for other in boxes
        if min(box[2], other[2]) > max(box[0], other[0])
    )
    covered, reach = 0.0, box[1]
    for top, bottom in spans:
        top = max(top, reach)
        if bottom > top:
            covered += bottom - top
            reach = bottom
    return covered / height


def parse_pdf(
    data: bytes,
    name: str,
    sha256: str,
    *,
    max_pages: int,
    doc: pymupdf.Document | None = None,
    lists: Sequence[pymupdf.DisplayList] | None = None,
) -> ParsedDocument:
    """Read pages and prose passages of a born-digital PDF.

    Args:
        data: the PDF bytes.
        name: the file name as ingested (for messages and the document's source).
        sha256: the content hash of ``data``.
        max_pages: refuse PDFs with more pages.
        doc: ``data`` opened already (``open_pdf``), by a caller that reads it further; it
            stays open.
        lists: ``doc``'s display lists (``display_lists``), which the caller's other
            readings share: each page's text is then made from its list.

    Returns:
        A ParsedDocument with pages and passages (equations are found by a later step).

    Raises:
        CorruptInputError: damaged, truncated, encrypted or empty PDFs.
    """
    own = doc is None
    if doc is None:
        doc = open_pdf(data, name, max_pages=max_pages)
    try:
        try:
            pages: list[ParsedPage] = []
            page_blocks: list[_Block] = []
            for number in range(doc.page_count):
                page, found = _page_text(doc[number], None if lists is None else lists[number])
                pages.append(page)
                page_blocks += found
            blocks = _merge_lines(page_blocks)
        except Exception as exc:
            raise CorruptInputError(f"{name}: cannot read the PDF's pages ({exc})") from exc
        texts = [_clean(block.text) for block in blocks]
        running = _running_lines(blocks, texts, len(pages))
        passages: list[ParsedPassage] = []
        for block, text, kind in zip(blocks, texts, prose_flags(texts), strict=True):
            if kind != "prose":  # bibliography and figure text answer no topic query
                continue
            if _running_key(text) in running or (block.in_margin and _PAGE_NUMBER.match(text)):
                continue
            if len(text) < _MIN_PASSAGE_CHARS or _PAGE_NUMBER.match(text):
                continue
            for piece in _chunks(text):
                passages.append(ParsedPassage(piece, block.page, block.bbox, len(passages)))
        meta = read_pdf_meta(doc)
    finally:
        if own:
            doc.close()
    logger.debug("%s: %d pages, %d passages", name, len(pages), len(passages))
    return ParsedDocument(
        source=name,
        sha256=sha256,
        kind="pdf",
        pages=pages,
        passages=passages,
        **asdict(meta),
    )
