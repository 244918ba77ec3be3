"""Search stage: query -> candidates (FAISS, full text) -> fusion / rerank -> hydrated hits."""

from scipix_search.search._hits import Hit, reciprocal_rank_fusion
from scipix_search.search._passages import PassageSearcher

__all__ = ["Hit", "PassageSearcher", "reciprocal_rank_fusion"]
