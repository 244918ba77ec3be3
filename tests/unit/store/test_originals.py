"""The content store of original files: keys by sha256, atomic writes, one file per content."""

from __future__ import annotations

import hashlib

import pytest

from scipix_search.config import Settings
from scipix_search.store import keep_original, original_key, original_path, remove_original


def test_keep_original_names_the_file_by_its_content(settings: Settings) -> None:
    data = b"%PDF-1.7 not really a pdf, but bytes are bytes\n"
    sha = hashlib.sha256(data).hexdigest()
    key = keep_original(settings, data, ".pdf")
    assert key == f"files/{sha[:2]}/{sha}.pdf"
    path = original_path(settings, key)
    assert path == settings.data_dir / key and path.read_bytes() == data
    # No temporary file is left beside it.
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_keep_original_stores_the_same_bytes_once(settings: Settings) -> None:
    data = b"\\documentclass{article}\\begin{document}x\\end{document}"
    first = keep_original(settings, data, ".tex")
    mtime = original_path(settings, first).stat().st_mtime_ns
    assert keep_original(settings, data, ".tex") == first
    assert original_path(settings, first).stat().st_mtime_ns == mtime  # not rewritten
    files = [p for p in (settings.data_dir / "files").rglob("*") if p.is_file()]
    assert len(files) == 1


@pytest.mark.parametrize(
    "key",
    [
        "../etc/passwd",
        "/etc/passwd",
        "paper.pdf",
        "files/ab/../../../etc/passwd",
        "files/00/" + "ab" * 32 + ".pdf",  # folder does not match the digest
        "files/ab/" + "ab" * 32 + ".pdf/../../x",
        "files/ab/" + "AB" * 32 + ".pdf",
        "files/ab/" + "ab" * 32 + ".p/df",
        "files/ab/" + "ab" * 32 + ".pdf\x00.png",
    ],
)
def test_original_path_refuses_keys_it_could_not_have_made(settings: Settings, key: str) -> None:
    with pytest.raises(ValueError):
        original_path(settings, key)


def test_original_key_refuses_bad_digests_and_suffixes() -> None:
    with pytest.raises(ValueError):
        original_key("not-a-digest", ".pdf")
    with pytest.raises(ValueError):
        original_key("ab" * 32, "/../x")
    assert original_key("ab" * 32, ".tar.gz").endswith(".tar.gz")


def test_remove_original(settings: Settings) -> None:
    key = keep_original(settings, b"some bytes", ".txt")
    remove_original(settings, key)
    assert not original_path(settings, key).exists()
    remove_original(settings, key)  # already gone: nothing to do
    remove_original(settings, "../../outside")  # malformed: refused, nothing removed
