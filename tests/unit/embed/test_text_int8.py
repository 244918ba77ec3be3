"""The int8 passage encoder: built from the fp32 export, cached by content, and ranking
real passages as fp32 does."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from scipix_search.config import Settings
from scipix_search.embed import TextEncoder
from scipix_search.embed._text_int8 import (
    CALIBRATION,
    _channel_ranges,
    _content_key,
    int8_model_dir,
    smooth,
)

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def fp32() -> TextEncoder:
    return TextEncoder.from_model_dir(Settings().model_dir, device="cpu", precision="fp32")


@pytest.fixture(scope="module")
def int8(fp32: TextEncoder) -> TextEncoder:
    return TextEncoder(int8_model_dir(fp32.path), device="cpu")


def test_settings_choose_the_int8_copy_on_a_cpu(fp32: TextEncoder, int8: TextEncoder) -> None:
    chosen = TextEncoder.from_settings(Settings(device="cpu"))
    assert chosen.precision == "int8" and chosen.path == int8.path
    plain = TextEncoder.from_settings(Settings(device="cpu", text_precision="fp32"))
    assert plain.precision == "fp32" and plain.path == fp32.path
    with pytest.raises(ValueError):
        TextEncoder.from_model_dir(Settings().model_dir, precision="int4")


def test_smoothing_alone_leaves_the_fp32_vectors(fp32: TextEncoder, tmp_path: Path) -> None:
    import onnx

    model = onnx.load(str(fp32.path / "model.onnx"))
    names = smooth(model, _channel_ranges(model, fp32))
    assert len(names) == 24  # Q, K, V and FFN-in of six layers
    shutil.copytree(fp32.path, tmp_path / "m", ignore=shutil.ignore_patterns("model.onnx*"))
    onnx.save(model, str(tmp_path / "m" / "model.onnx"))
    texts = [*CALIBRATION, "A sentence the calibration never saw, about graphs and groups."]
    cosine = np.sum(fp32.encode(texts) * TextEncoder(tmp_path / "m").encode(texts), axis=1)
    assert float(cosine.min()) > 0.99999


@pytest.mark.slow
def test_int8_copy_is_cached_by_the_content_of_the_fp32_files(
    fp32: TextEncoder, tmp_path: Path
) -> None:
    source = tmp_path / "minilm"
    shutil.copytree(fp32.path, source)
    built = int8_model_dir(source)
    assert built.parent == tmp_path and built.name.startswith("minilm-int8-")
    stamp = (built / "model.onnx").stat().st_mtime_ns
    assert int8_model_dir(source) == built
    assert (built / "model.onnx").stat().st_mtime_ns == stamp  # not built again
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # the same recipe on the same bytes gives the same weights, whatever the folder
    assert (built / "model.onnx").read_bytes() == (
        int8_model_dir(fp32.path) / "model.onnx"
    ).read_bytes()
    with open(source / "tokenizer.json", "a") as handle:  # not a model file: same key
        handle.write(" ")
    assert int8_model_dir(source) == built
    key = _content_key(source)
    with open(source / "model.onnx", "ab") as handle:  # any change of the model: a new key
        handle.write(b"\0")
    assert _content_key(source) != key


def test_int8_vector_of_a_text_does_not_depend_on_its_company(int8: TextEncoder) -> None:
    texts = [*CALIBRATION, "x " * 120]
    together = int8.encode(texts)
    for k in (0, 5, len(texts) - 1):
        assert np.array_equal(int8.encode([texts[k]])[0], together[k])


@pytest.mark.slow
@pytest.mark.shared
def test_int8_ranks_real_passages_as_fp32_does(
    fp32: TextEncoder, int8: TextEncoder, shared_dir: Path
) -> None:
    from scipix_search.eval import paper_folders
    from scipix_search.ingest import parse_pdf, sha256_bytes

    passages: list[str] = []
    for paper in paper_folders(shared_dir / "papers")[::4]:
        data = paper.pdf.read_bytes()
        parsed = parse_pdf(data, paper.pdf.name, sha256_bytes(data), max_pages=10_000)
        passages += [p.text for p in parsed.passages]
    queries, answers = [], []
    for j in range(0, len(passages), 5):  # known items: one sentence finds its passage
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", passages[j]) if len(s) > 60]
        if sentences:
            queries.append(sentences[len(sentences) // 2])
            answers.append(j)
    assert len(passages) > 500 and len(queries) > 80
    ranks = {}
    for name, encoder in (("fp32", fp32), ("int8", int8)):
        vectors = encoder.encode(passages)
        scores = encoder.encode(queries) @ vectors.T
        ranks[name] = np.array(
            [(scores[k] > scores[k, j]).sum() + 1 for k, j in enumerate(answers)]
        )
        if name == "fp32":
            reference, top = vectors, scores.argmax(axis=1)
    cosine = np.sum(vectors * reference, axis=1)
    assert float(cosine.mean()) > 0.994 and float(cosine.min()) > 0.98
    assert float(np.mean(scores.argmax(axis=1) == top)) >= 0.95  # same first passage
    mrr = {name: float(np.mean(1 / r)) for name, r in ranks.items()}
    assert mrr["int8"] >= mrr["fp32"] - 0.02, mrr
