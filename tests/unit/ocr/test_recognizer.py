"""Building a recognizer: from settings, with plain defaults, and without a model.

A stand-in model folder (identity graphs and a three-token tokenizer) lets the constructor run
in milliseconds; what the real model reads is tested in ``tests/integration/test_ocr_onnx.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from scipix_search.config import Settings
from scipix_search.exceptions import InputTooLargeError, MissingDependencyError, ModelNotFoundError
from scipix_search.ocr import LatexRecognizer
from tests.factories import identity_onnx_model


@pytest.fixture
def stand_in(tmp_path: Path) -> Path:
    """A model folder the constructor accepts (its graphs are not the model's)."""
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel

    folder = tmp_path / "models" / "pix2tex"
    folder.mkdir(parents=True)
    for name in ("encoder.onnx", "decoder.onnx"):
        identity_onnx_model(folder / name)
    Tokenizer(WordLevel({"[PAD]": 0, "[BOS]": 1, "[EOS]": 2}, unk_token="[PAD]")).save(
        str(folder / "tokenizer.json")
    )
    manifest = {
        "encoder": "encoder.onnx",
        "decoder": "decoder.onnx",
        "tokenizer": "tokenizer.json",
        "bos_token": 1,
        "eos_token": 2,
        "num_layers": 1,
        "heads": 1,
        "head_dim": 1,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return tmp_path / "models"


def test_recognizer_without_model(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="models build"):
        LatexRecognizer(tmp_path)
    with pytest.raises(ModelNotFoundError, match="models build"):
        LatexRecognizer.from_settings(Settings(model_dir=tmp_path))


def test_from_settings_carries_device_votes_doubt_and_limits(stand_in: Path) -> None:
    settings = Settings(
        model_dir=stand_in,
        device="cpu",
        ocr_scale_votes=3,
        ocr_doubt_below=0.3,
        ocr_scan_doubt_below=0.2,
        max_image_pixels=1_000,
        max_file_bytes=5_000,
    )
    recognizer = LatexRecognizer.from_settings(settings)
    assert recognizer.model_dir == stand_in / "pix2tex"
    assert recognizer.device == "cpu"
    assert (recognizer.scale_votes, recognizer.doubt_below) == (3, 0.3)
    assert recognizer.scan_doubt_below == 0.2
    assert (recognizer.max_image_pixels, recognizer.max_file_bytes) == (1_000, 5_000)
    # The limits are the settings', not the defaults: a 50x50 image is over 1,000 pixels.
    with pytest.raises(InputTooLargeError, match="1000 pixels"):
        recognizer(Image.new("L", (50, 50), 255))


def test_from_settings_device_reaches_the_sessions(stand_in: Path) -> None:
    pytest.importorskip("onnxruntime")
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("this onnxruntime has CUDA: a cuda request would succeed")
    with pytest.raises(MissingDependencyError, match="cuda"):
        LatexRecognizer.from_settings(Settings(model_dir=stand_in, device="cuda"))


def test_ocr_device_overrides_the_device_for_the_formula_ocr_only(stand_in: Path) -> None:
    pytest.importorskip("onnxruntime")
    settings = Settings(model_dir=stand_in, device="cuda", ocr_device="cpu")
    recognizer = LatexRecognizer.from_settings(settings)  # no CUDA needed for a CPU OCR
    assert recognizer.device == "cpu"
    assert LatexRecognizer.from_settings(Settings(model_dir=stand_in, device="cpu")).device == "cpu"


def test_from_settings_options_add_and_override(stand_in: Path) -> None:
    settings = Settings(model_dir=stand_in, device="cpu", ocr_scale_votes=3)
    recognizer = LatexRecognizer.from_settings(settings, beam_size=2, scale_votes=1)
    assert (recognizer.beam_size, recognizer.scale_votes) == (2, 1)
    with pytest.raises(ValueError, match="scale_votes"):
        LatexRecognizer.from_settings(settings, scale_votes=2)


def test_constructor_defaults_are_the_settings_defaults(
    stand_in: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The environment says otherwise; a recognizer built without settings does not read it.
    monkeypatch.setenv("SCIPIX_OCR_SCALE_VOTES", "3")
    monkeypatch.setenv("SCIPIX_OCR_DOUBT_BELOW", "0.1")
    monkeypatch.setenv("SCIPIX_OCR_SCAN_DOUBT_BELOW", "0.9")
    defaults = Settings.model_construct()
    recognizer = LatexRecognizer(stand_in)
    assert recognizer.device == defaults.device
    assert recognizer.scale_votes == defaults.ocr_scale_votes
    assert recognizer.doubt_below == defaults.ocr_doubt_below
    assert recognizer.scan_doubt_below == defaults.ocr_scan_doubt_below
    assert recognizer.max_image_pixels == defaults.max_image_pixels
    assert recognizer.max_file_bytes == defaults.max_file_bytes


def test_default_model_dir_is_not_read_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SCIPIX_MODEL_DIR", str(tmp_path / "elsewhere"))
    with pytest.raises(ModelNotFoundError) as caught:
        LatexRecognizer()
    assert Path(caught.value.path).is_relative_to(tmp_path / "home" / ".cache" / "scipix-search")


def test_text_recognizer_and_image_defaults_are_the_settings_defaults() -> None:
    import inspect

    from scipix_search.ocr import TextRecognizer, load_image

    defaults = Settings.model_construct()
    text = inspect.signature(TextRecognizer).parameters
    assert text["max_pages"].default == defaults.max_pages
    assert text["max_image_pixels"].default == defaults.max_image_pixels
    assert text["max_file_bytes"].default == defaults.max_file_bytes
    assert text["engine"].default == defaults.text_ocr
    image = inspect.signature(load_image).parameters
    assert image["max_pixels"].default == defaults.max_image_pixels
    assert image["max_bytes"].default == defaults.max_file_bytes
