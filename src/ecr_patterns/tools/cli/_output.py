"""Output files of the CLI (``--output``, ``--out``, ``--mapping-out``): checked before any work starts, and
written atomically, to a temporary file in the same folder then renamed over the target (``os.replace`` is
atomic on one file system, POSIX ``rename``), so an interrupted run never leaves half a report."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from ecr_patterns.tools.cli._usage import UsageProblem


def check_output(path: Path | None, flag: str) -> None:
    """Fail now (exit 2, one line) if ``path`` cannot be written: its folder is missing or not writable, or the
    path is a folder."""
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageProblem(f"{flag} {path} is a folder: give a file path")
    if not folder.is_dir():
        raise UsageProblem(f"{flag} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageProblem(f"{flag} {path}: the folder {folder} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise UsageProblem(f"{flag} {path} exists and is not writable")


def write_atomically(path: Path, text: str) -> None:
    """``text`` (UTF-8) to ``path``, all or nothing."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as err:
        raise UsageProblem(f"cannot write {path}: {err.strerror or err}") from None
