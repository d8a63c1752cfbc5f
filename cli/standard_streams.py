"""What a command needs of the process it was started in: its standard streams and its working folder.

A shell may start the command with standard output closed (``plan >&-``), full
(``> /dev/full``) or a pipe whose reader went away (``| head -1``), or in a
folder that was deleted meanwhile. Each ends in one line and exit 2, never a
traceback, and a closed descriptor is never left free for the run's own files
to land on (a pack's temporary file opened as descriptor 1 would receive the
report).
"""

from __future__ import annotations

import os
import sys
from typing import Optional

_CLOSED: set[int] = set()


class StreamError(OSError):
    """Standard output cannot be written; the text is one line with the fix."""


def reserve_standard_streams() -> None:
    """Put /dev/null on any of descriptors 0, 1, 2 the process was started without (remembered as closed)."""
    for descriptor in (0, 1, 2):
        try:
            os.fstat(descriptor)
        except OSError:
            handle = os.open(os.devnull, os.O_RDWR)
            if handle != descriptor:
                os.dup2(handle, descriptor)
                os.close(handle)
            _CLOSED.add(descriptor)
    if 1 in _CLOSED:
        sys.stdout = open(1, "w", closefd=False)
    if 2 in _CLOSED:
        sys.stderr = open(2, "w", closefd=False)


def stdout_problem() -> Optional[str]:
    """Why standard output cannot take a result, when it was closed at start; None when it is open."""
    if 1 in _CLOSED:
        return "standard output is closed. Fix: redirect it to a file (> report.txt), or pass --output FILE where the command has it"
    return None


def write_stdout(text: str) -> None:
    """``text`` to standard output, flushed; StreamError (one line) when it cannot be written (full, broken pipe)."""
    problem = stdout_problem()
    if problem:
        raise StreamError(problem)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as error:
        sys.stdout = open(os.devnull, "w")  # what stays buffered is dropped, not flushed again (with a traceback) at exit
        raise StreamError(f"standard output cannot be written ({error.strerror or type(error).__name__}). "
                          "Fix: write to a file with free space (> report.txt), or pass --output FILE where the command has it") from None


def working_folder_problem() -> Optional[str]:
    """Why the working folder cannot be used (it was deleted after the shell entered it); None when it can."""
    try:
        os.getcwd()
    except OSError as error:
        return (f"the working folder cannot be used ({error.strerror or type(error).__name__}: deleted or moved?). "
                "Fix: cd into an existing folder and run the command again")
    return None
