"""LaTeX prose to plain text passages (inline math kept as ``$...$``)."""

from __future__ import annotations

import logging
import re

from scipix_search.ingest.latex._macros import read_group, read_optional

logger = logging.getLogger(__name__)

_FLOAT_ENVS = (
    "figure", "figure*", "table", "table*", "tabular", "tabular*", "tabularx", "algorithm",
    "algorithm*", "algorithmic", "thebibliography", "tikzpicture", "lstlisting", "verbatim",
    "comment", "subfigure", "wrapfigure", "minipage", "equation", "equation*", "align",
    "align*", "gather", "gather*", "multline", "multline*", "eqnarray", "eqnarray*", "flalign",
    "flalign*", "alignat", "alignat*", "displaymath", "IEEEeqnarray", "IEEEeqnarray*",
)  # fmt: skip
_DROP_WITH_ARGS = {
    "label": 1, "cite": 1, "citep": 1, "citet": 1, "citealp": 1, "citeauthor": 1,
    "citeyear": 1, "nocite": 1, "footnote": 1, "footnotetext": 1, "vspace": 1,
    "hspace": 1, "includegraphics": 1, "bibliography": 1, "bibliographystyle": 1,
    "thanks": 1, "setlength": 2, "addtolength": 2, "setcounter": 2, "caption": 1,
    "author": 1, "date": 1, "title": 1, "pagestyle": 1, "thispagestyle": 1,
    "definecolor": 3, "color": 1, "usepackage": 1, "affiliation": 1, "email": 1,
    "newlength": 1, "ref": 1, "autoref": 1, "cref": 1, "Cref": 1, "pageref": 1,
}  # fmt: skip
_BREAK_COMMANDS = {
    "section", "subsection", "subsubsection", "paragraph", "subparagraph", "chapter", "part",
}  # fmt: skip
_ESCAPES = {"%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}", " ": " "}
_CS_RE = re.compile(r"\\([A-Za-z@]+\*?|.)", re.S)
_MATH_RE = re.compile(r"(?<!\\)\$(?:\\.|[^$\\])+\$|\\\((?:.|\n)*?\\\)")


def latex_to_text(latex: str, *, labels: dict[str, str] | None = None) -> str:
    """Strip LaTeX markup from prose, keeping paragraph breaks and inline math.

    Args:
        latex: a LaTeX body (comments removed, macros expanded).
        labels: ``\\label`` → printed number, to render ``\\eqref`` as ``(3)``.

    Returns:
        Plain text; blank lines separate paragraphs.
    """
    labels = labels or {}
    text = _drop_environments(latex)
    text = re.sub(r"\$\$.*?\$\$|\\\[.*?\\\]", " ", text, flags=re.S)
    maths: list[str] = []

    def protect(m: re.Match[str]) -> str:
        maths.append(" ".join(m.group(0).split()))
        return f"\x00{len(maths) - 1}\x00"

    text = _MATH_RE.sub(protect, text)
    text = _strip_commands(text, labels)
    text = text.replace("~", " ").replace("``", '"').replace("''", '"').replace("---", "—")
    text = text.replace("--", "–")
    text = re.sub(r"[{}]", "", text)
    text = re.sub(r"\x00(\d+)\x00", lambda m: maths[int(m.group(1))], text)
    return text


def split_passages(text: str, *, min_words: int = 4) -> list[str]:
    """Split plain text on blank lines into whitespace-normalised paragraphs."""
    out = []
    for chunk in re.split(r"\n\s*\n", text):
        para = " ".join(chunk.split())
        if len(para.split()) >= min_words:
            out.append(para)
    return out


def _drop_environments(text: str) -> str:
    for env in _FLOAT_ENVS:
        begin, end = f"\\begin{{{env}}}", f"\\end{{{env}}}"
        while (start := text.find(begin)) != -1:
            stop = text.find(end, start)
            if stop == -1:
                text = text[:start]
                break
            text = text[:start] + "\n\n" + text[stop + len(end) :]
    return text


def _strip_commands(text: str, labels: dict[str, str]) -> str:
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
            break
        name = m.group(1)
        k = m.end()
        if name in _ESCAPES:
            out.append(_ESCAPES[name])
        elif name == "\\":
            out.append(" ")
            opt = read_optional(text, k) if k < n and text[k] == "[" else None
            k = opt[1] if opt else k
        elif name in ("eqref",):
            grp = read_group(text, k)
            if grp:
                number = labels.get(grp[0].strip())
                out.append(f"({number})" if number else "")
                k = grp[1]
        elif name.rstrip("*") in _DROP_WITH_ARGS:
            opt = read_optional(text, k)
            k = opt[1] if opt else k
            for _ in range(_DROP_WITH_ARGS[name.rstrip("*")]):
                grp = read_group(text, k)
                if grp is None:
                    break
                k = grp[1]
        elif name.rstrip("*") in _BREAK_COMMANDS:
            opt = read_optional(text, k)
            k = opt[1] if opt else k
            grp = read_group(text, k)
            k = grp[1] if grp else k
            out.append("\n\n")
        elif name in ("begin", "end"):
            grp = read_group(text, k)
            k = grp[1] if grp else k
            out.append("\n\n")
        elif name == "item":
            opt = read_optional(text, k)
            k = opt[1] if opt else k
            out.append(" ")
        elif name in ("par", "newline", "maketitle", "noindent", "centering"):
            out.append("\n\n" if name == "par" else " ")
        # any other command: drop its name, keep its braced arguments as text
        i = k
    return "".join(out)
