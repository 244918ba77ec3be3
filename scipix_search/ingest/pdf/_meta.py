"""A paper's title, authors, year, abstract, arXiv id and DOI from its first page.

The typography says it: the title is the largest (then boldest) text near the top of page 1,
the authors are the name-like lines set in one font below it, the abstract follows an
``Abstract`` heading, and arXiv prints its identifier and date sideways in the left margin.
The PDF's own metadata is used only where page 1 prints it: templates leave their defaults
there ("A template for the arxiv style"), and a title that is not on the page is not this
paper's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scipix_search.ingest._meta import (
    PaperMeta,
    clean_text,
    find_arxiv_id,
    find_doi,
    find_year,
    is_anonymous,
    split_names,
    surname_key,
    title_key,
    year_of_arxiv_id,
)

if TYPE_CHECKING:
    import pymupdf

_BOLD, _ITALIC = 16, 2
_SUPERSCRIPT = 0.8  # a span this much smaller than its line is a marker (affiliation, footnote)
_TITLE_REGION = 0.6  # share of page 1 (from the top) where a title can start
_LABEL = re.compile(
    r"^(chapter|part|article|research article|original (article|paper)|letter|review|"
    r"preprint|technical report|supplementary material)\b\W*[\w.]{0,6}$",
    re.I,
)
_ABSTRACT = re.compile(r"^\s*(abstract|summary)\b\s*[.:—–-]?\s*", re.I)
_STOP = re.compile(
    r"^\s*((\d+|[IVX]+)\.?\s+[A-Z][A-Za-z]|key\s*words|index terms|ccs concepts|contents\b|"
    r"introduction\b|ams subject|msc|(\w+ )?subject classification|pacs\b|jel\b)",
    re.I,
)
_MARKER_TAIL = re.compile(r"[\s∗*†‡§¶⋆,\d]+$")
_MAX_ABSTRACT_CHARS = 3000


@dataclass(slots=True)
class _Line:
    text: str  # every span
    names_text: str  # superscript spans replaced by a comma (affiliation marks split names)
    size: float
    bold: bool
    italic: bool
    bbox: tuple[float, float, float, float]


def _page_lines(page: pymupdf.Page) -> tuple[list[_Line], list[str]]:
    """Horizontal lines of a page in stream order, and the text of its sideways lines."""
    lines: list[_Line] = []
    sideways: list[str] = []
    for block in page.get_text("dict").get("blocks", []):
        for line in block.get("lines", []):
            spans = [s for s in line.get("spans", []) if s["text"].strip()]
            if not spans:
                continue
            text = "".join(s["text"] for s in line["spans"])
            if abs(line["dir"][0] - 1.0) > 0.01:
                sideways.append(text)
                continue
            chars = Counter[float]()
            for s in spans:
                chars[round(s["size"], 1)] += len(s["text"].strip())
            size = chars.most_common(1)[0][0]
            main = [s for s in spans if s["size"] >= size * _SUPERSCRIPT]
            names_text = "".join(
                s["text"] if s["size"] >= size * _SUPERSCRIPT else ", " for s in line["spans"]
            )
            lines.append(
                _Line(
                    text=clean_text(text),
                    names_text=names_text,
                    size=size,
                    bold=_share(main, lambda s: bool(s["flags"] & _BOLD or "Bold" in s["font"])),
                    italic=_share(main, lambda s: bool(s["flags"] & _ITALIC)),
                    bbox=tuple(line["bbox"]),
                )
            )
    return lines, sideways


def _share(spans: list[dict[str, Any]], test: Callable[[dict[str, Any]], bool]) -> bool:
    """Whether most characters of the spans pass ``test`` (a formula in a bold title is not)."""
    total = sum(len(s["text"].strip()) for s in spans)
    return 2 * sum(len(s["text"].strip()) for s in spans if test(s)) >= total


def _body_size(lines: list[_Line]) -> float:
    """The size most characters of the page are set in."""
    chars = Counter[float]()
    for line in lines:
        chars[round(line.size)] += len(line.text)
    return float(chars.most_common(1)[0][0]) if chars else 10.0


def _title_lines(lines: list[_Line], height: float) -> list[_Line]:
    """The largest (then boldest) text starting in the top of the page, with the lines in its
    size right below it (a title set over several lines)."""
    candidates = [
        ln
        for ln in lines
        if ln.bbox[1] < height * _TITLE_REGION
        and sum(c.isalpha() for c in ln.text) >= 3
        and not _LABEL.match(ln.text)
    ]
    if not candidates:
        return []
    top = max(candidates, key=lambda ln: (round(ln.size, 1), ln.bold, -ln.bbox[1]))
    if top.size <= _body_size(lines) + 0.5 and not top.bold:
        return []  # nothing set larger than the text: no typographic title
    same = sorted(
        (ln for ln in candidates if abs(ln.size - top.size) <= 0.6 and ln.bold == top.bold),
        key=lambda ln: (round(ln.bbox[1]), ln.bbox[0]),
    )
    start = same.index(top) if top in same else 0
    while start > 0 and same[start].bbox[1] - same[start - 1].bbox[3] <= top.size * 1.2:
        start -= 1
    block = [same[start]]
    for ln in same[start + 1 :]:
        if ln.bbox[1] - block[-1].bbox[3] > top.size * 1.2:
            break
        block.append(ln)
    return block


def _join(lines: list[_Line]) -> str:
    text = ""
    for ln in lines:
        part = ln.text.strip()
        if text.endswith("-"):
            text += part
        else:
            text = f"{text} {part}".strip()
    return _MARKER_TAIL.sub("", text).strip() if text else text


def _authors(lines: list[_Line], after: float, limit: float, body: float) -> list[str]:
    """Names in the lines below the title, all set in the font of the first name line."""
    names: list[str] = []
    font: tuple[float, bool] | None = None
    for ln in lines:
        if ln.bbox[1] < after or ln.bbox[1] > limit:
            continue
        if _ABSTRACT.match(ln.text) or _STOP.match(ln.text):
            break
        found = [] if ln.italic else split_names(ln.names_text)
        if not found and len(ln.text.split()) >= 14 and ln.size <= body + 0.3:
            break  # running text: the front matter is over
        if font is not None and (abs(ln.size - font[0]) > 0.3 or ln.bold != font[1]):
            continue
        if is_anonymous(ln.text) and not names:
            return []
        if found and font is None:
            font = (ln.size, ln.bold)
        names.extend(n for n in found if n not in names)
    return names


def _abstract(lines: list[_Line]) -> str | None:
    """The text after an ``Abstract`` heading, up to the next heading or a wide gap."""
    for i, ln in enumerate(lines):
        m = _ABSTRACT.match(ln.text)
        if not m:
            continue
        parts = [ln.text[m.end() :]] if ln.text[m.end() :].strip() else []
        prev = ln
        size = None
        for nxt in lines[i + 1 :]:
            if size is None:
                size = nxt.size
            if nxt.size < size * 0.7:
                continue  # line numbers of a review copy
            if abs(nxt.size - size) > size * 0.05:
                break  # a footnote or the body text after the abstract
            gap = nxt.bbox[1] - prev.bbox[3]
            if _STOP.match(nxt.text) or gap > 2.5 * max(nxt.size, 1.0) or gap < -40:
                break
            parts.append(nxt.text)
            prev = nxt
            if sum(len(p) for p in parts) > _MAX_ABSTRACT_CHARS:
                break
        text = _join([_Line(p, p, 0, False, False, (0, 0, 0, 0)) for p in parts])
        return text[:_MAX_ABSTRACT_CHARS] or None
    return None


def _printed(candidate: str, page_text: str) -> bool:
    """Whether page 1 prints ``candidate`` (bare numbers ignored: review copies number lines)."""

    def words(text: str) -> str:
        return " ".join(w for w in title_key(text).split() if not w.isdigit())

    key = words(candidate)
    return len(key) >= 8 and key in words(page_text)


def read_pdf_meta(doc: pymupdf.Document) -> PaperMeta:
    """Title, authors, year, abstract, arXiv id and DOI from page 1 (and the metadata where
    page 1 prints it).

    Args:
        doc: an open PDF with at least one page.

    Returns:
        The fields found; a missing one is None (or an empty author list).
    """
    page = doc[0]
    height = page.rect.height or 792.0
    lines, sideways = _page_lines(page)
    page_text = " ".join(ln.text for ln in lines)
    meta = doc.metadata or {}
    out = PaperMeta()
    title_lines = _title_lines(lines, height)
    printed_title = _join(title_lines) if title_lines else None
    meta_title = clean_text(meta.get("title") or "")
    # The metadata title is exact text (no line breaks or hyphens to guess), so it wins
    # where page 1 prints it; elsewhere it is a template's or a tool's default.
    if meta_title and _printed(meta_title, page_text):
        out.title = meta_title
    else:
        out.title = printed_title or None
    if title_lines:
        body = _body_size(lines)
        after = title_lines[-1].bbox[3] - 1
        out.authors = _authors(lines, after, after + 0.45 * height, body)
    if not out.authors and meta.get("author"):
        named = split_names(meta["author"])
        keys = set(title_key(page_text).split())
        if named and all(surname_key(n) in keys for n in named):
            out.authors = named
    out.abstract = _abstract(lines)
    stamp = " ".join(sideways)
    out.arxiv_id = find_arxiv_id(stamp) or find_arxiv_id(page_text)
    out.doi = find_doi(page_text)
    out.year = (
        find_year(stamp)
        or year_of_arxiv_id(out.arxiv_id)
        or _printed_year(lines, title_lines)
        or _creation_year(meta.get("creationDate") or "")
    )
    return out


def _creation_year(date: str) -> int | None:
    """The year of a PDF date (``D:20190716134340+01'00'``): when it was built, the last
    resort for a paper's year."""
    m = re.match(r"(?:D:)?(19[5-9]\d|20\d\d)", date)
    return int(m.group(1)) if m else None


_DATE_LINE = re.compile(r"dated|received|accepted|published|©|\(c\)|copyright|c⃝", re.I)


def _printed_year(lines: list[_Line], title_lines: list[_Line]) -> int | None:
    """A year printed in the front matter: a date line under the authors, ``(Dated: ...)``,
    ``Received ...``, a copyright line."""
    if not title_lines:
        return None
    bottom = title_lines[-1].bbox[3]
    for ln in lines:
        if ln.bbox[1] < bottom:
            continue
        if _ABSTRACT.match(ln.text) or _STOP.match(ln.text):
            break
        words = ln.text.split()
        if _DATE_LINE.search(ln.text) or len(words) <= 4:
            year = find_year(ln.text)
            if year:
                return year
    return None
