"""Page text OCR with Tesseract: its output read into lines, its absence said plainly, its reads
scored against the text layer of rendered and scanned pages (skip without the program)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from scipix_search.config import Settings
from scipix_search.eval import display_boxes, paper_folders, scan_pdf
from scipix_search.exceptions import (
    CorruptInputError,
    InputError,
    MissingDependencyError,
    UnsupportedContentError,
)
from scipix_search.ingest import render_page
from scipix_search.ocr import TextLine, TextRecognizer, deskew
from scipix_search.ocr._numbers import NUMBER
from scipix_search.ocr._tesseract import TesseractEngine, pgm, tsv_lines

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pdf"
HEADER = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
)

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract-ocr is not installed"
)


def _row(
    level: int, block: int, line: int, word: int, box: tuple[int, ...], conf: float, text: str
) -> str:
    return "\t".join(str(v) for v in (level, 1, block, 1, line, word, *box, conf, text))


def test_tsv_words_become_lines_boxed_by_their_union_top_to_bottom() -> None:
    tsv = "\n".join(
        [
            HEADER,
            _row(4, 1, 1, 0, (10, 50, 300, 20), -1, ""),
            _row(5, 1, 1, 1, (10, 52, 80, 18), 90.0, "second"),
            _row(5, 1, 1, 2, (100, 50, 60, 20), 70.0, "line"),
            _row(5, 1, 1, 3, (170, 50, 5, 20), 95.0, " "),  # a blank word is no word
            _row(5, 2, 1, 1, (400, 10, 40, 20), 96.0, "(3)"),
            _row(5, 3, 1, 1, (10, 10, 100, 22), -1.0, "ignored"),  # no confidence: no text
            # a display and its number, run into one line: cut at the wide gap
            _row(5, 4, 1, 2, (60, 100, 40, 20), 50.0, "+b"),
            _row(5, 4, 1, 1, (10, 100, 40, 20), 40.0, "a"),
            _row(5, 4, 1, 3, (400, 100, 40, 20), 90.0, "(4)"),
        ]
    )
    lines = tsv_lines(tsv, page=4)
    assert lines == [
        TextLine("(3)", (400.0, 10.0, 440.0, 30.0), 0.96, 4),
        TextLine("second line", (10.0, 50.0, 160.0, 70.0), 0.8, 4),
        TextLine("a +b", (10.0, 100.0, 100.0, 120.0), 0.45, 4),
        TextLine("(4)", (400.0, 100.0, 440.0, 120.0), 0.9, 4),
    ]
    # an equation number is cut off at a narrower gap than other words ...
    assert [ln.text for ln in tsv_lines(tsv, split_gap=1000.0)][-2:] == ["a +b", "(4)"]
    # ... but not at a word space: "(5)" cited at the end of a line of prose stays in it
    cited = "\n".join(
        [
            HEADER,
            _row(5, 1, 1, 1, (10, 10, 40, 20), 90.0, "as"),
            _row(5, 1, 1, 2, (56, 10, 20, 20), 90.0, "in"),
            _row(5, 1, 1, 3, (82, 10, 30, 20), 90.0, "(5)"),
        ]
    )
    assert [ln.text for ln in tsv_lines(cited)] == ["as in (5)"]
    assert tsv_lines(HEADER) == [] and tsv_lines("") == []


def test_pgm_holds_the_pixels_row_by_row() -> None:
    gray = np.arange(6, dtype=np.uint8).reshape(2, 3)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(pgm(gray)))), gray)


def test_a_missing_program_or_model_is_an_error_naming_what_to_install() -> None:
    with pytest.raises(MissingDependencyError, match="apt-get install tesseract-ocr"):
        TesseractEngine(binary="no-such-tesseract-program")
    if shutil.which("tesseract") is not None:
        with pytest.raises(MissingDependencyError, match="no model for zzz"):
            TesseractEngine(language="eng+zzz")


def test_the_engine_is_a_setting_and_an_unknown_one_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SCIPIX_TEXT_OCR", raising=False)
    assert Settings(data_dir=tmp_path).text_ocr == "rapidocr"
    monkeypatch.setenv("SCIPIX_TEXT_OCR", "tesseract")
    assert Settings(data_dir=tmp_path).text_ocr == "tesseract"
    with pytest.raises(ValueError, match="unknown text OCR engine"):
        TextRecognizer(engine="paddle")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def reader() -> TextRecognizer:
    try:
        return TextRecognizer(engine="tesseract")
    except MissingDependencyError as exc:
        pytest.skip(str(exc))


def _words_outside(page: pymupdf.Page, boxes: list[tuple[float, ...]]) -> list[str]:
    words = []
    for x0, y0, x1, y1, text, *_ in page.get_text("words"):
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes):
            words.append(text)
    return words


def _read_outside(lines: list[TextLine], boxes: list[tuple[float, ...]], dpi: int) -> list[str]:
    scale, words = 72.0 / dpi, []
    for line in lines:
        cx, cy = (
            (line.bbox[0] + line.bbox[2]) / 2 * scale,
            (line.bbox[1] + line.bbox[3]) / 2 * scale,
        )
        if not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes):
            words.extend(line.text.split())
    return words


def _word_recall(read: list[str], truth: list[str]) -> float:
    """Share of the text layer's words (3+ letters, outside displays) read exactly."""
    want = [w.strip(".,;:()") for w in truth]
    want = [w for w in want if len(w) >= 3 and w.isalpha()]
    have = {w.strip(".,;:()") for w in read}
    return sum(w in have for w in want) / max(len(want), 1)


@pytest.mark.model
def test_scanned_fixture_pages_are_read_with_their_equation_numbers(
    reader: TextRecognizer,
) -> None:
    """The committed display-math fixture, scanned at 200 dpi (turn, blur, noise, JPEG) and
    levelled as ingestion does: the prose is read, and each printed ``(n)`` comes back as a
    line of its own, which is what the display rules (``ocr/_displays.py``) count on."""
    pdf = FIXTURES / "display_math.pdf"
    truth = display_boxes(pdf)
    pages = sorted(truth)
    scan = scan_pdf(pdf, pages, 200, seed=7)
    recalls, numbers_found, numbers_printed = [], 0, 0
    with pymupdf.open(stream=scan) as scanned, pymupdf.open(pdf) as original:
        for number, page in enumerate(pages):
            pixels, _ = deskew(render_page(scanned[number], 200))
            lines = reader.read_array(pixels, page=number)
            assert lines and all(line.page == number for line in lines)
            height, width = pixels.shape[:2]
            assert all(0 <= ln.bbox[0] < ln.bbox[2] <= width for ln in lines)
            assert all(0 <= ln.bbox[1] < ln.bbox[3] <= height for ln in lines)
            recalls.append(
                _word_recall(
                    _read_outside(lines, truth[page], 200),
                    _words_outside(original[page], truth[page]),
                )
            )
            numbers_printed += sum(
                bool(NUMBER.match(w)) for *_, w, _b, _l, _n in original[page].get_text("words")
            )
            numbers_found += sum(bool(NUMBER.match(line.text.strip())) for line in lines)
    assert min(recalls) >= 0.9, recalls
    assert numbers_printed >= 4
    assert numbers_found >= 0.8 * numbers_printed, (numbers_found, numbers_printed)


@pytest.mark.model
def test_a_blank_page_reads_as_no_lines(reader: TextRecognizer) -> None:
    assert reader.read_array(np.full((400, 300), 255, dtype=np.uint8)) == []
    assert reader.read_array(np.full((400, 300, 3), 255, dtype=np.uint8)) == []
    assert reader.read_array(np.zeros((1, 1), dtype=np.uint8)) == []  # the program's minimum


@pytest.mark.model
@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"", InputError, "empty"),
        (None, UnsupportedContentError, "too small"),  # 1x1
        ("strip", UnsupportedContentError, "100:1"),  # 30000x20
        ("tiff", CorruptInputError, "cannot be decoded"),
    ],
)
def test_bad_images_get_clear_errors(
    reader: TextRecognizer, data: object, error: type[Exception], message: str
) -> None:
    if data is None:
        data = _encoded(Image.new("L", (1, 1), 255), "PNG")
    elif data == "strip":
        data = _encoded(Image.new("L", (30000, 20), 255), "PNG")
    elif data == "tiff":
        data = _encoded(Image.new("L", (200, 200), 255), "TIFF")[:120]
    with pytest.raises(error, match=message):
        reader(data)


def _encoded(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    image.save(out, format=kind)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.model
def test_scans_of_real_papers_are_read(reader: TextRecognizer, shared_dir: Path) -> None:
    """First display page of every second real paper, scanned at 200 dpi: word recall of the
    prose outside the displays, pooled (measured 2026-12-03 with psm 3: see the floor)."""
    papers = sorted(paper_folders(shared_dir / "papers"), key=lambda p: p.name)[1::2]
    recalls = []
    for index, paper in enumerate(papers):
        truth = display_boxes(paper.pdf)
        if not truth:
            continue
        page = min(truth)
        scan = scan_pdf(paper.pdf, [page], 200, seed=1000 * 200 + index)
        with pymupdf.open(stream=scan) as scanned, pymupdf.open(paper.pdf) as original:
            pixels, _ = deskew(render_page(scanned[0], 200))
            lines = reader.read_array(pixels)
            recalls.append(
                _word_recall(
                    _read_outside(lines, truth[page], 200),
                    _words_outside(original[page], truth[page]),
                )
            )
    assert len(recalls) >= 6
    assert float(np.mean(recalls)) >= 0.85, recalls
