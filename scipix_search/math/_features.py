"""Symbol-pair tuples of a layout tree (Tangent style) and the parsed ``Formula``.

A tuple ``(ancestor, descendant, path)`` records two symbols and the relations on the path
between them (``"n"``, ``"na"``, ...). Each formula keeps two multisets of tuples: with concrete
labels (``V!x``) and with unified labels (``V!*``), so a renamed formula matches on the unified
set while an exact match also scores on the concrete one. Single symbols are tuples with an
empty path, so a one-symbol formula still has a tuple.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from scipix_search.math._normalize import serialize
from scipix_search.math._parse import parse
from scipix_search.math._tree import WILDCARD_PREFIX, SLTNode, build_slt, unify

logger = logging.getLogger(__name__)

Tuple3 = tuple[str, str, str]
ANY = "*"
DEFAULT_WINDOW = 3


def symbol_pairs(tree: SLTNode, window: int = DEFAULT_WINDOW) -> list[Tuple3]:
    """All ``(ancestor, descendant, path)`` tuples with a path of at most ``window`` edges.

    Args:
        tree: root of a symbol layout tree.
        window: longest path kept; longer paths add little and cost time.

    Returns:
        The tuples, including one ``(label, "", "")`` per node.
    """
    out: list[Tuple3] = []
    for node in tree.walk():
        out.append((node.label, "", ""))
        frontier: list[tuple[SLTNode, str]] = [(node, "")]
        for _ in range(window):
            nxt: list[tuple[SLTNode, str]] = []
            for cur, path in frontier:
                for rel, child in cur.edges:
                    p = path + rel
                    out.append((node.label, child.label, p))
                    nxt.append((child, p))
            frontier = nxt
            if not frontier:
                break
    return out


def _is_wild(label: str) -> bool:
    return label.startswith(WILDCARD_PREFIX) and len(label) > 1


@dataclass(frozen=True, eq=False)
class Formula:
    """A parsed formula with everything re-ranking needs precomputed.

    Attributes:
        latex: the input LaTeX.
        tokens: canonical tokens (``normalize``).
        tag: text of ``\\tag{...}`` if the formula had one.
        tree: the symbol layout tree.
        concrete: multiset of tuples with concrete labels (query-variable tuples excluded).
        unified: multiset of tuples with unified labels (query-variable tuples excluded).
        wild: multiset of unified tuples with ``*`` for each query variable (queries only).

    Example:
        >>> f = parse_formula(r"x^2")
        >>> f.canonical
        'x ^ { 2 }'
        >>> sorted(f.unified)[:2]
        [('N!2', '', ''), ('V!*', '', '')]
    """

    latex: str
    tokens: tuple[str, ...]
    tag: str | None
    tree: SLTNode
    concrete: Counter[Tuple3]
    unified: Counter[Tuple3]
    wild: Counter[Tuple3]

    @property
    def canonical(self) -> str:
        """Canonical LaTeX (space-separated tokens)."""
        return " ".join(self.tokens)

    @property
    def has_wildcards(self) -> bool:
        return bool(self.wild)

    @cached_property
    def n_concrete(self) -> int:
        return sum(self.concrete.values())

    @cached_property
    def n_unified(self) -> int:
        return sum(self.unified.values())

    @cached_property
    def generalized(self) -> Counter[Tuple3]:
        """Unified tuples with either or both ends replaced by ``*`` (matched by wildcards)."""
        out: Counter[Tuple3] = Counter()
        for (a, d, p), c in self.unified.items():
            out[(ANY, d, p)] += c
            if p:
                out[(a, ANY, p)] += c
                out[(ANY, ANY, p)] += c
        return out

    @cached_property
    def n_nodes(self) -> int:
        return self.tree.size()


def formula_from_parts(
    latex: str, tokens: list[str], tag: str | None, tree: SLTNode, window: int
) -> Formula:
    concrete: Counter[Tuple3] = Counter()
    unified: Counter[Tuple3] = Counter()
    wild: Counter[Tuple3] = Counter()
    # A formula has few distinct labels and many tuples (each label in up to ~20): its
    # unified form is looked up once per label, not twice per tuple (a third of parse time).
    kind: dict[str, str | None] = {}  # label -> unified label, None for a query wildcard
    for node in tree.walk():
        if node.label not in kind:
            kind[node.label] = None if _is_wild(node.label) else unify(node.label)
    for a, d, p in symbol_pairs(tree, window):
        ua, ud = kind[a], kind[d] if d else d
        if ua is None or ud is None:
            wild[(ANY if ua is None else ua, ANY if ud is None else ud, p)] += 1
        else:
            concrete[(a, d, p)] += 1
            unified[(ua, ud, p)] += 1
    return Formula(latex, tuple(tokens), tag, tree, concrete, unified, wild)


def parse_formula(latex: str, *, window: int = DEFAULT_WINDOW) -> Formula:
    """Parse LaTeX into a :class:`Formula` (canonical tokens, layout tree, tuple sets).

    Args:
        latex: LaTeX of one formula; ``\\qvar{x}`` or ``?x`` mark query variables.
        window: longest tuple path in edges.

    Returns:
        The parsed formula.

    Raises:
        LatexParseError: the LaTeX cannot be parsed.
    """
    parsed = parse(latex)
    tree = build_slt(parsed.items)
    return formula_from_parts(latex, serialize(parsed.items), parsed.tag, tree, window)
