"""Request and response bodies: ``Base`` / ``Create`` / ``Public`` / ``XsPublic(data, count)``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator


def _aware(value: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they are stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_aware)]

#: Ids are INTEGER columns: 32-bit on PostgreSQL, 64-bit on SQLite. The narrower range is the
#: one every store can hold; a larger id names no row, and is refused (422) before any query.
MAX_ID = 2**31 - 1
#: Offsets into a listing or a ranking: beyond the rows any store holds.
MAX_OFFSET = 2**31 - 1

# -- documents -------------------------------------------------------------------------------


class DocumentBase(BaseModel):
    source: str
    kind: str
    title: str | None = None


class DocumentPublic(DocumentBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sha256: str
    page_count: int
    created_at: UtcDatetime
    authors: list[str] = Field(default_factory=list, description="as the paper prints them")
    year: int | None = None
    abstract: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    duplicate_of: int | None = Field(
        default=None,
        description="the document this one is another build of: kept, but not in any result",
    )

    @field_validator("authors", mode="before")
    @classmethod
    def _author_list(cls, value: Any) -> Any:
        # the database keeps one string, names joined by "; "
        if isinstance(value, str):
            return [a for a in value.split("; ") if a]
        return [] if value is None else value


class DocumentsPublic(BaseModel):
    data: list[DocumentPublic]
    count: int = Field(description="documents matching the filters (the same as total)")
    total: int = Field(default=0, description="documents matching the filters, all pages")
    limit: int = Field(default=50, description="the page size asked for")
    offset: int = Field(default=0, description="documents skipped before this page")


class EquationBase(BaseModel):
    latex: str
    number: str | None = None
    page: int | None = None
    bbox: list[float] | None = None


class EquationPublic(EquationBase):
    model_config = ConfigDict(from_attributes=True)

    id: int
    document_id: int
    mathml: str | None = None
    canonical: str | None = None
    display: bool = True
    origin: str
    confidence: float | None = None


class EquationsPublic(BaseModel):
    data: list[EquationPublic]
    count: int


class DocumentDetailPublic(DocumentPublic):
    equations: list[EquationPublic] = Field(default_factory=list)
    passage_count: int = 0


class EquationDetailPublic(EquationPublic):
    document: DocumentPublic


class PagePublic(BaseModel):
    """A page of a stored PDF: its size in PDF points, the unit of every ``bbox``."""

    document_id: int
    number: int
    width: float
    height: float
    image: str = Field(description="URL of the page's PNG (boxes: ?box=, ?equation=)")


class ErrorPublic(BaseModel):
    """An error answer of the ``/v1`` API."""

    error: str = Field(description="a code, e.g. not_found")
    reason: str


#: ``responses=`` of a route with an id in its path: its 404 in the OpenAPI schema.
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorPublic, "description": "No such document, equation or job"}
}
#: Semantic Scholar's name for ``k``, accepted beside it.
LIMIT_DESCRIPTION = "how many hits; same as k (Semantic Scholar's name), wins when both are sent"


# -- jobs ------------------------------------------------------------------------------------


class JobPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: Literal["queued", "running", "succeeded", "failed"]
    document_id: int | None = None
    attempts: int
    max_attempts: int
    error: str | None = None
    result: dict[str, Any] | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class UploadPublic(BaseModel):
    """Answer to an upload: a job to poll (202), or the document already stored (200)."""

    status: Literal["queued", "running", "present"]
    job: JobPublic | None = None
    document: DocumentPublic | None = None


# -- search ----------------------------------------------------------------------------------


class HitPublic(BaseModel):
    kind: Literal["passage", "equation"]
    id: int
    document_id: int
    source: str
    title: str | None = None
    authors: list[str] | None = None
    year: int | None = None
    page: int | None = None
    bbox: list[float] | None = None
    score: float = Field(
        description="estimated probability (0-1) that the hit is relevant, the same scale for "
        "equations and passages"
    )
    raw_score: float | None = Field(
        default=None,
        description="the kind's own ranking score (equations: structural similarity 0-1; "
        "passages: reciprocal-rank fusion)",
    )
    close_match: bool | None = Field(
        default=None,
        description="score at or above the close-match threshold; false: only the nearest",
    )
    text: str | None = None
    latex: str | None = None
    number: str | None = None
    display: bool | None = Field(
        default=None, description="equations: a display equation (true) or inline math (false)"
    )
    matched_latex: str | None = Field(
        default=None,
        description="equations that contain the query: the part that matched (canonical LaTeX)",
    )
    context: str | None = Field(
        default=None,
        description="equations on a PDF page: the sentence that introduces them",
    )


class HitsPublic(BaseModel):
    data: list[HitPublic]
    count: int
    query: str | None = None
    offset: int = 0
    close_match: bool = Field(
        default=False,
        description="some hit is a close match; false: no close match, the hits are the nearest",
    )

    @model_validator(mode="after")
    def _any_close(self) -> HitsPublic:
        self.close_match = any(h.close_match for h in self.data)
        return self


class EquationSearchCreate(BaseModel):
    latex: str = Field(description="LaTeX of the formula to look for, e.g. a^2+b^2=c^2")
    k: int = Field(default=10, ge=1, le=100)
    limit: int | None = Field(default=None, ge=1, le=100, description=LIMIT_DESCRIPTION)
    offset: int = Field(default=0, ge=0, le=1000)
    document_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="Only this document's equations"
    )
    display: bool | None = Field(
        default=None,
        description="Only display equations (true) or only inline math (false); both if unset",
    )

    @model_validator(mode="after")
    def _limit_is_k(self) -> EquationSearchCreate:
        if self.limit is not None:
            self.k = self.limit
        return self


class EquationSearchPublic(HitsPublic):
    ocr: dict[str, Any] | None = Field(
        default=None, description="What formula OCR read, when the query was an image"
    )


class DocumentGroupPublic(BaseModel):
    document_id: int
    source: str
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    score: float
    passages: list[HitPublic]


class TextSearchPublic(HitsPublic):
    documents: list[DocumentGroupPublic] = Field(default_factory=list)


class MixedDocumentPublic(BaseModel):
    """A paper found by a query's words, its formulas or both: its best passage and equations."""

    document_id: int
    source: str
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    score: float
    passage: HitPublic | None = None
    equations: list[HitPublic] = Field(default_factory=list)


class MixedSearchPublic(BaseModel):
    query: str
    words: str
    formulas: list[str]
    documents: list[MixedDocumentPublic]
    count: int
    offset: int = 0


# -- OCR -------------------------------------------------------------------------------------


class TextLinePublic(BaseModel):
    text: str
    bbox: list[float]
    confidence: float


class OcrPublic(BaseModel):
    latex: str | None = None
    mathml: str | None = None
    confidence: float | None = None
    parses: bool | None = None
    lines: list[TextLinePublic] = Field(default_factory=list)
    width: int
    height: int
    time_ms: float


class MathpixOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_asciimath: bool = False
    include_latex: bool = False
    include_mathml: bool = False


class MathpixTextCreate(BaseModel):
    """The subset of Mathpix ``/v3/text`` options honoured here (others are accepted, ignored)."""

    model_config = ConfigDict(extra="allow")

    src: str | None = Field(default=None, description="data:image/...;base64,... URL")
    formats: list[str] = Field(default_factory=lambda: ["text"])
    data_options: MathpixOptions = Field(default_factory=MathpixOptions)
    math_inline_delimiters: list[str] = Field(default_factory=lambda: ["\\(", "\\)"])
    math_display_delimiters: list[str] = Field(default_factory=lambda: ["\\[", "\\]"])


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of ``model`` with its ``$defs`` written in place.

    For ``openapi_extra`` of routes that read their body themselves (JSON or multipart): FastAPI
    puts only the models its parameters name into the schema's components, and a ``$ref`` to
    another would dangle (the schema fuzzer, and every client generator, would fail on it).
    """
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


# -- health ----------------------------------------------------------------------------------


class HealthPublic(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(default_factory=dict)
