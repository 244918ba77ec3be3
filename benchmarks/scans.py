"""Scanned papers: born-digital pages rasterised, degraded and ingested as image-only PDFs.

    python benchmarks/scans.py [--half test] [--pages 2] [--dpi 150 200 300] [--skew 1.0]
        [--papers DIR | --typeset [--grid G --classes a,b --fonts x,y --docs-per-cell N]]

Each real paper of ../shared/data/papers gives the first ``--pages`` pages that hold display
equations (by its text layer). Per setting they are rendered at the dpi, rotated by a random
angle in ``[-skew, skew]`` degrees, blurred, given Gaussian noise and saved as JPEG (quality
``--jpeg``), then put one image per page into an image-only PDF of the page's size and ingested
through the real path (``Indexer.ingest_bytes``: text OCR, formula detection, formula OCR,
encoders, store). Printed per setting:

* detection recall / precision: the stored ``origin="ocr"`` equations' boxes (PDF points)
  against the born-digital display regions of the same pages that the paper's source
  confirms (IoU >= 0.5, one to one; ``--truth reader`` takes every region of the born-digital
  reader, as the figures before this option did: its false regions, prose lines dense with
  inline math and table cells, then count as displays a scan must find); the
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
  is scored, the characters are) and in NFKC form (a text layer's math italic 𝑥 and ﬁ
  ligature are the x and fi a page shows);
* s/page: ingestion wall time per page (load shows in it: say the load with the figure).

The papers are split by position in name order, decided before any tuning: even positions
are the dev half (``--half dev``), odd positions the test half.

Other corpora (no scan rule was chosen on them: held-out figures):

* ``--papers DIR``: any folder of paper folders, e.g. a setup of ``benchmarks/retypeset.py``
  (``<out>/<setup>/``: the real papers recompiled in a math font the scan rules never saw).
  The paper@1 store holds that folder's born-digital PDFs (not the originals: they print the
  same formulas). A folder of the real papers keeps their halves by name (a paper that did
  not compile in the setup shifts no other paper's half).
* ``--typeset``: documents of the typeset corpus (``benchmarks/typeset``, built or taken from
  its cache by content hash with the builder's options: ``--grid``, ``--classes``, ``--fonts``,
  ``--docs-per-cell``, ``--seed``, ``--out``; ``--half`` does not apply, the grids say what
  is held out). The truth regions are the born-digital reader's display regions that each
  document's source confirms, and the reader's own recall over the documents is printed
  under the table (a display it misses on the born-digital PDF is no truth region); the
  LaTeX truth is each document's ``truth.json``. Per class and per font tables come first.
  What it can show: detection and reading of displays across classes and math fonts the
  scan rules were never developed on, with exact ground truth and every display construct
  (align, cases, multline, matrices...) on every page. What it cannot: its pages are short and
  regular (generic prose, 16 displays each, no figures, tables or references), so CER and
  recall on it are not what real papers give; and paper@1 is not measured: documents of the
  same number set (almost) the same formulas in every class and font by design, so a query's
  formula is printed in several documents (the scans included) and "the scan of its paper
  first" has no single right answer; and the formulas of a document are independent draws,
  with none of the shared notation that lets a real paper be found from a misread formula.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import code_version  # noqa: E402
from benchmarks.typeset.build import BuiltDoc, add_build_args, build_from_args  # noqa: E402
from scipix_search.config import Settings  # noqa: E402
from scipix_search.eval import (  # noqa: E402
    PaperFolder,
    PdfEquationScore,
    ScanOptions,
    display_boxes,
    match_pairs,
    paper_folders,
    print_table,
    scan_pdf,
    score_pdf_equations,
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
    groups: dict[str, str] = field(default_factory=dict)  # typeset: its class and font


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

    def add(self, other: Tally) -> None:
        for name, value in vars(other).items():
            mine = getattr(self, name)
            if isinstance(mine, set):
                mine.update(value)
            elif isinstance(mine, list):
                mine.extend(value)
            else:
                setattr(self, name, mine + value)


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


def sorted_words(texts: Iterable[str]) -> str:
    """The words of ``texts`` in NFKC form, sorted, joined by spaces: each side of the CER.
    NFKC because a text layer spells a math italic x as U+1D465 (newtxmath, STIX, most
    OpenType math) and a ligature as U+FB01, which a page's pixels, and so any OCR, spell
    ``x`` and ``fi``: counted raw, a font's encoding would read as OCR errors."""
    return " ".join(sorted(w for t in texts for w in unicodedata.normalize("NFKC", t).split()))


def _words_outside(page: pymupdf.Page, boxes: list[Box]) -> str:
    words = []
    for x0, y0, x1, y1, text, *_ in page.get_text("words"):
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes):
            words.append(text)
    return sorted_words(words)


def load_papers(
    half: str,
    pages: int,
    root: Path | None = None,
    skip: int = 0,
    *,
    confirmed: bool = True,
) -> list[Paper]:
    """Paper folders of ``root`` (default: the shared real papers) with display equations on
    ``pages`` of their pages that hold displays, after the first ``skip`` such pages, split by
    position in name order (``half``). A folder of the real papers in other fonts (every
    name a shared paper's, as ``retypeset.py`` writes them) keeps the real papers' halves.

    The pages are chosen by the born-digital reader's display regions; the truth regions on
    them are those regions that the paper's source confirms (``confirmed``, the default, as
    ``--typeset`` has it: a prose line dense with inline math or a table cell that the reader
    took for a display is no display a scan should be held to), or all of them."""
    folders = paper_folders(root or shared_data_dir() / "papers")
    if half != "all":
        shared = [p.name for p in paper_folders(shared_data_dir() / "papers")]
        folders = half_folders(folders, half, shared)
    papers = []
    for folder in folders:
        truth = display_boxes(folder.pdf)
        sampled = sorted(truth)[skip : skip + pages]
        if not sampled:
            continue
        if confirmed:
            real: dict[int, list[Box]] = {}
            score_pdf_equations(folder, real_boxes=real)
            truth = {page: real.get(page, []) for page in truth}
        tex = [e for e in read_tex_equations(folder.tex) if e.display]
        envs: dict[int, list[str]] = {}
        for e in tex:
            envs.setdefault(e.env_index, []).append(e.latex)
        rows = [e.latex for e in tex] + [r" \\ ".join(v) for v in envs.values() if len(v) > 1]
        papers.append(Paper(folder, truth, sampled, rows))
    return papers


def half_folders(folders: list[PaperFolder], half: str, shared: list[str]) -> list[PaperFolder]:
    """The ``half`` (dev: even positions in name order, test: odd) of ``folders``; when every
    folder is named after one of the ``shared`` papers (the real papers in other fonts), by
    that paper's position among them, so a paper keeps its half whichever others compiled."""
    folders = sorted(folders, key=lambda p: p.name)
    names = sorted(shared)
    by_name = {p.name for p in folders} <= set(names)
    return [
        p
        for k, p in enumerate(folders)
        if (names.index(p.name) if by_name else k) % 2 == (half == "test")
    ]


def load_typeset(
    docs: list[BuiltDoc], pages: int, skip: int = 0
) -> tuple[list[Paper], PdfEquationScore]:
    """Documents of the typeset corpus as scanned papers, and the born-digital reader's scores
    on them (how complete their truth regions are).

    The truth regions are the born-digital reader's display regions that the document's
    source confirms (``score_pdf_equations``' precision test: same printed number, LaTeX
    similarity >= 0.5 or the glyphs of a source environment), so a display the reader misses
    on the born-digital PDF is missing from the truth too (the reader's recall, printed beside
    the table, says how many). The rows are the document's own ``truth.json``: every display
    row and each multi-row display whole (a ``multline``'s pieces joined as one formula).
    """
    papers, born = [], PdfEquationScore()
    for doc in docs:
        if doc.error is not None:
            continue
        folder = PaperFolder(doc.folder.name, doc.folder, doc.folder, doc.pdf)
        truth: dict[int, list[Box]] = {}
        born += score_pdf_equations(folder, real_boxes=truth)
        sampled = sorted(truth)[skip : skip + pages]
        if sampled:
            groups = {"class": doc.cell.doc_class.name, "font": doc.cell.font.name}
            papers.append(Paper(folder, truth, sampled, typeset_rows(doc.folder), groups=groups))
    return papers, born


def typeset_rows(folder: Path) -> list[str]:
    """A typeset document's source display rows and multi-row displays, from its truth.json."""
    record = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    rows: list[str] = []
    for formula in record["formulas"]:
        if formula["kind"] != "display":
            continue
        rows.extend(formula["rows"])
        if len(formula["rows"]) > 1:
            glue = " " if formula["construct"] == "multline" else r" \\ "
            rows.append(glue.join(formula["rows"]))
    return rows


@dataclass
class Corpus:
    """The scanned papers of a run, what the title calls them, the born-digital PDFs of the
    paper@1 store (none: paper@1 is not measured) and a line said under the table."""

    papers: list[Paper]
    name: str
    base: list[PaperFolder]
    note: str = ""


def add_scan_args(parser: argparse.ArgumentParser) -> None:
    """The degradation's options (``ocr.ScanOptions``; the defaults are the scans every
    figure before them was measured on)."""
    group = parser.add_argument_group("degradation", "what the scan does to each page")
    group.add_argument("--skew", type=float, default=1.0, help="max rotation, degrees")
    group.add_argument("--jpeg", type=int, default=75, help="JPEG quality")
    group.add_argument("--colour", action="store_true", help="tinted paper, ink not black")
    group.add_argument(
        "--lighting", type=float, default=0.0, help="light lost to a gradient and a shadow"
    )
    group.add_argument("--keystone", type=float, default=0.0, help="max lean of the sides, deg")
    group.add_argument("--bilevel", action="store_true", help="thresholded, a 1-bit PNG")


def scan_options(args: argparse.Namespace) -> ScanOptions:
    """The degradation ``add_scan_args``' options say."""
    return ScanOptions(
        skew=args.skew,
        jpeg=args.jpeg,
        colour=args.colour,
        lighting=args.lighting,
        keystone=args.keystone,
        bilevel=args.bilevel,
    )


def add_corpus_args(parser: argparse.ArgumentParser) -> None:
    """``--papers DIR``, and ``--typeset`` with the typeset builder's options."""
    parser.add_argument(
        "--papers", type=Path, help="folder of paper folders (default: the shared papers)"
    )
    parser.add_argument(
        "--truth",
        choices=("confirmed", "reader"),
        default="confirmed",
        help="real papers' truth regions: the born-digital reader's that the source confirms "
        "(default), or all of the reader's (as the figures before this option)",
    )
    group = parser.add_argument_group(
        "typeset corpus", "--typeset scans documents of benchmarks/typeset (built, cached)"
    )
    group.add_argument("--typeset", action="store_true", help="scan the typeset corpus")
    add_build_args(group)  # type: ignore[arg-type]  # a group takes the same arguments


def load_corpus(args: argparse.Namespace) -> Corpus:
    """The papers ``add_corpus_args``' options select (``--half``, ``--pages``, ``--skip``)."""
    if args.typeset:
        docs, _ = build_from_args(args)
        papers, born = load_typeset(docs, args.pages, args.skip)
        built = [d for d in docs if d.error is None]
        classes = {d.cell.doc_class.name for d in built}
        fonts = {d.cell.font.name for d in built}
        regions = sum(len(p.truth[page]) for p in papers for page in p.pages)
        note = (
            f"truth: the born-digital reader's display regions the source confirms ({regions} on "
            f"the sampled pages); on the whole {len(built)} documents it detects "
            f"{born.recall:.1%} of {born.rows} source rows, precision {born.precision:.1%}"
        )
        for d in docs:
            if d.error is not None:
                note += f"\n  not built: {d.folder.name}: {d.error}"
        name = (
            f"the typeset corpus, --grid {args.grid} seed {args.seed} ({len(classes)} classes x "
            f"{len(fonts)} fonts)"
        )
        return Corpus(papers, name, [], note)
    root = args.papers or shared_data_dir() / "papers"
    papers = load_papers(
        args.half, args.pages, root, skip=args.skip, confirmed=args.truth == "confirmed"
    )
    name = f"the {args.half} half" if args.papers is None else f"{root}, {args.half} half"
    return Corpus(papers, name, sorted(paper_folders(root), key=lambda p: p.name))


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
    papers: list[Paper],
    dpi: int,
    args: argparse.Namespace,
    models: Models,
    base: Path,
    work: Path,
    groups: dict[tuple[str, str], Tally] | None = None,
) -> Tally:
    """Scan, ingest and score every paper at ``dpi``; ``groups``, when given, also gets each
    paper's page scores under each of its groups (typeset: its class and its font)."""
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
            options=scan_options(args),
        )
        started = time.perf_counter()
        outcome = indexer.ingest_bytes(data, f"{paper.folder.name}-scan-{dpi}.pdf")
        own = Tally(pages=len(paper.pages), seconds=time.perf_counter() - started)
        if outcome.document_id is None:
            own.failed.append(f"{paper.folder.name}: {outcome.reason}")
        else:
            scans[paper.folder.name] = outcome.document_id
            _score_pages(indexer, paper, outcome.document_id, own)
        tally.add(own)
        for group in paper.groups.items():
            if groups is not None:
                groups.setdefault(group, Tally()).add(own)
    if not args.no_search:
        _score_search(indexer, papers, scans, tally, args.verbose)
    return tally


def _score_pages(indexer: Indexer, paper: Paper, doc_id: int, tally: Tally) -> None:
    with indexer.store.session() as session, pymupdf.open(paper.folder.pdf) as original:
        document = repo.get_document(session=session, document_id=doc_id)
        assert document is not None
        for number, page in enumerate(paper.pages, 1):
            truth = paper.truth[page]
            # displays only: the math lines outside them are stored as inline math, no region
            stored = sorted(
                (
                    e
                    for e in document.equations
                    if e.page == number and e.origin == "ocr" and e.display
                ),
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
            read = sorted_words(p.text for p in document.passages if p.page == number)
            text = _words_outside(original[page], truth)
            tally.cer_edits += levenshtein_chars(read, text)
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
    add_scan_args(parser)
    parser.add_argument("--no-search", action="store_true", help="skip paper@1 (no base store)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list paper@1 misses")
    parser.add_argument("--base", type=Path, help="born-digital base of an earlier --keep run")
    parser.add_argument(
        "--keep", type=Path, help="keep the born-digital base and the scans' stores here"
    )
    add_corpus_args(parser)
    args = parser.parse_args()

    corpus = load_corpus(args)
    papers = corpus.papers
    if not corpus.base:
        args.no_search = True  # the typeset corpus: paper@1 is not measured (see the docstring)
    models = Models(Settings(data_dir=Path(tempfile.mkdtemp()) / "models-data"))
    work = Path(tempfile.mkdtemp(prefix="scans-", dir=args.keep))
    groups: dict[int, dict[tuple[str, str], Tally]] = {}
    try:
        base = work / "base"
        if args.no_search:
            base.mkdir()
        elif args.base is not None and (args.base / "ids.json").exists():
            base = args.base  # a base built by an earlier run (same code for the born-digital)
            ids = json.loads((base / "ids.json").read_text())
        else:
            ids = build_base(corpus.base, models, base)
            (base / "ids.json").write_text(json.dumps(ids))
        if not args.no_search:
            for paper in papers:
                if paper.folder.name not in ids:
                    raise SystemExit(f"{paper.folder.name}: not in the base {base} (other corpus?)")
                paper.born_id = ids[paper.folder.name]
        rows = []
        for dpi in args.dpi:
            t = run_setting(papers, dpi, args, models, base, work, groups.setdefault(dpi, {}))
            rows.append(
                (
                    f"{dpi} dpi",
                    t.pages,
                    t.truth,
                    *_page_scores(t),
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
    _print_groups(groups)
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
            f"Scans of {corpus.name} ({len(papers)} papers), {scan_options(args).describe()}"
            f"; code {code_version()}; load {os.getloadavg()[0]:.1f}"
        ),
    )
    if corpus.note:
        print(corpus.note)  # noqa: T201 - benchmark output
    if not corpus.base:
        print(  # noqa: T201 - benchmark output
            "paper@1: not measured on the typeset corpus (documents of the same number set the "
            "same formulas in every class and font; see the docstring)"
        )


def _page_scores(t: Tally) -> tuple[str, str, str, str]:
    """recall, precision, latex@0.6, latex@0.8 of a tally, as the table prints them."""
    return (
        f"{t.matched / max(t.truth, 1):.3f}",
        f"{t.matched / max(t.found, 1):.3f}",
        f"{t.latex6 / max(t.truth, 1):.3f}",
        f"{t.latex8 / max(t.truth, 1):.3f}",
    )


def _print_groups(groups: dict[int, dict[tuple[str, str], Tally]]) -> None:
    """Per class and per font (typeset corpus), each setting's page scores."""
    kinds = sorted({kind for by_group in groups.values() for kind, _ in by_group})
    for kind in kinds:
        rows = [
            (
                f"{dpi} dpi",
                name,
                t.pages,
                t.truth,
                *_page_scores(t),
                f"{t.cer_edits / max(t.cer_chars, 1):.3f}",
            )
            for dpi, by_group in groups.items()
            for (k, name), t in sorted(by_group.items())
            if k == kind
        ]
        header = ["setting", kind, "pages", "regions", "recall", "precision", "latex@0.6"]
        print_table([*header, "latex@0.8", "CER"], rows, title=f"per {kind}")


if __name__ == "__main__":
    main()
