"""The one ONNX Runtime session factory: providers, threads, no spinning, its errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scipix_search.exceptions import (
    EmbeddingError,
    MissingDependencyError,
    ModelNotFoundError,
    OCRError,
)
from scipix_search.onnx import choose_providers, make_session, uses_cuda
from tests.factories import identity_onnx_model

SPINNING = "session.intra_op.allow_spinning"


def test_choose_providers_cuda_only_when_requested_and_available() -> None:
    cpu_only = ["CPUExecutionProvider"]
    both = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert choose_providers("auto", cpu_only) == cpu_only
    assert choose_providers("auto", both) == both
    assert choose_providers("cpu", both) == cpu_only
    assert choose_providers("cuda", both) == both
    with pytest.raises(MissingDependencyError, match="onnxruntime-gpu"):
        choose_providers("cuda", cpu_only)


def test_make_session_threads_and_no_spinning_by_default(tmp_path: Path) -> None:
    path = identity_onnx_model(tmp_path / "identity.onnx")
    quiet = make_session(path, "cpu")
    options = quiet.get_session_options()
    assert options.get_session_config_entry(SPINNING) == "0"
    assert options.intra_op_num_threads == len(os.sched_getaffinity(0))
    assert options.inter_op_num_threads == 1
    assert quiet.get_providers() == ["CPUExecutionProvider"] and not uses_cuda(quiet)
    busy = make_session(path, "cpu", 2, spinning=True).get_session_options()
    assert busy.get_session_config_entry(SPINNING) == "1"
    assert busy.intra_op_num_threads == 2


def test_make_session_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="models build"):
        make_session(tmp_path / "absent.onnx")
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a graph")
    with pytest.raises(OCRError, match="cannot load"):
        make_session(broken, "cpu", error=OCRError)
    with pytest.raises(EmbeddingError, match="cannot load"):
        make_session(broken, "cpu", error=EmbeddingError)


def test_cuda_provider_that_does_not_load_is_an_error_not_a_cpu_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # onnxruntime-gpu lists CUDAExecutionProvider even without the CUDA libraries, then builds a
    # CPU session; this CPU build, told the provider exists, does the same.
    import onnxruntime

    path = identity_onnx_model(tmp_path / "identity.onnx")
    monkeypatch.setattr(
        onnxruntime,
        "get_available_providers",
        lambda: ["CUDAExecutionProvider", "CPUExecutionProvider"],
    )
    with pytest.raises(MissingDependencyError, match="did not load"):
        make_session(path, "cuda")
    with caplog.at_level("WARNING", logger="scipix_search.onnx"):
        session = make_session(path, "auto")
    assert not uses_cuda(session)
    assert "did not load" in caplog.text
