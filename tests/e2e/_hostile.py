"""Nasty inputs, built in memory for the hostile-input corpus (nothing large is committed).

Each builder returns the bytes of one damaged, misleading or expensive file; they are small
(tens of KiB at most) except where said, and deterministic.
"""

from __future__ import annotations

import gzip
import io
import random
import struct
import tarfile
import zlib

import pymupdf

from tests.factories import LOREM, make_pdf

TEX_PAPER = (
    rb"\documentclass{article}\begin{document}"
    rb"\begin{equation}x^2+y^2=z^2\end{equation}\end{document}"
)


def raw_pdf(objects: list[bytes], *, root: int = 1) -> bytes:
    """A PDF of these object bodies (numbered from 1) with a correct xref table."""
    out = b"%PDF-1.7\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\n"
    return out + trailer.encode() + f"startxref\n{xref}\n%%EOF\n".encode()


def cyclic_pdf() -> bytes:
    """A page tree whose /Pages node is its own grandchild."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>",
        ]
    )


def zero_page_pdf() -> bytes:
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])


def lying_count_pdf() -> bytes:
    """One page in the tree, a page count of ten million in its header."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 10000000 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ]
    )


def no_root_pdf() -> bytes:
    return raw_pdf([b"<< /Type /Pages /Kids [] /Count 0 >>"], root=7)


def corrupt_pdf() -> bytes:
    return b"%PDF-1.7\n" + random.Random(14).randbytes(4096)


def truncated_pdf() -> bytes:
    pdf = make_pdf([[LOREM], [LOREM]], title="Cut Short")
    return pdf[: len(pdf) // 3]


def header_only_pdf() -> bytes:
    return b"%PDF-1.7\n"


def encrypted_pdf() -> bytes:
    doc = pymupdf.open("pdf", make_pdf([[LOREM]], title="Locked"))
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o")


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, *, rows: int | None = None) -> bytes:
    """A white grey-scale PNG; ``rows`` < ``height`` makes one whose pixels stop early."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    count = height if rows is None else rows
    pixels = zlib.compress((b"\x00" + b"\xff" * width) * count, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def truncated_png() -> bytes:
    return png(400, 100)[:60]


def _targz(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def traversal_targz() -> bytes:
    return _targz([(tarfile.TarInfo("../../escaped.tex"), TEX_PAPER)])


def absolute_targz() -> bytes:
    return _targz([(tarfile.TarInfo("/tmp/scipix-absolute.tex"), TEX_PAPER)])


def symlink_targz() -> bytes:
    link = tarfile.TarInfo("main.tex")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    return _targz([(link, None)])


def many_members_targz(count: int = 6000) -> bytes:
    return _targz([(tarfile.TarInfo(f"part{i}.tex"), b"%\n") for i in range(count)])


def bomb_targz(megabytes: int = 40) -> bytes:
    """A ~40 KiB archive of one LaTeX file of ``megabytes`` MiB (a comment of one character)."""
    body = b"\\documentclass{article}\n%" + b"%" * (megabytes << 20)
    return _targz([(tarfile.TarInfo("main.tex"), body)])


def bomb_gzip(megabytes: int = 64) -> bytes:
    """A gzip (not tar) stream of ``megabytes`` MiB of zeros, compressed to ~64 KiB."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as stream:
        chunk = b"\x00" * (1 << 20)
        for _ in range(megabytes):
            stream.write(chunk)
    return buffer.getvalue()


def poisoned_tex() -> bytes:
    """The 1 KB source of issue 14: ``\\def\\b{\\b\\b\\b\\b\\b\\b\\b\\b`` and 1,000 ``}``."""
    return (
        rb"\documentclass{article}\begin{document}"
        + rb"\def\b{\b\b\b\b\b\b\b\b"
        + b"}" * 1000
        + rb"\begin{equation}a=\b\end{equation}\end{document}"
    )


def nested_frac(depth: int = 399) -> str:
    """``\\frac`` nested ``depth`` deep: 3,991 characters at 399, under the 4,000 query cap."""
    return "\\frac{" * depth + "x" + "}{y}" * depth
