"""Worker processes that simulate the independent stacks of a wave side by side.

A stack's simulation is pure Python under the interpreter lock, so parallel
stacks need processes: a :class:`.worker_pool.WorkerPool` whose workers import
this module (and so the stacks' programs) once. A task is a stack's name, its validated config and the outputs of
the stacks it reads; its answer the simulated stack and the payload the policy
worker judges. While every worker is busy, this process takes the next task not
yet handed to one; each answer has a deadline, and answers are keyed by their
task's position, so the plan merges them in stack order whatever order they finish in.
"""

from __future__ import annotations

import importlib
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Optional

from agentcore_egress.simulation.registration import drop_engine_messages, to_payload
from agentcore_egress.stacks.config_schema import ConfigError

from .stack_simulation import simulate_stack
from .worker_pool import WorkerPool


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, which a container or ``taskset`` narrows), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


QUEUED_PER_WORKER = 2
"""Tasks a worker holds at once: the next is already waiting when it sends a result, so it never idles while this
process simulates a stack of its own before reading that result."""


class SimulationWorkerError(RuntimeError):
    """A simulation worker stopped or did not answer in time."""


Task = tuple[str, Any, dict]
"""(stack name, its AccountStack, the outputs of the stacks it reads)."""


def simulated_in_worker(task: Task) -> tuple[str, Any]:
    """A task in a worker: ("done", (SimulatedStack, policy payload)) or ("error", the problems of its ConfigError)."""
    try:
        simulated = simulate_stack(*task)
    except ConfigError as error:
        return "error", error.problems
    payload = to_payload(simulated.registrations)
    drop_engine_messages(simulated.registrations)  # the payload carries them as bytes for the pack
    return "done", (simulated, payload)


class SimulationPool:
    """Up to ``jobs`` workers (0: none, everything in this process), started on first use and stopped on close."""

    def __init__(self, jobs: int, timeout: float = 600.0) -> None:
        self.jobs = max(0, jobs)
        self.timeout = timeout
        self._pool: Optional[WorkerPool] = None

    def __enter__(self) -> "SimulationPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, count: int) -> None:
        """Start workers for ``count`` stacks (at most ``jobs``) ahead of use: their imports take a second or two."""
        if self._pool is None and self.jobs:
            self._pool = WorkerPool(self.jobs, importlib.import_module, ("agentcore_egress.planner.simulation_imports",))  # what a task needs, once
        if self._pool is not None:
            self._pool.start(count)

    def simulate(self, tasks: list[Task], local: Optional[Callable[[Task], tuple[str, Any]]] = None,
                 meanwhile: Optional[Callable[[], None]] = None) -> Iterator[tuple[int, str, Any]]:
        """Yield (task index, "done" or "error", value) as they finish; every task once.

        With ``local``, this process simulates too (``local(task)``) whenever every worker is busy:
        ``jobs`` workers and this process make ``jobs + 1`` simulating side by side.
        ``meanwhile`` runs here once, as soon as the workers hold their first tasks.
        """
        self.start(len(tasks))
        waiting = deque(enumerate(tasks))
        running: dict[int, Future] = {}
        while waiting or running:
            # Handed out a few at a time, not all at once: the rest stay here, for this process to take.
            while waiting and len(running) < QUEUED_PER_WORKER * self.jobs:
                index, task = waiting.popleft()
                # Handed over in the background while the first worker is still starting: ``meanwhile`` runs now.
                running[index] = self._pool.submit_starting_in_background(simulated_in_worker, task)
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
            if waiting and local is not None:
                index, task = waiting.popleft()
                yield (index, *local(task))
            yield from self._answers(running, wait_for_one=local is None or not waiting)

    def _answers(self, pending: dict[int, Future], wait_for_one: bool) -> Iterator[tuple[int, str, Any]]:
        """The workers' answers so far (at least one when ``wait_for_one`` and some are pending), removed from ``pending``."""
        if not pending:
            return
        done, _ = wait(pending.values(), timeout=self.timeout if wait_for_one else 0, return_when=FIRST_COMPLETED)
        if wait_for_one and not done:
            raise SimulationWorkerError(f"no simulation worker answered within {self.timeout:.0f} s")
        for index in [index for index, future in pending.items() if future in done]:
            try:
                kind, value = pending.pop(index).result()
            except BrokenProcessPool:
                raise SimulationWorkerError(f"a simulation worker stopped ({self._pool.exit_codes()})") from None
            except Exception as error:  # noqa: BLE001 - e.g. an answer that cannot be pickled: one line, not the worker's traceback
                raise SimulationWorkerError(f"a simulation worker failed: {type(error).__name__}: {error}") from None
            yield index, kind, value

    def close(self) -> None:
        """Stop every worker (and what it started), at once: their answers are in, or nobody will read them."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None
