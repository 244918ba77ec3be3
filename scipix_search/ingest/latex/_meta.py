"""A paper's title, authors, year, abstract and identifiers from its LaTeX source.

Every common class says them with a few commands: ``\\title``, one ``\\author`` per author
(revtex, acmart, elsarticle, amsart) or one for all, split by ``\\and``, commas and ``\\\\``
(article, llncs, IEEEtran's ``\\IEEEauthorblockN``, imsart's ``\\fnms``/``\\snm``), ``\\date``,
the ``abstract`` environment (or ``\\abstract{...}``), and a DOI command of the class.
Affiliations, e-mails, footnotes and affiliation marks inside ``\\author`` are dropped by
the same name test the PDF reader uses, so a line like ``Name \\\\ Department of ...``
gives the name only.
"""

from __future__ import annotations

import re

from scipix_search.ingest._meta import (
    PaperMeta,
    clean_text,
    find_arxiv_id,
    find_doi,
    find_year,
    is_anonymous,
    split_names,
)
from scipix_search.ingest.latex._macros import read_group, read_optional, strip_comments
from scipix_search.ingest.latex._text import latex_to_text

_TITLE = re.compile(r"\\title\s*(?=[\[{])")
_CHAPTER = re.compile(r"\\(chapter|section)\*?\s*(?=[\[{])")
_AUTHOR = re.compile(r"\\author\s*(?=[\[{])")
_DATE = re.compile(r"\\date\s*(?=\{)")
# Classes that state the year of publication with a command of their own: acmart's \acmYear
# and \copyrightyear, mnras's \pubyear. Each names the paper's own year, unlike a
# bibliography entry. (TeX's \year is the year the PDF was built: not one of them.)
_YEAR_CMD = re.compile(r"\\(?:acmYear|copyrightyear|pubyear)\s*(?=\{)")
_ABSTRACT_ENV = re.compile(r"\\begin\s*\{abstract\}(.*?)\\end\s*\{abstract\}", re.S)
_ABSTRACT_CMD = re.compile(r"\\abstract\s*(?=\{)")
_DOI_CMD = re.compile(r"\\(?:acmDOI|doi|DOI)\s*(?=\{)")
# Commands inside \author whose argument is not a name (affiliations, mails, notes, marks).
_NOT_NAMES = (
    "thanks|footnote|footnotemark|footnotetext|inst|email|ead|orcid|affiliation|address|"
    "affil|institute|IEEEauthorblockA|IEEEmembership|IEEEauthorrefmark|textsuperscript|"
    "altaffiliation|corref|fnref|thanksref|cortext|url|href|homepage|authornote|authorinfo"
)
_DROP = re.compile(r"\\(" + _NOT_NAMES + r")\*?\s*(\[[^\]]*\])?\s*")
_MATH = re.compile(r"\$[^$]*\$")
_MARKED_LINE = re.compile(r"\s*(\$\s*\^|\\textsuperscript\b)")
_SEPARATORS = re.compile(r"\\(and|AND|And|newauthor|quad|qquad)\b|\\\\(\[[^\]]*\])?|\\newline\b")


def _groups(pattern: re.Pattern[str], text: str) -> list[str]:
    """The ``{...}`` argument of every match of ``pattern`` (an optional ``[...]`` skipped)."""
    out = []
    for m in pattern.finditer(text):
        i = m.end()
        opt = read_optional(text, i)
        if opt is not None:
            i = opt[1]
        grp = read_group(text, i)
        if grp is not None:
            out.append(grp[0])
    return out


def _drop_commands(text: str, mark: str = ", ") -> str:
    """Remove the non-name commands of an author field together with their argument."""
    while True:
        m = _DROP.search(text)
        if m is None:
            return text
        grp = read_group(text, m.end())
        end = grp[1] if grp is not None else m.end()
        text = text[: m.start()] + mark + text[end:]


def _plain(latex: str) -> str:
    return clean_text(latex_to_text(latex.replace("\\\\", " ")))


def tex_title(text: str) -> str | None:
    """The first ``\\title`` (footnotes dropped); without one, a leading ``\\chapter`` (a
    chapter of an edited volume is titled by it)."""
    titles = _groups(_TITLE, text)
    if not titles:
        first = _CHAPTER.search(text)
        if first is None or first.group(1) != "chapter":
            return None
        titles = _groups(_CHAPTER, text[first.start() :])[:1]
    for raw in titles:
        title = _plain(_drop_commands(raw, ""))
        if title:
            return title
    return None


def tex_authors(text: str) -> list[str]:
    """Personal names from every ``\\author`` of the front matter, in order."""
    names: list[str] = []
    for raw in _groups(_AUTHOR, text):
        # imsart: \fnms{Bo} \snm{Ning} is one name.
        raw = re.sub(r"\\(fnms|snm)\s*\{([^{}]*)\}", r"\2", raw)
        raw = re.sub(r"\\IEEEauthorblockN\s*", "", raw)
        if is_anonymous(_plain(_MATH.sub(",", raw))):
            return []
        for chunk in _SEPARATORS.split(raw):
            if not chunk or chunk.startswith("[") or _MARKED_LINE.match(chunk):
                continue  # a line led by a mark ($^{3}$Department ...) is an affiliation
            for name in split_names(_plain(_MATH.sub(",", _drop_commands(chunk)))):
                if name not in names:
                    names.append(name)
    return names


def read_tex_meta(preamble: str, body: str) -> PaperMeta:
    """Title, authors, year, abstract, arXiv id and DOI of an expanded LaTeX document.

    Args:
        preamble: the text before ``\\begin{document}``, macros expanded.
        body: the document body, macros expanded.

    Returns:
        The fields the source states; the year only from a ``\\date`` that prints one
        (``\\today`` says when it was built, not written) or, without one, from a class's
        year command (``\\acmYear``, ``\\copyrightyear``, ``\\pubyear``), never
        from the bibliography (a ``.bib`` holds the cited papers' years, not this one's).
    """
    # The front matter sits before the first section; \author and \title may be on
    # either side of \begin{document}.
    section = re.search(r"\\section\*?\s*[\[{]", body)
    front = strip_comments(preamble + "\n" + body[: section.start() if section else 20000])
    meta = PaperMeta(title=tex_title(front), authors=tex_authors(front))
    dates = _groups(_DATE, front)
    meta.year = find_year(dates[0]) if dates else None
    if meta.year is None:
        meta.year = next(filter(None, map(find_year, _groups(_YEAR_CMD, front))), None)
    abstract = _ABSTRACT_ENV.search(front) or _ABSTRACT_ENV.search(body)
    raw = abstract.group(1) if abstract else next(iter(_groups(_ABSTRACT_CMD, front)), None)
    if raw:
        meta.abstract = clean_text(latex_to_text(raw))[:3000] or None
    dois = _groups(_DOI_CMD, front)
    meta.doi = (find_doi("doi:" + dois[0]) if dois else None) or find_doi(latex_to_text(front))
    meta.arxiv_id = find_arxiv_id(front)
    return meta
