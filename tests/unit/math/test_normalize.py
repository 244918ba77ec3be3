"""Unit tests for the canonical form."""

from __future__ import annotations

import pytest

from scipix_search.exceptions import LatexParseError
from scipix_search.math import canonical_latex, normalize, parse_formula, rename_variables


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        (r"\dfrac12", r"\frac { 1 } { 2 }"),
        (r"\tfrac{a}{b}", r"\frac { a } { b }"),
        (r"{a \over b}", r"\frac { a } { b }"),
        (r"x^2_i", r"x _ { i } ^ { 2 }"),
        (r"x_i^2", r"x _ { i } ^ { 2 }"),
        (r"\left( x \right)", r"( x )"),
        (r"\left. \frac{a}{b} \right|_0", r"\frac { a } { b } | _ { 0 }"),
        (r"\displaystyle \sum\limits_{i} \big( x \big)", r"\sum _ { i } ( x )"),
        (r"a \! b \, c \; d \quad e \qquad f ~ g", "a b c d e f g"),
        (r"{{x}} + {y}", "x + y"),
        (r"\mathrm{d}x", "d x"),
        (r"\operatorname{sin} x", r"\sin x"),
        # an upright word prints the same whichever command set it
        (r"\operatorname{rank}(A)", r"\text { r a n k } ( A )"),
        (r"\mathrm{rank}(A)", r"\text { r a n k } ( A )"),
        (r"\text{rank}(A)", r"\text { r a n k } ( A )"),
        (r"f_{\rm NL}", r"f _ { \text { N L } }"),
        (r"{\rm d}x", "d x"),
        (r"\textrm{deg}(v)", r"\deg ( v )"),
        (r"\mathrm{e}^{x}", r"e ^ { x }"),
        # one upright letter prints the same from \text and \mathrm
        (r"p_{\text{T}}", r"p _ { T }"),
        (r"\pi^{\text{0}}", r"\pi ^ { 0 }"),
        (r"f'(x)", r"f ^ { \prime } ( x )"),
        (r"f''", r"f ^ { \prime \prime }"),
        # a braced prime is the prime: e_1^{'} prints e_1'
        (r"e_1^{'}", r"e _ { 1 } ^ { \prime }"),
        (r"(a)^{''}", r"( a ) ^ { \prime \prime }"),
        # a DeclareMathOperator of a bold letter prints the bold letter
        (r"\operatorname{\mathbf{C}}_{ij}", r"\mathbf { C } _ { i j }"),
        # a font around an accented letter prints what the accent over the font's letter does
        (r"\mathbf{\hat{k}}", r"\hat { \mathbf { k } }"),
        (r"\hat{\boldsymbol{k}}", r"\hat { \mathbf { k } }"),
        # math inside a text prints as the same math outside it
        (r"\{ f \mid \text{$f$ is open} \}", r"\{ f \mid f \text { i s o p e n } \}"),
        (r"\text{for all $x \in A$ and $y$}", r"\text { f o r a l l } x \in A \text { a n d } y"),
        (r"\mbox{if $x^2 > 1$}", r"\text { i f } x ^ { 2 } > 1"),
        (
            r"\text{\begin{tabular}{l} if $x$ \end{tabular} or $y$}",
            r"\text { \begin{matrix} i f x \end{matrix} o r } y",
        ),
        # letters of one font in one command or one command each print the same
        (r"\mathbf{ATX} + \mathbf{y}", r"\mathbf { A T X } + \mathbf { y }"),
        (r"\mathbf A\mathbf{T}\boldsymbol X", r"\mathbf { A T X }"),
        (
            r"\mathbf{A}\mathbf{T}^{2}\mathcal{X}",
            r"\mathbf { A } \mathbf { T } ^ { 2 } \mathcal { X }",
        ),
        # one glyph of the symbol font, and mathtools' axis-centred colon
        (r"A \backslash B", r"A \setminus B"),
        (r"a \vcentcolon\equiv b", r"a : \equiv b"),
        (r"a \cdot b \times c", r"a \cdot b \times c"),
        (r"x = 1 ,", "x = 1"),
        (r"E = mc^2 .", r"E = m c ^ { 2 }"),
        (r"x = 1 \label{eq:one} \nonumber", "x = 1"),
        (r"a &= b \\ &= c", r"a = b \\ = c"),
        (r"\begin{aligned} a &= b \\ c &= d \end{aligned}", r"a = b \\ c = d"),
        (
            r"\begin{array}{cc} a & b \\ c & d \\ \end{array}",
            r"\begin{matrix} a & b \\ c & d \end{matrix}",
        ),
        # an alignment written as one bare array (formula OCR's way) is its lines; a matrix of
        # cells, or an array inside a formula, keeps its cells
        (r"\begin{array}{l} {a_{1}=b+c} \\ {d=ef} \end{array}", r"a _ { 1 } = b + c \\ d = e f"),
        (r"\begin{array}{rl} {a} & {=b,} \\ {} & {+c.} \end{array}", r"a = b , \\ + c"),
        (r"{\begin{matrix} x \\ y \end{matrix}}", r"x \\ y"),
        (r"A = \begin{array}{l} a \\ b \end{array}", r"A = \begin{matrix} a \\ b \end{matrix}"),
        # a diagram's arrows are relations in cells of their own: it stays a matrix
        (
            r"\begin{array}{ccc} A & \rightarrow & B \\ & \searrow & C \end{array}",
            r"\begin{matrix} A & \rightarrow & B \\ & \searrow & C \end{matrix}",
        ),
        (r"x \le y \ne z \to w", r"x \leq y \neq z \rightarrow w"),
        (r"\psi^{\ast} a \ast b", r"\psi ^ { * } a * b"),
        (r"\not= \not\in", r"\neq \notin"),
        (r"{\bf x} + {\cal L}", r"\mathbf { x } + \mathcal { L }"),
        (r"\sqrt[3]{x}", r"\sqrt [ 3 ] { x }"),
        (r"\kern-3mu x \hspace{1em} y", "x y"),
    ],
)
def test_normalize_rules(latex: str, expected: str) -> None:
    assert canonical_latex(latex) == expected


def test_an_alignment_has_one_canonical_form_however_it_is_written() -> None:
    rows = r"a_1 = b + c \\ d \leq e f"
    forms = {
        canonical_latex(latex)
        for latex in (
            rows,
            r"a_1 &= b + c \\ d &\leq e f",
            r"\begin{aligned} a_1 &= b + c \\ d &\leq e f \end{aligned}",
            r"\begin{gathered} a_1 = b + c \\ d \leq e f \end{gathered}",
            r"\begin{array}{rl} {a_{1}} & {=b+c} \\ {d} & {\leq ef} \end{array}",
            r"\begin{array}{l} {a_{1}=b+c} \\ {d\leq ef} \end{array}",
        )
    }
    assert forms == {canonical_latex(rows)}


def test_normalize_returns_token_list() -> None:
    assert normalize(r"\frac ab") == ["\\frac", "{", "a", "}", "{", "b", "}"]


def test_normalize_matches_im2latex_style() -> None:
    im2latex = r"{ \frac { 3 } { 4 } } t \delta ( l )"
    assert canonical_latex(r"\dfrac{3}{4}t\delta(l)") == canonical_latex(im2latex)


def test_normalize_is_idempotent() -> None:
    latex = (
        r"\left\{ \begin{array}{ll} x^2_i & \text{if } x>0 \\ -x & \mbox{else} \end{array} \right."
    )
    once = canonical_latex(latex)
    assert canonical_latex(once) == once


def test_normalize_tag_is_returned_on_formula() -> None:
    formula = parse_formula(r"[E:F] < \infty; \tag 2")
    assert formula.canonical == r"[ E : F ] < \infty"
    assert formula.tag == "2"
    assert parse_formula(r"x \tag{3.1}").tag == "3.1"
    assert parse_formula("x").tag is None


@pytest.mark.parametrize(
    ("latex", "reason"),
    [
        (r"\frac{a}{b", "unbalanced"),
        (r"a}", "unbalanced"),
        (r"\left( x", "unbalanced"),
        (r"x \right)", "unbalanced"),
        (r"\begin{matrix} a", "unbalanced"),
        (r"x^", "argument"),
        (r"\frac{a}", "argument"),
        ("{" * 300 + "}" * 300, "depth"),
    ],
)
def test_normalize_invalid_raises_parse_error(latex: str, reason: str) -> None:
    with pytest.raises(LatexParseError) as info:
        normalize(latex)
    assert info.value.reason == reason
    assert isinstance(info.value.position, int)


def test_normalize_error_position_points_at_culprit() -> None:
    with pytest.raises(LatexParseError) as info:
        normalize(r"x + \left( y")
    assert info.value.position == 4


def test_rename_variables_is_consistent() -> None:
    assert rename_variables(r"x^2 + y_i = x") == r"u ^ { 2 } + v _ { k } = u"


def test_rename_variables_keeps_words_and_commands() -> None:
    assert rename_variables(r"\sin x \text{if} \alpha") == r"\sin u \text { i f } \alpha"


def test_rename_variables_is_an_involution() -> None:
    latex = r"\frac{1}{n}\sum_{i} a_i b^{j}"
    assert rename_variables(rename_variables(latex)) == canonical_latex(latex)
