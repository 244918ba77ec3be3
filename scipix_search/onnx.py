"""ONNX Runtime sessions for every model of the package (formula OCR, text encoder).

One factory, so that every model gets the same execution-provider choice (made at run time:
CUDA when onnxruntime-gpu sees a GPU and the device allows it, CPU otherwise) and the same
threading: intra-op threads counted from the cores this process may use, and idle threads that
sleep rather than spin. onnxruntime is imported lazily, with an install hint.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from scipix_search.exceptions import MissingDependencyError, ModelNotFoundError, ScipixError

logger = logging.getLogger(__name__)

_INSTALL_HINT = (
    "onnxruntime is required to run the models: pip install 'onnxruntime>=1.20' "
    "(or onnxruntime-gpu for CUDA)"
)
CUDA = "CUDAExecutionProvider"
CPU = "CPUExecutionProvider"
# cuDNN's exhaustive convolution search (the CUDA provider's default) benchmarks every algorithm
# for each new input shape; the formula encoder sees a new image size with most crops, so on an
# H200 a formula took 730 ms (median) on CUDA against 96 ms on the CPU. Its heuristic choice was
# still 2.6x slower than no search at all (the encoder alone: 83 vs 32 ms a crop, profiled).
_OPTIONS: dict[str, dict[str, str]] = {CUDA: {"cudnn_conv_algo_search": "DEFAULT"}}


def import_onnxruntime() -> Any:
    """Import onnxruntime, or raise :class:`MissingDependencyError` with an install hint."""
    try:
        import onnxruntime
    except ImportError as exc:
        raise MissingDependencyError(_INSTALL_HINT, package="onnxruntime") from exc
    return onnxruntime


def choose_providers(device: str, available: list[str]) -> list[str]:
    """Execution providers for ``device`` (``auto``, ``cpu`` or ``cuda``).

    Args:
        device: The requested device (``Settings.device``).
        available: ``onnxruntime.get_available_providers()``.

    Returns:
        Providers in order of preference: CUDA then CPU where CUDA is requested (or ``auto``)
        and available, otherwise CPU alone.

    Raises:
        MissingDependencyError: ``cuda`` was requested but onnxruntime has no CUDA provider.

    Example:
        >>> choose_providers("auto", ["CPUExecutionProvider"])
        ['CPUExecutionProvider']
    """
    has_cuda = CUDA in available
    if device == "cuda" and not has_cuda:
        raise MissingDependencyError(
            "device 'cuda' requested but onnxruntime has no CUDAExecutionProvider "
            "(install onnxruntime-gpu and check the CUDA libraries)",
            package="onnxruntime-gpu",
            available=available,
        )
    if device in ("auto", "cuda") and has_cuda:
        return [CUDA, CPU]
    return [CPU]


def uses_cuda(session: Any) -> bool:
    """Whether a session runs on the CUDA execution provider."""
    return CUDA in session.get_providers()


def make_session(
    path: Path,
    device: str = "auto",
    threads: int | None = None,
    *,
    spinning: bool = False,
    error: type[ScipixError] = ScipixError,
    model: bytes | None = None,
    cpu_unfused: tuple[str, ...] = (),
) -> Any:
    """Open an ONNX Runtime inference session on the chosen providers.

    Args:
        path: The ``.onnx`` file.
        device: ``auto``, ``cpu`` or ``cuda``.
        threads: Intra-op threads (``None``: one per core this process may use).
        spinning: Let idle intra-op threads busy-wait for work (ONNX Runtime's default). Off
            here: after each formula-encoder call the spinning worker held a core that the
            decoder (and every other process) then lacked; on 2 shared cores a read took 1.7x
            as long.
        error: What to raise when ONNX Runtime rejects the file, so that each stage reports
            its own kind of failure (``OCRError``, ``EmbeddingError``).
        model: The model's bytes where they are not the file's (a model changed once
            loaded: the text recognizer with its classes cut); ``path`` then names it.
        cpu_unfused: ONNX Runtime graph optimisers (fusions) to leave out where the session
            runs on the CPU alone: a fused CPU kernel can cost more than the nodes it
            replaces (see ``embed._text.CPU_UNFUSED``). CUDA sessions keep every fusion.

    Returns:
        The ``onnxruntime.InferenceSession``.

    Raises:
        ModelNotFoundError: The file does not exist.
        MissingDependencyError: onnxruntime is missing, or ``cuda`` was requested without
            its provider.
        ScipixError: The session cannot be created (of the class ``error``).
    """
    ort = import_onnxruntime()
    if model is None and not path.is_file():
        raise ModelNotFoundError(
            f"{path} not found; build it with `scipix-search models build`", path=str(path)
        )
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    # ONNX Runtime's default counts the host's cores, not the ones this process may use
    # (containers, taskset); oversubscribed threads made decoding several times slower.
    options.intra_op_num_threads = threads or max(1, len(os.sched_getaffinity(0)))
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    providers = choose_providers(device, ort.get_available_providers())
    if CUDA in providers:
        _preload_cuda_libraries(ort)
    try:
        session = ort.InferenceSession(
            str(path) if model is None else model,
            options,
            providers=[(name, _OPTIONS.get(name, {})) for name in providers],
            disabled_optimizers=list(cpu_unfused) if providers == [CPU] else None,
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise error(f"cannot load {path}: {exc}", path=str(path)) from exc
    if CUDA in providers and not uses_cuda(session):
        # onnxruntime-gpu lists its CUDA provider even where the CUDA or cuDNN libraries are
        # missing, and then quietly builds a CPU session: a "cuda" figure would be a CPU one.
        if device == "cuda":
            raise MissingDependencyError(
                f"device 'cuda' requested but the CUDA provider did not load for {path.name} "
                "(CUDA 12/13 runtime, cuBLAS and cuDNN 9 libraries must be on the library path)",
                package="onnxruntime-gpu",
                providers=session.get_providers(),
            )
        logger.warning("%s: the CUDA provider did not load; running on the CPU", path.name)
    logger.debug("loaded %s on %s", path.name, session.get_providers())
    return session


_preloaded = False


def _preload_cuda_libraries(ort: Any) -> None:
    """Load the CUDA and cuDNN libraries of the ``nvidia-*`` wheels once (onnxruntime >= 1.21).

    onnxruntime-gpu finds them only on the library path; ``preload_dlls`` also looks in the
    Python environment's ``nvidia`` packages (where PyTorch's CUDA build puts them).
    """
    global _preloaded
    if _preloaded or not hasattr(ort, "preload_dlls"):
        return
    _preloaded = True
    try:
        ort.preload_dlls()
    except Exception as exc:  # a missing library shows again, as a failed provider, below
        logger.debug("onnxruntime.preload_dlls failed: %s", exc)
