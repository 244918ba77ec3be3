"""``ingest`` counts its progress in pages: what the bar's rate (pages/s) and ETA rest on."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from scipix_search.cli.ingest import _page_count

SAMPLES = Path(__file__).resolve().parents[3] / "samples"


def test_page_count_of_pdfs_is_their_page_tree() -> None:
    for pdf in sorted(SAMPLES.glob("*.pdf")):
        with pymupdf.open(pdf) as doc:
            assert _page_count(pdf) == doc.page_count


def test_page_count_is_one_for_other_inputs_and_damaged_pdfs(tmp_path: Path) -> None:
    damaged = tmp_path / "cut.pdf"
    damaged.write_bytes(b"%PDF-1.7\n1 0 obj <<")
    formula = tmp_path / "f.txt"
    formula.write_text("x^2\n")
    assert _page_count(damaged) == 1
    assert _page_count(formula) == 1


def test_side_by_side_jobs_get_their_own_cores(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each job process of ``ingest --jobs`` runs on its own share of the usable cores (its ONNX
    sessions count their threads from it), and every core is used."""
    import os

    from scipix_search.cli.ingest import core_shares

    for usable, jobs in [({0, 1}, 2), ({0, 1, 2, 3, 4, 5, 6, 7}, 3), ({2, 5}, 3), ({4}, 1)]:
        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid, u=usable: set(u))
        shares = core_shares(jobs)
        assert len(shares) == jobs and all(shares) and set().union(*shares) == usable
        if jobs <= len(usable):  # disjoint while there are cores enough
            assert sum(len(s) for s in shares) == len(usable)
        assert max(len(s) for s in shares) - min(len(s) for s in shares) <= 1
