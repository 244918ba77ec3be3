"""The one LaTeX tokenizer used for stored formulas, queries and OCR output.

Tokens follow the im2latex convention: a control word (``\\frac``), a control symbol (``\\{``,
``\\,``, ``\\\\``), or one character (``x``, ``1``, ``{``). Digits are single tokens, like in the
im2latex data. Three compound tokens exist: ``\\begin{name}`` / ``\\end{name}`` (one token each)
and query variables, written ``\\qvar{x}`` or ``?x`` and returned as ``?x``.
"""

from __future__ import annotations

import logging
import re

from scipix_search.exceptions import LatexParseError

logger = logging.getLogger(__name__)

_ENV = re.compile(r"\\(begin|end)\s*\{\s*([A-Za-z]+\*?)\s*\}")
_QVAR = re.compile(r"\\qvar\s*\{([^{}]*)\}")
_QMARK = re.compile(r"\?([A-Za-z0-9]+)")
_WORD = re.compile(r"\\([A-Za-z]+)")
# Control words that take a star as part of their name.
_STARRED = frozenset({"\\operatorname", "\\tag", "\\hspace", "\\vspace"})


def _qvar_name(raw: str) -> str:
    name = raw.replace("*", "").strip()
    name = re.sub(r"\s+", "", name)
    return "?" + (name or "_")


def lex(latex: str) -> list[tuple[str, int]]:
    """Split LaTeX into tokens with their character offsets.

    Args:
        latex: LaTeX source of one formula (no surrounding ``$`` needed, but tolerated).

    Returns:
        ``(token, offset)`` pairs.

    Raises:
        LatexParseError: the input is not a string.
    """
    if not isinstance(latex, str):
        raise LatexParseError(
            f"expected a LaTeX string, got {type(latex).__name__}", position=0, reason="type"
        )
    out: list[tuple[str, int]] = []
    i, n = 0, len(latex)
    while i < n:
        ch = latex[i]
        if ch.isspace():
            i += 1
        elif ch == "%":  # a comment runs to the end of the line
            j = latex.find("\n", i)
            i = n if j < 0 else j + 1
        elif ch == "\\":
            if i + 1 >= n:
                # A trailing lone backslash is a control space whose space was stripped.
                out.append(("\\ ", i))
                break
            m = _ENV.match(latex, i)
            if m:
                out.append((f"\\{m.group(1)}{{{m.group(2)}}}", i))
                i = m.end()
                continue
            m = _QVAR.match(latex, i)
            if m:
                out.append((_qvar_name(m.group(1)), i))
                i = m.end()
                continue
            m = _WORD.match(latex, i)
            if m:
                tok = "\\" + m.group(1)
                i = m.end()
                if tok in _STARRED and i < n and latex[i] == "*":
                    i += 1
                out.append((tok, m.start()))
            else:
                nxt = latex[i + 1]
                out.append(("\\ " if nxt.isspace() else "\\" + nxt, i))
                i += 2
        elif ch == "?":
            m = _QMARK.match(latex, i)
            if m:
                out.append(("?" + m.group(1), i))
                i = m.end()
            else:
                out.append((ch, i))
                i += 1
        else:
            out.append((ch, i))
            i += 1
    return out


def tokenize(latex: str) -> list[str]:
    """Split LaTeX into tokens (no normalisation).

    Args:
        latex: LaTeX source of one formula.

    Returns:
        The tokens, e.g. ``tokenize(r"\\frac12")`` is ``["\\frac", "1", "2"]``.

    Raises:
        LatexParseError: the input is not a string.
    """
    return [tok for tok, _ in lex(latex)]
