"""The standard library's process pool, with workers that end with the run: the simulation workers and the policy worker.

A :class:`WorkerPool` is a ``concurrent.futures.ProcessPoolExecutor`` whose
workers come from the standard library's fork server (the "forkserver" start
method; "spawn" where there is none, or where TMPDIR is too deep for its socket): forking the run itself, which has threads
(gRPC's among them), is unsafe, and a fresh interpreter for every worker pays
for the SDK's imports each time. The fork server is one single-threaded process
per run, started with the first worker or earlier (:func:`start_server`); it imports :data:`PRELOADED` once (what
the pack's worker and the simulation workers need), and each worker is a
fork of it. A worker takes the run's environment as it is when the worker
starts (the fork server's is the run's at its own start), as a spawned one would.
Before its own initializer, each worker (see :func:`_prepare_worker`):

- asks the kernel for SIGKILL when its parent ends (``PR_SET_PDEATHSIG``, Linux).
  Its parent is the fork server, which ends when the run does: it waits on a
  pipe that only the run holds open, once the worker closed its own copy. A
  spawned worker's parent is the thread that started it, and it leaves at once
  if the run ended before it asked. The executor starts workers in the thread
  that calls ``submit`` (not its manager thread): use a pool from the thread that runs the plan;
- becomes a session (and process group) of its own: a Ctrl-C at the terminal
  reaches the run alone, and :meth:`WorkerPool.close` (or a signal, through
  :func:`agentcore_egress.process.child_processes.stop_all`) ends the worker and whatever it started, a
  helper of the pack, with one ``killpg``. SIGINT and SIGTERM are blocked while
  it starts (as the standard library starts its resource tracker; the fork server,
  started then, keeps them blocked, and its forks inherit that), so one sent to
  the terminal's group then is not a traceback of the worker's; SIGINT is ignored after;
- reads /dev/null as its standard input, never the user's terminal, and writes
  its standard output to its standard error: results travel in the executor's
  pipes, and what a program or pack prints never mixes with the plan's report.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, nullcontext
from typing import Any, Iterator, Optional

from . import interruption
from agentcore_egress.process.child_processes import PR_SET_PDEATHSIG, track, untrack

_STARTING = {signal.SIGINT, signal.SIGTERM}
_SPAWNING = threading.Lock()


PRELOADED = ["agentcore_egress.planner.policy_analyzer", "agentcore_egress.planner.simulation_imports"]
"""Imported once by the fork server, so that no worker imports them again: the pack's client (pulumi-policy, gRPC's
protobufs, the built-in rules), the Pulumi SDK, and what simulating a stack imports (pulumi-aws's modules on demand,
the stacks' programs). Half a second or more, which the run does not wait for: the server starts early
(:func:`start_server`) and its first workers start in the background (:meth:`WorkerPool.start`)."""


SOCKET_PATH_MAX = 107
"""Bytes of a Unix socket's path on Linux (108 with the closing NUL)."""


def _server_socket_fits() -> bool:
    """Whether the fork server's socket, ``<temp dir>/pymp-XXXXXXXX/listener-XXXXXXXX`` as the standard library names it
    (before Python 3.12 abstract names), fits a socket's path: a deep TMPDIR fails the server's start with "AF_UNIX path too long"."""
    return len(os.fsencode(os.path.join(tempfile.gettempdir(), "pymp-" + "x" * 8, "listener-" + "x" * 8))) <= SOCKET_PATH_MAX


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods() or not _server_socket_fits():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)  # read when the server starts: the first pool's first worker
    return context


def forks_workers() -> bool:
    """Whether workers are forks of the fork server (else fresh interpreters, which import everything again)."""
    return _context().get_start_method() == "forkserver"


def start_server() -> None:
    """Start the run's fork server now, without waiting for it: its imports (:data:`PRELOADED`) overlap whatever the
    run does before it needs a worker. Call it once the run knows it will simulate or judge; nothing where workers are
    spawned fresh interpreters instead."""
    if forks_workers():
        with _signals_blocked():  # kept blocked by the server and its forks, as when a pool starts it (see the module)
            multiprocessing.forkserver.ensure_running()


def _die_with_parent(run: int, forked: bool) -> None:
    """In a worker: SIGKILL when its parent ends (Linux); exit at once if the run (``run``, its pid) already has.
    ``forked``: the worker is a fork of the fork server, not the run's own child."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if forked:
        # The fork server (this worker's parent, alive: this worker holds its pipe open) ends once no process but
        # the run holds the pipe: give up this worker's copy, which the server hands every fork.
        from multiprocessing import forkserver

        alive = getattr(forkserver._forkserver, "_forkserver_alive_fd", None)  # noqa: SLF001 - see above
        if alive is not None:
            os.close(alive)
            forkserver._forkserver._forkserver_alive_fd = None  # noqa: SLF001
        try:
            os.kill(run, 0)
        except (ProcessLookupError, PermissionError):  # gone (its pid free, or another user's now)
            os._exit(70)
    elif os.getppid() != run:
        os._exit(70)


def _prepare_worker(run: int, forked: bool, environment: dict[str, str], initializer: Optional[Callable[..., None]],
                    initargs: tuple) -> None:
    """Every worker's initializer (see the module): then the pool's own, with its arguments."""
    _die_with_parent(run, forked)
    os.environ.clear()
    os.environ.update(environment)
    try:
        os.setsid()
    except OSError:  # already a session's leader
        pass
    for number in _STARTING:  # ignoring a signal discards one that arrived while it was blocked
        signal.signal(number, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STARTING)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdout = sys.stderr  # line-buffered: what is printed is out before the pool kills the worker
    if initializer is not None:
        initializer(*initargs)


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """SIGINT and SIGTERM held back in this thread (and so in a worker it starts) for the block."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STARTING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _relay(source: Future, target: Future) -> None:
    """``target`` settles as ``source`` does (its result, its exception, or cancelled)."""

    def settle(done: Future) -> None:
        if done.cancelled():
            target.cancel()
        elif done.exception() is not None:
            target.set_exception(done.exception())
        else:
            target.set_result(done.result())

    source.add_done_callback(settle)


def _ended(processes: list[multiprocessing.process.BaseProcess]) -> list[multiprocessing.process.BaseProcess]:
    """The processes that have ended, seen on their sentinels without reaping them (see :func:`_reaped`)."""
    ready = multiprocessing.connection.wait([process.sentinel for process in processes], timeout=0) if processes else []
    return [process for process in processes if process.sentinel in ready]


def _reaped(process: multiprocessing.process.BaseProcess) -> Optional[int]:
    """The worker's exit code once the executor's thread has reaped it, else None; never reaping it from this thread.

    A fork server's child is reaped by reading its code from its sentinel pipe, once: had this thread read it too
    (``process.exitcode`` does), while the executor's thread joined the worker, one of them would read the end of
    the pipe and take 255 for the code.
    """
    popen = getattr(process, "_popen", None)  # noqa: SLF001 - see above
    return getattr(popen, "returncode", None)


class WorkerPool:
    """Up to ``workers`` processes of a ProcessPoolExecutor, each prepared by ``initializer(*initargs)`` once it started.

    :meth:`close` kills them (and their process groups) at once: call it when their
    results are in, or when nobody will read them any more.
    """

    def __init__(self, workers: int, initializer: Optional[Callable[..., None]] = None, initargs: tuple = ()) -> None:
        self.size = workers
        context = _context()
        self._forked = context.get_start_method() == "forkserver"
        self._executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_prepare_worker, initargs=(
            os.getpid(), self._forked, dict(os.environ), initializer, initargs))
        self._workers: list[multiprocessing.process.BaseProcess] = []
        self._starter: Optional[threading.Thread] = None
        """The last thread handing over a task or starting workers in the background (each joins the one before it),
        until a call waits for it."""
        track(self)

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, call: Callable[..., Any], *args: Any) -> Future:
        """``call(*args)`` in a worker (a picklable function, as for any ProcessPoolExecutor); starts one if none is idle.

        Once a worker died, the future holds BrokenProcessPool (as the tasks it left do), for the caller to meet where it waits.
        """
        self._wait_for_starter()
        return self._submit(call, args, in_main=True)

    def submit_starting_in_background(self, call: Callable[..., Any], *args: Any) -> Future:
        """:meth:`submit`, returning at once even when a worker must start for it, or is starting: the task is handed
        over in a thread, after that start.

        A fork server's first worker comes only once the server has imported :data:`PRELOADED` (a third of a second
        or more), and the standard library waits for it: the plan reads the cache and simulates meanwhile instead.
        Tasks handed over this way keep their order; :meth:`submit` and the other calls wait for them first. A spawned
        worker starts in this thread as :meth:`submit` starts it (no wait there; and a thread ending would end the
        worker, see :func:`_die_with_parent`).
        """
        if self._starter is not None and not self._starter.is_alive():
            self._wait_for_starter()  # (ended: nothing to wait for)
        if self._starter is None and (not self._forked or len(self._workers) >= self.size):
            return self._submit(call, args, in_main=True)
        relayed: Future = Future()

        def start() -> None:
            try:
                _relay(self._submit(call, args, in_main=False), relayed)
            except BaseException as error:  # noqa: BLE001 - the caller meets it where it waits, as a task's own exception
                relayed.set_exception(error)

        self._in_background(start)
        return relayed

    def _in_background(self, start: Callable[[], None]) -> None:
        """``start()`` in a thread, once the start in flight (if any) has ended: waiting for the last waits for all."""
        previous = self._starter

        def after_previous() -> None:
            if previous is not None:
                previous.join()
            start()

        self._starter = threading.Thread(target=after_previous, name="worker-start", daemon=True)
        self._starter.start()

    def _wait_for_starter(self) -> None:
        if self._starter is not None:
            self._starter.join()
            self._starter = None

    def _submit(self, call: Callable[..., Any], args: tuple, in_main: bool) -> Future:
        try:
            if len(self._workers) >= self.size:
                return self._executor.submit(call, *args)
            # In the main thread, a signal now ends the run after the new worker is known, so that it is killed too (see
            # interruption). In another thread, a deferral would raise there and not in the main thread, which ends the run
            # at once instead: closing the pool then waits for this start (_wait_for_starter) before it kills the workers.
            with interruption.deferred() if in_main else nullcontext(), _SPAWNING, _signals_blocked():
                before = set(multiprocessing.active_children())
                future = self._executor.submit(call, *args)
                self._workers += [process for process in multiprocessing.active_children() if process not in before]
            return future
        except BrokenProcessPool as broken:
            failed: Future = Future()
            failed.set_exception(broken)
            return failed

    def start(self, count: int) -> None:
        """Start ``count`` workers (at most the pool's size) ahead of their first task; from the fork server, in the
        background, after any start in flight (see :meth:`submit_starting_in_background`; a start that failed there is
        tried again by the next call)."""

        def start_all(in_main: bool) -> None:
            while len(self._workers) < min(count, self.size):
                if self._submit(os.getpid, (), in_main).done():  # a broken pool, which its next task reports: stop here
                    return

        if not self._forked:
            start_all(in_main=True)
            return

        def start() -> None:
            try:
                start_all(in_main=False)
            except Exception:  # noqa: BLE001 - met again, with its message, where the next task starts its worker
                pass

        self._in_background(start)

    def exit_codes(self) -> str:
        """How the workers ended, for an error message: "exit code 3", "exit code -9" (killed by signal 9)."""
        self._wait_for_starter()
        ended = _ended(self._workers)
        deadline = time.monotonic() + 1.0  # the executor's thread is reaping them (it joins a broken pool's workers)
        while any(_reaped(process) is None for process in ended) and time.monotonic() < deadline:
            time.sleep(0.01)
        codes = sorted({code for code in map(_reaped, self._workers) if code is not None}, key=lambda code: code == 0)
        return ", ".join(f"exit code {code}" for code in codes) or "exit code unknown"

    def kill_group(self) -> None:
        """SIGKILL to every worker's process group, without waiting: what a signal handler may do at any moment."""
        for process in self._workers:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # its group: a worker that reached its initializer leads one
            except (ProcessLookupError, PermissionError):
                pass
            # One still starting leads none yet. (Not process.exitcode: that reaps a fork server's child from this thread.)
            if not _ended([process]):
                try:
                    os.kill(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def close(self) -> None:
        """Kill every worker and its group, then release the pool (its threads and pipes)."""
        self._wait_for_starter()  # a worker still starting is known, and killed, too
        calls = getattr(self._executor, "_call_queue", None)
        if calls is not None and not _ended(self._workers):
            # What CPython 3.12 (and late 3.11s) do once workers died, which 3.10 and early 3.11s do not: without a reader
            # here, the executor's thread still writing a task to the workers' pipe fails once they are killed, instead of
            # blocking for ever. Only while every worker lives: after one died, a fixed CPython's thread closes it itself.
            calls._reader.close()
        self.kill_group()
        self._executor.shutdown(wait=True, cancel_futures=True)
        untrack(self)
