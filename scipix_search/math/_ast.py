"""Syntax-tree node types of a parsed formula (shared by the canonical form and the SLT)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Sym:
    tok: str


@dataclass(slots=True)
class Group:
    items: list[Node]


@dataclass(slots=True)
class Cmd:
    name: str
    args: list[Group]
    opt: Group | None = None


@dataclass(slots=True)
class Scripts:
    base: Node | None
    sub: Group | None = None
    sup: Group | None = None


@dataclass(slots=True)
class Delim:
    left: str
    right: str
    body: Group


@dataclass(slots=True)
class Env:
    name: str
    rows: list[list[Group]]


Node = Sym | Group | Cmd | Scripts | Delim | Env


@dataclass(slots=True)
class Parsed:
    """The parse of one formula: its top-level items and the ``\\tag`` text if there was one."""

    items: list[Node]
    tag: str | None = None
    warnings: list[str] = field(default_factory=list)
