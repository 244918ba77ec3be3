"""Ingest stage: source files (PDF, images, LaTeX sources, formula lists) to pages and regions.

Subpackages by format: :mod:`~scipix_search.ingest.pdf` (born-digital PDFs),
:mod:`~scipix_search.ingest.latex` (LaTeX sources), :mod:`~scipix_search.ingest.pair` (a source
and its PDF as one document). Nothing here runs a model: page images and crops are read by
recognizers passed in by the caller (the ``ocr`` stage comes later in the pipeline).
"""

from scipix_search.ingest._collection import parse_formula_collection
from scipix_search.ingest._detect import (
    COLLECTION_SUFFIXES,
    IMAGE_FORMATS,
    SUPPORTED_SUFFIXES,
    TEX_SUFFIXES,
    ContentType,
    magic,
    read_input,
    sha256_bytes,
    sniff,
)
from scipix_search.ingest._discover import collect_files, pair_sources
from scipix_search.ingest._image import (
    FORMULA_MAX_HEIGHT_PX,
    PROSE_MIN_CHARS,
    PROSE_WORD_SHARE,
    FoundEquation,
    PageEquations,
    crop_box,
    is_prose,
    lines_outside,
    lines_to_passages,
    parse_image,
    prose_crops,
    scale_passages,
    word_share,
)
from scipix_search.ingest._markdown import (
    DisplayBlock,
    TextBlock,
    display_blocks,
    document_markdown,
    markdown_displays,
    ocr_blocks,
    page_markdown,
    reading_order,
)
from scipix_search.ingest._meta import PaperMeta, split_names, surname_key, title_key
from scipix_search.ingest._types import (
    BBox,
    ParsedDocument,
    ParsedEquation,
    ParsedPage,
    ParsedPassage,
)
from scipix_search.ingest.latex import TexEquation, parse_latex_source, read_tex_equations
from scipix_search.ingest.pair import align_source_to_pdf, merge_source_and_pdf
from scipix_search.ingest.pdf import (
    EquationRegion,
    RegionRow,
    display_lists,
    find_equation_regions,
    open_pdf,
    page_equation_regions,
    page_markdown_blocks,
    parse_pdf,
    passages_outside,
    regions_to_equations,
)

__all__ = [
    "COLLECTION_SUFFIXES",
    "FORMULA_MAX_HEIGHT_PX",
    "IMAGE_FORMATS",
    "SUPPORTED_SUFFIXES",
    "TEX_SUFFIXES",
    "BBox",
    "ContentType",
    "DisplayBlock",
    "EquationRegion",
    "FoundEquation",
    "PageEquations",
    "PaperMeta",
    "ParsedDocument",
    "ParsedEquation",
    "ParsedPage",
    "ParsedPassage",
    "RegionRow",
    "TexEquation",
    "TextBlock",
    "align_source_to_pdf",
    "collect_files",
    "display_blocks",
    "display_lists",
    "document_markdown",
    "find_equation_regions",
    "crop_box",
    "prose_crops",
    "is_prose",
    "word_share",
    "PROSE_WORD_SHARE",
    "PROSE_MIN_CHARS",
    "lines_outside",
    "lines_to_passages",
    "magic",
    "markdown_displays",
    "merge_source_and_pdf",
    "ocr_blocks",
    "open_pdf",
    "page_equation_regions",
    "page_markdown",
    "page_markdown_blocks",
    "pair_sources",
    "parse_formula_collection",
    "parse_image",
    "parse_latex_source",
    "parse_pdf",
    "passages_outside",
    "read_input",
    "read_tex_equations",
    "reading_order",
    "regions_to_equations",
    "scale_passages",
    "sha256_bytes",
    "sniff",
    "split_names",
    "surname_key",
    "title_key",
]
