"""Safe image loading: bad files give clear errors, never hangs or crashes."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from scipix_search.exceptions import CorruptInputError, InputTooLargeError, UnsupportedContentError
from scipix_search.ocr import load_image


def _png_bytes(size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, format="PNG")
    return buffer.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width x height`` (a decompression bomb's signature)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_load_image_netpbm() -> None:
    buffer = io.BytesIO()
    Image.new("L", (8, 4), 0).save(buffer, format="PPM")  # a grey image: binary PGM (P5)
    assert load_image(buffer.getvalue()).size == (8, 4)


def test_load_image_pdf_after_leading_bytes_is_not_an_image() -> None:
    with pytest.raises(UnsupportedContentError, match="PDF"):
        load_image(b"\n%PDF-1.7\n" + b"0" * 32)


def test_load_image_valid_png(tmp_path: Path) -> None:
    path = tmp_path / "ok.png"
    path.write_bytes(_png_bytes())
    assert load_image(path).size == (40, 20)


def test_load_image_zero_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(CorruptInputError, match="empty"):
        load_image(path)


def test_load_image_truncated_png(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 300), dtype=np.uint8)).save(
        buffer, "PNG"
    )
    path = tmp_path / "cut.png"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(CorruptInputError):
        load_image(path)


def test_load_image_pdf_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "paper.png"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    with pytest.raises(UnsupportedContentError, match="PDF"):
        load_image(path)


def test_load_image_decompression_bomb(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(20_000, 20_000))
    with pytest.raises(InputTooLargeError):
        load_image(path)


def test_load_image_pixel_limit_argument() -> None:
    with pytest.raises(InputTooLargeError):
        load_image(_png_bytes((100, 100)), max_pixels=5_000)


def test_load_image_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    with pytest.raises(UnsupportedContentError):
        load_image(path)


def test_load_image_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CorruptInputError):
        load_image(tmp_path / "absent.png")


def test_load_image_array_and_pil() -> None:
    assert load_image(np.zeros((10, 20), dtype=np.uint8)).size == (20, 10)
    assert load_image(Image.new("RGB", (5, 6))).size == (5, 6)
    with pytest.raises(UnsupportedContentError):
        load_image(np.zeros((0,), dtype=np.uint8))


def _page_like() -> np.ndarray:
    """A grey page with antialiased ink: black strokes, grey edges, white paper."""
    gray = np.full((120, 90), 255, dtype=np.uint8)
    gray[30:34, 10:80] = 0
    gray[34, 10:80] = 128  # an antialiased edge
    gray[60:90, 40:44] = 0
    return gray


def _saved(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def test_load_image_sixteen_bit_tiff_keeps_its_grey_levels() -> None:
    gray = _page_like()
    wide = Image.fromarray(gray.astype(np.uint16) * 257)  # a 16-bit scan: 0..65535
    assert wide.mode.startswith("I;16")
    loaded = load_image(_saved(wide, "TIFF"))
    # Pillow's own conversion clips 16-bit samples at 255: every grey but black went white
    assert loaded.mode == "L"
    assert np.array_equal(np.asarray(loaded.convert("RGB"))[:, :, 0], gray)


def test_load_image_twelve_bit_samples_are_stretched() -> None:
    gray = _page_like()
    narrow = Image.fromarray((gray.astype(np.int64) * 4095 // 255).astype(np.uint16))  # 12 bits
    loaded = np.asarray(load_image(_saved(narrow, "PNG")))
    assert loaded.min() == 0 and loaded.max() == 255
    assert abs(int(loaded[34, 20]) - 128) <= 2


def test_load_image_one_bit_and_cmyk_tiffs() -> None:
    gray = _page_like()
    bilevel = Image.fromarray(gray >= 128)  # mode "1", as office scanners write
    loaded = load_image(_saved(bilevel, "TIFF", compression="group4"))
    assert loaded.mode == "1"
    assert set(np.unique(np.asarray(loaded.convert("L"))).tolist()) == {0, 255}
    cmyk = Image.fromarray(gray).convert("RGB").convert("CMYK")
    rgb = np.asarray(load_image(_saved(cmyk, "TIFF")).convert("RGB"))
    assert np.abs(rgb.astype(int) - gray[:, :, None]).max() <= 1


def test_load_image_multipage_tiff_is_refused_with_its_page_count() -> None:
    first = Image.fromarray(_page_like())
    data = _saved(first, "TIFF", save_all=True, append_images=[first, first])
    with pytest.raises(UnsupportedContentError, match="holds 3 pages"):
        load_image(data)


def test_load_image_big_jpeg_within_and_over_the_pixel_limit() -> None:
    big = Image.new("RGB", (4000, 3000), (250, 248, 240))  # a 12-megapixel phone photo
    data = _saved(big, "JPEG", quality=80)
    assert load_image(data).size == (4000, 3000)
    with pytest.raises(InputTooLargeError, match="4000x3000"):
        load_image(data, max_pixels=10_000_000)


def test_frames_as_pdf_makes_one_page_a_frame_at_its_own_resolution() -> None:
    import pymupdf

    from scipix_search.ocr import frame_count, frames_as_pdf

    first = Image.fromarray(_page_like())  # 90 x 120 px
    wide = Image.fromarray(np.tile(_page_like(), (1, 2)).astype(np.uint16) * 257)  # 16-bit
    data = _saved(first, "TIFF", save_all=True, append_images=[wide], dpi=(300, 300))
    assert frame_count(data) == 2 and frame_count(_saved(first, "PNG")) == 1
    assert frame_count(b"not an image") == 1
    with pymupdf.open(stream=frames_as_pdf(data, "scan.tif"), filetype="pdf") as pdf:
        sizes = [(round(page.rect.width, 2), round(page.rect.height, 2)) for page in pdf]
        assert sizes == [(21.6, 28.8), (43.2, 28.8)]  # pixels x 72 / 300
        # the 16-bit frame keeps its ink (clipped to 8 bits it would be a white page)
        pixels = np.frombuffer(pdf[1].get_pixmap(dpi=300).samples, dtype=np.uint8)
        assert pixels.min() < 64


def test_frames_as_pdf_refuses_too_many_pages_and_too_big_a_frame() -> None:
    from scipix_search.ocr import frames_as_pdf

    first = Image.fromarray(_page_like())
    big = Image.new("L", (400, 300), 255)
    data = _saved(first, "TIFF", save_all=True, append_images=[first, big])
    with pytest.raises(InputTooLargeError, match="holds 3 pages, over the limit of 2"):
        frames_as_pdf(data, "scan.tif", max_pages=2)
    with pytest.raises(InputTooLargeError, match="page 3 is 400x300"):
        frames_as_pdf(data, "scan.tif", max_pixels=100_000)


def test_frames_as_pdf_writes_cmyk_frames_as_rgb() -> None:
    import pymupdf

    from scipix_search.ocr import frames_as_pdf

    page = Image.fromarray(_page_like()).convert("RGB").convert("CMYK")
    data = _saved(page, "TIFF", save_all=True, append_images=[page])
    with pymupdf.open(stream=frames_as_pdf(data, "scan.tif"), filetype="pdf") as pdf:
        assert pdf.page_count == 2
        pixels = np.frombuffer(pdf[0].get_pixmap(dpi=72).samples, dtype=np.uint8)
        assert pixels.min() < 64 and pixels.max() > 200  # ink and paper, not a blank page
