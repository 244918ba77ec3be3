"""The model registry: each model built once from one Settings, shared, and built lazily."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest

from scipix_search.config import Settings
from scipix_search.embed import FormulaEncoder, TextEncoder
from scipix_search.exceptions import ModelNotFoundError
from scipix_search.pipeline import Indexer, Models


def _from_threads(models: Models, attribute: str, threads: int = 8) -> list[Any]:
    """``getattr(models, attribute)`` from several threads released at once."""
    start = threading.Barrier(threads)
    seen: list[Any] = []

    def take() -> None:
        start.wait()
        seen.append(getattr(models, attribute))

    workers = [threading.Thread(target=take) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return seen


def test_models_build_nothing_until_asked(tmp_path: Path) -> None:
    models = Models(Settings(data_dir=tmp_path, model_dir=tmp_path / "none"))
    assert models.built() == []


def test_models_formula_encoder_built_once_across_threads(tmp_path: Path) -> None:
    models = Models(Settings(data_dir=tmp_path))
    seen = _from_threads(models, "formula_encoder")
    assert all(encoder is seen[0] for encoder in seen)
    assert isinstance(seen[0], FormulaEncoder)
    assert models.built() == ["formula_encoder"]


@pytest.mark.model
def test_models_text_encoder_built_once_from_the_settings() -> None:
    settings = Settings(device="cpu", embed_batch_size=7)
    models = Models(settings)
    seen = _from_threads(models, "text_encoder")
    assert all(encoder is seen[0] for encoder in seen)
    assert isinstance(seen[0], TextEncoder)
    assert seen[0].batch_size == 7
    assert models.built() == ["text_encoder"]


def test_models_use_handed_in_encoders(tmp_path: Path) -> None:
    encoder = FormulaEncoder(dim=64)
    models = Models(Settings(data_dir=tmp_path), formula_encoder=encoder)
    assert models.formula_encoder is encoder
    assert models.built() == ["formula_encoder"]


def test_indexer_shares_the_registry_it_is_given(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    models = Models(settings)
    first, second = Indexer(settings, models=models), Indexer(settings, models=models)
    assert first.models is models and second.models is models
    assert first.formula_spec() == second.formula_spec()
    assert models.built() == ["formula_encoder"]


def test_indexer_refuses_a_registry_and_encoders_together(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with pytest.raises(ValueError, match="not both"):
        Indexer(settings, models=Models(settings), formula_encoder=FormulaEncoder())


def test_missing_formula_model_raises_each_time(tmp_path: Path) -> None:
    models = Models(Settings(data_dir=tmp_path, model_dir=tmp_path / "empty"))
    for _ in range(2):  # a failed build is not remembered as a model
        with pytest.raises(ModelNotFoundError):
            _ = models.latex_recognizer
    assert models.built() == []


def test_pdf_formula_ocr_off_loads_nothing(tmp_path: Path) -> None:
    models = Models(Settings(data_dir=tmp_path, pdf_equation_ocr="off"))
    assert models.pdf_formula_recognizer is None
    assert models.built() == []


def test_pdf_formula_ocr_auto_without_model_keeps_text_layer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    models = Models(
        Settings(data_dir=tmp_path, model_dir=tmp_path / "empty", pdf_equation_ocr="auto")
    )
    with caplog.at_level(logging.WARNING, logger="scipix_search.pipeline"):
        assert models.pdf_formula_recognizer is None
        assert models.pdf_formula_recognizer is None
    warnings = [r for r in caplog.records if "formula OCR model not built" in r.message]
    assert len(warnings) == 1


def test_pdf_formula_ocr_on_without_model_raises_each_time(tmp_path: Path) -> None:
    models = Models(
        Settings(data_dir=tmp_path, model_dir=tmp_path / "empty", pdf_equation_ocr="on")
    )
    for _ in range(2):
        with pytest.raises(ModelNotFoundError):
            _ = models.pdf_formula_recognizer


@pytest.mark.model
def test_latex_recognizer_built_once_with_settings_and_options() -> None:
    settings = Settings(device="cpu", ocr_scale_votes=3)
    if not (settings.model_dir / "pix2tex").is_dir():
        pytest.skip("formula OCR model not built (scipix-search models build)")
    models = Models(settings, latex_options={"beam_size": 2})
    seen = _from_threads(models, "latex_recognizer", threads=4)
    assert all(recognizer is seen[0] for recognizer in seen)
    assert seen[0].scale_votes == 3 and seen[0].beam_size == 2
    assert models.pdf_formula_recognizer is seen[0]
