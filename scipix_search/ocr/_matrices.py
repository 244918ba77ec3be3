"""Matrices in a formula crop, found on its ink: delimiters, rows and columns of cells.

The formula model reads one line of symbols at a time; a matrix between brackets is a grid,
and the model reads a small one as something of one line it knows (a column vector
``[x; u]`` as ``\\binom{x}{u}`` or a fraction, a 2x2 matrix as ``1\\atop0``). Typeset matrices
follow one convention whatever the paper: a pair of tall delimiters of the same height
around rows set apart by blank bands across the whole matrix, and columns set apart by
blank bands across every row (``\\arraycolsep`` on each side, wider than the spaces inside a
cell). :func:`find_matrices` finds such blocks; the caller reads each cell as a formula of
its own and the crop's other pieces around the blocks, and writes the matrix as
``\\begin{bmatrix} .. \\end{bmatrix}`` (``pmatrix`` for parentheses, ``vmatrix`` for bars).

A tall pair of delimiters around a fraction (``\\left( \\frac{a}{b} \\right)``) has a rule
across its inside and one row of symbols: not a matrix. Braces (``cases``) are left to the
model, which reads them well.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from scipix_search.math import lex
from scipix_search.ocr._preprocess import flatten_paper, ink_mask

#: A delimiter around two or more rows is at least this many x-heights tall (a 2-row matrix's
#: bracket is ~2.4 em, ~5 x-heights; a one-row ``\left(`` is ~2.5).
MIN_DELIMITER = 3.2
#: A blank band at least this many x-heights high parts two rows (a matrix's rows are apart by
#: ~0.7 x-height; a fraction's numerator and rule by ~0.3).
ROW_GAP = 0.45
#: A blank band at least this many x-heights wide across every row parts two columns (two
#: ``\arraycolsep`` are ~2.2 x-heights; a thick space inside a cell ~0.6).
COLUMN_GAP = 1.3

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in crop pixels, ends exclusive

_ENVS = {"[": "bmatrix", "(": "pmatrix", "|": "vmatrix"}
_RIGHT = {"[": "]", "(": ")", "|": "|"}


@dataclass(frozen=True, slots=True)
class MatrixBlock:
    """A matrix found in a crop: from its left delimiter's left edge to its right one's right
    edge (``x0``, ``x1``), its environment, and its cells' boxes row by row (``None`` for an
    empty cell)."""

    x0: int
    x1: int
    env: str
    cells: list[list[Box | None]]


def _shape(mask: np.ndarray) -> str | None:
    """The delimiter a tall component draws: ``[ ] ( ) |`` or None (a brace, a sign)."""
    height, width = mask.shape
    if width <= max(3, 0.07 * height):  # a bracket is ~0.12 of its height wide, a bar half that
        return "|"
    ys = np.flatnonzero(mask.any(axis=1))
    if ys.size < 0.9 * height:
        return None  # a delimiter is one unbroken stroke
    left = np.array([np.flatnonzero(row)[0] if row.any() else width for row in mask])
    right = np.array([np.flatnonzero(row)[-1] if row.any() else -1 for row in mask])
    ends = max(2, int(0.06 * height))
    middle = slice(int(0.3 * height), int(0.7 * height))
    if (right[middle] - left[middle] + 1).min() >= 0.7 * width:  # as wide all along: a bar
        return "|" if width <= max(4, 0.15 * height) else None
    top_span = (right[:ends] - left[:ends]).max() + 1
    bottom_span = (right[-ends:] - left[-ends:]).max() + 1
    if min(top_span, bottom_span) >= 0.6 * width:  # serifs at both ends: a bracket
        if right[middle].max() < 0.5 * width:
            return "["
        if left[middle].min() > 0.5 * width:
            return "]"
        return None
    # a parenthesis: its middle on one side, its two ends on the other
    if (
        right[middle].max() < 0.6 * width
        and min(left[:ends].min(), left[-ends:].min()) > 0.3 * width
    ):
        return "("
    if (
        left[middle].min() > 0.4 * width
        and max(right[:ends].max(), right[-ends:].max()) < 0.7 * width
    ):
        return ")"
    return None


def _bands(profile: np.ndarray, gap: float) -> list[tuple[int, int]]:
    """Runs of ink in a 1-D profile, runs apart by less than ``gap`` blank pixels joined."""
    idx = np.flatnonzero(profile)
    if idx.size == 0:
        return []
    runs = [[int(idx[0]), int(idx[0]) + 1]]
    for i in idx[1:]:
        if i - runs[-1][1] >= gap:
            runs.append([int(i), int(i) + 1])
        else:
            runs[-1][1] = int(i) + 1
    return [(a, b) for a, b in runs]


def _grid(inside: np.ndarray, x_height: float) -> list[list[Box | None]] | None:
    """Cells of a matrix's inside (ink mask), or None when it is no grid of 2+ rows."""
    rows = _bands(np.asarray(inside.any(axis=1)), ROW_GAP * x_height)
    if len(rows) < 2 or any(b - a < 0.5 * x_height for a, b in rows):
        return None
    count, _, stats, _ = cv2.connectedComponentsWithStats(inside.astype(np.uint8), connectivity=8)
    width = inside.shape[1]
    for k in range(1, count):
        w, h = stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT]
        if w >= 0.5 * width and h <= 0.3 * x_height:
            return None  # a rule across the inside: a fraction, not rows of cells
    columns = _bands(np.asarray(inside.any(axis=0)), COLUMN_GAP * x_height)
    cells: list[list[Box | None]] = []
    for y0, y1 in rows:
        row: list[Box | None] = []
        for x0, x1 in columns:
            part = inside[y0:y1, x0:x1]
            ys, xs = np.flatnonzero(part.any(axis=1)), np.flatnonzero(part.any(axis=0))
            row.append(
                None
                if ys.size == 0
                else (x0 + int(xs[0]), y0 + int(ys[0]), x0 + int(xs[-1]) + 1, y0 + int(ys[-1]) + 1)
            )
        cells.append(row)
    return cells


def find_matrices(gray: np.ndarray, x_height: float) -> list[MatrixBlock]:
    """The matrices of a formula crop, left to right.

    Args:
        gray: ``HxW`` uint8 crop, dark ink on light paper (a scan's grain is levelled here).
        x_height: the document's prose x-height in the crop's pixels (the scale of every gap).

    Returns:
        Each block between a pair of tall delimiters of the same kind and height whose inside
        is a grid of two or more rows; cells in the crop's pixels.
    """
    if gray.ndim != 2 or x_height <= 0 or gray.shape[0] < MIN_DELIMITER * x_height:
        return []
    mask = ink_mask(flatten_paper(gray))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    tall = []
    for k in range(1, count):
        x, y, w, h = (int(v) for v in stats[k, :4])
        if h < MIN_DELIMITER * x_height or w > 0.45 * h:
            continue
        kind = _shape(labels[y : y + h, x : x + w] == k)
        if kind is not None:
            tall.append((x, y, w, h, kind))
    tall.sort()
    blocks: list[MatrixBlock] = []
    used: set[int] = set()
    for i, (x, y, w, h, kind) in enumerate(tall):
        if kind not in _ENVS or i in used:
            continue
        for j in range(i + 1, len(tall)):
            rx, ry, rw, rh, rkind = tall[j]
            if j in used or rkind != _RIGHT[kind] or (kind == "|" and rx <= x + w):
                continue
            if abs(ry - y) > 0.15 * h or abs(ry + rh - y - h) > 0.15 * h:
                continue
            top, bottom = min(y, ry), max(y + h, ry + rh)
            inside = mask[top:bottom, x + w : rx].copy()
            # other delimiters' ink inside (a nested pair) stays: it is part of a cell
            cells = _grid(inside, x_height) if inside.size else None
            if cells is not None:
                shifted = [
                    [
                        None if c is None else (c[0] + x + w, c[1] + top, c[2] + x + w, c[3] + top)
                        for c in row
                    ]
                    for row in cells
                ]
                blocks.append(MatrixBlock(x, rx + rw, _ENVS[kind], shifted))
                used.update((i, j))
            break
    return blocks


def matrix_latex(env: str, cells: list[list[str]]) -> str:
    """``\\begin{env} a & b \\\\ c & d \\end{env}`` of the cells' reads."""
    rows = " \\\\ ".join(" & ".join(cell for cell in row) for row in cells)
    return f"\\begin{{{env}}} {rows} \\end{{{env}}}"


#: How a matrix's cells are set in one line, tried in turn until a read parts into as many
#: cells as the matrix holds: a drawn comma centred ``drop`` x-heights under the baseline
#: (negative: above) in ``gap`` x-heights of space (a list ``a, b, c`` is what the model reads
#: best, but it is sharp about where the comma sits: on the dev matrices each height read
#: some lines the other did not), then ``gap`` x-heights of blank space alone (read as
#: ``\\qquad``; single digits are dropped or doubled so).
LINE_STYLES: tuple[tuple[str, float, float], ...] = (
    ("comma", 1.2, -0.3),
    ("comma", 1.2, -0.15),
    ("space", 5.0, 0.0),
)
#: The drawn comma's dot, its radius in x-heights.
COMMA = 0.17

#: How far (a share of the read) a span may lie from its matrix's place in the crop.
ALIGN = 0.25

_SPACES = {"\\quad", "\\qquad", "\\;", "\\,", "\\:", "\\!", "\\ ", "~", "\\enspace"}


def _baseline(ink: np.ndarray) -> int:
    """The row a cell's symbols stand on: the lowest row with half the ink of the fullest
    one (a descender's stem and a subscript hold less)."""
    counts = ink.sum(axis=1)
    return int(np.flatnonzero(counts >= 0.5 * counts.max())[-1])


def cells_line(
    gray: np.ndarray, block: MatrixBlock, x_height: float, style: tuple[str, float, float]
) -> np.ndarray | None:
    """The block's cells, row by row, set in one line on a common baseline and parted as
    ``style`` (one of :data:`LINE_STYLES`) says, in the crop's levelled grey: the model
    reads a line, not a grid."""
    kind, spacing, drop = style
    flat = flatten_paper(gray)
    ink = ink_mask(flat)
    boxes = [c for row in block.cells for c in row if c is not None]
    if not boxes:
        return None
    bases = [_baseline(ink[y0:y1, x0:x1]) for x0, y0, x1, y1 in boxes]
    above = max(bases) + 1
    below = max(y1 - y0 - b for (_, y0, _, y1), b in zip(boxes, bases, strict=True))
    height = above + below + int(1.5 * x_height)
    line = above  # the common baseline
    radius = max(2, round(COMMA * x_height))
    gap = np.full((height, max(2 * radius + 2, int(spacing * x_height))), 255, np.uint8)
    if kind == "comma":
        centre, middle = gap.shape[1] // 2, line + int(drop * x_height)
        cv2.circle(gap, (centre, middle), radius, 0, -1)
        tail = (centre - radius, middle + int(0.6 * x_height))
        cv2.line(gap, (centre + radius - 1, middle), tail, 0, max(1, radius // 2 + 1))
    parts: list[np.ndarray] = []
    for (x0, y0, x1, y1), base in zip(boxes, bases, strict=True):
        cell = np.full((height, x1 - x0), 255, np.uint8)
        top = line - base - 1
        cell[top : top + y1 - y0] = flat[y0:y1, x0:x1]
        parts.extend((gap, cell) if parts else (cell,))
    margin = max(2, int(0.5 * x_height))
    return np.pad(np.concatenate(parts, axis=1), margin, constant_values=255)


def split_cells(latex: str, count: int, kind: str = "comma") -> list[str] | None:
    """The ``count`` cells of a :func:`cells_line` read, or None when its gaps do not part it
    into that many (a cell lost or split: the whole crop's read is kept)."""
    tokens = lex(latex)
    ends = [tokens[k + 1][1] if k + 1 < len(tokens) else len(latex) for k in range(len(tokens))]
    first = 0
    if tokens and tokens[0][0].startswith("\\begin{"):
        # an environment around the whole read: its column spec is no cell
        first = 1
        if len(tokens) > 1 and tokens[1][0] == "{":
            first = next((i + 1 for i in range(1, len(tokens)) if tokens[i][0] == "}"), 1)
    # the model may write the line as an array's row
    separators = ({","} if kind == "comma" else _SPACES) | {"&", "\\\\"}
    for _ in (0,):
        cells: list[list[int]] = [[]]
        depth = 0
        for k in range(first, len(tokens)):
            tok = tokens[k][0]
            depth += tok == "{"
            depth -= tok == "}"
            if depth == 0 and (tok in separators or tok.startswith("\\end{")):
                cells.append([])
            else:
                cells[-1].append(k)
        texts = []
        for cell in cells:
            while cell and tokens[cell[0]][0] in _SPACES:
                cell.pop(0)
            while cell and tokens[cell[-1]][0] in _SPACES:
                cell.pop()
            text = _unbrace("".join(latex[tokens[k][1] : ends[k]] for k in cell))
            if text:
                texts.append(text)
        if len(texts) == count:
            return texts
    return None


def _unbrace(cell: str) -> str:
    cell = cell.strip()
    while cell.startswith("{") and cell.endswith("}") and _balanced(cell[1:-1]):
        cell = cell[1:-1].strip()
    return cell


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += char == "{"
        depth -= char == "}"
        if depth < 0:
            return False
    return depth == 0


#: Sized delimiters: the model writes a tall bracket pair as ``\left[ .. \right]`` or as a
#: sized pair, each delimiter in braces (a column vector ``[x; u]`` read
#: ``{\biggl[}{\frac{x}{u}}{\biggr]}``); bare sizes open before an opening delimiter.
_SIZES = ("\\big", "\\Big", "\\bigg", "\\Bigg")
_OPENING = {"(", "[", "\\{", "\\lbrace", "\\lbrack", "\\langle", "\\lvert", "\\lVert"}


def _sized(tokens: list[tuple[str, int]], k: int) -> tuple[str, int] | None:
    """The size of a sized delimiter at ``k`` and +1 where it opens, -1 where it closes."""
    tok = tokens[k][0]
    if tok[:-1] in _SIZES and tok[-1] in "lr":
        return tok[:-1], 1 if tok[-1] == "l" else -1
    if tok in _SIZES and k + 1 < len(tokens):
        return tok, 1 if tokens[k + 1][0] in _OPENING else -1
    return None


def _sized_span(tokens: list[tuple[str, int]], k: int) -> int | None:
    """The index of the delimiter that closes the sized pair opened at ``k``, or None."""
    opened = _sized(tokens, k)
    if opened is None or opened[1] < 0:
        return None
    depth = 0
    for j in range(k, len(tokens) - 1):
        sized = _sized(tokens, j)
        if sized is not None and sized[0] == opened[0]:
            depth += sized[1]
            if depth == 0:
                return j + 1
    return None


def _candidates(latex: str) -> list[tuple[int, int, str]]:
    """Spans of a whole-crop read where the model wrote something tall between delimiters or
    stacked: ``\\left..\\right`` groups and sized pairs (``\\biggl[..\\biggr]``, in the
    braces the model sets around each delimiter), ``\\binom``, ``{a \\atop b}``, a matrix or
    array environment; outermost only, left to right, each with its text."""
    tokens = lex(latex)
    ends = [tokens[k + 1][1] if k + 1 < len(tokens) else len(latex) for k in range(len(tokens))]
    spans: list[tuple[int, int]] = []
    braces: list[int] = []
    k = 0
    while k < len(tokens):
        tok, at = tokens[k]
        closed = _sized_span(tokens, k)
        if closed is not None:
            start, end = at, ends[closed]
            # ``{\biggl[}..{\biggr]}``: the braces around the delimiters go with them
            if (
                0 < k < len(tokens) - 2
                and closed + 1 < len(tokens)
                and tokens[k - 1][0] == "{"
                and tokens[k + 2][0] == "}"
                and tokens[closed + 1][0] == "}"
            ):
                start, end = tokens[k - 1][1], ends[closed + 1]
            spans.append((start, end))
        if tok == "{":
            braces.append(k)
        elif tok == "}" and braces:
            braces.pop()
        elif tok in ("\\atop", "\\choose") and braces:
            opened, depth = braces[-1], 0
            for j in range(opened, len(tokens)):
                depth += tokens[j][0] == "{"
                depth -= tokens[j][0] == "}"
                if depth == 0:
                    spans.append((tokens[opened][1], ends[j]))
                    break
        elif tok == "\\left" or tok.startswith("\\begin{"):
            opener, closer = ("\\left", "\\right") if tok == "\\left" else (tok, "\\end" + tok[6:])
            depth = 0
            for j in range(k, len(tokens)):
                depth += tokens[j][0] == opener
                depth -= tokens[j][0] == closer
                if depth == 0:
                    last = j + 1 if closer == "\\right" and j + 1 < len(tokens) else j
                    spans.append((at, ends[last]))
                    break
        elif tok == "\\binom":
            depth, seen = 0, 0
            for j in range(k + 1, len(tokens)):
                depth += tokens[j][0] == "{"
                depth -= tokens[j][0] == "}"
                if depth == 0 and tokens[j][0] == "}":
                    seen += 1
                    if seen == 2:
                        spans.append((at, ends[j]))
                        break
        k += 1
    spans.sort()
    outer: list[tuple[int, int]] = []
    for span in spans:
        if not outer or span[0] >= outer[-1][1]:
            outer.append(span)
    return [(a, b, latex[a:b]) for a, b in outer]


def _shape_of(text: str) -> tuple[int, int] | None:
    """Rows and columns of a read that is an environment of cells (between delimiters or
    not), or None."""
    body = text
    if "\\begin{" not in body:
        return None
    inner = body[body.index("\\begin{") :]
    rows = inner.split("\\\\")
    return len(rows), max(r.count("&") for r in rows) + 1


_BIG_OPERATORS = {
    "\\sum",
    "\\prod",
    "\\coprod",
    "\\int",
    "\\oint",
    "\\bigcup",
    "\\bigcap",
    "\\bigoplus",
    "\\bigotimes",
    "\\bigvee",
    "\\bigwedge",
    "\\lim",
    "\\max",
    "\\min",
    "\\sup",
    "\\inf",
}


def _model_grid(text: str, block: MatrixBlock) -> bool:
    """Whether the model's span is to be kept for ``block``: it already is an environment of
    the block's rows and columns; or a binomial where the ink is a two-row column between
    parentheses (the two are drawn alike); or it holds a big operator with limits (a sum's
    limits stack in rows as a column's cells do)."""
    shape = (len(block.cells), len(block.cells[0]))
    if _shape_of(text) == shape:
        return True
    if block.env == "pmatrix" and shape == (2, 1) and ("\\binom" in text or "\\atop" in text):
        return True
    tokens = [tok for tok, _ in lex(text)]
    return any(
        tok in _BIG_OPERATORS and k + 1 < len(tokens) and tokens[k + 1] in ("_", "^")
        for k, tok in enumerate(tokens)
    )


def _off(span: tuple[int, int, str], length: int, place: float) -> float:
    """How far ``place`` (a share of the crop's width) lies outside the span's share of the
    read."""
    start, end = span[0] / length, span[1] / length
    return max(start - place, place - end, 0.0)


def splice_matrices(
    read: str, matrices: list[tuple[MatrixBlock, str | None]], width: int
) -> str | None:
    """``read`` (the whole crop's, ``width`` pixels wide) with the span where the model wrote
    each matrix replaced by the matrix read cell by cell (None: its cells were not read; the
    model's span stays), or None when no span lies where a matrix does.

    The spans are the read's tall or stacked groups (:func:`_candidates`), and a read runs
    left to right as the crop does: each matrix takes the next span whose place in the read
    (a share of the read's length) is nearest the middle of the matrix's place in the crop,
    within ``ALIGN`` (a row vector between brackets is such a span but no matrix here). A
    span that already is an environment of the matrix's rows and columns is the model's own
    grid and stays, as does one that reads the ink otherwise as well (:func:`_model_grid`).
    """
    spans = _candidates(read)
    if len(spans) < len(matrices) or not read:
        return None
    chosen: list[int] = []
    for block, _ in matrices:
        place = (block.x0 + block.x1) / 2 / width
        rest = range(chosen[-1] + 1 if chosen else 0, len(spans))
        # leave enough spans for the matrices still to place
        rest = rest[: len(rest) - (len(matrices) - len(chosen) - 1)]
        if not rest:
            return None
        best = min(rest, key=lambda k: _off(spans[k], len(read), place))
        if _off(spans[best], len(read), place) > ALIGN:
            return None
        chosen.append(best)
    out, position = [], 0
    for k, (block, latex) in zip(chosen, matrices, strict=True):
        start, end, text = spans[k]
        out.append(read[position:start])
        out.append(text if latex is None or _model_grid(text, block) else latex)
        position = end
    out.append(read[position:])
    return "".join(out)
