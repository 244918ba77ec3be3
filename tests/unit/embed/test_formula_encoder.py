"""Unit tests for the hashed structural formula encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scipix_search.embed._formula import FormulaEncoder
from scipix_search.exceptions import EmbeddingError, LatexParseError
from scipix_search.math import parse_formula


@pytest.fixture(scope="module")
def encoder() -> FormulaEncoder:
    return FormulaEncoder()


def test_formula_encoder_shape_dtype_norm(encoder: FormulaEncoder) -> None:
    vecs = encoder.encode_document(["x", r"\frac{a}{b}", r"\sum_{i=1}^n i^2"])
    assert vecs.shape == (3, 1024)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)


def test_formula_encoder_renamed_pythagoras_is_close(encoder: FormulaEncoder) -> None:
    q, same, other = encoder.encode_query(["a^2+b^2=c^2", "x^2+y^2=z^2", r"\int_0^1 f(x) dx"])
    assert q @ same > 0.8
    assert q @ other < 0.4


def test_formula_encoder_renamed_mean_is_close(encoder: FormulaEncoder) -> None:
    q, same, other = encoder.encode_query(
        [r"\frac{1}{n}\sum_i x_i", r"\frac1N\sum_{j} y_j", r"\sqrt{a^2+b^2}"]
    )
    assert q @ same > 0.8
    assert q @ other < 0.4


def test_formula_encoder_exact_beats_renamed(encoder: FormulaEncoder) -> None:
    q = encoder.encode_query(["a^2+b^2=c^2"])[0]
    docs = encoder.encode_document(["x^2+y^2=z^2", "a^2+b^2=c^2"])
    assert q @ docs[1] > q @ docs[0]


def test_formula_encoder_is_deterministic_across_instances() -> None:
    a = FormulaEncoder(dim=64).encode_document([r"\alpha + \beta"])
    b = FormulaEncoder(dim=64).encode_document([r"\alpha + \beta"])
    np.testing.assert_array_equal(a, b)


def test_formula_encoder_accepts_parsed_formulas(encoder: FormulaEncoder) -> None:
    a = encoder.encode_document([parse_formula("x+1")])
    b = encoder.encode_document(["x+1"])
    np.testing.assert_array_equal(a, b)


def test_formula_encoder_malformed_raises_parse_error(encoder: FormulaEncoder) -> None:
    with pytest.raises(LatexParseError):
        encoder.encode_document([r"\frac{a}{b"])


def test_formula_encoder_malformed_zero_row_when_asked(encoder: FormulaEncoder) -> None:
    vecs = encoder.encode_document(["x", r"\frac{a}{b"], on_error="zero")
    assert not vecs[1].any()
    assert vecs[0].any()


def test_formula_encoder_single_string_raises(encoder: FormulaEncoder) -> None:
    with pytest.raises(EmbeddingError):
        encoder.encode_query("x+1")  # type: ignore[arg-type]


def test_formula_encoder_empty_list(encoder: FormulaEncoder) -> None:
    assert encoder.encode_query([]).shape == (0, 1024)


def test_formula_encoder_wildcards_add_no_features(encoder: FormulaEncoder) -> None:
    q = encoder.encode_query([r"\qvar{*1*}x^{2}+\qvar{*2*}x+\qvar{*3*}=0"])[0]
    near, far = encoder.encode_document(["3x^2+5x+7=0", r"\int_0^1 f"])
    assert q @ near > q @ far


def test_formula_encoder_save_load_roundtrip(tmp_path: Path) -> None:
    enc = FormulaEncoder(dim=128, concrete_weight=0.4).fit(["x+1", "y^2", r"\frac12", "bad {"])
    enc.save(tmp_path)
    loaded = FormulaEncoder.load(tmp_path)
    assert loaded.get_config_dict() == enc.get_config_dict()
    assert loaded.idf is not None
    np.testing.assert_array_equal(loaded.encode_query(["x+2"]), enc.encode_query(["x+2"]))


def test_formula_encoder_load_missing_raises(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError):
        FormulaEncoder.load(tmp_path / "nothing")


def test_formula_encoder_config_dict_keys() -> None:
    assert set(FormulaEncoder().get_config_dict()) == set(FormulaEncoder.config_keys)
