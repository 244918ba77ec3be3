"""``scipix-search convert``: page lists, and a real PDF written to stdout or a file."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from scipix_search.cli import main
from scipix_search.cli.convert import page_ranges

FIXTURE = Path(__file__).parents[2] / "fixtures" / "pdf" / "two_column.pdf"


def test_page_ranges_reads_ranges_and_single_pages() -> None:
    assert page_ranges("1-3,5") == [1, 2, 3, 5]
    assert page_ranges(" 4 , 2-3,3") == [2, 3, 4]


@pytest.mark.parametrize("text", ["", "0", "3-1", "1-", "a", "1,,2", "2-99999999"])
def test_page_ranges_refuses_what_is_not_a_page_list(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        page_ranges(text)


def test_convert_writes_markdown_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "paper.md"
    code = main(["convert", str(FIXTURE), "--equation-ocr", "off", "-o", str(out)])
    assert code == 0
    assert capsys.readouterr().out == ""
    markdown = out.read_text(encoding="utf-8")
    assert markdown.startswith("<!-- page 1 -->")
    assert "\\tag{1} $$" in markdown


def test_convert_writes_markdown_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", str(FIXTURE), "--to", "md", "--equation-ocr", "off"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("<!-- page 1 -->")
    assert "Alpha opens the left column" in captured.out
