"""Unit tests for the symbol layout tree and its symbol-pair tuples."""

from __future__ import annotations

from scipix_search.math import SLTNode, parse_formula, symbol_pairs, unify


def _edges(node: SLTNode) -> list[tuple[str, str]]:
    return [(rel, child.label) for rel, child in node.edges]


def test_slt_fraction_has_over_and_under() -> None:
    tree = parse_formula(r"\frac{1}{n}").tree
    assert tree.label == "F!"
    assert _edges(tree) == [("o", "N!1"), ("u", "V!n")]


def test_slt_scripts_hang_from_base() -> None:
    tree = parse_formula(r"x_i^{2} + 3.5").tree
    assert tree.label == "V!x"
    assert _edges(tree) == [("b", "V!i"), ("a", "N!2"), ("n", "+")]
    plus = tree.edges[2][1]
    assert _edges(plus) == [("n", "N!3.5")]


def test_slt_root_matrix_and_fonts() -> None:
    tree = parse_formula(r"\sqrt[3]{\mathbf{B}} \begin{pmatrix} a & b \end{pmatrix}").tree
    assert tree.label == "R!"
    # pmatrix is canonicalised to \left( matrix \right), the form OCR writes
    assert _edges(tree) == [("w", "V!bf:B"), ("a", "N!3"), ("n", "(")]
    matrix = tree.edges[2][1].edges[0][1]
    assert matrix.label == "M!matrix"
    assert _edges(matrix) == [("e", "V!a"), ("e", "V!b"), ("n", ")")]


def test_slt_long_formula_does_not_recurse() -> None:
    formula = parse_formula(" + ".join(["x"] * 3000))
    assert formula.n_nodes == 5999


def test_unify_variables_by_type() -> None:
    assert unify("V!x") == "V!*"
    assert unify("V!\\alpha") == "V!greek"
    assert unify("V!bf:\\alpha") == "V!greek"
    assert unify("N!2") == "N!2"
    assert unify("+") == "+"


def test_symbol_pairs_window() -> None:
    tree = parse_formula("a+b").tree
    pairs = set(symbol_pairs(tree, window=2))
    assert ("V!a", "+", "n") in pairs
    assert ("V!a", "V!b", "nn") in pairs
    assert ("V!a", "", "") in pairs
    assert not any(len(p) > 2 for _, _, p in symbol_pairs(tree, window=2))


def test_formula_wildcards_kept_apart() -> None:
    formula = parse_formula(r"\qvar{*1*} + x")
    assert formula.has_wildcards
    assert ("*", "+", "n") in formula.wild
    assert all("?" not in a + d for a, d, _ in formula.unified)


def test_delimited_matrix_same_as_left_right_matrix() -> None:
    from scipix_search.math import normalize

    for env, left, right in (("bmatrix", "[", "]"), ("pmatrix", "(", ")")):
        source = rf"\begin{{{env}}} x \\ u \end{{{env}}}"
        ocr = rf"\left{left}\begin{{array}}{{c}} x \\ u \end{{array}}\right{right}"
        assert normalize(source) == normalize(ocr)
