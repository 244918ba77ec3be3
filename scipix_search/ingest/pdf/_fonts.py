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

import numpy as np
import pymupdf

logger = logging.getLogger(__name__)

_EEXEC_KEY = 55665
_VARIANT_RE = re.compile(r"(?<=[A-Za-z])\.\d+$")
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
    unknown: dict[str, list[tuple[int, tuple[float, float]]]] = {}
    for span in page.get_texttrace() if trace is None else trace:
        for ch in span["chars"]:
            if ch[0] == 0xFFFD:
                unknown.setdefault(span["font"], []).append((ch[1], ch[2]))
    out: dict[tuple[float, float], str] = {}
    fonts = page.get_fonts() if unknown else []
    for name, chars in unknown.items():
        names = font_glyph_names(page, name, fonts)
        for gid, origin in chars:
            if 0 <= gid < len(names):
                # newtx names variants ``summationdisplay.1``: the base name is the glyph
                out[(round(origin[0], 1), round(origin[1], 1))] = _VARIANT_RE.sub("", names[gid])
    return out


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
        if key not in _NAMES_CACHE:
            if len(_NAMES_CACHE) > 256:
                _NAMES_CACHE.clear()
            _NAMES_CACHE[key] = _read_names(page.parent, xref, ext)
        return _NAMES_CACHE[key]
    return []


_NAMES_CACHE: dict[tuple[int, str], list[str]] = {}


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
