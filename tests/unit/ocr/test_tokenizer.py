"""LaTeX cleaning, comparison tokens and the pix2tex tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest

from scipix_search.ocr import clean_latex, latex_tokens
from scipix_search.ocr._tokenizer import LatexTokenizer


def test_clean_latex_drops_style_wrappers() -> None:
    assert "textstyle" not in clean_latex(r"\textstyle x ^ { 2 }")
    assert clean_latex(r"\displaystyle \frac { a } { b }") == r"\frac{a}{b}"


def test_clean_latex_keeps_spaces_between_letters() -> None:
    assert clean_latex(r"\alpha _ { 1 } \beta") == r"\alpha_{1}\beta"
    assert clean_latex(r"\sin x") == r"\sin x"
    assert clean_latex(r"\mathrm { a r c }") == r"\mathrm{arc}"


def test_latex_tokens_ignore_spacing_and_style() -> None:
    assert latex_tokens(r"\frac{a}{b}\,") == latex_tokens(r"\displaystyle \frac { a } { b }")
    assert latex_tokens(r"\alpha_1") == ["\\alpha", "_", "1"]


def _tokenizer_file() -> Path:
    from scipix_search.config import Settings

    built = Settings().model_dir / "pix2tex" / "tokenizer.json"
    if built.is_file():
        return built
    pix2tex = pytest.importorskip("pix2tex")
    return Path(pix2tex.__file__).parent / "model" / "dataset" / "tokenizer.json"


def test_latex_tokenizer_round_trip() -> None:
    tokenizer = LatexTokenizer(_tokenizer_file())
    latex = r"\frac { 1 } { 2 } \alpha ^ { 2 }"
    ids = tokenizer.encode(latex)
    assert all(i < tokenizer.vocab_size for i in ids)
    assert latex_tokens(tokenizer.decode(ids)) == latex_tokens(latex)


def test_config_yaml_pins_match_build_constants() -> None:
    import yaml

    from scipix_search.ocr import _build

    config_path = Path(__file__).resolve().parents[3] / "models" / "pix2tex" / "config.yaml"
    if not config_path.is_file():
        pytest.skip("models/pix2tex/config.yaml not in this checkout")
    config = yaml.safe_load(config_path.read_text())
    assert config["weights"]["sha256"] == _build.WEIGHTS_SHA256
    assert config["weights"]["bytes"] == _build.WEIGHTS_SIZE
    assert config["tokenizer"]["sha256"] == _build.TOKENIZER_SHA256
    for name, version in _build.PINNED.items():
        assert str(config["build_packages"][name]) == version
