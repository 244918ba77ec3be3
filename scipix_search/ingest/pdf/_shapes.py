"""Fonts whose text layer names other glyphs than the ones drawn, told by the drawn shapes.

A font's text layer comes from its ToUnicode map or, without one, from its glyph names; a
font converted from Metafont can name each glyph after the ASCII character of its code
(``exclam`` at code 33, ``equal`` at 61) whatever it draws there. Such a math italic then
reads ``!`` for ``\\omega``, ``=`` for ``/`` and ``;`` for ``,``, its names agree with its
text layer, and nothing in the file says otherwise (the LX fonts do this; so do the bitmap
fonts of a Metafont-only family, whose codes MuPDF gives as ASCII).

What is drawn still tells: every glyph's outline reaches a certain height over its
baseline and depth under it (MuPDF measures it, ``TEXT_ACCURATE_BBOXES``), and TeX's font
encodings put glyphs of very different extents at the codes where they differ from ASCII (a
comma, an ``\\omega`` and a slash where ASCII has ``;``, ``!`` and ``=``). For each font of a
page, the codes where the text layer's character and a TeX encoding's glyph mean different
things are set against both glyphs' outlines (Computer Modern's, ``_tex_metrics.INK``);
where the encoding's glyph fits the drawn ink clearly better on most such codes, the font
follows that encoding and every code of it is read as the encoding names it. A font whose
text layer tells the truth never loses: its characters are what is drawn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pymupdf

from scipix_search.ingest.pdf._fonts import span_glyph_names
from scipix_search.ingest.pdf._ink import outline_boxes

Origin = tuple[float, float]

_CANDIDATES = {
    "OML": "CMMI10", "OMS": "CMSY10", "OMX": "CMEX10", "OT1": "CMR10", "MSAM": "MSAM10",
    "MSBM": "MSBM10", "MATHA": "CMSY10", "MATHB": "CMSY10",
    "MATHX": "CMEX10",
}  # fmt: skip
"""TeX encodings a font's codes may follow, with the Computer Modern font a font read
through one takes the role of (``_families`` knows these). ``MATHA``/``MATHB``/``MATHX``
are the layouts of mathabx's symbol and extension fonts (no TeX encoding: see
``scripts/gen_tex_metrics.py``), read as the symbol font and as CMEX."""
_REFERENCE_ORDER = ("OT1", "OML", "OMS", "T1", "MSAM", "MSBM")
"""Whose outline stands for a character of the text layer (text sizes first: OMX has none)."""
MARGIN = 0.08
"""An encoding's glyph fits a code only where its outline is this much closer (em, top and
bottom summed) to the drawn ink than the text layer's character."""
MIN_CODES = 3
"""Codes the encoding must win before a font is read through it."""
FIT = 0.2
"""A glyph's outline fits the encoding's at its code within this (em, top and bottom summed;
the LX fonts' x-height is 0.55 em, Computer Modern's 0.43)."""
MIN_FIT = 0.8
"""Share of the font's codes whose outlines must fit the encoding's (the encodings found on
the development grids fit 0.91-1.0 of them, mathabx's own layout 0.1-0.6)."""
MIN_SHARE = 0.75
"""Share of the disputed codes (both readings known and meaning differently) it must win."""


@dataclass(frozen=True, slots=True)
class Sample:
    code: int
    text: str
    top: float  # em over the baseline
    bottom: float  # em under it


@lru_cache(maxsize=1)
def _references() -> dict[str, tuple[float, float]]:
    """``{character key: (top, bottom)}`` of the Computer Modern glyph of each character."""
    from scipix_search.ingest.pdf._tex_metrics import ENCODINGS, INK
    from scipix_search.ingest.pdf._truth import _key, drawn_char

    out: dict[str, tuple[float, float]] = {}
    for enc in _REFERENCE_ORDER:
        names = ENCODINGS[enc]
        for code, ink in INK[enc].items():
            c = drawn_char(names[code]) if code < len(names) else ""
            if c and c.strip():
                out.setdefault(_key(c), ink)
    return out


_CODES = 128
"""TeX's math and OT1 encodings have 128 codes (Type 1 programs repeat some above 160)."""
_FULL_LAYOUTS = frozenset({"MATHA", "MATHB", "MATHX"})
"""Layouts that use all 256 codes (mathabx's relations and arrows lie above 128)."""


def _limit(enc: str) -> int:
    return 256 if enc in _FULL_LAYOUTS else _CODES


def _named_so(text: str) -> bool:
    """A character that a glyph name after its code's place in a text encoding gives:
    Latin letters and punctuation, typographic quotes, ligatures (``exclam``,
    ``guilsinglleft``, ``fl``), not a math symbol that a font names truly (``radical``),
    nor a delimiter (``_SIZED``)."""
    if text in _SIZED:
        return False
    o = ord(text[0])
    return 0x20 < o < 0x250 or 0x2010 <= o <= 0x203A or 0xFB00 <= o <= 0xFB06


_SIZED = frozenset("()[]{}|/\\<>")
"""Delimiters TeX draws in many sizes: the text layer rightly gives a tall ``(`` of an
extension font as ``(``, and no one outline stands for it."""


@lru_cache(maxsize=4096)
def _meaning(name: str) -> str:
    from scipix_search.ingest.pdf._truth import _key, drawn_char

    c = drawn_char(name)
    return _key(c) if c else name


@lru_cache(maxsize=4096)
def _text_key(text: str) -> str:
    from scipix_search.ingest.pdf._truth import _key

    return _key(text)


def _error(top: float, bottom: float, ref: tuple[float, float]) -> float:
    return abs(top - ref[0]) + abs(bottom - ref[1])


def fit_encoding(samples: list[Sample]) -> str:
    """The TeX encoding a font's drawn glyphs follow where its text layer does not, or
    ``""`` (see the module's docstring)."""
    return _fit(samples)[0]


def _fit(samples: list[Sample]) -> tuple[str, bool]:
    """``fit_encoding``, and whether some encoding wins a disputed code with the share it
    needs but too few codes to judge by (the page shows too little of the font)."""
    from scipix_search.ingest.pdf._tex_metrics import ENCODINGS, INK

    refs = _references()
    by_code: dict[tuple[int, str], list[Sample]] = {}
    for s in samples:
        by_code.setdefault((s.code, s.text), []).append(s)
    # each (code, character) once: its middle sample by height, what the character means
    # and its Computer Modern outline where its name may follow its code's place in a text
    # encoding (codes past 128 are judged only for the layouts that use all 256)
    groups: list[tuple[int, str, tuple[float, float] | None, float, float]] = []
    for (code, text), group in by_code.items():
        s = sorted(group, key=lambda g: g.top)[len(group) // 2]
        key = _text_key(text)
        groups.append((code, key, refs.get(key) if _named_so(text) else None, s.top, s.bottom))
    best = ("", 0)
    suspect = False
    for enc in _CANDIDATES:
        names, ink = ENCODINGS[enc], INK[enc]
        wins = disputed = 0
        limit = _limit(enc)
        for code, key, ref_text, top, bottom in groups:
            if code >= limit or ref_text is None or code not in ink or _meaning(names[code]) == key:
                continue
            disputed += 1
            if _error(top, bottom, ink[code]) + MARGIN < _error(top, bottom, ref_text):
                wins += 1
        if wins and wins >= MIN_SHARE * disputed:
            suspect = True
        if wins < MIN_CODES or wins < MIN_SHARE * disputed or wins <= best[1]:
            continue
        # the encoding must fit the font's other glyphs too: a font with a layout of its own
        # (mathabx) and names that lie fits none
        fits = [
            _error(top, bottom, ink[code]) <= FIT
            for code, _key, _ref, top, bottom in groups
            if code < limit and code in ink
        ]
        if sum(fits) >= MIN_FIT * len(fits):
            best = (enc, wins)
    return best[0], suspect and not best[0]


_DUP_RE = re.compile(rb"dup\s+(\d+)\s*/([^\s/\[\]{}()<>]+)\s+put")


def _codes_by_name(page: pymupdf.Page, span_font: str, fonts: list[tuple]) -> dict[str, int]:
    """``{glyph name: code}`` of a Type 1 font: the PDF's ``/Differences`` where it has
    them, else the program's built-in encoding; empty where neither is readable."""
    doc = page.parent
    for xref, _ext, kind, basefont, *_ in fonts:
        if not basefont.split("+", 1)[-1].startswith(span_font):
            continue
        if kind not in ("Type1", "Type1C"):
            return {}
        key = (xref, doc.xref_object(xref, compressed=True))
        if key in _CODES_CACHE:
            return _CODES_CACHE[key]
        if len(_CODES_CACHE) > 256:
            _CODES_CACHE.clear()
        out: dict[str, int] = {}
        m = re.search(r"/Differences\s*\[([^\]]*)\]", key[1])
        if m:
            code = 0
            for tok in re.findall(r"\d+|/[^\s/\[\]]+", m.group(1)):
                if tok.isdigit():
                    code = int(tok)
                else:
                    out.setdefault(tok[1:], code)
                    code += 1
        else:
            try:
                program = doc.extract_font(xref)[3] or b""
            except Exception:  # noqa: BLE001 - an unreadable font is left as it reads
                program = b""
            clear = program[: max(program.find(b"eexec"), 0)]
            for code_s, name in _DUP_RE.findall(clear):
                out.setdefault(name.decode("latin-1"), int(code_s))
        _CODES_CACHE[key] = out
        return out
    return {}


_CODES_CACHE: dict[tuple[int, str], dict[str, int]] = {}


def misnamed_fonts(
    page: pymupdf.Page,
    trace: list[dict],
    ink: dict[Origin, tuple[float, float, float]],
    bitmap: frozenset[str],
    known: frozenset[str] = frozenset(),
    document: DocumentFonts | None = None,
) -> tuple[dict[Origin, tuple[str, str, float]], frozenset[str]]:
    """``{origin: (glyph name, font alias, -1.0)}`` for every character of a font whose
    drawn glyphs follow a TeX encoding that its text layer does not (``fit_encoding``), in
    the form of ``_fonts.bitmap_glyph_names`` (no advance: the outline's box is kept).

    Args:
        page: the page.
        trace: its ``get_texttrace()``.
        ink: ``{origin: (top, bottom, size)}`` of the drawn outline of every character
            (page coordinates).
        bitmap: the page's anonymous bitmap fonts, whose codes are the trace's glyph ids.
        known: fonts already read otherwise (bitmap fonts whose widths told their encoding).
        document: the samples of the document's pages read so far, when the caller reads
            every page and reads again those it names (``DocumentFonts``); without it a font
            the page shows too little of is judged on a reading of the whole document.

    Returns:
        The characters, and the fonts read so.
    """
    from scipix_search.ingest.pdf._tex_metrics import ENCODINGS

    per_font, samples = _page_samples(page, trace, ink, bitmap, known)
    if document is not None:
        document.add(page.number, samples)
    out: dict[Origin, tuple[str, str, float]] = {}
    read: set[str] = set()
    for font, found in samples.items():
        enc, suspect = _fit(found)
        if suspect and document is not None:  # see DocumentFonts
            enc = document.encoding(page.number, font)
        elif suspect:  # too few of its glyphs on this page: judged by the whole document's
            enc = _document_encodings(page.parent).get(font, "")
        if not enc:
            continue
        read.add(font)
        encoded, limit = ENCODINGS[enc], _limit(enc)
        for code, _text, origin in per_font[font]:
            if code < limit and encoded[code] not in (".notdef", ""):
                out[origin] = (encoded[code], _CANDIDATES[enc], -1.0)
    return out, frozenset(read)


def _document_encodings(doc: pymupdf.Document) -> dict[str, str]:
    """``{font: encoding}`` judged on the samples of every page of the document (once a
    document; only asked where a page shows a font too little to judge)."""
    from scipix_search.ingest.pdf._fonts import anonymous_bitmap_fonts, identify_bitmap_fonts
    from scipix_search.ingest.pdf._ink import accurate_raw

    global _LAST_DOCUMENT
    if _LAST_DOCUMENT is not None and _LAST_DOCUMENT[0] is doc:
        return _LAST_DOCUMENT[1]
    samples: dict[str, list[Sample]] = {}
    for number in range(len(doc)):
        page = doc[number]
        bitmap = anonymous_bitmap_fonts(page)
        known = frozenset(identify_bitmap_fonts(page)) if bitmap else frozenset()
        ink = outline_extents(accurate_raw(page))
        for font, found in _page_samples(page, page.get_texttrace(), ink, bitmap, known)[1].items():
            samples.setdefault(font, []).extend(found)
    judged = {font: fit_encoding(found) for font, found in samples.items()}
    _LAST_DOCUMENT = (doc, judged)
    return judged


# The last document judged, held by reference: its pages are asked one after another. Not keyed
# by id(): a document opened from bytes has no name, and a new one can get a freed one's id.
_LAST_DOCUMENT: tuple[pymupdf.Document, dict[str, str]] | None = None


class DocumentFonts:
    """A document's font samples, gathered as its pages are read one after the other.

    A font that a page shows too little of to judge is judged on the samples of every page
    of the document. Gathering them first cost a second reading of every page (its text
    trace, its outlines and its samples) whenever one page showed such a font, as most
    papers set in Computer Modern do (a script-size symbol font with one or two telling
    codes on a page), though the whole document then fits no encoding either. Here each
    page adds the samples its own reading made (``misnamed_fonts``), such a font reads as
    its text layer says meanwhile, and once every page is read (``reread``) the fonts asked
    about are judged on the document's samples, and the pages where one of them is read
    through an encoding are named to be read again (as the second reading of the
    document would have read them: ``encoding`` then answers with the judgement).
    """

    def __init__(self) -> None:
        self._samples: dict[str, list[Sample]] = {}
        self._added: set[int] = set()
        self._asked: dict[int, set[str]] = {}
        self._judged: dict[str, str] | None = None

    def add(self, number: int, samples: dict[str, list[Sample]]) -> None:
        """The samples of page ``number`` (0-based), once a page (a page read again adds
        nothing)."""
        if number in self._added:
            return
        self._added.add(number)
        for font, found in samples.items():
            self._samples.setdefault(font, []).extend(found)

    def encoding(self, number: int, font: str) -> str:
        """The encoding the document's samples fit ``font`` to, once ``reread`` judged
        them; ``""`` before (page ``number`` asked, and may be read again)."""
        if self._judged is None:
            self._asked.setdefault(number, set()).add(font)
            return ""
        return self._judged.get(font, "")

    def reread(self) -> list[int]:
        """Judge the fonts the pages asked about on every page's samples; the pages (0-based,
        in order) that read one of them otherwise than the document's judgement."""
        asked = {font for fonts in self._asked.values() for font in fonts}
        self._judged = {font: fit_encoding(self._samples.get(font, [])) for font in asked}
        judged = self._judged
        return sorted(n for n, fonts in self._asked.items() if any(judged[f] for f in fonts))


def _page_samples(
    page: pymupdf.Page,
    trace: list[dict],
    ink: dict[Origin, tuple[float, float, float]],
    bitmap: frozenset[str],
    known: frozenset[str],
) -> tuple[dict[str, list[tuple[int, str, Origin]]], dict[str, list[Sample]]]:
    """Every character of the page's fonts by code (``{font: [(code, text, origin)]}``), and
    the drawn extents of those with an outline (``{font: [Sample]}``)."""
    fonts = page.get_fonts() if trace else []
    per_font: dict[str, list[tuple[int, str, Origin]]] = {}
    samples: dict[str, list[Sample]] = {}
    memo: dict[str, list[str]] = {}  # the page's glyph names by span font (see _fonts)
    codes_memo: dict[str, dict[str, int]] = {}
    # each glyph index's code, by font and names list (a span font's names can differ from
    # span to span where MuPDF's cut name is shared: see span_glyph_names)
    by_gid: dict[tuple[str, int], tuple[list[str], list[int]]] = {}
    for span in trace:
        font = span["font"]
        if font in known:
            continue
        chars = span["chars"]
        if font in bitmap:
            codes = [ch[1] for ch in chars]
        else:
            names = span_glyph_names(page, span, fonts, memo)
            if not names:
                continue
            if font not in codes_memo:
                codes_memo[font] = _codes_by_name(page, font, fonts)
            by_name = codes_memo[font]
            if not by_name:
                continue
            entry = by_gid.get((font, id(names)))
            if entry is None or entry[0] is not names:
                entry = (names, [by_name.get(name, -1) for name in names])
                by_gid[(font, id(names))] = entry
            table = entry[1]
            n = len(table)
            codes = [table[ch[1]] if 0 <= ch[1] < n else -1 for ch in chars]
        listed = found = None
        for ch, code in zip(chars, codes, strict=True):
            if code < 0 or code >= 256:  # never judged nor read (_fit, misnamed_fonts)
                continue
            x, base = ch[2]
            origin = (round(x, 1), round(base, 1))
            text = chr(ch[0])
            if listed is None:
                listed = per_font.setdefault(font, [])
            listed.append((code, text, origin))
            extent = ink.get(origin)
            if extent is None:
                continue
            top, bottom, size = extent
            if size <= 0 or bottom <= top:
                continue
            if found is None:
                found = samples.setdefault(font, [])
            found.append(Sample(code, text, (base - top) / size, (bottom - base) / size))
    return per_font, samples


def outline_extents(raw: dict) -> dict[Origin, tuple[float, float, float]]:
    """``{origin: (top, bottom, font size)}`` of every character's drawn outline, from the
    page's ``rawdict`` read with ``TEXT_ACCURATE_BBOXES``."""
    return outline_boxes(raw)[0]
