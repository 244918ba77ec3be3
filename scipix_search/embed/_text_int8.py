"""The passage encoder's int8 copy, built offline from the exported fp32 model.

Every weight MatMul is quantised (each layer's Q, K, V, attention output, FFN-in and FFN-out
projections; the two activation-by-activation MatMuls of attention stay fp32), with int8
weights per output channel and activations quantised per tensor at run time (ONNX Runtime's
dynamic quantisation). Before quantising, each layer norm output's per-channel range is moved
into the weights that read it, the Q, K, V and FFN-in projections (SmoothQuant: ``x W = (x /
s)(s W)``, ``s_j = sqrt(max|x_j| / max|W_j|)`` rounded to a power of two), which is exact in
fp32 and keeps a few large channels from setting the scale of the whole tensor: the vectors'
cosine to fp32 on the real papers' passages rose from 0.9962 mean / 0.9786 min to 0.9990 /
0.9945 (``benchmarks/passage_int8.py``, models/README.md). The attention output and FFN-out
projections read no layer norm and are quantised per channel alone; quantising them too cut the
CPU a passage by a third with the known-item MRR on the real papers unchanged on both halves
(cosine to fp32 0.9993 -> 0.9957 mean; models/README.md). The channel ranges are calibrated on
the fixed sentences below, written here, not on any corpus.

The copy is a cache keyed by the content of the fp32 files and the recipe: a new export or a
new recipe builds a new folder, and a folder once written is never changed (processes starting
together each build into a private folder and the first rename wins).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from scipix_search.exceptions import EmbeddingError

logger = logging.getLogger(__name__)

RECIPE = "smoothquant-0.5-pow2+qkv-ffn-in-per-channel+attn-out-ffn-out-per-channel-1"
"""Changes whenever the quantised model would: part of the cache key."""

MIN_COSINE = 0.99
"""Least cosine to fp32 on the check sentences that a built copy must reach."""

CALIBRATION = [
    "The Hamiltonian of the system is conserved along trajectories.",
    "We prove convergence of the evolutionary algorithm under mild assumptions.",
    "Imitation learning from demonstrations",
    "In this section we describe the experimental setup and the data used for training.",
    "The results show that the proposed estimator has lower variance than the baseline.",
    "Let f be a continuous function on the closed interval [a, b].",
    "Figure 3 shows the spectral density as a function of frequency for three temperatures.",
    "These measurements were repeated five times, and the mean and standard deviation are "
    "reported.",
    "Theorem 2. For every epsilon > 0 there exists a delta such that the bound holds.",
    "The authors thank the referees for their comments and acknowledge funding from the agency.",
    "Table 1 lists the parameters of the model and their prior distributions.",
    "The sample was cooled to 4 K and the resistance was recorded during warming.",
]


def _content_key(fp32_dir: Path) -> str:
    digest = hashlib.sha256(RECIPE.encode())
    for name in ("model.onnx", "model.onnx.data"):
        path = fp32_dir / name
        if path.exists():
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()


def int8_model_dir(fp32_dir: Path) -> Path:
    """The int8 copy of the encoder in ``fp32_dir``, built there once (a sibling folder
    named by the content hash of the fp32 files and :data:`RECIPE`).

    Raises:
        EmbeddingError: the copy could not be built or disagrees with fp32.
    """
    key = _content_key(fp32_dir)
    out = fp32_dir.parent / f"{fp32_dir.name}-int8-{key[:16]}"
    if (out / "manifest.json").exists():
        return out
    started = time.perf_counter()
    tmp = fp32_dir.parent / f".{out.name}.{os.getpid()}.building"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir(parents=True)
        worst = _build(fp32_dir, tmp, key)
        try:
            tmp.rename(out)
        except OSError:  # another process renamed its copy first: the same content
            if not (out / "manifest.json").exists():
                raise
    except EmbeddingError:
        raise
    except Exception as exc:  # onnx / onnxruntime.quantization raise their own types
        raise EmbeddingError(f"cannot build the int8 passage encoder: {exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info(
        "built the int8 passage encoder in %.1f s (least cosine to fp32 %.4f): %s",
        time.perf_counter() - started,
        worst,
        out,
    )
    return out


def _build(fp32_dir: Path, out: Path, key: str) -> float:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from scipix_search.embed._text import TextEncoder

    model = onnx.load(str(fp32_dir / "model.onnx"))
    names = smooth(model, _channel_ranges(model, TextEncoder(fp32_dir, device="cpu")))
    # the other weight MatMuls (attention output, FFN-out) read no layer norm: per channel alone
    weights = {i.name for i in model.graph.initializer}
    names += [
        n.name
        for n in model.graph.node
        if n.op_type == "MatMul" and n.input[1] in weights and n.name not in names
    ]
    smoothed = out / "smoothed.onnx"
    onnx.save(model, str(smoothed))
    quantize_dynamic(
        str(smoothed),
        str(out / "model.onnx"),
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
        nodes_to_quantize=names,
    )
    smoothed.unlink()
    for name in ("tokenizer.json", "config.json", "sentence_bert_config.json"):
        if (fp32_dir / name).exists():
            shutil.copy2(fp32_dir / name, out / name)
    fp32 = TextEncoder(fp32_dir, device="cpu")
    reference = fp32.encode(CALIBRATION)
    manifest = {
        **fp32.manifest,
        "precision": "int8",
        "recipe": RECIPE,
        "source": fp32_dir.name,
        "source_key": key,
        "quantised_matmuls": len(names),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    copy = TextEncoder(out, device="cpu", batch_size=1)
    worst = float(np.min(np.sum(reference * copy.encode(CALIBRATION), axis=1)))
    if worst < MIN_COSINE:
        raise EmbeddingError(f"the int8 passage encoder disagrees with fp32 (cosine {worst:.4f})")
    manifest["check_min_cosine"] = round(worst, 5)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return worst


def layer_norm_readers(graph: Any) -> dict[str, list[Any]]:
    """The weight MatMuls whose activation input is a LayerNormalization's output, by that
    output's name."""
    weights = {i.name for i in graph.initializer}
    normed = {o for n in graph.node if n.op_type == "LayerNormalization" for o in n.output}
    readers: dict[str, list[Any]] = {}
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[0] in normed and node.input[1] in weights:
            readers.setdefault(node.input[0], []).append(node)
    return readers


def _channel_ranges(model: Any, encoder: Any) -> dict[str, np.ndarray]:
    """max |x_j| of each layer norm output read by a weight MatMul, over the calibration
    sentences (one at a time: no padding)."""
    import onnx
    from onnx import helper

    from scipix_search.onnx import import_onnxruntime

    ort = import_onnxruntime()
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    outputs = list(layer_norm_readers(probe.graph))
    for name in outputs:
        probe.graph.output.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, None))
    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(
        probe.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    index = {o.name: k for k, o in enumerate(session.get_outputs())}
    ranges: dict[str, np.ndarray] = {}
    for sentence in CALIBRATION:
        ids = np.array([encoder._tokenizer.encode(sentence).ids], dtype=np.int64)
        feeds = {
            "input_ids": ids,
            "attention_mask": np.ones_like(ids),
            "token_type_ids": np.zeros_like(ids),
        }
        results = session.run(None, feeds)
        for name in outputs:
            x = np.abs(results[index[name]]).reshape(-1, results[index[name]].shape[-1])
            seen = x.max(axis=0)
            ranges[name] = np.maximum(ranges[name], seen) if name in ranges else seen
    return ranges


def smooth(model: Any, ranges: dict[str, np.ndarray], alpha: float = 0.5) -> list[str]:
    """Fold per-channel scales between each layer norm output and the MatMuls reading it
    (in place; exact in fp32). Returns the names of those MatMuls."""
    from onnx import helper, numpy_helper

    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    scaled: dict[str, Any] = {}
    names: list[str] = []
    for x, readers in layer_norm_readers(graph).items():
        weights = [numpy_helper.to_array(initializers[n.input[1]]) for n in readers]
        w_max = np.max([np.abs(w).max(axis=1) for w in weights], axis=0)
        s = np.maximum(ranges[x], 1e-5) ** alpha / np.maximum(w_max, 1e-5) ** (1 - alpha)
        # A power of two: scaling is then exact in fp32, and the last bits of the calibration
        # run (which vary with threads and kernels) cannot change the quantised weights.
        s = np.exp2(np.round(np.log2(s)))
        inverse = numpy_helper.from_array((1 / s).astype(np.float32), f"{x}_smooth_inverse")
        graph.initializer.append(inverse)
        scaled[x] = helper.make_node(
            "Mul", [x, inverse.name], [f"{x}_smoothed"], name=f"{x}_smooth"
        )
        for node, w in zip(readers, weights, strict=True):
            initializers[node.input[1]].CopyFrom(
                numpy_helper.from_array((w * s[:, None]).astype(np.float32), node.input[1])
            )
            node.input[0] = f"{x}_smoothed"
            names.append(node.name)
    nodes = list(graph.node)
    del graph.node[:]
    for node in nodes:  # each Mul right after the layer norm it scales (topological order)
        graph.node.append(node)
        graph.node.extend(scaled[o] for o in node.output if o in scaled)
    return names
