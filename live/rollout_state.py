"""The rollout's progress file: which stacks are done for which operation, under which fingerprint.

Several rollouts may share one file (two people, or CI and a person, on one
folder). Every read-modify-write happens under a cross-process lock
(``<file>.lock``, :mod:`filelock`) and re-reads the file first, so one rollout
never overwrites what another recorded; the file is replaced atomically from a
temporary file of a unique name in the same folder, so a reader never sees half
a file and two writers never share a temporary name.

The rollout removes only its own file: ``--restart`` (and :meth:`RolloutState.forget`)
deletes a file that is absent or a rollout state file (a JSON object with a
``version``), and refuses anything else — a stack file given as ``--state-file``
stays as it was (the CLI also refuses, before anything, a state file that is one
of the run's inputs, a link or a folder).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable, Optional

from filelock import FileLock, Timeout

from agentcore_egress.files.atomic_file import RefusedTarget, remove_own_file, write_atomically
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

        ``restart`` forgets earlier progress first (the fix for a state file of the wrong shape), if it is a state file.
        """
        try:
            with self._lock:
                if restart:
                    self._remove()
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

    def validate(self, restart: bool = False) -> None:
        """Refuse a state file of the wrong shape (with ``restart``: one that is not a rollout state file at all, which
        --restart would not remove), without taking the lock (nor creating its file): writes replace the file whole by a
        rename, so a reader never sees half of one."""
        try:
            if restart:
                _own_document(self._text(), self.path)
            else:
                self._read()
        except OSError as error:
            raise ConfigError([f"{self.path}: cannot be read ({error.strerror or error}). Fix: pass --state-file in a folder you can read"]) from None

    def forget(self) -> None:
        with self._lock:
            self._remove()

    def _remove(self) -> None:
        """Delete the state file, only if it is one (see the module's docstring)."""
        try:
            remove_own_file(self.path, _is_own_text, "a rollout state file")
        except RefusedTarget as error:
            raise ConfigError([f"{self.path}: {error.reason}. Fix: pass --state-file with another path (--restart removes only "
                               "rollout state files), or remove it yourself if it is an old one"]) from None

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

    def _text(self) -> Optional[str]:
        """The state file's text, None when there is none; a FIFO, a device or a folder there is refused, not read
        (see stacks/regular_file.py)."""
        if not self.path.exists():
            return None
        return read_regular(self.path, str(self.path), MAX_STATE_BYTES, what="rollout state file").decode("utf-8", errors="replace")

    def _read(self) -> Entries:
        text = self._text()
        if text is None:
            return {operation: {} for operation in OPERATIONS}
        return validated(_own_document(text, self.path), self.path)

    def _write(self, entries: Entries) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(self.path, json.dumps({"version": STATE_VERSION, **entries}, indent=2, sort_keys=True))


def _apply(entries: Entries, operation: str, stack: str, entry: dict[str, Any], forget: tuple[str, ...]) -> None:
    entries[operation][stack] = {**entry, "finished": time.time()}
    for other in forget:
        entries[other].pop(stack, None)


def _is_own_text(data: bytes) -> bool:
    """Whether ``data`` is a rollout state file, of any version: a JSON object with an integer ``version``."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return False
    return isinstance(document, dict) and isinstance(document.get("version"), int)


def _own_document(text: Optional[str], path: Path) -> Any:
    """The JSON document of a rollout state file (None when absent); ConfigError when it is not one (then --restart does not help)."""
    if text is None:
        return None
    if not _is_own_text(text.encode("utf-8")):
        raise ConfigError([f"{path}: is not a rollout state file (not a JSON object with a version), so neither a rollout nor --restart "
                           "touches it. Fix: pass --state-file with another path"])
    return json.loads(text)


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
