"""Worker processes that simulate the independent stacks of a wave side by side.

A stack's simulation is pure Python under the interpreter lock, so parallel
stacks need processes. Each worker is a fresh interpreter
(``python -m agentcore_egress.planner.simulation_pool``) whose standard input is
a pipe owned by the plan, never the user's terminal: tasks arrive on it
(pickled: a stack's name, its validated config and the outputs of the stacks it
reads) and results leave on a private duplicate of its standard output, while
whatever a program prints goes to standard error. A worker stops at the end of
its input, so it ends with the plan even when the plan is killed. At most
``jobs`` workers run, each result has a deadline, and results are handed back
keyed by their task's position, so the plan merges them in stack order whatever
order they finish in.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO, Optional

from agentcore_egress.process.child_processes import Child, results_channel

_DONE, _ERROR = "done", "error"
QUEUED_PER_WORKER = 2
"""Tasks a worker holds at once: the next is already waiting when it sends a result, so it never idles while this
process simulates a stack of its own before reading that result."""


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity, which a container or ``taskset`` narrows), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


class SimulationWorkerError(RuntimeError):
    """A simulation worker stopped or did not answer in time."""


Task = tuple[str, Any, dict]
"""(stack name, its AccountStack, the outputs of the stacks it reads)."""


def serve(inbox: BinaryIO, outbox: BinaryIO) -> None:
    """The worker's loop: (index, task) in, (kind, index, value) out, until None or the end of input."""
    from agentcore_egress.stacks.config_schema import ConfigError

    from .stack_simulation import simulate_stack
    from .policy_worker import policy_payload, received

    for index, (name, stack, reads) in received(inbox):
        try:
            simulated = simulate_stack(name, stack, reads)
            payload = policy_payload(simulated.registrations)
            for registration in simulated.registrations:  # the payload carries them as bytes for the pack
                registration.inputs_proto = registration.state_proto = None
            message = (_DONE, index, (simulated, payload))
        except ConfigError as error:
            message = (_ERROR, index, error.problems)
        pickle.dump(message, outbox, protocol=pickle.HIGHEST_PROTOCOL)
        outbox.flush()


class SimulationPool:
    """Up to ``jobs`` workers (0: none, everything in this process), started on first use and stopped on close."""

    def __init__(self, jobs: int, timeout: float = 600.0) -> None:
        self.jobs = max(0, jobs)
        self.timeout = timeout
        self._workers: list[subprocess.Popen] = []
        self._children: list[Child] = []
        self._messages: queue.Queue = queue.Queue()
        self._outstanding = 0

    def __enter__(self) -> "SimulationPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, count: int) -> None:
        """Start workers for ``count`` stacks (at most ``jobs``) ahead of use: their imports take a second or two."""
        while len(self._workers) < min(count, self.jobs):
            # Its own process group, dying with the plan (see child_processes); its stderr is the plan's (what a program prints).
            child = Child([sys.executable, "-m", __name__], stdin=subprocess.PIPE, stderr=sys.stderr.fileno())
            self._children.append(child)
            worker = child.process
            number = len(self._workers)
            self._workers.append(worker)
            threading.Thread(target=self._read, args=(number, worker), daemon=True).start()

    def _read(self, number: int, worker: subprocess.Popen) -> None:
        try:
            while True:
                self._messages.put((number, pickle.load(worker.stdout)))
        except (EOFError, OSError, ValueError, pickle.UnpicklingError):
            self._messages.put((number, None))

    def _send(self, number: int, item: Any) -> None:
        try:
            pickle.dump(item, self._workers[number].stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._workers[number].stdin.flush()
        except (BrokenPipeError, OSError) as error:
            raise SimulationWorkerError(f"simulation worker {number + 1} stopped (exit code {self._workers[number].poll()}): {error}") from None

    def simulate(self, tasks: list[Task], local: Optional[Callable[[Task], tuple[str, Any]]] = None) -> Iterator[tuple[int, str, Any]]:
        """Yield (task index, "done" or "error", value) as they finish; every task once.

        With ``local``, this process simulates too (``local(task)``) whenever every worker is busy:
        ``jobs`` workers and this process make ``jobs + 1`` simulating side by side.
        """
        self.start(len(tasks))
        pending = deque(enumerate(tasks))
        idle = deque(number for _ in range(QUEUED_PER_WORKER) for number in range(len(self._workers)))
        while pending or self._outstanding:
            while pending and idle:
                self._send(idle.popleft(), pending.popleft())
                self._outstanding += 1
            if pending and local is not None:
                index, task = pending.popleft()
                yield (index, *local(task))
                yield from self._answers(idle, wait=False)
            else:
                yield from self._answers(idle, wait=True)

    def _answers(self, idle: deque, wait: bool) -> Iterator[tuple[int, str, Any]]:
        """The workers' answers so far (at least one when ``wait``); each answering worker is idle again."""
        while self._outstanding:
            try:
                number, message = self._messages.get(timeout=self.timeout) if wait else self._messages.get_nowait()
            except queue.Empty:
                if wait:
                    raise SimulationWorkerError(f"no simulation worker answered within {self.timeout:.0f} s") from None
                return
            if message is None:
                raise SimulationWorkerError(f"simulation worker {number + 1} stopped (exit code {self._workers[number].wait()})")
            self._outstanding -= 1
            idle.append(number)
            kind, index, value = message
            yield index, kind, value
            wait = False

    def close(self) -> None:
        """Stop every worker: at once when some are still busy with work nobody will read (the plan failed)."""
        busy = self._outstanding > 0
        for worker in self._workers:
            try:
                pickle.dump(None, worker.stdin)
                worker.stdin.close()
            except (BrokenPipeError, OSError, ValueError):
                pass
        for child in self._children:  # still simulating a stack nobody waits for any more: killed
            child.stop(grace=0 if busy else 5)
        self._workers.clear()
        self._children.clear()


def _main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the plan ends its workers; a Ctrl-C is the plan's to handle
    results = results_channel()
    serve(sys.stdin.buffer, results)
    results.flush()
    sys.stderr.flush()
    os._exit(0)  # nothing to tear down: the plan waits for this exit, and a full interpreter shutdown takes a second


if __name__ == "__main__":
    _main()
