"""Decoding logic with a scripted step function (no model)."""

from __future__ import annotations

import numpy as np

from scipix_search.ocr._decode import (
    Hypothesis,
    beam_search,
    find_loop,
    greedy,
    score_jointly,
    score_sequences,
)

BOS, EOS, VOCAB = 1, 2, 10


def scripted(sequences: list[list[int]]):
    """A step function that makes row ``r`` emit ``sequences[r]`` then EOS, confidently."""

    def step(tokens: np.ndarray, position: int, past: list[np.ndarray]):
        logits = np.full((tokens.shape[0], VOCAB), -10.0)
        for row in range(tokens.shape[0]):
            seq = sequences[row % len(sequences)]
            logits[row, seq[position] if position < len(seq) else EOS] = 0.0
        logprobs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        grown = [np.concatenate([p, np.zeros((tokens.shape[0], 1, 1, 1))], axis=2) for p in past]
        return logprobs, grown

    return step


def empty(batch: int) -> list[np.ndarray]:
    return [np.zeros((batch, 1, 0, 1))]


def test_find_loop_detects_long_repetition() -> None:
    ids = [5, 6] + [7, 8, 9] * 12
    keep = find_loop(ids)
    assert keep is not None and ids[:keep] == [5, 6, 7, 8, 9]


def test_find_loop_allows_short_repeats() -> None:
    assert find_loop([3, 4, 4, 4, 5]) is None
    assert find_loop([4] * 10) is None


def test_greedy_batches_rows_of_different_lengths() -> None:
    hyps = greedy(scripted([[5, 6, 7], [8]]), 2, bos=BOS, eos=EOS, max_len=20, init_past=empty(2))
    assert [h.ids for h in hyps] == [[5, 6, 7], [8]]
    assert all(h.finished and h.confidence > 0.99 for h in hyps)


def test_greedy_stops_loops() -> None:
    looping = [5] + [6, 7] * 100
    hyp = greedy(scripted([looping]), 1, bos=BOS, eos=EOS, max_len=150, init_past=empty(1))[0]
    assert hyp.looped and hyp.ids[:3] == [5, 6, 7] and len(hyp.ids) <= 4
    assert hyp.confidence <= 0.5


def test_greedy_max_len_is_unfinished() -> None:
    hyp = greedy(
        scripted([[5, 6, 7, 8, 9, 5, 6]]), 1, bos=BOS, eos=EOS, max_len=3, init_past=empty(1)
    )[0]
    assert not hyp.finished and len(hyp.ids) == 3 and hyp.confidence < 0.6


def test_beam_search_matches_greedy_on_confident_model() -> None:
    calls = []
    hyp = beam_search(
        scripted([[5, 6, 7]]),
        bos=BOS,
        eos=EOS,
        max_len=20,
        init_past=empty,
        expand=lambda index: calls.append(len(index)),
        beam_size=3,
    )
    assert hyp.ids == [5, 6, 7] and hyp.finished
    assert calls and max(calls) <= 3


def test_hypothesis_confidence_range() -> None:
    assert Hypothesis([], 0.0, finished=True).confidence == 1.0
    assert 0 < Hypothesis([3, 4], -3.0, finished=True).confidence < 1


def test_score_sequences_matches_greedy_logprob() -> None:
    step = scripted([[5, 6, 7], [8]])
    hyps = greedy(step, 2, bos=BOS, eos=EOS, max_len=20, init_past=empty(2))
    scores = score_sequences(step, [h.ids for h in hyps], bos=BOS, eos=EOS, init_past=empty(2))
    assert np.allclose(scores, [h.logprob for h in hyps])


def test_score_sequences_penalises_what_the_model_would_not_say() -> None:
    # Row r of the scripted model expects sequence r; each unexpected token costs about 10 nats,
    # and padding after a short sequence's EOS is not counted.
    step = scripted([[5, 6, 7], [5, 6, 7], [5, 6, 7]])
    right, one_off, short = score_sequences(
        step, [[5, 6, 7], [5, 9, 7], [5]], bos=BOS, eos=EOS, init_past=empty(3)
    )
    assert right > -0.01
    assert -11 < one_off < -9
    assert -11 < short < -9


def _counting(step, calls: list[int]):  # type: ignore[no-untyped-def]
    def counted(tokens: np.ndarray, position: int, past: list[np.ndarray]):  # type: ignore[no-untyped-def]
        calls.append(position)
        return step(tokens, position, past)

    return counted


def test_joint_scores_are_the_summed_scores_of_each_encoding() -> None:
    # two "encodings" that expect different sequences; every candidate can still win
    first, second = scripted([[5, 6, 7]] * 3), scripted([[5, 9, 7]] * 3)
    candidates = [[5, 6, 7], [5, 9, 7], [5, 6, 9]]
    apart = [
        score_sequences(s, candidates, bos=BOS, eos=EOS, init_past=empty(3))
        for s in (first, second)
    ]
    joint = score_jointly([first, second], candidates, bos=BOS, eos=EOS, init_past=empty(3))
    assert joint == np.sum(apart, axis=0).tolist()  # the same floats, summed in the same order


def test_joint_scoring_stops_once_unfinished_candidates_cannot_win() -> None:
    # a short read both encodings agree on, and a long one (a read that looped) they reject
    looped = [5, 6] * 20
    steps = [scripted([[5, 6, 7], [5, 6, 7]]), scripted([[5, 6, 7], [5, 6, 7]])]
    calls: list[int] = []
    counted = [_counting(s, calls) for s in steps]
    joint = score_jointly(counted, [[5, 6, 7], looped], bos=BOS, eos=EOS, init_past=empty(2))
    full = np.sum(
        [
            score_sequences(s, [[5, 6, 7], looped], bos=BOS, eos=EOS, init_past=empty(2))
            for s in steps
        ],
        axis=0,
    )
    assert joint[0] == full[0] and int(np.argmax(joint)) == int(np.argmax(full)) == 0
    assert joint[1] == -np.inf
    assert max(calls) < len(looped) // 4  # stopped a few steps after the short read ended
