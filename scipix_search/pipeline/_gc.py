"""Python's cyclic garbage collector paused while a document is read.

Reading a born-digital page builds hundreds of thousands of short-lived containers (MuPDF's
``rawdict`` holds a dict per glyph, read twice a page, and the text layer's glyphs and lines):
each 700 of them start a young-generation collection, and every tenth of those an older one,
which traverse the survivors and every model object loaded in the process. Over the 18 real
papers (419 pages, ``parse_pdf_input`` without OCR) the collector took 13-16 of 54-61 CPU s,
and found nothing to free: reading a PDF makes no reference cycles (a full collection after
each document, with the collector off while it was read, collected 0 objects on all 18), so
reference counting alone frees what a page built. Paused for the read, the collector runs
again afterwards over what is left, as it would have.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0  # reads in progress in this process (the API's worker threads can overlap)
_paused = False  # whether the first of them turned the collector off (not someone else)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Automatic cyclic garbage collection off for the block; back on when the last
    overlapping block of this process ends, unless it was off before the first began."""
    global _depth, _paused
    with _lock:
        if _depth == 0:
            _paused = gc.isenabled()
            if _paused:
                gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _paused:
                gc.enable()
