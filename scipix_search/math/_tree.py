"""The symbol layout tree (SLT) of a formula, built from its canonical syntax tree.

Nodes are symbols on writing lines; edges are labelled by the spatial relation of the child to
its parent: ``n`` next (same line), ``a`` above/superscript, ``b`` below/subscript, ``o`` over
(numerator, over-script), ``u`` under (denominator, under-script), ``w`` within (radicand, accent
or font body, text), ``e`` element (matrix cell).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from scipix_search.math import _tables as T
from scipix_search.math._ast import Cmd, Delim, Env, Group, Node, Scripts, Sym

logger = logging.getLogger(__name__)

NEXT, ABOVE, BELOW, OVER, UNDER, WITHIN, ELEMENT = "n", "a", "b", "o", "u", "w", "e"
RELATIONS = (NEXT, ABOVE, BELOW, OVER, UNDER, WITHIN, ELEMENT)
WILDCARD_PREFIX = "?"


@dataclass(slots=True, eq=False)
class SLTNode:
    """One symbol of the layout tree.

    ``label`` is typed: ``V!x`` variable, ``N!12`` number, ``F!`` fraction, ``R!`` root,
    ``M!pmatrix`` matrix, ``T!word`` text, ``?1`` query variable; operators and named
    functions keep their LaTeX (``+``, ``\\sum``, ``\\sin``).
    """

    label: str
    edges: list[tuple[str, SLTNode]] = field(default_factory=list)

    def add(self, rel: str, child: SLTNode | None) -> None:
        if child is not None:
            self.edges.append((rel, child))

    def walk(self) -> Iterator[SLTNode]:
        """All nodes, depth first (iterative: long formulas make long ``next`` chains)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(child for _, child in reversed(node.edges))

    def size(self) -> int:
        return sum(1 for _ in self.walk())


def unify(label: str) -> str:
    """The type of a label: ``V!x`` → ``V!*``, ``V!\\alpha`` → ``V!greek``; others unchanged.

    Numbers keep their value: ``x^2`` and ``x^3`` differ more than ``x^2`` and ``y^2``.
    """
    if label.startswith("V!"):
        return "V!greek" if label[2:].split(":")[-1].lstrip("\\") in _GREEK_NAMES else "V!*"
    return label


_GREEK_NAMES = frozenset(g[1:] for g in T.GREEK)
_FONT_PREFIX = {f: f[5:] for f in T.SEMANTIC_FONTS}  # \mathbf -> bf


def symbol_label(tok: str) -> str:
    """Typed label of one token."""
    if tok.startswith(WILDCARD_PREFIX) and len(tok) > 1:
        return tok
    if len(tok) == 1:
        if tok.isalpha():
            return "V!" + tok
        if tok.isdigit():
            return "N!" + tok
        return tok
    if tok in T.GREEK or tok in ("\\ell", "\\imath", "\\jmath"):
        return "V!" + tok
    return tok


def _is_digit(item: Node) -> bool:
    return isinstance(item, Sym) and item.tok.isdigit()


def _number_end(items: list[Node], k: int) -> int:
    """End of the number starting at ``items[k]``: digits with inner decimal points."""
    j = k + 1
    while j < len(items):
        item = items[j]
        if _is_digit(item):
            j += 1
        elif (
            isinstance(item, Sym)
            and item.tok == "."
            and j + 1 < len(items)
            and _is_digit(items[j + 1])
        ):
            j += 2
        else:
            break
    return j


class _Builder:
    def seq(self, items: list[Node]) -> tuple[SLTNode | None, SLTNode | None]:
        head: SLTNode | None = None
        tail: SLTNode | None = None
        h: SLTNode | None
        t: SLTNode | None
        k = 0
        while k < len(items):
            item = items[k]
            # Consecutive digits (with inner decimal points) form one number.
            if isinstance(item, Sym) and item.tok.isdigit():
                j = _number_end(items, k)
                digits = [x.tok for x in items[k:j] if isinstance(x, Sym)]  # all are (_number_end)
                h = t = SLTNode("N!" + "".join(digits))
                k = j
            else:
                h, t = self.node(item)
                k += 1
            if h is None:
                continue
            if tail is None:
                head = h
            else:
                tail.add(NEXT, h)
            tail = t
        return head, tail

    def group(self, group: Group | None) -> SLTNode | None:
        return None if group is None else self.seq(group.items)[0]

    def node(self, item: Node) -> tuple[SLTNode | None, SLTNode | None]:
        if isinstance(item, Sym):
            n = SLTNode(symbol_label(item.tok))
            return n, n
        if isinstance(item, Group):
            return self.seq(item.items)
        if isinstance(item, Scripts):
            head, tail = (None, None) if item.base is None else self.node(item.base)
            if tail is None:
                head = tail = SLTNode("E!")  # empty base of a prescript: {}^{238}_{92}U
            tail.add(BELOW, self.group(item.sub))
            tail.add(ABOVE, self.group(item.sup))
            return head, tail
        if isinstance(item, Delim):
            items: list[Node] = []
            if item.left != ".":
                items.append(Sym(item.left))
            items.extend(item.body.items)
            if item.right != ".":
                items.append(Sym(item.right))
            return self.seq(items)
        if isinstance(item, Env):
            n = SLTNode("M!" + item.name)
            for row in item.rows:
                for cell in row:
                    n.add(ELEMENT, self.group(cell))
            return n, n
        return self.cmd(item)

    def cmd(self, item: Cmd) -> tuple[SLTNode | None, SLTNode | None]:
        name, args = item.name, item.args
        if name in ("\\frac", "\\binom"):
            n = SLTNode("F!" if name == "\\frac" else "B!")
            n.add(OVER, self.group(args[0]))
            n.add(UNDER, self.group(args[1]))
            return n, n
        if name == "\\sqrt":
            n = SLTNode("R!")
            n.add(WITHIN, self.group(args[0]))
            n.add(ABOVE, self.group(item.opt))
            return n, n
        if name in ("\\overset", "\\underset"):
            head, tail = self.seq(args[1].items)
            if tail is None:
                head = tail = SLTNode("E!")
            tail.add(OVER if name == "\\overset" else UNDER, self.group(args[0]))
            return head, tail
        if name == "\\text" or name == "\\operatorname" or name == "\\mathrm":
            words = [x.tok for x in args[0].items if isinstance(x, Sym)]
            prefix = "T!" if name == "\\text" else "\\operatorname:"
            n = SLTNode(prefix + "".join(words))
            for x in args[0].items:
                if not isinstance(x, Sym) or x.tok.startswith(WILDCARD_PREFIX):
                    n.add(WITHIN, self.node(x)[0])
            return n, n
        if name in T.SEMANTIC_FONTS:
            body = args[0].items
            if len(body) == 1 and isinstance(body[0], Sym):
                label = symbol_label(body[0].tok)
                if label.startswith("V!"):
                    label = f"V!{_FONT_PREFIX[name]}:{label[2:]}"
                n = SLTNode(label)
                return n, n
            return self.seq(body)
        n = SLTNode(name)
        for arg in args:
            n.add(WITHIN, self.group(arg))
        return n, n


def build_slt(items: list[Node]) -> SLTNode:
    """Build the symbol layout tree of parsed items (an empty formula is one ``E!`` node)."""
    head, _ = _Builder().seq(items)
    return head if head is not None else SLTNode("E!")
