"""Where a command writes its result (``--output FILE``): checked before the run, written whole or not at all.

A report that CI publishes must never be half a report (a markdown table cut
mid-row still renders), and must never replace what the run reads. So:

- :func:`check_output_path` runs before the work: the folder exists and may be
  written, the path is not a folder nor a symbolic link, and it is none of the
  run's inputs (stack files, the policy config, the policy pack's files);
- :func:`write_atomically` writes a temp file in the same folder and renames it
  over the target; when the disk is full or a file-size limit is hit, the old
  file is left as it was and the temp file is removed.

Both are :mod:`agentcore_egress.files.atomic_file`'s, worded for ``--output``:
they raise :class:`OutputError`, whose text is one line with the fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from agentcore_egress.files import atomic_file


class OutputError(OSError):
    """The result cannot be written where asked; the text is one line naming the path and the fix."""


def check_output_path(path: Path, inputs: Iterable[Path] = (), input_folders: Iterable[Path] = ()) -> None:
    """Refuse, before any work, an output path that cannot be written or that would replace an input."""
    try:
        atomic_file.check_target(path, inputs, input_folders)
    except atomic_file.RefusedTarget as error:
        raise OutputError(f"--output {path}: {error}") from None


def write_atomically(path: Path, text: str) -> None:
    """``text`` to ``path`` whole or not at all (see :mod:`agentcore_egress.files.atomic_file`), worded for ``--output``."""
    try:
        atomic_file.write_atomically(path, text)
    except atomic_file.RefusedTarget as error:
        raise OutputError(f"--output {error}") from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise OutputError(f"--output {path}: could not be written ({reason}); the previous file, if any, is unchanged. "
                          "Fix: free disk space or raise the file-size limit, or write elsewhere") from None
