"""How long operations report progress: a callable taking one line of text."""

from __future__ import annotations

from collections.abc import Callable

Log = Callable[[str], None]


def quiet(_: str) -> None:
    return None
