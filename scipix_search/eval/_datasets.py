"""Where the evaluation data lives and how a paper folder is read.

A *paper folder* holds the LaTeX source of a paper and the PDF compiled from it, so every
display equation of the PDF has exact ground truth (``../shared/data/papers``, and the typeset
corpus of ``benchmarks/typeset``).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]
_PDF_STEMS = ("main", "manuscript", "ms", "paper")


def shared_data_dir() -> Path:
    """The shared data folder: ``$SCIPIX_SHARED_DIR/data``, by default ``../shared/data``
    beside the repository root."""
    base = os.environ.get("SCIPIX_SHARED_DIR") or str(_REPO_ROOT.parent / "shared")
    return Path(base) / "data"


@dataclass(frozen=True, slots=True)
class PaperFolder:
    """One paper: its folder, the LaTeX main file (or the folder when unknown) and the PDF."""

    name: str
    folder: Path
    tex: Path
    pdf: Path


def find_pdf(folder: Path) -> Path | None:
    """The paper's PDF when no manifest names it: a conventional main name, else the largest."""
    pdfs = sorted(folder.glob("*.pdf"))
    for stem in _PDF_STEMS:
        for pdf in pdfs:
            if pdf.stem == stem:
                return pdf
    return max(pdfs, key=lambda p: p.stat().st_size) if pdfs else None


def paper_folders(root: Path) -> list[PaperFolder]:
    """Every paper folder under ``root``, sorted by name.

    ``root/SOURCES.tsv`` (columns ``name``, ``main_tex``, ``pdf``), where present, names each
    paper's main file and PDF; otherwise the source folder is read as a LaTeX project (its
    main file found by :func:`scipix_search.ingest.read_tex_equations`) and the PDF is found
    by :func:`find_pdf`. Folders without a PDF are skipped.
    """
    manifest: dict[str, tuple[str, str]] = {}
    sources = root / "SOURCES.tsv"
    if sources.is_file():
        with sources.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                manifest[row["name"]] = (row["main_tex"], row["pdf"])
    papers = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name in manifest:
            tex_name, pdf_name = manifest[folder.name]
            tex, pdf = folder / tex_name, folder / pdf_name
        else:
            tex, found = folder, find_pdf(folder)
            if found is None:
                continue
            pdf = found
        papers.append(PaperFolder(folder.name, folder, tex, pdf))
    return papers
