"""Equation ingestion (LaTeX sources, formula lists) and search by LaTeX through the CLI."""

import json
from pathlib import Path

import pytest

from scipix_search.cli import main

pytestmark = pytest.mark.model

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

FORMULAS = [
    r"a^2 + b^2 = c^2",
    r"\frac{1}{n}\sum_{i=1}^{n} x_i",
    r"e^{i\pi} + 1 = 0",
    r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}",
    r"\nabla \cdot \mathbf{E} = \frac{\rho}{\varepsilon_0}",
    r"f(x) = \sum_{k=0}^{\infty} \frac{f^{(k)}(a)}{k!}(x-a)^k",
]


@pytest.fixture
def collection(settings, text_encoder, tmp_path, capsys):
    path = tmp_path / "formulas.txt"
    path.write_text("\n".join(FORMULAS) + "\n")
    assert main(["ingest", str(path), str(FIXTURES / "tex" / "project")]) == 0
    assert "added 2, already present 0, failed 0" in capsys.readouterr().out
    return path


def _search(capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(["search", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_equation_search_renamed_variables_rank_first(collection, capsys):
    top = _search(capsys, "--latex", "x^2+y^2=z^2", "-k", "3")["hits"][0]
    assert top["kind"] == "equation"
    assert top["latex"] == "a^2 + b^2 = c^2"
    assert top["source"] == "formulas.txt"

    top = _search(capsys, "--latex", r"\frac1N\sum_{j} y_j", "-k", "3")["hits"][0]
    assert top["latex"] == r"\frac{1}{n}\sum_{i=1}^{n} x_i"


def test_equation_search_finds_tex_source_equation_with_expanded_macros(collection, capsys):
    hits = _search(capsys, "--latex", r"u_{t+1} = u_t - \eta \nabla E(u_t)", "-k", "3")["hits"]
    assert hits[0]["source"] == "main.tex"
    assert r"\nabla E" in hits[0]["latex"]


def test_equation_search_latex_file_one_json_line_per_query(collection, tmp_path, capsys):
    queries = tmp_path / "queries.tsv"
    queries.write_text("q1\te^{i\\theta}+1=0\nq2\t\\frac{a}{b\nq3\t\\qvar{x}^2+\\qvar{y}^2=c^2\n")
    capsys.readouterr()
    assert main(["search", "--latex-file", str(queries), "-k", "2"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 3
    assert lines[0]["hits"][0]["latex"] == r"e^{i\pi} + 1 = 0"
    assert "error" in lines[1] and lines[1]["query"] == "\\frac{a}{b"
    assert lines[2]["hits"][0]["latex"] == "a^2 + b^2 = c^2"


def test_equation_search_malformed_latex_is_a_clear_error(collection, capsys):
    capsys.readouterr()
    assert main(["search", "--latex", r"\frac{1}{2"]) == 2
    assert "error:" in capsys.readouterr().err


def test_equation_search_documents_ranked_by_best_equation(collection, capsys):
    docs = _search(capsys, "--latex", r"\nabla E(x)", "--documents")["hits"]
    assert docs[0]["kind"] == "document"
    assert docs[0]["source"] == "main.tex"


def test_equation_search_only_inline_or_only_display(collection, capsys):
    """``--only inline`` finds the source's inline formula; ``--only display`` never does."""
    query = r"\vec{x} \in \mathbb{R}^n"
    inline = _search(capsys, "--latex", query, "-k", "5", "--only", "inline")["hits"]
    assert inline and all(h["display"] is False for h in inline)
    assert r"\in" in inline[0]["latex"]
    display = _search(capsys, "--latex", query, "-k", "5", "--only", "display")["hits"]
    assert display and all(h["display"] is True for h in display)
    both = _search(capsys, "--latex", query, "-k", "50")["hits"]
    assert {h["display"] for h in both} == {True, False}


def test_equation_search_part_of_an_equation_finds_it_and_says_which_part(collection, capsys):
    hits = _search(capsys, "--latex", r"\sum_{m=0}^{\infty} \frac{g^{(m)}(b)}{m!}", "-k", "3")[
        "hits"
    ]
    assert hits[0]["latex"] == FORMULAS[5]
    assert hits[0]["matched_latex"].startswith(r"\sum _ { k = 0 } ^ { \infty } \frac")
    whole = _search(capsys, "--latex", "a^2 + b^2 = c^2", "-k", "1")["hits"][0]
    assert "matched_latex" not in whole  # the whole equation matched


def test_equation_searcher_with_a_tuple_index_finds_long_holders(collection, settings):
    from scipix_search.pipeline import Models
    from scipix_search.search import EquationSearcher
    from scipix_search.store import Store

    searcher = EquationSearcher(Store(settings), Models(settings).formula_encoder, candidates=2)
    query = r"\frac{f^{(k)}(a)}{k!}(x-a)^k"
    tuples = searcher.build_tuples()
    assert tuples.n >= len(FORMULAS)
    hits = searcher.search(query, k=1)  # 2 FAISS candidates, plus those holding the query
    assert hits[0].latex == FORMULAS[5]
    assert hits[0].matched_latex is not None


def test_search_words_and_math_in_one_query(collection, capsys):
    docs = _search(capsys, r"gradient descent $u_{t+1} = u_t - \eta \nabla E(u_t)$", "-k", "2")
    top = docs["hits"][0]
    assert top["kind"] == "document" and top["source"] == "main.tex"
    assert r"\nabla E" in top["equations"][0]["latex"]


def test_cli_search_keeps_the_tuple_index_beside_the_indexes(collection, settings, capsys):
    from scipix_search.search import load_tuple_index
    from scipix_search.store import Store, repo

    path = settings.index_dir / "tuples" / "equations.npz"
    _search(capsys, "--latex", r"\frac{f^{(k)}(a)}{k!}", "-k", "1")
    with Store(settings).session() as session:
        stored = [i for i, _ in repo.iter_equation_latex(session=session)]
    saved = load_tuple_index(path)
    assert saved is not None and saved[0].ids.tolist() == stored

    more = collection.with_name("more.txt")
    more.write_text(r"g(y) = \int_0^1 \frac{f^{(k)}(a)}{k!} \, dy" + "\n")
    assert main(["ingest", str(more)]) == 0
    hits = _search(capsys, "--latex", r"\frac{f^{(k)}(a)}{k!}", "-k", "3")["hits"]
    assert any(h["source"] == "more.txt" for h in hits)
    healed = load_tuple_index(path)
    assert healed is not None and len(healed[0].ids) == len(stored) + 1


def test_equation_searcher_ranks_from_sketches_as_from_parsed_formulas(collection, settings):
    from scipix_search.pipeline import Models
    from scipix_search.search import EquationSearcher
    from scipix_search.store import Store, repo

    store = Store(settings)
    encoder = Models(settings).formula_encoder
    sketched = EquationSearcher(store, encoder)
    parsed = EquationSearcher(store, encoder)
    queries = [r"x^2+y^2=z^2", r"\frac{f^{(k)}(a)}{k!}", r"\qvar{u} + 1 = 0", FORMULAS[3]]

    def both(query: str) -> list[tuple[int, float]]:
        sketched.build_tuples()
        parsed.build_tuples()
        assert sketched.tuples is not None and sketched.tuples.sketches is not None
        assert parsed.tuples is not None
        parsed.tuples.sketches = None  # every candidate parsed, as before sketches
        got = [(r.id, r.score) for r in sketched.rank(query, k=8).items]
        want = [(r.id, r.score) for r in parsed.rank(query, k=8).items]
        assert [i for i, _ in got] == [i for i, _ in want]
        assert [s for _, s in got] == pytest.approx([s for _, s in want], abs=1e-9)
        return got

    for query in queries:
        assert both(query)
    # a document deleted and one inserted: the healed sketches still rank as parsing does
    top = sketched.search(FORMULAS[3], k=1)[0]
    assert store.delete_document(top.document_id)
    more = collection.with_name("more.txt")
    more.write_text(r"\int_0^\infty e^{-t^2}\,dt = \frac{\sqrt{\pi}}{2}" + "\n")
    assert main(["ingest", str(more)]) == 0
    sketched.reload()
    parsed.reload()
    ids = [i for i, _ in both(FORMULAS[3])]
    with store.session() as session:
        assert set(ids) <= {i for i, _ in repo.iter_equation_latex(session=session)}
    assert top.id not in ids
