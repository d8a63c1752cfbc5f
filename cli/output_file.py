"""Where a command writes its result (``--output FILE``): checked before the run, written whole or not at all.

A report that CI publishes must never be half a report (a markdown table cut
mid-row still renders), and must never replace what the run reads. So:

- :func:`check_output_path` runs before the work: the folder exists and may be
  written, the path is not a folder, and it is none of the run's inputs (stack
  files, the policy config, the policy pack's files);
- :func:`write_atomically` writes a temp file in the same folder and renames it
  over the target; when the disk is full or a file-size limit is hit, the old
  file is left as it was and the temp file is removed.

Both raise :class:`OutputError`, whose text is one line with the fix.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from agentcore_egress.planner import atomic_file


class OutputError(OSError):
    """The result cannot be written where asked; the text is one line naming the path and the fix."""


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return first.resolve() == second.resolve()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def check_output_path(path: Path, inputs: Iterable[Path] = (), input_folders: Iterable[Path] = ()) -> None:
    """Refuse, before any work, an output path that cannot be written or that would replace an input."""
    folder = path.parent if str(path.parent) else Path(".")
    for read in inputs:
        if _same_file(path, Path(read)):
            raise OutputError(f"--output {path}: is {read}, a file this run reads. Fix: write the result to another file")
    for read_folder in input_folders:
        if _inside(path, Path(read_folder)):
            raise OutputError(f"--output {path}: lies in {read_folder}, which this run reads (the policy pack). Fix: write the result elsewhere")
    if path.is_dir():
        raise OutputError(f"--output {path}: is a folder. Fix: give a file name, e.g. {path / 'result.txt'}")
    if not folder.is_dir():
        raise OutputError(f"--output {path}: the folder {folder} does not exist. Fix: create it first, or write elsewhere")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"--output {path}: the folder {folder} is not writable. Fix: write elsewhere, or make it writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"--output {path}: is read-only. Fix: write elsewhere, or make it writable")


def write_atomically(path: Path, text: str) -> None:
    """``text`` to ``path`` whole or not at all (see :mod:`agentcore_egress.planner.atomic_file`), worded for ``--output``."""
    try:
        atomic_file.write_atomically(path, text)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise OutputError(f"--output {path}: could not be written ({reason}); the previous file, if any, is unchanged. "
                          "Fix: free disk space or raise the file-size limit, or write elsewhere") from None
