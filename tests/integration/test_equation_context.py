"""Equation hits carry the sentence that introduces them (issue 15, answers in context).

A real paper of ../shared (its LaTeX source and PDF, ingested as one document) through the
CLI: the equation hit, ``--documents`` and a query of words and math show the sentence the
PDF prints before the equation. The corpus rate is benchmarks/equation_context.py.
"""

import json

import pytest

from scipix_search.cli import main

pytestmark = [pytest.mark.shared, pytest.mark.slow, pytest.mark.model]

INERTIA = r"I(Z, X) := \frac{1}{|X|} \sum_{j=1}^{k} \sum_{x \in Z_j} {d(x, z_j)}^2"


@pytest.fixture
def paper(settings, text_encoder, shared_dir, capsys):
    folder = shared_dir / "papers" / "wilde_edo"
    assert main(["ingest", str(folder / "main.tex"), str(folder / "main.pdf")]) == 0
    assert "added 1," in capsys.readouterr().out
    return folder


def _search(capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(["search", *args]) == 0
    return capsys.readouterr().out


def test_equation_hits_and_documents_show_the_introducing_sentence(paper, capsys):
    top = json.loads(_search(capsys, "--latex", INERTIA, "-k", "3", "--json"))["hits"][0]
    assert (top["page"], top["number"]) == (12, "3")
    # the source says: "... aims to minimise the `inertia' of the current partition ..."
    assert "minimise the ‘inertia’ of the current partition" in top["context"]

    text = _search(capsys, "--latex", INERTIA, "--documents", "-k", "1")
    lines = text.splitlines()
    assert "p.12 (3) $ I(Z, X)" in lines[1]
    assert lines[2].lstrip().startswith("« The k-means algorithm")
    assert len(lines[2].strip()) <= 162  # one line, cut near 160 characters

    mixed = _search(capsys, r"k-means clustering inertia $\sum_{x \in Z_j} d(x, z_j)^2$", "-k", "1")
    assert "« The k-means algorithm" in mixed and "k-means clustering" in mixed.splitlines()[-1]


def test_a_latex_source_alone_has_no_context_rather_than_a_guess(
    settings, text_encoder, shared_dir, capsys
):
    folder = shared_dir / "papers" / "wilde_edo"
    assert main(["ingest", str(folder / "main.tex")]) == 0
    top = json.loads(_search(capsys, "--latex", INERTIA, "-k", "1", "--json"))["hits"][0]
    assert top["latex"].startswith("I(Z, X)") and "context" not in top
