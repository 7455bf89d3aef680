"""Small text helpers for messages people read (plain Python)."""

from __future__ import annotations


def plural(count: int, word: str) -> str:
    """``1 image``, ``2 images``, ``2 indexes``."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word}es" if word.endswith(("x", "s")) else f"{count} {word}s"
