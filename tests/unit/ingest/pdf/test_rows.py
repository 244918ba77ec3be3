"""Equation rows of multi-row display regions, and their equations (whole + one per row)."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from scipix_search.ingest.pdf._glyphs import Glyph
from scipix_search.ingest.pdf._locate import find_equation_regions
from scipix_search.ingest.pdf._regions import EquationRegion, RegionRow, regions_to_equations
from scipix_search.ingest.pdf._rows import equation_rows, visual_rows
from tests.factories import PROSE, prose_lines


def _row(text: str, base: float, x: float = 100.0, size: float = 10.0) -> list[Glyph]:
    out = []
    for c in text:
        font = "CMMI10" if c.isalpha() else "CMR10"
        out.append(Glyph(c, x, base - 0.75 * size, x + 5, base + 0.25 * size, base, size, font))
        x += 6
    return out


def _groups(glyphs: list[Glyph]) -> list[str]:
    rows = equation_rows(visual_rows(glyphs, [], 10.0), 10.0)
    return ["".join(g.c for g in sorted(gs, key=lambda g: g.x0)) for gs in rows]


def test_equation_rows_split_aligned_equations() -> None:
    # u = z + w / w = x - y / + a: an align with a continuation row starting with "+"
    glyphs = _row("u=z+w,", 100) + _row("w=x-y", 116) + _row("+a", 132, x=112)
    assert _groups(glyphs) == ["u=z+w,", "w=x-y", "+a"]


def test_equation_rows_keep_rows_without_relations_together() -> None:
    # two lines of one long formula (multline): the second neither starts with an operator
    # nor holds a relation
    assert len(_groups(_row("u=abc", 100) + _row("def", 116))) == 1


def test_equation_rows_keep_a_bracketed_matrix_whole() -> None:
    # [x ; u] = [a ; b]: rows joined by a bracket drawn from Symbol-font pieces
    top = Glyph("\uf8ee", 90, 92, 95, 102, 100, 10, "Symbol")
    bottom = Glyph("\uf8f0", 90, 102, 95, 120, 116, 10, "Symbol")
    glyphs = [top, *_row("x=a", 100), bottom, *_row("u=b", 116)]
    assert len(_groups(glyphs)) == 1


def test_equation_rows_symbol_fonts_sans_marks_are_no_pieces() -> None:
    # Symbol's private-use block also holds a sans ® and © (U+F8E8, U+F8E9): stacked where
    # the bracket's pieces were, they hold no rows together
    top = Glyph("\uf8e8", 90, 92, 95, 102, 100, 10, "Symbol")
    bottom = Glyph("\uf8e9", 90, 102, 95, 120, 116, 10, "Symbol")
    glyphs = [top, *_row("x=a", 100), bottom, *_row("u=b", 116)]
    assert len(_groups(glyphs)) == 2


def test_equation_rows_limits_row_is_not_an_equation() -> None:
    # argmin with limits j=1,...,k set below in script size
    glyphs = _row("j=argmin", 100) + _row("j=1,k", 108, size=7.0)
    assert len(_groups(glyphs)) == 1


def test_find_equation_regions_rows_of_an_align(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    y = prose_lines(page, 100.0)
    for lhs, rhs in (("x", "= a + b"), ("y", "= c + d")):
        y += 16
        page.insert_text((260, y), lhs, fontname="tiit", fontsize=10)
        page.insert_text((270, y), rhs, fontname="tiro", fontsize=10)
    page.insert_text((520, y), "(2)", fontname="tiro", fontsize=10)
    for _ in range(3):
        y += 14
        page.insert_text((72, y + 16), PROSE, fontname="helv", fontsize=10)
    path = tmp_path / "align.pdf"
    doc.save(path)
    doc.close()

    regions = find_equation_regions(path, dpi=72)
    assert len(regions) == 1
    region = regions[0]
    assert [r.latex.replace(" ", "") for r in region.rows] == ["x=a+b", "y=c+d"]
    assert [r.number for r in region.rows] == [None, "2"]  # the number sits beside row 2
    assert all(r.image is not None and r.image[:4] == b"\x89PNG" for r in region.rows)
    assert region.rows[0].bbox[3] <= region.rows[1].bbox[1] + 1


def test_regions_to_equations_reads_rows_in_one_batch() -> None:
    png = _png()
    region = EquationRegion(
        page=1,
        bbox=(0, 0, 10, 20),
        display=True,
        number="2",
        latex="x=a \\\\ y=c",
        image=png,
        rows=[
            RegionRow(bbox=(0, 0, 10, 9), latex="x=a", image=png),
            RegionRow(bbox=(0, 11, 10, 20), latex="y=c", number="2", image=png),
        ],
    )
    single = EquationRegion(page=2, bbox=(0, 0, 5, 5), display=True, latex="z", image=png)

    class Recognizer:
        calls: list[tuple[int, bool]] = []

        def batch(
            self,
            images: list[object],
            *,
            same_document: bool = False,
            settled: object = None,
            moot: object = None,
        ) -> list[object]:
            self.calls.append((len(images), same_document))
            reads = ["x = a", "y = c", "z"]
            return [type("R", (), {"latex": r, "confidence": 0.9})() for r in reads]

    ocr = Recognizer()
    out = regions_to_equations([region, single], ocr)
    assert ocr.calls == [(3, True)]  # the two row crops and the single region, not the whole
    assert [(e.latex, e.number, e.bbox) for e in out] == [
        ("x = a \\\\ y = c", "2", (0, 0, 10, 20)),
        ("x = a", None, (0, 0, 10, 9)),
        ("y = c", "2", (0, 11, 10, 20)),
        ("z", None, (0, 0, 5, 5)),
    ]
    assert all(e.origin == "ocr" for e in out) and [e.order for e in out] == [0, 1, 2, 3]
    plain = regions_to_equations([region, single])
    assert [e.latex for e in plain] == ["x=a \\\\ y=c", "x=a", "y=c", "z"]
    assert all(e.origin == "pdf" for e in plain)


def test_first_reads_the_text_layer_confirms_are_settled() -> None:
    png = _png()
    regions = [
        EquationRegion(page=1, bbox=(0, 0, 10, 9), display=True, latex=latex, image=png)
        for latex in ("x=a+b", "x=a+b", "y=c")
    ]
    regions[2].codes_only = True  # bitmap-font codes: nothing to check a read with
    seen: list[bool] = []

    class Recognizer:
        def batch(self, images: list[object], **options: object) -> list[object]:
            settled = options["settled"]
            assert callable(settled)
            # a read of the printed symbols; one that invents symbols; any read of codes
            seen.extend(
                [settled(0, "x = a + b"), settled(1, "\\Omega \\beta \\psi"), settled(2, "y=c")]
            )
            return ["x = a + b", "\\Omega", "y=c"]

    out = regions_to_equations(regions, Recognizer())
    assert seen == [True, False, False]
    assert [e.origin for e in out] == ["ocr", "pdf", "ocr"]


def test_split_votes_whose_reads_would_all_be_dropped_are_moot() -> None:
    """``moot`` says True exactly where the caller would keep the glyphs whichever read won."""
    png = _png()
    regions = [
        EquationRegion(page=1, bbox=(0, 0, 10, 9), display=True, latex=latex, image=png)
        for latex in ("x=a+b", "x=a+b", "y=c")
    ]
    regions[2].codes_only = True
    seen: list[bool] = []
    invented, printed = "\\Omega \\beta \\psi", "x = a + b"

    class Recognizer:
        def batch(self, images: list[object], **options: object) -> list[object]:
            moot = options["moot"]
            assert callable(moot)
            seen.extend(
                [
                    moot(0, [invented, "\\Gamma", "\\zeta \\xi"]),  # every read invents
                    moot(1, [invented, printed, "\\Gamma"]),  # one read would be kept
                    moot(2, [invented, "\\Gamma", "\\zeta"]),  # codes: any read is kept
                ]
            )
            return [invented, printed, "y=c"]

    out = regions_to_equations(regions, Recognizer())
    assert seen == [True, False, False]
    # the moot crop keeps its glyphs, as the read the vote returns is dropped
    assert [(e.latex, e.origin) for e in out] == [
        ("x=a+b", "pdf"),
        (printed, "ocr"),
        ("y=c", "ocr"),
    ]


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, format="PNG")
    return buf.getvalue()
