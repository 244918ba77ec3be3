"""Write ``scipix_search/ingest/pdf/_tex_metrics.py``: the character widths (TFM) and glyph
names (by code) of Computer Modern's fonts in TeX's font encodings (OT1, T1, OML, OMS, OMX
and the AMS symbol fonts), from the TeX Live installed by ``scripts/install_tex.sh``.

The reader fits an anonymous bitmap (Type 3) font's widths against them to learn its TeX
encoding (``_fonts.identify_bitmap_font``), and a font's drawn glyphs against their outlines
(``INK``: how far each glyph reaches over and under its baseline) to tell a text layer that
names another glyph than the one drawn (``_shapes``). Usage: ``python scripts/gen_tex_metrics.py``.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from pathlib import Path

from fontTools.t1Lib import T1Font

OUT = Path(__file__).resolve().parents[1] / "scipix_search/ingest/pdf/_tex_metrics.py"
# font -> encoding; the names of an encoding come from the first font's Type 1 program
FONTS = {
    **{f"cmr{n}": "OT1" for n in (5, 6, 7, 8, 9, 10, 12, 17)},
    **{f"cmbx{n}": "OT1" for n in (5, 6, 7, 8, 9, 10, 12)},
    **{f"cmti{n}": "OT1" for n in (7, 8, 9, 10, 12)},
    **{f"cmmi{n}": "OML" for n in (5, 6, 7, 8, 9, 10, 12)},
    **{f"cmmib{n}": "OML" for n in (5, 7, 10)},
    **{f"cmsy{n}": "OMS" for n in (5, 6, 7, 8, 9, 10)},
    **{f"cmbsy{n}": "OMS" for n in (5, 7, 10)},
    **{f"cmex{n}": "OMX" for n in (7, 8, 9, 10)},
    **{f"msam{n}": "MSAM" for n in (5, 7, 10)},
    **{f"msbm{n}": "MSBM" for n in (5, 7, 10)},
    **{f"ecrm{n}": "T1" for n in ("0500", "0700", "0800", "0900", "1000", "1200")},
    **{f"ecbx{n}": "T1" for n in ("0700", "1000")},
    "ecti1000": "T1",
}


_ENC_FILES = {"OT1": "lm-rm.enc", "T1": "lm-ec.enc"}


def kpsewhich(name: str) -> Path:
    out = subprocess.run(["kpsewhich", name], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def tfm_widths(path: Path) -> dict[int, float]:
    """Character widths in em (design size) by code, from a TFM file."""
    d = path.read_bytes()
    _lf, lh, bc, ec, nw = struct.unpack(">5H", d[:10])
    ci = 24 + lh * 4
    wt = ci + (ec - bc + 1) * 4
    widths = [struct.unpack(">i", d[wt + 4 * i : wt + 4 * i + 4])[0] / 2**20 for i in range(nw)]
    return {c: widths[d[ci + 4 * (c - bc)]] for c in range(bc, ec + 1) if d[ci + 4 * (c - bc)]}


def tfm_ascent_descent(path: Path) -> tuple[float, float] | None:
    """The height of ``h`` and the depth of ``y`` (em), which pdfTeX writes as an embedded
    font's ``/Ascent`` and ``/Descent`` (MuPDF's glyph boxes of the outline font); ``None``
    where the font has no such codes."""
    d = path.read_bytes()
    _lf, lh, bc, ec, nw, nh, _nd = struct.unpack(">7H", d[:14])
    ci = 24 + lh * 4
    wt = ci + (ec - bc + 1) * 4
    ht = wt + 4 * nw
    dp = ht + 4 * nh

    def fix(table: int, i: int) -> float:
        return struct.unpack(">i", d[table + 4 * i : table + 4 * i + 4])[0] / 2**20

    out = []
    for code, table, shift in ((104, ht, 4), (121, dp, 0)):
        if not bc <= code <= ec or not d[ci + 4 * (code - bc)]:
            return None
        out.append(fix(table, (d[ci + 4 * (code - bc) + 1] >> shift) & 0xF))
    return out[0], out[1]


def encoding_names(encoding: str, font: str) -> list[str]:
    # the Type 1 CM text fonts' built-in encodings are not OT1 (``arrowup`` at the code of
    # ``ff``): the text encodings come from Latin Modern's encoding files
    if encoding in _ENC_FILES:
        text = kpsewhich(_ENC_FILES[encoding]).read_text(encoding="latin-1")
        body = text.split("[", 1)[1].split("]", 1)[0]
        lines = [ln.split("%", 1)[0] for ln in body.splitlines()]
        names = [n.lstrip("/") for n in " ".join(lines).split()]
        return names[:256]
    t1 = T1Font(str(kpsewhich(f"{font}.pfb")))
    t1.parse()
    enc = t1.font["Encoding"]
    return [enc[i] if i < len(enc) else ".notdef" for i in range(256)]


# the font whose drawn glyphs stand for each encoding's (10 pt; T1 in Latin Modern, whose
# program has the T1 names)
_INK_FONTS = {
    "OT1": "cmr10", "T1": "lmr10", "OML": "cmmi10", "OMS": "cmsy10", "OMX": "cmex10",
    "MSAM": "msam10", "MSBM": "msbm10",
}  # fmt: skip


# Math fonts with a layout of their own (no TeX encoding): the glyph each code draws comes
# from the package's symbol declarations, the outline from the font's program by code.
# mathabx's Type 1 programs name each glyph after the ASCII character of its code (``p`` draws
# ``(``), so pdfTeX's ToUnicode maps give ``p``: read through its layout, the drawn shapes tell.
_LAYOUTS = {
    "MATHA": ("mathabx.dcl", "matha", "matha10"),
    "MATHB": ("mathabx.dcl", "mathb", "mathb10"),
}
_EXTENSION_LAYOUTS = {"MATHX": ("mathabx.dcl", "mathx", "mathx10")}
_DECLARE_RE = re.compile(
    r"^\s*\\DeclareMath(?:Symbol|Delimiter|Radical)\{?(\\?[^\s{}]+|[^\s{}])\}?\s*(?:\{\d\})?\s*"
    r"\{(\w+)\}\{\"([0-9A-F]{2})\}",
    re.M,
)
_LITERAL_NAMES = {"-": "minus"}  # the AGL's ``hyphen`` is the text dash, TeX's - the minus


def layout_names(dcl: str, family: str) -> list[str]:
    """Glyph names by code of a symbol font laid out by ``\\DeclareMathSymbol`` (and the
    small forms of ``\\DeclareMathDelimiter``): each code's first declared symbol that
    has a Unicode character, named as the Adobe Glyph List names it (``uniXXXX`` else)."""
    from fontTools.agl import UV2AGL

    from scipix_search.ingest.pdf._glyphs import SYMBOLS

    by_command: dict[str, str] = {}
    for char, command in SYMBOLS.items():
        by_command.setdefault(command, char)
    by_command.update(
        {
            "\\lbrace": "{",
            "\\rbrace": "}",
            "\\vert": "|",
            "\\Vert": "\u2016",
            "\\prime": "\u2032",
            "\\sqrt": "\u221a",
        }
    )
    names = [".notdef"] * 256
    text = kpsewhich(dcl).read_text(encoding="latin-1")
    for command, fam, code_hex in _DECLARE_RE.findall(text):
        code = int(code_hex, 16)
        if fam != family or names[code] != ".notdef":
            continue
        char = command if len(command) == 1 else by_command.get(command, "")
        if len(char) != 1:
            continue
        names[code] = _LITERAL_NAMES.get(char) or UV2AGL.get(ord(char)) or f"uni{ord(char):04X}"
    return names


def tfm_successors(path: Path) -> tuple[dict[int, int], dict[int, tuple[int, int, int, int]]]:
    """A TFM file's charlists (``{code: next larger code}``) and extensible recipes
    (``{code: (top, mid, bot, rep)}``, 0 where a piece is absent)."""
    d = path.read_bytes()
    _lf, lh, bc, ec, nw, nh, nd, ni, nl, nk, _ne, _np = struct.unpack(">12H", d[:24])
    ci = 24 + lh * 4
    exten = ci + 4 * ((ec - bc + 1) + nw + nh + nd + ni + nl + nk)
    nexts: dict[int, int] = {}
    recipes: dict[int, tuple[int, int, int, int]] = {}
    for code in range(bc, ec + 1):
        info = d[ci + 4 * (code - bc) : ci + 4 * (code - bc) + 4]
        tag, rem = info[2] & 3, info[3]
        if tag == 2:
            nexts[code] = rem
        elif tag == 3:
            top, mid, bot, rep = d[exten + 4 * rem : exten + 4 * rem + 4]
            recipes[code] = (top, mid, bot, rep)
    return nexts, recipes


_LARGE_RE = re.compile(
    r"\\DeclareMath(?:Symbol|Delimiter|Radical|Accent)\s*\{?(\\?[^\s{}]+|[^\s{}])\}?"
    r"(?:\s*\{\\?\w+\})?(?:\s*\{\w+\}\s*\{\"[0-9A-F]{2}\})?\s*\{(\w+)\}\s*\{\"([0-9A-F]{2})\}"
)


def _large_codes(text: str, family: str) -> dict[str, int]:
    """``{command: code}`` of the symbols, delimiters' large forms, radicals and accents that
    ``\\DeclareMath...`` puts in ``family``."""
    text = re.sub(r"%[^\n]*", "", text)
    out: dict[str, int] = {}
    for command, fam, code in _LARGE_RE.findall(text):
        if fam == family:
            out.setdefault(command, int(code, 16))
    return out


def extension_layout_names(dcl: str, family: str, font: str) -> list[str]:
    """Glyph names by code of an extension font with a layout of its own (mathabx's mathx):
    each large symbol, delimiter size, radical and wide accent is named as Computer Modern's
    CMEX names the glyph at the same step of the same command's chain of sizes (LaTeX's
    ``fontmath.ltx`` for CMEX; the TFM files' charlists and extensible recipes)."""
    names = [".notdef"] * 256
    omx = encoding_names("OMX", "cmex10")
    cm_codes = _large_codes(kpsewhich("fontmath.ltx").read_text(encoding="latin-1"), "largesymbols")
    own_codes = _large_codes(kpsewhich(dcl).read_text(encoding="latin-1"), family)
    cm_next, cm_ext = tfm_successors(kpsewhich("cmex10.tfm"))
    own_next, own_ext = tfm_successors(kpsewhich(f"{font}.tfm"))
    for command, own in own_codes.items():
        cm = cm_codes.get(command)
        seen: set[int] = set()
        while cm is not None and own not in seen:
            seen.add(own)
            if names[own] == ".notdef":
                names[own] = omx[cm]
            if own in own_ext and cm in cm_ext:
                for piece, cm_piece in zip(own_ext[own], cm_ext[cm], strict=True):
                    if piece and cm_piece and names[piece] == ".notdef":
                        names[piece] = omx[cm_piece]
            if own not in own_next or cm not in cm_next:
                break
            own, cm = own_next[own], cm_next[cm]
    return names


def glyph_inks(font: str, names: list[str], layout: bool = False) -> dict[int, tuple[float, float]]:
    """``{code: (top, bottom)}``: how far each glyph's outline reaches over its baseline
    and under it (em, from the Type 1 program; a glyph wholly over its baseline has a
    negative bottom)."""
    from fontTools.pens.boundsPen import BoundsPen

    t1 = T1Font(str(kpsewhich(f"{font}.pfb")))
    t1.parse()
    glyphs = t1.getGlyphSet()
    if layout:  # the program's own names by code: the glyph drawn at each code
        own = t1.font["Encoding"]
        names = [
            own[i] if name != ".notdef" and i < len(own) else ".notdef"
            for i, name in enumerate(names)
        ]
    out = {}
    for code, name in enumerate(names):
        if name in (".notdef", "") or name not in glyphs:
            continue
        pen = BoundsPen(glyphs)
        glyphs[name].draw(pen)
        if pen.bounds is not None:
            out[code] = (pen.bounds[3] / 1000, -pen.bounds[1] / 1000)
    return out


def main() -> None:
    names: dict[str, list[str]] = {}
    widths: dict[str, tuple[str, dict[int, float]]] = {}
    for font, encoding in FONTS.items():
        if encoding not in names:
            names[encoding] = encoding_names(encoding, font)
        widths[font] = (encoding, tfm_widths(kpsewhich(f"{font}.tfm")))
    for layout, (dcl, family, _font) in _LAYOUTS.items():
        names[layout] = layout_names(dcl, family)
    for layout, (dcl, family, font) in _EXTENSION_LAYOUTS.items():
        names[layout] = extension_layout_names(dcl, family, font)
    lines = [
        '"""Generated by ``scripts/gen_tex_metrics.py`` from TeX Live: Computer Modern\'s',
        "character widths (em, from the TFM files) and glyph names by code, per TeX font",
        'encoding. Do not edit."""',
        "",
        "# fmt: off",
        "ENCODINGS: dict[str, tuple[str, ...]] = {",
    ]
    for enc, ns in names.items():
        lines.append(f"    {enc!r}: (")
        row: list[str] = []
        for n in ns:
            row.append(repr(n))
            if len(row) == 8:
                lines.append("        " + ", ".join(row) + ",")
                row = []
        if row:
            lines.append("        " + ", ".join(row) + ",")
        lines.append("    ),")
    lines.append("}")
    lines.append("WIDTHS: dict[str, tuple[str, dict[int, float]]] = {")
    for font, (enc, ws) in widths.items():
        lines.append(f"    {font!r}: ({enc!r}, {{")
        items = [f"{c}: {w:.4f}" for c, w in sorted(ws.items())]
        for i in range(0, len(items), 8):
            lines.append("        " + ", ".join(items[i : i + 8]) + ",")
        lines.append("    }),")
    lines.append("}")
    lines.append("ASCENT_DESCENT: dict[str, tuple[float, float]] = {")
    for font in widths:
        found = tfm_ascent_descent(kpsewhich(f"{font}.tfm"))
        if found is not None:
            lines.append(f"    {font!r}: ({found[0]:.4f}, {found[1]:.4f}),")
    lines.append("}")
    lines.append("INK: dict[str, dict[int, tuple[float, float]]] = {")
    inks = {enc: glyph_inks(font, names[enc]) for enc, font in _INK_FONTS.items()}
    for layout, (_dcl, _family, font) in {**_LAYOUTS, **_EXTENSION_LAYOUTS}.items():
        inks[layout] = glyph_inks(font, names[layout], layout=True)
    for enc, ink in inks.items():
        lines.append(f"    {enc!r}: {{")
        items = [f"{c}: ({t:.3f}, {b:.3f})" for c, (t, b) in ink.items()]
        for i in range(0, len(items), 6):
            lines.append("        " + ", ".join(items[i : i + 6]) + ",")
        lines.append("    },")
    lines.append("}")
    lines.append("# fmt: on")
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    sys.stdout.write(f"wrote {OUT}\n")


if __name__ == "__main__":
    main()
