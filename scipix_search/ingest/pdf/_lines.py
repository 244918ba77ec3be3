"""Text lines of a PDF page, each glyph with its font role, classified as prose or math."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import pymupdf

from scipix_search.ingest.pdf._families import (
    HEAVY_ROLE,
    is_bold_font,
    is_extension_font,
    is_italic_font,
    is_math_font,
    is_sans_font,
    same_family,
)
from scipix_search.ingest.pdf._fonts import (
    anonymous_bitmap_fonts,
    bitmap_font_extent,
    bitmap_glyph_names,
    cut_name_roles,
    heavy_fonts,
    identify_bitmap_fonts,
    unnamed_glyph_names,
)
from scipix_search.ingest.pdf._glyphs import BITMAP_ROLE, BODY_ROLE, Glyph
from scipix_search.ingest.pdf._ink import (
    accurate_raw,
    ink_extents,
    outline_boxes,
    radical_name,
    sized_delimiter_name,
    tall_name,
)
from scipix_search.ingest.pdf._overprints import overprinted, without_overprints
from scipix_search.ingest.pdf._pua import family_pua_char
from scipix_search.ingest.pdf._shapes import DocumentFonts, misnamed_fonts
from scipix_search.ingest.pdf._text_math import mark_text_math
from scipix_search.ingest.pdf._textpage import raw_text
from scipix_search.ingest.pdf._truth import _VARIANTS, drawn_characters, named_letter
from scipix_search.ingest.pdf._unicode_math import split_math_alphanumeric

# an equation number: (12), (3.4), (2a), (A1), (S12), and a prefix of a few capitals with a
# point (SI.17, A.3, with \\renewcommand{\\theequation}{SI.\\arabic{equation}})
# Parentheses are the common form; some journals (NRC's, among others) print ``[12]``.
_NUMBER_BODY = r"\s*((?:[A-Z]{1,3}\.|[A-Z]?)\d+(?:\.\d+)*[a-z]?)\s*"
_NUMBER_RE = re.compile(rf"^(?:\({_NUMBER_BODY}\)|\[{_NUMBER_BODY}\])$")
_WORD_RE = re.compile(r"[A-Za-z]{3,}")
_OPERATOR_WORDS = frozenset(
    "max min sup inf lim log exp sin cos tan det diag rank arg where and for subject to "
    "minimize maximize s.t. if otherwise with".split()
)
_OPERATOR_RUN_RE = re.compile(r"(?:arg|max|min|sup|inf|lim|log|exp|det|diag|rank){2,3}")
"""Operator names set tight one after the other: TeX puts only a thin space in
``\\operatorname*{arg\\,min}`` or ``\\lim\\sup``, less than some fonts' word space (Utopia's),
so the text layer gives one word ``argmin``. It is a limit-taking operator, not prose: read
as a word of six letters, the row ``= argmin_{...}`` of an ``align`` was a prose line."""


@dataclass(slots=True)
class Line:
    glyphs: list[Glyph]
    bbox: tuple[float, float, float, float]
    text: str
    size: float
    math_share: float
    prose_chars: int
    number: str | None = None
    rows: list[list[Glyph]] = field(default_factory=list)
    hyphenated: bool = False
    # words set in a display row after its math (``_blocks.mark_display_cells``)
    cell: bool = False

    @property
    def is_prose(self) -> bool:
        return not self.cell and (
            self.hyphenated
            or self.prose_chars >= 12
            or (self.prose_chars >= 6 and self.math_share < 0.15)
        )


def page_lines(
    page: pymupdf.Page,
    listed: pymupdf.DisplayList | None = None,
    document: DocumentFonts | None = None,
) -> list[Line]:
    """The page's text lines; its text is read from its display list ``listed`` when given
    (see ``_textpage``). ``document`` gathers the font samples of a caller that reads every
    page of the document and then again those it names (see ``_shapes.DocumentFonts``)."""
    # MuPDF's default clip: a page can carry a second copy of its text that is never shown
    # (one paper's displays are all there twice, 16 pt apart), which would merge into the
    # shown one glyph by glyph
    raw = raw_text(page, pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP, listed)
    trace = page.get_texttrace()
    # CMEX delimiters have no Unicode value; their glyph names tell a [ from a ). The same
    # names show where a font's ToUnicode map lies (``_truth``).
    unnamed = any(ch[0] == 0xFFFD for span in trace for ch in span["chars"])
    names = unnamed_glyph_names(page, trace) if unnamed else {}
    drawn = drawn_characters(page, trace)
    bold = overprinted(trace)
    heavy = heavy_fonts(page) if BOLD_BY_PROGRAM else frozenset()
    cut = cut_name_roles(page, {span["font"] for span in trace})
    bitmap = anonymous_bitmap_fonts(page)
    # a bitmap font whose widths fit a TeX encoding: its codes are named (see _fonts)
    identified = identify_bitmap_fonts(page) if bitmap else {}
    coded = bitmap_glyph_names(trace, identified) if bitmap else {}
    # a font whose drawn glyphs follow a TeX encoding that its text layer does not: so too
    # (see _shapes)
    raw_ink = accurate_raw(page, listed)
    extents, outlines = outline_boxes(raw_ink)
    misnamed, misread = misnamed_fonts(
        page, trace, extents, bitmap, frozenset(identified), document
    )
    coded = {**misnamed, **coded}
    ink = ink_extents(page, listed, bitmap | misread, raw_ink)
    out: list[Line] = []
    height = page.rect.height
    raw_lines: list[tuple[list[Glyph], tuple[float, float, float, float]]] = []
    for block in raw["blocks"]:
        if block.get("type") != 0:
            continue
        for line in block["lines"]:
            if abs(line["dir"][1]) > 0.1:
                continue  # rotated text: axis labels, margins
            glyphs = []
            for span in line["spans"]:
                for ch in span["chars"]:
                    g = _glyph(
                        ch,
                        span,
                        names,
                        drawn,
                        ink,
                        bold,
                        span["font"] in bitmap or span["font"] in misread,
                        coded,
                        cut.get(span["font"], ""),
                        heavy,
                    )
                    g.outline = outlines.get((round(ch["origin"][0], 1), round(ch["origin"][1], 1)))
                    glyphs.append(g)
            box = tuple(line["bbox"])
            if any(span["font"] in bitmap for span in line["spans"]):
                box = _glyphs_height(glyphs, box)
            raw_lines.append((glyphs, box))
    raw_lines = _seat_hanging_fonts(raw_lines)
    for glyphs, bbox in _numbers_apart(without_overprints(raw_lines)):
        visible = [g for g in glyphs if g.c.strip()]
        if not visible:
            continue
        text = "".join(g.c for g in glyphs).strip()
        if (bbox[3] < 0.06 * height or bbox[1] > 0.94 * height) and len(text) < 40:
            continue  # running heads and page numbers
        out.append(_classify(visible, bbox, glyphs))
    _mark_sans_body(out)
    prose = Counter(g.font for line in out if line.is_prose for g in line.glyphs if g.c.isalpha())
    if prose:
        mark_text_math(
            (line.glyphs for line in out if not line.is_prose),
            (g for line in out for g in line.glyphs),
            prose.most_common(1)[0][0],
        )
    return out


_BAND = (0.7, 0.2)
"""Height and depth (em) of the box TeX gives a letter: Computer Modern's reach about 0.7 em
over their baseline and 0.2 em under it (MuPDF's boxes of CMR10 are 0.69 and 0.19)."""


def _seat_hanging_fonts(
    lines: list[tuple[list[Glyph], tuple[float, float, float, float]]],
) -> list[tuple[list[Glyph], tuple[float, float, float, float]]]:
    """Glyph boxes of a font that MuPDF hangs under the baseline, set around it.

    MuPDF's box of a glyph is the font's ascent over the baseline and its descent under it;
    a font whose program reports them wrongly (the JMN fonts' ``Iwona-Regular``: 0.04 em
    over, 0.6 em under) gets every box hanging below its baseline, so its ``=`` sat lower
    than the math italic beside it and rows, scripts and delimiters came apart. Only an
    extension font's glyphs hang so (their baseline is their top); a text or math font
    whose glyphs on the page mostly reach less than 0.2 em over their baseline gets TeX's
    letter band instead, and the lines holding its glyphs the height of their glyphs."""
    ascents: dict[str, list[float]] = {}
    for glyphs, _ in lines:
        for g in glyphs:
            if g.c.strip() and g.c != "\ufffd" and not g.ink and g.size > 0:
                ascents.setdefault(g.font, []).append((g.base - g.y0) / g.size)
    hanging = {
        font
        for font, values in ascents.items()
        if not is_extension_font(font) and sorted(values)[len(values) // 2] < 0.2
    }
    if not hanging:
        return lines
    out = []
    for glyphs, bbox in lines:
        moved = False
        for g in glyphs:
            if g.font not in hanging:
                continue
            # MuPDF's line box is the font's wrong ascent and descent whatever its glyphs:
            # a line of a hanging font takes its glyphs' height, the drawn extent of a
            # delimiter piece (the top piece of a tall [ hangs 1.8 em from its baseline,
            # its line box reached 0.6 em) as well as the band of the others
            moved = True
            if not g.ink and g.c != "\ufffd":
                g.y0 = g.base - _BAND[0] * g.size
                g.y1 = g.base + _BAND[1] * g.size
        out.append((glyphs, _glyphs_height(glyphs, bbox) if moved else bbox))
    return out


def _glyphs_height(
    glyphs: list[Glyph], bbox: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    """A line's box with the height of its glyphs: MuPDF gives a line of a bitmap (Type 3)
    font the font's whole ``/FontBBox`` (three lines tall for a PK extension font), so a
    display row holding a wide accent reached into the paragraph line under it; its glyphs
    have their outline font's ascent and descent or their ink (``_glyph``)."""
    shown = [g for g in glyphs if g.c.strip()]
    if not shown:
        return bbox
    return (bbox[0], min(g.y0 for g in shown), bbox[2], max(g.y1 for g in shown))


def _mark_sans_body(lines: list[Line]) -> None:
    """Where the page's prose is set in an upright sans (arev, cmbright, a Helvetica
    journal), its font's glyphs get ``BODY_ROLE``: ``\\text`` and ``\\mathrm`` words in math
    are set in it, so they are ``\\text``, not the ``\\mathsf`` of a sans word in a serif
    page."""
    fonts = Counter(g.font for line in lines if line.is_prose for g in line.glyphs if g.c.isalpha())
    if not fonts:
        return
    body = fonts.most_common(1)[0][0]
    if not is_sans_font(body) or is_italic_font(body) or "/" in body:
        return
    for line in lines:
        for g in line.glyphs:
            # the body's own bold is the page's ``\mathbf`` (mathastext and sfmath set bold
            # math letters in it, ``FiraSans-Bold``, ``LinBiolinumTB``), not a sans alphabet
            # set apart from the letters around it
            own = g.font.removesuffix(HEAVY_ROLE)  # bold by its program (``_glyph``)
            if g.font == body or (
                "/" not in own and is_bold_font(g.font) and same_family(own, body)
            ):
                g.font += BODY_ROLE


def _numbers_apart(
    lines: list[tuple[list[Glyph], tuple[float, float, float, float]]],
) -> list[tuple[list[Glyph], tuple[float, float, float, float]]]:
    """The lines with an equation number that MuPDF joined to its row set apart.

    TeX sets a number flush right, at least ``\\mintagsep`` (half an em) from its row when
    it fits beside it (amsmath moves it to a line of its own otherwise); MuPDF joins the two
    into one line when the row comes near enough (``... \\rangle, (SI.17)``), and the row
    then read the number as its last glyphs and had none. A line that ends in ``(number)``
    set at least half an em after the rest is two lines. With ``leqno`` the number stands
    flush left, at the margin (nothing of its row just before it), and the row at least
    ``\\mintagsep`` after it: a line that starts with ``(number)`` before math is two lines
    too (:func:`_number_first`).
    """
    out: list[tuple[list[Glyph], tuple[float, float, float, float]]] = []
    for glyphs, bbox in lines:
        visible = [i for i, g in enumerate(glyphs) if g.c.strip()]
        cut = None
        for k in range(len(visible) - 1, 0, -1):
            g, prev = glyphs[visible[k]], glyphs[visible[k - 1]]
            if g.c == "(":
                tail = "".join(glyphs[i].c for i in visible[k:])
                if _NUMBER_RE.match(tail) and g.x0 - prev.x1 >= 0.5 * g.size:
                    cut = visible[k]
                break
        if (
            cut is None
            and visible
            and glyphs[visible[0]].c == "("
            and not _set_after(glyphs[visible[0]], lines)
        ):
            cut = _number_first(glyphs, visible)
        if cut is None:
            out.append((glyphs, bbox))
            continue
        for part in (glyphs[:cut], glyphs[cut:]):
            shown = [g for g in part if g.c.strip()]
            box = (
                min(g.x0 for g in shown),
                min(g.y0 for g in shown),
                max(g.x1 for g in shown),
                max(g.y1 for g in shown),
            )
            out.append((part, box))
    return out


def _set_after(
    first: Glyph, lines: list[tuple[list[Glyph], tuple[float, float, float, float]]]
) -> bool:
    """Another line of the row starts before ``first`` and ends past it or just before it
    (within 0.8 em, less than a column gap): ``first`` does not stand at the margin, as a ``leqno`` number does (the base of
    ``\\rho^*(0)``, whose star MuPDF gives as a line of its own)."""
    y0, y1 = first.y0, first.y1
    return any(
        box[0] < first.x0 - 1
        and first.x0 - box[2] < 0.8 * first.size
        and min(y1, box[3]) - max(y0, box[1]) > 0.5 * min(y1 - y0, box[3] - box[1])
        for _, box in lines
    )


def _number_first(glyphs: list[Glyph], visible: list[int]) -> int | None:
    """Where the row starts after an equation number set flush left (``leqno``): at least
    ``\\mintagsep`` (half an em, less what the box of ``)`` takes) after ``(number)``, and
    math, not words: ``(1) The first case`` of an enumerated list is prose."""
    for k in range(1, len(visible) - 1):
        g, nxt = glyphs[visible[k]], glyphs[visible[k + 1]]
        if g.c != ")":
            continue
        head = "".join(glyphs[i].c for i in visible[: k + 1])
        if not _NUMBER_RE.match(head) or nxt.x0 - g.x1 < 0.4 * g.size:
            return None
        rest = [glyphs[i] for i in visible[k + 1 :]]
        text = "".join(r.c if r.c.isalpha() and not r.is_math else " " for r in rest)
        if (nxt.c.isalpha() and not nxt.is_math) or _WORD_RE.search(text):
            return None
        return visible[k + 1]
    return None


_ITALIC_FLAG = 2  # MuPDF's span flag for a font that its descriptor or program calls italic
_BOLD_FLAG = 16  # MuPDF's span flag for a font that its program calls bold (its Weight)
BOLD_BY_PROGRAM = True
"""A glyph of a font whose program says bold (its weight), or whose stems are much wider
than its family's regular on the page (``_fonts.heavy_fonts``: a semibold), is bold whatever
its name: the names of Libertine's and Biolinum's bold and semibold (``LinBiolinumTB``,
``LinLibertineTZ``: the ``\\mathbf`` of acmart and newtxmath[libertine]), cm-super's
``SFBX1000`` (``\\mathbf`` under ``fontenc`` T1), Euler's ``EURB10`` and bold upright math
(``NotoMathBRM``, ``ebgBRM``) carry no bold word. Not for an extension font: txfonts'
``txexas`` says bold and sets plain big operators."""
_PIECE_RE = re.compile(r"^(?:paren|bracket|brace)[a-z]*(?:tp|ex|bt|mid)$")


def _glyph(
    ch: dict,
    span: dict,
    names: dict[tuple[float, float], str],
    drawn: dict[tuple[float, float], str],
    ink: dict[tuple[float, float], tuple[float, float]],
    bold: set[tuple[float, float]],
    anonymous: bool = False,
    coded: dict[tuple[float, float], tuple[str, str, float]] | None = None,
    cut_role: str = "",
    heavy: frozenset[str] = frozenset(),
) -> Glyph:
    """A text-layer character as a glyph: a Unicode math alphanumeric (``𝑥``) becomes its
    base letter with the style in the font's role (see ``_unicode_math``); a variation
    selector (which some math fonts print after a delimiter) is blank; a private-use letter
    of a known family, the letter (see ``_pua``); where the text layer
    lies, the character the font draws (see ``_truth``); a tall delimiter or big operator
    with a Unicode value, its drawn height and its CMEX twin's name (see ``_ink``); a glyph
    printed over itself, bold (``\\pmb``); a code of a bitmap font whose TeX encoding is
    known (``coded``), the glyph that encoding names, in the Computer Modern font it fits;
    the roles that the part of the font's name MuPDF cut off says (``cut_role``, see
    ``_fonts.cut_name_roles``)."""
    c = ch["c"]
    key = (round(ch["origin"][0], 1), round(ch["origin"][1], 1))
    span_font = span["font"]
    if anonymous and coded and key in coded:
        name, alias, advance = coded[key]
        c = _type1_char(name)
        if c == "\ufffd":
            names = {**names, key: name}
        span_font = alias or span_font
        anonymous = False
    elif anonymous and ord(c[0]) < 32:
        c = "\ufffd"  # a code that MuPDF gives as a control character: a glyph still
    if drawn:
        c = drawn.get(key, c)
    if "\ufe00" <= c <= "\ufe0f":
        c = " "
    c = family_pua_char(span_font, c)
    base, role = split_math_alphanumeric(c)
    x0, y0, x1, y1 = ch["bbox"]
    if coded and key in coded and coded[key][2] >= 0:
        # the outline font's box: its advance (MuPDF's box of a Type 3 glyph is narrower)
        # and its ascent and descent (MuPDF's is the bitmap font's whole /FontBBox)
        if coded[key][2] > 0:
            x1 = x0 + coded[key][2]
        extent = bitmap_font_extent(coded[key][1])
        if extent is not None:
            y0 = ch["origin"][1] - extent[0] * span["size"]
            y1 = ch["origin"][1] + extent[1] * span["size"]
    if c == "\ufffd":
        name = names.get(key, "")
        extent = ink.get(key)
        sized = sized_delimiter_name(name)
        if sized and extent is not None:  # a sized delimiter, as drawn (see _ink)
            y0, y1 = extent
            return Glyph(
                base, x0, y0, x1, y1, ch["origin"][1], span["size"], span_font, sized, True
            )
        if _PIECE_RE.search(name) and extent is not None and extent[1] > extent[0]:
            # a piece of an extensible delimiter, as drawn: extension fonts other than CMEX
            # (newtxmath's) draw their pieces at other heights than TeX's CMEX metrics say
            y0, y1 = extent
            return Glyph(base, x0, y0, x1, y1, ch["origin"][1], span["size"], span_font, name, True)
        letter, role = named_letter(name) if name else ("", "")
        if not letter or is_extension_font(span_font):
            font = span_font + (BITMAP_ROLE if anonymous else "")
            return Glyph(base, x0, y0, x1, y1, ch["origin"][1], span["size"], font, name)
        # a letter whose glyph has no Unicode value but a name (mathdesign's ``Acal``)
        base, font = letter, span_font + role
        return Glyph(base, x0, y0, x1, y1, ch["origin"][1], span["size"], font, "")
    extent = ink.get(key)
    name = tall_name(c, span["size"], extent)
    if name and extent is not None:
        y0, y1 = extent
    if c == "√":
        # as drawn: TeX's fonts hang the sign from its baseline, level with the rule, but an
        # OpenType math font's (XeTeX, LuaTeX) stands on its baseline: taken as hanging, the
        # sign reached a row lower and pulled the next display's row into its equation
        if extent is not None:
            y0, y1 = extent
        return Glyph(
            c, x0, y0, x1, y1, ch["origin"][1], span["size"], span_font + role,
            radical_name(span["size"], ch["origin"][1], extent), extent is not None,
        )  # fmt: skip
    font = span_font + role + cut_role
    if span.get("flags", 0) & _ITALIC_FLAG and is_sans_font(font) and not is_italic_font(font):
        # a sans font whose program says italic though its name does not (Computer Modern's
        # ``CMSSI``, cm-super's ``SFSI``): the math italic of a sans math setup (sfmath,
        # sansmath), a plain variable, where an upright sans letter is ``\mathsf``
        font += "/Italic"
    program_bold = (
        BOLD_BY_PROGRAM
        and not is_extension_font(font)
        and (span.get("flags", 0) & _BOLD_FLAG or span_font in heavy)
    )
    if key in bold and not is_bold_font(font):
        font += "/Bold"
    elif program_bold and not is_bold_font(font):
        font += HEAVY_ROLE
    if anonymous and not (c.isascii() and c.isalpha()):
        font += BITMAP_ROLE  # a bitmap font's code, maybe not this character (see _fonts)
    return Glyph(base, x0, y0, x1, y1, ch["origin"][1], span["size"], font, name, bool(name))


@lru_cache(maxsize=2048)
def _type1_char(name: str) -> str:
    """The character MuPDF gives a Type 1 font's glyph of this name (``Omega`` -> U+2126,
    ``star`` -> U+22C6), so that a bitmap font reads as the outline font it fits; U+FFFD
    where it gives none (``parenleftbig``: the name is kept, as for the outline font)."""
    if name in _VARIANTS:  # TeX's two phis, as _truth reads them by name
        return _VARIANTS[name]
    code = pymupdf.mupdf.fz_unicode_from_glyph_name(name)
    return chr(code) if 0 < code < 0x110000 else "\ufffd"


def _classify(visible: list[Glyph], bbox: tuple, glyphs: list[Glyph]) -> Line:
    text = "".join(g.c for g in glyphs).strip()
    math = sum(g.is_math for g in visible)
    size = max(g.size for g in visible)
    # an extension-font glyph hangs from its baseline, and TeX takes it at 10 pt in any text
    # size (an inline \int in an 8 pt abstract): its baseline is not the line's
    seated = [g for g in visible if not is_extension_font(g.font)] or visible
    top = max(g.size for g in seated)
    bases = sorted(g.base for g in seated if g.size >= 0.9 * top)
    base = bases[len(bases) // 2]
    prose = 0
    word: list[Glyph] = []
    for g in [*glyphs, Glyph(" ", 0, 0, 0, 0, 0, 0, "")]:
        letter = g.c.isalpha() and not is_math_font(g.font)
        # a change of size inside a "word" is a script (r_{min}): math, not prose
        if letter and (not word or abs(g.size - word[-1].size) <= 0.15 * word[-1].size):
            word.append(g)
            continue
        if not _script(word, size, base):
            prose += _prose_chars(word)
        word = [g] if letter else []
    number = None
    m = _NUMBER_RE.match(text)
    if m:
        number = m.group(1) or m.group(2)
    line = Line(visible, tuple(bbox), text, size, math / len(visible), prose, number)
    line.hyphenated = _hyphenated(visible)
    return line


def _script(word: list[Glyph], size: float, base: float) -> bool:
    """A run of letters in a smaller size, raised or lowered off the line's baseline: TeX
    sets prose words on the baseline, so this is a sub- or superscript (``H_{MNL}``; Fourier,
    mathptmx and mathpazo take math letters from the text italic, which looks like prose)."""
    return bool(word) and all(
        g.size < 0.85 * size and abs(g.base - base) > 0.1 * size for g in word
    )


def _prose_chars(word: list[Glyph]) -> int:
    # NFKC expands ligatures (U+FB01 "fi" ...), which are a sure sign of text fonts
    token = unicodedata.normalize("NFKC", "".join(x.c for x in word))
    if (
        len(token) >= 3
        and token.lower() not in _OPERATOR_WORDS
        and not _OPERATOR_RUN_RE.fullmatch(token)
        and _WORD_RE.match(token)
    ):
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
