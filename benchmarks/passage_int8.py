"""The passage encoder in fp32 against dynamic int8 copies: speed and known-item retrieval.

    python benchmarks/passage_int8.py [--queries 400]

Every passage of the real papers' PDFs (as ingestion cuts them) is embedded by the exported
all-MiniLM-L6-v2 and by int8 copies made here with ``onnxruntime.quantization.quantize_dynamic``
(per-tensor, per-channel MatMuls, and per-channel only the MatMuls that read a layer norm's
output: each layer's Q, K, V and FFN-in projections, keeping the attention output and FFN-out
projections fp32), and by the default int8 copy (``embed/_text_int8.py``: the last with
SmoothQuant scales, and the attention output and FFN-out projections per channel too); every text runs alone, as the encoder runs on a CPU; a query is one sentence of a passage, and the passage it came from is the
answer (dense search alone, exact inner product over all passages). Prints CPU ms a passage,
MRR (overall and by the half of the answer's paper, as ``pdf_equations.py`` splits them), R@1,
R@10 and the cosine of each copy's vectors to fp32's.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks._common import half_of  # noqa: E402
from scipix_search.config import Settings  # noqa: E402
from scipix_search.embed import TextEncoder, int8_model_dir  # noqa: E402
from scipix_search.eval import paper_folders, shared_data_dir  # noqa: E402
from scipix_search.ingest import parse_pdf, sha256_bytes  # noqa: E402


def quantised_copy(src: Path, dst: Path, **options: object) -> Path:
    """``src``'s model folder with its weights quantised to int8 (tokenizer and manifest kept)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("model.onnx*"))
    quantize_dynamic(
        str(src / "model.onnx"),
        str(dst / "model.onnx"),
        weight_type=QuantType.QInt8,
        **options,  # type: ignore[arg-type]
    )
    return dst


def layer_norm_readers(model: Path) -> list[str]:
    """Names of the weight MatMuls whose activation input is a LayerNormalization's output."""
    import onnx

    graph = onnx.load(str(model), load_external_data=False).graph
    weights = {i.name for i in graph.initializer}
    normed = {o for n in graph.node if n.op_type == "LayerNormalization" for o in n.output}
    return [
        n.name
        for n in graph.node
        if n.op_type == "MatMul" and n.input[0] in normed and n.input[1] in weights
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--queries", type=int, default=400, help="0: one query from every passage that has one"
    )
    args = parser.parse_args()
    src = TextEncoder.from_model_dir(Settings().model_dir, precision="fp32").path
    passages: list[str] = []
    halves: list[str] = []
    for paper in paper_folders(shared_data_dir() / "papers"):
        data = paper.pdf.read_bytes()
        parsed = parse_pdf(data, paper.pdf.name, sha256_bytes(data), max_pages=10_000)
        passages += [p.text for p in parsed.passages]
        halves += [half_of(paper.name)] * len(parsed.passages)
    rng = random.Random(0)
    queries: list[str] = []
    answers: list[int] = []
    for j in rng.sample(range(len(passages)), len(passages)):
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", passages[j]) if len(s) > 60]
        if sentences:
            queries.append(rng.choice(sentences))
            answers.append(j)
        if len(queries) == args.queries > 0:
            break
    scratch = Path(tempfile.mkdtemp())
    models = {
        "fp32": src,
        "int8 per-tensor": quantised_copy(src, scratch / "tensor"),
        "int8 per-channel MatMul": quantised_copy(
            src, scratch / "channel", per_channel=True, op_types_to_quantize=["MatMul"]
        ),
        "int8 per-channel QKV + FFN-in": quantised_copy(
            src,
            scratch / "normed",
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            nodes_to_quantize=layer_norm_readers(src / "model.onnx"),
        ),
        "int8 smoothed QKV + FFN-in, the rest per-channel (default)": int8_model_dir(src),
    }
    half = np.array([halves[j] for j in answers])
    print(f"{len(passages)} passages, {len(queries)} queries, {os.cpu_count()} CPUs")
    print(f"queries answered in half a / b: {(half == 'a').sum()} / {(half == 'b').sum()}")
    print("| model | CPU ms a passage | MRR | MRR a / b | R@1 | R@10 | cosine to fp32 mean / min |")
    print("|---|---|---|---|---|---|---|")
    reference: np.ndarray | None = None
    for name, path in models.items():
        encoder = TextEncoder(path)
        encoder.encode(passages[:64])  # warm-up
        started = time.process_time()
        vectors = encoder.encode(passages)
        cpu_ms = 1000 * (time.process_time() - started) / len(passages)
        scores = encoder.encode(queries) @ vectors.T
        ranks = np.array(
            [(scores[k] > scores[k, j]).sum() + 1 for k, j in enumerate(answers)], dtype=float
        )
        if reference is None:
            reference = vectors
        cosine = (vectors * reference).sum(axis=1)
        rr = 1 / ranks
        by_half = f"{rr[half == 'a'].mean():.4f} / {rr[half == 'b'].mean():.4f}"
        print(
            f"| {name} | {cpu_ms:.1f} | {rr.mean():.4f} | {by_half} | {np.mean(ranks == 1):.3f} "
            f"| {np.mean(ranks <= 10):.3f} | {cosine.mean():.4f} / {cosine.min():.4f} |"
        )
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
