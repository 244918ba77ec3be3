"""Formula OCR benchmark: ONNX Runtime engine beside the PyTorch pix2tex reference.

Datasets (under ``<data-dir>/data``): ``im2latex/dev.tsv`` (printed) and ``handwritten/val.tsv``.
Metrics on LaTeX token sequences after :func:`scipix_search.ocr.latex_tokens` on both sides:
corpus BLEU-4, mean normalised edit distance, exact match; and ms per formula (median, p90).

Usage::

    python benchmarks/formula_ocr.py --limit 200 --torch-limit 50
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from scipix_search.math import levenshtein

ROOT = Path(__file__).resolve().parent.parent
DATASETS = {
    "im2latex": ("im2latex/dev.tsv", "im2latex/images"),
    "handwritten": ("handwritten/val.tsv", "handwritten/images_val"),
}


def bleu4(hyps: list[list[str]], refs: list[list[str]]) -> float:
    """Corpus BLEU-4 (uniform weights, brevity penalty), as in im2latex evaluations."""
    matches, totals = [0] * 4, [0] * 4
    hyp_len = sum(len(h) for h in hyps)
    ref_len = sum(len(r) for r in refs)
    for hyp, ref in zip(hyps, refs, strict=True):
        for n in range(1, 5):
            h = Counter(tuple(hyp[i : i + n]) for i in range(len(hyp) - n + 1))
            r = Counter(tuple(ref[i : i + n]) for i in range(len(ref) - n + 1))
            matches[n - 1] += sum(min(c, r[g]) for g, c in h.items())
            totals[n - 1] += max(len(hyp) - n + 1, 0)
    if min(matches) == 0:
        return 0.0
    log_p = sum(math.log(m / t) for m, t in zip(matches, totals, strict=True)) / 4
    penalty = 1.0 if hyp_len > ref_len else math.exp(1 - ref_len / max(hyp_len, 1))
    return penalty * math.exp(log_p)


def score(preds: list[str], truths: list[str], times: list[float]) -> dict[str, float]:
    """All metrics of one system on one dataset."""
    from scipix_search.ocr import latex_tokens

    hyps, refs = [latex_tokens(p) for p in preds], [latex_tokens(t) for t in truths]
    ned = [levenshtein(h, r) / max(len(h), len(r), 1) for h, r in zip(hyps, refs, strict=True)]
    return {
        "n": len(preds),
        "bleu4": bleu4(hyps, refs),
        "edit": statistics.fmean(ned),
        "exact": statistics.fmean(h == r for h, r in zip(hyps, refs, strict=True)),
        "ms_median": statistics.median(times),
        "ms_p90": sorted(times)[int(0.9 * (len(times) - 1))],
    }


def run_system(read: Callable[[Path], str], items: list[tuple[Path, str]]) -> dict[str, float]:
    preds, times = [], []
    for path, _ in items:
        start = time.perf_counter()
        preds.append(read(path))
        times.append((time.perf_counter() - start) * 1000)
    return score(preds, [t for _, t in items], times)


def torch_reader(weights: Path, scale: float | None, engine: object) -> Callable[[Path], str]:
    """pix2tex 0.1.4 in PyTorch (x-transformers, no cache), greedy, on the same crops.

    The scale is ``scale`` when given, else the engine's own first choice (so both systems read
    identical pixels and the time difference is the runtime's).
    """
    import torch

    from scipix_search.ocr import load_image
    from scipix_search.ocr._export import load_reference_model
    from scipix_search.ocr._preprocess import plan_scales, prepare, to_model_input
    from scipix_search.ocr._recognizer import LatexRecognizer

    torch.set_num_threads(len(os.sched_getaffinity(0)))
    model = load_reference_model(weights)
    tokenizer = LatexRecognizer(multiscale=False)._tokenizer
    vocab = tokenizer.vocab_size

    def read(path: Path) -> str:
        prepared = prepare(load_image(path))
        if prepared is None:
            return ""
        with torch.no_grad():
            size = (
                scale
                or plan_scales(
                    prepared, multi=False, reference_height=getattr(engine, "glyph_height", None)
                )[0]
            )
            context = model.encoder(torch.from_numpy(to_model_input(prepared.gray, size)))
            seq = torch.tensor([[1]])
            for _ in range(400):
                token = model.decoder.net(seq, context=context)[:, -1, :vocab].argmax(-1)
                if int(token) == 2:
                    break
                seq = torch.cat([seq, token[:, None]], dim=1)
        from scipix_search.ocr import clean_latex

        return clean_latex(tokenizer.decode(seq[0, 1:].tolist()))

    return read


def load_items(data: Path, name: str, limit: int | None) -> list[tuple[Path, str]]:
    tsv, images = DATASETS[name]
    with (data / tsv).open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [(data / images / row["image"], row["latex"]) for row in rows[:limit]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default_dir = os.environ.get("SCIPIX_SHARED_DIR", str(ROOT.parent / "shared"))
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(default_dir),
        help="the shared folder [env: SCIPIX_SHARED_DIR]",
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
    parser.add_argument(
        "--torch-scale", type=float, default=1.4, help="fixed rescale for the reference"
    )
    parser.add_argument("--datasets", default="im2latex,handwritten")
    parser.add_argument("--beam", type=int, default=1)
    parser.add_argument("--no-multiscale", action="store_true")
    parser.add_argument(
        "--precisions", default="int8,fp32", help="ONNX decoder precisions to run (int8, fp32)"
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
    from scipix_search.ocr import LatexRecognizer

    data = args.data_dir / "data" if (args.data_dir / "data").is_dir() else args.data_dir
    engines = {
        precision: LatexRecognizer(
            beam_size=args.beam, multiscale=not args.no_multiscale, precision=precision
        )
        for precision in args.precisions.split(",")
    }
    first = next(iter(engines.values()))
    weights = args.weights or first.model_dir / "reference" / "weights.pth"
    rows = []
    for name in args.datasets.split(","):
        items = load_items(data, name, args.limit)
        for precision, engine in engines.items():
            # Formulas of one dataset share a font size, as those of one paper do: pool the
            # glyph height over (unlabelled) crops, the way ingest would per document.
            engine.glyph_height = None
            if not args.no_calibrate:
                engine.calibrate([path for path, _ in items[:200]])
            engine(items[0][0])  # warm-up: first-call allocations are not per-formula cost
            result = run_system(lambda p, e=engine: e(p).latex, items)
            rows.append((name, f"onnxruntime {precision}", result))
            print(name, precision, result, file=sys.stderr, flush=True)
        if args.torch_limit and weights.is_file():
            reference = torch_reader(weights, args.torch_scale, first)
            subset = items[: args.torch_limit]
            for precision, engine in engines.items():
                result = run_system(lambda p, e=engine: e(p).latex, subset)
                rows.append((name, f"onnxruntime {precision} (same)", result))
            label = f"pytorch x{args.torch_scale}" if args.torch_scale else "pytorch (same crops)"
            rows.append((name, label, run_system(reference, subset)))
        elif args.torch_limit:
            print(f"note: no reference weights at {weights}; PyTorch skipped", file=sys.stderr)
    print(f"model dir: {get_settings().model_dir}; cores: {len(os.sched_getaffinity(0))}")
    header = f"{'dataset':<12} {'system':<28} {'n':>5} {'BLEU-4':>7} {'edit':>6} {'exact':>6}"
    print(header + f" {'ms med':>7} {'ms p90':>7}")
    for name, system, m in rows:
        print(
            f"{name:<12} {system:<28} {m['n']:>5} {m['bleu4']:>7.3f} {m['edit']:>6.3f} "
            f"{m['exact']:>6.3f} {m['ms_median']:>7.0f} {m['ms_p90']:>7.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
