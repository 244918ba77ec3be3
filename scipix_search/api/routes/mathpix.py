"""A Mathpix-compatible ``POST /v3/text`` so existing Mathpix clients work against this server."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request

from scipix_search import __version__
from scipix_search.api._inputs import check_image_input, decode_data_url, read_upload
from scipix_search.api.deps import ReadKey, ServicesDep, run_limited
from scipix_search.api.schemas import MathpixTextCreate, inline_schema
from scipix_search.exceptions import InputError, UnsupportedContentError
from scipix_search.math import latex_to_asciimath

router = APIRouter(prefix="/v3", tags=["mathpix"])


def mathpix_text(services: ServicesDep, data: bytes, options: MathpixTextCreate) -> dict[str, Any]:
    """The Mathpix ``/v3/text`` answer for one formula image."""
    width, height = check_image_input(data, "src", services.settings)
    result = services.latex_recognizer()(data)
    latex = result.latex
    opener, closer = (options.math_inline_delimiters + ["\\(", "\\)"])[:2]
    body: dict[str, Any] = {
        "request_id": uuid.uuid4().hex,
        "version": f"scipix-search-{__version__}",
        "image_width": width,
        "image_height": height,
        "is_printed": True,
        "is_handwritten": False,
        "auto_rotate_confidence": 0.0,
        "auto_rotate_degrees": 0,
        "confidence": result.confidence,
        "confidence_rate": result.confidence,
        "latex_styled": latex,
    }
    formats = set(options.formats)
    if "text" in formats:
        body["text"] = f"{opener} {latex} {closer}" if latex else ""
    if "data" in formats:
        data_out: list[dict[str, str]] = []
        if options.data_options.include_asciimath and latex:
            data_out.append({"type": "asciimath", "value": latex_to_asciimath(latex)})
        if options.data_options.include_latex and latex:
            data_out.append({"type": "latex", "value": latex})
        if options.data_options.include_mathml and result.mathml:
            data_out.append({"type": "mathml", "value": result.mathml})
        body["data"] = data_out
    if "html" in formats:
        body["html"] = f'<span class="math-inline">{opener}{latex}{closer}</span>'
    if not latex:
        body["error"] = "no content found in the image"
        body["error_info"] = {"id": "image_no_content", "message": body["error"]}
    return body


@router.post(
    "/text",
    dependencies=[ReadKey],
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": inline_schema(MathpixTextCreate)},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "options_json": {"type": "string"},
                        },
                        "required": ["file"],
                    }
                },
            }
        }
    },
)
async def v3_text(request: Request, services: ServicesDep) -> dict[str, Any]:
    """Mathpix ``/v3/text``: JSON with ``src`` as a data URL, or multipart ``file`` with
    ``options_json``; answers ``text``, ``latex_styled``, ``data``, ``confidence``, ``request_id``.
    """
    limit = services.settings.max_upload_bytes
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=10, max_part_size=limit)
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise InputError("multipart requests need a file field")
        raw_options = form.get("options_json") or "{}"
        try:
            options = MathpixTextCreate.model_validate(json.loads(str(raw_options)))
        except ValueError as exc:
            raise InputError(f"options_json is not valid: {exc}".splitlines()[0]) from exc
        data = await read_upload(upload, limit)
    elif content_type.startswith("application/json"):
        raw = await request.body()
        if len(raw) > limit * 4 // 3 + 4096:
            from scipix_search.exceptions import InputTooLargeError

            raise InputTooLargeError(f"request body larger than the limit of {limit} bytes")
        try:
            options = MathpixTextCreate.model_validate_json(raw)
        except ValueError as exc:
            raise InputError(f"invalid JSON request: {exc}".splitlines()[0]) from exc
        if not options.src:
            raise InputError("src is required: a data:image/png;base64,... URL")
        data = decode_data_url(options.src, limit)
    else:
        raise UnsupportedContentError("send JSON with src, or multipart with file and options_json")
    return await run_limited(services, mathpix_text, services, data, options)
