"""Reading the text files users give (plain Python): UTF-8 with or without a byte-order mark, and UTF-16 with
one (Windows PowerShell 5's ``>`` writes UTF-16 LE with a byte-order mark). Anything else is refused with a
message naming the file and what it is, never a traceback."""

from __future__ import annotations

import codecs
from pathlib import Path

_MARKED = (
    (codecs.BOM_UTF32_LE, None, "UTF-32"),  # before UTF-16 LE, whose mark it starts with
    (codecs.BOM_UTF32_BE, None, "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
"""Byte-order marks, the codec that reads past them, and the encoding's name (``None``: not accepted)."""


class TextFileError(ValueError):
    """A file that cannot be read as text; the message names the file and says what to do."""


def decode(data: bytes, source: str) -> str:
    """``data`` as text: UTF-8 (a byte-order mark is dropped) or UTF-16 with a byte-order mark."""
    for mark, codec, name in _MARKED:
        if not data.startswith(mark):
            continue
        if codec is None:
            raise TextFileError(f"{source} is {name}: save it as UTF-8")
        try:
            return data.decode(codec)
        except UnicodeDecodeError as err:
            raise TextFileError(
                f"{source} starts with a {name} byte-order mark but is not {name} (byte {err.start}): save it as UTF-8"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise TextFileError(
            f"{source} is not UTF-8 (byte {err.start} is {data[err.start]:#04x}) nor UTF-16 with a byte-order mark: "
            "save it as UTF-8"
        ) from None


def read_text(path: str | Path) -> str:
    """The text of the file at ``path`` (see :func:`decode`).

    :raises TextFileError: the file cannot be read, or is not UTF-8 or UTF-16 with a byte-order mark.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise TextFileError(f"cannot read {path}: {err.strerror or err}") from None
    return decode(data, str(path))
