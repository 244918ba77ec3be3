"""Math inside LaTeX environments: closing delimiters, row splitting and clean-up."""

from __future__ import annotations

import logging
import re

from scipix_search.ingest.latex._macros import read_group

logger = logging.getLogger(__name__)

_DROP_IN_MATH_RE = re.compile(r"\\(?:nonumber|notag|IEEEnonumber)(?![A-Za-z])")
_LAYOUT_RE = re.compile(
    r"\\(?:tiny|scriptsize|footnotesize|small|normalsize|large|Large)(?![A-Za-z])"
    r"|\\[hv]space\*?\s*\{[^{}]*\}"
)  # size and spacing commands say nothing about the formula
_ROW_SPACING_RE = re.compile(r"\s*\[[^\]]*\]")


def find_unescaped(text: str, token: str, start: int) -> int:
    i = start
    while True:
        j = text.find(token, i)
        if j == -1:
            return -1
        backslashes = 0
        k = j - 1
        while k >= start and text[k] == "\\":
            backslashes += 1
            k -= 1
        if backslashes % 2:
            i = j + 1
            continue
        if not (token == "$" and text.startswith("$$", j)):
            return j
        i = j + 2


def find_matching_end(text: str, start: int, begin_tag: str, end_tag: str) -> int:
    depth = 1
    i = start
    while depth:
        e = text.find(end_tag, i)
        if e == -1:
            return -1
        b = text.find(begin_tag, i)
        if b != -1 and b < e:
            depth += 1
            i = b + len(begin_tag)
        else:
            depth -= 1
            i = e + len(end_tag)
            if depth == 0:
                return e
    return -1


def split_rows(content: str) -> list[str]:
    """Split environment content on top-level ``\\\\`` (not inside braces or nested
    environments), dropping the ``[2pt]`` spacing argument of a row break."""
    rows: list[str] = []
    depth = 0
    env_depth = 0
    buf_start = 0
    i = 0
    n = len(content)
    while i < n:
        c = content[i]
        if c == "\\":
            if content.startswith("\\\\", i) and depth == 0 and env_depth == 0:
                rows.append(content[buf_start:i])
                i += 2
                spacing = _ROW_SPACING_RE.match(content, i)
                if spacing:
                    i = spacing.end()
                buf_start = i
                continue
            if content.startswith("\\begin", i):
                env_depth += 1
            elif content.startswith("\\end", i):
                env_depth = max(0, env_depth - 1)
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        i += 1
    rows.append(content[buf_start:])
    return rows


def clean_math(text: str) -> tuple[str, str | None, str | None, bool]:
    """Remove ``\\label``, ``\\tag``, ``\\nonumber`` and top-level ``&`` from a formula.

    Returns:
        (latex, tag, label, number suppressed)
    """
    tag = label = None
    m = re.search(r"\\tag\*?\s*(?=\{)", text)
    if m and (grp := read_group(text, m.end())):
        tag = grp[0].strip()
        text = text[: m.start()] + text[grp[1] :]
    m = re.search(r"\\label\s*(?=\{)", text)
    if m and (grp := read_group(text, m.end())):
        label = grp[0].strip()
        text = text[: m.start()] + text[grp[1] :]
    text = re.sub(r"\\label\s*\{[^{}]*\}", "", text)
    suppressed = bool(_DROP_IN_MATH_RE.search(text))
    text = _DROP_IN_MATH_RE.sub("", text)
    text = _LAYOUT_RE.sub(" ", text)
    text = _drop_top_level_ampersands(text)
    text = " ".join(text.split())
    return text, tag, label, suppressed


def _drop_top_level_ampersands(text: str) -> str:
    out: list[str] = []
    depth = 0
    env_depth = 0
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            if text.startswith("\\begin", i):
                env_depth += 1
            elif text.startswith("\\end", i):
                env_depth = max(0, env_depth - 1)
            out.append(text[i : i + 2])
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        if c == "&" and depth == 0 and env_depth == 0:
            out.append(" ")
        else:
            out.append(c)
        i += 1
    return "".join(out)
