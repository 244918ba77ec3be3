"""The lazy package faces (``store``, ``search``) resolve every name they list in ``__all__``.

Their names are written three times (type-checking imports, the lazy table, ``__all__``); a name
missing from the table would only fail at its first use in a process.
"""

from __future__ import annotations

import importlib

import pytest


@pytest.mark.parametrize("package", ["scipix_search.store", "scipix_search.search"])
def test_every_public_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []
    with pytest.raises(AttributeError, match="no attribute"):
        module.not_a_public_name  # noqa: B018
