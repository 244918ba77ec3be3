"""LaTeX sources (a ``.tex`` file, a source folder or an arXiv ``.tar.gz``) into a ParsedDocument.

The LaTeX of every display and inline formula is taken as written by the authors, after
expanding their simple macros, so it is the exact ground truth for the PDF built from it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from scipix_search.exceptions import InputError, InputTooLargeError, LatexParseError
from scipix_search.ingest._types import ParsedDocument, ParsedEquation, ParsedPassage
from scipix_search.ingest.latex._archive import (
    MAX_TEX_BYTES,
    TexProject,
    find_main_file,
    inline_inputs,
    read_archive,
    read_folder,
)
from scipix_search.ingest.latex._envs import (
    clean_math,
    find_matching_end,
    find_unescaped,
    split_rows,
)
from scipix_search.ingest.latex._macros import (
    MAX_EXPANSION_CHARS,
    MAX_EXPANSIONS,
    MacroTable,
    read_group,
    strip_comments,
)
from scipix_search.ingest.latex._meta import read_tex_meta
from scipix_search.ingest.latex._packages import PACKAGE_MACROS, expand_qty
from scipix_search.ingest.latex._text import latex_to_text, split_passages

logger = logging.getLogger(__name__)

# IEEEtrantools' IEEEeqnarray (IEEE papers' multi-row displays) numbers each row as eqnarray does
ROW_ENVS = frozenset(
    {"align", "gather", "eqnarray", "flalign", "alignat", "xalignat", "IEEEeqnarray"}
)
_COLUMN_ARG_ENVS = frozenset({"alignat", "xalignat", "IEEEeqnarray"})
"""Environments whose first argument is no math: a column count, or IEEEeqnarray's column
types (``{rCl}``)."""
SINGLE_ENVS = frozenset({"equation", "multline", "displaymath", "dmath"})
DISPLAY_ENVS = ROW_ENVS | SINGLE_ENVS
VERBATIM_ENVS = frozenset({"verbatim", "lstlisting", "comment", "minted", "Verbatim"})
_BEGIN_RE = re.compile(r"\\begin\s*\{([A-Za-z]+)(\*?)\}")
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".gz")


@dataclass(slots=True)
class TexEquation:
    """One formula found in a LaTeX body (a display row or an inline formula)."""

    latex: str
    display: bool
    env: str  # "equation", "align*", "$$", "\\[", "$", "\\(" ...
    env_index: int  # the n-th display environment of the document (0-based); -1 inline
    row: int
    number: str | None = None
    label: str | None = None
    offset: int = 0


def parse_latex_source(
    path: Path,
    *,
    max_bytes: int = MAX_TEX_BYTES,
    max_expansions: int = MAX_EXPANSIONS,
    max_expansion_chars: int = MAX_EXPANSION_CHARS,
) -> ParsedDocument:
    """Parse a LaTeX project into a document with ``origin="tex"`` equations and passages.

    Args:
        path: a ``.tex`` file (its folder is searched for ``\\input`` files), a source
            folder, or an arXiv-style ``.tar.gz``/``.tgz``/``.tar`` archive.
        max_bytes: cap on the LaTeX read (and on an archive's unpacked content).
        max_expansions: macro expansions per text; later macros stay as written.
        max_expansion_chars: characters macro expansion may add to a text.

    Returns:
        ``ParsedDocument(kind="tex")``: equations in document order (display rows and inline
        formulas, page/bbox None), prose passages, and the ``\\title``.

    Raises:
        InputError: the path is missing or holds no LaTeX main file.
        InputTooLargeError: the sources exceed ``max_bytes``.
        CorruptInputError: an archive is unreadable, or the macros expand without bound.
        LatexParseError: the main file has no ``\\begin{document}`` body.
    """
    path = Path(path)
    project, main, digest = _load_project(path, max_bytes)
    return parse_latex_text(
        project,
        main,
        source=path.name,
        sha256=digest,
        max_expansions=max_expansions,
        max_expansion_chars=max_expansion_chars,
    )


def read_tex_equations(path: Path, *, max_bytes: int = MAX_TEX_BYTES) -> list[TexEquation]:
    """The formulas of a LaTeX project with their environment, row and label (for evaluation
    and alignment); same inputs and errors as :func:`parse_latex_source`."""
    project, main, _ = _load_project(Path(path), max_bytes)
    _, _, equations = _expanded(project, main)
    return equations


def _load_project(path: Path, max_bytes: int) -> tuple[TexProject, str, str]:
    if not path.exists():
        raise InputError("LaTeX source not found", path=str(path))
    digest = hashlib.sha256()
    if path.is_dir():
        project = read_folder(path, max_bytes=max_bytes)
        main = find_main_file(project)
        for name in sorted(project.files):
            digest.update(project.files[name].encode("utf-8"))
    elif path.name.lower().endswith(_ARCHIVE_SUFFIXES):
        if path.stat().st_size > max_bytes:
            raise InputTooLargeError("archive exceeds the size limit", limit=max_bytes)
        data = path.read_bytes()
        digest.update(data)
        project = read_archive(data, max_bytes=max_bytes)
        main = find_main_file(project)
    else:
        data = path.read_bytes()
        digest.update(data)
        main = path.name
        try:
            project = read_folder(path.parent, max_bytes=max_bytes)
        except InputTooLargeError:
            logger.info("%s: sibling sources too large, reading the file alone", path)
            project = TexProject({})
        if main not in project.files:
            project.files[main] = data.decode("utf-8", errors="replace")
    return project, main, digest.hexdigest()


def parse_latex_text(
    project: TexProject,
    main: str,
    *,
    source: str,
    sha256: str = "",
    max_expansions: int = MAX_EXPANSIONS,
    max_expansion_chars: int = MAX_EXPANSION_CHARS,
) -> ParsedDocument:
    """Parse the project whose main file is ``main`` (see :func:`parse_latex_source`)."""
    preamble, body, equations = _expanded(
        project, main, max_expansions=max_expansions, max_expansion_chars=max_expansion_chars
    )
    labels = {eq.label: eq.number for eq in equations if eq.label and eq.number}
    passages = [
        ParsedPassage(text=chunk, page=None, bbox=None, order=i)
        for i, chunk in enumerate(split_passages(latex_to_text(body, labels=labels)))
    ]
    meta = read_tex_meta(preamble, body)
    return ParsedDocument(
        source=source,
        sha256=sha256,
        kind="tex",
        **asdict(meta),
        passages=passages,
        equations=[
            ParsedEquation(
                latex=eq.latex,
                page=None,
                bbox=None,
                display=eq.display,
                origin="tex",
                order=i,
                number=eq.number,
            )
            for i, eq in enumerate(equations)
        ],
    )


def _expanded(
    project: TexProject,
    main: str,
    *,
    max_expansions: int = MAX_EXPANSIONS,
    max_expansion_chars: int = MAX_EXPANSION_CHARS,
) -> tuple[str, str, list[TexEquation]]:
    text = inline_inputs(project, main)
    macros = MacroTable()
    packages = _loaded_packages(text)
    for name in packages:
        if name in PACKAGE_MACROS:
            macros.collect(PACKAGE_MACROS[name])
    if "physics" in packages:
        text = expand_qty(text)
    for package in _local_packages(project, text):
        macros.collect(_author_macros(project.files[package]))
    text = macros.collect(text)
    preamble, body = _split_document(text)
    logger.debug("%s: %d macros, body of %d chars", main, len(macros), len(body))
    body = macros.expand(body, max_expansions=max_expansions, max_chars=max_expansion_chars)
    preamble = macros.expand(preamble, max_expansions=max_expansions, max_chars=max_expansion_chars)
    equations = extract_tex_equations(body, number_within_section=_numbered_within(preamble))
    return preamble, body, equations


_USEPACKAGE_RE = re.compile(r"\\usepackage\s*(?:\[[^\]]*\])?\s*\{([^}]*)\}")


def _loaded_packages(text: str) -> list[str]:
    """The names of the packages that the text loads with ``\\usepackage``."""
    return [
        name
        for group in _USEPACKAGE_RE.findall(strip_comments(text))
        for name in (n.strip() for n in group.split(","))
        if name
    ]


def _local_packages(project: TexProject, text: str) -> list[str]:
    """The project's own ``.sty`` files that the text loads with ``\\usepackage``."""
    found = []
    for name in _loaded_packages(text):
        path = f"{name}.sty"
        if path in project.files and path not in found:
            found.append(path)
    return found


_MAX_STYLE_CHARS = 20_000


def _author_macros(style: str) -> str:
    """The lines of a local ``.sty`` that can hold an author's macros.

    A folder also carries copies of conference and journal packages, written in TeX's
    internals (``\\def\\@setsize...``): lines naming ``@`` macros are dropped, and a large
    file is such a package, not an author's macro list.
    """
    if len(style) > _MAX_STYLE_CHARS:
        return ""
    return "\n".join(line for line in style.splitlines() if "@" not in line)


def _split_document(text: str) -> tuple[str, str]:
    start = text.find("\\begin{document}")
    if start == -1:
        if "\\documentclass" in text:
            raise LatexParseError("no \\begin{document} in the main LaTeX file")
        return "", text  # a fragment: treat it all as body
    end = text.find("\\end{document}", start)
    body = text[start + len("\\begin{document}") : end if end != -1 else None]
    return text[:start], body


def _numbered_within(preamble: str) -> bool:
    return bool(
        re.search(r"\\numberwithin\s*\{equation\}\s*\{section\}", preamble)
        or re.search(r"\\counterwithin\s*\{equation\}\s*\{section\}", preamble)
    )


def extract_tex_equations(body: str, *, number_within_section: bool = False) -> list[TexEquation]:
    """Find display environments (split into rows) and inline formulas in a LaTeX body.

    Args:
        body: LaTeX after macro expansion, comments stripped.
        number_within_section: equations are numbered ``section.n`` (``\\numberwithin``).

    Returns:
        The formulas in document order, with best-effort printed numbers.
    """
    finder = _Finder(body, number_within_section)
    finder.run()
    return finder.found


class _Finder:
    """A single left-to-right scan over the body, tracking sections and equation numbers."""

    def __init__(self, body: str, within_section: bool) -> None:
        self.body = body
        self.within_section = within_section
        self.found: list[TexEquation] = []
        self.env_count = 0
        self.counter = 0
        self.section = 0
        self.appendix = False

    def _next_number(self) -> str:
        self.counter += 1
        if not self.within_section:
            return str(self.counter)
        sec = chr(ord("A") + self.section - 1) if self.appendix and self.section else self.section
        return f"{sec}.{self.counter}"

    def run(self) -> None:  # noqa: C901 - one scanner, kept together on purpose
        body = self.body
        n = len(body)
        i = 0
        while i < n:
            c = body[i]
            if c == "\\":
                if body.startswith("\\begin", i):
                    m = _BEGIN_RE.match(body, i)
                    if m and m.group(1) in VERBATIM_ENVS:
                        end = body.find(f"\\end{{{m.group(1)}{m.group(2)}}}", m.end())
                        i = n if end == -1 else end + 1
                        continue
                    if m and m.group(1) in DISPLAY_ENVS:
                        i = self._environment(m)
                        continue
                elif body.startswith("\\[", i):
                    i = self._delimited(i, "\\[", "\\]", display=True)
                    continue
                elif body.startswith("\\(", i):
                    i = self._delimited(i, "\\(", "\\)", display=False)
                    continue
                elif re.match(r"\\section(?![A-Za-z])\s*(?!\*)", body[i : i + 12]):
                    self.section += 1
                    if self.within_section:
                        self.counter = 0
                elif body.startswith("\\appendix", i):
                    self.appendix, self.section = True, 0
                i += 2
                continue
            if c == "$":
                if body.startswith("$$", i):
                    i = self._delimited(i, "$$", "$$", display=True)
                else:
                    i = self._delimited(i, "$", "$", display=False)
                continue
            i += 1

    def _delimited(self, i: int, open_: str, close: str, *, display: bool) -> int:
        start = i + len(open_)
        end = find_unescaped(self.body, close, start)
        if end == -1:
            logger.debug("unclosed %s at offset %d", open_, i)
            return start
        content = self.body[start:end]
        if display:
            self._add_display(content, open_, rows=False, numbered=False, offset=i)
        elif content.strip():
            latex = clean_math(content)[0]
            if latex:
                self.found.append(TexEquation(latex, False, open_, -1, 0, offset=i))
        return end + len(close)

    def _environment(self, m: re.Match[str]) -> int:
        name, star = m.group(1), m.group(2)
        end_tag = f"\\end{{{name}{star}}}"
        end = find_matching_end(self.body, m.end(), f"\\begin{{{name}{star}}}", end_tag)
        if end == -1:
            logger.debug("unclosed \\begin{%s%s}", name, star)
            return m.end()
        content = self.body[m.end() : end]
        if name in _COLUMN_ARG_ENVS:
            grp = read_group(content, 0)
            if grp is not None:
                content = content[grp[1] :]
        numbered = not star and name != "displaymath"
        self._add_display(
            content, name + star, rows=name in ROW_ENVS, numbered=numbered, offset=m.start()
        )
        return end + len(end_tag)

    def _add_display(
        self, content: str, env: str, *, rows: bool, numbered: bool, offset: int
    ) -> None:
        parts = split_rows(content)
        if not rows:
            parts = [" ".join(parts)]
        env_index = self.env_count
        self.env_count += 1
        row_no = 0
        for part in parts:
            latex, tag, label, suppressed = clean_math(part)
            if not latex:
                continue
            number = tag
            if number is None and numbered and not suppressed:
                number = self._next_number()
            self.found.append(
                TexEquation(latex, True, env, env_index, row_no, number, label, offset)
            )
            row_no += 1
