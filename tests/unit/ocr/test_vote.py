"""The scale vote's election: majorities, the likelihoods of a split vote, and a moot one."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scipix_search.ocr._decode import Hypothesis
from scipix_search.ocr._vote import Read, elect


def _read(ids: list[int], confidence: float, scale: float) -> Read:
    steps = len(ids) + 1  # EOS counted
    hyp = Hypothesis(ids=ids, logprob=float(np.log(confidence)) * steps, finished=True)
    assert abs(hyp.confidence - confidence) < 1e-9
    return Read(hyp, scale, tuple(map(str, ids)), [np.full((1, 1), scale)], str(ids))


def _split() -> list[Read]:
    # three different reads, the most confident first; the scales' joint evidence favours
    # the third (its encoding's "scale" makes every candidate but its own unlikely)
    return [_read([1, 2], 0.9, 1.0), _read([1, 3], 0.8, 0.9), _read([4], 0.7, 1.1)]


def _likelihoods(calls: list[int]) -> object:
    def score(crosses: Sequence[list[np.ndarray]], candidates: Sequence[list[int]]) -> list[float]:
        calls.append(len(candidates))
        return [0.0 if c == [4] else -5.0 * len(crosses) for c in candidates]

    return score


def test_split_vote_is_decided_by_the_joint_likelihood() -> None:
    calls: list[int] = []
    hyp, scale, info = elect(_split(), _likelihoods(calls))  # type: ignore[arg-type]
    assert hyp.ids == [4] and scale == 1.1 and "joint_logprob" in info
    assert calls == [3]


def test_a_moot_split_vote_is_not_scored() -> None:
    calls: list[int] = []
    hyp, scale, info = elect(_split(), _likelihoods(calls), lambda: True)  # type: ignore[arg-type]
    assert calls == [] and info["moot"] is True
    assert hyp.ids == [1, 2] and scale == 1.0  # the most confident read, unscored
    # a vote the caller may keep is scored as before
    hyp, _, info = elect(_split(), _likelihoods(calls), lambda: False)  # type: ignore[arg-type]
    assert hyp.ids == [4] and "moot" not in info and calls == [3]


def test_moot_is_asked_only_where_the_likelihoods_would_decide() -> None:
    asked: list[bool] = []

    def moot() -> bool:
        asked.append(True)
        return True

    calls: list[int] = []
    majority = [_read([1, 2], 0.6, 1.0), _read([1, 3], 0.9, 0.9), _read([1, 2], 0.7, 1.1)]
    hyp, _, info = elect(majority, _likelihoods(calls), moot)  # type: ignore[arg-type]
    assert hyp.ids == [1, 2] and info["votes"] == 2
    assert asked == [] and calls == []
