"""Parse LaTeX tokens into a small syntax tree, applying the canonical rewrites on the way.

The tree is what both the canonical token string (``_normalize``) and the symbol layout tree
(``_tree``) are built from, so stored formulas and queries always agree.
"""

from __future__ import annotations

import logging
import re

from scipix_search.exceptions import LatexParseError
from scipix_search.math import _tables as T
from scipix_search.math._ast import Cmd, Delim, Env, Group, Node, Parsed, Scripts, Sym
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
                return [Cmd(name, [Group(_flatten(items)), Group(rest)])]
            if tok in ("^", "_"):
                self.i += 1
                arg = self.parse_arg(tok)
                _attach(items, "sub" if tok == "_" else "sup", arg)
                continue
            if tok == "'":
                self.i += 1
                _attach_prime(items)
                continue
            if tok in T.FONT_SWITCH:
                self.enter(self.pos())
                self.i += 1
                rest = self.parse_seq(stop)
                self.leave()
                font = T.FONT_SWITCH[tok]
                items.append(_simplify_cmd(font, [Group(rest)], None) if font else Group(rest))
                break
            node = self.parse_atom()
            if node is not None:
                items.append(node)
        return _merge_font_runs(_flatten(items))

    def parse_atom(self) -> Node | None:  # noqa: C901 - one dispatch over token kinds
        tok, pos = self.toks[self.i]
        if tok == "{":
            return self.parse_braced()
        if tok == "}":
            raise _err("unbalanced", "unbalanced braces: '}' without '{'", pos)
        self.i += 1
        if tok == "$" and self.in_text:
            return Sym(_MATH_SHIFT)
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
        return _simplify_cmd(tok, args, opt)

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
            return Group(_as_lines(rows))
        if name in T.DELIMITED_MATRIX:
            left, right = T.DELIMITED_MATRIX[name]
            return Delim(left, right, Group([Env("matrix", rows)]))
        return Env(T.MATRIX_ALIAS.get(name, name), rows)


def _as_lines(rows: list[list[Group]]) -> list[Node]:
    """Rows as lines of one sequence, joined by ``\\\\``; alignment points carry no meaning."""
    out: list[Node] = []
    for k, row in enumerate(rows):
        if k:
            out.append(Sym("\\\\"))
        out.extend(_flatten(list(row)))
    return out


def _whole_alignment(items: list[Node]) -> Env | None:
    """The undelimited ``matrix``/``array`` that is the whole formula and holds lines, not
    cells: one column (``{l}``), or two (``{rl}``) with a relation opening a row's second cell
    (``a & = b``; the other rows may continue it: ``& + c``). Wider arrays stay cells: a
    commutative diagram's arrows are relations in cells of their own."""
    while len(items) == 1 and isinstance(items[0], Group):
        items = items[0].items
    if len(items) != 1 or not isinstance(items[0], Env) or items[0].name != "matrix":
        return None
    env = items[0]
    width = max((len(row) for row in env.rows), default=0)
    if width <= 1:
        return env
    if width > 2:
        return None
    from scipix_search.math._normalize import serialize  # cycle: serialise needs the AST

    # Read on the cell's canonical tokens, as a second parse of the canonical form will see
    # them (``\\left( = \\right)`` opens with ``(`` there): the canonical form stays idempotent.
    for row in env.rows:
        if len(row) == 2:
            first = serialize(row[1].items)[:1]
            if first and first[0] in T.RELATION_TOKENS:
                return env
    return None


def _flatten(items: list[Node]) -> list[Node]:
    """Splice braces that group nothing (``{x}`` in a sequence); keep script bases and args."""
    out: list[Node] = []
    for item in items:
        if isinstance(item, Group):
            out.extend(item.items)
        else:
            out.append(item)
    return out


def _font_letters(node: Node) -> str | None:
    """The font of ``\\mathbf{AT}``-like nodes: a semantic font over single characters."""
    if (
        isinstance(node, Cmd)
        and node.name in T.SEMANTIC_FONTS
        and node.opt is None
        and len(node.args) == 1
        and node.args[0].items
        and all(isinstance(x, Sym) and len(x.tok) == 1 for x in node.args[0].items)
    ):
        return node.name
    return None


def _merge_font_runs(items: list[Node]) -> list[Node]:
    """``\\mathbf{A}\\mathbf{T}\\mathbf{X}`` prints what ``\\mathbf{ATX}`` prints (each letter
    is an ordinary symbol of the bold font either way): one canonical form, one command over
    the run (a script stays on its own letter, as it is set)."""
    out: list[Node] = []
    for item in items:
        font = _font_letters(item)
        prev = out[-1] if out else None
        if font is not None and prev is not None and _font_letters(prev) == font:
            assert isinstance(prev, Cmd) and isinstance(item, Cmd)
            out[-1] = Cmd(font, [Group([*prev.args[0].items, *item.args[0].items])])
        else:
            out.append(item)
    return out


def _attach(items: list[Node], slot: str, arg: Group) -> None:
    if not arg.items:  # x^{} is x, and a bare ^{} prints nothing
        return
    only = arg.items[0] if len(arg.items) == 1 else None
    if (
        slot == "sup"
        and isinstance(only, Scripts)
        and only.base is None
        and only.sub is None
        and only.sup is not None
        and only.sup.items
        and all(isinstance(x, Sym) and x.tok == "\\prime" for x in only.sup.items)
    ):
        arg = only.sup  # x^{'} prints the prime of x': one canonical form
    base: Node | None = items.pop() if items else None
    if isinstance(base, Delim) and base.left == base.right == ".":
        base = Group(base.body.items)  # \left. x \right._a only sizes x
    if isinstance(base, Scripts) and getattr(base, slot) is None:
        inner = base.base
        if (
            isinstance(inner, Group)
            and len(inner.items) == 1
            and isinstance(inner.items[0], Scripts)
            and getattr(inner.items[0], slot) is None
        ):
            # ``a^p^b_c``: the subscript joins the inner ``a^p``, as it does when the canonical
            # form ``{ a _ { c } ^ { p } } ^ { b }`` is read again (found by fuzzing: the
            # canonical form must be idempotent).
            setattr(inner.items[0], slot, arg)
        else:
            setattr(base, slot, arg)
        items.append(base)
        return
    if isinstance(base, Group) and len(base.items) == 1:
        base = base.items[0]
        if isinstance(base, Scripts) and getattr(base, slot) is None:
            setattr(base, slot, arg)
            items.append(base)
            return
    if isinstance(base, Scripts):  # double script: tolerated as a nested base
        base = Group([base])
    node = Scripts(base)
    setattr(node, slot, arg)
    items.append(node)


def _attach_prime(items: list[Node]) -> None:
    prime = Sym("\\prime")
    last = items[-1] if items else None
    if isinstance(last, Scripts):
        if last.sup is None:
            last.sup = Group([prime])
            return
        if all(isinstance(x, Sym) and x.tok == "\\prime" for x in last.sup.items):
            last.sup.items.append(prime)
            return
    _attach(items, "sup", Group([prime]))


def _plain_text(group: Group) -> str | None:
    syms = [x for x in group.items if isinstance(x, Sym)]
    if len(syms) == len(group.items):
        return "".join(x.tok for x in syms)
    return None


_MATH_SHIFT = "$"
"""A ``$`` inside a text command's argument: the text's math (``\\text{$f$ is continuous}``)."""


def _split_text_math(name: str, items: list[Node]) -> Group:
    """``\\text{$f$ is continuous}`` prints the math ``f`` and the words ``is continuous``
    exactly as ``f \\text{ is continuous}`` does (text mode switches back to math for the
    part between dollars): one canonical form, the math outside the text."""
    out: list[Node] = []
    piece: list[Node] = []
    math = False
    for item in [*items, Sym(_MATH_SHIFT)]:
        if not (isinstance(item, Sym) and item.tok == _MATH_SHIFT):
            piece.append(item)
            continue
        if math:
            out.extend(piece)
        elif piece:
            node = _simplify_cmd(name, [Group(piece)], None)
            out.extend(node.items if isinstance(node, Group) else [node])
        piece = []
        math = not math
    return Group(out)


def _simplify_cmd(name: str, args: list[Group], opt: Group | None) -> Node:
    if name in T.TEXT_CMDS and any(
        isinstance(x, Sym) and x.tok == _MATH_SHIFT for x in args[0].items
    ):
        return _split_text_math(name, args[0].items)
    if name in T.PLAIN_FONTS:
        return args[0]
    inner = args[0].items[0] if args and len(args[0].items) == 1 else None
    if name == "\\operatorname" and isinstance(inner, Cmd) and inner.name in T.SEMANTIC_FONTS:
        return args[0]  # \operatorname{\mathbf{C}} (a DeclareMathOperator) prints \mathbf{C}
    if (
        name in T.SEMANTIC_FONTS
        and isinstance(inner, Cmd)
        and inner.name in T.ACCENTS
        and len(inner.args[0].items) == 1
    ):
        # \mathbf{\hat{k}} and \hat{\mathbf{k}} print the same bold k under its hat (a PDF's
        # glyphs give the second): one canonical form, the accent outside
        return Cmd(inner.name, [Group([Cmd(name, inner.args)])])
    if name in ("\\mathrm", "\\operatorname"):
        text = _plain_text(args[0])
        if text is not None and text in T.FUNCTIONS:
            return Sym("\\" + text)
        if name == "\\mathrm" and len(args[0].items) <= 1:
            return args[0]  # \mathrm{d} is d: upright letters are style only
        if text is None and name == "\\mathrm":
            return args[0]
        if text is not None and len(text) >= 2 and text.isalpha():
            # an upright word prints the same from \mathrm, \operatorname and \text: a
            # reader of the page cannot tell them apart, so they have one canonical form
            return Cmd("\\text", args)
    if name in T.TEXT_CMDS:
        text = _plain_text(args[0])
        if text is not None and text in T.FUNCTIONS:
            return Sym("\\" + text)  # \textrm{deg} prints \deg
        if text is not None and len(text) == 1 and text.isalnum():
            # \text{T} prints the upright T of \mathrm{T} (see above): one canonical form
            return args[0]
        return Cmd("\\text", args)
    if name in T.SEMANTIC_FONTS and not args[0].items:
        return args[0]
    return Cmd(name, args, opt)


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
    items = _strip_trailing(items)
    # A display's rows set as one bare ``array`` (what formula OCR writes for ``align``/
    # ``gather``) print what ``aligned`` or rows joined by ``\\`` print: the same lines, the
    # same canonical form. A matrix of cells, inside a formula or between delimiters keeps them.
    while (whole := _whole_alignment(items)) is not None:  # nested ones too: idempotent
        items = _strip_trailing(_as_lines(whole.rows))
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


_TRAILING = frozenset({",", ".", ";", "\\\\"})


def _strip_trailing(items: list[Node]) -> list[Node]:
    while items and isinstance(items[-1], Sym) and items[-1].tok in _TRAILING:
        items = items[:-1]
    if items and isinstance(items[-1], Delim) and items[-1].right == ".":
        last = items[-1]
        last.body = Group(_strip_trailing(last.body.items))
    while items and isinstance(items[0], Sym) and items[0].tok == "\\\\":
        items = items[1:]
    return items
