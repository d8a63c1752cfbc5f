"""One-shot child processes that cannot outlive the run or stall it: the policy pack over gRPC, ``pulumi version``.

Every child is started with stdin from /dev/null (or a pipe its parent owns),
its stderr in an unlinked temporary file (a pipe nobody reads fills at 64 KiB
and stalls the child; the file keeps the tail for error messages), in a session
(and process group) of its own, and on Linux with ``PR_SET_PDEATHSIG`` (set by
a small launcher that then becomes the command): the kernel sends it SIGKILL
when the thread that started it ends, so a parent killed with SIGKILL (or a
worker whose parent died) leaves nothing behind. Normal ends, exceptions and
signals go through :meth:`Child.stop`, which kills the child's whole process
group: a helper the pack started (a grandchild) ends with it, and nothing waits
on a pipe such a helper may still hold open. A Ctrl-C at the terminal reaches
only the run's own process (the children are not in the terminal's process
group); the run ends them (see :mod:`agentcore_egress.planner.interruption`), and with
them the worker pools (:mod:`agentcore_egress.planner.worker_pool`), which :func:`track` them too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Optional

PR_SET_PDEATHSIG = 1


_DIE_WITH_PARENT = (
    "import ctypes, os, signal, sys\n"
    "try:\n"
    "    ctypes.CDLL(None, use_errno=True).prctl(%d, signal.SIGKILL, 0, 0, 0)\n"
    "except (OSError, AttributeError):\n"
    "    pass\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    os._exit(70)\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
) % PR_SET_PDEATHSIG
"""Run before the child's own command, in the child: ask the kernel for SIGKILL when the parent ends, leave at once if
the parent already has, then become the command (the request survives exec). Done after exec, in a fresh
interpreter, not between fork and exec: a parent with other threads (gRPC's, in the tests) may leave the forked
copy in a state where running Python code crashes it."""


def _dying_with_parent(command: Sequence[str]) -> list[str]:
    if not sys.platform.startswith("linux"):
        return list(command)
    return [sys.executable, "-I", "-S", "-c", _DIE_WITH_PARENT, str(os.getpid()), *command]


_RUNNING: set[Any] = set()
"""Every child and worker pool running: anything with a ``kill_group()`` that a signal handler may call at any moment."""
_RUNNING_LOCK = threading.RLock()
"""Reentrant: a signal handler (run in the main thread, between any two of its steps) may take it while the main
thread holds it to start a child; a plain lock would deadlock there."""


def track(running: Any) -> None:
    """Have :func:`stop_all` kill ``running`` (a :class:`Child`, a worker pool) until :func:`untrack`."""
    with _RUNNING_LOCK:
        _RUNNING.add(running)


def untrack(running: Any) -> None:
    with _RUNNING_LOCK:
        _RUNNING.discard(running)


class Child:
    """One started child; :meth:`stop` ends it and its process group (a kill if it does not end within ``grace`` seconds)."""

    def __init__(self, command: Sequence[str], *, cwd: Optional[Path] = None, stdin: Any = subprocess.DEVNULL,
                 env: Optional[dict[str, str]] = None, stdout: Any = subprocess.PIPE, stderr: Any = None) -> None:
        self.stderr: IO[bytes] = tempfile.TemporaryFile()
        with _RUNNING_LOCK:  # registered as it starts, so that a signal arriving now still finds it (see stop_all)
            self.process = subprocess.Popen(
                _dying_with_parent(command),
                cwd=cwd,
                stdin=stdin,
                stdout=stdout,
                stderr=self.stderr if stderr is None else stderr,
                env=env,
                start_new_session=True,
            )
            track(self)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr_tail(self, limit: int = 2000) -> str:
        """The last lines the child wrote to stderr, as one line (for error messages)."""
        try:
            self.stderr.seek(0, os.SEEK_END)
            size = self.stderr.tell()
            self.stderr.seek(max(0, size - limit))
            text = self.stderr.read().decode(errors="replace")
        except (OSError, ValueError):
            return ""
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def kill_group(self) -> None:
        """SIGKILL to the child's process group: the child and whatever it started that stayed in its group."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, grace: float = 0.0) -> None:
        """End the child (waiting up to ``grace`` seconds for it to end by itself) and its group; release its pipes."""
        if self.process.poll() is None and grace > 0:
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        self.kill_group()  # also when the child ended: a helper it left in its group goes too
        self.process.wait()
        untrack(self)
        for stream in (self.process.stdin, self.process.stdout):
            if stream:
                try:
                    stream.close()
                except OSError:
                    pass
        self.stderr.close()


def stop_all() -> None:
    """Kill every child and worker still running (and their groups), without waiting: what a signal handler may do at any moment."""
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for child in running:
        child.kill_group()


def run_with_deadline(command: Sequence[str], timeout: float, env: Optional[dict[str, str]] = None) -> tuple[int, str, str]:
    """Run ``command`` to its end within ``timeout`` seconds: (exit code, stdout, last stderr line).

    Its output goes to temporary files, not pipes, so a helper it leaves running cannot make this wait;
    past the deadline it and its group are killed and subprocess.TimeoutExpired is raised.
    FileNotFoundError when the command does not exist.
    """
    with tempfile.TemporaryFile() as output:
        child = Child(command, stdout=output, env=env)
        try:
            code = child.process.wait(timeout=timeout)
            tail = child.stderr_tail()
        finally:
            child.stop()
        output.seek(0)
        return code, output.read().decode(errors="replace"), tail
