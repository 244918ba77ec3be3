"""The paper columns a search result shows, as the store reads them.

Its own module, free of SQLAlchemy: ``search.PaperInfo`` extends it, and a CLI query answered
by a running ``serve`` builds those from the server's JSON without loading the store.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PaperFields:
    """The paper columns a result shows besides its title and source (``repo.paper_fields``)."""

    title: str | None
    authors: list[str]
    year: int | None
    arxiv_id: str | None
    doi: str | None
