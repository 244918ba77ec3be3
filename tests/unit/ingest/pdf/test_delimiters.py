"""Tall delimiters in the text layer: matrices, delimited groups and cases become atoms."""

from __future__ import annotations

from scipix_search.ingest.pdf._correct import text_layer_complete
from scipix_search.ingest.pdf._delimiters import find_delimiters, group_delimited
from scipix_search.ingest.pdf._glyphs import Bar, Glyph, glyphs_to_latex
from scipix_search.math import token_similarity

SIZE = 10.0


def _g(
    c: str, x: float, base: float, *, size: float = SIZE, font: str = "CMMI10", name: str = ""
) -> Glyph:
    width = 0.55 * size
    return Glyph(c, x, base - 0.75 * size, x + width, base + 0.25 * size, base, size, font, name)


def _delim(name: str, x: float, base: float) -> Glyph:
    # CMEX glyphs hang from their baseline and have no Unicode value in pdfTeX output
    return Glyph("\ufffd", x, base - 0.1, x + 5.8, base + 6.4, base, SIZE, "CMEX10", name)


def _column_vector(x: float, letters: str, axis: float) -> list[Glyph]:
    """``\\begin{bmatrix} a \\\\ b \\end{bmatrix}`` as pdfTeX sets it (bigg brackets)."""
    top = axis - 1.2 * SIZE
    out = [_delim("bracketleftbigg", x, top)]
    for i, c in enumerate(letters):
        out.append(_g(c, x + 6, axis - 0.3 * SIZE + (i - (len(letters) - 1) / 2) * 1.45 * SIZE))
    out.append(_delim("bracketrightbigg", x + 13, top))
    return out


def test_column_vectors_become_bmatrix_atoms() -> None:
    base = 100.0
    glyphs = _column_vector(0, "xu", base - 0.25 * SIZE)
    glyphs += [_g("=", 22, base, font="CMR10")]
    glyphs += _column_vector(30, "ab", base - 0.25 * SIZE)
    glyphs += [_g("w", 50, base)]
    grouped = group_delimited(glyphs, [])
    assert sum(g.name == "atom" for g in grouped) == 2
    latex = glyphs_to_latex(grouped, [])
    expected = r"\begin{bmatrix} x \\ u \end{bmatrix} = \begin{bmatrix} a \\ b \end{bmatrix} w"
    assert token_similarity(latex, expected) == 1.0, latex
    assert text_layer_complete(grouped)
    assert not text_layer_complete(glyphs)  # the raw CMEX glyphs are unmapped


def test_one_row_with_column_gap_is_a_row_matrix_and_without_it_a_group() -> None:
    base = 50.0
    top = base - 0.25 * SIZE - 0.6 * SIZE
    row = [_delim("bracketleftbig", 0, top)]
    row += [_g("A", 6, base), _g("−", 12, base, font="CMSY10"), _g("B", 18, base)]
    row += [_g("−", 32, base, font="CMSY10"), _g("C", 38, base)]  # a 14 pt gap: a new column
    row += [_delim("bracketrightbig", 45, top)]
    latex = glyphs_to_latex(group_delimited(row, []), [])
    assert token_similarity(latex, r"\begin{bmatrix} A - B & - C \end{bmatrix}") == 1.0, latex
    tight = [_delim("parenleftbig", 0, top), _g("a", 6, base), _g("+", 12, base, font="CMR10")]
    tight += [_g("b", 18, base), _delim("parenrightbig", 24, top)]
    latex = glyphs_to_latex(group_delimited(tight, []), [])
    assert token_similarity(latex, r"\left( a + b \right)") == 1.0, latex


def test_fraction_parts_stay_in_their_cell_row() -> None:
    # [ 1/g  q ] over [ e  f ]: the numerator and denominator must not become rows
    axis = 100.0
    top = axis - 1.2 * SIZE
    glyphs = [_delim("bracketleftbigg", 0, top)]
    glyphs += [
        _g("1", 7, axis - 0.7 * SIZE - 0.3 * SIZE, size=7),
        _g("γ", 7, axis + 0.6 * SIZE - 0.3 * SIZE, size=7),
    ]
    glyphs += [_g("q", 20, axis + 0.25 * SIZE - 0.72 * SIZE)]
    glyphs += [
        _g("e", 7, axis + 0.25 * SIZE + 0.72 * SIZE),
        _g("f", 20, axis + 0.25 * SIZE + 0.72 * SIZE),
    ]
    glyphs += [_delim("bracketrightbigg", 28, top)]
    bar = Bar(7, 11, axis - 0.72 * SIZE)
    latex = glyphs_to_latex(group_delimited(glyphs, [bar]), [bar])
    expected = r"\begin{bmatrix} \frac{1}{\gamma} & q \\ e & f \end{bmatrix}"
    assert token_similarity(latex, expected) >= 0.9, latex


def test_pieces_of_one_column_are_one_delimiter() -> None:
    pieces = [
        Glyph("\uf8ee", 0, 90, 7, 101, 90, SIZE, "CMEX10"),  # bracketlefttp
        Glyph("\uf8f0", 0, 108, 7, 119, 108, SIZE, "CMEX10"),  # bracketleftbt
        Glyph("\uf8f9", 30, 90, 37, 101, 90, SIZE, "CMEX10"),
        Glyph("\uf8fb", 30, 108, 37, 119, 108, SIZE, "CMEX10"),
    ]
    delims = find_delimiters(pieces)
    assert [(d.kind, d.side) for d in delims] == [("[", "open"), ("]", "close")]
    assert delims[0].bottom - delims[0].top > 2.5 * SIZE


def test_a_lone_brace_is_cases_and_an_unmatched_bracket_is_plain() -> None:
    base = 100.0
    top = base - 0.25 * SIZE - 1.2 * SIZE
    glyphs = [_g("f", -10, base), _g("=", -4, base, font="CMR10"), _delim("braceleftbigg", 0, top)]
    glyphs += [_g("a", 8, base - 0.72 * SIZE), _g("b", 30, base - 0.72 * SIZE)]
    glyphs += [_g("c", 8, base + 0.72 * SIZE), _g("d", 30, base + 0.72 * SIZE)]
    latex = glyphs_to_latex(group_delimited(glyphs, []), [])
    expected = r"f = \begin{cases} a & b \\ c & d \end{cases}"
    assert token_similarity(latex, expected) == 1.0, latex
    # a bracket closed on another row of a split display is the plain symbol
    lone = [_delim("bracketleftBig", 0, top), _g("p", 8, base)]
    grouped = group_delimited(lone, [])
    assert glyphs_to_latex(grouped, []) == "[p"
    assert text_layer_complete(grouped)


def _sum(x: float, axis: float) -> Glyph:
    # summationdisplay hangs 1.4 em from its origin and is centred on the math axis
    return Glyph(
        "\ufffd",
        x,
        axis - 0.7 * SIZE,
        x + 14,
        axis - 0.1,
        axis - 0.7 * SIZE,
        SIZE,
        "CMEX10",
        "summationdisplay",
    )


def test_big_operators_take_the_limits_under_and_over_them() -> None:
    base = 100.0
    axis = base - 0.25 * SIZE
    glyphs = [_g("=", -10, base, font="CMR10"), _sum(0, axis), _sum(20, axis)]
    below = axis + 0.7 * SIZE + 0.9 * SIZE
    glyphs += [
        _g("j", 2, below, size=7),
        _g("=", 6, below, size=7, font="CMR7"),
        _g("1", 10, below, size=7),
    ]
    glyphs += [_g("k", 5, axis - 0.7 * SIZE - 0.3 * SIZE, size=7)]
    glyphs += [
        _g("x", 22, below, size=7),
        _g("∈", 26, below, size=7, font="CMSY7"),
        _g("Z", 30, below, size=7),
    ]
    glyphs += [_g("d", 40, base)]
    grouped = group_delimited(glyphs, [])
    latex = glyphs_to_latex(grouped, [])
    expected = r"= \sum_{j=1}^{k} \sum_{x \in Z} d"
    assert token_similarity(latex, expected) == 1.0, latex
    assert text_layer_complete(grouped)


def test_operator_words_with_limits_and_without() -> None:
    base = 50.0
    word = [_g(c, 5.5 * i, base, font="CMR10") for i, c in enumerate("min")]
    limit = [_g("π", 6, base + 0.9 * SIZE, size=7)]
    rest = [
        _g("l", 30, base, font="CMR10"),
        _g("o", 33, base, font="CMR10"),
        _g("g", 38, base, font="CMR10"),
    ]
    rest += [_g("D", 45, base)]
    latex = glyphs_to_latex(group_delimited(word + limit + rest, []), [])
    assert token_similarity(latex, r"\min_{\pi} \log D") == 1.0, latex
    # a subscript word stays a subscript: r_{\min}
    sub = [_g("r", 0, base)] + [
        _g(c, 5 + 4 * i, base + 2, size=7, font="CMR7") for i, c in enumerate("min")
    ]
    latex = glyphs_to_latex(group_delimited(sub, []), [])
    assert token_similarity(latex, r"r_{\min}") == 1.0, latex


def test_sized_brackets_of_consecutive_lines_are_not_one_delimiter() -> None:
    # \bigl[ on one eqnarray line and another \bigl[ right under it (1.5 em apart)
    first = _delim("bracketleftbig", 0, 100.0)
    second = _delim("bracketleftbig", 0, 100.0 + 1.25 * SIZE)
    pieces = find_delimiters([first, second])
    assert len(pieces) == 2
    closing = _delim("bracketrightbig", 40, 100.0 + 1.25 * SIZE)
    inner = _g("a", 10, 100.0 + 1.25 * SIZE + 0.85 * SIZE)
    grouped = group_delimited([first, second, inner, closing], [])
    # the second line's pair encloses its own content; the first bracket stays a symbol
    assert sorted(g.c for g in grouped if g.name == "atom") == ["[", r"\left[ a \right]"]
