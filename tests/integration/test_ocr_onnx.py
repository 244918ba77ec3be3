"""The formula and text OCR engines with the real exported models.

The formula model is built once per session into ``Settings().model_dir`` (a no-op when it is
current), so later sessions reuse it.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from scipix_search.config import Settings
from scipix_search.exceptions import (
    CorruptInputError,
    MissingDependencyError,
    UnsupportedContentError,
)
from scipix_search.ocr import LatexRecognizer, TextRecognizer, build_formula_model, latex_tokens

pytestmark = pytest.mark.model


@pytest.fixture(scope="session")
def model_dir() -> Path:
    try:
        return build_formula_model(Settings().model_dir)
    except MissingDependencyError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"formula model not built and build packages missing: {exc}")


@pytest.fixture(scope="session")
def recognizer(model_dir: Path) -> LatexRecognizer:
    return LatexRecognizer(model_dir, device="cpu")


def similarity(predicted: str, truth: str) -> float:
    return difflib.SequenceMatcher(None, latex_tokens(predicted), latex_tokens(truth)).ratio()


def render_line(text: str, fontsize: float = 24, dpi: int = 72) -> Image.Image:
    """Render plain math with PyMuPDF's Times-Italic (dark on white)."""
    page = pymupdf.open().new_page(width=40 + fontsize * len(text) * 0.6, height=fontsize * 2.5)
    page.insert_text((10, fontsize * 1.6), text, fontname="Times-Italic", fontsize=fontsize)
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return Image.frombytes("L", (pix.width, pix.height), pix.samples)


RENDERED = [("a+b=c", "a+b=c"), ("f(x)=y-1", "f(x)=y-1"), ("x+y+z=2", "x+y+z=2")]


@pytest.mark.parametrize(("text", "latex"), RENDERED)
@pytest.mark.parametrize("fontsize", [12, 40])
def test_rendered_formula_any_scale(
    recognizer: LatexRecognizer, text: str, latex: str, fontsize: int
) -> None:
    result = recognizer(render_line(text, fontsize, dpi=150))
    assert similarity(result.latex, latex) >= 0.75, result
    assert 0.0 < result.confidence <= 1.0


def test_rendered_formula_dark_mode_and_alpha(recognizer: LatexRecognizer) -> None:
    gray = np.asarray(render_line("a+b=c", 30, dpi=150))
    dark = recognizer(Image.fromarray(255 - gray))
    rgba = np.zeros((*gray.shape, 4), dtype=np.uint8)
    rgba[..., 3] = 255 - gray  # ink only in the alpha channel
    transparent = recognizer(Image.fromarray(rgba, "RGBA"))
    assert similarity(dark.latex, "a+b=c") >= 0.75
    assert similarity(transparent.latex, "a+b=c") >= 0.75


def test_result_fields(recognizer: LatexRecognizer) -> None:
    result = recognizer(render_line("a+b=c", 30, dpi=150))
    assert result.parses and result.mathml.startswith("<math")
    assert "\\textstyle" not in result.latex and result.time_ms > 0


def test_blank_image_gives_empty_low_confidence(recognizer: LatexRecognizer) -> None:
    result = recognizer(Image.new("L", (300, 80), 255))
    assert result.latex == "" and result.confidence == 0.0 and not result.parses


def test_bad_inputs_raise_clear_errors(recognizer: LatexRecognizer, tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    pdf = tmp_path / "doc.png"
    pdf.write_bytes(_pdf_bytes())
    truncated = tmp_path / "cut.png"
    buffer = io.BytesIO()
    render_line("a+b=c").save(buffer, "PNG")
    truncated.write_bytes(buffer.getvalue()[:100])
    with pytest.raises(CorruptInputError):
        recognizer(empty)
    with pytest.raises(UnsupportedContentError):
        recognizer(pdf)
    with pytest.raises(CorruptInputError):
        recognizer(truncated)


def _pdf_bytes() -> bytes:
    document = pymupdf.open()
    document.new_page().insert_text((72, 72), "Page text for OCR", fontsize=18)
    return document.tobytes()


def _dev_formulas(shared_dir: Path, count: int) -> tuple[list[dict[str, str]], list[Path]]:
    """The first ``count`` im2latex dev rows and their image paths."""
    with (shared_dir / "im2latex" / "dev.tsv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))[:count]
    return rows, [shared_dir / "im2latex" / "images" / row["image"] for row in rows]


@pytest.mark.shared
def test_shared_dev_formulas(recognizer: LatexRecognizer, shared_dir: Path) -> None:
    rows, images = _dev_formulas(shared_dir, 12)
    results = recognizer.batch(images)
    scores = [similarity(r.latex, row["latex"]) for r, row in zip(results, rows, strict=True)]
    assert np.mean(scores) >= 0.85, list(zip(scores, [r.latex for r in results], strict=True))


@pytest.mark.shared
def test_calibrated_document_scale(model_dir: Path, shared_dir: Path) -> None:
    rows, images = _dev_formulas(shared_dir, 8)
    engine = LatexRecognizer(model_dir, device="cpu", multiscale=False)
    height = engine.calibrate(images)
    assert height is not None and 6 <= height <= 14
    pooled = engine.batch(images)
    assert len({round(r.scale, 3) for r in pooled if r.scale < 1.9}) <= 2
    scores = [similarity(r.latex, row["latex"]) for r, row in zip(pooled, rows, strict=True)]
    assert np.mean(scores) >= 0.85


def test_fp32_and_int8_agree(model_dir: Path) -> None:
    image = render_line("f(x)=y-1", 30, dpi=150)
    fp32 = LatexRecognizer(model_dir, device="cpu", precision="fp32")
    int8 = LatexRecognizer(model_dir, device="cpu", precision="int8")
    assert fp32.precision == "fp32" and int8.precision == "int8"
    assert similarity(fp32(image).latex, int8(image).latex) >= 0.9


def test_decoder_attention_is_fused(model_dir: Path) -> None:
    onnx = pytest.importorskip("onnx")
    manifest = json.loads((model_dir / "manifest.json").read_text())
    for name in (manifest["decoder"], manifest["decoder_int8"]):
        graph = onnx.load(str(model_dir / name), load_external_data=False).graph
        ops = Counter(node.op_type for node in graph.node)
        # One attention node per self- and cross-attention; no spelled-out cache plumbing.
        assert ops["MultiHeadAttention"] == 2 * manifest["num_layers"], ops
        assert ops["Concat"] == 0 and ops["Transpose"] == 0 and ops["Softmax"] == 0, ops


@pytest.mark.slow
def test_fused_decoder_matches_pytorch(model_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("pix2tex")
    from scipix_search.ocr._build import _verify
    from scipix_search.ocr._export import load_reference_model

    for path in model_dir.iterdir():
        (tmp_path / path.name).symlink_to(path)
    (tmp_path / "manifest.json").unlink()
    manifest = json.loads((model_dir / "manifest.json").read_text())
    del manifest["decoder_int8"]  # the fp32 fused graph, token for token against PyTorch
    model = load_reference_model(model_dir / "reference" / "weights.pth")
    # Greedy tokens of real formula images must equal pix2tex's (it raises otherwise).
    check = _verify(model, tmp_path, manifest)
    assert check["images"] >= 2 and check["max_abs_logprob_diff"] < 2e-3


def test_batch_matches_single(recognizer: LatexRecognizer) -> None:
    images = [render_line(text, 30, dpi=150) for text, _ in RENDERED]
    batched = recognizer.batch(images)
    single = [recognizer(image) for image in images]
    assert [r.latex for r in batched] == [r.latex for r in single]


def test_scale_votes_read_clean_formula_twice(model_dir: Path) -> None:
    voter = LatexRecognizer(model_dir, device="cpu", scale_votes=3)
    single = LatexRecognizer(model_dir, device="cpu", scale_votes=1, multiscale=False)
    image = render_line("f(x)=y-1", 30, dpi=150)
    voted, once = voter(image), single(image)
    assert similarity(voted.latex, "f(x)=y-1") >= 0.75
    # Two neighbouring scales agree on a clean render, so the third read is skipped.
    assert voted.extra["reads"] == 2 and voted.extra["votes"] == 2
    assert voted.latex == once.latex
    assert once.extra["reads"] == 1


@pytest.mark.shared
def test_scale_votes_on_dev_formulas(model_dir: Path, shared_dir: Path) -> None:
    rows, images = _dev_formulas(shared_dir, 12)
    voter = LatexRecognizer(model_dir, device="cpu", scale_votes=3)
    results = voter.batch(images, same_document=True)
    assert all(2 <= r.extra["reads"] <= 3 for r in results)
    assert all(r.extra["votes"] >= 1 for r in results)
    # Every result is one of the three reads: its scale is a vote factor of the first scale.
    single = LatexRecognizer(model_dir, device="cpu", multiscale=False, scale_votes=1)
    firsts = [r.scale for r in single.batch(images, same_document=True)]
    for result, first in zip(results, firsts, strict=True):
        assert min(abs(result.scale / first - f) for f in (1.0, 0.9, 1.1)) < 1e-6
    scores = [similarity(r.latex, row["latex"]) for r, row in zip(results, rows, strict=True)]
    assert np.mean(scores) >= 0.85, list(zip(scores, [r.latex for r in results], strict=True))


@pytest.mark.shared
def test_doubtful_reads_go_to_a_vote(model_dir: Path, shared_dir: Path) -> None:
    _, images = _dev_formulas(shared_dir, 12)
    engine = LatexRecognizer(model_dir, device="cpu", multiscale=True, scale_votes=1)
    results = engine.batch(images, same_document=True)
    once = [r for r in results if r.extra["reads"] == 1]
    voted = [r for r in results if r.extra["reads"] > 1]
    # A read kept alone was sure of every token; some of these formulas were not.
    assert all(r.extra["min_token_prob"] >= 0.6 and r.confidence >= 0.85 for r in once)
    assert once and voted


def test_settled_first_reads_skip_the_vote(model_dir: Path) -> None:
    voter = LatexRecognizer(model_dir, device="cpu", scale_votes=3)
    single = LatexRecognizer(model_dir, device="cpu", scale_votes=1, multiscale=False)
    images = [render_line(text, 30, dpi=150) for text in ("f(x)=y-1", "a+b=c")]
    asked: list[tuple[int, str]] = []

    def settled(index: int, latex: str) -> bool:
        asked.append((index, latex))
        return index == 0

    results = voter.batch(images, settled=settled)
    once = single.batch(images)
    # The first reads are judged, as the caller would print them; a settled one is kept alone.
    assert asked == [(0, once[0].latex), (1, once[1].latex)]
    assert results[0].extra["reads"] == 1 and results[0].latex == once[0].latex
    assert results[1].extra["reads"] >= 2


def test_likelihood_of_a_read_is_its_decoding_score(recognizer: LatexRecognizer) -> None:
    from scipix_search.ocr._preprocess import plan_scale, prepare, to_model_input

    prepared = prepare(render_line("f(x)=y-1", 30, dpi=150))
    assert prepared is not None
    cross = recognizer.encode(to_model_input(prepared.gray, plan_scale(prepared)))
    hyp = recognizer.decode(cross)[0]
    other = [*hyp.ids[:-1], hyp.ids[0]]  # the same read with its last token swapped
    (alone,) = recognizer.likelihoods(cross, [hyp.ids])
    assert alone == pytest.approx(hyp.logprob, abs=1e-3)
    # In a batch the int8 decoder quantises the rows' activations with one shared scale.
    own, swapped = recognizer.likelihoods(cross, [hyp.ids, other])
    assert own == pytest.approx(hyp.logprob, abs=0.05)
    assert swapped < own - 1.0

    # Scored under two encodings at once: the sum of the two scores, the same floats.
    other_scale = recognizer.encode(to_model_input(prepared.gray, 0.9 * plan_scale(prepared)))
    apart = [recognizer.likelihoods(c, [hyp.ids, other]) for c in (cross, other_scale)]
    joint = recognizer.joint_likelihoods([cross, other_scale], [hyp.ids, other])
    assert joint == [apart[0][0] + apart[1][0], apart[0][1] + apart[1][1]]


@pytest.mark.shared
def test_split_votes_go_to_the_jointly_likeliest_read(model_dir: Path, shared_dir: Path) -> None:
    _, images = _dev_formulas(shared_dir, 60)
    engine = LatexRecognizer(model_dir, device="cpu", scale_votes=3)
    results = engine.batch(images, same_document=True)
    split = [r for r in results if r.extra["votes"] == 1]
    # Three different reads happen on about one formula in six of im2latex dev.
    assert split, [r.extra for r in results]
    for r in split:
        assert r.extra["reads"] == 3 and r.extra["joint_logprob"] < 0
    assert all("joint_logprob" not in r.extra for r in results if r.extra["votes"] > 1)


def test_doubt_threshold_from_settings(model_dir: Path) -> None:
    image = render_line("f(x)=y-1", 30, dpi=150)
    settings = Settings(model_dir=model_dir, device="cpu", ocr_scale_votes=1)
    # No token is that sure: always vote.
    doubting = settings.model_copy(update={"ocr_doubt_below": 1.0})
    always = LatexRecognizer.from_settings(doubting)(image)
    default = LatexRecognizer.from_settings(settings)(image)
    assert always.extra["reads"] >= 2
    assert default.extra["reads"] == 1 and default.extra["min_token_prob"] >= 0.6
    assert always.latex == default.latex  # a clean render reads the same at every scale


def test_page_scan_crops_use_the_scan_doubt_threshold(model_dir: Path) -> None:
    image = render_line("f(x)=y-1", 30, dpi=150)
    settings = Settings(model_dir=model_dir, device="cpu", ocr_scale_votes=1)
    # No token is that sure: a crop read under that threshold always votes.
    scan_doubting = settings.model_copy(update={"ocr_scan_doubt_below": 1.0})
    recognizer = LatexRecognizer.from_settings(scan_doubting)
    (crop,) = recognizer.batch([image])
    (scanned,) = recognizer.batch([image], scanned=True)
    assert crop.extra["reads"] == 1 and scanned.extra["reads"] >= 2
    doubting = settings.model_copy(update={"ocr_doubt_below": 1.0, "ocr_scan_doubt_below": 0})
    recognizer = LatexRecognizer.from_settings(doubting)
    assert recognizer.batch([image], scanned=True)[0].extra["reads"] == 1
    assert recognizer.batch([image])[0].extra["reads"] >= 2


def test_scale_votes_must_be_one_or_three(model_dir: Path) -> None:
    with pytest.raises(ValueError, match="scale_votes"):
        LatexRecognizer(model_dir, device="cpu", scale_votes=2)


@pytest.mark.slow
def test_beam_search_reads_formula(model_dir: Path) -> None:
    beam = LatexRecognizer(model_dir, device="cpu", beam_size=3, multiscale=False)
    result = beam(render_line("f(x)=y-1", 30, dpi=150))
    assert similarity(result.latex, "f(x)=y-1") >= 0.75


def test_run_time_does_not_import_torch(model_dir: Path, tmp_path: Path) -> None:
    image = tmp_path / "f.png"
    render_line("a+b=c", 30, dpi=150).save(image)
    code = (
        "import sys; from scipix_search.ocr import LatexRecognizer; "
        f"r = LatexRecognizer({str(model_dir)!r}); print(r({str(image)!r}).latex); "
        "assert 'torch' not in sys.modules, 'torch was imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_build_is_idempotent(model_dir: Path) -> None:
    before = (model_dir / "manifest.json").stat().st_mtime
    assert build_formula_model(model_dir.parent) == model_dir
    assert (model_dir / "manifest.json").stat().st_mtime == before


@pytest.fixture(scope="module")
def text_recognizer() -> TextRecognizer:
    return TextRecognizer()


def test_text_ocr_page_image_and_pdf(text_recognizer: TextRecognizer, tmp_path: Path) -> None:
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(_pdf_bytes())
    lines = text_recognizer(pdf)
    assert any("Page text" in line.text for line in lines)
    line = lines[0]
    assert line.bbox[0] < line.bbox[2] and line.bbox[1] < line.bbox[3] and 0 < line.confidence <= 1
    page = pymupdf.open(pdf)[0].get_pixmap(dpi=100, colorspace=pymupdf.csGRAY)
    image = Image.frombytes("L", (page.width, page.height), page.samples)
    assert any("Page text" in line.text for line in text_recognizer(image))
    assert text_recognizer(Image.new("L", (400, 400), 255)) == []


def test_cli_json_one_line_per_file(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scipix_search.cli import ocr as ocr_cli

    formula = tmp_path / "f.png"
    render_line("a+b=c", 30, dpi=150).save(formula)
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"")
    parser = argparse.ArgumentParser()
    ocr_cli.register(parser.add_subparsers())
    args = parser.parse_args(["ocr", str(formula), str(bad), "--format", "json"])
    code = args.func(args)
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1 and len(records) == 2
    assert similarity(records[0]["latex"], "a+b=c") >= 0.75
    assert {"file", "latex", "mathml", "confidence", "time_ms"} <= records[0].keys()
    assert "error" in records[1]


@pytest.mark.parametrize("precision", ["fp32", "int8"])
def test_device_bound_caches_decode_like_host_arrays(model_dir: Path, precision: str) -> None:
    """The IOBinding step (caches kept as ORT values between tokens, as on a GPU) reads and
    scores exactly as the plain step; bound to the CPU here, the only device CI has."""
    plain = LatexRecognizer(model_dir, device="cpu", precision=precision)
    bound = LatexRecognizer(model_dir, device="cpu", precision=precision)
    assert plain._bind_device is None
    bound._bind_device = "cpu"
    images = [render_line(text, 30, dpi=150) for text, _ in RENDERED]
    expected, got = plain.batch(images), bound.batch(images)
    assert [r.latex for r in got] == [r.latex for r in expected]
    assert [r.confidence for r in got] == pytest.approx([r.confidence for r in expected], abs=1e-5)
    from scipix_search.ocr._preprocess import plan_scale, prepare, to_model_input

    prepared = prepare(images[0])
    assert prepared is not None
    cross = plain.encode(to_model_input(prepared.gray, plan_scale(prepared)))
    hyp = plain.decode(cross)[0]
    assert bound.decode(cross)[0].ids == hyp.ids
    assert bound.likelihoods(cross, [hyp.ids]) == pytest.approx(
        plain.likelihoods(cross, [hyp.ids]), abs=1e-4
    )
