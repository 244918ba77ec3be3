"""How TeX prints some marks, read back from pdflatex documents typeset here (the tests skip
without pdflatex).

* ``\\pmb`` (amsbsy's poor man's bold) prints its argument three times, a fraction of a mu
  apart: one bold glyph, not three;
* stacked accents (``\\tilde{\\hat{H}}``) are set each over the one below: both kept, nested;
* a norm written with single bars (``\\left|\\left| x \\right|\\right|``): the two bars set
  side by side both open;
* ``\\bot`` and ``\\perp`` are one glyph; only ``\\perp`` (a relation) has thick spaces
  around it;
* a radical sized for a fraction (``\\sqrt{\\frac{a}{b}}``) reaches as deep as its radicand,
  also where the font maps it to a plain ``√``;
* a fraction in a numerator or denominator is a fraction of its own;
* limits of several lines under a big operator are a ``\\substack``;
* an operator word written ``\\operatorname{tr}`` keeps its letters;
* an equation number with a prefix (``(SI.3)``) is a number, also when MuPDF joins it into
  the line of its row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest.pdf._glyphs import Glyph
from scipix_search.ingest.pdf._lines import _numbers_apart
from scipix_search.math import as_tokens
from tests.factories import NumberedDisplays, typeset_numbered

_DISPLAYS = {
    "pmb": r"\pmb{\Sigma} = \mathbf{A} + \pmb{\Sigma}_{\mathbf{E}}",
    "pmb-letters": r"y = \pmb{\alpha} x + \pmb{\beta}",
    "stacked": r"\tilde{\hat{\mathbf{H}}} = \mathbf{P} \hat{\mathbf{H}}",
    "stacked-2": r"\bar{\dot{x}} + \hat{\tilde{y}} = 0",
    "norm": r"f = \left|\left| \frac{a}{b} - \mathbf{S} \right|\right|^{2}",
    "bot": r"\top \vdash \bot",
    "bot-2": r"D(0) \vdash \bot \quad (\bot)",
    "perp": r"w_{i} \perp w_{j} + v",
    "perp-script": r"V^{\perp} \cap W = 0",
    "sqrt-frac": r"c = \sqrt{a^{2} - \frac{\rho_{0}}{\rho^{2}} + \frac{4}{3} \frac{\mu}{\rho}}",
    "sqrt-frac-2": r"u = \sqrt{\frac{\sigma_{1} - \sigma_{2}}{t}} + 1",
    "nested-frac": r"\frac{d \rho}{\frac{- \Gamma}{b_{1}}} = \frac{d s}{0}",
    "nested-frac-2": r"x = \frac{\frac{a}{b} + 1}{c}",
    "substack": r"y = \sum_{\substack{i \in S \\ j \neq i}} a_{i j} + b",
    "trace": r"\mathrm{tr}(A) = \operatorname{tr}(B)",
}


def _typeset(tmp: Path, numbering: str = "") -> NumberedDisplays:
    return typeset_numbered(
        tmp / "marks.tex",
        _DISPLAYS.values(),
        f"\\usepackage{{amssymb,amsbsy}}\n{numbering}",
        options="10pt",
    )


@pytest.fixture(scope="module")
def marks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[tuple[str, ...], str]]:
    doc = _typeset(tmp_path_factory.mktemp("marks"))
    return {
        key: (tuple(as_tokens(source)), latex)
        for key, (source, latex) in zip(_DISPLAYS, doc.pairs(), strict=True)
    }


@pytest.mark.parametrize("key", list(_DISPLAYS))
def test_marks_read_as_typeset(marks: dict[str, tuple[tuple[str, ...], str]], key: str) -> None:
    source, latex = marks[key]
    assert tuple(as_tokens(latex)) == source, latex


def test_overprint_is_one_bold_glyph(marks: dict[str, tuple[tuple[str, ...], str]]) -> None:
    _, latex = marks["pmb"]
    assert latex.count("\\Sigma") == 2
    assert "\\boldsymbol{\\Sigma}" in latex


def test_prefixed_numbers(tmp_path: Path) -> None:
    doc = _typeset(tmp_path, "\\renewcommand{\\theequation}{SI.\\arabic{equation}}\n")
    assert sorted(r.number or "" for r in doc.regions) == sorted(
        f"SI.{n}" for n in range(1, len(_DISPLAYS) + 1)
    )


def _glyphs(text: str, x: float, size: float = 10.0) -> list[Glyph]:
    out = []
    for c in text:
        out.append(Glyph(c, x, 90.0, x + 0.5 * size, 101.0, 100.0, size, "CMR10"))
        x += 0.5 * size
    return out


def test_number_joined_to_its_row_is_set_apart() -> None:
    row = _glyphs("a=b,", 100.0)
    # amsmath keeps at least half an em (\mintagsep) between a row and its tag
    for gap, apart in ((6.0, True), (2.0, False)):
        number = _glyphs("(SI.17)", row[-1].x1 + gap)
        lines = _numbers_apart([(row + number, (100.0, 90.0, number[-1].x1, 101.0))])
        texts = ["".join(g.c for g in gs) for gs, _ in lines]
        assert texts == (["a=b,", "(SI.17)"] if apart else ["a=b,(SI.17)"])
