"""Low-level LaTeX source handling: comments, groups and simple user macros.

Only what a paper's preamble usually defines is understood: ``\\newcommand``,
``\\renewcommand``, ``\\providecommand`` (with up to nine arguments and an optional default
for the first), undelimited ``\\def``, ``\\let`` aliases and ``\\DeclareMathOperator``.
Anything else is left in place; expansion only does less, with one exception: a document
whose macros call themselves until the expansion cap or add more than
:data:`MAX_EXPANSION_CHARS` characters (``\\def\\b{\\b\\b\\b}`` grows without end, as in TeX,
which stops it with "TeX capacity exceeded") is refused with :class:`CorruptInputError`,
because 1 KB of source must never become megabytes of formulas.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from scipix_search.exceptions import CorruptInputError

logger = logging.getLogger(__name__)

MAX_EXPANSIONS = 20_000
"""Expansions per text; past it the remaining macros stay as written (a recursive macro stops
here instead of looping for ever). The 18 real papers use at most 3,132."""
MAX_EXPANSION_CHARS = 1_000_000
"""Characters that expansion may add to one text before the document is refused. The real
papers add at most 17 KB (a package manual written in TeX internals, 1.5 MB, is refused);
expanding costs about 1 s per million characters, so this also bounds the time."""
MAX_EXPANSION_DEPTH = 50
"""Macros expanding inside macros; deeper than this is a macro that calls itself."""


@dataclass(slots=True)
class _Budget:
    steps: int
    chars: int
    max_chars: int
    recursive: str | None = None  # the first macro found nested in itself past the depth cap


_CS_RE = re.compile(r"\\([A-Za-z@]+|.)", re.S)
_NEWCMD_RE = re.compile(r"\\(newcommand|renewcommand|providecommand)\*?")
_DEF_RE = re.compile(r"\\[gex]?def\s*\\([A-Za-z@]+|.)")
_LET_RE = re.compile(r"\\let\s*\\([A-Za-z@]+)\s*=?\s*\\([A-Za-z@]+|.)")
_DMO_RE = re.compile(r"\\DeclareMathOperator(\*?)")


@dataclass(slots=True, frozen=True)
class Macro:
    """One user macro: ``nargs`` arguments, the first optional when ``default`` is set."""

    name: str
    nargs: int
    body: str
    default: str | None = None
    literal: bool = False
    """The body is printed as it is, never expanded again: ``\\let\\old\\section`` names the
    built-in ``\\section`` even after the document redefines ``\\section`` with ``\\old``."""


def strip_comments(text: str) -> str:
    """Remove ``%`` comments the way TeX does, keeping escaped ``\\%``.

    A line holding only a comment disappears entirely; a trailing comment also eats the
    newline and the next line's leading blanks, so ``foo%`` + ``bar`` reads ``foobar``.
    """
    out: list[str] = []
    lines = text.split("\n")
    skip_lead = False
    for line in lines:
        if skip_lead:
            line = line.lstrip(" \t")
        cut = _comment_start(line)
        if cut is None:
            out.append(line + "\n")
            skip_lead = False
            continue
        if not line[:cut].strip():
            skip_lead = False
            continue
        out.append(line[:cut])
        skip_lead = True
    return "".join(out)


def _comment_start(line: str) -> int | None:
    i = line.find("%")
    while i != -1:
        backslashes = 0
        j = i - 1
        while j >= 0 and line[j] == "\\":
            backslashes += 1
            j -= 1
        if backslashes % 2 == 0:
            return i
        i = line.find("%", i + 1)
    return None


def skip_space(text: str, i: int) -> int:
    """Index of the first non-blank character at or after ``i``."""
    n = len(text)
    while i < n and text[i] in " \t\n\r":
        i += 1
    return i


def read_group(text: str, i: int) -> tuple[str, int] | None:
    """Read a ``{...}`` group starting at ``i`` (after blanks); None when unbalanced."""
    i = skip_space(text, i)
    if i >= len(text) or text[i] != "{":
        return None
    depth = 0
    j = i
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
        j += 1
    return None


def read_optional(text: str, i: int) -> tuple[str, int] | None:
    """Read a ``[...]`` optional argument (brace-aware) at ``i``; None when absent."""
    i = skip_space(text, i)
    if i >= len(text) or text[i] != "[":
        return None
    depth = 0
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "]" and depth == 0:
            return text[i + 1 : j], j + 1
        j += 1
    return None


def read_argument(text: str, i: int) -> tuple[str, int] | None:
    """Read one undelimited TeX argument: a group, a control sequence or one character."""
    i = skip_space(text, i)
    if i >= len(text):
        return None
    if text[i] == "{":
        return read_group(text, i)
    if text[i] == "}":
        return None
    if text[i] == "\\":
        m = _CS_RE.match(text, i)
        if m:
            return m.group(0), m.end()
    return text[i], i + 1


def _read_cs_name(text: str, i: int) -> tuple[str, int] | None:
    """Read ``\\name`` or ``{\\name}`` at ``i`` and return the name without backslash."""
    i = skip_space(text, i)
    if i < len(text) and text[i] == "{":
        grp = read_group(text, i)
        if grp is None:
            return None
        m = _CS_RE.fullmatch(grp[0].strip())
        return (m.group(1), grp[1]) if m else None
    m = _CS_RE.match(text, i)
    return (m.group(1), m.end()) if m else None


class MacroTable:
    """User macros collected from a document, and their expansion.

    Example:
        >>> table = MacroTable()
        >>> text = table.collect(r"\\newcommand{\\R}{\\mathbb{R}} \\newcommand{\\n}[2][2]{\\|#2\\|_{#1}}")
        >>> table.expand(r"x \\in \\R^n, \\n{x}, \\n[1]{y}")
        'x \\\\in \\\\mathbb{R}^n, \\\\|x\\\\|_{2}, \\\\|y\\\\|_{1}'
    """

    def __init__(self) -> None:
        self.macros: dict[str, Macro] = {"ensuremath": Macro("ensuremath", 1, "#1")}

    def __len__(self) -> int:
        return len(self.macros)

    def collect(self, text: str) -> str:
        """Record every definition found in ``text`` and return the text without them."""
        out: list[str] = []
        i = 0
        n = len(text)
        while i < n:
            j = text.find("\\", i)
            if j == -1:
                out.append(text[i:])
                break
            out.append(text[i:j])
            end = self._try_definition(text, j)
            if end is None:
                m = _CS_RE.match(text, j)
                end = m.end() if m else j + 1
                out.append(text[j:end])
            i = end
        return "".join(out)

    def _try_definition(self, text: str, i: int) -> int | None:
        m = _NEWCMD_RE.match(text, i)
        if m and (m.end() >= len(text) or not text[m.end()].isalpha()):
            return self._read_newcommand(text, m.end(), m.group(1))
        m = _DMO_RE.match(text, i)
        if m:
            name = _read_cs_name(text, m.end())
            if name is None:
                return None
            body = read_group(text, name[1])
            if body is None:
                return None
            op = "\\operatorname*" if m.group(1) else "\\operatorname"
            self.macros[name[0]] = Macro(name[0], 0, f"{op}{{{body[0]}}}")
            return body[1]
        m = _DEF_RE.match(text, i)
        if m:
            k = m.end()
            params = re.match(r"(#[1-9])*", text[k:])
            nargs = len(params.group(0)) // 2 if params else 0
            k += len(params.group(0)) if params else 0
            body = read_group(text, k)
            if body is None:
                return None  # delimited parameters: not supported, leave the text as it is
            self.macros[m.group(1)] = Macro(m.group(1), nargs, body[0])
            return body[1]
        m = _LET_RE.match(text, i)
        if m:
            target = self.macros.get(m.group(2))
            # A copy of the meaning it has now, as TeX's \let makes: a user macro's body, or the
            # built-in command itself, which a later redefinition must not reach through it.
            self.macros[m.group(1)] = target or Macro(
                m.group(1), 0, "\\" + m.group(2), literal=True
            )
            return m.end()
        return None

    def _read_newcommand(self, text: str, i: int, kind: str) -> int | None:
        name = _read_cs_name(text, i)
        if name is None:
            return None
        k = name[1]
        nargs = 0
        default = None
        opt = read_optional(text, k)
        if opt is not None:
            try:
                nargs = int(opt[0].strip())
            except ValueError:
                return None
            k = opt[1]
            opt2 = read_optional(text, k)
            if opt2 is not None:
                default, k = opt2
        body = read_group(text, k)
        if body is None:
            return None
        if kind == "providecommand" and name[0] in self.macros:
            return body[1]
        self.macros[name[0]] = Macro(name[0], nargs, body[0], default)
        return body[1]

    def expand(
        self,
        text: str,
        *,
        max_expansions: int = MAX_EXPANSIONS,
        max_chars: int = MAX_EXPANSION_CHARS,
    ) -> str:
        """Expand the known macros in ``text``, repeatedly.

        Args:
            text: LaTeX after :meth:`collect`.
            max_expansions: expansions done at most; later macros stay as written.
            max_chars: characters the expansions may add in all.

        Raises:
            CorruptInputError: the expansions would add more than ``max_chars`` characters,
                or a macro nested in itself used up ``max_expansions``
                (``reason="macro_expansion"``, ``macro``: the name being expanded).
        """
        if len(self.macros) <= 1 and "\\ensuremath" not in text:
            return text
        budget = _Budget(max_expansions, max_chars, max_chars)
        out = self._expand(text, budget, depth=0)
        if budget.steps <= 0 and budget.recursive is not None:
            # A macro nested in itself that also used up every step grows without end (the
            # issue's \def\b{\b\b...}); TeX stops it with "TeX capacity exceeded", and so does
            # this. A lone self-call (\def\x{\x}) stops at the depth cap and stays as written.
            raise CorruptInputError(
                f"LaTeX macro \\{budget.recursive} calls itself without end (over "
                f"{max_expansions:,} expansions)",
                reason="macro_expansion",
                macro=budget.recursive,
            )
        if budget.steps <= 0:
            logger.warning(
                "macro expansion stopped after %d expansions; the rest stays as written",
                max_expansions,
            )
        return out

    def _expand(self, text: str, budget: _Budget, depth: int) -> str:
        out: list[str] = []
        i = 0
        n = len(text)
        while i < n:
            j = text.find("\\", i)
            if j == -1:
                out.append(text[i:])
                break
            out.append(text[i:j])
            m = _CS_RE.match(text, j)
            if m is None:
                out.append(text[j:])
                break
            macro = self.macros.get(m.group(1))
            if macro is not None and depth > MAX_EXPANSION_DEPTH:
                budget.recursive = budget.recursive or macro.name
            if macro is None or budget.steps <= 0 or depth > MAX_EXPANSION_DEPTH:
                out.append(m.group(0))
                i = m.end()
                continue
            args, k = self._read_args(text, m.end(), macro)
            if args is None:
                out.append(m.group(0))
                i = m.end()
                continue
            budget.steps -= 1
            body = _substitute(macro.body, args)
            # Every expansion is charged the text it produces, so the work is bounded as well
            # as the output: an exponential macro is refused in a fraction of a second.
            budget.chars -= len(body)
            if budget.chars < 0:
                raise CorruptInputError(
                    f"LaTeX macro \\{macro.name} expands without bound (the macros would add "
                    f"more than {budget.max_chars:,} characters)",
                    reason="macro_expansion",
                    macro=macro.name,
                )
            expanded = body if macro.literal else self._expand(body, budget, depth + 1)
            if macro.nargs == 0 and m.group(1).isalpha():
                k = skip_space(text, k)  # TeX drops the blanks after a control word
            if k < n and text[k].isalpha() and _ends_with_control_word(expanded):
                expanded += " "
            out.append(expanded)
            i = k
        return "".join(out)

    @staticmethod
    def _read_args(text: str, k: int, macro: Macro) -> tuple[list[str] | None, int]:
        args: list[str] = []
        remaining = macro.nargs
        if macro.default is not None and remaining:
            opt = read_optional(text, k)
            if opt is not None:
                args.append(opt[0])
                k = opt[1]
            else:
                args.append(macro.default)
            remaining -= 1
        for _ in range(remaining):
            arg = read_argument(text, k)
            if arg is None:
                return None, k
            args.append(arg[0])
            k = arg[1]
        return args, k


def _ends_with_control_word(text: str) -> bool:
    """``\\foo`` at the very end (looked up from the last backslash: the text may be long)."""
    j = text.rfind("\\")
    tail = text[j + 1 :]
    return j >= 0 and bool(tail) and all(c.isascii() and (c.isalpha() or c == "@") for c in tail)


def _substitute(body: str, args: list[str]) -> str:
    def repl(m: re.Match[str]) -> str:
        if m.group(0) == "##":
            return "#"
        idx = int(m.group(1)) - 1
        return args[idx] if idx < len(args) else ""

    return re.sub(r"##|#([1-9])", repl, body)
