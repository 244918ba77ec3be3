"""Load test of equation search over HTTP on loopback: requests/s and p50/p99 latency.

Starts its own server (uvicorn subprocess, SQLite in a temporary folder), uploads the sample
papers plus a synthetic formula collection, waits for the worker, then runs ``--clients``
concurrent clients for ``--duration`` seconds (both bounded) and prints one JSON line.

    python benchmarks/api_load.py --clients 4 --duration 20 --formulas 2000

``--url http://127.0.0.1:PORT`` measures a running server instead (loopback addresses only).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

from scipix_search.api.testing import API_KEY, SAMPLE_PAPER_TEX, start_server, wait_for_job

ROOT = Path(__file__).resolve().parents[1]

QUERIES = [
    "x^2+y^2=z^2",
    "E=mc^2",
    r"\int_0^1 f(x)\,dx",
    r"\frac{a}{b}+\frac{c}{d}",
    r"\sum_{i=1}^{n} i^2",
    r"e^{i\pi}+1=0",
    r"\sqrt{a^2+b^2}",
    r"u_t=\alpha u_{xx}",
]
MAX_CLIENTS, MAX_DURATION = 32, 300


def synthetic_formulas(n: int, seed: int = 0) -> str:
    """``n`` varied LaTeX formulas, one a line (a deterministic formula collection)."""
    rng = random.Random(seed)
    letters = "abcdefghkmnpqrstuvwxyz"
    templates = [
        "{a}^{{{n}}}+{b}^{{{m}}}={c}^{{{k}}}",
        r"\frac{{{a}+{b}}}{{{c}-{n}}}",
        r"\int_{{0}}^{{{n}}} {a}^{{{m}}}\,d{a}",
        r"\sum_{{{a}=1}}^{{{n}}} {b}_{{{a}}}^{{{m}}}",
        r"\sqrt{{{a}^{{{n}}}+{b}}}={c}",
        "{a}({b})={c}{b}^{{{n}}}+{m}{b}+{k}",
        r"e^{{-{a}{b}^{{{n}}}}}\cos({m}{c})",
    ]
    lines = []
    for _ in range(n):
        a, b, c = rng.sample(letters, 3)
        lines.append(
            rng.choice(templates).format(
                a=a, b=b, c=c, n=rng.randint(2, 9), m=rng.randint(1, 9), k=rng.randint(2, 5)
            )
        )
    return "\n".join(lines) + "\n"


def _client_loop(
    url: str, stop_at: float, latencies: list[float], errors: list[str], seed: int
) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=url, timeout=30, headers={"X-API-Key": API_KEY}) as client:
        while time.monotonic() < stop_at:
            latex = rng.choice(QUERIES)
            started = time.perf_counter()
            try:
                answer = client.post("/v1/search/equations", json={"latex": latex, "k": 10})
                ok = answer.status_code == 200
            except httpx.HTTPError as exc:
                ok, answer = False, None
                errors.append(type(exc).__name__)
            elapsed = time.perf_counter() - started
            if ok:
                latencies.append(elapsed)
            elif answer is not None:
                errors.append(str(answer.status_code))


def measure(url: str, clients: int, duration: float) -> dict[str, object]:
    """Run the clients against ``url``; returns the figures."""
    with httpx.Client(base_url=url, timeout=30) as warm:
        for latex in QUERIES:  # first queries fill caches; not measured
            warm.post("/v1/search/equations", json={"latex": latex})
    per_client: list[list[float]] = [[] for _ in range(clients)]
    errors: list[str] = []
    started = time.monotonic()
    stop_at = started + duration
    threads = [
        threading.Thread(target=_client_loop, args=(url, stop_at, per_client[i], errors, i))
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    latencies = sorted(x for xs in per_client for x in xs)
    if not latencies:
        raise SystemExit(f"no successful request; errors: {errors[:5]}")
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "endpoint": "POST /v1/search/equations",
        "clients": clients,
        "duration_s": round(wall, 2),
        "requests": len(latencies),
        "errors": len(errors),
        "requests_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    parser.add_argument("--formulas", type=int, default=2000, help="synthetic formulas to index")
    parser.add_argument("--url", default=None, help="a running server on a loopback address")
    args = parser.parse_args(argv)
    clients = max(1, min(args.clients, MAX_CLIENTS))
    duration = max(1.0, min(args.duration, MAX_DURATION))
    if args.url:
        host = urlparse(args.url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("refusing a non-loopback URL: this load test runs on loopback only")
        print(json.dumps(measure(args.url, clients, duration)))
        return 0
    with tempfile.TemporaryDirectory(prefix="scipix-load-") as tmp:
        server = start_server(Path(tmp) / "data", None)
        try:
            client = server.client()
            uploads = [("triangles.tex", SAMPLE_PAPER_TEX)]
            uploads += [(p.name, p.read_bytes()) for p in sorted((ROOT / "samples").glob("*.pdf"))]
            uploads.append(("formulas.txt", synthetic_formulas(args.formulas).encode()))
            for name, data in uploads:
                answer = client.post("/v1/documents", files={"file": (name, data)})
                job = wait_for_job(client, answer.json()["job"]["id"], timeout=300)
                if job["status"] != "succeeded":
                    raise SystemExit(f"ingest of {name} failed: {job['error']}")
            result = measure(server.url, clients, duration)
            result["indexed_equations"] = args.formulas + 3
            print(json.dumps(result))
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
