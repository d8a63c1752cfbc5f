"""The command's process ends once its work is done, without CPython tearing the interpreter down.

After the last ``atexit`` handler, CPython frees every module and every object
one at a time, and collects cyclic garbage over all of them: for a plan of 400
stacks with the SDK loaded, a third of a second of the user's wait that changes
nothing (measured: 0.3 s between the last handler and the process's end). The
process's entry point (:func:`agentcore_egress.cli.main.run`) registers
:func:`_exit_now` before anything else, so that it runs after every other
handler: the pools' (``concurrent.futures``, ``multiprocessing``: workers ended,
semaphores released), temporary files', and any a library registered. It then
flushes the standard streams and ends the process with the command's exit code.

Only the entry point does this, and only when no handler was registered before
it (one would be skipped): ``main()`` called in a program (the tests) leaves
that program's exit alone. An exit that is not the command's own return (an
uncaught exception) ends as Python ends it, and so does one whose streams cannot
be flushed (Python reports that itself, exit 120).
"""

from __future__ import annotations

import atexit
import os
import sys
from typing import Optional


class _Ending:
    code: Optional[int] = None
    """The command's exit code, once it returned one."""


def register() -> None:
    """Call first in the process's entry point: the handler runs after every handler registered later. When some
    handler was registered before (a site hook's, a coverage tool's), or that cannot be told, the exit is Python's own:
    ending the process would skip that handler."""
    registered = getattr(atexit, "_ncallbacks", None)  # noqa: SLF001 - CPython's count of handlers; without it, assume some
    if registered is not None and registered() == 0:
        atexit.register(_exit_now)


def ending_with(code: int) -> int:
    """Record the command's exit code (and return it, for ``sys.exit``)."""
    _Ending.code = code
    return code


def _exit_now() -> None:
    if _Ending.code is None:
        return
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # left to Python's own exit, which says so
        return
    os._exit(_Ending.code)
