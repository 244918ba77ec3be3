"""The passage encoder's batching: like lengths together, and the same vectors as one by one."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from scipix_search.embed._text import MAX_PADDING, length_batches


def test_length_batches_cover_every_text_once_with_bounded_padding() -> None:
    rng = random.Random(0)
    lengths = [rng.randint(3, 256) for _ in range(500)]
    batches = length_batches(lengths, 64)
    assert sorted(i for b in batches for i in b) == list(range(500))
    for batch in batches:
        assert len(batch) <= 64
        short, long = min(lengths[i] for i in batch), max(lengths[i] for i in batch)
        assert long <= MAX_PADDING * short + 8
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    assert padded <= 1.3 * sum(lengths)


def test_length_batches_empty() -> None:
    assert length_batches([], 64) == []


@pytest.mark.model
@pytest.mark.shared
def test_text_encoder_batches_give_the_vectors_of_single_texts(
    text_encoder, shared_dir: Path
) -> None:
    from scipix_search.eval import paper_folders
    from scipix_search.ingest import parse_pdf, sha256_bytes

    paper = paper_folders(shared_dir / "papers")[0].pdf
    data = paper.read_bytes()
    parsed = parse_pdf(data, paper.name, sha256_bytes(data), max_pages=10_000)
    # real passages of many lengths, in the paper's order (not sorted)
    texts = [p.text for p in parsed.passages][::10][:40]
    batched = text_encoder.encode_document(texts)
    single = np.concatenate([text_encoder.encode_document([t]) for t in texts])
    assert batched.shape == (len(texts), text_encoder.dim)
    assert float(np.min(np.sum(batched * single, axis=1))) > 0.99999


@pytest.mark.model
def test_the_window_setting_reaches_the_encoder_and_cuts_long_passages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scipix_search.config import Settings
    from scipix_search.embed import TextEncoder

    monkeypatch.setenv("SCIPIX_TEXT_MAX_TOKENS", "64")
    encoder = TextEncoder.from_settings(Settings(device="cpu"))
    assert encoder.max_seq_length == 64
    words = "the heat equation describes how temperature diffuses along a thin rod".split()
    long = " ".join(words[i % len(words)] for i in range(150))  # ~150 word pieces
    tail = " while the wave equation carries boundary layers of turbulence"
    assert len(encoder._tokenizer.encode(long).ids) == 64
    # past the window more text changes nothing; inside a wider window it does
    cut, cut_tail = encoder.encode_document([long, long + tail])
    assert float(cut @ cut_tail) > 0.99999
    wide = TextEncoder(encoder.path, device="cpu", max_seq_length=256)
    full, full_tail = wide.encode_document([long, long + tail])
    assert len(wide._tokenizer.encode(long + tail).ids) < 256
    assert float(full @ full_tail) < 0.9999
    # the manifest's window where none is given
    assert TextEncoder(encoder.path, device="cpu").max_seq_length == 256
