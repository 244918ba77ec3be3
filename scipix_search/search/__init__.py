"""Search stage: query -> candidates (FAISS, full text) -> fusion / rerank -> hydrated hits.

The names are imported on first use (``scipix_search._lazy``): a CLI query answered by a
running ``serve`` needs :class:`Hit` and :class:`PaperInfo` only, not FAISS, NumPy or SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scipix_search._lazy import lazy_exports

if TYPE_CHECKING:
    from scipix_search.search._context import (
        PlacedPassage,
        context_sentence,
        equation_contexts,
        introducing_passage,
        last_sentence,
    )
    from scipix_search.search._equations import DocumentHit, EquationSearcher
    from scipix_search.search._filters import (
        FilteredSearcher,
        PaperFilter,
        allowed_documents,
        paper_conditions,
        paper_info,
        parse_filters,
        parse_year,
    )
    from scipix_search.search._hits import (
        Hit,
        PaperInfo,
        Ranked,
        Ranking,
        reciprocal_rank_fusion,
    )
    from scipix_search.search._image_query import ImageQuery, equation_region, read_query_image
    from scipix_search.search._mixed import MixedDocumentHit, MixedQuery, search_mixed, split_query
    from scipix_search.search._passages import PassageSearcher
    from scipix_search.search._rerank import (
        STRUCTURE_WEIGHT,
        SUBFORMULA_WEIGHT,
        candidate_structure,
        rerank,
        rerank_score,
        rerank_structures,
        structure_score,
    )
    from scipix_search.search._scores import (
        CLOSE_MATCH,
        EQUATION_CALIBRATION,
        PASSAGE_CALIBRATION,
        Calibration,
        fit_calibration,
    )
    from scipix_search.search._tuple_file import (
        TupleRows,
        heal_tuple_rows,
        load_tuple_index,
        save_tuple_index,
        stored_tuple_index,
    )
    from scipix_search.search._tuples import COMMON_SHARE, TupleIndex, tuple_keys

# Each public name and the module that defines it (the imports above, for type checkers).
__getattr__ = lazy_exports(
    __name__,
    {
        "scipix_search.search._context": (
            "PlacedPassage",
            "context_sentence",
            "equation_contexts",
            "introducing_passage",
            "last_sentence",
        ),
        "scipix_search.search._equations": (
            "DocumentHit",
            "EquationSearcher",
        ),
        "scipix_search.search._filters": (
            "FilteredSearcher",
            "PaperFilter",
            "allowed_documents",
            "paper_conditions",
            "paper_info",
            "parse_filters",
            "parse_year",
        ),
        "scipix_search.search._hits": (
            "Hit",
            "PaperInfo",
            "Ranked",
            "Ranking",
            "reciprocal_rank_fusion",
        ),
        "scipix_search.search._image_query": (
            "ImageQuery",
            "equation_region",
            "read_query_image",
        ),
        "scipix_search.search._mixed": (
            "MixedDocumentHit",
            "MixedQuery",
            "search_mixed",
            "split_query",
        ),
        "scipix_search.search._passages": ("PassageSearcher",),
        "scipix_search.search._rerank": (
            "STRUCTURE_WEIGHT",
            "SUBFORMULA_WEIGHT",
            "candidate_structure",
            "rerank",
            "rerank_structures",
            "rerank_score",
            "structure_score",
        ),
        "scipix_search.search._scores": (
            "CLOSE_MATCH",
            "EQUATION_CALIBRATION",
            "PASSAGE_CALIBRATION",
            "Calibration",
            "fit_calibration",
        ),
        "scipix_search.search._tuple_file": (
            "TupleRows",
            "heal_tuple_rows",
            "load_tuple_index",
            "save_tuple_index",
            "stored_tuple_index",
        ),
        "scipix_search.search._tuples": ("COMMON_SHARE", "TupleIndex", "tuple_keys"),
    },
)

__all__ = [
    "CLOSE_MATCH",
    "COMMON_SHARE",
    "EQUATION_CALIBRATION",
    "PASSAGE_CALIBRATION",
    "STRUCTURE_WEIGHT",
    "SUBFORMULA_WEIGHT",
    "Calibration",
    "DocumentHit",
    "EquationSearcher",
    "FilteredSearcher",
    "Hit",
    "ImageQuery",
    "MixedDocumentHit",
    "MixedQuery",
    "PaperFilter",
    "PaperInfo",
    "PassageSearcher",
    "PlacedPassage",
    "Ranked",
    "Ranking",
    "TupleIndex",
    "TupleRows",
    "allowed_documents",
    "candidate_structure",
    "context_sentence",
    "equation_contexts",
    "equation_region",
    "fit_calibration",
    "heal_tuple_rows",
    "introducing_passage",
    "paper_conditions",
    "paper_info",
    "parse_filters",
    "parse_year",
    "last_sentence",
    "load_tuple_index",
    "read_query_image",
    "reciprocal_rank_fusion",
    "rerank",
    "rerank_score",
    "rerank_structures",
    "save_tuple_index",
    "search_mixed",
    "split_query",
    "stored_tuple_index",
    "structure_score",
    "tuple_keys",
]
