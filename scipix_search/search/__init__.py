"""Search stage: query -> candidates (FAISS, full text) -> fusion / rerank -> hydrated hits."""

from scipix_search.search._equations import DocumentHit, EquationSearcher
from scipix_search.search._hits import Hit, reciprocal_rank_fusion
from scipix_search.search._passages import PassageSearcher

__all__ = [
    "DocumentHit",
    "EquationSearcher",
    "Hit",
    "PassageSearcher",
    "reciprocal_rank_fusion",
]
