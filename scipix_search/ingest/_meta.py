"""Paper metadata shared by the PDF and LaTeX readers: names, identifiers, title keys.

What a paper says about itself (title, authors, year, abstract, arXiv id, DOI) is read from
its first page's typography (``pdf/_meta.py``) or its ``\\title``/``\\author``/``\\date``
(``latex/_meta.py``); this module holds what both need: telling a personal name from an
affiliation, finding identifiers in text, and the key two builds of one paper share.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

#: New-style (``2101.01234v2``) and old-style (``hep-th/9901001``) arXiv identifiers.
ARXIV_ID = re.compile(
    r"\barXiv:\s*(\d{4}\.\d{4,5}(?:v\d+)?|[a-z-]+(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)", re.I
)
#: A DOI (Crossref's recommended pattern), ended before trailing punctuation.
DOI = re.compile(r"\b(10\.\d{4,9}/[-._;()/:A-Za-z0-9]+[A-Za-z0-9])")
_DOI_LABEL = re.compile(r"(doi\s*[:.]?\s*|doi\.org/)$", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")

# Words that make a comma-separated part of an author line an affiliation or an address.
_AFFILIATION_WORDS = frozenset(
    """university universit universidad universidade università université universität
    department dept institute institut instituto istituto school college laboratory lab
    laboratories center centre faculty departamento departament département fisica física
    observatorio edificio district academy division group inc ltd llc corporation corp
    company research hospital foundation observatory agency program programme unit
    street st road rd avenue ave boulevard building hall box campus floor suite usa uk
    email e-mail mail correspondence corresponding contribution equal author authors
    anonymous anonymised anonymized submission submitted paper under review preprint
    abstract keywords introduction received accepted published draft version dated""".split()
)
_PARTICLES = frozenset(
    "van von der den de del della di da du dos das le la y bin ibn al el ter ten zu af".split()
)
_MARKERS = re.compile(r"[∗*†‡§¶⋆♯♭♮#✉]+|\(\s*\d+\s*\)")
_CHUNKS = re.compile(r"\s*(?:,|;|\n|\s{3,})\s*")
_AND = re.compile(r"\s*(?:\band\b|&)\s*", re.I)
_NAME_WORD = re.compile(
    r"^(?:[A-Z\u00c0-\u024f][\w'’\u00c0-\u024f-]*\.?|[A-Z]\.(?:-?[A-Z]\.)*)$", re.UNICODE
)
_ANONYMOUS = re.compile(r"\banonym|\bauthor(s|\s+list)?\b|\bblind(ed)?\b", re.I)
# Spacing accents that TeX's Computer Modern fonts draw as their own glyph before a letter.
_SPACING_ACCENTS = {
    "¨": "\u0308",
    "´": "\u0301",
    "`": "\u0300",
    "ˆ": "\u0302",
    "^": "\u0302",
    "˜": "\u0303",
    "¸": "\u0327",
    "ˇ": "\u030c",
    "˚": "\u030a",
    "¯": "\u0304",
}
# TeX accents an i by putting the accent over a dotless ı (\'\i): "Mart´ınez" is "Martínez".
_ACCENT_BEFORE = re.compile("([" + "".join(_SPACING_ACCENTS) + r"])\s?([A-Za-zı])")
_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
)


@dataclass(slots=True)
class PaperMeta:
    """What a paper says about itself; every field may be missing."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    abstract: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None


def clean_text(text: str) -> str:
    """Ligatures split, spacing accents (``Gr¨uneisen``) joined to their letter, spaces squeezed."""
    text = text.translate(_LIGATURES)
    text = _ACCENT_BEFORE.sub(
        lambda m: m.group(2).replace("ı", "i") + _SPACING_ACCENTS[m.group(1)], text
    )
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


def title_key(title: str | None) -> str:
    """Lower-case letters and digits of a title, accents dropped: equal for two builds of it."""
    if not title:
        return ""
    text = unicodedata.normalize("NFKD", clean_text(title))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def surname_key(name: str) -> str:
    """The last word of a name, accents dropped, lower case (``Wo´zniak`` ~ ``Wozniak``)."""
    words = title_key(name).split()
    return words[-1] if words else ""


def is_anonymous(text: str) -> bool:
    """An author line of a blind submission (``Anonymous authors``, ``Author list (anonymised)``)."""
    return bool(_ANONYMOUS.search(text))


def is_name(part: str) -> bool:
    """A personal name: 2 to 6 words, each capitalised, an initial or a particle, no digit,
    no affiliation word (``Department``, ``University`` ...)."""
    words = part.split()
    if not 2 <= len(words) <= 6 or any(ch.isdigit() for ch in part):
        return False
    if any(w.lower().strip(".,") in _AFFILIATION_WORDS for w in words):
        return False
    if "@" in part or "/" in part or ":" in part:
        return False
    capitalised = 0
    for word in words:
        if word.lower() in _PARTICLES:
            continue
        if not _NAME_WORD.match(word):
            return False
        capitalised += 1
    return capitalised >= 2 or (capitalised == 1 and len(words) >= 2)


def split_names(text: str) -> list[str]:
    """The personal names in an author line (markers and footnote symbols dropped).

    ``"Arjun Sharma∗, Mohit Sharma∗ and Kris M. Kitani"`` gives three names; parts that are
    affiliations, addresses or e-mails are left out, so a line mixing a name and its
    institution (``ANDRÁS KOVÁCS, Eötvös Loránd University, Hungary``) gives the name.
    """
    text = clean_text(_MARKERS.sub(",", text))
    names: list[str] = []
    chunks = [c for c in _CHUNKS.split(text) if c.strip(" .,;:")]
    if chunks and not any(is_name(p.strip(" .,;:")) for p in _AND.split(chunks[0])):
        return names  # a line that starts with an institution or an address is one
    for chunk in chunks:
        # "Department of Electrical and Systems Engineering" is one affiliation, not two
        # names: a chunk naming an institution is dropped before splitting at "and".
        if any(w.lower().strip(".,()") in _AFFILIATION_WORDS for w in chunk.split()):
            continue
        for part in _AND.split(chunk):
            part = part.strip(" .,;:")
            if is_name(part):
                names.append(_name_case(part))
    return names


def _name_case(name: str) -> str:
    """``ANDRÁS KOVÁCS`` as ``András Kovács`` (acmart and amsart print names in capitals)."""
    if name.upper() != name:
        return name
    return " ".join(w if len(w.rstrip(".")) <= 1 else w.capitalize() for w in name.split())


def find_arxiv_id(text: str) -> str | None:
    m = ARXIV_ID.search(text)
    return m.group(1) if m else None


def find_doi(text: str) -> str | None:
    """A DOI written as one (``doi:10...``, ``https://doi.org/10...``), not one a citation
    merely mentions in running text."""
    for m in DOI.finditer(text):
        if _DOI_LABEL.search(text[max(0, m.start() - 16) : m.start()]):
            return m.group(1).rstrip(".")
    return None


def find_year(text: str) -> int | None:
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


def year_of_arxiv_id(arxiv_id: str | None) -> int | None:
    """``1901.01234`` was submitted in 2019 (new-style ids start with YYMM, since 2007)."""
    if not arxiv_id:
        return None
    m = re.match(r"(\d\d)(\d\d)\.", arxiv_id) or re.search(r"/(\d\d)(\d\d)\d{3}", arxiv_id)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    yy = int(m.group(1))
    return 2000 + yy if yy < 90 else 1900 + yy
