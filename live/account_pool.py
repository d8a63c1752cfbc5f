"""One job per account, a few at a time, each within a time budget; outcomes in the order of the jobs.

preflight and audit read many accounts; one after another, a stalled endpoint
cost every account its full retry time in turn. Here at most ``parallel`` jobs
run at once, each on a daemon thread; a job still running ``budget`` (plus a
second of grace) after it started is reported as an :class:`AccountTimeout` and
left behind, so the run ends on time whatever a socket does (the job's own AWS
calls stop at the budget too: see :class:`~.aws_accounts.AccountSession`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Optional, TypeVar

from botocore.exceptions import BotoCoreError

T = TypeVar("T")
GRACE = 1.0
"""Seconds past the budget before a job is given up (its last AWS attempt is cut at the budget by then)."""


class AccountTimeout(BotoCoreError):
    """An account did not answer within its time budget."""

    fmt = "no answer within the time budget of {budget:g} s"


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What one job returned, or the error it raised (an :class:`AccountTimeout` when it ran out of time)."""

    value: Optional[T] = None
    error: Optional[BaseException] = None


def run_bounded(jobs: Sequence[Callable[[], T]], parallel: int, budget: float) -> list[Outcome[T]]:
    """Run every job, at most ``parallel`` at once, each for at most ``budget`` seconds; outcomes in job order."""
    outcomes: list[Optional[Outcome[T]]] = [None] * len(jobs)
    changed = threading.Condition()
    started: dict[int, float] = {}

    def run(index: int) -> None:
        try:
            outcome: Outcome[T] = Outcome(value=jobs[index]())
        except BaseException as error:  # noqa: BLE001 - handed to the caller, who reports it
            outcome = Outcome(error=error)
        with changed:
            if outcomes[index] is None:
                outcomes[index] = outcome
            changed.notify_all()

    with changed:
        while True:
            now = time.monotonic()
            for index, start in started.items():
                if outcomes[index] is None and now >= start + budget + GRACE:
                    outcomes[index] = Outcome(error=AccountTimeout(budget=budget))
            running = [index for index in started if outcomes[index] is None]
            while len(running) < max(1, parallel) and len(started) < len(jobs):
                index = len(started)
                started[index] = time.monotonic()
                threading.Thread(target=run, args=(index,), name=f"account-{index}", daemon=True).start()
                running.append(index)
            if not running:
                return [outcome for outcome in outcomes if outcome is not None]
            first_deadline = min(started[index] for index in running) + budget + GRACE
            changed.wait(timeout=max(0.0, first_deadline - time.monotonic()))

