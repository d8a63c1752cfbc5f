"""What a stack's result depends on, as one hash: the key of the plan cache and of the rollout's resume state.

A stack's plan (and its deployment) is a function of its own stack file, of the
outputs of the stacks it reads, of this package's code and of the policy pack with
its configuration. The outputs of the stacks it reads are themselves functions of
their fingerprints, so a fingerprint chains those of the stacks it reads: editing
the hub's file changes the fingerprint of every stack downstream of it, and a
resume or a cache never trusts a result computed against the old hub.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional

from .existing_snapshot import snapshot_bytes, snapshot_path
from .stack_folder import stack_name

if TYPE_CHECKING:
    from .landing_zone import LandingZone

_PACK_SUFFIXES = {".py", ".yaml", ".yml", ".json", ".txt"}


@lru_cache(maxsize=1)
def package_version() -> str:
    from importlib import metadata  # here, not at the top: a hundredth of a second before a warm plan starts its fork server

    try:
        return metadata.version("agentcore-egress")
    except metadata.PackageNotFoundError:  # running from a checkout that is not installed
        return "unknown"


def pack_fingerprint(pack_dir: Optional[Path]) -> str:
    """A hash of the pack folder's code and metadata ("" for no pack); caches and build output are left out."""
    if pack_dir is None:
        return ""
    digest = hashlib.sha256()
    root = Path(pack_dir)
    # The pack's own virtualenv (PulumiPolicy.yaml puts it inside the folder) is not the pack.
    virtualenvs = [config.parent for config in root.glob("*/pyvenv.cfg")]
    for file in sorted(root.rglob("*")):
        parts = file.relative_to(root).parts
        if not file.is_file() or file.suffix not in _PACK_SUFFIXES or any(p.startswith(".") or p == "__pycache__" for p in parts):
            continue
        if any(venv in file.parents for venv in virtualenvs):
            continue
        digest.update("/".join(parts).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def stack_fingerprints(zone: LandingZone, *, pack: str = "", policy_config: Optional[Mapping[str, Any]] = None) -> dict[str, str]:
    """Every stack's fingerprint, in rollout order: its file, the fingerprints it reads, the package, the pack and its config.

    ``pack`` is :func:`pack_fingerprint` of the pack in use ("" for none).
    """
    fingerprints: dict[str, str] = {}
    own = own_fingerprints({name: stack.file for name, stack in zone.stacks.items()}, pack=pack, policy_config=policy_config)
    for name in zone.order():
        stack = zone.stacks[name]
        digest = hashlib.sha256(own[name].encode())
        for upstream in sorted(stack.config.referenced_stacks()):
            digest.update(f"\0{upstream}={fingerprints[upstream]}".encode())
        fingerprints[name] = digest.hexdigest()
    return fingerprints


def own_fingerprint(stack_file: Path, *, pack: str = "", policy_config: Optional[Mapping[str, Any]] = None) -> str:
    """A hash of what a stack's result depends on besides the stacks it reads: its file, the snapshot of its existing resources
    (when there is one), the package, the pack and its config."""
    return _own_fingerprint(Path(stack_file), _shared(pack, policy_config))


def own_fingerprints(stack_files: Mapping[str, Path], *, pack: str = "", policy_config: Optional[Mapping[str, Any]] = None) -> dict[str, str]:
    """:func:`own_fingerprint` of each stack's file, by stack (what every stack shares encoded once)."""
    shared = _shared(pack, policy_config)
    return {name: _own_fingerprint(Path(file), shared) for name, file in stack_files.items()}


def _shared(pack: str, policy_config: Optional[Mapping[str, Any]]) -> bytes:
    return json.dumps({"package": package_version(), "pack": pack, "config": policy_config or {}}, sort_keys=True).encode()


def _own_fingerprint(stack_file: Path, shared: bytes) -> str:
    return hashlib.sha256(shared + b"\0" + stack_file.read_bytes() + _snapshot_bytes(stack_file)).hexdigest()


def _snapshot_bytes(stack_file: Path) -> bytes:
    """The committed snapshot beside the stack file (``existing/<stack>.json``), marked off from the file; nothing when absent."""
    try:
        path = snapshot_path(stack_file.parent, stack_name(stack_file))
        return b"\0existing\0" + snapshot_bytes(path, str(path))
    except FileNotFoundError:
        return b""
