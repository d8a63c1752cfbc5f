"""The policy pack in a worker process, so that judging one stack overlaps simulating the next.

In a thread the pack would take the interpreter lock from the simulation. The
worker (a :class:`.worker_pool.WorkerPool` of one) builds the pack's analyzer
service once, in the pack's folder, as the pack's own ``__main__.py`` does (a
:class:`LoadedPolicyPack`), and sends it the engine's requests; stacks reach it as
serialized protobufs and come back as findings. A pack that hangs or dies is
this worker, found and ended by the plan.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from .policy_pack import PolicyPackError
from .worker_pool import WorkerPool
from agentcore_egress.simulation.registration import Registration, from_payload, to_payload
from agentcore_egress.stacks.findings import Finding

if TYPE_CHECKING:
    from .policy_analyzer import LoadedPolicyPack


class _Loaded:
    """In the worker: the pack its initializer built, or why it could not (said by the worker's first task)."""

    pack: Optional[LoadedPolicyPack] = None
    failure = "the policy pack was not loaded"


def _load_pack(pack_dir: Optional[str]) -> None:
    """The worker's initializer: the pack's service, built once in the pack's folder (first on sys.path)."""
    # Imported here, not by the plan's process: the fork server imported it (worker_pool.PRELOADED), and the plan only
    # sends stacks and reads findings, without pulumi-policy or gRPC.
    from .policy_analyzer import LoadedPolicyPack

    try:
        _Loaded.pack = LoadedPolicyPack(Path(pack_dir) if pack_dir else None)
    except Exception as error:  # noqa: BLE001 - the pack's reason, said by the first task (an initializer's exception is only logged)
        _Loaded.failure = f"{error}"


def _loaded() -> LoadedPolicyPack:
    if _Loaded.pack is None:
        raise PolicyPackError(_Loaded.failure)
    return _Loaded.pack


def _configure(config: dict[str, Any], skip: Collection[str], source: str) -> None:
    """The worker's first task: the policy config, resolved against the pack's own rules (ConfigError as one line)."""
    try:
        _loaded().configure(config, skip, source)
    except Exception as error:  # noqa: BLE001 - sent back as the one line the plan ends with
        raise PolicyPackError(f"{error}") from None


def _judge(payload: list[tuple], minted: Optional[frozenset]) -> tuple[list[Finding], float]:
    """One stack judged in both phases (or at update only, without ``minted``): its findings and the seconds spent."""
    began = time.perf_counter()
    try:
        findings = _loaded().analyze(from_payload(payload), minted)
    except Exception as error:  # noqa: BLE001 - sent back as the one line the plan ends with
        raise PolicyPackError(f"{error}") from None
    return findings, time.perf_counter() - began


class BackgroundPolicyAnalyzer:
    """The pack in another process (a :class:`LoadedPolicyPack`): :meth:`submit` stacks, :meth:`results` collects them in order.

    The policy config (it may be megabytes) is the worker's first task, sent by the executor's own thread: a pack
    that is slow to start (or stuck) cannot block the plan, which meets the start timeout in :meth:`results` instead.
    """

    def __init__(self, pack_dir: Optional[Path] = None, config: Optional[dict[str, Any]] = None, timeout: float = 300.0,
                 skip: Collection[str] = (), start_timeout: float = 60.0, source: str = "policy config") -> None:
        self._pool = WorkerPool(1, _load_pack, (str(pack_dir) if pack_dir else None,))
        self._timeout, self._start_timeout = timeout, start_timeout
        self._started = time.monotonic()
        self._ready = self._pool.submit_starting_in_background(_configure, config or {}, sorted(skip), source)
        self._submitted: dict[str, Future] = {}
        """Stacks sent and not yet collected by :meth:`finished` (only those in flight: each call looks at these alone)."""
        self._judged: dict[str, Optional[tuple[list[Finding], float]]] = {}
        """Every stack sent, in submission order: its answer once collected, else None."""

    def __enter__(self) -> "BackgroundPolicyAnalyzer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, key: str, registrations: list[Registration], minted: Optional[Collection[str]] = None) -> None:
        """Queue one stack; with ``minted`` (its computed values) it is judged at first preview and at update."""
        self.submit_payload(key, to_payload(registrations), minted)

    def submit_payload(self, key: str, payload: list[tuple], minted: Optional[Collection[str]] = None) -> None:
        """Submit a stack already turned into the worker's payload (by a simulation worker, see :func:`~agentcore_egress.simulation.registration.to_payload`)."""
        self._judged[key] = None
        # After the pack's start, if it is still under way: the plan goes on meanwhile.
        self._submitted[key] = self._pool.submit_starting_in_background(_judge, payload, frozenset(minted) if minted is not None else None)

    def _answer(self, future: Future, timeout: float, late: str, key: Optional[str] = None) -> Any:
        """The future's value within ``timeout`` seconds; else PolicyPackError (``late``, or why the pack failed)."""
        try:
            return future.result(timeout=max(0.0, timeout))
        except FutureTimeout:
            raise PolicyPackError(late) from None
        except BrokenProcessPool:
            raise PolicyPackError(f"the policy pack failed: its process exited ({self._pool.exit_codes()})") from None
        except PolicyPackError as error:
            raise PolicyPackError(f"judging stack {key}: {error}" if key else f"{error}") from None

    def finished(self) -> dict[str, tuple[list[Finding], float]]:
        """Stacks judged since the last call (without waiting); PolicyPackError as soon as the pack failed."""
        if self._ready.done():
            self._answer(self._ready, 0, "")
        done = {key: self._answer(future, 0, "", key) for key, future in self._submitted.items() if future.done()}
        for key, answer in done.items():
            del self._submitted[key]
            self._judged[key] = answer
        return done

    def results(self) -> dict[str, tuple[list[Finding], float]]:
        """Wait for every submitted stack (none: not even for the pack to start); findings and seconds spent, per stack in submission order."""
        if not self._judged:
            return {}
        started = self._started + self._start_timeout - time.monotonic()
        self._answer(self._ready, started, f"the policy pack did not start within {self._start_timeout:.0f} s")
        deadline = time.monotonic() + self._timeout
        late = f"the policy pack did not answer within {self._timeout:.0f} s"
        for key, future in list(self._submitted.items()):
            self._judged[key] = self._answer(future, deadline - time.monotonic(), late, key)
            del self._submitted[key]
        return dict(self._judged)

    def close(self) -> None:
        """End the worker (and what the pack started) at once: its answers are in, or nobody will read them."""
        self._pool.close()
