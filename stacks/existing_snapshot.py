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

import json
from pathlib import Path
from typing import Any

from .errors import ConfigError

FORMAT_VERSION = 1
SNAPSHOT_FOLDER = "existing"


def snapshot_path(stacks_dir: Path, stack: str) -> Path:
    """Where the snapshot of ``stack`` is kept: next to the stack files, in their ``existing/`` folder."""
    return Path(stacks_dir) / SNAPSHOT_FOLDER / f"{stack}.json"


def render(snapshot: dict[str, Any]) -> str:
    """The snapshot as its file holds it: stable and diff-friendly."""
    return json.dumps(snapshot, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


DISCOVER_FIX = "Fix: run agentcore-egress discover for its stack and commit the file"


def load_snapshot(path: Path, shown: str, fix: str = DISCOVER_FIX) -> dict[str, Any]:
    """A committed snapshot as written; ConfigError (one line naming ``shown`` and ``fix``) when absent, unreadable or not one."""
    try:
        snapshot = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{shown}: does not exist: the existing resources were never discovered. {fix}"]) from None
    except (OSError, ValueError) as error:
        raise ConfigError([f"{shown}: cannot be read as JSON ({error}). {fix}"]) from None
    if not isinstance(snapshot, dict) or snapshot.get("format_version") != FORMAT_VERSION:
        raise ConfigError([f"{shown}: is not a snapshot of format version {FORMAT_VERSION}. {fix}"])
    return snapshot


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def differences(committed: Any, live: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Every path where ``live`` differs from ``committed``: (path, committed value, live value), in path order.

    Mappings are compared key by key (a missing side is None); lists as sets of members (a removed member is
    ``(path, member, None)``, an added one ``(path, None, member)``); anything else by value.
    """
    if isinstance(committed, dict) and isinstance(live, dict):
        found: list[tuple[str, Any, Any]] = []
        for key in sorted(set(committed) | set(live)):
            found += differences(committed.get(key), live.get(key), f"{path}.{key}" if path else str(key))
        return found
    if isinstance(committed, list) and isinstance(live, list):
        was, now = {_canonical(m): m for m in committed}, {_canonical(m): m for m in live}
        return ([(path, was[key], None) for key in sorted(set(was) - set(now))]
                + [(path, None, now[key]) for key in sorted(set(now) - set(was))])
    return [] if committed == live else [(path, committed, live)]
