"""ONNX Runtime sessions with the execution provider chosen at run time."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scipix_search.exceptions import MissingDependencyError, ModelNotFoundError

logger = logging.getLogger(__name__)


def import_onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError as exc:
        raise MissingDependencyError(
            "onnxruntime is required: pip install onnxruntime (or onnxruntime-gpu)"
        ) from exc
    return onnxruntime


def choose_providers(device: str = "auto") -> list[str]:
    """CUDA when asked for (or on auto when onnxruntime-gpu sees a GPU), else CPU."""
    ort = import_onnxruntime()
    available = ort.get_available_providers()
    if device in ("auto", "cuda") and "CUDAExecutionProvider" in available:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if device == "cuda":
        raise MissingDependencyError(
            "device=cuda but onnxruntime has no CUDAExecutionProvider: pip install onnxruntime-gpu"
        )
    return ["CPUExecutionProvider"]


def create_session(path: Path, device: str = "auto", *, threads: int | None = None) -> Any:
    """Open an ONNX model as an InferenceSession on the chosen providers."""
    ort = import_onnxruntime()
    if not path.exists():
        raise ModelNotFoundError(
            f"model file {path} is missing; build it with `scipix-search models build`",
            path=path,
        )
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        options.intra_op_num_threads = threads
    providers = choose_providers(device)
    session = ort.InferenceSession(str(path), sess_options=options, providers=providers)
    logger.debug("loaded %s on %s", path.name, session.get_providers()[0])
    return session
