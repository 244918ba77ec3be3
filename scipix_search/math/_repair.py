"""Balance the groups of a LaTeX string that a formula OCR model left open or closed twice.

A recognizer decodes token by token and nothing forces its braces, ``\\left``/``\\right`` or
``\\begin``/``\\end`` to pair up: one dropped ``}`` in a 200-token read and the whole formula
does not parse, so it gets no canonical form, no vector and no tuples, and search can never
find it, however close the rest of the read is. The repair closes what was left open and drops
closers that close nothing, the smallest edit that pairs every group; it never touches a
formula that parses. Typed queries are not repaired: a person gets the parse error and fixes
the LaTeX they meant.
"""

from __future__ import annotations

import logging

from scipix_search.exceptions import LatexParseError
from scipix_search.math._parse import parse
from scipix_search.math._tokenize import lex

logger = logging.getLogger(__name__)


def _closer(opener: str) -> str:
    if opener == "{":
        return "}"
    if opener == "\\left":
        return "\\right."
    return "\\end{" + opener[len("\\begin{") : -1] + "}"


def _matches(opener: str, closer: str) -> bool:
    if closer == "}":
        return opener == "{"
    if closer == "\\right":
        return opener == "\\left"
    return opener == "\\begin{" + closer[len("\\end{") :]


def _balanced_pieces(latex: str) -> list[str]:
    """``latex`` cut into token pieces with closers inserted and unmatched closers removed."""
    tokens = lex(latex)
    pieces: list[str] = [latex[: tokens[0][1]]] if tokens else [latex]
    stack: list[str] = []
    skip_next = False
    for k, (tok, start) in enumerate(tokens):
        end = tokens[k + 1][1] if k + 1 < len(tokens) else len(latex)
        piece = latex[start:end]
        if skip_next:  # the delimiter of a dropped ``\right.``
            skip_next = False
            continue
        if tok in ("{", "\\left") or tok.startswith("\\begin{"):
            stack.append(tok)
        elif tok in ("}", "\\right") or tok.startswith("\\end{"):
            depth = next(
                (d for d in range(len(stack) - 1, -1, -1) if _matches(stack[d], tok)), None
            )
            if depth is None:
                # Closes nothing: dropped. ``\right(`` keeps its delimiter as a plain one.
                if tok == "\\right":
                    nxt = tokens[k + 1][0] if k + 1 < len(tokens) else ""
                    skip_next = nxt == "."
                continue
            while len(stack) > depth + 1:
                pieces.append(_closer(stack.pop()) + " ")
            stack.pop()
        pieces.append(piece)
    while stack:
        pieces.append(" " + _closer(stack.pop()))
    return pieces


def repair_latex(latex: str) -> str | None:
    """A parseable version of ``latex`` with its groups paired, or None.

    Returns ``latex`` itself when it parses already, the repaired string when pairing the
    groups makes it parse, and None when it still does not (another fault than pairing).

    Example:
        >>> repair_latex(r"\\frac{a}{b")
        '\\\\frac{a}{b }'
        >>> repair_latex(r"x}+\\left(y")
        'x+\\\\left(y \\\\right.'
    """
    try:
        parse(latex)
        return latex
    except LatexParseError:
        pass
    try:
        repaired = "".join(_balanced_pieces(latex)).strip()
        parse(repaired)
    except LatexParseError as exc:
        logger.debug("no repair for %r: %s", latex[:80], exc)
        return None
    return repaired
