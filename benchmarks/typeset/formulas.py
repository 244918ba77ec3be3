"""Real formulas for the typeset corpus: the pool, token structure, and a TeX pre-check.

The pool is the im2latex formulas of ``../shared/data`` (space-tokenised LaTeX). A formula is
used in a cell only after pdflatex has set it in that cell's preamble without an error (fonts
differ in what they define and which glyphs they have) and measured its natural width, so
that documents can pick formulas that fit the column.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

POOL_FILES = ("formulas/im2latex_val_formulas.txt", "im2latex/dev.tsv")
RELATIONS = frozenset({"=", "\\equiv", "\\approx", "\\simeq", "\\leq", "\\geq", "\\le", "\\ge"})
# commands that would number, label or restructure the document around the formula
_FORBIDDEN = re.compile(
    r"\\(?:label|tag|nonumber|notag|newcommand|renewcommand|def|put|begin\{picture\}"
    r"|(?:eq)?ref|cite|footnote|item)(?![A-Za-z])|(?<!\\)[%#$]"
)
_LEFT = re.compile(r"\\left(?![A-Za-z])")  # \left( but not \leftarrow
_RIGHT = re.compile(r"\\right(?![A-Za-z])")
_NOT_BEFORE_BINARY = RELATIONS | {"(", "[", "{", ",", "+", "-", "&"}
MAX_TOKENS = 90
CHECK_TIMEOUT_S = 300


@dataclass(frozen=True, slots=True)
class Formula:
    """One real formula and where it came from (``file:line``)."""

    latex: str
    source: str

    @property
    def tokens(self) -> list[str]:
        return self.latex.split()


def load_pool(data_dir: Path) -> list[Formula]:
    """Every usable formula of the pool files, deduplicated, in file order."""
    seen: set[str] = set()
    pool: list[Formula] = []
    for rel in POOL_FILES:
        path = data_dir / rel
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            latex = line.split("\t", 1)[1] if path.suffix == ".tsv" else line
            latex = " ".join(latex.split())
            if lineno == 1 and path.suffix == ".tsv" or latex in seen:
                continue
            seen.add(latex)
            if usable(latex):
                pool.append(Formula(latex, f"{path.name}:{lineno}"))
    return pool


def usable(latex: str) -> bool:
    """Whether a formula can stand alone in one display row (checked without TeX)."""
    tokens = latex.split()
    if not 1 <= len(tokens) <= MAX_TOKENS or _FORBIDDEN.search(latex):
        return False
    depth = 0
    for tok, level in _levels(tokens):
        if level < 0:
            return False
        # a top-level row break or alignment tab would split the formula's own display
        if level == 0 and tok in ("\\\\", "&"):
            return False
        depth = level
    return depth == 0


def _levels(tokens: Sequence[str]) -> Iterable[tuple[str, int]]:
    """Each token with the nesting depth (braces, ``\\left``/``\\right``, environments)
    in effect at it."""
    depth = 0
    for tok in tokens:
        if tok == "}" or _RIGHT.match(tok) or tok.startswith("\\end{"):
            depth -= 1
        yield tok, depth
        if tok == "{" or _LEFT.match(tok) or tok.startswith("\\begin{"):
            depth += 1


def top_level_relation(tokens: Sequence[str]) -> int | None:
    """Index of the first top-level relation after a non-empty left side, if any."""
    for i, (tok, level) in enumerate(_levels(tokens)):
        if level == 0 and tok in RELATIONS and 0 < i < len(tokens) - 1:
            return i
    return None


def top_level_breaks(tokens: Sequence[str]) -> list[int]:
    """Indices where a multline may break: before a binary ``+``, ``-`` or a relation that
    is outside every group, including plain parentheses and brackets."""
    parens = 0
    out = []
    for i, (tok, level) in enumerate(_levels(tokens)):
        if tok in (")", "]"):
            parens -= 1
        binary = i > 0 and tokens[i - 1] not in _NOT_BEFORE_BINARY
        if level == 0 and parens == 0 and binary and (tok in ("+", "-") or tok in RELATIONS):
            out.append(i)
        if tok in ("(", "["):
            parens += 1
    return out


class PreambleError(RuntimeError):
    """The cell's preamble itself does not compile (a missing package or a clash)."""


class FormulaChecker:
    """Which formulas compile in one document setup, and how wide they are there (pt).

    ``header`` is the document up to its first body text: preamble, ``\\begin{document}``
    and the front matter (acmart and revtex switch to two columns only at ``\\maketitle``,
    so the column is measured after it). Verdicts are cached in a JSON file keyed by the
    header; ``None`` marks a formula that does not compile (or lacks a glyph in the font).
    Thread-safe per instance.
    """

    def __init__(
        self,
        header: str,
        cache_dir: Path,
        *,
        timeout_s: int = CHECK_TIMEOUT_S,
        engine: str = "pdflatex",
    ):
        self.header = header
        self.engine = engine
        key = hashlib.sha256(engine_keyed(header, engine).encode()).hexdigest()[:12]
        self.path = cache_dir / f"check-{key}.json"
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self.column_pt = 0.0
        self.width: dict[str, float | None] = {}
        if self.path.is_file():
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.column_pt = data["column_pt"]
            self.width = data["width"]

    def known(self, latex: str) -> bool:
        return latex in self.width

    def fits(self, latex: str, share: float) -> bool:
        """Compiles here and is at most ``share`` of the column wide."""
        w = self.width.get(latex)
        return w is not None and w <= share * self.column_pt

    def reject(self, latex: str) -> None:
        """Mark a formula bad after it broke a whole document."""
        with self._lock:
            self.width[latex] = None
            self._save()

    def check(self, formulas: Iterable[str]) -> None:
        """Set every formula not seen yet once in this preamble and record its verdict."""
        with self._lock:
            todo = list(dict.fromkeys(f for f in formulas if f not in self.width))
            for _ in range(5):  # a fatal error stops a run early; the rest go again
                if not todo:
                    break
                todo = self._run(todo)
            for latex in todo:
                self.width[latex] = None
            self._save()

    def _run(self, todo: list[str]) -> list[str]:
        """One pdflatex pass over ``todo``; returns those it never reached."""
        body = "".join(
            f"\\typeout{{@@B {i}}}\\setbox0\\hbox{{$\\displaystyle {f}$}}"
            f"\\typeout{{@@W {i} \\the\\wd0}}\n"
            for i, f in enumerate(todo)
        )
        tex = (
            f"{self.header}\\tracinglostchars=3\n"
            f"\\typeout{{@@C \\the\\columnwidth}}\n{body}\\end{{document}}\n"
        )
        log = run_pdflatex(
            tex, timeout_s=self.timeout_s, halt=False, keep_pdf=False, engine=self.engine
        ).log
        started: set[int] = set()
        bad: set[int] = set()
        current: int | None = None
        for line in log.splitlines():
            if line.startswith("@@C "):
                self.column_pt = _pt(line[4:])
            elif line.startswith("@@B "):
                current = int(line[4:])
                started.add(current)
            elif line.startswith("@@W "):
                idx, width = line[4:].split()
                i = int(idx)
                self.width[todo[i]] = None if i in bad else _pt(width)
            elif line.startswith("!") and current is not None:
                bad.add(current)
        if not self.column_pt:
            errors = [line for line in log.splitlines() if line.startswith("!")]
            raise PreambleError("; ".join(errors[:3]) or "pdflatex produced no log")
        for i in started:  # started but never measured: it swallowed its own end
            self.width.setdefault(todo[i], None)
        return [f for i, f in enumerate(todo) if i not in started]

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"header": self.header, "column_pt": self.column_pt, "width": self.width}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.path)


def _pt(text: str) -> float:
    return float(text.strip().removesuffix("pt"))


@dataclass(frozen=True, slots=True)
class TexRun:
    ok: bool
    log: str
    pdf: bytes | None
    aux: str


ENGINES = ("pdflatex", "xelatex", "lualatex")


def engine_keyed(text: str, engine: str) -> str:
    """``text`` as a cache key of documents set by ``engine``: pdflatex's keys stay the bare
    text (the corpora built before engines existed stay cached), others are prefixed."""
    return text if engine == "pdflatex" else f"%engine={engine}\n{text}"


def run_pdflatex(
    tex: str,
    *,
    timeout_s: int,
    halt: bool = True,
    passes: int = 1,
    keep_pdf: bool = True,
    engine: str = "pdflatex",
) -> TexRun:
    """Compile ``tex`` in a scratch folder with ``engine`` (pdflatex, xelatex or lualatex);
    ``passes`` runs resolve labels and references."""
    if engine not in ENGINES:
        raise ValueError(f"unknown TeX engine {engine!r}")
    env = {
        **os.environ,
        "max_print_line": "100000",  # unwrapped log lines: markers and errors stay whole
        "SOURCE_DATE_EPOCH": "0",  # reproducible PDFs: same .tex, same bytes
        "FORCE_SOURCE_DATE": "1",
    }
    args = [engine, "-interaction=nonstopmode", "-no-shell-escape"]
    if halt:
        args.append("-halt-on-error")
    with tempfile.TemporaryDirectory(prefix="typeset-") as tmp:
        work = Path(tmp)
        (work / "doc.tex").write_text(tex, encoding="utf-8")
        ok = True
        for _ in range(passes):
            try:
                proc = subprocess.run(
                    [*args, "doc.tex"],
                    cwd=work,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=timeout_s,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                ok = False
                break
            ok = proc.returncode == 0
            if not ok:
                break
        log_path, pdf_path, aux_path = (work / f"doc.{s}" for s in ("log", "pdf", "aux"))
        log = log_path.read_text(encoding="latin-1") if log_path.exists() else ""
        pdf = pdf_path.read_bytes() if keep_pdf and ok and pdf_path.exists() else None
        aux = aux_path.read_text(encoding="latin-1") if aux_path.exists() else ""
    return TexRun(ok, log, pdf, aux)
