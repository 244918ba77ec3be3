"""One generated paper: prose with inline math around a realistic mix of display environments.

The structure of document ``n`` (sections, sentence templates, display kinds, row counts)
comes from a seeded RNG alone, so it is the same in every cell; formulas are then taken in a
fixed shuffled order, skipping those the cell's pre-check rejects or that are too wide for its
column. Cells of the same column type therefore mostly typeset the same formulas, and per-font
differences are paired, not drawn from different formulas.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.typeset.formulas import (
    Formula,
    FormulaChecker,
    top_level_breaks,
    top_level_relation,
)
from benchmarks.typeset.styles import Cell

# (kind, weight): roughly how often papers use each display construction
DISPLAY_KINDS = (
    ("equation", 4.0),
    ("equation*", 1.5),
    ("bracket", 1.5),
    ("align", 2.0),
    ("align*", 1.0),
    ("gather", 1.0),
    ("multline", 0.8),
    ("split", 1.0),
    ("cases", 0.7),
    ("matrix", 0.8),
    ("leftright", 0.8),
    ("tag", 0.6),
)
EXTRA_DISPLAYS = 4
MULTLINE_MIN = 0.6  # of the column
MAX_SCAN = 1000  # candidates one pick may look at before the construction gives up
NUMBERED_SHARE = 0.8  # of the column: room for the equation number
UNNUMBERED_SHARE = 0.9
INLINE_SHARE = 0.45
ATOM_SHARE = 0.15
CHECK_BATCH = 200
STRIDES = {"display": 120, "inline": 90, "atom": 40}  # doc n starts its streams n strides in

ADJ = (
    "leading", "effective", "nontrivial", "general", "corresponding", "asymptotic", "regular",
    "first-order", "symmetric", "physical", "reduced", "linearised", "dominant", "residual",
)  # fmt: skip
NOUN = (
    "solution", "operator", "amplitude", "field", "estimate", "coefficient", "spectrum",
    "potential", "correction", "parameter", "kernel", "expansion", "constraint", "density",
    "propagator", "transformation", "boundary term", "source term", "free energy", "action",
)  # fmt: skip
MATH_SENTENCES = (
    "The {adj} {noun} satisfies {m} in the regime considered here.",
    "In this case we find {m}, which is consistent with the {adj} {noun}.",
    "For the {noun} we take {m}.",
    "This gives {m} for the {adj} {noun}.",
    "Here {m} denotes the {adj} {noun}.",
    "Substituting {m} into the {noun} yields its {adj} form.",
    "We assume throughout that {m}.",
    "As a consequence, the {noun} obeys {m} at leading order.",
    "It is convenient to introduce {m} and to keep the {noun} fixed.",
    "One checks that {m} holds whenever the {noun} is {adj}.",
)
TWO_MATH_SENTENCES = (
    "Note that {m} and {m2} are not independent.",
    "Comparing {m} with {m2} fixes the {adj} {noun}.",
    "If {m}, then the {noun} reduces to {m2}.",
)
PLAIN_SENTENCES = (
    "The {adj} {noun} plays a central role in what follows.",
    "We now turn to the {adj} {noun}.",
    "This observation simplifies the analysis considerably.",
    "The remaining terms are of higher order and can be neglected.",
    "A similar argument applies to the {noun}.",
)
REF_SENTENCES = (
    "Using Eq.~({ref}) we obtain the {adj} {noun}.",
    "The {noun} in Eq.~({ref}) is {adj} by construction.",
)
INTROS = (
    "The {adj} {noun} is given by",
    "We obtain",
    "A direct computation shows that",
    "This leads to",
    "In terms of these variables the {noun} reads",
    "Combining the relations above gives",
)
AFTER = (
    "where {m} denotes the {adj} {noun}.",
    "with {m} fixed.",
    "which holds for the {adj} {noun} as well.",
)
SECTIONS = ("Introduction", "Model", "Formalism", "Analysis", "Results", "Discussion")
TAG_PREFIXES = ("A", "S", "R")
_TRAILING = frozenset({".", ",", ";", ":", "\\,", "\\;", "\\:", "\\quad", "\\qquad", "\\ ", "~"})


@dataclass(slots=True)
class Written:
    """A document's LaTeX lines, the formulas on each line, and the truth record."""

    lines: list[str] = field(default_factory=list)
    line_formulas: list[list[str]] = field(default_factory=list)
    formulas: list[dict[str, object]] = field(default_factory=list)
    display_rows: int = 0
    inline: int = 0

    def add(self, line: str, formulas: list[Formula] | None = None) -> None:
        self.lines.append(line)
        self.line_formulas.append([f.latex for f in formulas or []])

    @property
    def tex(self) -> str:
        return "\n".join(self.lines) + "\n"


class Stream:
    """Candidates of one kind in a fixed order, from a per-document start, checked lazily."""

    def __init__(
        self, items: list[Formula], start: int, checker: FormulaChecker, used: set[str]
    ) -> None:
        self.items = items
        self.pos = start % max(1, len(items))
        self.checker = checker
        self.used = used

    def take(
        self,
        share: float,
        pred: Callable[[Formula], bool] | None = None,
        *,
        min_share: float = 0.0,
    ) -> Formula | None:
        """The next unused candidate that satisfies ``pred``, compiles, and is between
        ``min_share`` and ``share`` of the column wide."""
        n = len(self.items)
        for _ in range(min(n, MAX_SCAN)):
            f = self.items[self.pos % n]
            self.pos += 1
            if f.latex in self.used or (pred is not None and not pred(f)):
                continue
            if not self.checker.known(f.latex):
                ahead = (self.items[(self.pos - 1 + k) % n].latex for k in range(CHECK_BATCH))
                self.checker.check(ahead)
            if self.checker.fits(f.latex, share) and not self.checker.fits(f.latex, min_share):
                self.used.add(f.latex)
                return f
        return None


@dataclass(frozen=True, slots=True)
class Streams:
    display: Stream
    inline: Stream
    atom: Stream


def split_pool(pool: list[Formula], seed: int) -> dict[str, list[Formula]]:
    """The candidate lists (display, inline, atom), each in one seeded shuffled order.

    Inline and atom candidates are short real formulas plus the sides of real relations
    (``E ( v )`` of ``E ( v ) = ...``): the pool has too few short formulas on its own.
    """
    rng = random.Random(seed)
    order = pool[:]
    rng.shuffle(order)
    display = [f for f in order if 6 <= len(f.tokens) <= 90]
    short: list[Formula] = []
    for f in order:
        tokens = _unpunctuated(f.tokens)
        if len(tokens) <= 15:
            short.append(Formula(" ".join(tokens), f.source))
        rel = top_level_relation(tokens)
        if rel is not None:
            for side, part in (("lhs", tokens[:rel]), ("rhs", tokens[rel + 1 :])):
                if len(part) <= 15:
                    short.append(Formula(" ".join(part), f"{f.source} {side}"))
    inline = [f for f in _unique(short) if 3 <= len(f.tokens) <= 15]
    atom = [f for f in _unique(short) if 1 <= len(f.tokens) <= 5 and "\\begin{" not in f.latex]
    return {"display": display, "inline": inline, "atom": atom}


def _unpunctuated(tokens: list[str]) -> list[str]:
    """Without the sentence punctuation (and spacing) a display formula ends with: inline,
    the prose around it has its own."""
    end = len(tokens)
    while end and tokens[end - 1] in _TRAILING:
        end -= 1
    return tokens[:end]


def _unique(items: list[Formula]) -> list[Formula]:
    seen: set[str] = set()
    out = []
    for f in items:
        if f.latex not in seen:
            seen.add(f.latex)
            out.append(f)
    return out


def make_streams(
    lists: dict[str, list[Formula]], doc_index: int, checker: FormulaChecker
) -> Streams:
    used: set[str] = set()
    return Streams(
        *(
            Stream(lists[k], doc_index * STRIDES[k], checker, used)
            for k in ("display", "inline", "atom")
        )
    )


class DocumentWriter:
    """Writes document ``doc_index`` of a cell (see the module docstring)."""

    def __init__(self, cell: Cell, streams: Streams, seed: int, doc_index: int) -> None:
        self.cell = cell
        self.s = streams
        # one RNG for structure only: formula picks never draw from it
        self.rng = random.Random(f"{seed}:{doc_index}")
        self.out = Written()
        self.labels: list[str] = []
        self.tags = 0
        self.construct = ""

    def write(self) -> Written:
        rng = self.rng
        title = f"On the {rng.choice(ADJ)} {rng.choice(NOUN)} of the {rng.choice(NOUN)}"
        abstract_formulas: list[Formula] = []
        abstract = " ".join(self._sentence(abstract_formulas) for _ in range(3))
        for line in self.cell.preamble().rstrip("\n").split("\n"):
            self.out.add(line)
        front = self.cell.front_matter(title, "Alex Author", abstract)
        for line in front.rstrip("\n").split("\n"):
            self.out.add(line, abstract_formulas if line == abstract else None)
        kinds = self._plan_displays()
        sections = rng.sample(SECTIONS, rng.randint(3, 4))
        for i, name in enumerate(sections):
            self._section(name, kinds[i :: len(sections)])
        self.out.add("\\end{document}")
        return self.out

    def _plan_displays(self) -> list[str]:
        """Every construction once (so each document covers them all), a few more drawn by
        how often papers use them, in random order."""
        names = [k for k, _ in DISPLAY_KINDS]
        kinds = names + self.rng.choices(names, [w for _, w in DISPLAY_KINDS], k=EXTRA_DISPLAYS)
        self.rng.shuffle(kinds)
        return kinds

    def _section(self, name: str, kinds: list[str]) -> None:
        rng = self.rng
        self.out.add(f"\\section{{{name}}}")
        self._paragraph(rng.randint(3, 5))
        for kind in kinds:
            self.out.add(self._fill(rng.choice(INTROS)))
            self._display(kind)
            if rng.random() < 0.5:
                self.out.add("")
                self._paragraph(rng.randint(2, 4))
            else:
                self._sentence_line(rng.choice(AFTER))
                self.out.add("")

    def _paragraph(self, sentences: int) -> None:
        for _ in range(sentences):
            line_formulas: list[Formula] = []
            text = self._sentence(line_formulas)
            self.out.add(text, line_formulas)
        self.out.add("")

    def _sentence_line(self, template: str) -> None:
        line_formulas: list[Formula] = []
        self.out.add(self._fill(template, line_formulas), line_formulas)

    def _sentence(self, line_formulas: list[Formula] | None = None) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.2:
            template = rng.choice(PLAIN_SENTENCES)
        elif r < 0.3 and self.labels:
            template = rng.choice(REF_SENTENCES)
        elif r < 0.45:
            template = rng.choice(TWO_MATH_SENTENCES)
        else:
            template = rng.choice(MATH_SENTENCES)
        return self._fill(template, line_formulas)

    def _fill(self, template: str, line_formulas: list[Formula] | None = None) -> str:
        rng = self.rng
        values = {"adj": rng.choice(ADJ), "noun": rng.choice(NOUN)}
        if "{ref}" in template:
            values["ref"] = f"\\ref{{{rng.choice(self.labels)}}}"
        for slot in ("m", "m2"):
            if "{" + slot + "}" in template:
                values[slot] = self._inline(line_formulas)
        return template.format(**values)

    def _inline(self, line_formulas: list[Formula] | None) -> str:
        f = self.s.inline.take(INLINE_SHARE)
        if f is None:
            return "this quantity"
        if line_formulas is not None:
            line_formulas.append(f)
        self.out.formulas.append({"kind": "inline", "latex": f.latex, "source": f.source})
        self.out.inline += 1
        return f"${f.latex}$"

    # display environments -------------------------------------------------------------

    def _display(self, kind: str) -> None:
        make = {
            "equation": lambda: self._single("equation", numbered=True),
            "equation*": lambda: self._single("equation*", numbered=False),
            "bracket": lambda: self._single("\\[", numbered=False),
            "align": lambda: self._rows("align", numbered=True),
            "align*": lambda: self._rows("align*", numbered=False),
            "gather": lambda: self._rows("gather", numbered=True),
            "multline": self._multline,
            "split": self._split,
            "cases": self._cases,
            "matrix": self._matrix,
            "leftright": self._leftright,
            "tag": self._tagged,
        }[kind]
        self.construct = kind
        if not make():
            self.construct = "equation"  # the stream ran dry for this kind
            self._single("equation", numbered=True)

    def _emit(
        self,
        env: str,
        rows: list[tuple[str, list[Formula]]],
        *,
        numbered: bool,
        reader_rows: int,
        tag: str | None = None,
    ) -> None:
        """Write ``rows`` (LaTeX, formulas) as one environment; label every numbered row so
        the .aux file gives LaTeX's own number for it."""
        begin, end = ("\\[", "\\]") if env == "\\[" else (f"\\begin{{{env}}}", f"\\end{{{env}}}")
        self.out.add(begin)
        for i, (latex, formulas) in enumerate(rows):
            suffix = ""
            if numbered and (i == 0 or env in ("align", "gather")):
                label = f"eq:{len(self.labels) + 1}"
                self.labels.append(label)
                suffix = (f" \\tag{{{tag}}}" if tag else "") + f" \\label{{{label}}}"
            brk = " \\\\" if i < len(rows) - 1 else ""
            self.out.add(f"  {latex}{suffix}{brk}", formulas)
        self.out.add(end)
        self.out.formulas.append(
            {
                "kind": "display",
                "construct": self.construct,
                "env": env,
                "reader_rows": reader_rows,
                "rows": [latex for latex, _ in rows],
                "sources": [f.source for _, fs in rows for f in fs],
            }
        )
        self.out.display_rows += reader_rows

    def _single(self, env: str, *, numbered: bool) -> bool:
        share = NUMBERED_SHARE if numbered else UNNUMBERED_SHARE
        f = self.s.display.take(share)
        if f is None:
            return False
        self._emit(env, [(f.latex, [f])], numbered=numbered, reader_rows=1)
        return True

    def _rows(self, env: str, *, numbered: bool) -> bool:
        n = self.rng.choice((2, 2, 3))
        if env.startswith("gather"):
            picks = [self.s.display.take(NUMBERED_SHARE) for _ in range(n)]
            rows = [(f.latex, [f]) for f in picks if f is not None]
        else:
            picks = [self.s.display.take(NUMBERED_SHARE, _is_relation) for _ in range(n)]
            rows = [(_aligned(f), [f]) for f in picks if f is not None]
        if len(rows) < 2:
            return False
        self._emit(env, rows, numbered=numbered, reader_rows=len(rows))
        return True

    def _multline(self) -> bool:
        # long enough that an author would break it; formulas wider than the column are
        # rare in im2latex (rendered as single-line images), so not only those
        f = self.s.display.take(1.6, lambda f: _middle_break(f) is not None, min_share=MULTLINE_MIN)
        if f is None:
            return False
        tokens, cut = f.tokens, _middle_break(f)
        rows = [(" ".join(tokens[:cut]), [f]), (" ".join(tokens[cut:]), [f])]
        self._emit("multline", rows, numbered=True, reader_rows=1)
        return True

    def _split(self) -> bool:
        first = self.s.display.take(NUMBERED_SHARE, _is_relation)
        second = self.s.display.take(NUMBERED_SHARE, _is_relation)
        if first is None or second is None:
            return False
        tokens = second.tokens
        rel = top_level_relation(tokens)
        assert rel is not None
        body = (
            f"\\begin{{split}} {_aligned(first)} \\\\ "
            f"& {tokens[rel]} {' '.join(tokens[rel + 1 :])} \\end{{split}}"
        )
        self._emit("equation", [(body, [first, second])], numbered=True, reader_rows=1)
        return True

    def _cases(self) -> bool:
        head = self.s.display.take(NUMBERED_SHARE, _short_lhs)
        a, c = self.s.inline.take(0.3), self.s.inline.take(0.3)
        cond = self.s.inline.take(0.3)
        if None in (head, a, c, cond):
            return False
        assert head is not None and a is not None and c is not None and cond is not None
        tokens = head.tokens
        rel = top_level_relation(tokens)
        assert rel is not None
        lhs = " ".join(tokens[:rel])
        body = (
            f"{lhs} = \\begin{{cases}} {a.latex} , & \\text{{if }} {cond.latex} , \\\\ "
            f"{c.latex} , & \\text{{otherwise}} . \\end{{cases}}"
        )
        self._emit("equation", [(body, [head, a, cond, c])], numbered=True, reader_rows=1)
        return True

    def _matrix(self) -> bool:
        if self.rng.random() < 0.5:  # a real formula that has a matrix or array of its own
            f = self.s.display.take(NUMBERED_SHARE, _has_matrix)
            if f is None:
                return False
            self._emit("equation", [(f.latex, [f])], numbered=True, reader_rows=1)
            return True
        env = self.rng.choice(("pmatrix", "bmatrix"))
        cols = 2 if self.cell.doc_class.two_column else self.rng.choice((2, 3))
        head = self.s.display.take(NUMBERED_SHARE, _short_lhs)
        entries = [self.s.atom.take(ATOM_SHARE) for _ in range(2 * cols)]
        if head is None or None in entries:
            return False
        cells = [e.latex for e in entries if e is not None]
        tokens = head.tokens
        rel = top_level_relation(tokens)
        assert rel is not None
        grid = " \\\\ ".join(" & ".join(cells[r * cols : (r + 1) * cols]) for r in range(2))
        body = f"{' '.join(tokens[:rel])} = \\begin{{{env}}} {grid} \\end{{{env}}}"
        used = [head, *(e for e in entries if e is not None)]
        self._emit("equation", [(body, used)], numbered=True, reader_rows=1)
        return True

    def _leftright(self) -> bool:
        f = self.s.display.take(NUMBERED_SHARE, lambda f: "\\left" in f.latex)
        if f is None:
            return False
        self._emit("equation", [(f.latex, [f])], numbered=True, reader_rows=1)
        return True

    def _tagged(self) -> bool:
        f = self.s.display.take(NUMBERED_SHARE)
        if f is None:
            return False
        self.tags += 1
        tag = f"{self.rng.choice(TAG_PREFIXES)}{self.tags}"
        self._emit("equation", [(f.latex, [f])], numbered=True, reader_rows=1, tag=tag)
        return True


def _is_relation(f: Formula) -> bool:
    tokens = f.tokens
    rel = top_level_relation(tokens)
    return rel is not None and tokens[rel] == "="


def _middle_break(f: Formula) -> int | None:
    """Where a multline of ``f`` breaks: the top-level operator nearest the middle, if one
    lies in the middle half of a formula of at least 20 tokens."""
    tokens = f.tokens
    n = len(tokens)
    breaks = [i for i in top_level_breaks(tokens) if n // 4 < i < 3 * n // 4] if n >= 20 else []
    return min(breaks, key=lambda i: abs(i - n // 2)) if breaks else None


def _short_lhs(f: Formula) -> bool:
    rel = top_level_relation(f.tokens)
    return rel is not None and rel <= 6


def _has_matrix(f: Formula) -> bool:
    return bool(re.search(r"\\begin\{(?:array|[pbvBV]?matrix)\}", f.latex))


def _aligned(f: Formula) -> str:
    """``lhs &= rhs``: the alignment point before the first top-level relation."""
    tokens = f.tokens
    rel = top_level_relation(tokens)
    assert rel is not None
    return f"{' '.join(tokens[:rel])} &{tokens[rel]} {' '.join(tokens[rel + 1 :])}"
