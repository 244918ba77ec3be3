"""Build the typeset corpus: real formulas set by pdflatex (or xelatex/lualatex) in many classes and math fonts.

Usage:
    python benchmarks/typeset/build.py [--out DIR] [--docs-per-cell N] [--classes a,b]
        [--fonts x,y] [--grid default|full|heldout|extra|classes2[-dev|-heldout]|layouts|fresh|
        fonts3|fresh2|fresh3|unicode[-dev|-heldout]] [--jobs 2] [--seed N]

Every document lands in ``<out>/<class>__<font>__<n>/`` as ``doc.tex`` + ``doc.pdf`` (a paper
folder like those of ``../shared/data/papers``) with ``truth.json`` beside them (the formulas
used, LaTeX's own equation numbers from the .aux file, and what the project's LaTeX reader
found). A document is recompiled only when its .tex (or its cell's TeX engine) changes. Needs
``pdflatex``, and ``xelatex`` / ``lualatex`` for the unicode grids (``scripts/install_tex.sh``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.typeset.document import (  # noqa: E402
    STRIDES,
    DocumentWriter,
    Written,
    make_streams,
    split_pool,
)
from benchmarks.typeset.formulas import (  # noqa: E402
    Formula,
    FormulaChecker,
    PreambleError,
    TexRun,
    engine_keyed,
    load_pool,
    run_pdflatex,
)
from benchmarks.typeset.styles import GRIDS, Cell, grid_cells  # noqa: E402
from scipix_search.eval import print_table, shared_data_dir  # noqa: E402
from scipix_search.ingest import read_tex_equations  # noqa: E402

DEFAULT_OUT = Path.home() / ".cache" / "scipix-search" / "typeset"
DEFAULT_SEED = 1729
DOC_TIMEOUT_S = 180
MAX_ATTEMPTS = 8  # each failed compile drops the formulas on the offending line
OVERFULL_PT = 3.0
# memoir wraps the number: \newlabel{eq:1}{{\M@TitleReference {1}{Introduction}}{1}}
_NEWLABEL_RE = re.compile(
    r"\\newlabel\{(eq:\d+)\}\{\{(?:\\M@TitleReference \{([^{}]*)\}\{[^{}]*\}|([^{}]*))\}"
)
_OVERFULL_RE = re.compile(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)", re.M)
_PAGES_RE = re.compile(r"Output written on doc\.pdf \((\d+) page")


@dataclass(slots=True)
class BuiltDoc:
    """One document of the corpus (or why it could not be built)."""

    cell: Cell
    index: int
    folder: Path
    cached: bool = False
    seconds: float = 0.0
    display_rows: int = 0
    inline: int = 0
    reader_rows_ok: bool = False
    numbers_checked: int = 0
    numbers_matched: int = 0
    overfull: int = 0
    pages: int = 0
    dropped: int = 0
    error: str | None = None

    @property
    def pdf(self) -> Path:
        return self.folder / "doc.pdf"


def build_corpus(
    out: Path = DEFAULT_OUT,
    *,
    docs_per_cell: int = 3,
    classes: list[str] | None = None,
    fonts: list[str] | None = None,
    grid: str = "default",
    jobs: int = 2,
    seed: int = DEFAULT_SEED,
    data_dir: Path | None = None,
) -> list[BuiltDoc]:
    """Build (or reuse) every document of the selected cells; cells run ``jobs`` at a time."""
    cells = grid_cells(classes, fonts, grid=grid)
    for engine in sorted({c.engine for c in cells} | {"pdflatex"}):
        if shutil.which(engine) is None:
            raise RuntimeError(f"{engine} not found: run scripts/install_tex.sh")
    lists = split_pool(load_pool(data_dir or shared_data_dir()), seed)
    out.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = pool.map(lambda c: build_cell(c, docs_per_cell, out, lists, seed), cells)
        return [doc for cell_docs in results for doc in cell_docs]


def build_cell(
    cell: Cell, docs: int, out: Path, lists: dict[str, list[Formula]], seed: int
) -> list[BuiltDoc]:
    start = time.perf_counter()
    checker = FormulaChecker(cell.check_header(), out / ".checks", engine=cell.engine)
    try:
        # one pdflatex run pre-checks what the cell's documents will most likely draw
        checker.check(
            lists[kind][(n * STRIDES[kind] + k) % len(lists[kind])].latex
            for n in range(docs)
            for kind in STRIDES
            for k in range(STRIDES[kind] + 60)
        )
    except PreambleError as exc:
        return [
            BuiltDoc(cell, n, out / f"{cell.name}__{n}", error=f"preamble: {exc}")
            for n in range(docs)
        ]
    check_seconds = time.perf_counter() - start
    built = [build_document(cell, n, out, lists, checker, seed) for n in range(docs)]
    if built:
        built[0].seconds += check_seconds
    return built


def build_document(
    cell: Cell,
    index: int,
    out: Path,
    lists: dict[str, list[Formula]],
    checker: FormulaChecker,
    seed: int,
) -> BuiltDoc:
    folder = out / f"{cell.name}__{index}"
    doc = BuiltDoc(cell, index, folder)
    start = time.perf_counter()
    for _ in range(MAX_ATTEMPTS):
        written = DocumentWriter(cell, make_streams(lists, index, checker), seed, index).write()
        digest = hashlib.sha256(engine_keyed(written.tex, cell.engine).encode()).hexdigest()
        truth = _cached_truth(folder, digest)
        if truth is not None:
            doc.cached = True
            _fill_from_truth(doc, truth)
            return doc
        run = run_pdflatex(written.tex, timeout_s=DOC_TIMEOUT_S, passes=2, engine=cell.engine)
        if run.ok and run.pdf is not None:
            truth = _save(folder, cell, index, seed, written, digest, run)
            doc.seconds = time.perf_counter() - start
            truth["compile_seconds"] = round(doc.seconds, 2)
            _write_truth(folder, truth)
            _fill_from_truth(doc, truth)
            return doc
        bad = _formulas_at_error(run.log, written)
        if not bad:
            doc.error = _first_error(run.log)
            break
        doc.dropped += len(bad)
        for latex in bad:
            checker.reject(latex)
    doc.error = doc.error or f"still failing after {MAX_ATTEMPTS} attempts"
    doc.seconds = time.perf_counter() - start
    return doc


def _cached_truth(folder: Path, digest: str) -> dict[str, object] | None:
    path = folder / "truth.json"
    if not (path.is_file() and (folder / "doc.pdf").is_file()):
        return None
    truth = json.loads(path.read_text(encoding="utf-8"))
    return truth if truth.get("tex_sha256") == digest else None


def _save(
    folder: Path,
    cell: Cell,
    index: int,
    seed: int,
    written: Written,
    digest: str,
    run: TexRun,
) -> dict[str, object]:
    """Write doc.tex and doc.pdf (nothing else of the build: one .tex, one .pdf) and return
    the truth record, with the project's LaTeX reader checked against LaTeX's numbers."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "doc.tex").write_text(written.tex, encoding="utf-8")
    (folder / "doc.pdf").write_bytes(run.pdf or b"")
    numbers = {label: a or b for label, a, b in _NEWLABEL_RE.findall(run.aux)}
    pages = _PAGES_RE.search(run.log)
    return {
        "class": cell.doc_class.name,
        "font": cell.font.name,
        "engine": cell.engine,
        "doc": index,
        "seed": seed,
        "tex_sha256": digest,
        "pages": int(pages.group(1)) if pages else 0,
        "overfull": sum(float(w) > OVERFULL_PT for w in _OVERFULL_RE.findall(run.log)),
        "expected": {"display_rows": written.display_rows, "inline": written.inline},
        "reader": reader_check(folder, numbers),
        "numbers": numbers,
        "formulas": written.formulas,
    }


def reader_check(folder: Path, numbers: dict[str, str]) -> dict[str, int]:
    """What ``read_tex_equations`` finds in the folder, and how many of its display numbers
    agree with the numbers LaTeX printed (from the .aux ``\\newlabel`` of every row)."""
    equations = read_tex_equations(folder)
    display = [e for e in equations if e.display]
    labelled = [e for e in display if e.label in numbers]
    return {
        "display_rows": len(display),
        "inline": sum(not e.display for e in equations),
        "numbers_checked": len(labelled),
        "numbers_matched": sum(e.number == numbers[e.label] for e in labelled),
    }


def _write_truth(folder: Path, truth: dict[str, object]) -> None:
    text = json.dumps(truth, indent=1, ensure_ascii=False)
    (folder / "truth.json").write_text(text + "\n", encoding="utf-8")


def _fill_from_truth(doc: BuiltDoc, truth: dict[str, object]) -> None:
    expected: dict[str, int] = truth["expected"]  # type: ignore[assignment]
    reader: dict[str, int] = truth["reader"]  # type: ignore[assignment]
    doc.display_rows = expected["display_rows"]
    doc.inline = expected["inline"]
    doc.reader_rows_ok = (
        reader["display_rows"] == expected["display_rows"]
        and reader["inline"] == expected["inline"]
    )
    doc.numbers_checked = reader["numbers_checked"]
    doc.numbers_matched = reader["numbers_matched"]
    doc.overfull = int(truth["overfull"])  # type: ignore[call-overload]
    doc.pages = int(truth["pages"])  # type: ignore[call-overload]


def _formulas_at_error(log: str, written: Written) -> list[str]:
    """The formulas on the source line pdflatex stopped at (or the few lines before it,
    where an error surfaces only when the paragraph or environment ends)."""
    m = re.search(r"^l\.(\d+) ", log, re.M)
    if m is None:
        return []
    line = int(m.group(1)) - 1
    for back in range(0, 6):
        i = line - back
        if 0 <= i < len(written.line_formulas) and written.line_formulas[i]:
            return written.line_formulas[i]
    return []


def _first_error(log: str) -> str:
    errors = [line for line in log.splitlines() if line.startswith("!")]
    return errors[0] if errors else "pdflatex failed (no error in the log; timeout?)"


# command line ---------------------------------------------------------------------------


def build_table(docs: list[BuiltDoc]) -> list[list[object]]:
    """One row per cell: documents, display rows, inline formulas, reader agreement."""
    by_cell: dict[str, list[BuiltDoc]] = {}
    for d in docs:
        by_cell.setdefault(d.cell.name, []).append(d)
    rows: list[list[object]] = []
    for name, group in by_cell.items():
        ok = [d for d in group if d.error is None]
        checked = sum(d.numbers_checked for d in ok)
        matched = sum(d.numbers_matched for d in ok)
        rows.append(
            [
                name,
                f"{len(ok)}/{len(group)}",
                sum(not d.cached for d in ok),
                sum(d.pages for d in ok),
                sum(d.display_rows for d in ok),
                sum(d.inline for d in ok),
                f"{sum(d.reader_rows_ok for d in ok)}/{len(ok)}",
                f"{matched}/{checked}",
                sum(d.overfull for d in ok),
                sum(d.dropped for d in group),
                f"{sum(d.seconds for d in group):.1f}",
            ]
        )
    return rows


BUILD_HEADER = (
    "cell", "docs", "new", "pages", "disp_rows", "inline", "reader_ok", "numbers_ok",
    "overfull", "dropped", "sec",
)  # fmt: skip


def add_build_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--docs-per-cell", type=int, default=3)
    parser.add_argument("--classes", type=_names, default=None, help="comma-separated")
    parser.add_argument("--fonts", type=_names, default=None, help="comma-separated")
    parser.add_argument("--grid", choices=GRIDS, default="default")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--data", type=Path, default=None, help="shared data dir")


def build_from_args(args: argparse.Namespace) -> tuple[list[BuiltDoc], float]:
    start = time.perf_counter()
    docs = build_corpus(
        args.out,
        docs_per_cell=args.docs_per_cell,
        classes=args.classes,
        fonts=args.fonts,
        grid=args.grid,
        jobs=args.jobs,
        seed=args.seed,
        data_dir=args.data,
    )
    return docs, time.perf_counter() - start


def report_build(docs: list[BuiltDoc], wall: float, out: Path) -> None:
    print(f"typeset corpus in {out}")
    print_table(BUILD_HEADER, build_table(docs))
    for d in docs:
        if d.error:
            print(f"FAILED {d.folder.name}: {d.error}")
    new = sum(not d.cached and d.error is None for d in docs)
    print(f"{len(docs)} documents ({new} compiled now) in {wall:.1f} s wall")


def _names(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_build_args(parser)
    args = parser.parse_args(argv)
    docs, wall = build_from_args(args)
    report_build(docs, wall, args.out)
    return 1 if any(d.error for d in docs) else 0


if __name__ == "__main__":
    raise SystemExit(main())
