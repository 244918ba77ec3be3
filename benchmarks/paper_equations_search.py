"""Known-item equation search on the real papers, PDF-only ingestion.

    python benchmarks/paper_equations_search.py [--ocr auto|on|off]

Ingests the four compiled PDFs of ../shared/data/papers (no LaTeX source) into a fresh store,
then queries with every display-equation row of the papers' .tex sources (macros expanded):

* paper@1: the query's own paper is the first document (documents ranked by best equation);
* renamed top-3: with the query's variables consistently renamed (x->u, i->k, ...), the stored
  equation that is the query's own (the one of its paper with the highest token similarity to
  the source LaTeX) is among the first 3 equation hits.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from scipix_search.config import Settings
from scipix_search.eval import paper_folders, shared_data_dir
from scipix_search.exceptions import LatexParseError
from scipix_search.ingest import read_tex_equations
from scipix_search.math import rename_variables, token_similarity
from scipix_search.pipeline import Indexer
from scipix_search.search import EquationSearcher
from scipix_search.store import Equation, repo

ROOT = Path(__file__).resolve().parents[1]
SHARED = shared_data_dir()  # $SCIPIX_SHARED_DIR/data, by default ../shared/data
# every real paper: its PDF and its main LaTeX file (SOURCES.tsv names both)
PAPERS = {
    paper.name: (paper.pdf.name, paper.tex.name) for paper in paper_folders(SHARED / "papers")
}


def evaluate(ocr: str) -> dict[str, float]:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()) / "data", pdf_equation_ocr=ocr)
    indexer = Indexer(settings)
    doc_ids: dict[str, int] = {}
    started = time.perf_counter()
    for folder, (pdf, _) in PAPERS.items():
        outcome = indexer.ingest_file(SHARED / "papers" / folder / pdf)
        assert outcome.status == "added", outcome.reason
        doc_ids[folder] = outcome.document_id  # type: ignore[assignment]
    ingest_s = time.perf_counter() - started
    searcher = EquationSearcher(indexer.store, indexer.models.formula_encoder)
    with indexer.store.session() as session:
        stored: dict[int, list[Equation]] = {
            doc_id: list(repo.get_document(session=session, document_id=doc_id).equations)
            for doc_id in doc_ids.values()
        }
    rows = []
    print("| paper | display rows | paper@1 | renamed: own equation in top 3 |")
    print("|---|---|---|---|")
    totals = {"n": 0, "paper1": 0, "renamed": 0, "renamed_n": 0}
    for folder, (_, tex) in PAPERS.items():
        doc_id = doc_ids[folder]
        queries = [
            e.latex for e in read_tex_equations(SHARED / "papers" / folder / tex) if e.display
        ]
        n = paper1 = renamed = renamed_n = 0
        for latex in queries:
            try:
                docs = searcher.search_documents(latex, k=3)
            except LatexParseError:
                continue
            n += 1
            paper1 += bool(docs) and docs[0].document_id == doc_id
            own = max(stored[doc_id], key=lambda e: token_similarity(latex, e.latex), default=None)
            try:
                renamed_query = rename_variables(latex)
            except LatexParseError:
                continue
            renamed_n += 1
            hits = searcher.search(renamed_query, k=3)
            renamed += own is not None and own.id in [h.id for h in hits]
        rows.append((folder, n, paper1, renamed, renamed_n))
        print(f"| {folder} | {n} | {paper1 / max(n, 1):.3f} | {renamed / max(renamed_n, 1):.3f} |")
        totals["n"] += n
        totals["paper1"] += paper1
        totals["renamed"] += renamed
        totals["renamed_n"] += renamed_n
    result = {
        "queries": totals["n"],
        "paper_at_1": totals["paper1"] / max(totals["n"], 1),
        "renamed_top3": totals["renamed"] / max(totals["renamed_n"], 1),
        "ingest_seconds": ingest_s,
    }
    print(
        f"| **overall** | {totals['n']} | {result['paper_at_1']:.3f} | {result['renamed_top3']:.3f} |"
    )
    print(f"(PDF ingestion with equation OCR={ocr}: {ingest_s:.0f} s for the four papers)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ocr", choices=["auto", "on", "off"], default="auto")
    args = parser.parse_args()
    evaluate(args.ocr)


if __name__ == "__main__":
    main()
