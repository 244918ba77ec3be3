"""Token-level metrics for evaluations: edit similarity and BLEU-4 on canonical tokens."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence

from scipix_search.exceptions import LatexParseError
from scipix_search.math._normalize import normalize
from scipix_search.math._tokenize import tokenize

logger = logging.getLogger(__name__)

Tokens = str | Sequence[str]


def as_tokens(latex: Tokens) -> list[str]:
    """Canonical tokens of a string, or a token sequence as given.

    A string that cannot be parsed (an OCR output, say) falls back to its raw tokens so that
    evaluations score it instead of failing.
    """
    if not isinstance(latex, str):
        return list(latex)
    try:
        return normalize(latex)
    except LatexParseError:
        logger.debug("unparseable LaTeX scored on raw tokens: %r", latex[:80])
        return tokenize(latex)


def levenshtein(a: Sequence[str], b: Sequence[str]) -> int:
    """Edit distance between two token sequences (insert, delete, substitute cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def token_similarity(a: Tokens, b: Tokens) -> float:
    """One minus the normalised edit distance of the canonical token sequences.

    Args:
        a: LaTeX string or token list.
        b: LaTeX string or token list.

    Returns:
        A value in [0, 1]; 1.0 for equal canonical forms (two empty ones included),
        e.g. ``token_similarity(r"\\dfrac12", r"\\frac{1}{2}") == 1.0``.
    """
    ta, tb = as_tokens(a), as_tokens(b)
    longest = max(len(ta), len(tb))
    if longest == 0:
        return 1.0
    return 1.0 - levenshtein(ta, tb) / longest


def _ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu4(references: Sequence[Tokens], hypotheses: Sequence[Tokens]) -> float:
    """Corpus BLEU-4 (uniform weights, brevity penalty) on canonical tokens, in [0, 1]."""
    if len(references) != len(hypotheses):
        raise ValueError("references and hypotheses differ in length")
    matches, totals = [0] * 4, [0] * 4
    ref_len = hyp_len = 0
    for ref, hyp in zip(references, hypotheses, strict=True):
        r, h = as_tokens(ref), as_tokens(hyp)
        ref_len += len(r)
        hyp_len += len(h)
        for n in range(1, 5):
            hn, rn = _ngrams(h, n), _ngrams(r, n)
            matches[n - 1] += sum(min(c, rn[g]) for g, c in hn.items())
            totals[n - 1] += max(len(h) - n + 1, 0)
    if hyp_len == 0:
        return 1.0 if ref_len == 0 else 0.0
    log_p = 0.0
    for n in range(4):
        # Add-one smoothing above unigrams (Lin & Och), so short formulas do not score 0.
        m, t = (matches[n], totals[n]) if n == 0 else (matches[n] + 1, totals[n] + 1)
        if m == 0 or t == 0:
            return 0.0
        log_p += math.log(m / t) / 4
    bp = 1.0 if hyp_len >= ref_len else math.exp(1 - ref_len / hyp_len)
    return bp * math.exp(log_p)


def bleu4(reference: Tokens, hypothesis: Tokens) -> float:
    """Sentence BLEU-4 of one hypothesis against one reference (smoothed), in [0, 1].

    Example: ``bleu4(r"\\frac{a}{b}", r"\\dfrac ab") == 1.0``.
    """
    return corpus_bleu4([reference], [hypothesis])
