"""A source row as the page prints it: bold asked for where the fonts have none.

The ground truth of the PDF scorer is the LaTeX source, but a reader of the page can only
write what the page prints. One difference is systematic and not a reading error: a bold
command around a symbol whose font has no bold version prints the symbol regular. ``bm`` and
``\\boldsymbol`` fall back to the regular glyph when the math version ``bold`` has no font for
the symbol (``mathptmx`` takes ``\\nabla`` from the Symbol font, which has no bold), and
``\\mathbf`` switches only letters and digits, so ``\\mathbf{\\nabla}`` prints the regular
``∇`` in every setup. Scoring the source's ``\\boldsymbol{\\nabla}`` against a reading of the
page's regular ``∇`` counts the reader wrong for reading what is there.

So the scorer compares with the row as printed: a bold command whose argument prints only
symbols that the region's text layer sets in a regular font (no bold font, no overprinted
copy: ``\\pmb`` and ``bm``'s poor man's bold print three copies a fraction of a point apart)
is dropped, its argument kept. The evidence is the PDF's fonts, read independently of the
reader's own bold rules; letters and digits under a bold command are never changed (a font
without bold letters is not a case this corrects), nor is a symbol that the region sets bold
anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import pymupdf

from scipix_search.exceptions import LatexParseError
from scipix_search.ingest.latex import read_group
from scipix_search.math import to_mathml

Box = tuple[float, float, float, float]

_BOLD_COMMANDS = ("boldsymbol", "bm", "mathbf", "pmb", "mathbold", "bmath")
BOLD_RE = re.compile(r"\\(" + "|".join(_BOLD_COMMANDS) + r")(?![A-Za-z])\s*\{")
_BOLD_FONT_RE = re.compile(
    r"bold|black|heavy|demi|semibold|bmi|mib|bsy|cmbx|mathbf|-b$|-bd", re.IGNORECASE
)
_MATHML_CHAR_RE = re.compile(r"<m[ion]>([^<]*)</m[ion]>")
_ENTITY_RE = re.compile(r"&#x([0-9A-Fa-f]+);")
_OVERPRINT_PT = 1.0
"""Copies of one glyph whose origins lie closer than this are one overprinted (bold) glyph."""


def _is_symbol(c: str) -> bool:
    """A symbol or punctuation mark (``∇``, ``∂``, ``·``), not a letter or digit of any script."""
    return unicodedata.category(c)[0] in "SP"


def plain_symbols(pdf: pymupdf.Document, page: int, box: Box) -> frozenset[str]:
    """Symbols (no letters or digits) the region at ``box`` (PDF points, 1-based ``page``) sets
    only in a regular font, each glyph alone (no overprinted copy)."""
    chars: list[tuple[str, float, float, bool]] = []
    text = pdf[page - 1].get_text("rawdict", clip=pymupdf.Rect(box))
    for block in text.get("blocks", []):
        for line in block.get("lines", []):
            for span in line["spans"]:
                bold = bool(span["flags"] & 16) or bool(_BOLD_FONT_RE.search(span["font"]))
                for ch in span["chars"]:
                    c = ch["c"]
                    if c.strip() and not c.isascii() and _is_symbol(c):
                        chars.append((c, ch["origin"][0], ch["origin"][1], bold))
    plain: set[str] = set()
    bold_seen: set[str] = set()
    for i, (c, x, y, bold) in enumerate(chars):
        overprinted = any(
            d == c and j != i and abs(dx - x) < _OVERPRINT_PT and abs(dy - y) < _OVERPRINT_PT
            for j, (d, dx, dy, _) in enumerate(chars)
        )
        (bold_seen if bold or overprinted else plain).add(c)
    return frozenset(plain - bold_seen)


@lru_cache(maxsize=4096)
def _printed_chars(latex: str) -> frozenset[str] | None:
    """The characters a LaTeX fragment prints (MathML token contents), None when unknown."""
    try:
        mathml = to_mathml(latex)
    except LatexParseError:
        return None
    out: set[str] = set()
    for content in _MATHML_CHAR_RE.findall(mathml):
        text = _ENTITY_RE.sub(lambda m: chr(int(m.group(1), 16)), content)
        out.update(c for c in text if c.strip())
    return frozenset(out)


def as_printed(latex: str, plain: Iterable[str]) -> str:
    """``latex`` with each bold command dropped whose argument prints only ``plain`` symbols.

    ``plain`` is what :func:`plain_symbols` found in the region the row is compared with. An
    argument that prints a letter or digit, or any character not in ``plain``, keeps its
    command; LaTeX that cannot be converted is returned unchanged.
    """
    plain = frozenset(plain)
    if not plain or "\\" not in latex:
        return latex
    out: list[str] = []
    pos = 0
    for m in BOLD_RE.finditer(latex):
        if m.start() < pos:  # inside an argument already kept whole
            continue
        group = read_group(latex, m.end() - 1)
        if group is None:
            break
        argument, end = group
        chars = _printed_chars(argument)
        if chars and all(_is_symbol(c) and c in plain for c in chars):
            out.append(latex[pos : m.start()])
            out.append("{" + argument + "}")
            pos = end
    out.append(latex[pos:])
    return "".join(out)
