"""The math stage: one canonical form, layout trees, structural similarity and metrics.

Stored formulas and queries go through the same tokenizer (:func:`tokenize`) and canonical
form (:func:`normalize` returns canonical tokens, :func:`canonical_latex` the space-separated
string), so they compare token by token with each other and with im2latex data.
"""

from scipix_search.math._asciimath import latex_to_asciimath
from scipix_search.math._features import ANY, Formula, parse_formula, symbol_pairs
from scipix_search.math._mathml import to_mathml, try_mathml
from scipix_search.math._metrics import (
    as_tokens,
    bleu4,
    corpus_bleu4,
    levenshtein,
    token_similarity,
)
from scipix_search.math._normalize import canonical_latex, normalize, rename_variables
from scipix_search.math._repair import repair_latex
from scipix_search.math._similarity import UNIFIED_WEIGHT, structural_similarity
from scipix_search.math._subformula import (
    SubFormula,
    best_subformula,
    containment,
    match_scores,
    scores_from_matches,
    subformula_parts,
)
from scipix_search.math._tables import FUNCTIONS as FUNCTION_NAMES
from scipix_search.math._tokenize import lex, tokenize
from scipix_search.math._tree import (
    RELATIONS,
    WILDCARD_PREFIX,
    SLTNode,
    build_slt,
    symbol_label,
    unify,
)

__all__ = [
    "UNIFIED_WEIGHT",
    "ANY",
    "FUNCTION_NAMES",
    "RELATIONS",
    "WILDCARD_PREFIX",
    "Formula",
    "SLTNode",
    "SubFormula",
    "as_tokens",
    "best_subformula",
    "bleu4",
    "build_slt",
    "canonical_latex",
    "containment",
    "corpus_bleu4",
    "latex_to_asciimath",
    "levenshtein",
    "match_scores",
    "scores_from_matches",
    "normalize",
    "parse_formula",
    "rename_variables",
    "repair_latex",
    "structural_similarity",
    "subformula_parts",
    "symbol_label",
    "symbol_pairs",
    "to_mathml",
    "token_similarity",
    "lex",
    "tokenize",
    "try_mathml",
    "unify",
]
