"""The canonical rewrites the parser applies to the nodes it builds (``_parse``).

Two spellings that print the same formula get one syntax tree here: a script attached to its
base (``x^{'}`` is ``x'``, ``a^p^b_c`` nests as its canonical form reads again), a font
command simplified (``\\mathrm{d}`` is ``d``, an upright word is ``\\text``, the math of
``\\text{$f$ is ...}`` moved out of the text), a run of one semantic font merged, an alignment's
rows made lines joined by ``\\\\``, and punctuation trailing the formula dropped.
"""

from __future__ import annotations

from scipix_search.math import _tables as T
from scipix_search.math._ast import Cmd, Delim, Env, Group, Node, Scripts, Sym


def as_lines(rows: list[list[Group]]) -> list[Node]:
    """Rows as lines of one sequence, joined by ``\\\\``; alignment points carry no meaning."""
    out: list[Node] = []
    for k, row in enumerate(rows):
        if k:
            out.append(Sym("\\\\"))
        out.extend(flatten(list(row)))
    return out


def whole_alignment(items: list[Node]) -> Env | None:
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


def flatten(items: list[Node]) -> list[Node]:
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


def merge_font_runs(items: list[Node]) -> list[Node]:
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


def attach(items: list[Node], slot: str, arg: Group) -> None:
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


def attach_prime(items: list[Node]) -> None:
    prime = Sym("\\prime")
    last = items[-1] if items else None
    if isinstance(last, Scripts):
        if last.sup is None:
            last.sup = Group([prime])
            return
        if all(isinstance(x, Sym) and x.tok == "\\prime" for x in last.sup.items):
            last.sup.items.append(prime)
            return
    attach(items, "sup", Group([prime]))


def _plain_text(group: Group) -> str | None:
    syms = [x for x in group.items if isinstance(x, Sym)]
    if len(syms) == len(group.items):
        return "".join(x.tok for x in syms)
    return None


MATH_SHIFT = "$"
"""A ``$`` inside a text command's argument: the text's math (``\\text{$f$ is continuous}``)."""


def _split_text_math(name: str, items: list[Node]) -> Group:
    """``\\text{$f$ is continuous}`` prints the math ``f`` and the words ``is continuous``
    exactly as ``f \\text{ is continuous}`` does (text mode switches back to math for the
    part between dollars): one canonical form, the math outside the text."""
    out: list[Node] = []
    piece: list[Node] = []
    math = False
    for item in [*items, Sym(MATH_SHIFT)]:
        if not (isinstance(item, Sym) and item.tok == MATH_SHIFT):
            piece.append(item)
            continue
        if math:
            out.extend(piece)
        elif piece:
            node = simplify_cmd(name, [Group(piece)], None)
            out.extend(node.items if isinstance(node, Group) else [node])
        piece = []
        math = not math
    return Group(out)


def simplify_cmd(name: str, args: list[Group], opt: Group | None) -> Node:
    if name in T.TEXT_CMDS and any(
        isinstance(x, Sym) and x.tok == MATH_SHIFT for x in args[0].items
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


_TRAILING = frozenset({",", ".", ";", "\\\\"})


def strip_trailing(items: list[Node]) -> list[Node]:
    while items and isinstance(items[-1], Sym) and items[-1].tok in _TRAILING:
        items = items[:-1]
    if items and isinstance(items[-1], Delim) and items[-1].right == ".":
        last = items[-1]
        last.body = Group(strip_trailing(last.body.items))
    while items and isinstance(items[0], Sym) and items[0].tok == "\\\\":
        items = items[1:]
    return items
