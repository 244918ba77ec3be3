"""OCR: an image or a PDF page in; LaTeX, MathML and text lines with boxes out."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, UploadFile

from scipix_search.api._inputs import check_image, check_pdf, read_upload
from scipix_search.api._render import clip_to_page, parse_bbox
from scipix_search.api.deps import ReadKey, ServicesDep, run_limited
from scipix_search.api.errors import InvalidParameterError
from scipix_search.api.schemas import OcrPublic, TextLinePublic
from scipix_search.exceptions import (
    CorruptInputError,
    InputError,
    InputTooLargeError,
    ScipixError,
    UnsupportedContentError,
)
from scipix_search.ingest import sniff

router = APIRouter(prefix="/v1/ocr", tags=["ocr"])

Mode = Literal["formula", "text", "both"]
PDF_DPI = 200


#: RapidOCR scales an image's long side to 2000 px and rounds both sides to multiples of 32, so
#: a strip narrower than 1:125 becomes 0 px high and fails inside it; refuse it with a reason.
MAX_TEXT_ASPECT = 100


def _pdf_page_png(data: bytes, name: str, page: int, bbox: str | None, max_pixels: int) -> bytes:
    region = parse_bbox(bbox)
    try:
        return _render_page(data, name, page, region, max_pixels)
    except ScipixError:
        raise
    except Exception as exc:  # MuPDF's errors on a damaged page: tree, stream, font, ...
        raise CorruptInputError(f"{name}: page {page} cannot be rendered: {exc}") from exc


def _render_page(
    data: bytes,
    name: str,
    page: int,
    region: tuple[float, float, float, float] | None,
    max_pixels: int,
) -> bytes:
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as doc:
        if not 1 <= page <= doc.page_count:
            raise InputError(f"{name}: page {page} does not exist (1..{doc.page_count})")
        pdf_page = doc[page - 1]
        clip = clip_to_page(region, pdf_page.rect) if region else pdf_page.rect
        zoom = PDF_DPI / 72
        if clip.width * clip.height * zoom * zoom > max_pixels:
            raise InputTooLargeError(f"{name}: page {page} is too large to render at {PDF_DPI} dpi")
        pixmap = pdf_page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), clip=clip, alpha=False)
        return bytes(pixmap.tobytes("png"))


def run_ocr(
    services: ServicesDep, data: bytes, name: str, mode: Mode, page: int, bbox: str | None
) -> OcrPublic:
    """Formula and/or text OCR of an image or of one PDF page (optionally a region of it)."""
    settings = services.settings
    started = time.perf_counter()
    kind = sniff(data, name)
    if kind == "pdf":
        check_pdf(data, name, settings.max_pages)
        data = _pdf_page_png(data, name, page, bbox, settings.max_image_pixels)
        if mode == "both" and bbox is None:
            mode = "text"  # formula OCR reads one formula, not a page
    elif kind != "image":
        raise UnsupportedContentError(f"{name}: expected an image or a PDF, got {kind}")
    width, height = check_image(data, name, settings.max_image_pixels)
    if mode in ("text", "both") and max(width, height) > MAX_TEXT_ASPECT * min(width, height):
        raise InvalidParameterError(
            f"{name}: a {width}x{height} image is too narrow for text OCR (sides up to "
            f"{MAX_TEXT_ASPECT}:1); crop it, or use mode=formula"
        )
    out: dict[str, Any] = {"width": width, "height": height}
    if mode in ("formula", "both"):
        result = services.latex_recognizer()(data)
        out.update(
            latex=result.latex,
            mathml=result.mathml,
            confidence=result.confidence,
            parses=result.parses,
        )
    if mode in ("text", "both"):
        lines = services.text_recognizer()(data)
        out["lines"] = [
            TextLinePublic(text=ln.text, bbox=list(ln.bbox), confidence=ln.confidence)
            for ln in lines
        ]
    out["time_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return OcrPublic(**out)


@router.post("", response_model=OcrPublic, dependencies=[ReadKey])
async def ocr(
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="an image, or a PDF (see page)")],
    mode: Annotated[Mode, Form(description="formula, text or both")] = "both",
    page: Annotated[int, Form(ge=1, description="page of a PDF, 1-based")] = 1,
    bbox: Annotated[str | None, Form(description="x0,y0,x1,y1 region of the PDF page")] = None,
) -> OcrPublic:
    """Read LaTeX (formula OCR) and text lines with boxes and confidences (text OCR)."""
    data = await read_upload(file, services.settings.max_upload_bytes)
    name = file.filename or "upload"
    return await run_limited(services, run_ocr, services, data, name, mode, page, bbox)
