"""Plain-text tables: the one output format of benchmarks."""

from __future__ import annotations

from collections.abc import Sequence


def print_table(
    header: Sequence[str], rows: Sequence[Sequence[object]], *, title: str = ""
) -> None:
    """Print ``rows`` under ``header``, right-aligned except the first column.

    Floats in (0, 1] style columns are printed as given: format them before (``f"{x:.1%}"``).
    """
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        return " ".join([first] + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)])

    if title:
        print(title)  # noqa: T201 - a benchmark table is printed output by design
    print(line(cells[0]))  # noqa: T201
    print("-" * len(line(cells[0])))  # noqa: T201
    for row in cells[1:]:
        print(line(row))  # noqa: T201
