"""Formula OCR benchmark: the ONNX Runtime engine beside a fixed-scale baseline and PyTorch.

Datasets (under ``<data-dir>/data``): ``im2latex/dev.tsv`` (printed) and ``handwritten/val.tsv``.

Systems, each timed per formula (load, preprocessing and model, in this process):

- ``onnx <precision>``: the engine as shipped: scale from the glyph height pooled over the
  dataset's crops (as ingestion pools a paper's crops), greedy decoding, retries at neighbouring
  scales when unconfident.
- ``... vote3``: the same with ``scale_votes=3`` (majority of three scales).
- ``onnx <precision> fixed x1.4``: every image rescaled by the single best fixed factor of the
  im2latex images (the issue's reference point), same decoder: the bar the engine's own scale
  handling must reach.
- ``pytorch x1.4`` on the first ``--torch-limit`` formulas, beside the engine on the same ones:
  pix2tex 0.1.4 in PyTorch with the same weights and greedy decoding.

Metrics on two normalisations, each applied to both sides:

- ``tok``: :func:`scipix_search.ocr.latex_tokens` (style wrappers and thin spaces dropped) —
  spellings that render identically still differ (``{\\cal L}`` / ``\\mathcal{L}``, redundant
  braces, ``\\left(`` / ``(``).
- ``canon``: :func:`scipix_search.math.normalize`, the canonical form every stored and query
  formula goes through (unparseable outputs fall back to raw tokens). It unifies such spellings,
  which is what an image-match evaluation of im2latex would count as equal.

Usage::

    python benchmarks/formula_ocr.py --datasets im2latex --votes 1,3 --torch-limit 100
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from scipix_search.eval import print_table, shared_data_dir
from scipix_search.math import as_tokens, corpus_bleu4, levenshtein

DATASETS = {
    "im2latex": ("im2latex/dev.tsv", "im2latex/images"),
    "handwritten": ("handwritten/val.tsv", "handwritten/images_val"),
}
FIXED_SCALE = 1.4


def score(preds: list[str], truths: list[str], times: list[float]) -> dict[str, float]:
    """All metrics of one system on one dataset."""
    from scipix_search.ocr import latex_tokens

    out: dict[str, float] = {"n": len(preds)}
    for name, tokens in (("tok", latex_tokens), ("canon", as_tokens)):
        hyps, refs = [tokens(p) for p in preds], [tokens(t) for t in truths]
        pairs = list(zip(hyps, refs, strict=True))
        out[f"bleu_{name}"] = corpus_bleu4(refs, hyps)
        out[f"exact_{name}"] = statistics.fmean(h == r for h, r in pairs)
        out[f"edit_{name}"] = statistics.fmean(
            levenshtein(h, r) / max(len(h), len(r), 1) for h, r in pairs
        )
    out["ms_median"] = statistics.median(times)
    out["ms_p90"] = sorted(times)[int(0.9 * (len(times) - 1))]
    return out


def run_system(read: Callable[[Path], str], items: list[tuple[Path, str]]) -> dict[str, float]:
    preds, times = [], []
    for path, _ in items:
        start = time.perf_counter()
        preds.append(read(path))
        times.append((time.perf_counter() - start) * 1000)
    return score(preds, [t for _, t in items], times)


def torch_reader(weights: Path, scale: float) -> Callable[[Path], str]:
    """pix2tex 0.1.4 in PyTorch (x-transformers, no cache), greedy, on the engine's crops."""
    import torch

    from scipix_search.ocr import (
        LatexRecognizer,
        clean_latex,
        load_image,
        load_reference_model,
        prepare,
        to_model_input,
    )

    torch.set_num_threads(len(os.sched_getaffinity(0)))
    model = load_reference_model(weights)
    tokenizer = LatexRecognizer(multiscale=False)._tokenizer
    vocab = tokenizer.vocab_size

    def read(path: Path) -> str:
        prepared = prepare(load_image(path))
        if prepared is None:
            return ""
        with torch.no_grad():
            context = model.encoder(torch.from_numpy(to_model_input(prepared.gray, scale)))
            seq = torch.tensor([[1]])
            for _ in range(400):
                token = model.decoder.net(seq, context=context)[:, -1, :vocab].argmax(-1)
                if int(token) == 2:
                    break
                seq = torch.cat([seq, token[:, None]], dim=1)
        return clean_latex(tokenizer.decode(seq[0, 1:].tolist()))

    return read


def load_items(data: Path, name: str, limit: int | None) -> list[tuple[Path, str]]:
    tsv, images = DATASETS[name]
    with (data / tsv).open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [(data / images / row["image"], row["latex"]) for row in rows[:limit]]


def print_results(rows: list[tuple[str, str, dict[str, float]]]) -> None:
    header = (
        "dataset", "system", "n", "BLEU tok", "exact tok", "BLEU can", "exact can", "edit can",
        "ms med", "ms p90",
    )  # fmt: skip
    print_table(
        header,
        [
            [
                name,
                system,
                m["n"],
                f"{m['bleu_tok']:.3f}",
                f"{m['exact_tok']:.3f}",
                f"{m['bleu_canon']:.3f}",
                f"{m['exact_canon']:.3f}",
                f"{m['edit_canon']:.3f}",
                f"{m['ms_median']:.0f}",
                f"{m['ms_p90']:.0f}",
            ]
            for name, system, m in rows
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=shared_data_dir(),
        help="the shared data folder (or the shared folder above it) [env: SCIPIX_SHARED_DIR]",
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="formulas per dataset (default: all)"
    )
    parser.add_argument(
        "--torch-limit",
        type=int,
        default=100,
        help="formulas for the slow PyTorch reference (0: skip)",
    )
    parser.add_argument("--datasets", default="im2latex,handwritten")
    parser.add_argument("--beam", type=int, default=1)
    parser.add_argument("--no-multiscale", action="store_true")
    parser.add_argument("--votes", default="1", help="scale_votes settings to run, e.g. 1,3")
    parser.add_argument(
        "--doubt",
        default="0.6",
        help="doubt_below settings to run with scale_votes=1 (least token probability under "
        "which a read is put to a scale vote), e.g. 0.6,0.4,0.25",
    )
    parser.add_argument("--no-fixed", action="store_true", help="skip the fixed x1.4 baseline")
    parser.add_argument(
        "--precisions", default="int8", help="ONNX decoder precisions to run (int8, fp32)"
    )
    parser.add_argument(
        "--no-calibrate",
        action="store_true",
        help="scale each crop by its own glyph estimate instead of the dataset's pooled one",
    )
    parser.add_argument(
        "--weights", type=Path, default=None, help="pix2tex weights.pth for the reference"
    )
    args = parser.parse_args(argv)

    from scipix_search.config import get_settings
    from scipix_search.ocr import TARGET_GLYPH_HEIGHT, LatexRecognizer

    data = args.data_dir / "data" if (args.data_dir / "data").is_dir() else args.data_dir
    engines: dict[str, LatexRecognizer] = {}
    doubts = [float(d) for d in args.doubt.split(",")]
    for precision in args.precisions.split(","):
        for votes in (int(v) for v in args.votes.split(",")):
            for doubt in doubts if votes == 1 else doubts[:1]:
                label = f"onnx {precision}" + (" vote3" if votes > 1 else "")
                label += f" doubt<{doubt:g}" if len(doubts) > 1 and votes == 1 else ""
                engines[label] = LatexRecognizer(
                    beam_size=args.beam,
                    multiscale=not args.no_multiscale,
                    precision=precision,
                    scale_votes=votes,
                    doubt_below=doubt,
                )
    fixed = None
    if not args.no_fixed:
        precision = args.precisions.split(",")[0]
        fixed = LatexRecognizer(
            multiscale=False,
            precision=precision,
            glyph_height=TARGET_GLYPH_HEIGHT / FIXED_SCALE,
            scale_votes=1,
        )
    first = next(iter(engines.values()))
    weights = args.weights or first.model_dir / "reference" / "weights.pth"
    rows: list[tuple[str, str, dict[str, float]]] = []
    for name in args.datasets.split(","):
        items = load_items(data, name, args.limit)
        for label, engine in engines.items():
            # Formulas of one dataset share a font size, as those of one paper do: pool the
            # glyph height over (unlabelled) crops, the way ingest pools a document's crops.
            engine.glyph_height = None
            if not args.no_calibrate:
                engine.calibrate([path for path, _ in items[:200]])
            engine(items[0][0])  # warm-up: first-call allocations are not per-formula cost
            result = run_system(lambda p, e=engine: e(p).latex, items)
            rows.append((name, label, result))
            print(name, label, result, file=sys.stderr, flush=True)
        if fixed is not None:
            fixed(items[0][0])
            result = run_system(lambda p: fixed(p).latex, items)
            rows.append((name, f"onnx fixed x{FIXED_SCALE}", result))
            print(name, "fixed", result, file=sys.stderr, flush=True)
        if args.torch_limit and weights.is_file():
            reference = torch_reader(weights, FIXED_SCALE)
            subset = items[: args.torch_limit]
            reference(subset[0][0])
            for label, engine in engines.items():
                result = run_system(lambda p, e=engine: e(p).latex, subset)
                rows.append((name, f"{label} (same {len(subset)})", result))
            if fixed is not None:
                result = run_system(lambda p: fixed(p).latex, subset)
                rows.append((name, f"onnx fixed x{FIXED_SCALE} (same {len(subset)})", result))
            rows.append((name, f"pytorch x{FIXED_SCALE}", run_system(reference, subset)))
        elif args.torch_limit:
            print(f"note: no reference weights at {weights}; PyTorch skipped", file=sys.stderr)
    print(
        f"model dir: {get_settings().model_dir}; cores: {len(os.sched_getaffinity(0))}; "
        f"cpu: {platform.processor() or platform.machine()}"
    )
    print_results(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
