"""Structure that other math fonts set differently from Computer Modern, read the same.

Each construct is typeset in Computer Modern and in a font whose layout differs (kpfonts,
mathpazo), and read back from the text layer:

* a tall delimiter that the font builds from pieces mapped to Adobe's private-use code points
  (kpfonts' extension font): the pieces' text-layer boxes are a fixed ascent and descent, so
  the reader takes their drawn outline, as for the Unicode pieces;
* ``\\operatorname*{arg\\,min}`` with a limit no wider than its name, followed by another
  operator name a thin space after it (Palatino and kpfonts set the limit that narrow);
* a paragraph whose last line is one short word (``as``) right over a display set with the
  short skip: the word is no numerator, and the display is kept.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ingest.pdf._locate import find_equation_regions
from tests.factories import require_tex_file, typeset_article

_FONTS = {
    "cm": ("", None),
    "kpfonts": ("\\usepackage{kpfonts}\n", "kpfonts.sty"),
    "mathpazo": ("\\usepackage{mathpazo}\n", "mathpazo.sty"),
}


def _read(tmp: Path, font: str, body: str, options: str = "11pt") -> list[str]:
    preamble, package = _FONTS[font]
    if package:
        require_tex_file(package)
    tex = typeset_article(
        tmp / "doc.tex", body, "\\usepackage{amssymb}\n" + preamble, options=options
    )
    return [r.latex for r in find_equation_regions(tex.with_suffix(".pdf"), render=False)]


@pytest.mark.parametrize("font", ["cm", "kpfonts"])
def test_delimiter_built_from_private_use_pieces(tmp_path: Path, font: str) -> None:
    body = (
        "\\begin{equation}\n\\mathbb{E}_{j}\\left( \\frac{(Z_{jk} - u_{jk})^2}{2\\nu_{jk}^2}"
        " \\right) = \\frac{1}{2},\n\\end{equation}\n"
        "\\begin{equation}\n\\left[ -Q + \\log \\frac{dP_{-jk} \\otimes N(u_{jk}, \\nu_{jk}^2)}"
        "{d\\Pi_{-jk} \\otimes \\theta_k} \\right] + C\n\\end{equation}\n"
    )
    latex = _read(tmp_path, font, body, options="10pt")
    assert latex == [
        "\\mathbb{E}_{j}\\left( \\frac{(Z_{jk}-u_{jk})^{2}}{2\\nu_{jk}^{2}} \\right)=\\frac{1}{2},",
        "\\left[ -Q+\\log\\frac{dP_{-jk}\\otimes N(u_{jk},\\nu_{jk}^{2})}"
        "{d\\Pi_{-jk}\\otimes\\theta_{k}} \\right]+C",
    ]


@pytest.mark.parametrize("font", ["cm", "kpfonts", "mathpazo"])
def test_operator_name_a_thin_space_after_arg_min(tmp_path: Path, font: str) -> None:
    body = (
        "\\begin{equation}\n\\hat q(\\Theta) = \\operatorname*{arg\\,min}_{q(\\Theta) \\in "
        "\\mathcal{Q}^{\\text{MF}}} \\operatorname*{\\text{KL}}\\left(q(\\Theta), \\pi(\\Theta|X^n)"
        "\\right),\n\\end{equation}\n"
        "\\begin{equation}\n\\max_{x \\in S} \\log p(x) = 0\n\\end{equation}\n"
    )
    latex = _read(tmp_path, font, body)
    assert latex == [
        "\\hat{q}(\\Theta)=\\operatorname*{arg\\,min}_{q(\\Theta)\\in\\mathcal{Q}^{\\text{MF}}}"
        "\\text{KL}(q(\\Theta),\\pi(\\Theta|X^{n})),",
        "\\max_{x\\in S}\\log p(x)=0",
    ]


@pytest.mark.parametrize("font", ["cm", "kpfonts"])
def test_short_last_line_over_a_display(tmp_path: Path, font: str) -> None:
    body = (
        "\n\nIntroducing a positive definite matrix $D$ and defining $\\tilde Z = Z D_L^{-1}$,"
        " where $D_L$ is the lower triangular part of its Cholesky factor, the likelihood"
        " function can be\\\\\n"
        # a full line (as TeX justifies a paragraph's lines), then the last one, a short word
        "\\makebox[\\linewidth][s]{written again in terms of the new factor loadings and"
        " scores of this model}\\\\\nas\n$$\nX_i = \\tilde Z \\tilde w_i + "
        "\\epsilon_i,\n$$\nwhere $\\tilde w_i \\sim \\mathcal{N}(0, D)$.\n\n"
    )
    latex = _read(tmp_path, font, body, options="10pt")
    assert "X_{i}=\\tilde{Z}\\tilde{w}_{i}+\\epsilon_{i}," in latex
