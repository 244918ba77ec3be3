"""Inline math spans in prose lines, from text-layer glyphs."""

from __future__ import annotations

from scipix_search.ingest.pdf._glyphs import Glyph
from scipix_search.ingest.pdf._inline import inline_regions, inline_spans


def _line(parts: list[tuple[str, str, float, float]], base: float = 100.0) -> list[Glyph]:
    """Glyphs from (text, font, size, baseline shift), set left to right with word spaces
    between parts that start with a space."""
    out, x = [], 72.0
    for text, font, size, shift in parts:
        for c in text:
            if c == " ":
                x += 0.33 * size
                continue
            width = 0.5 * size
            out.append(
                Glyph(
                    c,
                    x,
                    base + shift - 0.7 * size,
                    x + width,
                    base + shift,
                    base + shift,
                    size,
                    font,
                )
            )
            x += width
    return out  # fmt: skip


def test_span_with_scripts_and_text_font_digits() -> None:
    # "where x_1 = f(2) holds": x in CMMI, the subscript 1 and "(2)" in the roman font
    glyphs = _line(
        [
            ("where", "CMR10", 10.0, 0.0),
            (" x", "CMMI10", 10.0, 0.0),
            ("1", "CMR7", 7.0, 1.5),
            (" =", "CMR10", 10.0, 0.0),
            (" f", "CMMI10", 10.0, 0.0),
            ("(2)", "CMR10", 10.0, 0.0),
            (" holds.", "CMR10", 10.0, 0.0),
        ]
    )
    spans = inline_spans(glyphs)
    assert len(spans) == 1
    regions = inline_regions(3, [glyphs], [])
    assert [r.latex for r in regions] == ["x_{1}=f(2)"]
    assert regions[0].display is False and regions[0].page == 3 and regions[0].text_complete


def test_prose_alone_has_no_math() -> None:
    glyphs = _line([("The", "CMR10", 10.0, 0.0), (" method", "CMR10", 10.0, 0.0), (" (see", "CMR10", 10.0, 0.0), (" 2).", "CMR10", 10.0, 0.0)])  # fmt: skip
    assert inline_spans(glyphs) == []


def test_math_letters_in_a_text_italic_font() -> None:
    # mathptmx sets math letters in the text italic: a lone italic letter is a variable,
    # an italic word (emphasis) is not
    glyphs = _line(
        [
            ("let", "NimbusRomNo9L-Regu", 10.0, 0.0),
            (" y", "NimbusRomNo9L-ReguItal", 10.0, 0.0),
            (" be", "NimbusRomNo9L-Regu", 10.0, 0.0),
            (" very", "NimbusRomNo9L-ReguItal", 10.0, 0.0),
            (" small.", "NimbusRomNo9L-Regu", 10.0, 0.0),
        ]
    )
    assert [r.latex for r in inline_regions(1, [glyphs], [])] == ["y"]


def test_sentence_punctuation_is_trimmed() -> None:
    glyphs = _line([("for", "CMR10", 10.0, 0.0), (" α", "CMMI10", 10.0, 0.0), (",", "CMMI10", 10.0, 0.0), (" and", "CMR10", 10.0, 0.0)])  # fmt: skip
    assert [r.latex for r in inline_regions(1, [glyphs], [])] == ["\\alpha"]


def _latex(parts: list[tuple[str, str, float, float]]) -> list[str]:
    return [r.latex for r in inline_regions(1, [_line(parts)], [])]


def test_number_before_a_relation_belongs_to_the_formula() -> None:
    # ``$1 = 0$`` and ``$0.6 \pm 0.1$`` print the number in the roman font; a number before a
    # letter (``step 3 $x$``) stays prose
    assert _latex([("so", "CMR10", 10.0, 0.0), (" 1", "CMR10", 10.0, 0.0), (" =", "CMR10", 10.0, 0.0), (" 0", "CMR10", 10.0, 0.0), (" here", "CMR10", 10.0, 0.0)]) == ["1=0"]  # fmt: skip
    assert _latex([("was", "CMR10", 10.0, 0.0), (" 0.6", "CMR10", 10.0, 0.0), (" ±", "CMSY10", 10.0, 0.0), (" 0.1", "CMR10", 10.0, 0.0)]) == ["0.6\\pm0.1"]  # fmt: skip
    assert _latex([("step", "CMR10", 10.0, 0.0), (" 3", "CMR10", 10.0, 0.0), (" x", "CMMI10", 10.0, 0.0)]) == ["x"]  # fmt: skip


def test_named_function_in_the_roman_font_joins_the_span() -> None:
    assert _latex([("take", "CMR10", 10.0, 0.0), (" log(", "CMR10", 10.0, 0.0), ("x", "CMMI10", 10.0, 0.0), (")", "CMR10", 10.0, 0.0), (" here", "CMR10", 10.0, 0.0)]) == ["\\log(x)"]  # fmt: skip
    # the word alone in prose, with no math beside it, is prose
    assert _latex([("the", "CMR10", 10.0, 0.0), (" max", "CMR10", 10.0, 0.0), (" of", "CMR10", 10.0, 0.0), (" x", "CMMI10", 10.0, 0.0)]) == ["x"]  # fmt: skip


def test_script_on_a_roman_letter_takes_its_base() -> None:
    # ``$\mathrm{e}^{+}$``: the base e is roman, the raised + a math symbol
    assert _latex([("an", "CMR10", 10.0, 0.0), (" e", "CMR10", 10.0, 0.0), ("+", "CMR7", 7.0, -3.0), (" beam", "CMR10", 10.0, 0.0)]) == ["e^{+}"]  # fmt: skip
    # a footnote mark after a word takes no letters of the word
    assert _latex([("the", "CMR10", 10.0, 0.0), (" energy", "CMR10", 10.0, 0.0), ("∗", "CMSY7", 7.0, -3.0), (" is", "CMR10", 10.0, 0.0)]) == []  # fmt: skip


def test_relation_spaces_stretch_further_than_word_spaces() -> None:
    # a loose justified line: a 0.66 em gap beside ``<`` is a thick space, between two
    # letters it is a word space
    assert _latex([("so", "CMR10", 10.0, 0.0), (" a", "CMMI10", 10.0, 0.0), ("  <", "CMMI10", 10.0, 0.0), ("  b", "CMMI10", 10.0, 0.0)]) == ["a<b"]  # fmt: skip
    assert _latex([("so", "CMR10", 10.0, 0.0), (" a", "CMMI10", 10.0, 0.0), ("  b", "CMMI10", 10.0, 0.0)]) == ["a", "b"]  # fmt: skip


def test_primes_and_negated_relations() -> None:
    from scipix_search.math import as_tokens

    assert _latex([("so", "CMR10", 10.0, 0.0), (" x", "CMMI10", 10.0, 0.0), ("′", "CMSY7", 7.0, -3.0), (" holds", "CMR10", 10.0, 0.0)]) == ["x'"]  # fmt: skip
    [neq] = _latex([("so", "CMR10", 10.0, 0.0), (" x", "CMMI10", 10.0, 0.0), (" \u0338=", "CMSY10", 10.0, 0.0), (" y", "CMMI10", 10.0, 0.0)])  # fmt: skip
    assert list(as_tokens(neq)) == ["x", "\\neq", "y"]


def test_decimal_point_of_the_math_italic_keeps_the_whole_number() -> None:
    # ``$0.6905 \pm 0.0014$``: TeX prints the digits in the roman, the point in the math
    # italic; the number is whole, not ``6905``
    assert _latex([("fit", "CMR10", 10.0, 0.0), (" 0", "CMR10", 10.0, 0.0), (".", "CMMI10", 10.0, 0.0), ("6905", "CMR10", 10.0, 0.0), (" ±", "CMSY10", 10.0, 0.0), (" 0", "CMR10", 10.0, 0.0), (".", "CMMI10", 10.0, 0.0), ("0014", "CMR10", 10.0, 0.0), (" here", "CMR10", 10.0, 0.0)]) == ["0.6905\\pm0.0014"]  # fmt: skip
    assert _latex([("cut", "CMR10", 10.0, 0.0), (" 0", "CMR10", 10.0, 0.0), (".", "CMMI10", 10.0, 0.0), ("25", "CMR10", 10.0, 0.0), (" here", "CMR10", 10.0, 0.0)]) == ["0.25"]  # fmt: skip
    # a text-font point is the sentence's (``Section 2.4``)
    assert _latex([("Section", "CMR10", 10.0, 0.0), (" 2.4", "CMR10", 10.0, 0.0), (" shows", "CMR10", 10.0, 0.0)]) == []  # fmt: skip


def test_roman_script_at_nine_points_joins_its_base() -> None:
    # a 9 pt class sets ``f_{\rm NL}`` with 7.3 pt scripts (0.81 of the text), lowered
    assert _latex([("with", "Times-Roman", 9.0, 0.0), (" σ", "NewTXMI", 9.0, 0.0), ("(", "txsys", 9.0, 0.0), ("f", "NewTXMI", 9.0, 0.0), ("NL", "Times-Roman", 7.3, 1.7), (")", "txsys", 9.0, 0.0), (" ∼", "txsys", 9.0, 0.0), (" 1,", "Times-Roman", 9.0, 0.0), (" we", "Times-Roman", 9.0, 0.0)]) == ["\\sigma(f_{\\text{NL}})\\sim1"]  # fmt: skip


def test_sans_letters_in_a_serif_line_are_mathsf() -> None:
    # ``$A : \mathsf{U}_0$`` and ``$\mathsf{Nat}_0$`` in a Libertine line: the sans letters
    # come from Biolinum, the text sans font
    line = [("for", "LinLibertineT", 10.0, 0.0), (" A", "LibertineMathMI", 10.0, 0.0), (" :", "LinLibertineT", 10.0, 0.0), (" U", "LinBiolinumT", 10.0, 0.0), ("0", "LinLibertineT", 7.0, 1.5), (" and", "LinLibertineT", 10.0, 0.0), (" Nat", "LinBiolinumT", 10.0, 0.0), ("0", "LinLibertineT", 7.0, 1.5), (" we", "LinLibertineT", 10.0, 0.0), (" have", "LinLibertineT", 10.0, 0.0)]  # fmt: skip
    assert _latex(line) == ["A:\\mathsf{U}_{0}", "\\mathsf{Nat}_{0}"]
    # a sans word with no script is prose (``\textsf{PyTorch}``), and a sans body is prose
    assert _latex([("in", "CMR10", 10.0, 0.0), (" PyTorch", "CMSS10", 10.0, 0.0), (" we", "CMR10", 10.0, 0.0), (" run", "CMR10", 10.0, 0.0)]) == []  # fmt: skip
    assert _latex([("the", "CMSS10", 10.0, 0.0), (" set", "CMSS10", 10.0, 0.0), (" U", "CMSS10", 10.0, 0.0), (" is", "CMSS10", 10.0, 0.0), (" open", "CMSS10", 10.0, 0.0)]) == []  # fmt: skip


def test_upright_comma_ends_a_formula_only_where_math_commas_are_math_italic() -> None:
    # ``$a = 1$, $b$``: Computer Modern sets a formula's comma in CMMI, so the roman comma is
    # the sentence's; mathpazo and Fourier set math commas in the upright text font, where a
    # roman comma tells nothing and the formulas stay as the spacing joins them
    line = [("so", "CMR10", 10.0, 0.0), (" a", "CMMI10", 10.0, 0.0), (" =", "CMR10", 10.0, 0.0), (" 1,", "CMR10", 10.0, 0.0), (" b", "CMMI10", 10.0, 0.0), (" here", "CMR10", 10.0, 0.0)]  # fmt: skip
    pair = [("at", "CMR10", 10.0, 0.0), (" (x", "CMMI10", 10.0, 0.0), (",", "CMMI10", 10.0, 0.0), (" y)", "CMMI10", 10.0, 0.0)]  # fmt: skip
    assert [r.latex for r in inline_regions(1, [_line(line), _line(pair, 200)], [])] == ["a=1", "b", "(x,y)"]  # fmt: skip
    assert _latex(line) == ["a=1,b"]
