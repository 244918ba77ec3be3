"""The canonical form of a formula, shared by stored formulas and queries.

``normalize`` returns the canonical **token list**; ``canonical_latex`` joins it with single spaces
in the im2latex style (``\\frac { a } { b }``). The canonical form is idempotent:
``normalize(canonical_latex(x)) == normalize(x)``.
"""

from __future__ import annotations

import logging

from scipix_search.math._ast import Cmd, Delim, Env, Group, Node, Scripts, Sym
from scipix_search.math._parse import parse

logger = logging.getLogger(__name__)


def _emit_group(group: Group, out: list[str]) -> None:
    out.append("{")
    _emit(group.items, out)
    out.append("}")


def _emit(items: list[Node], out: list[str]) -> None:
    for node in items:
        if isinstance(node, Sym):
            out.append(node.tok)
        elif isinstance(node, Group):
            _emit_group(node, out)
        elif isinstance(node, Scripts):
            if node.base is None:
                out.extend(("{", "}"))
            elif isinstance(node.base, Group):
                _emit_group(node.base, out)
            else:
                _emit([node.base], out)
            if node.sub is not None:
                out.append("_")
                _emit_group(node.sub, out)
            if node.sup is not None:
                out.append("^")
                _emit_group(node.sup, out)
        elif isinstance(node, Cmd):
            out.append(node.name)
            if node.opt is not None:
                out.append("[")
                _emit(node.opt.items, out)
                out.append("]")
            for arg in node.args:
                _emit_group(arg, out)
        elif isinstance(node, Delim):
            # \left and \right only size the delimiters; ``\left.`` is no delimiter at all.
            if node.left != ".":
                out.append(node.left)
            _emit(node.body.items, out)
            if node.right != ".":
                out.append(node.right)
        elif isinstance(node, Env):
            out.append(f"\\begin{{{node.name}}}")
            for r, row in enumerate(node.rows):
                if r:
                    out.append("\\\\")
                for c, cell in enumerate(row):
                    if c:
                        out.append("&")
                    _emit(cell.items, out)
            out.append(f"\\end{{{node.name}}}")


def serialize(items: list[Node]) -> list[str]:
    """Canonical tokens of parsed items."""
    out: list[str] = []
    _emit(items, out)
    return out


def normalize(latex: str) -> list[str]:
    """Return the canonical token list of a formula.

    Spacing, sizing (``\\left``/``\\right``, ``\\big``, ``\\displaystyle``), ``\\label``,
    ``\\tag``, ``\\nonumber``, redundant braces and trailing ``,``/``.`` are dropped;
    ``\\dfrac``/``\\tfrac``/``\\cfrac`` become ``\\frac``; arguments and scripts are always braced
    and subscripts come before superscripts; ``\\cdot`` and ``\\times`` stay distinct.

    Args:
        latex: LaTeX of one formula.

    Returns:
        Canonical tokens, e.g. ``normalize(r"\\dfrac12") == ["\\frac", "{", "1", "}", "{", "2", "}"]``.

    Raises:
        LatexParseError: the LaTeX cannot be parsed (``position`` and ``reason`` attributes).
    """
    return serialize(parse(latex).items)


def canonical_latex(latex: str) -> str:
    """Return the canonical form as a space-separated token string (im2latex style).

    Raises:
        LatexParseError: the LaTeX cannot be parsed.
    """
    return " ".join(normalize(latex))


# A fixed permutation of the latin letters (x→u, y→v, i→k, n→m, ...): renaming every
# single-letter variable with it keeps a formula's structure and changes all of its symbols.
_PAIRS = ["xu", "yv", "zw", "ik", "jl", "nm", "ap", "bq", "cr", "ts", "fg", "dh", "eo"]
DEFAULT_RENAMING: dict[str, str] = {}
for _a, _b in (tuple(pair) for pair in _PAIRS):
    for _x, _y in ((_a, _b), (_a.upper(), _b.upper())):
        DEFAULT_RENAMING[_x] = _y
        DEFAULT_RENAMING[_y] = _x


def _rename(items: list[Node], mapping: dict[str, str]) -> None:
    for node in items:
        if isinstance(node, Sym):
            node.tok = mapping.get(node.tok, node.tok)
        elif isinstance(node, Group):
            _rename(node.items, mapping)
        elif isinstance(node, Scripts):
            if node.base is not None:
                _rename([node.base], mapping)
            for g in (node.sub, node.sup):
                if g is not None:
                    _rename(g.items, mapping)
        elif isinstance(node, Cmd):
            if node.name in ("\\text", "\\operatorname", "\\mathrm", "\\ref", "\\eqref", "\\cite"):
                continue  # words, not variables
            for g in [*node.args, *([node.opt] if node.opt else [])]:
                _rename(g.items, mapping)
        elif isinstance(node, Delim):
            _rename(node.body.items, mapping)
        elif isinstance(node, Env):
            for row in node.rows:
                for cell in row:
                    _rename(cell.items, mapping)


def rename_variables(latex: str, mapping: dict[str, str] | None = None) -> str:
    """Rename single-letter variables consistently and return the canonical LaTeX.

    Args:
        latex: LaTeX of one formula.
        mapping: letter to letter; the default is a fixed permutation (x→u, i→k, n→m, ...).

    Returns:
        Canonical LaTeX of the renamed formula, e.g. ``rename_variables("x^2+y")`` is
        ``"u ^ { 2 } + v"``. Words in ``\\text``/``\\operatorname`` are not renamed.

    Raises:
        LatexParseError: the LaTeX cannot be parsed.
    """
    parsed = parse(latex)
    _rename(parsed.items, DEFAULT_RENAMING if mapping is None else mapping)
    return " ".join(serialize(parsed.items))
