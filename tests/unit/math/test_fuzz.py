"""Property-based fuzzing of the LaTeX tokenizer, parser, canonical form, features and MathML.

Whatever the text, the math stage answers or raises the project's own ``LatexParseError``; it
never raises anything else (a RecursionError, an IndexError ...) and never takes long. Inputs
come from a grammar of real LaTeX (fractions, scripts, roots, ``\\left``/``\\right``, matrices,
fonts, ``\\over``), from a soup of its tokens in any order (unbalanced on purpose), deeply
nested shapes, and arbitrary text. Examples are bounded so the file runs in well under a minute
on two busy cores.
"""

from __future__ import annotations

import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scipix_search.embed import FormulaEncoder
from scipix_search.exceptions import LatexParseError
from scipix_search.math import (
    canonical_latex,
    latex_to_asciimath,
    normalize,
    parse_formula,
    rename_variables,
    repair_latex,
    structural_similarity,
    to_mathml,
    token_similarity,
    tokenize,
    try_mathml,
)

FUZZ = settings(
    max_examples=300,
    # bounded in CPU seconds by _bounded (the slowest real formula takes ~10 ms): a
    # wall-clock deadline fails when other processes load the machine
    deadline=None,
    database=None,
    # CI runs the same examples every time (a red build is then a change, not a new draw);
    # SCIPIX_FUZZ_EXPLORE=1 draws fresh ones, to look for new bugs.
    derandomize=os.environ.get("SCIPIX_FUZZ_EXPLORE")
    != "1",  # no .hypothesis folder in the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PER_CALL_S = 2.0  # what one call may take on a 4,000-character input, on a busy machine

ATOMS = st.sampled_from(
    list("abcxyzABXΓ0123456789+-=<>|,.;!'")
    + [r"\alpha", r"\pi", r"\infty", r"\sum", r"\int", r"\cdot", r"\times", r"\leq", r"\ldots"]
    + [r"\sin", r"\log", r"\partial", r"\nabla", r"\{", r"\}", r"\,", r"\quad", r"\\", "?x"]
    + [r"\qvar{y}", r"\label{eq:1}", r"\tag{3}", r"\nonumber", "~", "%comment\n"]
)
TOKENS = st.sampled_from(
    [
        r"\frac",
        r"\dfrac",
        r"\sqrt",
        r"\left(",
        r"\right)",
        r"\left.",
        r"\right|",
        r"\left\{",
        r"\right.",
        r"\begin{matrix}",
        r"\end{matrix}",
        r"\begin{pmatrix}",
        r"\end{pmatrix}",
        r"\begin{aligned}",
        r"\end{aligned}",
        r"\begin{cases}",
        r"\end{cases}",
        r"\begin{array}{cc}",
        r"\end{array}",
        "&",
        r"\\",
        "{",
        "}",
        "[",
        "]",
        "^",
        "_",
        r"\over",
        r"\choose",
        r"\rm",
        r"\bf",
        r"\mathrm",
        r"\mathbf",
        r"\text",
        r"\operatorname",
        r"\hat",
        r"\overline",
        r"\not",
        r"\kern",
        "3pt",
        r"\hspace",
        r"\textcolor",
        r"\binom",
        r"\overset",
        "\\",
        "$",
        "?",
    ]
)


def _wrap(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    return st.one_of(
        st.builds(lambda ab: rf"\frac{{{ab[0]}}}{{{ab[1]}}}", pair),
        st.builds(lambda a: f"{{{a}}}", children),
        st.builds(lambda ab: f"{ab[0]}^{{{ab[1]}}}", pair),
        st.builds(lambda ab: f"{ab[0]}_{{{ab[1]}}}", pair),
        st.builds(lambda a: rf"\sqrt{{{a}}}", children),
        st.builds(lambda ab: rf"\sqrt[{ab[0]}]{{{ab[1]}}}", pair),
        st.builds(lambda a: rf"\left( {a} \right)", children),
        st.builds(lambda a: rf"\left. {a} \right|_{{0}}", children),
        st.builds(lambda ab: rf"\begin{{matrix}} {ab[0]} & {ab[1]} \\ 1 & 0 \end{{matrix}}", pair),
        st.builds(lambda ab: rf"\begin{{pmatrix}} {ab[0]} \\ {ab[1]} \end{{pmatrix}}", pair),
        st.builds(
            lambda ab: rf"\begin{{cases}} {ab[0]} & x>0 \\ {ab[1]} & \text{{else}} \end{{cases}}",
            pair,
        ),
        st.builds(lambda ab: rf"{{{ab[0]} \over {ab[1]}}}", pair),
        st.builds(lambda a: rf"\mathbf{{{a}}}", children),
        st.builds(lambda a: rf"\operatorname{{{a}}}", children),
        st.builds(lambda a: rf"{{\rm {a}}}", children),
        st.builds(lambda a: rf"\hat{{{a}}}'", children),
        st.builds(lambda ab: ab[0] + " " + ab[1], pair),
    )


# Well-formed LaTeX from the grammar, up to a few hundred characters.
GRAMMAR = st.recursive(ATOMS, _wrap, max_leaves=40).map(lambda s: s[:4000])
# The grammar's pieces with real tokens spliced in anywhere: mostly ill-formed.
SOUP = st.lists(st.one_of(GRAMMAR, TOKENS, ATOMS), max_size=60).map(lambda x: " ".join(x)[:4000])
# Nesting past any limit, under the 4,000-character query cap.
DEEP = st.one_of(
    st.integers(50, 600).map(lambda n: (r"\frac{" * n + "x" + "}{y}" * n)[:4000]),
    st.integers(50, 1500).map(lambda n: ("x" + "^{x" * n + "}" * n)[:4000]),
    st.integers(50, 1500).map(lambda n: "x" + "^1" * n),
    st.integers(50, 800).map(lambda n: r"\sqrt" * n + "x"),
    st.integers(50, 400).map(lambda n: r"a\over " * n + "b"),
    st.integers(50, 300).map(lambda n: r"\left(" * n + "x" + r"\right)" * n),
    st.integers(50, 200).map(lambda n: r"\begin{matrix}" * n + "x" + r"\end{matrix}" * n),
    st.integers(50, 900).map(lambda n: r"\rm " * n + "x"),
)
TEXT = st.text(max_size=300)
ANY_LATEX = st.one_of(GRAMMAR, SOUP, DEEP, TEXT)


def _bounded(func, latex: str):  # type: ignore[no-untyped-def]
    """Call ``func``; only LatexParseError may escape, and only within PER_CALL_S."""
    started = time.process_time()
    try:
        return func(latex)
    except LatexParseError as exc:
        assert exc.reason, f"{func.__name__}: a parse error without a reason: {exc}"
        assert "\n" not in str(exc)
        return None
    finally:
        took = time.process_time() - started
        assert took < PER_CALL_S, f"{func.__name__} took {took:.2f} s on {latex[:80]!r}"


@FUZZ
@given(ANY_LATEX)
def test_tokenize_never_fails_on_text(latex: str) -> None:
    tokens = _bounded(tokenize, latex)
    assert tokens is not None  # text always tokenises
    assert all(tokens)


@FUZZ
@given(ANY_LATEX)
def test_canonical_form_raises_only_parse_errors_and_is_idempotent(latex: str) -> None:
    tokens = _bounded(normalize, latex)
    if tokens is None:
        return
    assert tokens.count("{") == tokens.count("}")
    again = normalize(canonical_latex(latex))
    assert again == tokens, (latex, tokens, again)


@FUZZ
@given(ANY_LATEX)
def test_structural_features_raise_only_parse_errors(latex: str) -> None:
    formula = _bounded(parse_formula, latex)
    if formula is None:
        return
    assert formula.n_nodes >= 1 and formula.n_concrete + len(formula.wild) >= 1
    if not formula.has_wildcards:
        assert structural_similarity(formula, formula) > 0.99
    vector = FormulaEncoder().encode_document([formula])[0]
    assert vector.shape == (FormulaEncoder().dim,)
    _bounded(rename_variables, latex)


@FUZZ
@given(ANY_LATEX)
def test_mathml_raises_only_parse_errors(latex: str) -> None:
    mathml = _bounded(to_mathml, latex)
    converted, ok = try_mathml(latex)
    if mathml is not None:
        assert mathml.startswith("<math") and ok and converted == mathml
    else:
        assert (converted, ok) == ("", False)


@FUZZ
@given(ANY_LATEX)
def test_asciimath_is_best_effort_on_anything(latex: str) -> None:
    out = _bounded(latex_to_asciimath, latex)
    assert isinstance(out, str)


@FUZZ
@given(ANY_LATEX)
def test_repair_returns_a_parseable_formula_or_none(latex: str) -> None:
    repaired = _bounded(repair_latex, latex)
    if repaired is None:
        return
    normalize(repaired)  # parses: a LatexParseError here fails the test
    if _bounded(normalize, latex) is not None:
        assert repaired == latex  # a formula that parses is never touched


@FUZZ
@given(GRAMMAR, st.randoms(use_true_random=False))
def test_a_read_that_lost_or_doubled_a_closer_is_repaired(latex: str, rnd) -> None:  # type: ignore[no-untyped-def]
    """What a recognizer does to a formula: one ``}``, ``\\right`` or ``\\end`` lost or
    written twice. The repair pairs the groups again and keeps most of the formula."""
    if _bounded(normalize, latex) is None:
        return
    tokens = tokenize(latex)
    closers = [k for k, t in enumerate(tokens) if t == "}" or t.startswith("\\end{")]
    if not closers:
        return
    k = rnd.choice(closers)
    broken = tokens[:k] + tokens[k + 1 :] if rnd.random() < 0.5 else tokens[:k] + tokens[k - 1 :]
    repaired = _bounded(repair_latex, " ".join(broken))
    if repaired is None:
        return  # the edit made another fault (a script with no base, say)
    assert token_similarity(repaired, latex) >= 0.5
