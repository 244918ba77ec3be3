"""What the benchmarks share beyond ``scipix_search.eval``: the OCR they score, and which code
produced their figures.

Datasets, scorers and tables are library code (``scipix_search.eval``: ``shared_data_dir``,
``paper_folders``, ``score_pdf_equations``, ``print_table``, the one output format); this module
holds only what is about running a benchmark. Scripts run as ``python benchmarks/x.py`` put the
repository root on ``sys.path`` before importing it.
"""

from __future__ import annotations

import subprocess
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def load_ocr() -> Any | None:
    """The formula OCR of the default settings, or None (having said why) when the ``ocr``
    package cannot be imported: the caller scores the text layer only."""
    try:
        from scipix_search.config import get_settings
        from scipix_search.ocr import LatexRecognizer
    except ImportError as exc:
        print(f"--ocr: the ocr package is not importable ({exc}); text layer only")
        return None
    return LatexRecognizer(get_settings().model_dir)


def half_of(name: str) -> str:
    """``a`` or ``b``: the half a paper belongs to, from its folder name alone (a hash, stable
    as the corpus grows): develop on one half, confirm on the other."""
    return "ab"[zlib.crc32(name.encode()) % 2]


def code_version(package: str = "scipix_search") -> str:
    """The commit the code comes from, and whether ``package`` has uncommitted edits
    (figures move with the code: say which one produced them)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", package],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    return f"{head or 'unknown'}{f' + uncommitted changes in {package}/' if dirty else ''}"
