"""``scipix-search ocr PAGE --format json`` on a page image as scanners and phones write it:
a 1-bit TIFF (CCITT G4), a 16-bit grey TIFF, a CMYK TIFF and a big JPEG read as the PNG of
the same page is read (its lines, its display equations where the source has them); a
multi-page TIFF is refused with its page count (issue 13).

The page is the committed fixture ``display_math.pdf``; the files are made from it here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from scipix_search.eval import display_boxes, match_boxes
from tests.factories import require_page_models

pytestmark = [pytest.mark.model, pytest.mark.slow]

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "pdf" / "display_math.pdf"
DPI = 150
BIG_DPI = 400  # a phone photo's size: about 3400 x 4400 pixels, 15 megapixels


def _render(dpi: int) -> Image.Image:
    with pymupdf.open(FIXTURE) as document:
        pixmap = document[0].get_pixmap(dpi=dpi)
    return Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, int]]:
    """File name -> (path, the dpi its pixels are at)."""
    require_page_models()
    folder = tmp_path_factory.mktemp("formats")
    page = _render(DPI)
    grey = np.asarray(page.convert("L"))
    files: dict[str, tuple[Path, int]] = {}

    def save(name: str, image: Image.Image, dpi: int = DPI, **options: object) -> None:
        files[name] = (folder / name, dpi)
        image.save(folder / name, **options)

    save("page.png", page)
    save("bilevel.tif", Image.fromarray(grey >= 128), compression="group4")
    save("grey16.tif", Image.fromarray(grey.astype(np.uint16) * 257))
    save("cmyk.tif", page.convert("CMYK"))
    save("photo.jpg", _render(BIG_DPI), BIG_DPI, quality=85)
    save("two-pages.tif", page, save_all=True, append_images=[page])
    return files


def test_ocr_reads_page_images_in_every_format_scanners_write(
    pages: dict[str, tuple[Path, int]], capsys: pytest.CaptureFixture[str]
) -> None:
    from scipix_search.cli import ocr as ocr_cli

    parser = argparse.ArgumentParser()
    ocr_cli.register(parser.add_subparsers())
    args = parser.parse_args(["ocr", *(str(p) for p, _ in pages.values()), "--format", "json"])
    assert args.func(args) == 1  # the multi-page TIFF is refused, the others read
    records = {
        Path(r["file"]).name: r for r in map(json.loads, capsys.readouterr().out.splitlines())
    }
    assert records.keys() == pages.keys()
    refused = records.pop("two-pages.tif")
    assert "holds 2 pages" in refused["error"], refused
    truth = display_boxes(FIXTURE)[0]
    reference = records["page.png"]
    reference_words = {w for line in reference["lines"] for w in line["text"].split()}
    for name, record in records.items():
        assert "error" not in record, record
        dpi = pages[name][1]
        # the lines: most of the PNG's words (a 16-bit page clipped to white kept a quarter)
        words = {w for line in record["lines"] for w in line["text"].split()}
        assert len(words & reference_words) >= 0.8 * len(reference_words), name
        # the displays: as test_ocr_page_equations asks of the PNG
        scaled = [tuple(v * dpi / 72 for v in box) for box in truth]
        found = [tuple(e["bbox"]) for e in record["equations"] if e["row_of"] is None]
        assert match_boxes(scaled, found) >= 0.6 * len(truth), (name, found)
