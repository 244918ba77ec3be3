"""Scanned papers: born-digital pages rasterised, degraded and ingested as image-only PDFs.

    python benchmarks/scans.py [--half test] [--pages 2] [--dpi 150 200 300] [--skew 1.0]

Each real paper of ../shared/data/papers gives the first ``--pages`` pages that hold display
equations (by its text layer). Per setting they are rendered at the dpi, rotated by a random
angle in ``[-skew, skew]`` degrees, blurred, given Gaussian noise and saved as JPEG (quality
``--jpeg``), then put one image per page into an image-only PDF of the page's size and ingested
through the real path (``Indexer.ingest_bytes``: text OCR, formula detection, formula OCR,
encoders, store). Printed per setting:

* detection recall / precision: the stored ``origin="ocr"`` equations' boxes (PDF points)
  against the born-digital display regions of the same pages (IoU >= 0.5, one to one); the
  rows of a multi-row display, stored after it with their centres inside its box (as the
  born-digital path stores them), are reads of that display, not regions;
* latex@0.6 / latex@0.8: share of true regions whose matched equation has normalised-token
  similarity >= 0.6 / 0.8 with the source (its best display row, or whole environment);
* paper@1: source display rows of the sampled pages as queries, in a store that also holds
  all 18 born-digital PDFs: the scan of the query's paper is the first document. The query's
  own born-digital PDF (its twin) holds the query exactly: counted as a hit it would score
  the twin and not the scan, counted as a miss it would ask the scan to beat an exact copy.
  So it is left out of the ranking, wholly: it takes no first-stage places either (each
  first stage answers as an index without the twin would; before, the twin's equations
  could fill the 100 candidates and keep the scan's out), and every other paper and scan
  competes. The search is the CLI's and the API's (FAISS candidates and the tuple index's);
* CER: character error rate of the stored passages against the text layer outside the
  display regions, with each side's words sorted (reading order of two columns is not what
  is scored, the characters are);
* s/page: ingestion wall time per page (load shows in it: say the load with the figure).

The papers are split by position in name order, decided before any tuning: even positions
are the dev half (``--half dev``), odd positions the test half.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import code_version  # noqa: E402
from scipix_search.config import Settings  # noqa: E402
from scipix_search.eval import (  # noqa: E402
    PaperFolder,
    display_boxes,
    match_pairs,
    paper_folders,
    print_table,
    scan_pdf,
    shared_data_dir,
)
from scipix_search.exceptions import ScipixError  # noqa: E402
from scipix_search.ingest import read_tex_equations  # noqa: E402
from scipix_search.math import token_similarity  # noqa: E402
from scipix_search.pipeline import Indexer, Models  # noqa: E402
from scipix_search.search import EquationSearcher  # noqa: E402
from scipix_search.store import repo  # noqa: E402

Box = tuple[float, float, float, float]


@dataclass
class Paper:
    folder: PaperFolder
    truth: dict[int, list[Box]]  # 0-based page -> display boxes (points)
    pages: list[int]  # the sampled 0-based pages
    rows: list[str]  # source display rows and whole environments (rows joined)
    born_id: int = 0


@dataclass
class Tally:
    truth: int = 0
    found: int = 0
    matched: int = 0
    latex6: int = 0
    latex8: int = 0
    queries: int = 0
    paper1: int = 0
    # queries by what the scan holds of them: a read (similarity >= 0.6), a detected region
    # misread, a region not detected; and the paper@1 hits of the first
    held: int = 0
    held_hits: int = 0
    misread: int = 0
    undetected: int = 0
    found_regions: set[tuple[str, int, int]] = field(default_factory=set)
    cer_edits: int = 0
    cer_chars: int = 0
    pages: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)


def levenshtein_chars(a: str, b: str) -> int:
    """Character edit distance, one numpy row at a time (pages are thousands of characters)."""
    if not a or not b:
        return max(len(a), len(b))
    codes = np.array([ord(c) for c in b])
    steps = np.arange(len(b) + 1)
    prev = steps.copy()
    for i, char in enumerate(a, 1):
        cur = np.empty_like(prev)
        cur[0] = i
        cur[1:] = np.minimum(prev[1:] + 1, prev[:-1] + (codes != ord(char)))
        # insertions: cur[j] = min over k <= j of cur[k] + (j - k)
        prev = np.minimum.accumulate(cur - steps) + steps
    return int(prev[-1])


def _words_outside(page: pymupdf.Page, boxes: list[Box]) -> str:
    words = []
    for x0, y0, x1, y1, text, *_ in page.get_text("words"):
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes):
            words.append(text)
    return " ".join(sorted(words))


def load_papers(half: str, pages: int, root: Path | None = None, skip: int = 0) -> list[Paper]:
    """Paper folders of ``root`` (default: the shared real papers) with display equations on
    ``pages`` of their pages that hold displays, after the first ``skip`` such pages, split by
    position in name order (``half``)."""
    folders = sorted(paper_folders(root or shared_data_dir() / "papers"), key=lambda p: p.name)
    if half != "all":
        folders = folders[half == "test" :: 2]
    papers = []
    for folder in folders:
        truth = display_boxes(folder.pdf)
        sampled = sorted(truth)[skip : skip + pages]
        if not sampled:
            continue
        tex = [e for e in read_tex_equations(folder.tex) if e.display]
        envs: dict[int, list[str]] = {}
        for e in tex:
            envs.setdefault(e.env_index, []).append(e.latex)
        rows = [e.latex for e in tex] + [r" \\ ".join(v) for v in envs.values() if len(v) > 1]
        papers.append(Paper(folder, truth, sampled, rows))
    return papers


def build_base(papers_all: list[PaperFolder], models: Models, root: Path) -> dict[str, int]:
    """A store holding every born-digital PDF (the distractors, and each query's own twin)."""
    # the text layer's LaTeX is enough for distractors (the formula OCR of 18 PDFs is not)
    settings = Settings(data_dir=root, pdf_equation_ocr="off")
    text_layer = Models(
        settings, text_encoder=models.text_encoder, formula_encoder=models.formula_encoder
    )
    indexer = Indexer(settings, models=text_layer)
    ids = {}
    for folder in papers_all:
        outcome = indexer.ingest_file(folder.pdf)
        if outcome.document_id is None:
            raise SystemExit(f"{folder.name}: born-digital PDF not ingested: {outcome.reason}")
        ids[folder.name] = outcome.document_id
    return ids


def run_setting(
    papers: list[Paper], dpi: int, args: argparse.Namespace, models: Models, base: Path, work: Path
) -> Tally:
    data_dir = work / f"dpi{dpi}"
    shutil.copytree(base, data_dir)
    indexer = Indexer(Settings(data_dir=data_dir, pdf_equation_ocr="off"), models=models)
    tally = Tally()
    scans: dict[str, int] = {}
    for index, paper in enumerate(papers):
        data = scan_pdf(
            paper.folder.pdf,
            paper.pages,
            dpi,
            seed=1000 * dpi + index,
            skew=args.skew,
            jpeg=args.jpeg,
        )
        started = time.perf_counter()
        outcome = indexer.ingest_bytes(data, f"{paper.folder.name}-scan-{dpi}.pdf")
        tally.seconds += time.perf_counter() - started
        tally.pages += len(paper.pages)
        if outcome.document_id is None:
            tally.failed.append(f"{paper.folder.name}: {outcome.reason}")
            continue
        scans[paper.folder.name] = outcome.document_id
        _score_pages(indexer, paper, outcome.document_id, tally)
    if not args.no_search:
        _score_search(indexer, papers, scans, tally, args.verbose)
    return tally


def _score_pages(indexer: Indexer, paper: Paper, doc_id: int, tally: Tally) -> None:
    with indexer.store.session() as session, pymupdf.open(paper.folder.pdf) as original:
        document = repo.get_document(session=session, document_id=doc_id)
        assert document is not None
        for number, page in enumerate(paper.pages, 1):
            truth = paper.truth[page]
            stored = sorted(
                (e for e in document.equations if e.page == number and e.origin == "ocr"),
                key=lambda e: e.order,
            )
            found = [
                (e.bbox, e.latex)
                for k, e in enumerate(stored)
                if e.bbox is not None and not _row_of_display(e, stored[:k])
            ]
            pairs = match_pairs(truth, [tuple(b) for b, _ in found])  # type: ignore[misc]
            tally.truth += len(truth)
            tally.found += len(found)
            tally.matched += len(pairs)
            tally.found_regions.update((paper.folder.name, page, i) for i in pairs)
            for j in pairs.values():
                best = max((token_similarity(found[j][1], row) for row in paper.rows), default=0.0)
                tally.latex6 += best >= 0.6
                tally.latex8 += best >= 0.8
            read = " ".join(p.text for p in document.passages if p.page == number).split()
            text = _words_outside(original[page], truth)
            tally.cer_edits += levenshtein_chars(" ".join(sorted(read)), text)
            tally.cer_chars += len(text)


def _score_search(
    indexer: Indexer,
    papers: list[Paper],
    scans: dict[str, int],
    tally: Tally,
    verbose: bool = False,
) -> None:
    searcher = EquationSearcher(indexer.store, indexer.models.formula_encoder)
    searcher.build_tuples()  # as the CLI and the API search: the sub-formula first stage too
    vectors, tuples = searcher._index, searcher.tuples
    with indexer.store.session() as session:
        for paper in papers:
            if paper.folder.name not in scans:
                continue
            born = repo.get_document(session=session, document_id=paper.born_id)
            assert born is not None
            # the twin is left out of the ranking, so it takes no first-stage places either:
            # each first stage answers as an index without it would
            twin = {e.id for e in born.equations}
            searcher._index = _Without(vectors, twin)
            searcher.tuples = _Without(tuples, twin)
            # the source rows printed on the sampled pages: their born-digital twin lies there
            on_pages = [e for e in born.equations if e.display and e.page - 1 in paper.pages]
            scan = repo.get_document(session=session, document_id=scans[paper.folder.name])
            assert scan is not None
            reads = [e.latex for e in scan.equations if e.origin == "ocr"]
            for row in paper.rows:
                similar = [(token_similarity(row, e.latex), e) for e in on_pages]
                if not similar or max(s for s, _ in similar) < 0.5:
                    continue
                held = any(token_similarity(row, r) >= 0.6 for r in reads)
                if held:
                    tally.held += 1
                elif _region_found(paper, max(similar, key=lambda s: s[0])[1], tally):
                    tally.misread += 1
                else:
                    tally.undetected += 1
                try:
                    docs = searcher.search_documents(row, k=5)
                except ScipixError:
                    continue
                ranked = [d for d in docs if d.document_id != paper.born_id]
                tally.queries += 1
                hit = bool(ranked) and ranked[0].document_id == scans[paper.folder.name]
                tally.paper1 += hit
                tally.held_hits += hit and held
                if verbose and not hit:
                    kind = "held" if held else "misread/undetected"
                    best = max(reads, key=lambda r: token_similarity(row, r), default="")
                    top = [(d.source.rsplit("/", 1)[-1][:24], round(d.score, 3)) for d in docs]
                    print(  # noqa: T201 - benchmark output
                        f"  miss {paper.folder.name} [{kind}] {row!r}\n"
                        f"       best read {token_similarity(row, best):.2f} {best!r}\n"
                        f"       top {top}"
                    )


class _Without:
    """A first stage (FAISS index or tuple index) that answers without some equations: it
    fetches as many more as it hides and drops them, so what is left is, in order, what an
    index without them returns (both stages are exact top-k searches)."""

    def __init__(self, stage: Any, hidden: set[int]) -> None:
        self.stage, self.hidden = stage, hidden
        self._hidden = np.fromiter(hidden, dtype=np.int64, count=len(hidden))

    def search(self, query: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
        scores, ids = self.stage.search(query, k + len(self.hidden))
        if ids.ndim == 1:  # the tuple index: one query, flat arrays
            keep = ~np.isin(ids, self._hidden)
            return scores[keep][:k], ids[keep][:k]
        keep = ~np.isin(ids[0], self._hidden)  # FAISS: one query row, -1 for empty slots
        return scores[:, keep][:, :k], ids[:, keep][:, :k]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stage, name)


def _row_of_display(equation: Any, before: list[Any]) -> bool:
    """A row of a multi-row display stored before it (its centre inside the display's box,
    its LaTeX part of the display's): ingestion stores such a display whole and then row by
    row, as the born-digital path does; the display is the region, its rows are more reads
    of it, not more regions."""
    x0, y0, x1, y1 = equation.bbox
    x, y = (x0 + x1) / 2, (y0 + y1) / 2
    return any(
        b.bbox is not None
        and b.bbox[0] <= x <= b.bbox[2]
        and b.bbox[1] <= y <= b.bbox[3]
        and equation.latex in b.latex
        for b in before
    )


def _region_found(paper: Paper, equation: Any, tally: Tally) -> bool:
    """Whether the true display region holding the born-digital equation was detected."""
    if equation.bbox is None:
        return False
    x = (equation.bbox[0] + equation.bbox[2]) / 2
    y = (equation.bbox[1] + equation.bbox[3]) / 2
    page = equation.page - 1
    for i, box in enumerate(paper.truth.get(page, [])):
        if box[0] - 2 <= x <= box[2] + 2 and box[1] - 2 <= y <= box[3] + 2:
            return (paper.folder.name, page, i) in tally.found_regions
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=["dev", "test", "all"], default="test")
    parser.add_argument("--pages", type=int, default=2, help="pages with displays per paper")
    parser.add_argument(
        "--skip", type=int, default=0, help="pages with displays passed over first (dev 3-6: 2)"
    )
    parser.add_argument("--dpi", type=int, nargs="+", default=[150, 200, 300])
    parser.add_argument("--skew", type=float, default=1.0, help="max rotation, degrees")
    parser.add_argument("--jpeg", type=int, default=75, help="JPEG quality")
    parser.add_argument("--no-search", action="store_true", help="skip paper@1 (no base store)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list paper@1 misses")
    parser.add_argument("--base", type=Path, help="born-digital base of an earlier --keep run")
    parser.add_argument(
        "--keep", type=Path, help="keep the born-digital base and the scans' stores here"
    )
    args = parser.parse_args()

    papers = load_papers(args.half, args.pages, skip=args.skip)
    models = Models(Settings(data_dir=Path(tempfile.mkdtemp()) / "models-data"))
    work = Path(tempfile.mkdtemp(prefix="scans-", dir=args.keep))
    try:
        base = work / "base"
        if args.no_search:
            base.mkdir()
        elif args.base is not None and (args.base / "ids.json").exists():
            base = args.base  # a base built by an earlier run (same code for the born-digital)
            ids = json.loads((base / "ids.json").read_text())
        else:
            every = sorted(paper_folders(shared_data_dir() / "papers"), key=lambda p: p.name)
            ids = build_base(every, models, base)
            (base / "ids.json").write_text(json.dumps(ids))
        if not args.no_search:
            for paper in papers:
                paper.born_id = ids[paper.folder.name]
        rows = []
        for dpi in args.dpi:
            t = run_setting(papers, dpi, args, models, base, work)
            rows.append(
                (
                    f"{dpi} dpi",
                    t.pages,
                    t.truth,
                    f"{t.matched / max(t.truth, 1):.3f}",
                    f"{t.matched / max(t.found, 1):.3f}",
                    f"{t.latex6 / max(t.truth, 1):.3f}",
                    f"{t.latex8 / max(t.truth, 1):.3f}",
                    "-" if args.no_search else f"{t.paper1 / max(t.queries, 1):.3f} ({t.queries})",
                    f"{t.cer_edits / max(t.cer_chars, 1):.3f}",
                    f"{t.seconds / max(t.pages, 1):.2f}",
                )
            )
            if not args.no_search:
                print(  # noqa: T201 - benchmark output
                    f"  {dpi} dpi paper@1 queries: {t.held} held by a read of the scan "
                    f"(similarity >= 0.6; {t.held_hits} found first), {t.misread} of a detected "
                    f"region misread, {t.undetected} of a region not detected"
                )
            for failure in t.failed:
                print(f"  failed: {failure}")  # noqa: T201 - benchmark output
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print_table(
        [
            "setting",
            "pages",
            "regions",
            "recall",
            "precision",
            "latex@0.6",
            "latex@0.8",
            "paper@1 (queries)",
            "CER",
            "s/page",
        ],
        rows,
        title=(
            f"Scans of the {args.half} half ({len(papers)} papers), skew <= {args.skew} deg, "
            f"blur, noise 8, JPEG q{args.jpeg}; code {code_version()}; load {os.getloadavg()[0]:.1f}"
        ),
    )


if __name__ == "__main__":
    main()
