"""Finding a LaTeX project's files: archives (safely), folders, the main file and its inputs."""

from __future__ import annotations

import gzip
import io
import logging
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from scipix_search.exceptions import CorruptInputError, InputError, InputTooLargeError
from scipix_search.ingest.latex._macros import strip_comments

logger = logging.getLogger(__name__)

MAX_ARCHIVE_MEMBERS = 5_000
MAX_TEX_BYTES = 20 * 1024 * 1024
"""Total LaTeX text read for one document; real papers are well under 1 MiB."""
MAX_INPUT_DEPTH = 20

_INPUT_RE = re.compile(r"\\(input|include|subfile)(?![A-Za-z@])\s*(?:\{([^}]*)\}|([^\s{}\\]+))")


@dataclass(slots=True)
class TexProject:
    """The ``.tex`` texts of one project, keyed by POSIX path relative to its root."""

    files: dict[str, str]
    pdf_stems: set[str] = field(default_factory=set)


def read_archive(data: bytes, *, max_bytes: int) -> TexProject:
    """Read the text members of an arXiv-style ``.tar.gz`` (or a gzipped single ``.tex``).

    Nothing is written to disk. Members with absolute paths, ``..`` parts, links or
    devices are skipped; the total size of the members read is capped.

    Raises:
        CorruptInputError: the data is not a readable gzip or tar archive.
        InputTooLargeError: the archive holds more than ``max_bytes`` or too many members.
    """
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")  # noqa: SIM115 - closed by `with tar` below
    except tarfile.ReadError:
        return _single_gzip(data, max_bytes=max_bytes)
    except (OSError, EOFError) as exc:
        raise CorruptInputError("archive is not readable", reason=str(exc)) from exc
    files: dict[str, str] = {}
    stems: set[str] = set()
    total = 0
    with tar:
        try:
            members = tar.getmembers()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise CorruptInputError("archive is truncated or corrupt", reason=str(exc)) from exc
        if len(members) > MAX_ARCHIVE_MEMBERS:
            raise InputTooLargeError("archive has too many members", members=len(members))
        for member in members:
            name = _safe_name(member.name)
            if name is None or not member.isfile():
                if not member.isdir():
                    logger.warning("skipping archive member %r", member.name)
                continue
            total += member.size
            if total > max_bytes:
                raise InputTooLargeError("archive content exceeds the size limit", limit=max_bytes)
            lower = name.lower()
            if lower.endswith(".pdf"):
                stems.add(PurePosixPath(name).with_suffix("").as_posix())
            if not lower.endswith((".tex", ".ltx", ".sty", ".def")):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            files[name] = _decode(handle.read())
    if not files:
        raise InputError("archive holds no .tex file")
    return TexProject(files, stems)


def _single_gzip(data: bytes, *, max_bytes: int) -> TexProject:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            raw = handle.read(max_bytes + 1)
    except (OSError, EOFError) as exc:
        raise CorruptInputError("not a tar or gzip archive", reason=str(exc)) from exc
    if len(raw) > max_bytes:
        raise InputTooLargeError("decompressed source exceeds the size limit", limit=max_bytes)
    return TexProject({"main.tex": _decode(raw)})


def _safe_name(name: str) -> str | None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or any(part == ".." for part in path.parts):
        return None
    parts = [p for p in path.parts if p not in ("", ".")]
    return "/".join(parts) or None


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_folder(folder: Path, *, max_bytes: int = MAX_TEX_BYTES) -> TexProject:
    """Read every ``.tex`` and ``.sty`` file under ``folder`` (links leaving it are ignored)."""
    root = folder.resolve()
    files: dict[str, str] = {}
    stems: set[str] = set()
    total = 0
    for path in sorted(root.rglob("*")):
        if not path.is_file() or not path.resolve().is_relative_to(root):
            continue
        rel = path.relative_to(root).as_posix()
        if path.suffix.lower() == ".pdf":
            stems.add(rel[:-4])
        # a project's own packages (``\\usepackage{style}`` -> style.sty) hold its macros
        if path.suffix.lower() not in (".tex", ".sty"):
            continue
        total += path.stat().st_size
        if total > max_bytes:
            raise InputTooLargeError("LaTeX sources exceed the size limit", limit=max_bytes)
        files[rel] = _decode(path.read_bytes())
    if not any(name.lower().endswith(".tex") for name in files):
        raise InputError("folder holds no .tex file", path=str(folder))
    return TexProject(files, stems)


def find_main_file(project: TexProject) -> str:
    """Pick the main file: has ``\\documentclass`` and ``\\begin{document}``, is not input by
    another file, is not a ``standalone`` figure, and preferably shares its name with a PDF.

    Raises:
        InputError: no file looks like a main file.
    """
    stripped = {name: strip_comments(text) for name, text in project.files.items()}
    included: set[str] = set()
    for name, text in stripped.items():
        for target in _input_targets(text):
            resolved = resolve_input(project, name, target)
            if resolved:
                included.add(resolved)
    scored: list[tuple[tuple[int, int, int, int], str]] = []
    for name, text in stripped.items():
        if "\\documentclass" not in text or "\\begin{document}" not in text:
            continue
        if re.search(r"\\documentclass\s*(\[[^\]]*\])?\s*\{standalone\}", text):
            continue
        stem = name[: -len(PurePosixPath(name).suffix)]
        key = (
            name not in included,
            stem in project.pdf_stems,
            PurePosixPath(name).stem.lower() in {"main", "ms", "paper", "manuscript", "article"},
            len(text),
        )
        scored.append((key, name))
    if not scored:
        raise InputError("no main LaTeX file (with \\documentclass) found")
    scored.sort(reverse=True)
    return scored[0][1]


def _input_targets(text: str) -> list[str]:
    return [(m.group(2) or m.group(3) or "").strip() for m in _INPUT_RE.finditer(text)]


def resolve_input(project: TexProject, current: str, target: str) -> str | None:
    """Map ``\\input{target}`` from file ``current`` to a project file, or None."""
    if not target:
        return None
    base = PurePosixPath(current).parent
    for candidate in (target, target + ".tex"):
        for root in (PurePosixPath(""), base):
            name = _safe_name((root / candidate).as_posix())
            if name and name in project.files:
                return name
    return None


def inline_inputs(project: TexProject, main: str) -> str:
    """The main file's text, comments stripped, with ``\\input``/``\\include`` replaced by
    the (recursively inlined) files; missing files are logged and dropped."""
    seen: list[str] = []

    def load(name: str, depth: int) -> str:
        text = strip_comments(project.files[name])
        if depth >= MAX_INPUT_DEPTH or name in seen:
            logger.warning("not inlining %s again (cycle or too deep)", name)
            return ""
        seen.append(name)

        def repl(m: re.Match[str]) -> str:
            target = (m.group(2) or m.group(3) or "").strip()
            resolved = resolve_input(project, name, target)
            if resolved is None:
                logger.info("\\%s{%s}: file not found, skipped", m.group(1), target)
                return ""
            body = load(resolved, depth + 1)
            return "\n" + body + "\n"

        result = _INPUT_RE.sub(repl, text)
        seen.pop()
        return result

    return load(main, 0)
