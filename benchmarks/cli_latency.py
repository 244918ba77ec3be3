"""CLI latency: time to first result of each kind of query, in a fresh process, as a user waits.

    python benchmarks/cli_latency.py [--runs 5] [--image formula.png]

Ingests a small corpus (the bundled sample papers, the LaTeX fixture project and a few formulas)
into a temporary data folder with the real CLI, then runs each command ``--runs`` times, each
time as a new ``scipix-search`` process (``python -m scipix_search.cli``), and takes the wall
clock from the start of the process to its first result line on stdout (for ``--version``,
``--help`` and ``stats``: to the end of the process). Prints the median and the fastest run,
beside issue 16's targets (``stats`` <= 1 s, a LaTeX query <= 2 s). The image query reads a
formula screenshot: ``--image``, else the first im2latex dev image of the shared data (the row
is left out when there is none). Then it starts ``scipix-search serve`` on the same data folder
and times the queries again ("via serve" rows): the CLI finds the server by its discovery file
and sends the query over HTTP, so the models stay loaded (each such run is checked to have been
answered by the server). Figures depend on the machine and its load: say which.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scipix_search.api.testing import start_server
from scipix_search.eval import print_table, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]
FORMULAS = [
    r"a^2 + b^2 = c^2",
    r"e^{i\pi} + 1 = 0",
    r"\frac{1}{n}\sum_{i=1}^{n} x_i",
    r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}",
    r"\frac{\partial u}{\partial t} = \alpha \frac{\partial^2 u}{\partial x^2}",
]
#: issue 16's targets, in seconds, by row name.
TARGETS = {"stats": 1.0, "LaTeX query": 2.0, "--version": 1.0, "--help": 1.0}


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "scipix_search.cli", *args]


def time_to_first_line(
    args: list[str], env: dict[str, str], *, whole: bool, expect: str | None = None
) -> float:
    """Seconds from starting ``scipix-search args`` to its first result line (or its end).

    Raises:
        RuntimeError: the command failed, printed no result, or its log lacks ``expect``.
    """
    start = time.perf_counter()
    with subprocess.Popen(
        _command(*args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        first = None if whole else proc.stdout.readline()
        seconds = time.perf_counter() - start
        rest, err = proc.communicate()
        if whole:
            seconds = time.perf_counter() - start
    if proc.returncode != 0 or not (first or rest).strip():
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}): {err.strip()}")
    if expect is not None and expect not in err:
        raise RuntimeError(f"{' '.join(args)}: no {expect!r} in its log: {err.strip()}")
    return seconds


def _row(name: str, times: list[float]) -> list[str]:
    target = TARGETS.get(name)
    median = statistics.median(times)
    return [
        name,
        f"{median:.2f}",
        f"{min(times):.2f}",
        f"<= {target:.0f}" if target else "-",
        ("yes" if median <= target else "NO") if target else "-",
    ]


def default_image() -> Path | None:
    image = shared_data_dir() / "im2latex" / "images" / "0.png"
    return image if image.is_file() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per command")
    parser.add_argument("--image", type=Path, default=None, help="formula screenshot to query")
    args = parser.parse_args()
    image = args.image or default_image()

    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCIPIX_")}
        env["SCIPIX_DATA_DIR"] = str(Path(tmp) / "data")
        formulas = Path(tmp) / "formulas.txt"
        formulas.write_text("\n".join(FORMULAS) + "\n")
        corpus = [ROOT / "samples", ROOT / "tests" / "fixtures" / "tex" / "project", formulas]
        started = time.perf_counter()
        subprocess.run(
            _command("ingest", *map(str, corpus)), env=env, check=True, capture_output=True
        )
        print(f"ingested the corpus in {time.perf_counter() - started:.1f} s")

        commands = [
            ("--version", ["--version"], True),
            ("--help", ["--help"], True),
            ("stats", ["stats"], True),
            ("text query", ["search", "diffusion of temperature in a rod", "-k", "1"], False),
            ("LaTeX query", ["search", "--latex", "x^2 + y^2 = z^2", "-k", "1"], False),
        ]
        if image is not None:
            commands.append(("image query", ["search", "--image", str(image), "-k", "1"], False))
        rows = []
        for name, command, whole in commands:
            times = [time_to_first_line(command, env, whole=whole) for _ in range(args.runs)]
            rows.append(_row(name, times))

        server = start_server(Path(env["SCIPIX_DATA_DIR"]), None, cli=True)
        try:
            # the server's environment: its data folder and the API key searches need
            served = {**server.env, "SCIPIX_LOG_LEVEL": "INFO"}
            for name, command, whole in commands:
                if command[0] != "search":
                    continue
                times = [
                    time_to_first_line(
                        command, served, whole=whole, expect="answered by the server"
                    )
                    for _ in range(args.runs)
                ]
                rows.append(_row(f"{name} via serve", times))
        finally:
            server.stop()
    print_table(
        ["command", "median s", "fastest s", "target s", "met"],
        rows,
        title=f"time to first result, fresh process, {args.runs} runs each "
        f"({os.cpu_count()} cores)",
    )
    if image is None:
        print("image query left out: no --image and no shared im2latex image")


if __name__ == "__main__":
    main()
