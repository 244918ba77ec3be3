"""Package faces whose names are imported on first use (PEP 562 module ``__getattr__``).

A CLI process pays for every import: ``stats`` needs none of SQLAlchemy, and a query sent to a
running ``serve`` needs none of FAISS, NumPy or the models. A package whose ``__init__`` imports
all its modules makes any import of one name pay for all of them, so ``store`` and ``search``
list where each public name lives and import that module when the name is first used. Type
checkers read the same names from the package's ``if TYPE_CHECKING:`` imports.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``, whose names live in ``homes``' modules.

    Args:
        package: The package's ``__name__``.
        homes: Module -> the public names it defines; a name equal to the module's last part
            stands for the module itself (``"pkg.repo": ("repo",)``).

    Returns:
        The function to assign to the package's ``__getattr__``; each name it resolves is set on
        the package, so later look-ups do not call it.
    """
    home_of = {name: module for module, names in homes.items() for name in names}

    def __getattr__(name: str) -> Any:
        module_name = home_of.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(module_name)
        value = module if module_name.rsplit(".", 1)[-1] == name else getattr(module, name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__


def skip_unused_imports() -> None:
    """Keep PyMuPDF from loading its layout model, which nothing here uses, on import.

    PyMuPDF 2 imports ``pymupdf.layout`` (from its ``pymupdf_layout`` dependency) when it is
    itself imported, and that builds three ONNX Runtime sessions of a layout model: about 1.3 s
    of every CLI process that reads a PDF or imports the pipeline, for ``Page.get_layout``,
    which scipix-search never calls. A ``None`` in ``sys.modules`` makes that import fail,
    which PyMuPDF expects and ignores. Does nothing once PyMuPDF is imported.
    """
    if "pymupdf" not in sys.modules:
        sys.modules.setdefault("pymupdf.layout", None)  # type: ignore[arg-type]
