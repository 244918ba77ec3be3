"""What a followed index costs (several machines, one PostgreSQL): build, restart, catch-ups.

Seeds a fresh PostgreSQL database with ``--documents`` documents of 5 passages each (random
384-dim vectors, written with SQL, no model), then times what an API process with
``SCIPIX_WORKER_WRITES_INDEX=false`` does: build its index from the database into an empty
folder, open it again from its local copy, a catch-up with nothing new, one after a document
was stored, one after a document was deleted (the document id sets are compared). Prints a table.

    python benchmarks/index_follow.py --url postgresql+psycopg://postgres@127.0.0.1:55432/postgres

``--url`` (default ``SCIPIX_TEST_POSTGRES_URL``) names a server where a database may be created.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from scipix_search.config import Settings
from scipix_search.store import IndexSpec, Store, dispose_engines

PER_DOCUMENT = 5
DIM = 384
SPEC = IndexSpec("passages", "random", DIM)
INSERT = (
    "INSERT INTO passages (document_id, page, ord, text, embedding) VALUES (:d, 1, :o, 'lorem', :e)"
)


def fresh_database(base_url: str) -> str:
    name = f"scipix_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def seed(store: Store, documents: int) -> None:
    rng = np.random.default_rng(0)
    with store.session() as session:
        session.execute(
            text(
                "INSERT INTO documents (id, sha256, source, kind, page_count, created_at) "
                "SELECT g, md5(g::text) || md5((g + 1)::text), 'x', 'pdf', 1, now() "
                "FROM generate_series(1, :n) g"
            ),
            {"n": documents},
        )
        session.execute(text("SELECT setval('documents_id_seq', :n)"), {"n": documents})
        rows: list[dict[str, object]] = []
        for document in range(1, documents + 1):
            vectors = rng.standard_normal((PER_DOCUMENT, DIM)).astype(np.float32)
            rows += [{"d": document, "o": j, "e": v.tobytes()} for j, v in enumerate(vectors)]
            if len(rows) >= 20_000 or document == documents:
                session.execute(text(INSERT), rows)
                rows = []


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SCIPIX_TEST_POSTGRES_URL"))
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument(
        "--index",
        default="auto",
        help="SCIPIX_PASSAGE_INDEX of the API process (auto: IVF from 50k)",
    )
    args = parser.parse_args()
    if not args.url:
        parser.error("--url (or SCIPIX_TEST_POSTGRES_URL) is needed")
    url = fresh_database(args.url)
    with tempfile.TemporaryDirectory() as tmp:
        writer = Store(Settings(data_dir=Path(tmp) / "worker", database_url=url))
        seconds = timed(lambda: seed(writer, args.documents))
        rows = [("seed (SQL)", seconds, f"{args.documents} documents")]

        def follower() -> Store:
            settings = Settings(
                data_dir=Path(tmp) / "api", database_url=url, passage_index=args.index
            )
            store = Store(settings)
            store.follow()
            return store

        reader = follower()
        rows.append(("build from the database", timed(lambda: reader.open_index(SPEC)), ""))
        again = follower()
        rows.append(("restart from its local copy", timed(lambda: again.open_index(SPEC)), ""))
        idle = [timed(reader.catch_up) for _ in range(20)]
        rows.append(("catch-up, nothing new (median of 20)", statistics.median(idle), ""))
        with writer.session() as session:
            session.execute(
                text(
                    "INSERT INTO documents (sha256, source, kind, page_count, "
                    "created_at) VALUES (repeat('f', 64), 'x', 'pdf', 1, now())"
                )
            )
            new = session.execute(text("SELECT max(id) FROM documents")).scalar_one()
            session.execute(
                text(INSERT),
                [{"d": new, "o": 0, "e": np.ones(DIM, np.float32).tobytes()}],
            )
        rows.append(("catch-up, one new document", timed(reader.catch_up), ""))
        with writer.session() as session:
            session.execute(text("DELETE FROM passages WHERE document_id = 17"))
            session.execute(text("DELETE FROM documents WHERE id = 17"))
        rows.append(("catch-up, one deleted document", timed(reader.catch_up), ""))
        total = reader.open_index(SPEC).ntotal
    dispose_engines()
    print(f"{'step':40} {'seconds':>9}  ({total} vectors x {DIM} at the end, {args.index} index)")
    for step, secs, note in rows:
        print(f"{step:40} {secs:9.3f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
