"""Autoregressive decoding over a cached step function: greedy (batched) and beam search.

The step function hides the model: ``step(tokens, position, past) -> (logprobs, present)``,
with ``tokens`` of shape ``(B, 1)``, ``logprobs`` of shape ``(B, vocab)`` and the caches as
lists of arrays whose first axis is the batch. Cross-attention inputs are bound by the caller.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

# The caches are opaque to the decoders here: NumPy arrays, or ORT values kept on a device.
StepFn = Callable[[np.ndarray, int, list[Any]], tuple[np.ndarray, list[Any]]]

#: Confidence factor applied to a hypothesis cut short because it looped.
LOOP_PENALTY = 0.5


@dataclass
class Hypothesis:
    """One decoded sequence.

    Attributes:
        ids: Token ids without BOS and EOS.
        logprob: Sum of the log-probabilities of the chosen tokens (EOS included when reached).
        finished: Whether EOS was produced.
        looped: Whether decoding was stopped by the repetition-loop guard.
        min_logprob: The lowest log-probability of a chosen token: one doubtful symbol in a
            long formula hardly moves the mean, but shows here.
    """

    ids: list[int]
    logprob: float = 0.0
    finished: bool = False
    looped: bool = False
    min_logprob: float = 0.0

    @property
    def confidence(self) -> float:
        """Geometric-mean token probability, in ``[0, 1]``, penalised for loops and cut-offs."""
        steps = len(self.ids) + (1 if self.finished else 0)
        value = math.exp(self.logprob / max(steps, 1))
        if self.looped or not self.finished:
            value *= LOOP_PENALTY
        return value


def find_loop(
    ids: Sequence[int], *, min_repeats: int = 4, min_span: int = 24, max_period: int = 16
) -> int | None:
    """Detect a repetition loop at the end of ``ids``.

    A loop is a block of ``p <= max_period`` tokens repeated back to back at least
    ``min_repeats`` times and covering at least ``min_span`` tokens (``\\cdot \\cdot \\cdot``
    and ``. . .`` stay legal).

    Returns:
        The length to keep (everything before the second repetition), or ``None``.
    """
    n = len(ids)
    for period in range(1, max_period + 1):
        repeats = max(min_repeats, -(-min_span // period))
        span = period * repeats
        if span + period > n:
            continue
        if ids[-1] != ids[-1 - period] or ids[n - span] != ids[n - span + period]:
            continue  # cheap rejection: this runs at every decoding step
        tail = ids[n - span :]
        block = tail[-period:]
        if all(tail[i] == block[i % period] for i in range(span)):
            start = n - span
            # Walk back over earlier repetitions of the block to find where the loop began.
            while start - period >= 0 and list(ids[start - period : start]) == list(
                ids[start : start + period]
            ):
                start -= period
            return start + period
    return None


def greedy(
    step: StepFn,
    batch: int,
    *,
    bos: int,
    eos: int,
    max_len: int,
    init_past: list[np.ndarray],
) -> list[Hypothesis]:
    """Greedy decoding of ``batch`` sequences in lockstep.

    Finished rows keep being fed (their outputs are ignored) so that the cache stays aligned;
    decoding ends when every row has produced EOS, looped, or reached ``max_len``.

    Args:
        step: The cached step function.
        batch: Number of sequences.
        bos: Start token id.
        eos: End token id.
        max_len: Largest number of tokens to produce.
        init_past: Empty caches (``past`` axis of length 0) for ``batch`` rows.

    Returns:
        One hypothesis per row.
    """
    hyps = [Hypothesis([]) for _ in range(batch)]
    tokens = np.full((batch, 1), bos, dtype=np.int64)
    past = init_past
    active = np.ones(batch, dtype=bool)
    for position in range(max_len):
        logprobs, past = step(tokens, position, past)
        best = logprobs.argmax(axis=1)
        for row in np.flatnonzero(active):
            token = int(best[row])
            hyp = hyps[row]
            value = float(logprobs[row, token])
            hyp.logprob += value
            hyp.min_logprob = min(hyp.min_logprob, value)
            if token == eos:
                hyp.finished, active[row] = True, False
                continue
            hyp.ids.append(token)
            keep = find_loop(hyp.ids)
            if keep is not None:
                del hyp.ids[keep:]
                hyp.looped, active[row] = True, False
        if not active.any():
            break
        tokens = best[:, None].astype(np.int64)
    return hyps


def score_sequences(
    step: StepFn,
    sequences: Sequence[Sequence[int]],
    *,
    bos: int,
    eos: int,
    init_past: list[np.ndarray],
) -> list[float]:
    """Log-probability of each given sequence (EOS appended) under the model, teacher-forced.

    All sequences run in one batch; the shorter ones are padded with EOS, whose later
    log-probabilities are not counted. :func:`score_jointly` with one step function, scored
    to the end.

    Args:
        step: The cached step function; its batch is ``len(sequences)``.
        sequences: Token ids without BOS and EOS.
        bos: Start token id.
        eos: End token id.
        init_past: Empty caches for ``len(sequences)`` rows.

    Returns:
        One summed log-probability per sequence.
    """
    return score_jointly([step], sequences, bos=bos, eos=eos, init_past=init_past, stop_early=False)


#: Nats by which a candidate's running score must fall under a finished one's before the joint
#: scoring drops it: far above float rounding, far under the gaps that decide a vote.
DROP_MARGIN = 1e-3


def score_jointly(
    steps: Sequence[StepFn],
    sequences: Sequence[Sequence[int]],
    *,
    bos: int,
    eos: int,
    init_past: list[Any],
    stop_early: bool = True,
) -> list[float]:
    """Each sequence's log-probability summed over several step functions (one per encoding
    of an image), or ``-inf`` for one that cannot have the highest sum.

    Every step function runs the sequences in one teacher-forced batch (shorter ones padded
    with EOS, not counted), position by position, so a finished sequence's sum is exactly what
    that function alone would give. The step functions run side by side. With ``stop_early``:
    log-probabilities are never positive, so a running sum only falls, and once every
    unfinished sequence is under the best finished one's sum (by :data:`DROP_MARGIN`), they
    cannot win and the scoring stops. A read that loops to the
    length limit no longer makes the vote score every candidate that far.
    """
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    length = int(lengths.max(initial=0)) + 1
    forced = np.full((len(sequences), length), eos, dtype=np.int64)
    for row, ids in enumerate(sequences):
        forced[row, : len(ids)] = ids
    counted = np.arange(length)[None, :] <= lengths[:, None]
    totals = [np.zeros(len(sequences)) for _ in steps]
    pasts = [init_past for _ in steps]
    tokens = np.full((len(sequences), 1), bos, dtype=np.int64)
    rows = np.arange(len(sequences))
    for position in range(length):
        for k, step in enumerate(steps):
            logprobs, pasts[k] = step(tokens, position, pasts[k])
            totals[k] += np.where(counted[:, position], logprobs[rows, forced[:, position]], 0.0)
        tokens = forced[:, position : position + 1]
        done = lengths <= position  # EOS, at index len, was the last position counted
        if stop_early and done.any() and not done.all():
            joint = np.sum(totals, axis=0)
            if np.all(joint[~done] < joint[done].max() - DROP_MARGIN):
                return np.where(done, joint, -np.inf).tolist()
    return np.sum(totals, axis=0).tolist()


def beam_search(
    step: StepFn,
    *,
    bos: int,
    eos: int,
    max_len: int,
    init_past: Callable[[int], list[np.ndarray]],
    expand: Callable[[np.ndarray], None],
    beam_size: int = 3,
) -> Hypothesis:
    """Beam search for one sequence, ranking by mean token log-probability.

    Args:
        step: The cached step function; its batch is the number of live beams.
        bos: Start token id.
        eos: End token id.
        max_len: Largest number of tokens to produce.
        init_past: Returns empty caches for ``n`` rows.
        expand: Called with the parent row of each live beam before every step after the first,
            so the caller can gather its cross-attention inputs to match.
        beam_size: Number of beams.

    Returns:
        The best hypothesis.
    """
    live = [Hypothesis([])]
    done: list[Hypothesis] = []
    past = init_past(1)
    tokens = np.full((1, 1), bos, dtype=np.int64)
    for position in range(max_len):
        logprobs, past = step(tokens, position, past)
        totals = np.array([h.logprob for h in live])[:, None] + logprobs
        order = np.argsort(totals, axis=None)[::-1][: 2 * beam_size]
        parents, nexts = [], []
        for flat in order:
            row, token = divmod(int(flat), totals.shape[1])
            parent = live[row]
            if token == eos:
                done.append(Hypothesis(list(parent.ids), float(totals[row, token]), finished=True))
                continue
            hyp = Hypothesis([*parent.ids, token], float(totals[row, token]))
            keep = find_loop(hyp.ids)
            if keep is not None:
                del hyp.ids[keep:]
                hyp.looped = True
                done.append(hyp)
                continue
            parents.append(row)
            nexts.append(hyp)
            if len(nexts) == beam_size:
                break
        if len(done) >= beam_size or not nexts:
            break
        best_done = max((h.confidence for h in done), default=0.0)
        # A live beam's mean can still rise, but rarely past a finished one this far ahead.
        if (
            best_done > 0
            and max(math.exp(h.logprob / (len(h.ids) + 1)) for h in nexts) < best_done * 0.5
        ):
            break
        index = np.array(parents, dtype=np.int64)
        past = [p[index] for p in past]
        expand(index)
        live = nexts
        tokens = np.array([[h.ids[-1]] for h in live], dtype=np.int64)
    else:
        done.extend(live)
    if not done:
        done.extend(live)
    return max(done, key=lambda h: h.confidence)
