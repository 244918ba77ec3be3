"""Bad command lines, run as a user runs them: the real ``scipix-search`` in a fresh process.

Each must exit non-zero with one line of output and no traceback (issue 16: "user errors are
one line and exit code 2"). Exit codes: 2 usage and input errors (argparse, bad settings, a
missing or unreadable file, malformed LaTeX, an empty query, a bad database URL), 4 the store
(a database that cannot be opened, an empty library), 1 an ingestion where every input failed. None of these loads a model: the
CLI checks its inputs before it loads one.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

FIXTURE_PDF = Path(__file__).resolve().parents[1] / "fixtures" / "pdf" / "inline_math.pdf"


def _png(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` (the pixels are never decoded)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff" * min(width, 64))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of damaged and misleading inputs."""
    folder = tmp_path_factory.mktemp("bad")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2048))
    pdf = FIXTURE_PDF.read_bytes()
    (folder / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    (folder / "text.png").write_text("this is not an image\n")
    (folder / "huge.png").write_bytes(_png(100_000, 100_000))
    (folder / "random.bin").write_bytes(bytes(range(256)) * 8)
    (folder / "a-file").write_text("a file where a folder belongs\n")
    (folder / "empty-folder").mkdir()
    return folder


# (case id, arguments, extra environment, expected exit code); "{bad}" is the folder above.
CASES = [
    ("no-command", [], {}, 2),
    ("unknown-command", ["frobnicate"], {}, 2),
    ("unknown-flag", ["stats", "--bogus"], {}, 2),
    ("unknown-global-flag", ["--nope", "stats"], {}, 2),
    ("missing-argument", ["ingest"], {}, 2),
    ("bad-choice", ["db", "downgrade"], {}, 2),
    ("flag-missing-value", ["search", "--latex"], {}, 2),
    ("top-k-zero", ["search", "--latex", "x^2", "--top-k", "0"], {}, 2),
    ("top-k-negative", ["search", "heat", "-k", "-1"], {}, 2),
    ("top-k-not-a-number", ["search", "heat", "-k", "abc"], {}, 2),
    ("top-k-huge", ["search", "heat", "-k", "1000000000"], {}, 2),
    ("top-k-over-the-cap", ["search", "--latex", "x^2", "--top-k", "1001"], {}, 2),
    ("beam-zero", ["ocr", "--beam", "0", "{bad}/text.png"], {}, 2),
    ("beam-huge", ["ocr", "--beam", "1000000", "{bad}/text.png"], {}, 2),
    ("port-out-of-range", ["serve", "--port", "70000"], {}, 2),
    ("env-port-not-a-number", ["serve"], {"SCIPIX_PORT": "http"}, 2),
    ("bad-only", ["search", "--latex", "x", "--only", "both"], {}, 2),
    ("port-not-a-number", ["serve", "--port", "http"], {}, 2),
    ("empty-query", ["search", ""], {}, 2),
    ("blank-query", ["search", "   "], {}, 2),
    ("no-query", ["search"], {}, 2),
    ("text-and-latex", ["search", "energy", "--latex", "E = mc^2"], {}, 2),
    ("documents-with-text", ["search", "energy", "--documents"], {}, 2),
    ("empty-latex", ["search", "--latex", " "], {}, 2),
    ("malformed-latex", ["search", "--latex", r"\frac{a"], {}, 2),
    ("search-empty-store-text", ["search", "heat equation"], {}, 4),
    ("search-empty-store-latex", ["search", "--latex", "E = mc^2"], {}, 4),
    ("image-missing", ["search", "--image", "{bad}/nope.png"], {}, 2),
    ("image-is-a-folder", ["search", "--image", "{bad}/empty-folder"], {}, 2),
    ("image-is-text", ["search", "--image", "{bad}/text.png"], {}, 2),
    ("image-too-large", ["search", "--image", "{bad}/huge.png"], {}, 2),
    ("image-is-a-pdf", ["search", "--image", "{bad}/corrupt.pdf"], {}, 2),
    ("latex-file-missing", ["search", "--latex-file", "{bad}/nope.txt"], {}, 2),
    ("latex-file-is-a-folder", ["search", "--latex-file", "{bad}/empty-folder"], {}, 2),
    ("ingest-missing", ["ingest", "{bad}/nope.pdf"], {}, 1),
    ("ingest-empty-folder", ["ingest", "{bad}/empty-folder"], {}, 2),
    ("ingest-empty-file", ["ingest", "{bad}/empty.pdf"], {}, 1),
    ("ingest-corrupt-pdf", ["ingest", "{bad}/corrupt.pdf"], {}, 1),
    ("ingest-truncated-pdf", ["ingest", "{bad}/truncated.pdf"], {}, 1),
    ("ingest-unsupported", ["ingest", "{bad}/random.bin"], {}, 1),
    ("ingest-text-named-png", ["ingest", "{bad}/text.png"], {}, 1),
    ("ocr-missing", ["ocr", "{bad}/nope.png"], {}, 1),
    ("ocr-text-named-png", ["ocr", "--mode", "formula", "{bad}/text.png"], {}, 1),
    ("convert-missing", ["convert", "{bad}/nope.pdf"], {}, 2),
    ("convert-corrupt-pdf", ["convert", "{bad}/corrupt.pdf"], {}, 2),
    ("convert-bad-format", ["convert", "{bad}/corrupt.pdf", "--to", "docx"], {}, 2),
    ("convert-pages-backwards", ["convert", "{bad}/corrupt.pdf", "--pages", "3-1"], {}, 2),
    ("convert-page-not-in-pdf", ["convert", str(FIXTURE_PDF), "--pages", "1,7"], {}, 2),
    ("data-dir-is-a-file", ["stats"], {"SCIPIX_DATA_DIR": "{bad}/a-file"}, 2),
    ("data-dir-under-a-file", ["stats"], {"SCIPIX_DATA_DIR": "{bad}/a-file/data"}, 2),
    ("env-not-a-number", ["stats"], {"SCIPIX_OCR_DOUBT_BELOW": "abc"}, 2),
    ("env-bad-device", ["stats"], {"SCIPIX_DEVICE": "gpu"}, 2),
    ("flag-bad-setting", ["--device", "tpu", "stats"], {}, 2),
    ("worker-zero-attempts", ["worker", "--max-attempts", "0", "--burst"], {}, 2),
    ("bad-database-url", ["stats"], {"SCIPIX_DATABASE_URL": "nonsense://nowhere"}, 2),
    ("database-unreachable", ["stats"], {"SCIPIX_DATABASE_URL": "sqlite:////nonexistent/x.db"}, 4),
    ("db-unknown-revision", ["db", "upgrade", "nonexistent"], {}, 4),
]


def _run(
    args: list[str], env: dict[str, str], bad: Path, data: Path
) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SCIPIX_")}
    environ["SCIPIX_DATA_DIR"] = str(data)
    environ.update({k: v.replace("{bad}", str(bad)) for k, v in env.items()})
    return subprocess.run(
        [sys.executable, "-m", "scipix_search.cli", *(a.replace("{bad}", str(bad)) for a in args)],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(("args", "env", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cli_bad_invocation_is_one_line(
    args: list[str], env: dict[str, str], code: int, bad: Path, tmp_path: Path
) -> None:
    done = _run(args, env, bad, tmp_path / "data")
    output = done.stdout + done.stderr
    lines = [line for line in output.splitlines() if line.strip()]
    assert "Traceback" not in output, output
    assert len(lines) == 1, output
    assert done.returncode == code, output
    assert "error" in lines[0], output


def test_cli_bad_invocation_count() -> None:
    assert len(CASES) >= 20
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.parametrize(("width", "height"), [(1, 1), (300, 60)], ids=["one-pixel", "blank"])
def test_cli_image_without_a_formula_is_one_line(
    width: int, height: int, bad: Path, tmp_path: Path
) -> None:
    """An image the OCR reads nothing from (it loads the formula model) is one line, exit 2."""
    from PIL import Image

    formulas = tmp_path / "formulas.txt"
    formulas.write_text("a^2 + b^2 = c^2\ne^{i\\pi} + 1 = 0\n")
    assert _run(["ingest", str(formulas)], {}, bad, tmp_path / "data").returncode == 0
    image = tmp_path / "white.png"
    Image.new("L", (width, height), 255).save(image)
    done = _run(["search", "--image", str(image)], {}, bad, tmp_path / "data")
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    assert output.strip() == "error: white.png: no formula could be read from the image", output
    assert done.returncode == 2
