"""Helpers shared by the sub-commands: output lines, and flags that override settings.

A flag that stands for a settings field is added with :func:`add_setting_flag`: its help names
the environment variable behind it, and :func:`settings_from_args` builds one ``Settings`` from
the environment with the flags given on top (flags win); flags are never written back to
``os.environ``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from scipix_search.config import Settings
from scipix_search.exceptions import ConfigError

#: ``dest`` prefix of the flags that override a settings field.
SETTING_DEST = "setting_"


def emit(line: str) -> None:
    """Write one line of command output to stdout (results, not logs)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def emit_json(obj: Any) -> None:
    emit(json.dumps(obj, ensure_ascii=False))


def int_between(low: int, high: int, unit: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number in ``low..high``.

    A value out of range is a usage error like any other (one line, exit code 2) rather than a
    request the program tries to serve: ``-k 1000000000`` once went to FAISS as asked.

    Example:
        >>> int_between(1, 1000, "results")("1001")  # doctest: +SKIP
        argparse.ArgumentTypeError: 1001 results: give 1 to 1000
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            what = f"{value} {unit}".rstrip()
            raise argparse.ArgumentTypeError(f"{what}: give {low} to {high}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in some messages
    return parse


def env_help(text: str, envvar: str) -> str:
    """Help text that names the environment variable behind a flag."""
    return f"{text} [env: {envvar}]"


def envvar_of(field: str) -> str:
    """The environment variable of a settings field: ``data_dir`` -> ``SCIPIX_DATA_DIR``."""
    return f"{Settings.model_config.get('env_prefix', '')}{field}".upper()


def add_setting_flag(
    parser: argparse.ArgumentParser, flag: str, field: str, text: str, **kwargs: Any
) -> None:
    """Add ``flag`` as an override of ``Settings.<field>``, its variable named in ``--help``.

    Args:
        parser: The parser of the command.
        flag: The option, e.g. ``--data-dir``.
        field: The settings field it sets, e.g. ``data_dir``.
        text: Help text; `` [env: SCIPIX_DATA_DIR]`` is appended (``=value`` for a switch).
        kwargs: More ``add_argument`` options (``type``, ``choices``, ``action``, ``const``).

    Raises:
        ValueError: ``field`` is not a settings field (a programming error).
    """
    if field not in Settings.model_fields:
        raise ValueError(f"{flag}: Settings has no field {field!r}")
    envvar = envvar_of(field)
    if "const" in kwargs:  # a switch stands for one value of the variable
        envvar += "=" + str(kwargs["const"]).lower()
    parser.add_argument(
        flag, dest=SETTING_DEST + field, default=None, help=env_help(text, envvar), **kwargs
    )


def setting_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings fields given as flags on this command line (flags left out are absent)."""
    return {
        name.removeprefix(SETTING_DEST): value
        for name, value in vars(args).items()
        if name.startswith(SETTING_DEST) and value is not None
    }


def settings_from_args(args: argparse.Namespace) -> Settings:
    """``Settings`` from the environment, with the setting flags of ``args`` over it.

    Raises:
        ConfigError: A value, from a flag or from the environment, is invalid; the message
            names each field with its variable.
    """
    try:
        return Settings(**setting_overrides(args))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])} "
            f"[{envvar_of(str(error['loc'][0]))}]: {error['msg']}"
            if error["loc"]
            else error["msg"]
            for error in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc


def settings_of(args: argparse.Namespace) -> Settings:
    """The settings of this command: those :func:`~scipix_search.cli.main` built, or built here
    when a caller parsed the arguments itself."""
    settings = getattr(args, "settings", None)
    return settings if isinstance(settings, Settings) else settings_from_args(args)
