import pytest

from scipix_search.exceptions import CorruptInputError, UnsupportedContentError
from scipix_search.ingest import magic, sniff
from tests.factories import make_pdf


def test_sniff_pdf_by_magic_bytes_whatever_the_name():
    assert sniff(make_pdf([["hello world, a passage of text"]]), "paper.bin") == "pdf"


def test_sniff_png_and_gzip():
    assert sniff(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "x.png") == "image"
    assert sniff(b"\x1f\x8b\x08" + b"\x00" * 20, "src.tar.gz") == "targz"


def test_sniff_tex_and_collection():
    assert sniff(b"\\documentclass{article}\n\\begin{document}x\\end{document}", "a.tex") == "tex"
    assert sniff(b"a^2 + b^2 = c^2\n\\frac{1}{2}\n", "formulas.txt") == "collection"


def test_sniff_empty_file_fails_with_reason():
    with pytest.raises(CorruptInputError, match="empty file"):
        sniff(b"", "empty.pdf")


def test_sniff_text_named_pdf_fails_with_reason():
    with pytest.raises(UnsupportedContentError, match="not a PDF"):
        sniff(b"just some text, not a pdf", "fake.pdf")


def test_sniff_unknown_binary_fails():
    with pytest.raises(UnsupportedContentError):
        sniff(b"\x00\x01\x02\x03" * 10, "blob.dat")


def test_magic_names_formats() -> None:
    assert magic(b"\x89PNG\r\n\x1a\n" + b"\x00" * 8) == "png"
    assert magic(b"\xff\xd8\xff\xe0") == "jpeg"
    assert magic(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "webp"
    assert magic(b"RIFF\x00\x00\x00\x00WAVEfmt ") is None
    assert magic(b"P5\n8 4\n255\n") == "pgm"
    assert magic(b"P5 is a paper size") is None
    assert magic(b"\n  %PDF-1.7\n") == "pdf"
    assert magic(b"\x1f\x8b\x08") == "gzip"
    assert magic(b"hello world") is None


def test_sniff_netpbm_is_an_image() -> None:
    assert sniff(b"P6\n2 2\n255\n" + b"\x00" * 12, "scan.ppm") == "image"
