"""Paper metadata (title, authors) read from PDFs and LaTeX sources: dev and held-out figures.

Dev: the 18 real papers of ``../shared/data/papers`` (the extractor was written looking at
them): the title against the source's ``\\title`` (case-insensitive character similarity
>= 0.95), the authors against the source's front matter (every surname found there).

Held-out: papers built here with pdflatex in classes the extractor was not written on
(article one and two columns, revtex4-2, amsart, IEEEtran, elsarticle, llncs, acmart sigconf
and acmsmall, front matter as ``benchmarks/typeset/styles.py`` writes it), with a title and
1-4 authors drawn from word and name lists (some accented); the truth is what was set. A
title counts when >= 0.95 similar, the authors when their surnames are exactly the set ones.

    python benchmarks/paper_metadata.py                 # dev + held-out (3 papers a class)
    python benchmarks/paper_metadata.py --per-class 5 --classes revtex,llncs
"""

from __future__ import annotations

import argparse
import difflib
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from typeset.styles import CLASSES  # noqa: E402

from scipix_search.eval import paper_folders, print_table, shared_data_dir  # noqa: E402
from scipix_search.ingest import (  # noqa: E402
    ParsedDocument,
    parse_latex_source,
    parse_pdf,
    sha256_bytes,
    surname_key,
)

_WORDS = (
    "adaptive sparse spectral stochastic robust convex nonlinear bayesian optimal distributed "
    "quantum thermal elastic turbulent variational graph kernel manifold operator estimator "
    "dynamics transport diffusion scattering inference sampling learning control flows waves "
    "networks lattices boundaries spectra equilibria fluctuations invariants"
).split()
_JOINS = ("of", "for", "in", "with", "and", "on", "under")
_FIRST = (
    "Ada", "Carl", "Sofia", "Yuki", "Amara", "Lars", "Priya", "Mateo", "Chen", "Olga",
    "Jos\\'e", "Ren\\'ee", "Bj\\\"orn", "Fatima", "Kwame", "Ingrid",
)  # fmt: skip
_LAST = (
    "Lovelace", "Hopper", "Okafor", "Tanaka", "Lindqvist", "Nakamura", "Rossi", "Kowalski",
    "Mart\\'inez", "M\\\"uller", "van der Berg", "O'Neill", "Haddad", "Sato", "Dubois", "Ivanova",
)  # fmt: skip
_HELDOUT_CLASSES = (
    "article", "article2c", "revtex", "amsart", "ieeetran", "elsarticle", "llncs",
    "acmsigconf", "acmsmall",
)  # fmt: skip
_BODY = (
    "\\section{Introduction}\nWe study the problem in a simple setting and state the main "
    "estimate, which holds for every admissible choice of the parameters,\n"
    "\\begin{equation}\n  \\|u(t)\\| \\le e^{-\\lambda t} \\|u(0)\\| + \\int_0^t f(s)\\,ds .\n"
    "\\end{equation}\nThe rest of the paper proves it and discusses what it implies.\n"
    "\\end{document}\n"
)
_PLAIN = {"\\'e": "é", "\\'i": "í", '\\"o': "ö", '\\"u': "ü"}


def _plain(latex: str) -> str:
    for cmd, char in _PLAIN.items():
        latex = latex.replace(cmd, char)
    return latex


def _title(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(5, 10))]
    for i in range(2, len(words) - 1, 3):
        words[i] = rng.choice(_JOINS)
    title = " ".join(words)
    if rng.random() < 0.3:
        title = title.replace(" ", ": ", 1)
    return title[0].upper() + title[1:]


def _author_field(cls: str, names: list[str]) -> str:
    """The names as the class's papers write them into the template's one ``{author}``."""
    if cls in ("article", "article2c", "llncs"):
        return " \\and ".join(names)
    if cls == "ieeetran":
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    return "}\n\\author{".join(names)  # one \author per person


def build(out: Path, classes: list[str], per_class: int, seed: int) -> list[tuple]:
    """Compile the held-out papers; returns (class, tex, pdf, title, names) per built one."""
    rng = random.Random(seed)
    built = []
    for cls in classes:
        doc_class = CLASSES[cls]
        for i in range(per_class):
            names = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(rng.randint(1, 4))]
            title = _title(rng)
            folder = out / f"{cls}_{i}"
            folder.mkdir(parents=True, exist_ok=True)
            front = doc_class.front.format(
                title=title,
                author=_author_field(cls, names),
                abstract="We prove a decay estimate and test it on examples.",
            )
            ams = "" if doc_class.own_fonts else "\\usepackage{amsmath,amssymb}\n"
            tex = folder / "main.tex"
            tex.write_text(f"{doc_class.documentclass}\n{ams}{doc_class.extra}{front}{_BODY}")
            run = subprocess.run(
                ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "main.tex"],
                cwd=folder,
                capture_output=True,
                timeout=120,
            )
            pdf = folder / "main.pdf"
            if run.returncode != 0 or not pdf.is_file():
                print(f"skipped {cls}_{i}: pdflatex failed")  # noqa: T201
                continue
            built.append((cls, tex, pdf, _plain(title), [_plain(n) for n in names]))
    return built


def _similar(a: str | None, b: str | None) -> float:
    return difflib.SequenceMatcher(None, (a or "").lower(), (b or "").lower()).ratio()


def _names_right(doc: ParsedDocument, names: list[str]) -> bool:
    return {surname_key(n) for n in doc.authors} == {surname_key(n) for n in names}


def _pdf(path: Path) -> ParsedDocument:
    data = path.read_bytes()
    return parse_pdf(data, path.name, sha256_bytes(data), max_pages=500)


def heldout(args: argparse.Namespace) -> None:
    out = Path(args.out or tempfile.mkdtemp(prefix="scipix-meta-"))
    built = build(out, args.classes.split(","), args.per_class, args.seed)
    rows = []
    totals = [0, 0, 0, 0, 0]
    for cls in args.classes.split(","):
        mine = [b for b in built if b[0] == cls]
        if not mine:
            continue
        scores = [0, 0, 0, 0]
        for _, tex, pdf, title, names in mine:
            from_pdf, from_tex = _pdf(pdf), parse_latex_source(tex)
            scores[0] += _similar(from_pdf.title, title) >= 0.95
            scores[1] += _names_right(from_pdf, names)
            scores[2] += _similar(from_tex.title, title) >= 0.95
            scores[3] += _names_right(from_tex, names)
            if args.verbose and not (_names_right(from_pdf, names) and from_pdf.title):
                print(f"  {cls}: {from_pdf.title!r} {from_pdf.authors} want {names}")  # noqa: T201
        rows.append([cls, len(mine), *scores])
        totals = [t + s for t, s in zip(totals, [len(mine), *scores], strict=True)]
    rows.append(["all", *totals])
    print_table(
        ["class", "papers", "pdf title", "pdf authors", "tex title", "tex authors"],
        rows,
        title=f"held-out: papers built with pdflatex (seed {args.seed}) in {out}",
    )
    if not args.out:
        shutil.rmtree(out, ignore_errors=True)


def dev() -> None:
    papers = paper_folders(shared_data_dir() / "papers")
    rows = []
    for paper in papers:
        from_pdf, from_tex = _pdf(paper.pdf), parse_latex_source(paper.tex)
        rows.append(
            [
                paper.name,
                f"{_similar(from_pdf.title, from_tex.title):.3f}" if from_tex.title else "-",
                len(from_pdf.authors),
                len(from_tex.authors),
                from_pdf.year or "-",
            ]
        )
    print_table(
        ["paper", "pdf title ~ \\title", "pdf authors", "tex authors", "pdf year"],
        rows,
        title="dev: the 18 real papers (titles compared with the source's \\title)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--classes", default=",".join(_HELDOUT_CLASSES))
    parser.add_argument("--per-class", type=int, default=3)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--out", help="keep the built papers here")
    parser.add_argument("--no-dev", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if not args.no_dev:
        dev()
    heldout(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
