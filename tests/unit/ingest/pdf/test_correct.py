"""Text layer with OCR: when the glyphs are trusted as they are, and bold letters kept."""

from __future__ import annotations

from scipix_search.ingest.pdf._correct import (
    MIN_AGREEMENT,
    agreement,
    bold_letters,
    correct,
    embolden,
    text_layer_complete,
)
from scipix_search.ingest.pdf._glyphs import Glyph


def _g(c: str, font: str = "CMMI10", size: float = 10.0) -> Glyph:
    return Glyph(c, 0, 0, 5, 10, 10, size, font)


def test_text_layer_complete_simple_formula() -> None:
    assert text_layer_complete([_g("x"), _g("=", "CMR10"), _g("α"), _g("2", "CMR7", 7.0)])


def test_text_layer_incomplete_unmapped_glyphs_and_radicals() -> None:
    assert not text_layer_complete([_g("x"), _g("\ufffd", "CMEX10")])  # an unnamed CMEX glyph
    assert not text_layer_complete([_g("x"), _g("\uf8ee", "Symbol")])  # a lone bracket piece
    assert not text_layer_complete([_g("√", "CMSY10"), _g("x")])
    assert not text_layer_complete([])
    # scripts of scripts are flattened by the rebuild, and trusted (measured better than OCR)
    assert text_layer_complete([_g("E"), _g("c", "CMMI7", 7.0), _g("t", "CMMI5", 5.0)])


def test_embolden_follows_the_text_layer_per_script_level() -> None:
    text = r"\boldsymbol{x}=\boldsymbol{S}_{+}\boldsymbol{\Phi}_{x}\hat{\boldsymbol{w}}"
    assert bold_letters(text) == {("x", 0), ("S", 0), (r"\Phi", 0), ("w", 0)}
    # the subscript x stays plain: the text layer prints it plain at that level
    assert embolden(r"x = S_{+} \Phi_{x} \hat{w}", text) == (
        r"\boldsymbol{x} = \boldsymbol{S}_{+} \boldsymbol{\Phi}_{x} \hat{\boldsymbol{w}}"
    )
    # letters already styled, in words, or printed both ways are left alone
    assert embolden(r"\mathrm{x} + \mathbf{S}", text) == r"\mathrm{x} + \mathbf{S}"
    assert embolden("y + x", r"\boldsymbol{y} + y + \boldsymbol{x}") == r"y + \boldsymbol{x}"


def test_correct_confusables_and_barless_fractions() -> None:
    # OCR read ":" as ";" and a hat as a dot; the text layer prints only ":" and hats
    assert correct(r"p(c^{1;t}) \dot{w}", r"p(c^{1:t})\hat{w}") == r"p(c^{1:t}) \hat{w}"
    # a two-row vector read as a fraction, where the page draws no fraction bar
    assert correct(r"\left[\frac{x}{u}\right]", r"x=u") == (
        r"\left[\begin{matrix} x \\ u \end{matrix}\right]"
    )
    # a real fraction (the text layer rebuilt its bar) and symbols printed both ways stay
    assert correct(r"\frac{1}{z} ; a", r"\frac{1}{z};a") == r"\frac{1}{z} ; a"


def test_correct_fractions_follow_the_drawn_bars() -> None:
    # the glyph rebuild may miss a fraction in a complex layout; a drawn bar keeps it
    assert correct(r"\frac{1}{z} A", r"1 z A", bars=True) == r"\frac{1}{z} A"
    assert correct(r"\frac{x}{u}", r"x=\frac{a}{b}", bars=False) == (
        r"\begin{matrix} x \\ u \end{matrix}"
    )


def test_agreement_counts_symbols_the_page_prints() -> None:
    assert agreement(r"\frac{x}{2} + \alpha", r"x/2+\alpha") == 1.0
    # OCR invented a bar, a g and an f where the page prints z = Cx + Du
    assert agreement(r"\bar{f}_{u}^{g}(\Phi) w", r"z=Cx+Du") < MIN_AGREEMENT
