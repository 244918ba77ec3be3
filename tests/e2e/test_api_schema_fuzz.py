"""Schema-based fuzzing: schemathesis reads the app's OpenAPI schema and sends bounded generated
requests (valid and invalid) to every operation, in process over ASGI; none may answer 5xx.

The app runs over a temporary data folder holding two small documents (a LaTeX paper and a PDF),
so the read paths (documents, equations, similar, page images, search) meet real rows. It runs
with no keys, with keys configured (the generated requests then carry the key, so they reach
the routes behind the key check), and on PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from scipix_search.api.app import create_app
from scipix_search.api.testing import SAMPLE_PAPER_TEX
from scipix_search.config import Settings
from scipix_search.pipeline import Indexer
from tests.conftest import _fresh_postgres_url, postgres_url_or_skip
from tests.factories import LOREM, make_pdf

pytestmark = [pytest.mark.slow, pytest.mark.model]

KEY = "fuzz-key-1"
#: Per operation, mode (valid, invalid) and app: 14 x 2 x 2 x 25 requests, ~40 s on 2 cores.
EXAMPLES = 25


@pytest.fixture(
    scope="module",
    params=["no-keys", "keys", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def fuzz_setup(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, text_encoder
) -> tuple[schemathesis.BaseSchema, dict[str, str]]:  # type: ignore[no-untyped-def]
    keyed = request.param == "keys"
    data_dir = tmp_path_factory.mktemp(f"fuzz-{request.param}") / "data"
    # PostgreSQL refuses what SQLite takes (NUL in text, integers past 32 bits): fuzzed too.
    database_url = (
        _fresh_postgres_url(postgres_url_or_skip()) if request.param == "postgres" else None
    )
    app_settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        embedded_worker=False,
        api_keys=KEY if keyed else "",
        # Limits are tested on their own; here a 429 would only hide the routes behind it.
        rate_limit="",
        rate_limit_expensive="",
        request_timeout_s=30,
        pdf_equation_ocr="off",
    )
    indexer = Indexer(app_settings, text_encoder=text_encoder)
    inputs = data_dir.parent / "in"
    inputs.mkdir()
    (inputs / "paper.tex").write_bytes(SAMPLE_PAPER_TEX)
    (inputs / "note.pdf").write_bytes(make_pdf([[LOREM], [LOREM]], title="A Note"))
    for path in sorted(inputs.iterdir()):
        outcome = indexer.ingest_file(path)
        assert outcome.status == "added", outcome
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(app_settings))
    return schema, ({"X-API-Key": KEY} if keyed else {})


def test_fuzz_app_holds_rows(fuzz_setup: tuple[schemathesis.BaseSchema, dict[str, str]]) -> None:
    """The read paths have something to read (or the fuzzing above would only meet 404s)."""
    from schemathesis.python import asgi

    with asgi.get_client(fuzz_setup[0].app) as client:
        documents = client.get("/v1/documents", headers=fuzz_setup[1]).json()
        assert documents["count"] == 2
        pdf = next(d for d in documents["data"] if d["kind"] == "pdf")
        image = client.get(f"/v1/documents/{pdf['id']}/pages/1/image", headers=fuzz_setup[1])
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"


def _fuzz_operation(
    operation: Any, mode: GenerationMode, headers: dict[str, str], statuses: Counter[int]
) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the same requests every run: a failure in CI reproduces locally
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
        statuses[response.status_code] += 1

    run()


def test_api_no_server_error(fuzz_setup: tuple[schemathesis.BaseSchema, dict[str, str]]) -> None:
    """Every operation, with valid and with invalid generated requests: never a 5xx.

    One test drives all operations (schemathesis' own pytest plugin cannot take a fixture's
    schema under pytest 9); each operation's failure is kept and all are reported together.
    Deletes go last, so the reads before them meet the stored rows.
    """
    schema, headers = fuzz_setup
    failures: list[str] = []
    statuses: dict[str, Counter[int]] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12, [op.label for op in operations]
    operations.sort(key=lambda op: op.method.upper() == "DELETE")
    for operation in operations:
        seen = statuses.setdefault(operation.label, Counter())
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz_operation(operation, mode, headers, seen)
            except Unsatisfiable:
                continue  # nothing to make invalid (an operation without parameters)
            except Exception as exc:  # a failed check, with the request that caused it
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
    # The requests reached the routes: most operations answered 2xx at least once.
    succeeded = [label for label, seen in statuses.items() if any(200 <= c < 300 for c in seen)]
    assert len(succeeded) >= 8, statuses
    assert sum(sum(seen.values()) for seen in statuses.values()) >= 10 * len(operations)


def test_schema_lists_the_operations(tmp_path: Path) -> None:
    """Every route is in the schema the fuzzer reads (a route left out is never fuzzed)."""
    app = create_app(Settings(data_dir=tmp_path / "data", embedded_worker=False))
    paths = set(app.openapi()["paths"])
    for path in ("/v1/ocr", "/v3/text", "/v1/search/equations", "/v1/documents/{document_id}"):
        assert path in paths
