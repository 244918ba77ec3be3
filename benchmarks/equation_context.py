"""How often the context sentence found from a PDF is the one the LaTeX source puts before the
equation (issue 15, "answers in context"): a dev figure on the real papers.

For each paper of ``../shared/data/papers``: the source's labelled display equations are placed
on the PDF as ingestion places them (``align_source_to_pdf`` over the PDF's display regions),
the PDF's passages are read as ingestion reads them, and the context is what search shows
(``context_sentence``). The truth is the last sentence of the source
text just before the environment that holds the ``\\label`` (comments, commands and math
dropped); equations with no prose before them (right after another display, a heading) are
left out. A match is word-token overlap >= 0.5: shared words over the longer of the two.

    python benchmarks/equation_context.py [--papers DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scipix_search.eval import paper_folders, print_table, shared_data_dir  # noqa: E402
from scipix_search.ingest import (  # noqa: E402
    ParsedEquation,
    align_source_to_pdf,
    find_equation_regions,
    parse_pdf,
    read_tex_equations,
)
from scipix_search.search import PlacedPassage, context_sentence  # noqa: E402

MATCH = 0.5
_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_MATH = re.compile(r"\$\$.+?\$\$|\$.+?\$|\\\(.+?\\\)", re.S)
_BREAK = re.compile(r"\n\s*\n|\\end\{[^}]*\}|\\(?:sub)*section\*?\{[^}]*\}|\\\]|\\par\b")
_COMMAND = re.compile(r"\\(?:cite\w*|ref|eqref|label)\{[^}]*\}|\\[A-Za-z]+\*?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_WORD = re.compile(r"[a-z]{2,}")


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def overlap(a: str, b: str) -> float:
    """Shared word tokens over the larger of the two sets."""
    wa, wb = words(a), words(b)
    return len(wa & wb) / max(1, len(wa), len(wb))


def source_sentence(texts: list[str], label: str) -> str | None:
    """The last sentence of the prose before the environment holding ``\\label{label}``."""
    needle = f"\\label{{{label}}}"
    for raw in texts:
        at = raw.find(needle)
        if at < 0:
            continue
        begin = raw.rfind("\\begin{", 0, at)
        if begin < 0:
            return None
        before = _COMMENT.sub("", raw[max(0, begin - 2000) : begin])
        before = _BREAK.split(before)[-1]
        before = _COMMAND.sub(" ", _MATH.sub(" ", before)).replace("{", " ").replace("}", " ")
        sentences = [s for s in _SENTENCE_END.split(" ".join(before.split())) if s.strip()]
        if not sentences or len(words(sentences[-1])) < 3:
            return None
        return sentences[-1]
    return None


def score_paper(tex: Path, pdf: Path) -> tuple[int, int, list[tuple[str, str]]]:
    """(equations scored, matches, misses as (truth, found))."""
    equations = read_tex_equations(tex)
    parsed = [
        ParsedEquation(e.latex, None, None, e.display, "tex", i, e.number)
        for i, e in enumerate(equations)
    ]
    placed = align_source_to_pdf(parsed, find_equation_regions(pdf, render=False))
    data = pdf.read_bytes()
    passages = [
        PlacedPassage(p.page, p.order, p.bbox, p.text)
        for p in parse_pdf(data, pdf.name, "", max_pages=2000).passages
        if p.page is not None
    ]
    folder = tex if tex.is_dir() else tex.parent
    texts = [p.read_text(errors="replace") for p in sorted(folder.rglob("*.tex"))]
    scored = matched = 0
    misses: list[tuple[str, str]] = []
    for source, where in zip(equations, placed, strict=True):
        if not source.display or source.row != 0 or not source.label:
            continue
        if where.page is None or where.bbox is None:
            continue
        truth = source_sentence(texts, source.label)
        if truth is None:
            continue
        found = context_sentence(where.page, where.bbox, passages) or ""
        scored += 1
        if overlap(truth, found) >= MATCH:
            matched += 1
        else:
            misses.append((truth, found))
    return scored, matched, misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=Path, default=shared_data_dir() / "papers")
    parser.add_argument("--show-misses", type=int, default=0, help="print N misses per paper")
    args = parser.parse_args()
    rows = []
    total = hits = 0
    started = time.perf_counter()
    for paper in paper_folders(args.papers):
        scored, matched, misses = score_paper(paper.tex, paper.pdf)
        total += scored
        hits += matched
        rows.append([paper.name, scored, f"{matched / max(1, scored):.1%}"])
        for truth, found in misses[: args.show_misses]:
            print(f"  {paper.name}\n    source: {truth[-160:]}\n    found:  {found[-160:]}")
    rows.append(["all", total, f"{hits / max(1, total):.1%}"])
    print_table(
        ["paper", "equations", f"context overlap>={MATCH}"],
        rows,
        title=f"equation context (dev figure, {time.perf_counter() - started:.0f} s)",
    )


if __name__ == "__main__":
    main()
