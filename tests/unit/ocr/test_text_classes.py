"""RapidOCR's recognizer with its CJK classes cut: the kept classes score as before."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rapidocr")

from scipix_search.ocr import _rapidocr  # noqa: E402
from scipix_search.onnx import make_session  # noqa: E402

pytestmark = pytest.mark.model


def _model() -> Path:
    import rapidocr

    return Path(rapidocr.__file__).parent / "models" / _rapidocr.RAPIDOCR_MODELS["Rec"]


def test_cjk_classes_are_cut_and_the_rest_kept() -> None:
    characters = ["blank", "a", "Σ", "≤", "中", "の", "한", "（", "〈", "》", " "]
    assert _rapidocr._latin_classes(characters) == [0, 1, 2, 3, 7, 8, 9, 10]


def test_the_cut_recognizer_scores_its_classes_as_the_whole_one() -> None:
    path = _model()
    whole = make_session(path, "cpu", threads=1)
    characters = whole.get_modelmeta().custom_metadata_map["character"].splitlines()
    keep = _rapidocr._latin_classes(["blank", *characters, " "])
    assert len(keep) < len(characters) / 5, "most of the classes are CJK"
    cut = make_session(path, "cpu", threads=1, model=_rapidocr._cut_classes(path, keep))
    line = np.random.default_rng(0).uniform(-1, 1, (1, 3, 48, 320)).astype(np.float32)
    before = whole.run(None, {"x": line})[0][..., keep]
    after = cut.run(None, {"x": line})[0]
    assert after.shape == before.shape
    # the same logits, softmaxed over fewer classes: the same ratios between kept classes
    ratios = after / after.sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(ratios, before / before.sum(axis=-1, keepdims=True), atol=1e-4)


@pytest.mark.parametrize("cjk", [False, True])
def test_settings_choose_whether_cjk_is_read(monkeypatch: pytest.MonkeyPatch, cjk: bool) -> None:
    from scipix_search.config import Settings
    from scipix_search.ocr import TextRecognizer

    monkeypatch.setenv("SCIPIX_TEXT_OCR_CJK", "1" if cjk else "0")
    recognizer = TextRecognizer.from_settings(Settings())
    characters = recognizer._engine.text_rec.postprocess_op.character
    assert ("中" in characters) is cjk
    assert "Σ" in characters and "〈" in characters
