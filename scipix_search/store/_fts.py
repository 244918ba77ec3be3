"""Keyword search over passages (:func:`fulltext_passages`, split out of ``store/repo.py``,
which re-exports it) and which query words SQLite's scores: the rarest, within a postings
budget.

FTS5 ranks an OR query by ``bm25`` over every row holding any of its words, so its cost is the
sum of their posting lists: at 1M passages a few common words (``model``: 63k rows) made it
105 ms p50 (docs/ARCHITECTURE.md, "Measured at 1M"). Rare words carry most of bm25's weight
(its idf), so the words are taken rarest first while their postings fit ``POSTINGS_BUDGET``; the
rarest one is always kept. A store whose query words hold fewer postings than the budget in
all (every store in the tests, a paper collection of some thousands of passages) searches all
of them, as before.

Document counts come from ``fts5vocab`` over the passages index, per stem: the query's words
are stemmed by a temporary FTS5 table with the same tokenizer (``porter unicode61``), one row a
word, read back through its own ``fts5vocab`` instance table. Counts are cached per process:
they only steer the choice, and a count that is stale by some inserts steers it alike
(kept per database).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

#: Postings the chosen words may hold together (about 15 ms of FTS5 ranking on this VM).
POSTINGS_BUDGET = 20_000
_CACHE_LIMIT = 200_000
#: Document counts by (database, stem): two stores in one process (tests, an API beside a
#: CLI) must not steer each other's choice.
_counts: dict[tuple[str, str], int] = {}

_SETUP = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.scipix_query_words "
    "USING fts5(word, tokenize='porter unicode61')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.scipix_query_stems "
    "USING fts5vocab(temp, scipix_query_words, instance)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.scipix_passage_stems "
    "USING fts5vocab(main, passages_fts, row)",
)


def _stems(session: Session, words: list[str]) -> dict[int, str]:
    """The FTS5 stem of each word, by the word's position."""
    for statement in _SETUP:
        session.execute(text(statement))
    session.execute(text("DELETE FROM temp.scipix_query_words"))
    session.execute(
        text("INSERT INTO temp.scipix_query_words(rowid, word) VALUES (:i, :w)"),
        [{"i": i, "w": word} for i, word in enumerate(words)],
    )
    rows = session.execute(text("SELECT doc, term FROM temp.scipix_query_stems")).all()
    session.execute(text("DELETE FROM temp.scipix_query_words"))
    return {int(doc): str(term) for doc, term in rows}


def _count(session: Session, stem: str) -> int:
    key = (str(session.get_bind().engine.url), stem)
    if key not in _counts:
        if len(_counts) >= _CACHE_LIMIT:
            _counts.clear()
        row = session.execute(
            text("SELECT doc FROM temp.scipix_passage_stems WHERE term = :t"), {"t": stem}
        ).first()
        _counts[key] = int(row[0]) if row else 0
    return _counts[key]


def rarest_words(session: Session, words: list[str], budget: int = POSTINGS_BUDGET) -> list[str]:
    """``words`` (in query order) whose postings fit ``budget``, rarest first; all of them
    when they fit together. Words no passage holds cost nothing and are kept."""
    if len(words) <= 1:
        return words
    stems = _stems(session, words)
    counts = {i: _count(session, stems[i]) if i in stems else 0 for i in range(len(words))}
    if sum(counts.values()) <= budget:
        return words
    kept: list[int] = []
    spent = 0
    for i in sorted(counts, key=lambda i: (counts[i], i)):
        if kept and spent + counts[i] > budget:
            continue
        kept.append(i)
        spent += counts[i]
    logger.debug("keyword search scores %d of %d words (%d postings)", len(kept), len(words), spent)
    return [words[i] for i in sorted(kept)]


_FTS_WORD = re.compile(r"\w+", re.UNICODE)
# Words that match nearly every passage: they slow keyword search down and add nothing to bm25.
_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was "
    "were which with we our can not but also these those their there been into than then".split()
)
_MAX_TERMS = 16


def fulltext_passages(*, session: Session, query: str, limit: int) -> list[tuple[int, float]]:
    """Keyword search over passages: SQLite FTS5 (bm25) or PostgreSQL full text (ts_rank).

    Returns ``(passage id, score)`` best first; any word may match (OR), ranking rewards more.
    On SQLite a large store scores the query's rarest words only (``_fts.rarest_words``).
    """
    words = list(dict.fromkeys(w for w in _FTS_WORD.findall(query) if w.lower() not in _STOPWORDS))
    words = words[:_MAX_TERMS]
    if not words:
        return []
    if session.get_bind().dialect.name == "sqlite":
        # the rarest words within a postings budget: bm25 over common words' rows is the cost
        match = " OR ".join(f'"{w}"' for w in rarest_words(session, words))
        rows = session.execute(
            text(
                "SELECT rowid, bm25(passages_fts) AS rank FROM passages_fts "
                "WHERE passages_fts MATCH :q ORDER BY rank LIMIT :k"
            ),
            {"q": match, "k": limit},
        ).all()
        return [(int(r[0]), -float(r[1])) for r in rows]
    tsquery = " | ".join(w.replace("'", "") for w in words)
    rows = session.execute(
        text(
            "SELECT id, ts_rank(to_tsvector('english', text), q) AS rank "
            "FROM passages, to_tsquery('english', :q) q "
            "WHERE to_tsvector('english', text) @@ q ORDER BY rank DESC LIMIT :k"
        ),
        {"q": tsquery, "k": limit},
    ).all()
    return [(int(r[0]), float(r[1])) for r in rows]
