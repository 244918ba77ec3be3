"""The package layout holds: no private module is imported from outside its package, and the
stages import each other one way (no cycles between the packages of ``scipix_search``)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "scipix_search"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import of ``scipix_search`` in the file, lazy
    imports inside functions included; ``from pkg import _mod`` counts as ``pkg._mod``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("scipix_search"):
                    yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("scipix_search"):
                continue
            yield node.lineno, node.module
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    candidate = ROOT / Path(*node.module.split("."), alias.name)
                    if candidate.with_suffix(".py").exists() or candidate.is_dir():
                        yield node.lineno, f"{node.module}.{alias.name}"


def _private_owner(module: str) -> str | None:
    """The package that owns the first private part of ``module`` (None: all public)."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def _sources() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py")) + sorted((ROOT / "benchmarks").rglob("*.py"))
    return [f for f in files if "__pycache__" not in f.parts]


def test_no_private_module_imported_from_outside_its_package() -> None:
    offences = []
    for path in _sources():
        importer = _module_name(path)
        for line, module in _imports(path):
            owner = _private_owner(module)
            if owner is not None and not (importer == owner or importer.startswith(owner + ".")):
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not offences, "private imports across packages:\n" + "\n".join(offences)


def _stage(module: str) -> str:
    """The top-level package (``scipix_search.ingest``) or module (``scipix_search.config``)."""
    return ".".join(module.split(".")[:2])


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__main__.py":  # an entry point: imported by nothing, in no cycle
            continue
        src = _stage(_module_name(path))
        for _, module in _imports(path):
            dst = _stage(module)
            if dst != src and dst != "scipix_search":
                graph.setdefault(src, set()).add(dst)
    return graph


# The stages in data-flow order; a package imports only packages of a lower layer. ``math``
# (pure functions on LaTeX strings) is the vocabulary every stage shares, so it sits low;
# ``onnx`` (the one ONNX Runtime session factory of ``ocr`` and ``embed``) raises the package's
# exceptions, so it sits just above them.
LAYERS = {
    "_lazy": 0,  # the lazy package faces of ``store`` and ``search``: imports nothing
    "config": 0,
    "exceptions": 0,
    "math": 1,
    "onnx": 1,
    "ingest": 2,
    "ocr": 3,
    "embed": 4,
    "store": 5,
    "search": 6,
    "pipeline": 7,
    "eval": 7,
    "worker": 8,
    "api": 9,
    "cli": 10,
}


def test_stages_import_one_way() -> None:
    offences = []
    for src, targets in _package_graph().items():
        name = src.split(".")[-1]
        if name == "scipix_search":
            continue
        assert name in LAYERS, f"new package {name}: place it in LAYERS"
        for dst in targets:
            if LAYERS[dst.split(".")[-1]] >= LAYERS[name]:
                offences.append(f"{name} imports {dst.split('.')[-1]}")
    assert not offences, "imports against the data flow:\n" + "\n".join(sorted(offences))


def test_no_import_cycles_between_packages() -> None:
    graph = _package_graph()
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in trail:
                cycle = trail[trail.index(nxt) :] + [nxt]
                if cycle[0] == min(cycle[:-1]):  # each cycle once, from its smallest name
                    cycles.append(" -> ".join(cycle))
            else:
                visit(nxt, trail + [nxt])

    for start in sorted(graph):
        visit(start, [start])
    assert not cycles, "import cycles between packages:\n" + "\n".join(sorted(set(cycles)))


def test_the_layout_check_sees_imports() -> None:
    """The checks above read real imports: the ingest package imports its PDF subpackage."""
    found = {module for _, module in _imports(PACKAGE / "ingest" / "__init__.py")}
    assert "scipix_search.ingest.pdf" in found
    assert _private_owner("scipix_search.ingest.pdf._locate") == "scipix_search.ingest.pdf"


def test_benchmarks_import_no_tests() -> None:
    # what both need (a live server, datasets, scorers) lives in the package
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / "benchmarks").rglob("*.py"))
        for line, module in _imports(path)
        if module == "tests" or module.startswith("tests.")
    ]
    assert not offences, "benchmarks importing tests:\n" + "\n".join(offences)
