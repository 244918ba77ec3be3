"""A small LaTeX to AsciiMath converter for Mathpix-compatible answers (common constructs only)."""

from __future__ import annotations

import re

_COMMANDS = {
    "cdot": "*",
    "times": "xx",
    "div": "-:",
    "pm": "+-",
    "mp": "-+",
    "leq": "<=",
    "le": "<=",
    "geq": ">=",
    "ge": ">=",
    "neq": "!=",
    "ne": "!=",
    "approx": "~~",
    "equiv": "-=",
    "infty": "oo",
    "to": "->",
    "rightarrow": "->",
    "leftarrow": "<-",
    "Rightarrow": "=>",
    "partial": "del",
    "nabla": "grad",
    "sum": "sum",
    "prod": "prod",
    "int": "int",
    "oint": "oint",
    "in": "in",
    "notin": "!in",
    "subset": "sub",
    "subseteq": "sube",
    "cup": "uu",
    "cap": "nn",
    "forall": "AA",
    "exists": "EE",
    "ldots": "...",
    "cdots": "cdots",
    "dots": "...",
    "quad": "quad",
    "qquad": "qquad",
    "lim": "lim",
    "log": "log",
    "ln": "ln",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "exp": "exp",
    "max": "max",
    "min": "min",
    "langle": "(:",
    "rangle": ":)",
    "mid": "|",
    "prime": "'",
    "circ": "@",
    "hbar": "hbar",
}
_DROP = (
    "left",
    "right",
    "displaystyle",
    "mathrm",
    "mathbf",
    "mathit",
    "operatorname",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "big",
    "Big",
    ",",
    ";",
    "!",
    " ",
)


_CONTROL = re.compile(r"\\([A-Za-z]+|.)", re.S)


def _group(text: str, start: int) -> tuple[str, int]:
    """The argument at ``start`` (a braced group or one token) and the index after it."""
    while start < len(text) and text[start] == " ":
        start += 1
    if start >= len(text):
        return "", start
    if text[start] == "{":
        depth = 0
        for i in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                return text[start + 1 : i], i + 1
        return text[start + 1 :], len(text)
    if text[start] == "\\":
        match = _CONTROL.match(text, start)
        if match is None:  # a lone backslash at the end
            return "", len(text)
        return match.group(0), match.end()
    return text[start], start + 1


def latex_to_asciimath(latex: str) -> str:
    """Best-effort AsciiMath for ``latex``.

    Example:
        >>> latex_to_asciimath(r"\\frac{a}{b}+\\sqrt{x^{2}}")
        '(a)/(b)+sqrt(x^2)'
    """
    return _convert(latex, 0)


# The converter recurses once per braced argument; past this depth (no formula a human wrote,
# see ``_parse.MAX_DEPTH``) the rest is returned as written, so hostile input cannot overflow
# the stack and the answer stays best-effort rather than an error.
_MAX_DEPTH = 100


def _convert(latex: str, depth: int) -> str:
    if depth > _MAX_DEPTH:
        return re.sub(r"\s+", " ", latex).strip()
    out: list[str] = []
    i = 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            match = _CONTROL.match(latex, i)
            if match is None:  # a lone backslash at the end prints nothing
                break
            name, i = match.group(1), match.end()
            if name in ("frac", "dfrac", "tfrac"):
                num, i = _group(latex, i)
                den, i = _group(latex, i)
                out.append(f"({_convert(num, depth + 1)})/({_convert(den, depth + 1)})")
            elif name == "sqrt":
                arg, i = _group(latex, i)
                out.append(f"sqrt({_convert(arg, depth + 1)})")
            elif name in _DROP:
                continue
            elif name in ("{", "}"):
                out.append(name)
            else:
                out.append(_COMMANDS.get(name, name) + " ")
        elif ch in "^_":
            arg, i = _group(latex, i + 1)
            converted = _convert(arg, depth + 1)
            out.append(f"{ch}({converted})" if len(converted) > 1 else f"{ch}{converted}")
        elif ch in "{}":
            i += 1
        else:
            out.append(ch)
            i += 1
    return re.sub(r"\s+", " ", "".join(out)).strip().replace(" )", ")").replace(" (", "(")
