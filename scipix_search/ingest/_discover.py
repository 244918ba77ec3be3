"""Which files of a folder tree are documents, and which LaTeX main file goes with which PDF."""

from __future__ import annotations

import logging
from pathlib import Path

from scipix_search.ingest._detect import COLLECTION_SUFFIXES, SUPPORTED_SUFFIXES, TEX_SUFFIXES
from scipix_search.ingest.pair import figure_files, is_standalone_figure

logger = logging.getLogger(__name__)


def _is_tex_fragment(path: Path) -> bool:
    """A .tex file without \\documentclass is an \\input part of a main file, not a paper."""
    if path.suffix.lower() not in TEX_SUFFIXES:
        return False
    with open(path, "rb") as handle:
        return b"\\documentclass" not in handle.read(65536)


def is_figure_pdf(path: Path) -> bool:
    """A graphic saved as PDF (a plot, a diagram), not a document: at most two pages and
    hardly a line of prose (fewer than three lines of eight words or more).

    All 161 figure PDFs in the 18 real source folders pass, none of their papers (a cover
    letter is prose, so it is not a figure either). An unreadable file is not judged here:
    ingestion reports it.
    """
    import pymupdf

    try:
        doc = pymupdf.open(path)
    except Exception:  # PyMuPDF raises several types for damaged files
        return False
    with doc:
        if doc.page_count > 2 or doc.needs_pass:
            return False
        prose = 0
        for number in range(doc.page_count):
            for line in doc[number].get_text("text").splitlines():
                prose += len(line.split()) >= 8
        return prose < 3


def _folder_files(folder: Path) -> list[Path]:
    """Documents in a folder tree, leaving out what only serves a LaTeX source.

    Skipped: ``.tex`` parts that a main file ``\\input``s, standalone figure sources
    (``\\documentclass{standalone}``), graphics that some ``.tex`` of the folder draws
    with ``\\includegraphics`` (an arXiv source folder holds its figures as PDFs), in a
    folder holding a LaTeX main file any PDF that is a graphic by its content
    (:func:`is_figure_pdf`: figures in a subfolder, under ``\\graphicspath``, or not drawn), and
    ``.txt``/``.tsv`` files: in a folder they are READMEs and tables far more often than
    formula lists, so a formula list is only taken when named.
    """
    candidates = sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and p.suffix.lower() not in COLLECTION_SUFFIXES
    )
    figures: set[Path] = set()
    for path in candidates:
        if path.suffix.lower() in TEX_SUFFIXES:
            figures |= figure_files(path)
    mains = {
        p.with_suffix("").resolve()
        for p in candidates
        if p.suffix.lower() in TEX_SUFFIXES
        and not _is_tex_fragment(p)
        and not is_standalone_figure(p)
    }
    files = []
    for path in candidates:
        if path.resolve() in figures:
            logger.info("skipping %s: a figure of a LaTeX source", path)
        elif (
            mains  # a LaTeX source folder; a main file's own build is never a figure
            and path.suffix.lower() == ".pdf"
            and path.with_suffix("").resolve() not in mains
            and is_figure_pdf(path)
        ):
            logger.info("skipping %s: a figure (no prose) in a LaTeX source folder", path)
        elif path.suffix.lower() in TEX_SUFFIXES and (
            _is_tex_fragment(path) or is_standalone_figure(path)
        ):
            continue
        else:
            files.append(path)
    return files


def collect_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Expand folders recursively (supported suffixes only, sorted); report missing paths.

    In folders, only documents are taken (see :func:`_folder_files`); a file named
    explicitly is always taken.
    """
    files: list[Path] = []
    missing: list[str] = []
    for path in paths:
        if path.is_dir():
            files.extend(_folder_files(path))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(f"{path}: no such file or folder")
    return files, missing


def pair_sources(files: list[Path]) -> list[tuple[Path, Path | None]]:
    """Pair each LaTeX main file with the PDF of the same name beside it.

    Returns:
        ``(main.tex, main.pdf)`` for each pair (the PDF then is not listed on its own), then
        ``(file, None)`` for each file ingested alone, each in the order of ``files``.
    """
    taken = {p.resolve() for p in files}
    pdfs: dict[Path, Path] = {}
    for path in files:
        if path.suffix.lower() in TEX_SUFFIXES and not _is_tex_fragment(path):
            pdf = path.with_suffix(".pdf")
            if pdf.resolve() in taken:
                pdfs[path] = pdf
    paired = {pdf.resolve() for pdf in pdfs.values()}
    pairs = [(path, pdfs.get(path)) for path in files if path.resolve() not in paired]
    # Pairs first: of two builds of one paper the first stored is the one search shows
    # (pipeline/_duplicates.py), and a source with its PDF is the better of them.
    return sorted(pairs, key=lambda pair: pair[1] is None)
