"""The cyclic collector is paused while a PDF is read, and reading one makes no cycles."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from scipix_search.config import Settings
from scipix_search.pipeline._gc import collection_paused
from scipix_search.pipeline._models import Models
from scipix_search.pipeline._parse import parse_pdf_input


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_inside_and_on_after(collector_on: None) -> None:
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():  # nested: still off, and the inner end does not resume it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_resumes_after_an_error(collector_on: None) -> None:
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("read failed")
    assert gc.isenabled()


def test_off_before_stays_off(collector_on: None) -> None:
    gc.disable()
    with collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_overlapping_threads_resume_when_the_last_ends(collector_on: None) -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collection_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with collection_paused():
            second_in.set()
            first_out.wait(5)
            seen.append(gc.isenabled())  # the first block ended while this one runs

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == [False]
    assert gc.isenabled()


def test_pdf_read_makes_no_cycles(
    fixtures_dir: Path, settings: Settings, collector_on: None
) -> None:
    """What the paused collector would have freed: nothing, so pausing costs no memory."""
    models = Models(settings)
    for name in ("display_math.pdf", "inline_math.pdf"):
        data = (fixtures_dir / "pdf" / name).read_bytes()
        parse_pdf_input(data, name, "0" * 64, settings=settings, models=models, ocr_equations=False)
        gc.collect()  # what imports and first calls leave
        gc.disable()
        try:
            parsed = parse_pdf_input(
                data, name, "0" * 64, settings=settings, models=models, ocr_equations=False
            )
            assert parsed.pages
            del parsed
            assert gc.collect() == 0
        finally:
            gc.enable()
