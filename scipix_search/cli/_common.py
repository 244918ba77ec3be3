"""Helpers shared by the sub-commands."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit(line: str) -> None:
    """Write one line of command output to stdout (results, not logs)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def emit_json(obj: Any) -> None:
    emit(json.dumps(obj, ensure_ascii=False))
