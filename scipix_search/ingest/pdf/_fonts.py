"""Names of text-layer glyphs that have no Unicode value (TeX's extension-font glyphs).

pdfTeX embeds Computer Modern's extension font (CMEX: big brackets, parentheses, braces,
bars, and the pieces tall ones are built from) without a ToUnicode map, so the text layer
reports every one of them as U+FFFD: a ``[`` cannot be told from a ``)`` or a ``\\sum``.
The embedded Type 1 program still names each glyph (``bracketleftbigg``), and MuPDF's text
trace gives the glyph index of every character; the index is the glyph's position in the
font's ``CharStrings`` (``.notdef`` first), which this module reads after undoing the
``eexec`` encryption of the Type 1 format (Adobe Type 1 Font Format, ch. 7).
"""

from __future__ import annotations

import io
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pymupdf

from scipix_search.ingest.pdf._families import (
    is_bold_font,
    is_italic_font,
    is_math_font,
    is_text_italic_font,
    same_family,
)

logger = logging.getLogger(__name__)

_EEXEC_KEY = 55665
_VARIANT_RE = re.compile(r"(?<=[A-Za-z])\.\d+$")
_PIECE_VARIANT_RE = re.compile(r"^((?:paren|bracket|brace)[a-z]*(?:tp|ex|bt|mid))[A-Z]$")
"""newtxmath's extension fonts (newtx, newpx, Libertine, Cochineal) name the pieces of their
extensible parentheses ``parenlefttpA``, ``parenleftexA``, ``parenleftbtA``: a variant letter
after CMEX's piece name, so a tall ``(`` of pieces was no delimiter."""
_CHARSTRING_RE = re.compile(rb"/([A-Za-z0-9._-]+)\s+(\d+)\s+(?:RD|-\|)\s")


def type1_glyph_names(program: bytes) -> list[str]:
    """Glyph names of a Type 1 font program in glyph-index order (``.notdef`` at 0).

    Args:
        program: the embedded font file (clear-text part, then the ``eexec`` part, binary or
            hexadecimal).

    Returns:
        The names, or an empty list when the program is not a readable Type 1 font.
    """
    start = program.find(b"eexec")
    if start < 0:
        return []
    start += 5
    while start < len(program) and program[start] in b"\r\n\t ":
        start += 1
    data = program[start:]
    if re.fullmatch(rb"[0-9A-Fa-f\s]+", data[:64] or b"x"):
        hexdigits = re.sub(rb"[^0-9A-Fa-f]", b"", data)
        data = bytes.fromhex(hexdigits[: len(hexdigits) // 2 * 2].decode())
    text = _eexec_decrypt(data)[4:]
    pos = text.find(b"/CharStrings")
    if pos < 0:
        return []
    names: list[str] = []
    while (m := _CHARSTRING_RE.search(text, pos)) is not None:
        names.append(m.group(1).decode("ascii"))
        pos = m.end() + int(m.group(2))  # skip the binary charstring, which may hold "/x 1 RD"
    if ".notdef" in names and names[0] != ".notdef":
        # FreeType puts .notdef at index 0 by swapping it with the first glyph
        i = names.index(".notdef")
        names[0], names[i] = names[i], names[0]
    return names


def _eexec_decrypt(data: bytes) -> bytes:
    """Undo ``eexec``: ``plain[i] = c[i] ^ (r[i] >> 8)`` with ``r[i+1] = (c[i] + r[i]) * 52845 +
    22719`` (mod 2^16). Each step is an affine map of ``r``, so all keys come from a prefix
    scan of those maps in numpy (a byte-by-byte Python loop took ~0.1 s a font)."""
    c = np.frombuffer(data, dtype=np.uint8).astype(np.uint64)
    if not len(c):
        return b""
    mult = np.full(len(c), 52845, dtype=np.uint64)  # step i: r -> mult * r + add
    add = (c * 52845 + 22719) & 0xFFFF
    shift = 1
    while shift < len(c):  # Hillis-Steele scan: step i composed with the steps before it
        m_prev, a_prev = mult[:-shift].copy(), add[:-shift].copy()
        add[shift:] = (mult[shift:] * a_prev + add[shift:]) & 0xFFFF
        mult[shift:] = (mult[shift:] * m_prev) & 0xFFFF
        shift *= 2
    keys = np.empty(len(c), dtype=np.uint64)
    keys[0] = _EEXEC_KEY
    keys[1:] = (mult[:-1] * _EEXEC_KEY + add[:-1]) & 0xFFFF
    return (c ^ (keys >> 8)).astype(np.uint8).tobytes()


def cff_glyph_names(program: bytes | None) -> list[str]:
    """Glyph names of a CFF (or OpenType-CFF) font program in glyph-index order.

    PDF tools (Ghostscript, some arXiv pipelines) re-embed TeX's Type 1 fonts as CFF; its
    charset names every glyph as the Type 1 program did (``bracketleftbigg``).

    Returns:
        The names, or an empty list when the program is no readable CFF font.
    """
    if not program:
        return []
    from fontTools.cffLib import CFFFontSet  # only for PDFs that embed CFF fonts

    try:
        if program[:4] == b"OTTO":
            from fontTools.ttLib import TTFont

            return list(TTFont(io.BytesIO(program)).getGlyphOrder())
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(program), None)
        return list(cff[cff.fontNames[0]].charset)
    except Exception as exc:  # noqa: BLE001 - an unreadable font only loses the names
        logger.debug("CFF font program not read: %s", exc)
        return []


def unnamed_glyph_names(
    page: pymupdf.Page, trace: list[dict] | None = None
) -> dict[tuple[float, float], str]:
    """Glyph names of the page's characters that have no Unicode value, by their origin.

    Args:
        page: the page.
        trace: the page's ``get_texttrace()``, when the caller has it already.

    Returns:
        ``{(round(x, 1), round(y, 1)): name}`` for every U+FFFD character of a Type 1 font
        whose program names it; empty when there are none.
    """
    spans = page.get_texttrace() if trace is None else trace
    unknown = any(ch[0] == 0xFFFD for span in spans for ch in span["chars"])
    out: dict[tuple[float, float], str] = {}
    fonts = page.get_fonts() if unknown else []
    memo: dict[str, list[str]] = {}
    for span in spans:
        chars = [(ch[1], ch[2]) for ch in span["chars"] if ch[0] == 0xFFFD]
        if not chars:
            continue
        names = span_glyph_names(page, span, fonts, memo)
        for gid, origin in chars:
            if 0 <= gid < len(names):
                # newtx names variants ``summationdisplay.1``: the base name is the glyph
                name = _PIECE_VARIANT_RE.sub(r"\1", _VARIANT_RE.sub("", names[gid]))
                out[(round(origin[0], 1), round(origin[1], 1))] = name
    return out


MUPDF_NAME_CUT = 24
"""MuPDF cuts the font names of text spans to this many characters."""


HEAVY_STEM = 1.3
"""A font whose dominant vertical stem (its descriptor's ``StemV``) is this much wider than
its family's lightest on the page is bold: Libertine's semibold ``LinLibertineTZ`` (the
``\\mathbf`` of newtxmath[libertine]) has 110 against ``LinLibertineT``'s 79, Biolinum's
``LinBiolinumTB`` 132 against 80; a family's italic is within a few units of its regular.
Absolute stems say nothing (Latin Modern's 17 pt roman has 18, newtx's extension 1000)."""


def heavy_fonts(page: pymupdf.Page) -> frozenset[str]:
    """Span font names (cut as MuPDF cuts them) of the page's fonts that are heavier than
    their family's lightest (:data:`HEAVY_STEM`), where neither the name nor the program's
    weight says bold (``LinLibertineTZ``: a semibold)."""
    stems: dict[str, float] = {}
    doc = page.parent
    for xref, _ext, _kind, basefont, *_ in page.get_fonts():
        name = basefont.split("+", 1)[-1][:MUPDF_NAME_CUT]
        kind, ref = doc.xref_get_key(xref, "FontDescriptor")
        if kind != "xref" or name in stems:
            continue
        stem_kind, stem = doc.xref_get_key(int(ref.split()[0]), "StemV")
        if stem_kind == "int" or stem_kind == "real":
            stems[name] = float(stem)
    # upright text fonts only: a math family's fonts share a name (``Fourier-Math-Letters``,
    # ``Fourier-Math-Symbols``) and not a stem, and an italic's stem is no regular's
    stems = {
        name: stem
        for name, stem in stems.items()
        if not (is_math_font(name) or is_italic_font(name) or is_text_italic_font(name))
    }
    out: set[str] = set()
    for name, stem in stems.items():
        family = {o: s for o, s in stems.items() if o != name and same_family(name, o)}
        # stems that contradict the names are not read (sansmathfonts' regular says 333, its
        # ``BoldExtended`` 102)
        lying = any(is_bold_font(o) and s < stem for o, s in family.items())
        lightest = min(family.values(), default=0.0)
        if not lying and lightest > 0 and stem >= HEAVY_STEM * lightest:
            out.add(name)
    return frozenset(out)


def cut_name_roles(page: pymupdf.Page, span_fonts: set[str]) -> dict[str, str]:
    """For each span font whose name MuPDF cut short, the roles (``/Bold``, ``/Italic``)
    that only the cut-off part of the full name says, in every one of the page's fonts that
    the name can be.

    ``Fourier-Math-Letters-Bold`` and ``Fourier-Math-Letters-Bold-Italic`` (``\\boldsymbol``
    in Fourier) both reach the reader as ``Fourier-Math-Letters-Bol``: no role pattern reads
    a bold font in that, and bold Greek read as plain Greek. No family is named: any cut
    name is resolved against the page's fonts.
    """
    cut = [f for f in span_fonts if len(f) == MUPDF_NAME_CUT]
    if not cut:
        return {}
    fulls = {f[3].split("+", 1)[-1] for f in page.get_fonts()}
    out: dict[str, str] = {}
    for font in cut:
        full = [f for f in fulls if f.startswith(font) and len(f) > len(font)]
        if not full:
            continue
        roles = ""
        if all(is_bold_font(f) for f in full) and not is_bold_font(font):
            roles += "/Bold"
        if all(is_italic_font(f) for f in full) and not is_italic_font(font):
            roles += "/Italic"
        if roles:
            out[font] = roles
    return out


def span_glyph_names(
    page: pymupdf.Page, span: dict, fonts: list[tuple], memo: dict[str, list[str]] | None = None
) -> list[str]:
    """Glyph names of the font program a text-trace span is drawn with (see
    :func:`font_glyph_names`).

    MuPDF cuts font names to 24 characters, so fonts that differ only after that
    (``ComputerModernSans-MathitalicRegular10pt`` and ``...7pt``) share a span name, and the
    names of the first such font were read for the glyph indices of all of them: wrong
    names, and the text layer "fixed" by them. Where the name is shared, the program whose
    names agree with the span's letters (code ``a``, glyph named ``a``) is the span's; no
    names when none stands out. ``memo`` keeps, for the caller's page, the names of each
    span font that only one program can be (a page has thousands of spans, tens of fonts)."""
    span_font = span["font"]
    if memo is not None and span_font in memo:
        return memo[span_font]
    candidates = {
        basefont.split("+", 1)[-1]: xref
        for xref, _ext, _kind, basefont, *_ in fonts
        if basefont.split("+", 1)[-1].startswith(span_font)
    }
    if len(candidates) <= 1:
        names = font_glyph_names(page, span_font, fonts)
        if memo is not None:
            memo[span_font] = names
        return names
    scores = []
    for full in candidates:
        # a program's names, once a page too ("\0" keeps them apart from span fonts)
        if memo is not None and "\0" + full in memo:
            names = memo["\0" + full]
        else:
            names = font_glyph_names(page, full, fonts)
            if memo is not None:
                memo["\0" + full] = names
        agree = sum(
            0 <= gid < len(names) and chr(code).isalpha() and names[gid] == chr(code)
            for code, gid, *_ in span["chars"]
            if code < 0x80
        )
        misses = sum(not 0 <= gid < len(names) for _code, gid, *_ in span["chars"])
        scores.append((agree - misses, names))
    best = max(score for score, _ in scores)
    tied = [names for score, names in scores if score == best]
    if best <= 0:
        return []
    # programs that name the span's glyphs alike (subsets of one font) are the same to it
    read = {
        tuple(ns[gid] if 0 <= gid < len(ns) else "" for _c, gid, *_ in span["chars"]) for ns in tied
    }
    return tied[0] if len(read) == 1 else []


def font_glyph_names(
    page: pymupdf.Page, span_font: str, fonts: list[tuple] | None = None
) -> list[str]:
    """Glyph names, in glyph-index order, of the embedded Type 1 or CFF program of the page's
    font that MuPDF calls ``span_font``; empty when there is no readable program. ``fonts``
    is the page's ``get_fonts()`` when the caller has it (it costs ~20 ms a call)."""
    for xref, ext, kind, basefont, *_ in page.get_fonts() if fonts is None else fonts:
        full = basefont.split("+", 1)[-1]
        # MuPDF cuts span font names to 24 characters (``LMMathExtension10-Regula``)
        if not (full == span_font or full.startswith(span_font)):
            continue
        if kind not in ("Type1", "Type1C", "CIDFontType0", "Type0"):
            return []
        # the font dictionary names the subset (``NUKMFY+``): the same key is the same program
        key = (xref, page.parent.xref_object(xref, compressed=True))
        names = _NAMES_CACHE.get(key)
        if names is None:
            names = _read_names(page.parent, xref, ext)
            _NAMES_CACHE[key] = names
            if len(_NAMES_CACHE) > _NAMES_KEPT:
                del _NAMES_CACHE[next(iter(_NAMES_CACHE))]
        else:
            _NAMES_CACHE.move_to_end(key)
        return names
    return []


_NAMES_CACHE: OrderedDict[tuple[int, str], list[str]] = OrderedDict()
"""Glyph names by font program, least recently used first (a document with more programs
than it keeps no longer empties it for every one it adds)."""
_NAMES_KEPT = 256


def _read_names(doc: pymupdf.Document, xref: int, ext: str) -> list[str]:
    try:
        program = doc.extract_font(xref)[3]
    except Exception as exc:  # noqa: BLE001 - an unreadable font only loses the names
        logger.debug("font xref %d not extracted: %s", xref, exc)
        return []
    # a Type 1 program, or the same font converted to CFF (FontFile3) by a PDF tool
    names = cff_glyph_names(program) if ext in ("cff", "otf") else []
    return names or type1_glyph_names(program or b"")


def base_glyph_name(name: str) -> str:
    """``summationdisplay.1`` -> ``summationdisplay`` (newtx names glyph variants so)."""
    return _VARIANT_RE.sub("", name)


_PK_NAME_RE = re.compile(r"/a\d+|/\.notdef")


def anonymous_bitmap_fonts(page: pymupdf.Page) -> frozenset[str]:
    """Names of the page's Type 3 fonts that say nothing about their glyphs: no ToUnicode
    map, and glyph names that are only their codes (``/a65``), as pdfTeX writes the bitmap
    (PK) fonts of a Metafont-only family (Concrete math). The text layer gives their codes as
    if they were ASCII, whatever the font's TeX encoding (a math italic's ``,`` is code 59,
    ``;``), so only their letters can be believed."""
    out = set()
    doc = page.parent
    for xref, _ext, kind, basefont, *_ in page.get_fonts():
        if kind != "Type3":
            continue
        obj = doc.xref_object(xref, compressed=True)
        if "/ToUnicode" in obj:
            continue
        m = re.search(r"/Encoding (\d+) 0 R", obj)
        encoding = doc.xref_object(int(m.group(1)), compressed=True) if m else obj
        names = re.findall(r"/[^\s\[\]/<>()]+", encoding.split("/Differences", 1)[-1])
        if names and all(_PK_NAME_RE.fullmatch(n) for n in names):
            out.add(basefont)
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class BitmapFont:
    """What an anonymous bitmap font was found to be (``identify_bitmap_fonts``): the
    Computer Modern font whose TeX metrics its widths fit (``alias``, ``CMMI7``; empty when
    several encodings fit), and the glyph name of every code (``""`` where unknown)."""

    alias: str
    names: tuple[str, ...]
    widths: dict[int, float] = field(default_factory=dict)  # em, by code


MIN_FIT_CODES = 3
"""An anonymous font is fitted against TeX's metrics only when it draws this many codes."""
MAX_FIT_ERROR = 0.02
"""Largest root-mean-square width difference (em, after the best scale) of a fit."""


def identify_bitmap_fonts(page: pymupdf.Page) -> dict[str, BitmapFont]:
    """The anonymous bitmap fonts of the page (``anonymous_bitmap_fonts``) whose TeX font
    encoding their character widths tell, by font name.

    A Metafont font has the metrics of its TFM file, and a family keeps the character set
    of the TeX encoding it follows (OT1, T1, OML math italic, OMS symbols, OMX extension,
    the AMS symbol fonts), with widths near Computer Modern's at the same codes: a font's
    ``/Widths``, scaled by its ``/FontMatrix``, are fitted (one scale factor, for its size)
    against every Computer Modern font of ``_tex_metrics``. The best fit names the codes,
    where it fits within ``MAX_FIT_ERROR`` em; where fonts of several encodings fit about
    as well, only the codes they all read alike are named (and the font takes the best
    fit's role only when those are the two text encodings, OT1 and T1)."""
    anonymous = anonymous_bitmap_fonts(page)
    out: dict[str, BitmapFont] = {}
    if not anonymous:
        return out
    doc = page.parent
    for xref, _ext, _kind, basefont, *_ in page.get_fonts():
        if basefont not in anonymous or basefont in out:
            continue
        key = (xref, doc.xref_object(xref, compressed=True))
        if key not in _BITMAP_CACHE:
            if len(_BITMAP_CACHE) > 256:
                _BITMAP_CACHE.clear()
            widths = _em_widths(doc, key[1])
            fitted = _fit_bitmap_font(widths)
            _BITMAP_CACHE[key] = fitted and BitmapFont(fitted.alias, fitted.names, widths)
        found = _BITMAP_CACHE[key]
        if found is not None:
            out[basefont] = found
    return out


_BITMAP_CACHE: dict[tuple[int, str], BitmapFont | None] = {}


def _em_widths(doc: pymupdf.Document, obj: str) -> dict[int, float]:
    """A Type 3 font's advance widths in em, by code (codes of width 0 left out)."""
    matrix = re.search(r"/FontMatrix\s*\[\s*([-\d.]+)", obj)
    first = re.search(r"/FirstChar\s+(\d+)", obj)
    widths = re.search(r"/Widths\s*(?:(\d+) 0 R|\[([^\]]*)\])", obj)
    if not (matrix and first and widths):
        return {}
    if widths.group(1):
        array = doc.xref_object(int(widths.group(1)), compressed=True)
        text = array.split("[", 1)[-1].split("]", 1)[0]
    else:
        text = widths.group(2)
    scale = float(matrix.group(1))
    start = int(first.group(1))
    values = [float(v) for v in re.findall(r"-?[\d.]+", text)]
    return {start + i: v * scale for i, v in enumerate(values) if v > 0}


def _fit_bitmap_font(widths: dict[int, float]) -> BitmapFont | None:
    from scipix_search.ingest.pdf._tex_metrics import ENCODINGS, WIDTHS
    from scipix_search.ingest.pdf._truth import drawn_char

    if not widths:
        return None
    if len(widths) < MIN_FIT_CODES:
        return _exact_bitmap_font(widths)
    fits: list[tuple[float, str, str]] = []
    for font, (encoding, metric) in WIDTHS.items():
        if any(c not in metric for c in widths):
            continue
        tfm = [metric[c] for c in widths]
        drawn = list(widths.values())
        scale = sum(w * t for w, t in zip(drawn, tfm, strict=True)) / sum(t * t for t in tfm)
        if not 0.5 <= scale <= 2.0:
            continue
        err = sum((w / scale - t) ** 2 for w, t in zip(drawn, tfm, strict=True)) / len(tfm)
        fits.append((err**0.5, font, encoding))
    if not fits:
        return None
    fits.sort()
    best, font, encoding = fits[0]
    if best > MAX_FIT_ERROR:
        return None
    close = {enc for err, _f, enc in fits if err <= max(1.5 * best, best + 0.004)}
    names = ENCODINGS[encoding]
    if len(close) == 1:
        return BitmapFont(font.upper(), names)
    agreed = tuple(
        n if len({_meaning(ENCODINGS[e][code]) for e in close}) == 1 and drawn_char(n) else ""
        for code, n in enumerate(names)
    )
    # OT1 and T1 are both text encodings: a font that fits both is in that text font's role
    alias = font.upper() if close <= _TEXT_ENCODINGS else ""
    return BitmapFont(alias, agreed)


_TEXT_ENCODINGS = {"OT1", "T1"}


def _meaning(name: str) -> str:
    """What a glyph name stands for, to compare encodings: its character (the math italic's
    old-style ``twooldstyle`` is the digit 2), or the name where it has none."""
    from scipix_search.ingest.pdf._truth import drawn_char

    return drawn_char(name.removesuffix("oldstyle")) or name


EXACT_WIDTH = 0.0015
"""A font of one or two codes is known only where its widths are a TFM's to this many em."""


def _exact_bitmap_font(widths: dict[int, float]) -> BitmapFont | None:
    """A font of too few codes to fit: known where its widths are exactly (``EXACT_WIDTH``)
    those of Computer Modern fonts at their design size, as a PK font of Computer Modern
    itself has them, and where all those fonts name its codes alike."""
    from scipix_search.ingest.pdf._tex_metrics import ENCODINGS, WIDTHS

    exact = [
        (font, encoding)
        for font, (encoding, metric) in WIDTHS.items()
        if all(c in metric and abs(metric[c] - w) <= EXACT_WIDTH for c, w in widths.items())
    ]
    if not exact:
        return None
    names = ENCODINGS[exact[0][1]]
    for code in widths:
        named = {ENCODINGS[enc][code] for _f, enc in exact}
        if len({_meaning(n) for n in named}) > 1:
            return None
    encodings = {enc for _f, enc in exact}
    alias = exact[0][0].upper() if len(encodings) == 1 or encodings <= _TEXT_ENCODINGS else ""
    return BitmapFont(alias, tuple(n if c in widths else "" for c, n in enumerate(names)))


def bitmap_glyph_names(
    trace: list[dict], fonts: dict[str, BitmapFont]
) -> dict[tuple[float, float], tuple[str, str, float]]:
    """``{origin: (glyph name, font alias, advance in points)}`` of the characters of
    identified bitmap fonts (``identify_bitmap_fonts``); the text trace gives each its code
    as glyph index."""
    out: dict[tuple[float, float], tuple[str, str, float]] = {}
    for span in trace:
        found = fonts.get(span["font"])
        if found is None:
            continue
        for ch in span["chars"]:
            code = ch[1]
            if 0 <= code < len(found.names) and found.names[code]:
                origin = (round(ch[2][0], 1), round(ch[2][1], 1))
                advance = found.widths.get(code, 0.0) * span["size"]
                out[origin] = (found.names[code], found.alias, advance)
    return out


def bitmap_font_extent(alias: str) -> tuple[float, float] | None:
    """``(ascent, descent)`` in em of the Computer Modern font a bitmap font fits (by its
    alias, ``CMMI10``): pdfTeX's ``/Ascent`` and ``/Descent`` of the outline font (the
    height of its ``h``, the depth of its ``y``), which MuPDF makes every glyph box of it;
    ``None`` where unknown."""
    from scipix_search.ingest.pdf._tex_metrics import ASCENT_DESCENT

    return ASCENT_DESCENT.get(alias.lower())
