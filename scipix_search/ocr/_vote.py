"""The scale vote: reads of one crop at neighbouring scales, and which one is kept."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scipix_search.ocr._decode import Hypothesis

#: Scales, relative to the first guess, read by scale voting (``scale_votes=3``). The model is
#: sharp about scale: on im2latex dev, x0.9 and x1.1 of the best fixed scale each read fewer
#: formulas exactly, but a majority of the three reads more than any one of them.
VOTE_FACTORS = (1.0, 0.9, 1.1)

#: Log-probability of each candidate token sequence summed over several encodings of one image
#: (``-inf`` allowed for a candidate that cannot have the highest sum).
JointLikelihoods = Callable[[Sequence[list[np.ndarray]], Sequence[list[int]]], list[float]]

#: Whether a crop's first read (the image's index, its LaTeX) is kept without a vote.
Settled = Callable[[int, str], bool]

#: Whether the caller keeps none of a crop's reads (the image's index, each read's LaTeX as
#: ``LatexRecognizer.batch`` would return it): then which one the vote elects is moot.
Moot = Callable[[int, list[str]], bool]


@dataclass
class Read:
    """One read of a crop at one scale, kept for the scale vote."""

    hyp: Hypothesis
    scale: float
    key: tuple[str, ...]  # the LaTeX tokens the vote compares
    cross: list[np.ndarray]  # the encoding, to score other reads' candidates under it
    latex: str = ""  # the read's cleaned LaTeX


def elect(
    options: list[Read], likelihoods: JointLikelihoods, moot: Callable[[], bool] | None = None
) -> tuple[Hypothesis, float, dict[str, Any]]:
    """The majority reading; when every read differs, the one the scales jointly find likeliest.

    Scoring each candidate under every read's encoding and summing the log-probabilities
    pools the scales' evidence (a product of experts). On the full im2latex dev set the
    vote needs it for about one formula in six, where it read 6 more formulas exactly than
    the most confident read did.

    Args:
        options: The reads of one crop, the first scale first.
        likelihoods: Scores candidates jointly under every read's encoding
            (``LatexRecognizer.joint_likelihoods``).
        moot: Asked only where the likelihoods would decide (every read differs): True when
            the caller will discard whichever read wins, so the scoring (most of a split
            vote's time) is skipped and the most confident read kept (``moot`` in the info).

    Returns:
        The kept hypothesis, its scale, and what the vote saw (``reads``, ``votes`` and, when
        the likelihoods decided, ``joint_logprob``).
    """
    votes = Counter(r.key for r in options)
    top = max(votes.values())
    info: dict[str, Any] = {"reads": len(options), "votes": top}
    if top > 1 or len(options) < 3:
        best = max(options, key=lambda r: (votes[r.key], r.hyp.confidence))
        return best.hyp, best.scale, info
    if moot is not None and moot():
        best = max(options, key=lambda r: r.hyp.confidence)
        info["moot"] = True
        return best.hyp, best.scale, info
    candidates = [r.hyp.ids for r in options]
    joint = np.asarray(likelihoods([r.cross for r in options], candidates))
    best = options[int(np.argmax(joint))]
    info["joint_logprob"] = round(float(np.max(joint)), 3)
    return best.hyp, best.scale, info
