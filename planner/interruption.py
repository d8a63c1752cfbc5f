"""How a run ends on Ctrl-C (SIGINT) or SIGTERM: at once, with one line and exit 130 / 143, leaving no child behind.

The first signal kills every child the run started (:func:`child_processes.stop_all`:
the policy worker, the simulation workers and what they started in their process
groups) and raises :class:`Interrupted` in the main thread (at the end of a
:func:`deferred` block when it is in one: a stack's simulation), which unwinds through
the run's ``with`` blocks (temporary files are removed, no output is written). Further
signals are ignored, so that a second Ctrl-C cannot break that unwinding half way;
should the unwinding itself hang, the process ends anyway after ``grace`` seconds.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from agentcore_egress.process.child_processes import stop_all

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run received ``number``.

    A KeyboardInterrupt, not merely a BaseException: no ``except Exception`` of a program or pack swallows it, and
    asyncio (the Pulumi program under simulation runs in its loop) re-raises only KeyboardInterrupt and SystemExit
    from a task; any other BaseException it keeps in the task, and the loop waits on (the plan hung there).
    """

    def __init__(self, number: int) -> None:
        self.number = number
        self.name = signal.Signals(number).name
        super().__init__(f"interrupted by {self.name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.number


class _Deferral:
    depth = 0
    pending: list[int] = []


@contextmanager
def deferred() -> Iterator[None]:
    """A signal arriving within the block ends the run at the block's end instead of midway.

    For code an exception must not cut in half: a Pulumi program under simulation runs in an asyncio loop that
    catches every exception of the program and then waits for the program's outstanding calls, which an
    interrupted program never completes (the plan hung there). Children are still killed at once.
    """
    _Deferral.depth += 1
    try:
        yield
    finally:
        _Deferral.depth -= 1
        if _Deferral.depth == 0 and _Deferral.pending:
            raise Interrupted(_Deferral.pending.pop())


@contextmanager
def ended_by_signals(grace: float = 10.0) -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM end the run as the module says (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    received: list[int] = []

    def interrupt(number: int, _frame: object) -> None:
        received.append(number)
        for other in SIGNALS:
            signal.signal(other, signal.SIG_IGN)
        watchdog = threading.Timer(grace, _exit_now, args=(128 + number,))
        watchdog.daemon = True
        watchdog.start()
        stop_all()
        if _Deferral.depth:
            _Deferral.pending.append(number)
            return
        raise Interrupted(number)

    previous = {number: signal.signal(number, interrupt) for number in SIGNALS}
    try:
        yield
    finally:
        if not received:  # after a signal they stay ignored: the run is ending
            for number, handler in previous.items():
                signal.signal(number, handler)


ANNOUNCED = threading.Event()
"""Set once the run said it was interrupted (so that the grace period's end does not say it again)."""


def _exit_now(code: int) -> None:
    stop_all()
    try:
        if not ANNOUNCED.is_set():
            sys.stderr.write(f"interrupted: the run did not end within its grace period; exit {code}\n")
            sys.stderr.flush()
    finally:
        os._exit(code)
