"""Formula collections: a ``.txt`` (one LaTeX formula a line) or ``.tsv`` (LaTeX last column)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from scipix_search.exceptions import CorruptInputError, InputError, UnsupportedContentError
from scipix_search.ingest._types import ParsedDocument, ParsedEquation

logger = logging.getLogger(__name__)

_SUFFIXES = (".txt", ".tsv")


def parse_formula_collection(path: Path, *, max_bytes: int = 200 * 1024 * 1024) -> ParsedDocument:
    """Read a formula collection as a ``ParsedDocument(kind="collection")``.

    Each non-empty line is one formula. In a ``.tsv`` (or a ``.txt`` line holding tabs) the
    LaTeX is the last column and an optional id the first; a first line whose last column is ``latex``/``formula`` is a header.
    ``order`` is the 1-based line number, ``number`` the id column where there is one.

    Args:
        path: the ``.txt`` or ``.tsv`` file.
        max_bytes: refuse larger files.

    Returns:
        The document, equations with ``origin="collection"`` and ``display=True``.

    Raises:
        InputError: the file is missing, too large, or holds no formula.
        UnsupportedContentError: the suffix is neither ``.txt`` nor ``.tsv``.
        CorruptInputError: the file is not UTF-8 text.
    """
    path = Path(path)
    if path.suffix.lower() not in _SUFFIXES:
        raise UnsupportedContentError("formula collections are .txt or .tsv", path=str(path))
    if not path.is_file():
        raise InputError("formula collection not found", path=str(path))
    if path.stat().st_size > max_bytes:
        raise InputError("formula collection exceeds the size limit", path=str(path))
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorruptInputError("formula collection is not UTF-8 text", path=str(path)) from exc
    is_tsv = path.suffix.lower() == ".tsv"
    equations: list[ParsedEquation] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        ident = None
        latex = line
        if is_tsv or "\t" in line:  # a tab never sits inside LaTeX: id<TAB>latex in a .txt too
            cols = line.split("\t")
            latex = cols[-1]
            ident = cols[0].strip() if len(cols) > 1 else None
            if line_no == 1 and latex.strip().lower() in {"latex", "formula", "tex"}:
                continue
        latex = latex.strip()
        if not latex:
            logger.debug("%s:%d: empty formula skipped", path.name, line_no)
            continue
        equations.append(
            ParsedEquation(
                latex=latex,
                page=None,
                bbox=None,
                display=True,
                origin="collection",
                order=line_no,
                number=ident or None,
            )
        )
    if not equations:
        raise InputError("formula collection holds no formula", path=str(path))
    return ParsedDocument(
        source=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        kind="collection",
        title=path.stem,
        equations=equations,
    )
