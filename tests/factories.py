"""Factories for test inputs: PDFs built with PyMuPDF or pdflatex, broken files, parsed
documents."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pymupdf
import pytest

from scipix_search.config import Settings
from scipix_search.exceptions import MissingDependencyError
from scipix_search.ingest import (
    EquationRegion,
    ParsedDocument,
    ParsedPage,
    ParsedPassage,
    sha256_bytes,
)
from scipix_search.ocr import build_formula_model
from scipix_search.ocr._layout import default_layout_model

LOREM = (
    "Spectral methods approximate the solution of a differential equation by a finite sum of "
    "orthogonal basis functions, and converge exponentially fast for smooth solutions."
)

ZERO_PAGE_PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
    b"trailer <</Size 3 /Root 1 0 R>>\nstartxref\n107\n%%EOF\n"
)


def make_pdf(
    paragraphs_per_page: list[list[str]],
    *,
    title: str | None = None,
    header: str | None = "Journal of Tests, vol. 1",
    page_numbers: bool = True,
    metadata_title: str | None = None,
) -> bytes:
    """A born-digital PDF with optional title, running header and page numbers."""
    doc = pymupdf.open()
    for number, paragraphs in enumerate(paragraphs_per_page, start=1):
        page = doc.new_page(width=595, height=842)
        if header:
            page.insert_text((72, 35), header, fontsize=8)
        if page_numbers:
            page.insert_text((290, 815), str(number), fontsize=9)
        y = 80
        if title and number == 1:
            page.insert_textbox(pymupdf.Rect(72, y, 523, y + 50), title, fontsize=20, align=1)
            y += 60
        for text in paragraphs:
            page.insert_textbox(pymupdf.Rect(72, y, 523, y + 120), text, fontsize=11)
            y += 130
    if metadata_title is not None:
        doc.set_metadata({"title": metadata_title})
    data = doc.tobytes()
    doc.close()
    return data


def write_pdf(path: Path, paragraphs_per_page: list[list[str]], **kwargs: object) -> Path:
    path.write_bytes(make_pdf(paragraphs_per_page, **kwargs))  # type: ignore[arg-type]
    return path


def encrypted_pdf() -> bytes:
    doc = pymupdf.open(stream=make_pdf([[LOREM]]), filetype="pdf")
    data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    doc.close()
    return data


def parsed_document(name: str = "doc.pdf", passages: int = 3, seed: int = 0) -> ParsedDocument:
    texts = [f"{LOREM} Variant {seed}-{i}." for i in range(passages)]
    data = "".join(texts).encode()
    return ParsedDocument(
        source=name,
        sha256=sha256_bytes(data + name.encode()),
        kind="pdf",
        title=f"Title {seed}",
        pages=[ParsedPage(1, 595, 842)],
        passages=[
            ParsedPassage(t, 1, (72, 80 + 20 * i, 500, 95 + 20 * i), i) for i, t in enumerate(texts)
        ],
    )


def random_unit_vectors(n: int, dim: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


PROSE = "This is an ordinary line of prose that runs across the whole column width of the page."


def prose_lines(page: pymupdf.Page, y: float, count: int = 3) -> float:
    """Write ``count`` full-width lines of prose from baseline ``y``; return the next baseline."""
    for _ in range(count):
        page.insert_text((72, y), PROSE, fontname="helv", fontsize=10)
        y += 14
    return y


def identity_onnx_model(path: Path) -> Path:
    """A one-node ONNX model (Identity on a float vector): a real file for session tests."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    value = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g", [value], [out])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))
    return path


def requires_pdflatex() -> pytest.MarkDecorator:
    """Skip marker for tests that compile TeX (CI installs it with scripts/install_tex.sh)."""
    return pytest.mark.skipif(
        shutil.which("pdflatex") is None,
        reason="pdflatex not installed (scripts/install_tex.sh installs TeX Live)",
    )


def typeset(tex: Path, source: str) -> Path:
    """Write ``source`` to ``tex`` and compile it with pdflatex beside it (the PDF is
    ``tex.with_suffix(".pdf")``); skips the test where pdflatex is not installed."""
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    tex.write_text(source)
    subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tex.parent,
        capture_output=True,
        check=True,
        timeout=120,
    )
    return tex


#: Math font setups the typeset tests use: preamble lines and the package file they need.
MATH_FONTS: dict[str, tuple[str, str | None]] = {
    "cm": ("", None),
    "mathptmx": ("\\usepackage{mathptmx}\n", "mathptmx.sty"),
    "newtx": ("\\usepackage{newtxtext,newtxmath}\n", "newtxmath.sty"),
    "stix2": ("\\usepackage{stix2}\n", "stix2.sty"),
    "fourier": ("\\usepackage{fourier}\n", "fourier.sty"),
    "fouriernc": ("\\usepackage[T1]{fontenc}\n\\usepackage{fouriernc}\n", "fouriernc.sty"),
}


def math_font_preamble(font: str) -> str:
    """The preamble lines of a :data:`MATH_FONTS` setup; skips the test where its package is
    not installed."""
    preamble, package = MATH_FONTS[font]
    if package:
        require_tex_file(package)
    return preamble


def require_tex_file(name: str) -> None:
    """Skip the test unless TeX Live's ``kpsewhich`` finds ``name`` (a ``.sty`` or ``.cls``):
    font and class packages come from optional Debian TeX Live packages."""
    import pytest

    if shutil.which("kpsewhich") is None:
        pytest.skip("kpsewhich (TeX Live) is not installed")
    found = subprocess.run(["kpsewhich", name], capture_output=True, text=True)
    if not found.stdout.strip():
        pytest.skip(f"{name} is not installed")


_ARTICLE_INTRO = (
    "In the limit of a weak coupling the two sectors decouple, and the result of the "
    "previous section carries over to the present case without change. "
)


def typeset_article(tex: Path, body: str, preamble: str = "", *, options: str = "11pt") -> Path:
    """Typeset ``body`` in an ``article`` (class ``options``, 11pt by default) with amsmath and
    ``preamble``, between two prose sentences, so that the displays sit in a column of
    ordinary text (see :func:`typeset`)."""
    return typeset(
        tex,
        f"\\documentclass[{options}]{{article}}\n\\usepackage{{amsmath}}\n"
        + preamble
        + "\\pagestyle{empty}\n\\begin{document}\n"
        + _ARTICLE_INTRO
        + body
        + "for every mode of the spectrum, as stated in the introduction.\n\\end{document}\n",
    )


@dataclass(slots=True)
class NumberedDisplays:
    """Numbered displays typeset between prose and read back from the PDF: each display's
    source LaTeX (as the project's LaTeX reader gives it, in order) and the reader's regions."""

    tex: Path
    source: list[str]
    regions: list[EquationRegion]

    def read(self, n: int) -> str:
        """The LaTeX of the region that carries display ``n``'s number (1-based), or ``""``."""
        return {r.number: r.latex for r in self.regions}.get(str(n), "")

    def pairs(self) -> list[tuple[str, str]]:
        """(source, read) LaTeX of every display, compared by equation number."""
        return [(src, self.read(n)) for n, src in enumerate(self.source, start=1)]


def typeset_numbered(
    tex: Path,
    displays: Iterable[str],
    preamble: str = "",
    *,
    options: str = "11pt",
    lead: str = "",
    between: str = "as the next step shows in full.",
) -> NumberedDisplays:
    """Typeset each of ``displays`` as a numbered ``equation`` with the prose ``between`` after
    it, in an article (:func:`typeset_article`; ``lead`` goes right before the first display),
    and read the PDF back with the text layer (no rendering)."""
    from scipix_search.ingest import find_equation_regions, read_tex_equations

    latex = list(displays)
    body = "".join(f"\\begin{{equation}}\n{d}\n\\end{{equation}}\n{between}\n" for d in latex)
    typeset_article(tex, lead + body, preamble, options=options)
    source = [eq.latex for eq in read_tex_equations(tex) if eq.display]
    assert len(source) == len(latex), source
    regions = find_equation_regions(tex.with_suffix(".pdf"), render=False)
    return NumberedDisplays(tex, source, regions)


def read_keyed_displays(
    tex: Path, displays: Mapping[str, str], preamble: str = "", *, options: str = "11pt"
) -> dict[str, str]:
    """:func:`typeset_numbered` over the values of ``displays``: the LaTeX read back for
    each key (``""`` where no region carries its number)."""
    doc = typeset_numbered(tex, displays.values(), preamble, options=options)
    return dict(zip(displays, (latex for _, latex in doc.pairs()), strict=True))


def keyed_displays_fixture(
    stem: str, setups: Mapping[str, str], displays: Mapping[str, str], *, options: str = "10pt"
) -> Any:
    """A module-scoped fixture with one instance per font setup of ``setups`` (name: preamble
    lines, after amssymb): the setup's name and :func:`read_keyed_displays` of ``displays``
    typeset in it (``stem``: the TeX file's name). Bind it in the test module to the name
    its tests ask for: ``rows = keyed_displays_fixture("pieces", _SETUPS, _DISPLAYS)``."""

    @pytest.fixture(scope="module", params=list(setups))
    def fixture(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> tuple[str, dict[str, str]]:
        setup: str = request.param
        tex = tmp_path_factory.mktemp(f"{stem}-{setup}") / f"{stem}.tex"
        preamble = "\\usepackage{amssymb}\n" + setups[setup]
        return setup, read_keyed_displays(tex, displays, preamble, options=options)

    return fixture


def typeset_displays(tex: Path, body: str, font: str) -> list[EquationRegion]:
    """Typeset ``body`` in an ``article`` with amsmath, amssymb and the :data:`MATH_FONTS`
    setup ``font`` (see :func:`typeset`), and return the display regions read from it."""
    from scipix_search.ingest import find_equation_regions

    typeset(
        tex,
        "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
        + math_font_preamble(font)
        + f"\\begin{{document}}\n{body}\\end{{document}}\n",
    )
    return [r for r in find_equation_regions(tex.with_suffix(".pdf"), render=False) if r.display]


def require_page_models() -> None:
    """Skip unless the page models (RapidOCR, the layout model, the formula model) are here;
    under CI a missing one is a failure, not a skip (the project installs them)."""
    pytest.importorskip("rapidocr")
    try:
        default_layout_model()
        build_formula_model(Settings().model_dir)
    except MissingDependencyError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))
