"""The CLI end to end on the embedded store, with the real ONNX passage encoder."""

import json
import shutil
from pathlib import Path

import pytest

from scipix_search.cli import main
from tests.factories import LOREM, ZERO_PAGE_PDF, encrypted_pdf, make_pdf

pytestmark = pytest.mark.model

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _stats(capsys) -> dict:
    capsys.readouterr()
    assert main(["stats", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_ingest_samples_and_search_json_contract(settings, text_encoder, capsys):
    assert main(["ingest", str(SAMPLES)]) == 0
    out = capsys.readouterr().out
    assert "added 3, already present 0, failed 0" in out

    assert main(["search", "how fast does gradient descent converge", "-k", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["query"] == "how fast does gradient descent converge"
    top = result["hits"][0]
    assert top["kind"] == "passage"
    assert top["source"] == "gradient-descent-note.pdf"
    assert top["title"] == "Convergence of Gradient Descent for Smooth Convex Functions"
    assert top["page"] in (1, 2)
    assert len(top["bbox"]) == 4
    assert {"document_id", "score", "text"} <= set(top)


def test_cli_ingest_twice_stores_once(settings, text_encoder, capsys):
    assert main(["ingest", str(SAMPLES)]) == 0
    capsys.readouterr()
    assert main(["ingest", str(SAMPLES / "heat-equation-note.pdf"), str(SAMPLES)]) == 0
    assert "added 0, already present 4, failed 0" in capsys.readouterr().out
    stats = _stats(capsys)
    assert stats["database"]["documents"] == 3
    assert stats["indexes"]["passages"]["in_sync"]


def test_cli_bad_inputs_fail_alone_and_store_is_unchanged(settings, text_encoder, tmp_path, capsys):
    good = tmp_path / "batch"
    good.mkdir()
    shutil.copy(SAMPLES / "heat-equation-note.pdf", tmp_path / "first.pdf")
    assert main(["ingest", str(tmp_path / "first.pdf")]) == 0
    before = _stats(capsys)

    (good / "a_empty.pdf").write_bytes(b"")
    full = make_pdf([[LOREM], [LOREM + " more"]])
    (good / "b_truncated.pdf").write_bytes(full[: len(full) // 2])
    (good / "c_text.pdf").write_text("this is a plain text file, not a PDF")
    (good / "d_encrypted.pdf").write_bytes(encrypted_pdf())
    (good / "e_zero_pages.pdf").write_bytes(ZERO_PAGE_PDF)
    shutil.copy(SAMPLES / "pythagorean-triples-note.pdf", good / "f_good.pdf")

    assert main(["ingest", str(good)]) == 0
    captured = capsys.readouterr()
    assert "added 1, already present 0, failed 5" in captured.out
    reasons = [line for line in captured.err.splitlines() if line.startswith("error: ")]
    assert len(reasons) == 5
    for name, why in [
        ("a_empty.pdf", "empty file"),
        ("b_truncated.pdf", "truncated"),
        ("c_text.pdf", "not a PDF"),
        ("d_encrypted.pdf", "encrypted"),
        ("e_zero_pages.pdf", "no pages"),
    ]:
        assert any(name in r and why in r for r in reasons), (name, reasons)

    after = _stats(capsys)
    assert after["database"]["documents"] == before["database"]["documents"] + 1
    assert after["indexes"]["passages"]["in_sync"]
    assert main(["search", "diffusion of temperature", "--json", "-k", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["hits"][0]["source"] == "first.pdf"


def test_cli_reindex_rebuilds_from_database(settings, text_encoder, capsys):
    assert main(["ingest", str(SAMPLES)]) == 0
    shutil.rmtree(settings.index_dir)
    capsys.readouterr()
    assert main(["reindex"]) == 0
    out = capsys.readouterr().out
    stats = _stats(capsys)
    assert f"passages: {stats['database']['passages']} vectors" in out
    assert stats["database"]["passages"] > 0 and stats["indexes"]["passages"]["in_sync"]
    # the tuple index is rebuilt with them, so `serve` and searches only read it back
    assert f"tuples: {stats['database']['equations']} equations" in out
    assert stats["database"]["equations"] > 0
    assert (settings.index_dir / "tuples" / "equations.npz").is_file()


def test_cli_empty_query_is_a_clear_error(settings, text_encoder, capsys):
    assert main(["search", "   "]) == 2
    assert "empty query" in capsys.readouterr().err


def test_cli_demo_shows_text_equation_and_screenshot_search(settings, text_encoder, capsys):
    """The README's quick-start job: the sample papers, then the three kinds of search.

    The equation query renames every variable of the heat equation, and the screenshot is cut
    from a rendered page: both must find their equation in the right paper, read from the PDF.
    """
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "added 3, already present 0, failed 0" in out
    sections = out.split("\n== ")
    text, latex, shot = (s for s in sections if s[:3] in ("2/4", "3/4", "4/4"))

    def first_hit(section: str) -> list[str]:
        """The first result's header and body lines (after any "no close match" heading)."""
        lines = section.splitlines()
        start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("1. "))
        return lines[start : start + 2]

    assert "gradient-descent-note.pdf" in first_hit(text)[0]
    top_equation = first_hit(latex)
    assert "heat-equation-note.pdf" in top_equation[0] and "(1)" in top_equation[0]
    assert "\\partial" in top_equation[1]
    top_shot = first_hit(shot)
    assert "gradient-descent-note.pdf" in top_shot[0] and "(3)" in top_shot[0]
    # The quick start prints its install step lines, then this: 40 lines in all at most.
    assert len(out.splitlines()) <= 38, out


@pytest.mark.slow
def test_cli_ingest_jobs_reads_files_side_by_side_into_one_store(
    settings, text_encoder, tmp_path, capsys, monkeypatch
):
    """``--jobs 2``: two job processes share one store; every file is stored once, with what a
    one-at-a-time run of the same folder stores, and a bad file still fails alone."""
    from scipix_search.config import get_settings

    folder = tmp_path / "batch"
    folder.mkdir()
    for pdf in [*SAMPLES.glob("*.pdf"), *(FIXTURES / "pdf").glob("*.pdf")]:
        shutil.copy(pdf, folder / pdf.name)
    (folder / "not_a_pdf.pdf").write_text("plain text, not a PDF")
    files = sorted(p.name for p in folder.iterdir())

    def ingest(jobs: int) -> tuple[dict[str, dict], dict]:
        assert main(["ingest", str(folder), "--json", "--no-pair", "--jobs", str(jobs)]) == 0
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        by_file = {Path(line["file"]).name: line for line in lines}
        assert sorted(by_file) == files and len(lines) == len(files)  # each file once
        return by_file, _stats(capsys)

    side_by_side, stats = ingest(2)
    assert side_by_side["not_a_pdf.pdf"]["status"] == "failed"
    assert "not a PDF" in side_by_side["not_a_pdf.pdf"]["reason"]
    added = [f for f, line in side_by_side.items() if line["status"] == "added"]
    assert len(added) == len(files) - 1
    assert stats["database"]["documents"] == len(added)
    assert stats["indexes"]["passages"]["in_sync"] and stats["indexes"]["equations"]["in_sync"]

    monkeypatch.setenv("SCIPIX_DATA_DIR", str(tmp_path / "one-at-a-time"))
    get_settings.cache_clear()
    alone, _ = ingest(1)
    for name in added:
        got, want = side_by_side[name], alone[name]
        assert (got["passages"], got["equations"]) == (want["passages"], want["equations"]), name
