"""Small text helpers for messages people read (plain Python)."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 image``, ``2 images``, ``2 indexes``; ``many`` for irregular plurals (``registries``)."""
    if count == 1:
        return f"{count} {word}"
    if many is not None:
        return f"{count} {many}"
    return f"{count} {word}es" if word.endswith(("x", "s")) else f"{count} {word}s"
