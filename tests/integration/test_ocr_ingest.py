"""Images and scanned PDFs through the real OCR models into the store."""

import io
import json
from pathlib import Path

import pymupdf
import pytest

from scipix_search.cli import main

pytestmark = [pytest.mark.model, pytest.mark.slow]

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _page_png(dpi: int = 150) -> bytes:
    with pymupdf.open(SAMPLES / "gradient-descent-note.pdf") as doc:
        return doc[0].get_pixmap(dpi=dpi).tobytes("png")


def _formula_png() -> bytes:
    page = pymupdf.open().new_page(width=200, height=60)
    page.insert_text((10, 38), "x+y+z=2", fontname="Times-Italic", fontsize=24)
    return page.get_pixmap(dpi=72).tobytes("png")


def _scanned_pdf(png: bytes) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, stream=png)
    return doc.tobytes()


def _search(capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(["search", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_ocr_ingest_page_image_and_scanned_pdf_become_passages(settings, tmp_path, capsys):
    png = _page_png()
    (tmp_path / "page.png").write_bytes(png)
    (tmp_path / "scan.pdf").write_bytes(_scanned_pdf(png))
    assert main(["ingest", str(tmp_path / "page.png"), str(tmp_path / "scan.pdf")]) == 0
    assert "added 2, already present 0, failed 0" in capsys.readouterr().out
    hits = _search(capsys, "gradient descent constant step size", "-k", "4")["hits"]
    sources = {h["source"] for h in hits}
    assert {"page.png", "scan.pdf"} <= sources
    scan = next(h for h in hits if h["source"] == "scan.pdf")
    assert scan["page"] == 1
    assert 0 <= scan["bbox"][0] < scan["bbox"][2] <= 595  # PDF points, not pixels


def test_ocr_ingest_formula_image_is_one_equation(settings, tmp_path, capsys):
    (tmp_path / "formula.png").write_bytes(_formula_png())
    assert main(["ingest", str(tmp_path / "formula.png")]) == 0
    top = _search(capsys, "--latex", "a+b+c=2", "-k", "1")["hits"][0]
    assert top["source"] == "formula.png"
    assert top["latex"].replace(" ", "") == "x+y+z=2"


def test_ocr_search_by_image_finds_formula(settings, tmp_path, capsys):
    (tmp_path / "formulas.txt").write_text("x+y+z=2\n\\frac{a}{b}\ne^{i\\pi}+1=0\n")
    assert main(["ingest", str(tmp_path / "formulas.txt")]) == 0
    (tmp_path / "query.png").write_bytes(_formula_png())
    top = _search(capsys, "--image", str(tmp_path / "query.png"), "-k", "1")["hits"][0]
    assert top["latex"] == "x+y+z=2"


def test_ocr_ingest_decompression_bomb_png_fails_with_reason(settings, tmp_path, capsys):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (20000, 20000)).save(buffer, format="PNG")
    (tmp_path / "bomb.png").write_bytes(buffer.getvalue())
    assert main(["ingest", str(tmp_path / "bomb.png")]) == 1  # every input failed
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "bomb.png" in err and err.count("\n") == 1
