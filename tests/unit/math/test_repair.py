"""Repairing OCR reads whose groups do not pair up (``math.repair_latex``)."""

from __future__ import annotations

import pytest

from scipix_search.exceptions import LatexParseError
from scipix_search.math import canonical_latex, repair_latex, token_similarity


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        (r"\frac{a}{b", r"\frac{a}{b}"),
        (r"x^{2}}+y", r"x^{2}+y"),
        (r"\left(a+b", r"\left(a+b\right."),
        (r"a+b\right)", r"a+b)"),
        (r"\left( a^{b \right) c", r"\left( a^{b} \right) c"),
        (r"\begin{array}{l} a=b \\ c=d", r"a=b \\ c=d"),
        (r"a=b \end{array}", r"a=b"),
        # a two-row read of the formula OCR with its first row's braces one short
        (
            r"\begin{array}{c}{{\sum_{i}x_{i}=1,}}\\ {{\frac{a}{b}+\frac{c}{d},}\end{array}",
            r"\sum_{i}x_{i}=1, \\ \frac{a}{b}+\frac{c}{d}",
        ),
    ],
)
def test_unpaired_groups_are_paired(read: str, meant: str) -> None:
    with pytest.raises(LatexParseError):
        canonical_latex(read)
    repaired = repair_latex(read)
    assert repaired is not None
    assert canonical_latex(repaired) == canonical_latex(meant)


def test_a_formula_that_parses_is_returned_as_it_is() -> None:
    latex = r"\left\{ \begin{array}{ll} x & x>0 \\ -x & \text{else} \end{array} \right."
    assert repair_latex(latex) == latex


def test_faults_other_than_pairing_are_not_repaired() -> None:
    assert repair_latex("x^") is None  # a script with nothing to carry


def test_a_long_read_keeps_its_similarity_to_the_formula() -> None:
    meant = r"\langle \psi_{n} | \hat{\mu}_{x} | \psi_{m} \rangle = e \frac{L (\pi (n - m))}{\pi^{2} (n - m)^{2}}"
    read = meant.replace(r"\hat{\mu}", r"\hat{\mu")  # one brace lost
    repaired = repair_latex(read)
    assert repaired is not None and token_similarity(repaired, meant) > 0.95
