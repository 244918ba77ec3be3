"""Tall delimiters and big operators that a font gives a Unicode value: their drawn height.

Computer Modern sets a display ``\\sum`` or a tall ``(`` as a CMEX glyph without a Unicode
value, named in the font program (``summationdisplay``, ``parenleftbigg``), and the reader
knows from TeX's metrics how far each hangs from its baseline (``_fonts``, ``_delimiters``).
Math fonts with a full ToUnicode map (STIX Two, newpx's integrals, Libertinus, ...) report
the same glyphs as plain ``∑`` and ``(``: the text layer's box is then the font's ascent and
descent at the font size, the same for a text ``(`` and one spanning a three-row matrix, and
the origin of a display operator sits above the row's baseline, so the glyph looked like a
row of its own. MuPDF can measure the drawn outline instead (``TEXT_ACCURATE_BBOXES``): a
delimiter whose ink is taller than any text glyph is a tall one, whatever the font, and a big
operator's ink says where its limits are. Such a glyph gets the name of its CMEX twin and
its ink box (``Glyph.ink``), and the delimiter and operator logic reads it like CMEX's.
"""

from __future__ import annotations

import re

import pymupdf

from scipix_search.ingest.pdf._glyphs import PUA_PIECES
from scipix_search.ingest.pdf._textpage import raw_text

Origin = tuple[float, float]

TALL_NAMES = {
    "(": "parenleft", ")": "parenright", "[": "bracketleft", "]": "bracketright",
    "{": "braceleft", "}": "braceright", "⟨": "angleleft", "〈": "angleleft",
    "⟩": "angleright", "〉": "angleright", "\u2329": "angleleft", "\u232a": "angleright", "|": "vextendsingle", "∣": "vextendsingle",
    "‖": "vextenddouble", "∥": "vextenddouble",
    # the Unicode pieces of extensible delimiters (Miscellaneous Technical block)
    "⎛": "parenlefttp", "⎜": "parenleftex", "⎝": "parenleftbt", "⎞": "parenrighttp",
    "⎟": "parenrightex", "⎠": "parenrightbt", "⎡": "bracketlefttp", "⎢": "bracketleftex",
    "⎣": "bracketleftbt", "⎤": "bracketrighttp", "⎥": "bracketrightex",
    "⎦": "bracketrightbt", "⎧": "bracelefttp", "⎨": "braceleftmid", "⎩": "braceleftbt",
    "⎪": "braceex", "⎫": "bracerighttp", "⎬": "bracerightmid", "⎭": "bracerightbt",
    # and at Adobe's private-use code points (kpfonts' and newtxmath's extension fonts):
    # the text layer's box of such a piece is a fixed ascent and descent, not its outline,
    # so a tall ( built from pieces read as a stack of short glyphs split into rows
    **{chr(code): name for code, name in PUA_PIECES.items()},
}  # fmt: skip
"""Delimiters (and their pieces) by the CMEX glyph-name family the reader knows."""
OPERATOR_NAMES = {
    "∑": "summation", "∏": "product", "∐": "coproduct", "∫": "integral", "∮": "contintegral",
    "⋃": "union", "⋂": "intersection", "⨁": "circleplus", "⨂": "circlemultiply",
    "⨀": "circledot", "⋀": "logicaland", "⋁": "logicalor", "⨄": "unionmulti",
}  # fmt: skip
"""Big operators by CMEX glyph-name prefix (see ``_operators``)."""

TALL_DELIMITER = 1.15
"""A delimiter whose ink is taller than this (em of its font size) is a sized one: text
parentheses and bars of the fonts measured draw 0.9-1.05 em, ``\\big`` ones 1.2 em."""


def ink_extents(
    page: pymupdf.Page,
    listed: pymupdf.DisplayList | None = None,
    fonts: frozenset[str] = frozenset(),
    raw: dict | None = None,
) -> dict[Origin, tuple[float, float]]:
    """Top and bottom of the drawn outline of every delimiter and big-operator glyph of the
    page, of every glyph without a Unicode value, and of every glyph of ``fonts`` (bitmap
    fonts, whose codes are not their characters), by origin (``(round(x, 1), round(y,
    1))``); read from the page's display list ``listed`` when given (see ``_textpage``), or
    from ``raw``, the page's ``rawdict`` with those outlines (``accurate_raw``)."""
    if raw is None:
        raw = accurate_raw(page, listed)
    out: dict[Origin, tuple[float, float]] = {}
    for block in raw["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                for ch in span["chars"]:
                    c = ch["c"]
                    if (
                        c in TALL_NAMES
                        or c in OPERATOR_NAMES
                        or c in "\ufffd√"
                        or span["font"] in fonts
                    ):
                        x, y = ch["origin"]
                        out[(round(x, 1), round(y, 1))] = (ch["bbox"][1], ch["bbox"][3])
    return out


def outline_boxes(
    raw: dict,
) -> tuple[
    dict[Origin, tuple[float, float, float]], dict[Origin, tuple[float, float, float, float]]
]:
    """From ``raw`` (``accurate_raw``), by origin as ``ink_extents`` keys them: the top,
    bottom and font size of every character's drawn outline (``_shapes.outline_extents``),
    and the drawn box of every character that draws something.

    One walk over the page's characters gives both (2,500 a page on the real papers: two
    walks cost 3.6 CPU ms a page, one 2.2).
    """
    extents: dict[Origin, tuple[float, float, float]] = {}
    outlines: dict[Origin, tuple[float, float, float, float]] = {}
    for block in raw["blocks"]:
        for line in block.get("lines", ()):
            for span in line["spans"]:
                size = span["size"]
                for ch in span["chars"]:
                    x, y = ch["origin"]
                    key = (round(x, 1), round(y, 1))
                    x0, y0, x1, y1 = box = ch["bbox"]
                    extents[key] = (y0, y1, size)
                    if x1 > x0 and y1 > y0:
                        outlines[key] = box
    return extents, outlines


def accurate_raw(page: pymupdf.Page, listed: pymupdf.DisplayList | None = None) -> dict:
    """The page's ``rawdict`` with every character's box its drawn outline."""
    return raw_text(page, pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_ACCURATE_BBOXES, listed)


def tall_name(c: str, size: float, ink: tuple[float, float] | None) -> str:
    """The CMEX-style name of a big operator, or of a delimiter drawn taller than text;
    ``""`` for anything else (or when the ink is unknown)."""
    if ink is None or size <= 0:
        return ""
    if c in OPERATOR_NAMES:
        return OPERATOR_NAMES[c]
    height = ink[1] - ink[0]
    name = TALL_NAMES.get(c, "")
    piece = name.endswith(("tp", "ex", "bt", "mid"))
    return name if name and (piece or height > TALL_DELIMITER * size) else ""


_SIZED_RE = re.compile(
    r"((?:paren|bracket|brace|angle|angbracket)(?:left|right))((?:big|Big|bigg|Bigg)\d*|\d+)"
)
"""Sized delimiters of extension fonts: CMEX's four sizes (``parenleftbig`` ... ``Bigg``)
and the numbered ones of fonts that have more (mathdesign's ``parenleftbig1`` ...
``braceleftbig6``)."""


_RADICAL_RE = re.compile(r"radical(?:big|Big|bigg|Bigg)?\d+")


def sized_delimiter_name(name: str) -> str:
    """The name a sized delimiter or a numbered radical size measured by its ink goes by
    (``parenleftbigg`` and ``radicalbig1`` stay, ``parenleftbig2`` -> ``parenleft``), else
    ``""``. TeX's CMEX metrics give how far a CMEX
    size hangs from its baseline, but other extension fonts draw the same-named sizes
    smaller (txfonts' ``\\bigg(`` is 1.95 em tall, CMEX's 2.4) and numbered sizes have no
    CMEX twin, so the drawn outline is what counts."""
    if _RADICAL_RE.fullmatch(name):
        return name  # a numbered radical size (mathdesign's ``radicalbig1``): no CMEX twin
    m = _SIZED_RE.fullmatch(name)
    if m is None:
        return ""
    return name if m.group(2)[-1].isalpha() else m.group(1)


_RADICAL_DEPTHS = (("", 1.2), ("big", 1.3), ("Big", 1.9), ("bigg", 2.5), ("Bigg", 3.1))


def radical_name(size: float, base: float, ink: tuple[float, float] | None) -> str:
    """The CMEX-style name (``radicalbigg``) of a ``√`` drawn deeper under its baseline than
    a text radical, from its ink; ``""`` otherwise. TeX's sized radicals hang from their
    baseline, level with the rule, and reach as far below it as the radicand they were
    chosen for (``\\sqrt`` of a fraction): a font that maps them to plain ``√`` gave the
    text-size depth, and the radicand's denominators fell outside."""
    if ink is None or size <= 0:
        return ""
    depth = (ink[1] - base) / size
    if depth < 1.5:
        return ""
    suffix, _ = min(_RADICAL_DEPTHS[1:], key=lambda sd: abs(sd[1] - depth))
    return "radical" + suffix
