"""Sub-formulas: the parts of a formula a reader would type, and how well a query is contained.

A researcher rarely types a whole display equation; they type one side of it, a fraction, a
sum with its body. :func:`subformula_parts` cuts those parts by the parsed structure (never by
string position), :func:`containment` scores how much of a query's symbol-pair tuples a
candidate holds (Tangent-style recall: a long equation that contains the query is not
penalised for its unmatched rest), and :func:`best_subformula` names the part of a candidate
that matches the query best, so a hit can say which part matched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from scipix_search.exceptions import LatexParseError
from scipix_search.math._ast import Cmd, Delim, Env, Group, Node, Scripts, Sym
from scipix_search.math._features import DEFAULT_WINDOW, Formula, formula_from_parts
from scipix_search.math._normalize import serialize
from scipix_search.math._parse import parse
from scipix_search.math._similarity import UNIFIED_WEIGHT, _f1, _matched, structural_similarity
from scipix_search.math._tables import RELATION_TOKENS
from scipix_search.math._tree import build_slt

logger = logging.getLogger(__name__)

# Big operators whose body (the rest of the term) is a part of its own.
BIG_OPERATORS = frozenset(
    r"""\sum \prod \int \iint \iiint \oint \coprod \bigcup \bigcap \bigoplus \bigotimes \lim
    \max \min \sup \inf \limsup \liminf""".split()
)
_SEPARATORS = frozenset({"\\\\", ",", ";"})

PartKind = Literal["side", "fraction", "operator", "radical", "delimited"]


@dataclass(frozen=True, slots=True)
class SubFormula:
    """One part of a formula.

    Attributes:
        latex: the part's canonical LaTeX (space-separated tokens; it parses to the same part).
        kind: ``side`` (of a relation), ``fraction``, ``operator`` (a big operator with its body),
            ``radical`` or ``delimited`` (the body of a bracket pair).
        n_tokens: the part's canonical token count.
    """

    latex: str
    kind: PartKind
    n_tokens: int


def _is_big_operator(node: Node) -> bool:
    base = node.base if isinstance(node, Scripts) else node
    return isinstance(base, Sym) and base.tok in BIG_OPERATORS


def _item_lists(items: list[Node]) -> Iterator[list[Node]]:
    """Every list of items a formula holds: the top level, groups, arguments, cells."""
    stack = [items]
    while stack:
        current = stack.pop()
        yield current
        for node in current:
            if isinstance(node, Group):
                stack.append(node.items)
            elif isinstance(node, Scripts):
                if isinstance(node.base, Group):
                    stack.append(node.base.items)
                stack.extend(g.items for g in (node.sub, node.sup) if g is not None)
            elif isinstance(node, Cmd):
                stack.extend(arg.items for arg in node.args)
                if node.opt is not None:
                    stack.append(node.opt.items)
            elif isinstance(node, Delim):
                stack.append(node.body.items)
            elif isinstance(node, Env):
                stack.extend(cell.items for row in node.rows for cell in row)


def _split(items: list[Node], at: frozenset[str]) -> list[list[Node]]:
    pieces: list[list[Node]] = [[]]
    for node in items:
        if isinstance(node, Sym) and node.tok in at:
            pieces.append([])
        else:
            pieces[-1].append(node)
    return [p for p in pieces if p]


def _parts_of_items(items: list[Node]) -> Iterator[tuple[list[Node], PartKind]]:
    for current in _item_lists(items):
        for segment in _split(current, _SEPARATORS):
            sides = _split(segment, RELATION_TOKENS)
            if len(sides) > 1:
                yield from ((side, "side") for side in sides)
            for side in sides:
                for k, node in enumerate(side):
                    if _is_big_operator(node) and k + 1 < len(side):
                        yield side[k:], "operator"
        for node in current:
            if isinstance(node, Cmd) and node.name == "\\frac":
                yield [node], "fraction"
            elif isinstance(node, Cmd) and node.name == "\\sqrt":
                yield [node], "radical"
            elif isinstance(node, Delim):
                yield node.body.items, "delimited"


def subformula_parts(latex: str) -> list[SubFormula]:
    """The parts of a formula a reader might type, cut by its parsed structure.

    Sides of relations (in every group, so the sides of a bracketed equation too), every
    fraction, every big operator with its body (up to the next relation or separator), radicals
    and bracket bodies. The whole formula is not a part; a part is listed once.

    Args:
        latex: one formula.

    Returns:
        The parts, larger lists first within each kind, in the order found.

    Raises:
        LatexParseError: the formula cannot be parsed.

    Example:
        >>> [p.latex for p in subformula_parts(r"E = \\frac{m c^2}{2}") if p.kind == "side"]
        ['E', '\\\\frac { m c ^ { 2 } } { 2 }']
    """
    parsed = parse(latex)
    whole = serialize(parsed.items)
    seen = {" ".join(whole)}
    out: list[SubFormula] = []
    for items, kind in _parts_of_items(parsed.items):
        tokens = serialize(items)
        text = " ".join(tokens)
        if not tokens or text in seen or not _balanced(tokens):
            continue
        seen.add(text)
        out.append(SubFormula(text, kind, len(tokens)))
    return out


def _balanced(tokens: list[str]) -> bool:
    """Plain brackets are symbols to the parser: a side cut at a comma inside ``(a, b)`` is
    ``( a``, which no reader types."""
    return tokens.count("(") == tokens.count(")") and tokens.count("[") == tokens.count("]")


def _recall(query: Formula, candidate: Formula) -> tuple[float, float]:
    """Shares of the query's unified and concrete tuples found in the candidate."""
    n_wild = sum(query.wild.values())
    wild = _matched(query.wild, candidate.generalized) if n_wild else 0
    n_u = query.n_unified + n_wild
    n_c = query.n_concrete + n_wild
    unified = (_matched(query.unified, candidate.unified) + wild) / n_u if n_u else 0.0
    concrete = (_matched(query.concrete, candidate.concrete) + wild) / n_c if n_c else 0.0
    return unified, concrete


def containment(
    query: Formula, candidate: Formula, *, unified_weight: float = UNIFIED_WEIGHT
) -> float:
    """How much of the query a candidate contains: the matched share of the query's tuples.

    Unlike :func:`structural_similarity` (an F-measure), the candidate's unmatched rest costs
    nothing, so a long equation holding the query as one side scores 1.0 like the query itself.

    Args:
        query: the parsed query (``\\qvar`` variables match any symbol).
        candidate: the parsed candidate.
        unified_weight: weight of the unified-label recall; the concrete one gets the rest.

    Returns:
        A score in [0, 1]: 1.0 when every query tuple is in the candidate.

    Example:
        >>> from scipix_search.math import parse_formula
        >>> q = parse_formula(r"\\frac{a}{b+c}")
        >>> containment(q, parse_formula(r"x = \\frac{a}{b+c} + \\sum_i y_i"))
        1.0
    """
    unified, concrete = _recall(query, candidate)
    return unified_weight * unified + (1.0 - unified_weight) * concrete


def match_scores(
    query: Formula, candidate: Formula, *, unified_weight: float = UNIFIED_WEIGHT
) -> tuple[float, float]:
    """``(structural_similarity, containment)`` of a candidate, from one count of matches.

    Both divide the same matched tuple counts (the F-measure by query and candidate sizes,
    containment by the query's only), so the re-rank gets the second for free.

    Returns:
        The two scores, equal to :func:`structural_similarity` and :func:`containment`.
    """
    if query.tokens == candidate.tokens:
        return 1.0, 1.0
    n_wild = sum(query.wild.values())
    wild = _matched(query.wild, candidate.generalized) if n_wild else 0
    n_u, n_c = query.n_unified + n_wild, query.n_concrete + n_wild
    m_u = _matched(query.unified, candidate.unified) + wild
    m_c = _matched(query.concrete, candidate.concrete) + wild
    return scores_from_matches(
        m_u, m_c, n_u, n_c, candidate.n_unified, candidate.n_concrete, unified_weight
    )


def scores_from_matches(
    m_u: int,
    m_c: int,
    n_u: int,
    n_c: int,
    cand_u: int,
    cand_c: int,
    unified_weight: float = UNIFIED_WEIGHT,
) -> tuple[float, float]:
    """``(structural_similarity, containment)`` from the matched tuple counts.

    The arithmetic of :func:`match_scores`, shared with the re-rank that counts matches on
    stored tuple sketches (``search._sketch``), so both give the same floats.

    Args:
        m_u, m_c: matched unified and concrete tuples (wildcard matches included).
        n_u, n_c: the query's unified and concrete tuples (wildcard tuples included).
        cand_u, cand_c: the candidate's unified and concrete tuples.
        unified_weight: weight of the unified-label scores.
    """
    whole = unified_weight * _f1(m_u, n_u, cand_u) + (1.0 - unified_weight) * _f1(m_c, n_c, cand_c)
    contained = unified_weight * (m_u / n_u if n_u else 0.0) + (1.0 - unified_weight) * (
        m_c / n_c if n_c else 0.0
    )
    # as in structural_similarity: 1.0 is kept for equal canonical forms
    return min(whole, 0.999999), contained


def best_subformula(query: Formula, candidate_latex: str) -> tuple[str, float] | None:
    """The part of a candidate that matches the query best, and its structural similarity.

    Args:
        query: the parsed query.
        candidate_latex: the candidate formula.

    Returns:
        ``(canonical LaTeX of the part, similarity)``, or None when the candidate does not
        parse or has no parts.
    """
    try:
        parsed = parse(candidate_latex)
    except LatexParseError:
        return None
    best: tuple[str, float] | None = None
    seen: set[str] = set()
    for items, _kind in _parts_of_items(parsed.items):
        tokens = serialize(items)
        text = " ".join(tokens)
        if not tokens or text in seen:
            continue
        seen.add(text)
        part = formula_from_parts(text, tokens, None, build_slt(items), DEFAULT_WINDOW)
        score = structural_similarity(query, part)
        if best is None or score > best[1]:
            best = (text, score)
    return best
