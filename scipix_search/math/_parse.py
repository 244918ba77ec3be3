"""Parse LaTeX tokens into a small syntax tree, applying the canonical rewrites on the way
(``_rewrites``: scripts attached, font commands simplified, alignments made lines).

The tree is what both the canonical token string (``_normalize``) and the symbol layout tree
(``_tree``) are built from, so stored formulas and queries always agree.
"""

from __future__ import annotations

import logging
import re

from scipix_search.exceptions import LatexParseError
from scipix_search.math import _tables as T
from scipix_search.math._ast import Cmd, Delim, Env, Group, Node, Parsed, Scripts, Sym
from scipix_search.math._rewrites import (
    MATH_SHIFT,
    as_lines,
    attach,
    attach_prime,
    flatten,
    merge_font_runs,
    simplify_cmd,
    strip_trailing,
    whole_alignment,
)
from scipix_search.math._tokenize import lex

logger = logging.getLogger(__name__)

_DIMENSION = re.compile(r"[-+]?[0-9.]*(pt|em|ex|mm|cm|in|mu|bp|pc|sp|dd|cc)")
# Nesting deeper than this (groups, arguments, scripts, \left pairs, environments, infix
# commands, font switches) is no formula a human wrote, and bounding it bounds every recursive
# walk of the tree below (canonical form, layout tree, MathML): 100 levels cost about 500 Python
# frames here, so a RecursionError is never how a hostile formula ends (issue 14).
MAX_DEPTH = 100
# A level of nesting makes at most two levels of syntax tree (an argument's Group under its
# Cmd); double scripts (``x^1^2^3``) nest without parser recursion, so the tree is measured too.
MAX_TREE_DEPTH = 2 * MAX_DEPTH + 2


def _err(reason: str, message: str, pos: int) -> LatexParseError:
    return LatexParseError(f"{message} (at offset {pos})", position=pos, reason=reason)


class _Parser:
    def __init__(self, latex: str) -> None:
        toks = []
        for tok, pos in lex(latex):
            tok = T.ALIAS.get(tok, tok)
            toks.append((tok, pos))
        self.toks = toks
        self.i = 0
        self.n = len(toks)
        self.end_pos = len(latex)
        self.tag: str | None = None
        self.depth = 0
        # inside the argument of a text command, where ``$`` switches back to math
        self.in_text = False

    def enter(self, pos: int) -> None:
        """One level deeper; no ``leave`` on errors, because an error ends the parse."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _err("depth", f"formula nested more than {MAX_DEPTH} levels deep", pos)

    def leave(self) -> None:
        self.depth -= 1

    # -- helpers -------------------------------------------------------------------------
    def peek(self) -> str | None:
        return self.toks[self.i][0] if self.i < self.n else None

    def pos(self) -> int:
        return self.toks[self.i][1] if self.i < self.n else self.end_pos

    def skip_dropped(self) -> None:
        while self.i < self.n and self.toks[self.i][0] in T.DROP:
            self.i += 1

    def skip_dimension(self) -> None:
        # ``\kern-3.5mu``: optional sign, digits and dots, then a two-letter unit.
        if self.peek() == "{":
            self.parse_arg("dimension")
            return
        if self.peek() in ("-", "+"):
            self.i += 1
        while (c := self.peek()) is not None and (c.isdigit() or c in ".,"):
            self.i += 1
        if self.i + 1 < self.n and all(
            len(t) == 1 and t.isalpha() for t, _ in self.toks[self.i : self.i + 2]
        ):
            self.i += 2

    def skip_row_spacing(self) -> None:
        # ``\\[2pt]`` sets row spacing; ``\\ [a,b]`` starts a row with a bracket.
        if self.peek() != "[":
            return
        j = self.i + 1
        while j < self.n and self.toks[j][0] != "]" and j - self.i < 12:
            j += 1
        text = "".join(t for t, _ in self.toks[self.i + 1 : j])
        if j < self.n and _DIMENSION.fullmatch(text):
            self.i = j + 1

    def parse_braced(self) -> Group:
        open_pos = self.pos()
        self.i += 1  # "{"
        self.enter(open_pos)
        items = self.parse_seq(frozenset({"}"}))
        self.leave()
        if self.peek() != "}":
            raise _err("unbalanced", "unbalanced braces: '{' is never closed", open_pos)
        self.i += 1
        return Group(items)

    def parse_optional(self) -> Group | None:
        self.skip_dropped()
        if self.peek() != "[":
            return None
        start = self.pos()
        self.i += 1
        self.enter(start)
        items = self.parse_seq(frozenset({"]"}))
        self.leave()
        if self.peek() != "]":
            raise _err("unbalanced", "optional argument '[' is never closed", start)
        self.i += 1
        return Group(items)

    def parse_arg(self, what: str) -> Group:
        self.skip_dropped()
        tok = self.peek()
        if tok is None or tok in ("}", "&", "\\\\", "^", "_") or tok.startswith("\\end{"):
            raise _err("argument", f"missing argument for {what}", self.pos())
        if tok in T.INFIX:  # ``\frac0\over``: TeX too wants braces ("Ambiguous")
            raise _err("argument", f"{tok} cannot be the argument of {what}", self.pos())
        if tok in T.FONT_SWITCH:  # ``\mathrm\rm``: a switch alone in its group sets nothing
            self.i += 1
            return Group([])
        if tok == "{":
            return self.parse_braced()
        self.enter(self.pos())  # ``\sqrt\sqrt\sqrt x``: unbraced arguments nest too
        node = self.parse_atom()
        self.leave()
        if isinstance(node, Group):
            return node
        return Group([] if node is None else [node])

    def read_delim(self, what: str) -> str:
        self.skip_dropped()
        tok = self.peek()
        if tok is None or tok in ("{", "}", "&", "\\\\", "^", "_"):
            raise _err("delimiter", f"{what} without a delimiter", self.pos())
        self.i += 1
        return tok

    # -- grammar -------------------------------------------------------------------------
    def parse_seq(self, stop: frozenset[str]) -> list[Node]:
        items: list[Node] = []
        while self.i < self.n:
            tok = self.toks[self.i][0]
            if tok in stop:
                break
            if tok in T.INFIX:
                self.enter(self.pos())  # ``a \over b \over c``: each one recurses
                self.i += 1
                rest = self.parse_seq(stop)
                self.leave()
                name = T.INFIX[tok]
                return [Cmd(name, [Group(flatten(items)), Group(rest)])]
            if tok in ("^", "_"):
                self.i += 1
                arg = self.parse_arg(tok)
                attach(items, "sub" if tok == "_" else "sup", arg)
                continue
            if tok == "'":
                self.i += 1
                attach_prime(items)
                continue
            if tok in T.FONT_SWITCH:
                self.enter(self.pos())
                self.i += 1
                rest = self.parse_seq(stop)
                self.leave()
                font = T.FONT_SWITCH[tok]
                items.append(simplify_cmd(font, [Group(rest)], None) if font else Group(rest))
                break
            node = self.parse_atom()
            if node is not None:
                items.append(node)
        return merge_font_runs(flatten(items))

    def parse_atom(self) -> Node | None:  # noqa: C901 - one dispatch over token kinds
        tok, pos = self.toks[self.i]
        if tok == "{":
            return self.parse_braced()
        if tok == "}":
            raise _err("unbalanced", "unbalanced braces: '}' without '{'", pos)
        self.i += 1
        if tok == "$" and self.in_text:
            return Sym(MATH_SHIFT)
        if tok in T.DROP:
            return None
        if tok in T.DROP_ARG:
            self.parse_arg(tok)
            return None
        if tok in T.DROP_DIM:
            self.skip_dimension()
            return None
        if tok == "\\left":
            return self.parse_left(pos)
        if tok == "\\right":
            raise _err("unbalanced", "\\right without \\left", pos)
        if tok.startswith("\\begin{"):
            return self.parse_env(tok[7:-1], pos)
        if tok.startswith("\\end{"):
            raise _err("unbalanced", f"{tok} without \\begin", pos)
        if tok in ("\\tag", "\\tag*"):
            arg = self.parse_arg(tok)
            from scipix_search.math._normalize import serialize  # cycle: serialise needs the AST

            self.tag = "".join(serialize(arg.items)) or None
            return None
        if tok == "\\not":
            self.skip_dropped()
            nxt = self.peek()
            if nxt in T.NOT_MAP:
                self.i += 1
                return Sym(T.NOT_MAP[nxt])
            return Cmd(tok, [self.parse_arg(tok)])
        if tok == "\\setlength":
            self.parse_arg(tok)
            self.parse_arg(tok)
            return None
        if tok in ("\\textcolor", "\\raisebox"):
            self.parse_arg(tok)
            return self.parse_arg(tok)
        arity = T.ARITY.get(tok)
        if arity is None:
            return Sym(tok)
        opt = self.parse_optional() if tok == "\\sqrt" else None
        outer, self.in_text = self.in_text, tok in T.TEXT_CMDS
        args = [self.parse_arg(tok) for _ in range(arity)]
        self.in_text = outer
        return simplify_cmd(tok, args, opt)

    def parse_left(self, pos: int) -> Node:
        left = self.read_delim("\\left")
        self.enter(pos)
        body = self.parse_seq(frozenset({"\\right", "}"}))
        self.leave()
        if self.peek() != "\\right":
            raise _err("unbalanced", "\\left without \\right", pos)
        self.i += 1
        right = self.read_delim("\\right")
        if left == right == ".":
            return Group(body)  # invisible on both sides: only sizes its body
        return Delim(left, right, Group(body))

    def parse_env(self, name: str, pos: int) -> Node:
        end = f"\\end{{{name}}}"
        if name in ("array", "tabular", "subarray", "alignat", "alignat*"):
            self.parse_optional()
            if self.peek() == "{":
                self.parse_braced()  # column spec
        rows: list[list[Group]] = []
        row: list[Group] = []
        stop = frozenset({"&", "\\\\", end, "}"})
        # a tabular's cells in a text: their ``$`` is dropped as elsewhere
        outer, self.in_text = self.in_text, False
        self.enter(pos)
        while True:
            cell = self.parse_seq(stop)
            row.append(Group(cell))
            tok = self.peek()
            if tok == "&":
                self.i += 1
            elif tok == "\\\\":
                self.i += 1
                self.skip_row_spacing()
                rows.append(row)
                row = []
            elif tok == end:
                self.i += 1
                break
            else:
                raise _err("unbalanced", f"\\begin{{{name}}} without {end}", pos)
        self.leave()
        self.in_text = outer
        rows.append(row)
        while rows and not any(c.items for c in rows[-1]):
            rows.pop()  # empty trailing rows (``\\`` before ``\end``) carry nothing
        if name in T.ALIGN_ENVS:
            return Group(as_lines(rows))
        if name in T.DELIMITED_MATRIX:
            left, right = T.DELIMITED_MATRIX[name]
            return Delim(left, right, Group([Env("matrix", rows)]))
        return Env(T.MATRIX_ALIAS.get(name, name), rows)


def parse(latex: str) -> Parsed:
    """Parse one formula into canonical syntax-tree items.

    Raises:
        LatexParseError: unbalanced braces, ``\\left`` without ``\\right``, a missing argument,
            an unclosed environment; ``position`` and ``reason`` say where and why.
    """
    p = _Parser(latex)
    items = p.parse_seq(frozenset())
    if p.i < p.n:  # only a stray closer stops the top level
        tok, pos = p.toks[p.i]
        raise _err("unbalanced", f"unexpected {tok!r}", pos)
    # Top-level alignment points carry no meaning; line breaks stay as ``\\``.
    items = [x for x in items if not (isinstance(x, Sym) and x.tok == "&")]
    if tree_depth(items) > MAX_TREE_DEPTH:
        raise _err("depth", f"formula nested more than {MAX_DEPTH} levels deep", 0)
    items = strip_trailing(items)
    # A display's rows set as one bare ``array`` (what formula OCR writes for ``align``/
    # ``gather``) print what ``aligned`` or rows joined by ``\\`` print: the same lines, the
    # same canonical form. A matrix of cells, inside a formula or between delimiters keeps them.
    while (whole := whole_alignment(items)) is not None:  # nested ones too: idempotent
        items = strip_trailing(as_lines(whole.rows))
    return Parsed(items, p.tag)


def _children(node: Node) -> list[Node]:
    if isinstance(node, Group):
        return node.items
    if isinstance(node, Scripts):
        return [x for x in (node.base, node.sub, node.sup) if x is not None]
    if isinstance(node, Cmd):
        return [*node.args, *([node.opt] if node.opt is not None else [])]
    if isinstance(node, Delim):
        return [node.body]
    if isinstance(node, Env):
        return [cell for row in node.rows for cell in row]
    return []


def tree_depth(items: list[Node]) -> int:
    """Deepest chain of nodes under ``items`` (iterative, so it cannot overflow itself)."""
    deepest = 0
    stack = [(node, 1) for node in items]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in _children(node))
    return deepest
