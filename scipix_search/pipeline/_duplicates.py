"""Near-duplicate documents: the same paper built twice is stored once.

An arXiv source folder often holds two builds of one paper (``main.pdf`` and the
conference template's ``iclr2019_conference.pdf``); a library gets a preprint and its
revision. Indexing both would answer every query twice. Two documents are the same paper
when their titles are equal after :func:`~scipix_search.ingest.title_key` (case, accents,
punctuation and spacing ignored; at least 4 words and 20 characters, so "Introduction" or a
file name never matches) and their author lists share at least half of the shorter one's
surnames, or one of them has none (an anonymous submission build). The later one is stored
as a row naming the first in ``duplicate_of``, with its pages and original but without
passages or equations, so it is in no index and never in results; the first is what
search shows. Chosen over passage overlap because it needs no vectors: the check runs
before the embedding step, which a duplicate then skips.
"""

from __future__ import annotations

import re

from scipix_search.ingest import ParsedDocument, surname_key, title_key
from scipix_search.store import Store, repo

_MIN_WORDS, _MIN_CHARS = 4, 20


def same_authors(first: list[str], second: list[str]) -> bool:
    """Whether two author lists name the same people (either empty: nothing contradicts)."""
    if not first or not second:
        return True
    a = {surname_key(n) for n in first}
    b = {surname_key(n) for n in second}
    return 2 * len(a & b) >= min(len(a), len(b))


def find_original(store: Store, parsed: ParsedDocument) -> int | None:
    """The stored document ``parsed`` is another build of, or None."""
    if parsed.kind not in ("pdf", "tex"):
        return None
    key = title_key(parsed.title)
    if len(key.split()) < _MIN_WORDS or len(key) < _MIN_CHARS:
        return None
    # A plain word of the stored title for the database to pre-filter by; the full key
    # (accents and punctuation dropped) is compared here.
    words = [w for w in re.findall(r"[A-Za-z0-9]+", parsed.title or "") if w.isascii()]
    if not words:
        return None
    with store.session() as session:
        for document in repo.documents_titled_like(session=session, word=max(words, key=len)):
            if title_key(document.title) == key and same_authors(
                parsed.authors, document.author_list
            ):
                return document.id
    return None
