"""FAISS device choice: the same rule as the ONNX models', and a GPU copy that follows the index.

The GPU tests run only where ``faiss-gpu`` sees a device (the ``gpu`` extra on a GPU machine);
everywhere else the CPU path, and the refusal of ``cuda`` without a GPU, are what is checked.
"""

import numpy as np
import pytest

from scipix_search.exceptions import MissingDependencyError
from scipix_search.store import VectorIndex
from scipix_search.store._gpu import FAISS_GPU_PACKAGE, faiss_on_gpu, gpu_count
from scipix_search.store._kinds import IndexPolicy
from tests.factories import random_unit_vectors

needs_gpu = pytest.mark.skipif(gpu_count() == 0, reason="FAISS sees no GPU (faiss-cpu)")
no_gpu = pytest.mark.skipif(gpu_count() > 0, reason="FAISS sees a GPU here")


@pytest.mark.parametrize(
    ("device", "gpus", "expected"),
    [
        ("cpu", 0, False),
        ("cpu", 2, False),
        ("auto", 0, False),
        ("auto", 1, True),
        ("cuda", 1, True),
    ],
)
def test_faiss_device_follows_the_setting_and_what_faiss_sees(device, gpus, expected):
    assert faiss_on_gpu(device, gpus=gpus) is expected


def test_cuda_without_a_gpu_is_an_error_naming_the_package():
    with pytest.raises(MissingDependencyError, match=FAISS_GPU_PACKAGE):
        faiss_on_gpu("cuda", gpus=0)


@no_gpu
def test_index_asked_for_cuda_without_a_gpu_refuses_to_search_on_the_cpu(tmp_path):
    index = VectorIndex.open(tmp_path, dim=8, encoder="e", policy=IndexPolicy(device="cuda"))
    index.add(np.arange(4), random_unit_vectors(4, 8))
    with pytest.raises(MissingDependencyError):
        index.search(random_unit_vectors(1, 8), k=2)


@no_gpu
def test_auto_without_a_gpu_searches_the_cpu_index(tmp_path):
    index = VectorIndex.open(tmp_path, dim=8, encoder="e", policy=IndexPolicy(device="auto"))
    vectors = random_unit_vectors(6, 8)
    index.add(np.arange(10, 16), vectors)
    assert index.search(vectors[[3]], k=1)[1].tolist() == [[13]]
    assert index._device_index is None


def _cpu_and_gpu(tmp_path, policy_kwargs):
    cpu = VectorIndex.open(
        tmp_path / "cpu", dim=32, encoder="e", policy=IndexPolicy(device="cpu", **policy_kwargs)
    )
    gpu = VectorIndex.open(
        tmp_path / "gpu", dim=32, encoder="e", policy=IndexPolicy(device="cuda", **policy_kwargs)
    )
    return cpu, gpu


@needs_gpu
@pytest.mark.parametrize("policy_kwargs", [{}, {"kind": "ivf", "approximate_from": 2_000}])
def test_gpu_copy_answers_as_the_cpu_index_through_adds_and_removes(tmp_path, policy_kwargs):
    cpu, gpu = _cpu_and_gpu(tmp_path, policy_kwargs)
    vectors = random_unit_vectors(3_000, 32, seed=1)
    queries = random_unit_vectors(20, 32, seed=2)
    for index in (cpu, gpu):
        index.add(np.arange(3_000), vectors[:3_000])
    assert gpu.kind == cpu.kind
    np.testing.assert_array_equal(gpu.search(queries, 5)[1], cpu.search(queries, 5)[1])
    assert gpu._device_index is not None
    more = random_unit_vectors(50, 32, seed=3)
    for index in (cpu, gpu):
        index.add(np.arange(5_000, 5_050), more)
        index.remove(np.arange(0, 3_000, 2))
    np.testing.assert_array_equal(gpu.search(more[:10], 5)[1], cpu.search(more[:10], 5)[1])
    assert set(gpu.search(queries, 50)[1].ravel().tolist()).isdisjoint(range(0, 3_000, 2))
