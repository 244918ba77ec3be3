"""Which text blocks of a paper are prose: bibliography entries and figure text are not.

A reference list is full of topic words (every cited title), so a query about a topic no
paper is about was answered by bibliography lines; tick labels of a plot ("0.0 0.2 0.4 0.6")
are text too. Neither answers a question, so neither becomes a passage. Every block after the
paper's reference heading is bibliography, up to an appendix heading (an entry is often cut
into several blocks, some without a year); figure text is a block whose words are mostly
numbers.
"""

from __future__ import annotations

import re

_REFERENCES_HEADING = re.compile(
    r"^\s*(?:\d+\.?\s*|[IVX]+\.?\s*)?(references|bibliography|literature cited|works cited)"
    r"(?:\s+and\s+notes)?\s*:?\s*$",
    re.I,
)
# Headings that end a reference list (an appendix after it): short, no sentence end.
_AFTER_REFERENCES = re.compile(
    r"^\s*(?:appendix|appendices|supplementary|supplemental|[A-H]\.?\s+[A-Z][a-z]+[^,]{0,60}$)",
    re.I,
)
# An entry that says it is one: "[12] A. Author, ... 2019" (numbered lists without a heading,
# as revtex prints them).
_NUMBERED_ENTRY = re.compile(r"^\s*\[\d{1,3}\]\s")
_YEAR = re.compile(r"(?<!\d)(?:1[89]\d\d|20\d\d)[a-z]?(?!\d)")
_MARKERS = re.compile(
    r"^\s*\[\d+\]|^\s*\d{1,3}\.\s+[A-Z]|\bet al\b|\bdoi\b|\barxiv\b|\bproc(?:eedings|\.)|"
    r"\bvol\.|\bpp\.|\bjournal\b|\bj\.\s|\bpress\b|\bconference\b|\btrans\.|\brev\.|"
    r"\bin:\s|\bed(?:s|itors?)?\.|https?://",
    re.I,
)
_NUMBER = re.compile(r"^[−\-+]?\(?\d[\d.,]*\)?%?$")


def is_references_heading(text: str) -> bool:
    """Whether a block is the heading of a reference list ("References", "7 Bibliography")."""
    return bool(_REFERENCES_HEADING.match(text))


def ends_references(text: str) -> bool:
    """Whether a block is a heading that ends a reference list (an appendix)."""
    return (
        len(text) <= 80
        and not text.rstrip().endswith(".")
        and not _YEAR.search(text)
        and bool(_AFTER_REFERENCES.match(text))
    )


def is_reference_entry(text: str) -> bool:
    """Whether a block reads like a bibliography entry: a year and a bibliographic marker."""
    return bool(_YEAR.search(text)) and bool(_MARKERS.search(text))


def is_figure_text(text: str) -> bool:
    """Whether a block is figure text: at least half of its words are numbers (tick labels)."""
    words = text.split()
    return len(words) >= 3 and sum(bool(_NUMBER.match(w)) for w in words) >= 0.5 * len(words)


def prose_flags(texts: list[str]) -> list[str]:
    """The kind of each block of a document in reading order: ``prose``, ``reference``
    (an entry of the reference list) or ``figure`` (figure text)."""
    kinds: list[str] = []
    in_references = False
    for text in texts:
        if is_references_heading(text):
            in_references = True
            kinds.append("reference")
            continue
        if in_references and ends_references(text):
            in_references = False
        if in_references:
            # an entry is often cut into several blocks (a line with no year among them)
            kinds.append("reference")
        elif _NUMBERED_ENTRY.match(text) and is_reference_entry(text):
            kinds.append("reference")
        elif is_figure_text(text):
            kinds.append("figure")
        else:
            kinds.append("prose")
    return kinds
