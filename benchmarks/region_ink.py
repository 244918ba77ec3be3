"""How well born-digital display regions fit the ink they outline.

    python benchmarks/region_ink.py [--half dev|test|all] [--typeset N] [-v]

Each display region the PDF reader finds (``find_equation_regions``) is compared with the
ink drawn inside its box on the page rendered at ``--dpi`` (grey pixels darker than the
paper): IoU of the region's box with the ink's box, and how far each side reaches past the
ink (points). A region drawn from line boxes or a font's ascent and descent reaches past its
ink; one that holds a prose line or a page number holds ink far from the rest (``gap``: the
tallest blank band across the region, points). Real papers split by position in name order as
``scans.py`` splits them; ``--typeset N`` scores N cached typeset documents instead (every
``N``-th of ``~/.cache/scipix-search/typeset``, built by ``benchmarks/typeset/build.py``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scipix_search.eval import paper_folders, shared_data_dir  # noqa: E402
from scipix_search.ingest.pdf import find_equation_regions  # noqa: E402

Box = tuple[float, float, float, float]
CUT_BAND = 1.5
"""Points around a region searched for ink its box cuts off (a display's neighbours in the
text are farther: a line's skip leaves more between a display's ink and a prose line's)."""
INK = 200
"""A pixel darker than this (0-255 grey) is ink: anti-aliased edges of glyphs and rules."""


def ink_box(grey: np.ndarray, box: Box, scale: float) -> tuple[Box | None, float]:
    """The box (points) of the ink inside ``box`` on the page image, and the tallest blank
    band across it between ink rows (points)."""
    h, w = grey.shape
    x0, y0 = max(0, int(box[0] * scale)), max(0, int(box[1] * scale))
    x1, y1 = min(w, int(np.ceil(box[2] * scale))), min(h, int(np.ceil(box[3] * scale)))
    if x1 <= x0 or y1 <= y0:
        return None, 0.0
    dark = grey[y0:y1, x0:x1] < INK
    rows = np.flatnonzero(dark.any(axis=1))
    cols = np.flatnonzero(dark.any(axis=0))
    if not len(rows):
        return None, 0.0
    gap = float(np.diff(rows).max() - 1) / scale if len(rows) > 1 else 0.0
    found = (
        (x0 + cols[0]) / scale,
        (y0 + rows[0]) / scale,
        (x0 + cols[-1] + 1) / scale,
        (y0 + rows[-1] + 1) / scale,
    )
    return found, gap


def iou(a: Box, b: Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def score(pdf: Path, dpi: int, verbose: bool, name: str) -> list[tuple[float, Box, float, float]]:
    """(IoU, overreach per side, widest blank band, ink cut off) of each display region of
    ``pdf``."""
    regions = [r for r in find_equation_regions(pdf, render=False) if r.display]
    out = []
    scale = dpi / 72
    with pymupdf.open(pdf) as doc:
        pages: dict[int, np.ndarray] = {}
        for r in regions:
            if r.page not in pages:
                pix = doc[r.page - 1].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
                pages[r.page] = np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w)
            found, gap = ink_box(pages[r.page], r.bbox, scale)
            if found is None:
                out.append((0.0, (0.0, 0.0, 0.0, 0.0), 0.0, 0.0))
                continue
            over = (
                found[0] - r.bbox[0],
                found[1] - r.bbox[1],
                r.bbox[2] - found[2],
                r.bbox[3] - found[3],
            )
            value = iou(r.bbox, found)
            # ink within CUT_BAND outside the box, reaching past it: the region cuts it off
            grown = (
                r.bbox[0] - CUT_BAND,
                r.bbox[1] - CUT_BAND,
                r.bbox[2] + CUT_BAND,
                r.bbox[3] + CUT_BAND,
            )
            around, _ = ink_box(pages[r.page], grown, scale)
            assert around is not None
            cut = max(
                r.bbox[0] - around[0],
                r.bbox[1] - around[1],
                around[2] - r.bbox[2],
                around[3] - r.bbox[3],
            )
            out.append((value, over, gap, cut))
            if verbose and (value < 0.8 or gap > 15 or cut > 0.75):
                print(
                    f"  {name} p{r.page} iou {value:.2f} over L/T/R/B "
                    + "/".join(f"{v:.1f}" for v in over)
                    + f" gap {gap:.1f} cut {cut:.1f}  {r.text[:60]!r}"
                )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--half", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--typeset", type=int, default=0, help="every N-th typeset document")
    parser.add_argument("--dpi", type=int, default=144)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if args.typeset:
        root = Path.home() / ".cache/scipix-search/typeset"
        pdfs = [
            (d.name, d / "doc.pdf") for d in sorted(root.iterdir()) if (d / "doc.pdf").is_file()
        ]
        pdfs = pdfs[:: args.typeset]
        label = f"typeset, every {args.typeset}th ({len(pdfs)} documents)"
    else:
        folders = sorted(paper_folders(shared_data_dir() / "papers"), key=lambda p: p.name)
        if args.half != "all":
            folders = folders[args.half == "test" :: 2]
        pdfs = [(f.name, f.pdf) for f in folders]
        label = f"real papers, {args.half} half ({len(pdfs)})"
    started = time.process_time()
    rows = []
    for name, pdf in pdfs:
        rows.extend(score(pdf, args.dpi, args.verbose, name))
    ious = [r[0] for r in rows]
    tops = [r[1][1] for r in rows]
    bottoms = [r[1][3] for r in rows]
    sides = [max(r[1][0], r[1][2]) for r in rows]
    print(f"{label}: {len(rows)} display regions, dpi {args.dpi}")
    print(
        f"IoU with ink: mean {statistics.fmean(ious):.3f}, median {statistics.median(ious):.3f}, "
        f"< 0.5: {sum(v < 0.5 for v in ious)}, < 0.8: {sum(v < 0.8 for v in ious)}"
    )
    for what, vals in (("top", tops), ("bottom", bottoms), ("side", sides)):
        q = statistics.quantiles(vals, n=10)
        print(
            f"overreach {what:6s} (pt): median {statistics.median(vals):.1f}, "
            f"p90 {q[-1]:.1f}, max {max(vals):.1f}"
        )
    cuts = [r[3] for r in rows]
    print(
        f"ink cut off (ink within {CUT_BAND} pt outside reaching past the box by > 0.75 pt): "
        f"{sum(c > 0.75 for c in cuts)} regions, max {max(cuts):.1f} pt"
    )
    print(f"CPU {time.process_time() - started:.1f} s")


if __name__ == "__main__":
    main()
