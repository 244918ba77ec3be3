"""Honest scores: fit each kind's raw score to the probability that a hit is relevant.

    python benchmarks/score_calibration.py [--cache-dir /tmp/calib] [--k 10]

Ingests the compiled PDFs of ../shared/data/papers (no LaTeX source) into a store (kept in
``--cache-dir`` between runs), then labels the top ``k`` hits of queries whose answers are known:

* equations: every display row of the papers' .tex sources, as written and with its variables
  renamed (``paper_equations_search.py``'s queries), and the 325 ARQMath / NTCIR formula
  topics of ../shared/data/queries, which these papers do not hold. A hit is relevant when it is
  the formula asked for (``--per-paper`` rows a paper, every other topic): its LaTeX matches the query as written at token similarity >= 0.8
  (the latex@0.8 of the PDF benchmarks), whichever paper it is in.
* passages: each paper's title and its section headings of three words or more, and twenty
  topics that none of the papers is about. A passage is relevant when it is from the paper the
  query was taken from.

The papers at even positions (and the even-numbered off-library queries) are the fitting half:
a one-feature logistic regression per kind (equations: the re-rank score; passages: the cosine
of the query and passage vectors). The other half checks it: mean predicted probability against
the observed rate per bin, Brier score, and the precision / recall of ``close_match``
(probability >= CLOSE_MATCH) over hits, and how many off-library queries get a close match.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from scipix_search.config import Settings
from scipix_search.eval import paper_folders, shared_data_dir
from scipix_search.exceptions import LatexParseError, ScipixError
from scipix_search.ingest import read_tex_equations
from scipix_search.math import rename_variables, token_similarity
from scipix_search.pipeline import Indexer
from scipix_search.search import (
    CLOSE_MATCH,
    EQUATION_CALIBRATION,
    PASSAGE_CALIBRATION,
    EquationSearcher,
    PassageSearcher,
    fit_calibration,
)

SHARED = shared_data_dir()
PAPERS = paper_folders(SHARED / "papers")  # --papers N keeps the first N

#: Topics that none of the 18 papers is about (their fields: control, optimisation, imitation
#: learning, metamaterials, fluids, diffusion, factor analysis, particle physics, econometrics,
#: spatial statistics, cosmology, wireless, design optimisation, compilers, algebraic geometry,
#: Riemann solvers, evolutionary biology, plasmonics).
OFF_TOPICS = [
    "sourdough bread fermentation and baking recipe",
    "medieval castle architecture in Wales",
    "football transfer fees in the premier league",
    "poetry of the English romantic era",
    "coral reef bleaching and ocean tourism",
    "history of jazz improvisation",
    "tax law reform for small businesses",
    "dinosaur fossil excavation in Patagonia",
    "knitting patterns for winter sweaters",
    "wine tasting notes of Bordeaux vintages",
    "ancient Egyptian hieroglyphs and burial rites",
    "renaissance painting techniques and pigments",
    "dog training and obedience classes",
    "growing tomato plants in a home garden",
    "child language acquisition of vocabulary",
    "Shakespeare sonnets and their themes",
    "treatment of sleep apnea in adults",
    "origami folding instructions for a crane",
    "the rules of cricket test matches",
    "skin care routine for dry skin",
]

_HEADING = re.compile(r"\\(?:sub)?section\*?\s*\{([^{}]{8,160})\}")
_TITLE = re.compile(r"\\title\s*(?:\[[^\]]*\])?\s*\{((?:[^{}]|\{[^{}]*\})+)\}")


@dataclass
class Labelled:
    raw: float  # the calibration's feature
    relevant: bool
    query: int  # which query, for per-query figures
    fit: bool  # in the fitting half


def words(latex_text: str) -> str:
    text = re.sub(r"\\[a-zA-Z]+\*?", " ", latex_text)
    return " ".join(re.sub(r"[{}$~\\]", " ", text).split())


def passage_queries(tex: Path) -> list[str]:
    source = tex.read_text(errors="replace")
    found = [words(m.group(1)) for m in _TITLE.finditer(source)][:1]
    found += [words(m.group(1)) for m in _HEADING.finditer(source)]
    return [q for q in dict.fromkeys(found) if len(q.split()) >= 3]


def build_store(cache: Path) -> tuple[Indexer, dict[str, int]]:
    # the PDFs' own text layer only (formula OCR of doubtful rows is minutes a paper on 2 cores)
    settings = Settings(data_dir=cache / "data", pdf_equation_ocr="off")
    indexer = Indexer(settings)
    ids_file = cache / "documents.json"
    if ids_file.is_file():
        return indexer, json.loads(ids_file.read_text())
    doc_ids: dict[str, int] = {}
    started = time.perf_counter()
    for paper in PAPERS:
        outcome = indexer.ingest_file(paper.pdf)
        assert outcome.document_id is not None, outcome.reason
        doc_ids[paper.name] = outcome.document_id
        print(
            f"{paper.name}: {outcome.status} at {time.perf_counter() - started:.0f} s", flush=True
        )
    print(f"ingested {len(doc_ids)} PDFs in {time.perf_counter() - started:.0f} s")
    ids_file.write_text(json.dumps(doc_ids))
    return indexer, doc_ids


def off_library_formulas() -> list[str]:
    found = []
    for path in sorted((SHARED / "queries").glob("*.txt")):
        if "wildcards" in path.name:  # \qvar is a query syntax, not a formula
            continue
        for line in path.read_text().splitlines():
            if "\t" in line:
                found.append(line.split("\t", 1)[1].strip())
    return found


def label_equations(searcher: EquationSearcher, k: int, per_paper: int) -> list[Labelled]:
    rows: list[Labelled] = []
    queries: list[tuple[str, str, bool]] = []  # (query, asked-for latex, fitting half)
    for position, paper in enumerate(PAPERS):
        displays = [e for e in read_tex_equations(paper.tex) if e.display]
        # spread over the paper: every n-th display row
        for equation in displays[:: max(1, len(displays) // per_paper)][:per_paper]:
            queries.append((equation.latex, equation.latex, position % 2 == 0))
            with contextlib.suppress(LatexParseError):
                queries.append(
                    (rename_variables(equation.latex), equation.latex, position % 2 == 0)
                )
    for i, latex in enumerate(off_library_formulas()[::2]):
        queries.append((latex, latex, i % 2 == 0))
    for number, (query, asked, fit) in enumerate(queries):
        try:
            hits = searcher.search(query, k=k)
        except ScipixError:
            continue
        for hit in hits:
            relevant = token_similarity(asked, hit.latex or "") >= 0.8
            rows.append(Labelled(hit.raw_score, relevant, number, fit))
    return rows


def label_passages(searcher: PassageSearcher, doc_ids: dict[str, int], k: int) -> list[Labelled]:
    rows: list[Labelled] = []
    queries: list[tuple[str, int | None, bool]] = []
    for position, paper in enumerate(PAPERS):
        queries += [(q, doc_ids[paper.name], position % 2 == 0) for q in passage_queries(paper.tex)]
    queries += [(q, None, i % 2 == 0) for i, q in enumerate(OFF_TOPICS)]
    for number, (query, document_id, fit) in enumerate(queries):
        for hit in searcher.search(query, k=k):
            assert hit.cosine is not None
            rows.append(Labelled(hit.cosine, hit.document_id == document_id, number, fit))
    return rows


def report(kind: str, rows: list[Labelled], current: object) -> None:
    fit = [r for r in rows if r.fit]
    test = [r for r in rows if not r.fit]
    model = fit_calibration(kind, [r.raw for r in fit], [r.relevant for r in fit])
    print(
        f"\n## {kind}: {len(fit)} labelled hits to fit ({sum(r.relevant for r in fit)} relevant),"
    )
    print(f"{len(test)} to check ({sum(r.relevant for r in test)} relevant)")
    print(f"fitted:  {model}\nin code: {current}")
    probability = [model(r.raw) for r in test]
    brier = sum((p - r.relevant) ** 2 for p, r in zip(probability, test, strict=True))
    print(f"Brier score on the check half: {brier / max(len(test), 1):.4f}")
    print("\n| predicted | hits | mean predicted | observed relevant |\n|---|---|---|---|")
    for low in (0.0, 0.1, 0.3, 0.5, 0.7, 0.9):
        high = {0.0: 0.1, 0.1: 0.3, 0.3: 0.5, 0.5: 0.7, 0.7: 0.9, 0.9: 1.01}[low]
        inside = [(p, r) for p, r in zip(probability, test, strict=True) if low <= p < high]
        if inside:
            mean = sum(p for p, _ in inside) / len(inside)
            rate = sum(r.relevant for _, r in inside) / len(inside)
            print(f"| {low:.1f}-{min(high, 1):.1f} | {len(inside)} | {mean:.3f} | {rate:.3f} |")
    close = [r for p, r in zip(probability, test, strict=True) if p >= CLOSE_MATCH]
    relevant = sum(r.relevant for r in test)
    precision = sum(r.relevant for r in close) / max(len(close), 1)
    recall = sum(r.relevant for r in close) / max(relevant, 1)
    print(
        f"\nclose_match (p >= {CLOSE_MATCH}) on the check half: precision {precision:.3f}, "
        f"recall {recall:.3f} ({len(close)} hits flagged)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/scipix-calibration"))
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--papers", type=int, default=len(PAPERS), help="the first N papers")
    parser.add_argument("--per-paper", type=int, default=20, help="display rows queried a paper")
    args = parser.parse_args()
    del PAPERS[args.papers :]
    indexer, doc_ids = build_store(args.cache_dir)
    equations = EquationSearcher(indexer.store, indexer.models.formula_encoder)
    passages = PassageSearcher(indexer.store, indexer.models.text_encoder)
    report("equation", label_equations(equations, args.k, args.per_paper), EQUATION_CALIBRATION)
    report("passage", label_passages(passages, doc_ids, args.k), PASSAGE_CALIBRATION)


if __name__ == "__main__":
    main()
