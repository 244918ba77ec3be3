"""Passage embeddings: all-MiniLM-L6-v2 on ONNX Runtime, mean-pooled and L2-normalised."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from scipix_search.config import Settings
from scipix_search.exceptions import EmbeddingError, ModelNotFoundError
from scipix_search.onnx import CUDA, choose_providers, import_onnxruntime, make_session, uses_cuda

logger = logging.getLogger(__name__)

CPU_UNFUSED = ("SkipLayerNormFusion",)
"""ONNX Runtime fusions the passage encoder runs without on a CPU. Its fused
``SkipLayerNormalization`` (a residual add and the layer norm after it, twelve in the model)
cost more than the ``Add`` and ``LayerNormalization`` it replaces: the int8 encoder took 2.8
against 2.1 CPU ms a 45-token text, 7.7 against 5.8 a 120-token one (onnxruntime 1.32, one
thread, AMD EPYC). The sums round differently and the int8 activations with them, so a vector
moves a little (cosine to the fused one's 0.9998 mean, 0.997 least over the real papers'
passages; known-item MRR the same on both halves: docs/throughput.md)."""

MAX_PADDING = 1.25
"""A batch's longest text has at most this many times the tokens of its shortest (+8)."""


def length_batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Indices of texts grouped into batches of like length (shortest first).

    Args:
        lengths: token count of each text.
        batch_size: most texts in one batch.

    Returns:
        Index lists covering every text once; within a batch the longest text is at most
        ``MAX_PADDING`` times the shortest plus 8 tokens (so short texts are not split into
        batches of one).

    Example:
        >>> length_batches([30, 5, 6, 31, 7], 64)
        [[1, 2, 4], [0, 3]]
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    for i in order:
        batch = batches[-1] if batches else None
        if (
            batch is None
            or len(batch) >= batch_size
            or lengths[i] > MAX_PADDING * lengths[batch[0]] + 8
        ):
            batches.append([i])
        else:
            batch.append(i)
    return batches


class TextEncoder:
    """Sentence embeddings for passages and queries (384 dims, unit length, inner product).

    Example:
        >>> encoder = TextEncoder.from_model_dir(Path("~/.cache/scipix-search/models").expanduser())
        >>> encoder.encode_query(["heat equation"]).shape
        (1, 384)
    """

    config_keys: ClassVar[list[str]] = ["max_seq_length", "batch_size", "device"]
    precisions: ClassVar[tuple[str, ...]] = ("int8", "fp32")

    def __init__(
        self, path: Path, *, device: str = "auto", batch_size: int = 64, max_seq_length: int = 0
    ) -> None:
        from tokenizers import Tokenizer

        manifest_path = path / "manifest.json"
        if not manifest_path.exists():
            raise ModelNotFoundError(
                f"no text model in {path}; build it with `scipix-search models build`", path=path
            )
        self.path = path
        self.manifest: dict[str, Any] = json.loads(manifest_path.read_text())
        self.name: str = self.manifest["model"]
        self.dim: int = int(self.manifest["dim"])
        self.max_seq_length = max_seq_length or int(self.manifest["max_seq_length"])
        self.batch_size = batch_size
        self.device = device
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_seq_length)
        # Padding is done per batch in :meth:`encode`, after grouping texts of like length.
        self._tokenizer.no_padding()
        # The package's one session factory: providers chosen at run time, one intra-op thread
        # per usable core, idle threads asleep rather than spinning.
        self._session = make_session(
            path / "model.onnx", device, error=EmbeddingError, cpu_unfused=CPU_UNFUSED
        )
        self.precision: str = self.manifest.get("precision", "fp32")
        # On a CPU each text runs alone (see :meth:`encode`); on a GPU in batches of like length.
        self._batched = uses_cuda(self._session)

    @classmethod
    def from_model_dir(
        cls,
        model_dir: Path,
        *,
        device: str = "auto",
        batch_size: int = 64,
        build: bool = True,
        precision: str = "fp32",
        max_seq_length: int = 0,
    ) -> TextEncoder:
        """Open the exported model under ``model_dir``, exporting it first if it is missing.

        ``precision="int8"`` opens the int8 copy (``_text_int8.py``, built from the
        fp32 export once and cached by its content) where the model runs on a CPU; on CUDA the
        fp32 model runs (dynamic int8 is a CPU kernel). ``max_seq_length``: the window in word
        pieces (0: the manifest's, 256).
        """
        from scipix_search.embed._text_export import TEXT_MODEL_SUBDIR

        if precision not in cls.precisions:
            raise ValueError(f"precision must be one of {cls.precisions}, not {precision!r}")
        path = model_dir / TEXT_MODEL_SUBDIR
        if not (path / "manifest.json").exists() and build:
            from scipix_search.embed._text_export import build_text_model

            logger.warning("text model not built yet; exporting it once to %s", path)
            build_text_model(model_dir)
        if precision == "int8" and (path / "manifest.json").exists():
            providers = choose_providers(device, import_onnxruntime().get_available_providers())
            if CUDA not in providers:
                from scipix_search.embed._text_int8 import int8_model_dir

                path = int8_model_dir(path)
        return cls(path, device=device, batch_size=batch_size, max_seq_length=max_seq_length)

    @classmethod
    def from_settings(cls, settings: Settings) -> TextEncoder:
        """The encoder for ``Settings`` (model folder, device, batch size, precision, window)."""
        return cls.from_model_dir(
            settings.model_dir,
            device=settings.device,
            batch_size=settings.embed_batch_size,
            precision=settings.text_precision,
            max_seq_length=settings.text_max_tokens,
        )

    # -- encoding -----------------------------------------------------------------------
    def _encode_batch(self, encodings: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        input_ids = np.zeros((len(encodings), width), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros_like(input_ids)
        for row, encoding in enumerate(encodings):
            input_ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        feeds = {
            "input_ids": input_ids,
            "attention_mask": mask,
            "token_type_ids": np.zeros_like(input_ids),
        }
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts, returned in input order: one at a time on a CPU, in batches of like
        token length on a GPU.

        A batch is padded to its longest text, and the model's cost grows with the padded
        length: texts are sorted by token count and a batch is closed at ``batch_size`` or
        when the next text is longer than :data:`MAX_PADDING` times its shortest. With
        batches of 64 cut by character length, 48% of the tokens run were padding on the
        real papers' passages (like lengths leave 3%). On a CPU one text a run costs less
        still (real passages, fp32: 9.1 CPU ms a passage against 10.9 in batches of like
        length, same vectors), and the int8 model quantises a run's activations with one scale, so
        only one text a run gives a text the same vector whatever it is embedded with.
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        try:
            encodings = self._tokenizer.encode_batch(texts)
            size = self.batch_size if self._batched else 1
            for idx in length_batches([len(e.ids) for e in encodings], size):
                out[idx] = self._encode_batch([encodings[i] for i in idx])
        except Exception as exc:  # onnxruntime raises its own error types
            raise EmbeddingError(f"text embedding failed: {exc}") from exc
        return out

    def encode_query(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)

    def encode_document(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts)

    # -- persistence --------------------------------------------------------------------
    def get_config_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.config_keys}

    def save(self, directory: Path) -> None:
        """Copy the exported model and write this encoder's config next to it."""
        if directory.resolve() != self.path.resolve():
            shutil.copytree(self.path, directory, dirs_exist_ok=True)
        (directory / "encoder_config.json").write_text(json.dumps(self.get_config_dict()))

    @classmethod
    def load(cls, directory: Path) -> TextEncoder:
        config_path = directory / "encoder_config.json"
        config = json.loads(config_path.read_text()) if config_path.exists() else {}
        return cls(directory, **config)
