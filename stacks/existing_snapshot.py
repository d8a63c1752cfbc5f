"""The snapshot of a stack's existing resources: ``STACKS_DIR/existing/<stack>.json``, written by ``discover``, committed.

One JSON document per stack, indented by 2 with sorted keys and a trailing newline, so that a second discovery of an
unchanged account gives the same bytes and a pull request shows each changed fact on its own lines::

    {
      "account": "222222222222",            # the stack's account.id and account.region
      "existing": {                         # one entry per kind of agentcore-egress:existing, by the same local names
        "vpcs": {"tools": {...}},
        ...
      },
      "existing_sha256": "…",               # section_hash() of the existing section it was taken for
      "format_version": 1,
      "region": "eu-west-1",
      "stack": "tools"
    }

Collections whose members have an id are mappings keyed by it (subnets, route tables, routes by destination,
attachments, records by "name type"), so that a difference names its member; the rest are sorted lists. It holds no
timestamps, no secrets and nothing that changes without a change to the network (no health, no free address counts).
``live/discover.py`` documents each entry's keys.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any, NamedTuple

from .errors import ConfigError
from .regular_file import read_regular

FORMAT_VERSION = 1
SNAPSHOT_FOLDER = "existing"


def snapshot_path(stacks_dir: Path, stack: str) -> Path:
    """Where the snapshot of ``stack`` is kept: next to the stack files, in their ``existing/`` folder."""
    return Path(stacks_dir) / SNAPSHOT_FOLDER / f"{stack}.json"


def render(snapshot: dict[str, Any]) -> str:
    """The snapshot as its file holds it: stable and diff-friendly."""
    return json.dumps(snapshot, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


DISCOVER_FIX = "Fix: run agentcore-egress discover for its stack and commit the file"
SNAPSHOT_LIMIT = 64 * 1024 * 1024
"""The most a snapshot may hold: a pull request ships it, so it is read bounded, a regular file only (never a FIFO or a device)."""


def snapshot_bytes(path: Path, shown: str) -> bytes:
    """The committed snapshot's bytes; ConfigError (one line naming ``shown``) when it is not a regular file of at most
    :data:`SNAPSHOT_LIMIT`; FileNotFoundError when there is none (callers say what that means)."""
    if not os.path.lexists(path):
        raise FileNotFoundError(path)
    return read_regular(path, shown, SNAPSHOT_LIMIT, "snapshot")


def load_snapshot(path: Path, shown: str, fix: str = DISCOVER_FIX) -> dict[str, Any]:
    """A committed snapshot as written; ConfigError (one line naming ``shown`` and ``fix``) when absent, unreadable or not one."""
    try:
        snapshot = json.loads(snapshot_bytes(Path(path), shown).decode("utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{shown}: does not exist: the existing resources were never discovered. {fix}"]) from None
    except ConfigError as error:  # not a regular file, or too large: what is wrong, then how to get a good one
        raise ConfigError([f"{error.problems[0].partition(' Fix: ')[0]} {fix}"]) from None
    except (OSError, ValueError) as error:
        raise ConfigError([f"{shown}: cannot be read as JSON ({error}). {fix}"]) from None
    if not isinstance(snapshot, dict) or snapshot.get("format_version") != FORMAT_VERSION:
        raise ConfigError([f"{shown}: is not a snapshot of format version {FORMAT_VERSION}. {fix}"])
    return snapshot


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class Difference(NamedTuple):
    """One place where a live snapshot differs from the committed one."""

    keys: tuple[str, ...]
    """The keys that lead to it from the compared roots."""
    was: Any
    """The committed value (a list's removed member when ``member``); None when the account added it."""
    now: Any
    """The live value (a list's added member when ``member``); None when the account no longer has it."""
    member: bool
    """Whether it is one member of a list (lists compare as sets of members)."""

    @property
    def path(self) -> str:
        return ".".join(self.keys)


def differences(committed: Any, live: Any, keys: tuple[str, ...] = ()) -> list[Difference]:
    """Every place where ``live`` differs from ``committed``, in path order.

    Mappings are compared key by key (a missing side is None); lists as sets of members (a removed member is
    ``Difference(keys, member, None, True)``, an added one ``Difference(keys, None, member, True)``); anything else by value.
    """
    if isinstance(committed, dict) and isinstance(live, dict):
        found: list[Difference] = []
        for key in sorted(set(committed) | set(live)):
            found += differences(committed.get(key), live.get(key), (*keys, str(key)))
        return found
    if isinstance(committed, list) and isinstance(live, list):
        was, now = {_canonical(m): m for m in committed}, {_canonical(m): m for m in live}
        return ([Difference(keys, was[key], None, True) for key in sorted(set(was) - set(now))]
                + [Difference(keys, None, now[key], True) for key in sorted(set(now) - set(was))])
    return [] if committed == live else [Difference(keys, committed, live, False)]


def with_difference(committed: Any, difference: Difference) -> Any:
    """A copy of ``committed`` with this one difference applied (the rest as committed)."""
    if not difference.keys:
        return _changed(committed, difference)
    changed = copy.deepcopy(committed)
    holder = changed
    for key in difference.keys[:-1]:
        holder = holder[key]
    last = difference.keys[-1]
    value = _changed(holder.get(last), difference)
    if value is None:
        holder.pop(last, None)
    else:
        holder[last] = value
    return changed


def _changed(value: Any, difference: Difference) -> Any:
    if not difference.member:
        return difference.now
    kept = [member for member in value if _canonical(member) != _canonical(difference.was)]
    return kept + ([difference.now] if difference.now is not None else [])
