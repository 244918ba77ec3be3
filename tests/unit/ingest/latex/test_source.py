"""LaTeX source ingestion: main file, inputs, macros, display/inline math, passages."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from scipix_search.exceptions import CorruptInputError, InputError, InputTooLargeError
from scipix_search.ingest.latex._macros import MacroTable, strip_comments
from scipix_search.ingest.latex._source import (
    extract_tex_equations,
    parse_latex_source,
    read_tex_equations,
    split_rows,
)


@pytest.fixture
def project(fixtures_dir: Path) -> Path:
    return fixtures_dir / "tex" / "project"


def _display(doc):
    return [e for e in doc.equations if e.display]


def test_parse_latex_source_folder_display_rows(project: Path) -> None:
    doc = parse_latex_source(project)
    rows = _display(doc)
    assert doc.kind == "tex"
    assert [e.latex for e in rows] == [
        r"E(\boldsymbol{x}) = \frac{1}{2}\left\| \boldsymbol{x} \right\|_{1}^2",
        r"x_{t+1} = x_t - \eta \nabla E(x_t)",
        r"y_{t+1} = \operatorname*{arg\,min}_{y} f(y)",
        r"z = \begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}",
        r"a^2 + b^2 = c^2",
    ]
    assert [e.number for e in rows] == ["1", None, "2", "A", None]
    assert all(e.origin == "tex" and e.page is None and e.bbox is None for e in doc.equations)


def test_parse_latex_source_inline_math_and_order(project: Path) -> None:
    doc = parse_latex_source(project)
    inline = [e.latex for e in doc.equations if not e.display]
    assert inline[:2] == [
        r"\boldsymbol{x} \in \mathbb{R}^n",
        r"\left\| \boldsymbol{x} \right\|_{2}",
    ]
    assert [e.order for e in doc.equations] == list(range(len(doc.equations)))


def test_parse_latex_source_title_and_passages(project: Path) -> None:
    doc = parse_latex_source(project)
    assert doc.title == "A Small Test Paper"
    texts = [p.text for p in doc.passages]
    assert any("5% or more" in t for t in texts)
    assert any("as in (1)" in t for t in texts)  # \eqref resolved, \cite dropped
    assert not any("figure that is not prose" in t for t in texts)
    assert not any(t == "Introduction" for t in texts)


def test_parse_latex_source_single_file_follows_inputs(project: Path) -> None:
    doc = parse_latex_source(project / "main.tex")
    assert len(_display(doc)) == 5
    assert doc.source == "main.tex"


def test_parse_latex_source_tar_gz(project: Path, tmp_path: Path) -> None:
    archive = tmp_path / "2101.00001.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(project / "main.tex", arcname="main.tex")
        tar.add(project / "sections" / "body.tex", arcname="sections/body.tex")
        evil = tarfile.TarInfo("../evil.tex")
        data = b"\\documentclass{article}\\begin{document}$x$\\end{document}"
        evil.size = len(data)
        tar.addfile(evil, io.BytesIO(data))
    doc = parse_latex_source(archive)
    assert len(_display(doc)) == 5
    assert len(doc.sha256) == 64


def test_parse_latex_source_archive_size_limit(project: Path, tmp_path: Path) -> None:
    archive = tmp_path / "big.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(project / "main.tex", arcname="main.tex")
    with pytest.raises(InputTooLargeError):
        parse_latex_source(archive, max_bytes=100)


def test_parse_latex_source_corrupt_archive(tmp_path: Path) -> None:
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(b"not an archive at all")
    with pytest.raises(CorruptInputError):
        parse_latex_source(archive)


def test_parse_latex_source_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        parse_latex_source(tmp_path / "nope")


def test_parse_latex_source_prefers_file_named_like_pdf(tmp_path: Path) -> None:
    body = (
        "\\documentclass{article}\\begin{document}\\begin{equation}%s\\end{equation}\\end{document}"
    )
    (tmp_path / "paper.tex").write_text(body % "a=1")
    (tmp_path / "zz_longer_response_letter.tex").write_text(body % "b=2" + "\n" * 200)
    (tmp_path / "fig.tex").write_text(
        "\\documentclass{standalone}\\begin{document}x\\end{document}"
    )
    (tmp_path / "paper.pdf").write_bytes(b"%PDF-1.4")
    assert [e.latex for e in parse_latex_source(tmp_path).equations] == ["a=1"]


def test_strip_comments_keeps_escaped_percent() -> None:
    assert strip_comments("50\\% done % note\nnext") == "50\\% done next\n"
    assert strip_comments("% whole line\nkept") == "kept\n"


def test_macro_table_arguments_default_and_recursion() -> None:
    table = MacroTable()
    table.collect(
        r"\newcommand{\x}{\tf x}\newcommand{\tf}[1]{\boldsymbol{#1}}\newcommand\loop{\loop}"
    )
    assert table.expand(r"\x_t + \tf{y}") == r"\boldsymbol{x}_t + \boldsymbol{y}"
    assert table.expand(r"\loop") == r"\loop"  # stops at the expansion budget


def test_macro_table_control_word_spacing() -> None:
    table = MacroTable()
    table.collect(r"\newcommand{\eps}{\varepsilon}")
    assert table.expand(r"\eps x") == r"\varepsilon x"


def test_extract_tex_equations_environments() -> None:
    body = r"""
    $$ a = b $$ and \(c\) and $d\$$
    \begin{eqnarray} e &=& f \\ g &=& h \nonumber \end{eqnarray}
    \begin{multline*} p + q \\ + r \end{multline*}
    \begin{alignat}{2} s &= t & u &= v \end{alignat}
    \begin{verbatim} $not math$ \end{verbatim}
    \begin{IEEEeqnarray}{rCl} w & = & x \IEEEnonumber \\ y & = & z \end{IEEEeqnarray}
    \begin{IEEEeqnarray*}{rCl} V & = & \{1,2\} \end{IEEEeqnarray*}
    """
    eqs = extract_tex_equations(body)
    assert [(e.latex, e.display, e.number) for e in eqs] == [
        ("a = b", True, None),
        ("c", False, None),
        (r"d\$", False, None),
        ("e = f", True, "1"),
        ("g = h", True, None),
        ("p + q + r", True, None),
        ("s = t u = v", True, "2"),
        ("w = x", True, None),
        ("y = z", True, "3"),
        (r"V = \{1,2\}", True, None),
    ]


def test_extract_tex_equations_numbered_within_section() -> None:
    body = r"\section{A} \begin{equation} x \end{equation} \section{B} \begin{equation} y \end{equation}"
    eqs = extract_tex_equations(body, number_within_section=True)
    assert [e.number for e in eqs] == ["1.1", "2.1"]


def test_split_rows_ignores_nested_breaks() -> None:
    assert split_rows(r"a \\ \begin{matrix} 1 \\ 2 \end{matrix} \\[3pt] {b \\ c}") == [
        "a ",
        r" \begin{matrix} 1 \\ 2 \end{matrix} ",
        r" {b \\ c}",
    ]


def test_read_tex_equations_env_index(project: Path) -> None:
    eqs = [e for e in read_tex_equations(project) if e.display]
    assert [e.env_index for e in eqs] == [0, 1, 1, 1, 2]
    assert eqs[0].label == "eq:energy"


def test_macros_of_the_projects_own_package_are_expanded(tmp_path: Path) -> None:
    """``\\usepackage{style}`` with ``style.sty`` beside the main file: its macros count."""
    (tmp_path / "style.sty").write_text("\\newcommand{\\fnl}{f_{\\rm NL}}\n")
    (tmp_path / "ms.tex").write_text(
        "\\documentclass{article}\n\\usepackage{amsmath,style}\n\\begin{document}\n"
        "We fit $\\fnl = 0$.\n\\begin{equation}\\fnl < 3\\end{equation}\n\\end{document}\n"
    )
    eqs = read_tex_equations(tmp_path)
    assert [e.latex.replace(" ", "") for e in eqs] == ["f_{\\rmNL}=0", "f_{\\rmNL}<3"]
