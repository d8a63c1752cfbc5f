"""The policy pack in a worker process, so that judging one stack overlaps simulating the next.

In a thread the pack would take the interpreter lock from the simulation. The
worker builds the pack's analyzer service as the pack's own ``__main__.py`` does
and sends it the engine's requests (a :class:`LoadedPolicyPack`); stacks reach it
as serialized protobufs and come back as findings, in the order they were sent.
The worker runs in the pack's folder (as the engine runs the pack), so a pack
that hangs or dies is this process, found and ended by the plan.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any, BinaryIO, Iterator, Optional

from agentcore_egress.process.child_processes import Child, results_channel
from .policy_analyzer import Finding, LoadedPolicyPack, PolicyPackError
from agentcore_egress.simulation.monitor import Registration

_READY, _DONE, _ERROR = "ready", "done", "error"


def _payload(registrations: list[Registration]) -> list[tuple]:
    """What the worker needs of each registration, as picklable values (protobufs as bytes)."""
    return [
        (
            r.urn, r.type, r.name, r.parent, r.provider, r.custom, r.id, r.dependencies, r.property_dependencies,
            r.inputs_proto.SerializeToString() if r.inputs_proto is not None else r.inputs,
            r.state_proto.SerializeToString() if r.state_proto is not None else r.state,
        )
        for r in registrations
    ]


policy_payload = _payload
"""What the worker needs of a stack's registrations, made wherever the stack was simulated."""


def _registrations(payload: list[tuple]) -> list[Registration]:
    from google.protobuf import struct_pb2

    def struct(value: Any):
        return struct_pb2.Struct.FromString(value) if isinstance(value, bytes) else None

    return [
        Registration(
            urn=urn, type=type_, name=name, parent=parent, provider=provider, custom=custom, id=id_,
            dependencies=dependencies, property_dependencies=property_dependencies,
            inputs={} if isinstance(inputs, bytes) else inputs, state={} if isinstance(state, bytes) else state,
            inputs_proto=struct(inputs), state_proto=struct(state),
        )
        for urn, type_, name, parent, provider, custom, id_, dependencies, property_dependencies, inputs, state in payload
    ]


def received(inbox: BinaryIO) -> Iterator[Any]:
    """The pickled items a worker is sent, until None or the end of its input (the parent went away)."""
    while True:
        try:
            item = pickle.load(inbox)
        except EOFError:
            return
        if item is None:
            return
        yield item


def serve(inbox: BinaryIO, outbox: BinaryIO, pack_dir: Optional[str], config: dict[str, Any], skip: Collection[str] = (),
          source: str = "policy config") -> None:
    """The worker's loop: (key, payload, minted) in, (kind, key, value) out, pickled, until None or end of input.

    The first failure (the pack does not start, refuses its config, or fails on a
    stack) is sent to the parent and ends the worker, closing the pack.
    """

    def send(message: tuple) -> None:
        pickle.dump(message, outbox, protocol=pickle.HIGHEST_PROTOCOL)
        outbox.flush()

    analyzer = None
    try:
        analyzer = LoadedPolicyPack(Path(pack_dir) if pack_dir else None)
        analyzer.configure(config, skip, source)
        send((_READY, None, None))
        for key, payload, minted in received(inbox):
            began = time.perf_counter()
            try:
                findings = analyzer.analyze(_registrations(payload), minted)
            except Exception as error:  # noqa: BLE001 - reported to the parent, which ends the run
                send((_ERROR, key, f"{error}"))
                return
            send((_DONE, key, (findings, time.perf_counter() - began)))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which raises it
        send((_ERROR, None, f"{error}"))
    finally:
        if analyzer is not None:
            analyzer.close()


class BackgroundPolicyAnalyzer:
    """The pack in another process (a :class:`LoadedPolicyPack`): :meth:`submit` stacks, :meth:`results` collects them in order.

    Its settings (the policy config may be megabytes) are the first item on its input, not a command-line argument;
    everything is written to that input by a thread of its own, so a pack that is slow to start (or stuck) and does
    not read cannot block the plan: the plan meets the start timeout in :meth:`results` instead.
    """

    def __init__(self, pack_dir: Optional[Path] = None, config: Optional[dict[str, Any]] = None, timeout: float = 300.0,
                 skip: Collection[str] = (), start_timeout: float = 60.0, source: str = "policy config") -> None:
        settings = {"pack_dir": str(pack_dir) if pack_dir else None, "config": config or {}, "skip": sorted(skip), "source": source}
        self._child = Child([sys.executable, "-m", __name__], stdin=subprocess.PIPE)
        self._process = self._child.process
        self._timeout, self._start_timeout = timeout, start_timeout
        self._started, self._ready = time.monotonic(), False
        self._messages: queue.Queue = queue.Queue()
        self._inbox: queue.Queue = queue.Queue()
        self._inbox.put(settings)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._writer = threading.Thread(target=self._write, daemon=True)
        self._writer.start()
        self._submitted: list[str] = []
        self._done: dict[str, tuple[list[Finding], float]] = {}

    def _read(self) -> None:
        try:
            while True:
                self._messages.put(pickle.load(self._process.stdout))
        except (EOFError, OSError, ValueError, pickle.UnpicklingError):
            self._messages.put(None)

    def _write(self) -> None:
        """Everything sent to the worker, in order, until the end of input (None): then its input is closed."""
        try:
            while True:
                item = self._inbox.get()
                pickle.dump(item, self._process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                self._process.stdin.flush()
                if item is None:
                    self._process.stdin.close()
                    return
        except (OSError, ValueError):  # the worker ended (it said why, or its exit code does)
            return

    def __enter__(self) -> "BackgroundPolicyAnalyzer":
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close(failed=kind is not None)

    @property
    def pid(self) -> int:
        return self._child.pid

    def submit(self, key: str, registrations: list[Registration], minted: Optional[Collection[str]] = None) -> None:
        """Queue one stack; with ``minted`` (its computed values) it is judged at first preview and at update."""
        self.submit_payload(key, _payload(registrations), minted)

    def submit_payload(self, key: str, payload: list[tuple], minted: Optional[Collection[str]] = None) -> None:
        """Submit a stack already turned into the worker's payload (by a simulation worker, see :func:`policy_payload`)."""
        self._submitted.append(key)
        self._inbox.put((key, payload, frozenset(minted) if minted is not None else None))

    def _receive(self, timeout: Optional[float]) -> bool:
        try:
            message = self._messages.get(timeout=timeout) if timeout else self._messages.get_nowait()
        except queue.Empty:
            return False
        if message is None:
            raise PolicyPackError(self._stopped())
        kind, key, value = message
        if kind == _ERROR:
            raise PolicyPackError(value if key is None else f"judging stack {key}: {value}")
        if kind == _DONE:
            self._done[key] = value
        self._ready = True
        return True

    def finished(self) -> dict[str, tuple[list[Finding], float]]:
        """Stacks judged so far (without waiting)."""
        while self._receive(timeout=None):
            pass
        return dict(self._done)

    def results(self) -> dict[str, tuple[list[Finding], float]]:
        """Wait for every submitted stack; findings and seconds spent, per stack in submission order."""
        deadline = time.monotonic() + self._timeout
        while not all(key in self._done for key in self._submitted):
            if self._receive(timeout=1.0):
                continue
            if self._process.poll() is not None:  # ended, and a second passed without a word (a helper may hold its output open)
                raise PolicyPackError(self._stopped())
            if not self._ready and time.monotonic() > self._started + self._start_timeout:
                raise PolicyPackError(f"the policy pack did not start within {self._start_timeout:.0f} s")
            if time.monotonic() > deadline:
                raise PolicyPackError(f"the policy pack did not answer within {self._timeout:.0f} s")
        return {key: self._done[key] for key in self._submitted}

    def _stopped(self) -> str:
        try:
            code = self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        detail = self._child.stderr_tail()
        return f"the policy pack failed: its process exited with code {code}" + (f": {detail}" if detail else "")

    def close(self, failed: bool = False) -> None:
        """End the worker: after the stacks in flight when all went well, at once after a failure."""
        self._inbox.put(None)
        self._child.stop(grace=0 if failed or self._process.poll() is not None else 10)


def _exit_on_signal(number: int, _frame: object) -> None:
    raise SystemExit(128 + number)  # unwinds serve(), which closes the pack


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the plan ends this worker; a Ctrl-C is the plan's to handle
    signal.signal(signal.SIGTERM, _exit_on_signal)
    results = results_channel()
    try:
        settings = pickle.load(sys.stdin.buffer)
    except (EOFError, pickle.UnpicklingError):
        os._exit(0)  # the plan ended before sending anything
    serve(sys.stdin.buffer, results, settings["pack_dir"], settings["config"], settings.get("skip", ()), settings.get("source", "policy config"))
    results.flush()
    os._exit(0)  # the pack is already stopped; skipping the interpreter's teardown saves the plan a second of waiting
