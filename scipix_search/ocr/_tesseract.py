"""Page text OCR with Tesseract (Debian's ``tesseract-ocr`` 5 and its ``eng`` LSTM model),
chosen by ``SCIPIX_TEXT_OCR=tesseract``.

The ``tesseract`` program is run once per page: the page goes in on stdin as a grey PGM and
the words come back on stdout as TSV (block, paragraph, line and word numbers, box,
confidence, text), which this module groups into lines. No files are written. Tesseract runs
on one thread (``OMP_THREAD_LIMIT=1``): its OpenMP threads spin while they wait, and on two
shared cores two threads made a page ten times slower (45 s against 4 s wall, measured).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from scipix_search.exceptions import MissingDependencyError, OCRError
from scipix_search.ocr._numbers import NUMBER
from scipix_search.ocr._output import TextLine

INSTALL_HINT = (
    "text OCR (SCIPIX_TEXT_OCR=tesseract) needs the tesseract program and its English model: "
    "apt-get install tesseract-ocr tesseract-ocr-eng (scripts/install_tesseract.sh), or leave "
    "SCIPIX_TEXT_OCR at its default, rapidocr"
)
#: Page segmentation mode: fully automatic layout analysis (columns, blocks), no orientation
#: detection. ``benchmarks/scan_text.py --half dev`` (200-dpi scans, CER): 3 0.091, 4 (one
#: column) 0.095, 11 (sparse text) 0.108; 6 (one block: columns run together) was worse still.
DEFAULT_PSM = 3
#: Words of one Tesseract line further apart than this many of their heights (the median
#: word's) are separate lines: Tesseract runs a display equation and its right-aligned
#: ``(n)`` into one line, where the display rules (``ocr/_displays.py``) need the number alone,
#: as RapidOCR's detector gives it. Prose spaces are under half a height; a ``\qquad``
#: in a formula is about two.
SPLIT_GAP_HEIGHTS = 1.5
#: A line's last word that reads as an equation number ``(n)`` is a line of its own when
#: it stands further than this many word heights from the word before it (a display's number
#: set closer than the cut above; prose spaces are under half a height).
NUMBER_GAP_HEIGHTS = 0.6
#: Wall time one page may take before the program is stopped.
DEFAULT_TIMEOUT_S = 120.0


def tesseract_languages(binary: str = "tesseract") -> list[str]:
    """The languages the Tesseract program can read (its installed ``*.traineddata``).

    Raises:
        MissingDependencyError: the program is not installed, or does not answer.
    """
    path = shutil.which(binary)
    if path is None:
        raise MissingDependencyError(
            f"{INSTALL_HINT}; '{binary}' is not on PATH", package="tesseract-ocr"
        )
    try:
        listed = subprocess.run(
            [path, "--list-langs"], capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise MissingDependencyError(
            f"{INSTALL_HINT}; '{path} --list-langs' failed: {exc}", package="tesseract-ocr"
        ) from exc
    # the first line names the model folder; the languages follow, one a line
    return [line.strip() for line in listed.stdout.splitlines()[1:] if line.strip()]


def pgm(gray: np.ndarray) -> bytes:
    """``HxW`` uint8 pixels as a binary PGM (what Tesseract's image reader takes on stdin)."""
    height, width = gray.shape
    return b"P5\n%d %d\n255\n" % (width, height) + np.ascontiguousarray(gray).tobytes()


def tsv_lines(tsv: str, page: int = 0, split_gap: float = SPLIT_GAP_HEIGHTS) -> list[TextLine]:
    """Lines of Tesseract's TSV output: the words of one (block, paragraph, line), cut where
    two are more than ``split_gap`` word heights apart, joined by spaces, boxed by their union,
    scored by their mean confidence (0-1), top to bottom."""
    words: dict[tuple[str, str, str], list[tuple[str, float, int, int, int, int]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5":
            continue
        text, conf = cells[11].strip(), float(cells[10])
        if not text or conf < 0:
            continue
        left, top, width, height = (int(v) for v in cells[6:10])
        words.setdefault((cells[2], cells[3], cells[4]), []).append(
            (text, conf, left, top, left + width, top + height)
        )
    lines = []
    for members in _split(words.values(), split_gap):
        bbox = (
            float(min(w[2] for w in members)),
            float(min(w[3] for w in members)),
            float(max(w[4] for w in members)),
            float(max(w[5] for w in members)),
        )
        confidence = sum(w[1] for w in members) / len(members) / 100.0
        text = " ".join(w[0] for w in members)
        lines.append(TextLine(text, bbox, round(confidence, 4), page))
    return sorted(lines, key=lambda line: (line.bbox[1], line.bbox[0]))


def _split(
    lines: Iterable[list[tuple[str, float, int, int, int, int]]], gap: float
) -> Iterator[list[tuple[str, float, int, int, int, int]]]:
    for members in lines:
        members = sorted(members, key=lambda w: w[2])
        height = float(np.median([w[5] - w[3] for w in members]))
        start, right = 0, members[0][4]
        for i in range(1, len(members)):
            space = members[i][2] - right
            if space > gap * height or (
                i == len(members) - 1
                and space > NUMBER_GAP_HEIGHTS * height
                and NUMBER.match(members[i][0])
            ):
                yield members[start:i]
                start = i
            right = max(right, members[i][4])
        yield members[start:]


class TesseractEngine:
    """Runs the Tesseract program on grey page pixels.

    Args:
        language: Tesseract language(s), ``+``-joined (``eng``).
        psm: Page segmentation mode.
        binary: The program (a name on PATH, or a path).
        timeout_s: Wall time one page may take.

    Raises:
        MissingDependencyError: the program or the language's model is not installed.
    """

    def __init__(
        self,
        *,
        language: str = "eng",
        psm: int = DEFAULT_PSM,
        binary: str = "tesseract",
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        installed = tesseract_languages(binary)
        missing = [lang for lang in language.split("+") if lang not in installed]
        if missing:
            raise MissingDependencyError(
                f"{INSTALL_HINT}; Tesseract has no model for {', '.join(missing)} "
                f"(installed: {', '.join(installed) or 'none'})",
                package="tesseract-ocr-eng",
            )
        self.binary = shutil.which(binary) or binary
        self.language, self.psm, self.timeout_s = language, psm, timeout_s

    def command(self) -> Sequence[str]:
        """The command line: image on stdin, TSV on stdout."""
        return [self.binary, "stdin", "stdout", "-l", self.language, "--psm", str(self.psm), "tsv"]

    def __call__(self, gray: np.ndarray, page: int = 0) -> list[TextLine]:
        """The text lines of ``HxW`` uint8 grey pixels.

        Raises:
            OCRError: the program failed or ran over its time.
        """
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            done = subprocess.run(
                list(self.command()),
                input=pgm(gray),
                capture_output=True,
                timeout=self.timeout_s,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise OCRError(f"Tesseract ran over {self.timeout_s:.0f} s on one page") from exc
        except OSError as exc:
            raise OCRError(f"cannot run Tesseract ({self.binary}): {exc}") from exc
        if done.returncode != 0:
            said = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
            raise OCRError(f"Tesseract failed (exit {done.returncode}): {' / '.join(said)}")
        return tsv_lines(done.stdout.decode(errors="replace"), page)
