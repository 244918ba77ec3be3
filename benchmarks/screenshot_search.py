"""Screenshot search: each im2latex dev image, OCR'd, must find its own formula at rank 1.

    python benchmarks/screenshot_search.py [--limit 2000]

Indexes ../shared/data/formulas (8,475 real formulas) and the 2,000 LaTeX strings of
../shared/data/im2latex/dev.tsv as collections (the real ingestion path), then queries with each
dev image through the formula OCR and the equation searcher. A query counts as correct when the
first hit has the same canonical LaTeX as the image's own formula (the corpus holds duplicates).
Prints rank-1 and top-5 rates and the per-query time split into OCR and search.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from scipix_search.config import Settings
from scipix_search.eval import shared_data_dir
from scipix_search.exceptions import LatexParseError, ScipixError
from scipix_search.math import canonical_latex
from scipix_search.ocr import LatexRecognizer
from scipix_search.pipeline import Indexer
from scipix_search.search import EquationSearcher

ROOT = Path(__file__).resolve().parents[1]
SHARED = shared_data_dir()  # $SCIPIX_SHARED_DIR/data, by default ../shared/data


def canon(latex: str) -> str | None:
    try:
        return canonical_latex(latex)
    except LatexParseError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=2000)
    args = parser.parse_args()
    settings = Settings(data_dir=Path(tempfile.mkdtemp()) / "data")
    indexer = Indexer(settings)
    dev_rows = [
        r.split("\t", 1)
        for r in (SHARED / "im2latex" / "dev.tsv").read_text().splitlines()
        if "\t" in r and not r.startswith("image\t")
    ]
    started = time.perf_counter()
    for path in (
        SHARED / "formulas" / "im2latex_val_formulas.txt",
        SHARED / "im2latex" / "dev.tsv",
    ):
        outcome = indexer.ingest_file(path)
        assert outcome.status == "added", outcome.reason
    print(f"indexed the collections in {time.perf_counter() - started:.0f} s")
    searcher = EquationSearcher(indexer.store, indexer.models.formula_encoder)
    recognizer = LatexRecognizer(settings.model_dir, device=settings.device)
    ocr_ms, search_ms = [], []
    top1 = top5 = errors = 0
    rows = dev_rows[: args.limit]
    for image, latex in rows:
        want = canon(latex)
        t = time.perf_counter()
        result = recognizer(SHARED / "im2latex" / "images" / image)
        ocr_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        try:
            hits = searcher.search(result.latex, k=5)
        except ScipixError:
            errors += 1
            hits = []
        search_ms.append((time.perf_counter() - t) * 1000)
        got = [canon(h.latex or "") for h in hits]
        top1 += bool(got) and got[0] == want
        top5 += want in got
    n = len(rows)
    print(f"\n## Screenshot search over {n} im2latex dev images (index: 10,475 real formulas)")
    print("| metric | value |")
    print("|---|---|")
    print(f"| own formula at rank 1 | {top1 / n:.3f} |")
    print(f"| own formula in top 5 | {top5 / n:.3f} |")
    print(f"| OCR output not searchable (parse error) | {errors} |")
    print(f"| OCR ms median / p90 | {np.median(ocr_ms):.0f} / {np.percentile(ocr_ms, 90):.0f} |")
    print(
        f"| search ms median / p90 | {np.median(search_ms):.0f} / {np.percentile(search_ms, 90):.0f} |"
    )


if __name__ == "__main__":
    main()
