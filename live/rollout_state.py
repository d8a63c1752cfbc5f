"""The rollout's progress file: which stacks are done for which operation, under which fingerprint.

Several rollouts may share one file (two people, or CI and a person, on one
folder). Every read-modify-write happens under a cross-process lock
(``<file>.lock``, :mod:`filelock`) and re-reads the file first, so one rollout
never overwrites what another recorded; the file is replaced atomically from a
temporary file of a unique name in the same folder, so a reader never sees half
a file and two writers never share a temporary name.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

from filelock import FileLock, Timeout

from agentcore_egress.planner.atomic_file import write_atomically
from agentcore_egress.stacks.config_schema import ConfigError
from agentcore_egress.stacks.regular_file import read_regular

STATE_VERSION = 1
OPERATIONS = ("preview", "up", "refresh", "destroy")
MAX_STATE_BYTES = 64 * 1024 * 1024
LOCK_TIMEOUT = 60.0
"""Seconds to wait for another rollout to finish writing (each write holds the lock for milliseconds)."""

Entries = dict[str, dict[str, Any]]
"""Operation to stack to its entry ({"fingerprint", "changes", "finished"})."""


class StateSaveError(OSError):
    """The state file could not be written; nothing of this change was recorded."""


class RolloutState:
    """The progress file at ``path``; each method takes the lock for its whole read-modify-write."""

    def __init__(self, path: Path, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = Path(path)
        self._lock = FileLock(str(self.path) + ".lock", timeout=lock_timeout)

    def check_writable(self, restart: bool = False) -> None:
        """Fail before anything runs when progress could not be kept (folder missing or read-only, wrong shape).

        ``restart`` forgets earlier progress first (the fix for a state file of the wrong shape).
        """
        try:
            with self._lock:
                if restart:
                    self.path.unlink(missing_ok=True)
                self._read()
        except Timeout:
            raise ConfigError([f"{self.path}: another rollout has held its lock for {self._lock.timeout:.0f} s. "
                               "Fix: wait for it, or remove the .lock file if no rollout is running"]) from None
        except OSError as error:
            raise ConfigError([f"{self.path}: cannot lock or read the rollout state ({error.strerror or error}). "
                               "Fix: pass --state-file in a folder you can write"]) from None

    def read(self) -> Entries:
        with self._lock:
            return self._read()

    def validate(self) -> None:
        """Refuse a state file of the wrong shape, without taking the lock (nor creating its file):
        writes replace the file whole by a rename, so a reader never sees half of one."""
        try:
            self._read()
        except OSError as error:
            raise ConfigError([f"{self.path}: cannot be read ({error.strerror or error}). Fix: pass --state-file in a folder you can read"]) from None

    def forget(self) -> None:
        with self._lock:
            self.path.unlink(missing_ok=True)

    def record(self, operation: str, stack: str, entry: dict[str, Any], forget: tuple[str, ...] = ()) -> None:
        """Mark ``stack`` done for ``operation`` (and no longer done for ``forget``); raises StateSaveError if not saved."""
        self._update(lambda entries: _apply(entries, operation, stack, entry, forget))

    def _update(self, change: Callable[[Entries], None]) -> None:
        try:
            with self._lock:
                entries = self._read()
                change(entries)
                self._write(entries)
        except (OSError, Timeout) as error:
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            raise StateSaveError(f"could not save {self.path}: {reason}") from None

    def _read(self) -> Entries:
        if not self.path.exists():
            return {operation: {} for operation in OPERATIONS}
        try:  # a FIFO or a device there is refused, not read (see stacks/regular_file.py)
            document = json.loads(read_regular(self.path, str(self.path), MAX_STATE_BYTES, what="rollout state file").decode("utf-8"))
        except ConfigError:
            raise
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise ConfigError([f"{self.path}: is not a rollout state file (not JSON). Fix: pass --restart to start over"]) from None
        return validated(document, self.path)

    def _write(self, entries: Entries) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, json.dumps({"version": STATE_VERSION, **entries}, indent=2, sort_keys=True))


def _apply(entries: Entries, operation: str, stack: str, entry: dict[str, Any], forget: tuple[str, ...]) -> None:
    entries[operation][stack] = {**entry, "finished": time.time()}
    for other in forget:
        entries[other].pop(stack, None)


def validated(document: Any, path: Path) -> Entries:
    """The entries of a state document, or one line naming the first wrong key and the fix."""

    def wrong(where: str, expected: str) -> ConfigError:
        return ConfigError([f"{path}: {where} is not {expected}, so this is not a rollout state file of this version. "
                            "Fix: pass --restart to start over"])

    if not isinstance(document, dict):
        raise wrong("the document", "an object")
    if document.get("version") != STATE_VERSION:
        raise wrong("version", str(STATE_VERSION))
    entries: Entries = {}
    for operation in OPERATIONS:
        stacks = document.get(operation, {})
        if not isinstance(stacks, dict):
            raise wrong(operation, "an object of stacks")
        for stack, entry in stacks.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
                raise wrong(f"{operation}.{stack}", "an object with a fingerprint")
        entries[operation] = stacks
    return entries
