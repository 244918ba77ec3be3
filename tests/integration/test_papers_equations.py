"""The real papers of ../shared/data/papers: source equations (ground truth) and PDF figures.

Assertions are rates over the whole corpus (which grows), never counts of particular papers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.eval import (
    InlineScore,
    PdfEquationScore,
    paper_folders,
    score_inline_math,
    score_pdf_equations,
)
from scipix_search.ingest import parse_latex_source, read_tex_equations

pytestmark = pytest.mark.shared


def test_papers_tex_display_equations(shared_dir: Path) -> None:
    papers = paper_folders(shared_dir / "papers")
    assert papers, "no paper folders"
    with_rows = numbered = rows_total = 0
    titled = with_passages = 0
    for paper in papers:
        eqs = [e for e in read_tex_equations(paper.tex) if e.display]
        envs = len({e.env_index for e in eqs})
        print(f"{paper.name}: {envs} display environments, {len(eqs)} rows")
        with_rows += bool(eqs)
        rows_total += len(eqs)
        numbered += sum(e.number is not None for e in eqs)
        doc = parse_latex_source(paper.tex)
        titled += bool(doc.title)
        with_passages += len(doc.passages) > 10
        # macros are expanded, never stored as equations
        assert not any("\\newcommand" in e.latex for e in doc.equations)
    n = len(papers)
    print(f"{n} papers, {rows_total} rows, {numbered / max(1, rows_total):.2f} numbered")
    # every real paper in the corpus has display math and prose; a few have no \title at all
    # (a book chapter's \chapter, a collaboration's own title macros)
    assert with_rows / n >= 0.95
    assert titled / n >= 0.8
    assert with_passages / n >= 0.95
    # numbers are counted as LaTeX counts them (numbered environments, \tag, \nonumber)
    assert numbered / rows_total >= 0.4


@pytest.mark.slow
def test_papers_pdf_detection_figures(shared_dir: Path) -> None:
    total = PdfEquationScore()
    for paper in paper_folders(shared_dir / "papers"):
        res = score_pdf_equations(paper)
        print(
            f"{paper.name}: recall {res.recall:.3f} precision {res.precision:.3f} "
            f"latex@0.8 {res.latex_ok:.3f}"
        )
        total += res
    print(
        f"overall: detection recall {total.recall:.3f}, precision {total.precision:.3f}, "
        f"latex@0.8 {total.latex_ok:.3f}"
    )
    # floors a little under what was measured (below); the PDF issue's targets are higher
    assert total.recall >= RECALL_FLOOR
    assert total.precision >= PRECISION_FLOOR
    assert total.latex_ok >= LATEX_FLOOR


# measured on the 18 papers, text layer: recall 0.978, precision 0.938, latex@0.8 0.908
# (precision 0.912 before cells of ruled tables, labels inside plots and justified paragraph
# lines dense with inline math were dropped)
# (0.884 before fractions and short letters as scripts, \hbar, margin line numbers, rows
# aligned at their relations and scripts of the row above kept from operators' limits;
# 0.881 before sub-subscripts in script-size fractions kept their level;
# 0.866 before words set after a display row's math were kept in the display and math in
# \text was moved out of it in the canonical form; 0.818 before \pmb, stacked accents, nested fractions, sized Unicode radicals, prefixed
# numbers and labelled rows; 0.810 before the glyph names of other fonts; 0.803 before the page-box clip of the text layer; 0.786 before joined relations, phi
# from glyph names and sans words as \mathsf; 0.752 at an earlier commit; 0.720 before tall
# Unicode delimiters were measured by their ink, display-heavy columns split and text cells
# of display rows kept; 0.697 before text layers that lie were read from glyph names; 0.493
# before the font-role, radical and recursive-script work)
RECALL_FLOOR = 0.94
PRECISION_FLOOR = 0.89
LATEX_FLOOR = 0.88


@pytest.mark.slow
def test_papers_inline_math_rates(shared_dir: Path) -> None:
    """Inline math read from the PDFs against the sources' inline formulas (>= 3 tokens)."""
    total = InlineScore()
    for paper in paper_folders(shared_dir / "papers"):
        res = score_inline_math(paper)
        print(f"{paper.name}: recall {res.recall:.3f} precision {res.precision:.3f}")
        total += res
    print(f"overall: inline recall {total.recall:.3f}, precision {total.precision:.3f}")
    # measured 0.825 / 0.956 (benchmarks/pdf_inline.py; 0.789 / 0.951 before words set tight
    # before math, sans words beside relations, relation colons, the sentence's commas and
    # hung radical signs; 0.724 / 0.913 before the canonical forms and 9 pt scripts; 0.671 /
    # 0.910 before numbers before relations, named functions, script bases, relation spaces
    # and primes; 0.511 / 0.889 before a typeset line's pieces were put back together and
    # accents kept): the targets are 0.80 / 0.90. Precision fell to 0.920 when an en
    # dash became a sign of math (f663cd1: every page range in the references was a formula)
    # and is 0.960 with the en dash a minus only inside math.
    assert total.source > 0 and total.extracted > 0
    assert total.recall >= 0.80
    assert total.precision >= 0.93


def test_matrices_from_the_text_layer(shared_dir: Path) -> None:
    """Column vectors and blocks set with CMEX brackets come back as matrix LaTeX.

    Over every paper: source rows holding a bracketed matrix, and the share of them whose
    PDF region (same printed number) is rebuilt from the text layer as a matrix.
    """
    from scipix_search.ingest import find_equation_regions
    from scipix_search.math import token_similarity

    matrix_rows = rebuilt = 0
    for paper in paper_folders(shared_dir / "papers"):
        source = {
            e.number: e.latex
            for e in read_tex_equations(paper.tex)
            if e.display and e.number and "bmatrix" in e.latex
        }
        if not source:
            continue
        regions = {r.number: r for r in find_equation_regions(paper.pdf, render=False)}
        for number, latex in source.items():
            matrix_rows += 1
            region = regions.get(number)
            ok = (
                region is not None
                and "matrix" in region.latex
                and token_similarity(region.latex, latex) >= 0.8
            )
            rebuilt += ok
            print(paper.name, number, ok, region.latex[:80] if region else None)
    assert matrix_rows >= 4, "the corpus should hold numbered bmatrix displays"
    assert rebuilt / matrix_rows >= 0.5
