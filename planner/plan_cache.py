"""A content-addressed cache of simulated and judged stacks, so that ``plan`` re-simulates only what changed.

An entry holds what the plan needs of one stack: its registrations (inputs and
outputs as the simulated engine returned them), its outputs, the policy pack's
findings and the predicted footprint. Its key hashes everything the entry is a
function of:

- the stack's name (simulated ids are scoped by it) and its own file, the
  package version, the policy pack and its config (:func:`fingerprint.own_fingerprint`);
- the code that simulates and judges (this package's sources and the versions
  of pulumi, pulumi-aws and pulumi-policy: an editable checkout changes its
  code without changing its version);
- the outputs of the stacks it reads, which is all a stack program sees of
  other stacks.

Keying on the outputs read rather than on the upstream stacks' fingerprints
is the finer of the two: editing a spoke in a way that leaves its outputs alone
(a route, a tag, a port) re-simulates that spoke only, not the AgentCore stack
that reads all spokes. A change that alters the outputs changes every reader's
key, and so on downstream.

Next to a stack's entries, ``files/`` keeps its stack file's parsed document
under the hash of the file's exact text (:meth:`PlanCache.read_stack_file`), so
that a warm plan parses only the files that changed.

Entries are JSON (never pickle: a cache folder may come from a CI artifact or a
colleague), written atomically (temporary file, then rename). An entry that
cannot be read, has another format version, or whose recorded key or stack is
not the one asked for is ignored with a note, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from importlib import import_module, metadata
from pathlib import Path
from typing import Any, Optional

from agentcore_egress.simulation.monitor import Registration
from agentcore_egress.stacks.stack_file import StackFile, parse_stack_text, read_stack_text

from .footprint import Footprint
from .landing_zone import stack_name
from .atomic_file import write_atomically
from .findings import Finding

FORMAT = 2
"""Bumped whenever an entry's layout or meaning changes."""
CACHE_DIR = Path(".agentcore-egress") / "cache"
"""Default location, inside the folder of the stack files."""
OWN_PREFIX = 16
KEPT_PER_STACK = 4
"""Entries kept per stack (the newest): enough to switch between a few branches without re-simulating."""
_CODE_PACKAGES = ("components", "simulation", "stacks", "planner")
_DEPENDENCIES = ("pulumi", "pulumi-aws", "pulumi-policy")
_REGISTRATION_FIELDS = ("urn", "type", "name", "parent", "provider", "custom", "inputs", "dependencies", "property_dependencies", "state", "id")


@dataclass
class CachedStack:
    """What the plan keeps of one simulated and judged stack."""

    registrations: list[Registration]
    outputs: dict[str, Any]
    findings: list[Finding]
    footprint: Footprint
    key_paths: dict[str, str] = field(default_factory=dict)
    """Each component the program built and its config key path (where findings are shown)."""


def default_cache_dir(stacks_dir: Path) -> Path:
    return Path(stacks_dir) / CACHE_DIR


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of the sources that simulate and judge a stack, and of the SDK versions they run on."""
    digest = hashlib.sha256()
    for package in _CODE_PACKAGES:
        root = Path(import_module(f"agentcore_egress.{package}").__file__).resolve().parent
        for file in sorted(root.rglob("*.py")):
            digest.update(f"{package}/{file.relative_to(root).as_posix()}".encode() + b"\0" + file.read_bytes() + b"\0")
    for dependency in _DEPENDENCIES:
        try:
            digest.update(f"{dependency}={metadata.version(dependency)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{dependency}=none\0".encode())
    return digest.hexdigest()


def outputs_digest(outputs: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(outputs, sort_keys=True, default=repr).encode()).hexdigest()


def cache_key(stack: str, own_fingerprint: str, reads: Mapping[str, Mapping[str, Any]]) -> str:
    """The key of ``stack``'s entry: its own fingerprint, the code, and the outputs of every stack it reads."""
    document = {
        "format": FORMAT,
        "stack": stack,
        "own": own_fingerprint,
        "code": code_digest(),
        "reads": {name: outputs_digest(outputs) for name, outputs in sorted(reads.items())},
    }
    # Led by the stack's own fingerprint, so that a plan can tell before simulating anything
    # that a stack whose file changed will miss (see PlanCache.knows).
    return f"{own_fingerprint[:OWN_PREFIX]}-{hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()}"


def _encode(stack: str, key: str, entry: CachedStack) -> Optional[str]:
    """The entry as JSON, or None when its values do not survive JSON unchanged (then it is not cached)."""
    values = {
        "registrations": [{name: getattr(r, name) for name in _REGISTRATION_FIELDS} for r in entry.registrations],
        "outputs": entry.outputs,
    }
    try:
        text = json.dumps(values, allow_nan=False)
    except (TypeError, ValueError):
        return None
    if json.loads(text) != values:  # tuples, non-string keys: would come back different
        return None
    document = {
        "format": FORMAT,
        "key": key,
        "stack": stack,
        "findings": [asdict(finding) for finding in entry.findings],
        "footprint": entry.footprint.as_dict(),
        "key_paths": entry.key_paths,
    }
    return json.dumps(document)[:-1] + ", " + text[1:]


def _finding(item: dict[str, Any], names: set[str]) -> Finding:
    """A finding as stored; its phases come back a tuple, as the pack's client makes them."""
    values = {k: v for k, v in item.items() if k in names}
    values["phases"] = tuple(values.get("phases", ()))
    return Finding(**values)


def _decode(document: Any, stack: str, key: str) -> CachedStack:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"format {document.get('format') if isinstance(document, dict) else None!r}, not {FORMAT}")
    if document.get("key") != key or document.get("stack") != stack:
        raise ValueError(f"it records stack {document.get('stack')!r} and another key")
    finding_fields = {f.name for f in fields(Finding)}
    return CachedStack(
        registrations=[Registration(**{name: item[name] for name in _REGISTRATION_FIELDS}) for item in document["registrations"]],
        outputs=document["outputs"],
        findings=[_finding(item, finding_fields) for item in document["findings"]],
        footprint=Footprint(**document["footprint"]),
        key_paths=dict(document.get("key_paths", {})),
    )


class PlanCache:
    """Entries under ``directory``: ``<stack>/<key>.json``."""

    def __init__(self, directory: Path, note: Callable[[str], None] = lambda line: None) -> None:
        self.directory = Path(directory)
        self.note = note
        self._writable = True
        self._listed: dict[str, set[str]] = {}
        self._parsed: dict[Path, str] = {}
        """Stack files parsed in this plan, for :meth:`keep_parsed_files`."""

    def _path(self, stack: str, key: str) -> Path:
        return self.directory / stack / f"{key}.json"

    def knows(self, stack: str, own_fingerprint: str) -> bool:
        """Whether some entry of ``stack`` was made from the same file, package, pack and config (it may still miss on what it reads)."""
        return own_fingerprint[:OWN_PREFIX] in self._own_prefixes(stack)

    def _own_prefixes(self, stack: str) -> set[str]:
        """The own-fingerprint prefixes of ``stack``'s entries, listed once per plan (a plan asks per wave)."""
        if stack not in self._listed:
            try:
                names = os.listdir(self.directory / stack)
            except OSError:
                names = []
            self._listed[stack] = {name.split("-", 1)[0] for name in names if name.endswith(".json") and "-" in name}
        return self._listed[stack]

    def load(self, stack: str, key: str) -> Optional[CachedStack]:
        """The entry for ``stack`` under ``key``, or None (missing, or not trustworthy: then with a note)."""
        path = self._path(stack, key)
        try:
            text = path.read_text()
        except FileNotFoundError:
            return None
        except OSError as error:
            self.note(f"plan cache: ignoring {path}: {error.strerror or error}")
            return None
        try:
            return _decode(json.loads(text), stack, key)
        except (ValueError, TypeError, KeyError) as error:
            self.note(f"plan cache: ignoring {path}: not a valid entry ({type(error).__name__}: {error}); the stack is simulated again")
            return None

    def store(self, stack: str, key: str, entry: CachedStack) -> None:
        """Write the entry atomically; a cache that cannot be written is noted once and then left alone."""
        if not self._writable:
            return
        text = _encode(stack, key, entry)
        if text is None:
            return
        self._write(self._path(stack, key), text)
        self._listed.pop(stack, None)

    def keep_parsed_files(self) -> None:
        """Store the stack files parsed in this plan (called when the plan has ended well)."""
        for path, parsed in self._parsed.items():
            self._write(path, parsed)
        self._parsed.clear()

    def _write(self, path: Path, text: str) -> None:
        """One entry written atomically, the oldest beyond :data:`KEPT_PER_STACK` in its folder removed."""
        if not self._writable:
            return
        try:
            self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(path, text)
            self._prune(path.parent)
        except OSError as error:
            self._writable = False
            self.note(f"plan cache: cannot write to {self.directory} ({error.strerror or error}); planning without storing results")

    def read_stack_file(self, path: Path, display: str) -> StackFile:
        """A stack file as :func:`stacks.stack_file.read_stack_file` reads it, its document reused when its exact text was
        parsed before (``<stack>/files/<sha256 of the text>.json``): a warm plan parses only the files that changed.

        The text is read and bounded as always; the checks of the YAML (depth, aliases, repeated keys) hold for
        a text that passed them once. Lines are parsed from the text only when a finding or an error asks for one.
        """
        text = read_stack_text(path, display)
        stack = stack_name(Path(path))
        digest = hashlib.sha256(text.encode()).hexdigest()
        entry = self.directory / stack / "files" / f"{digest}.json"
        try:
            stored = json.loads(entry.read_text())
            if isinstance(stored, dict) and stored.get("format") == FORMAT and stored.get("text") == digest and isinstance(stored.get("document"), dict):
                return StackFile(path=Path(path), display=display, document=stored["document"], known_text=text)
            self.note(f"plan cache: ignoring {entry}: not this text's parsed document; the file is parsed again")
        except FileNotFoundError:
            pass
        except (OSError, ValueError) as error:
            self.note(f"plan cache: ignoring {entry}: {type(error).__name__}: {error}; the file is parsed again")
        document, root = parse_stack_text(text, display)
        try:
            encoded = json.dumps({"format": FORMAT, "text": digest, "document": document})
        except (TypeError, ValueError):  # YAML can hold what JSON cannot (dates, sets): such a file is parsed each time
            encoded = None
        if encoded is not None and json.loads(encoded)["document"] == document:  # integer keys would come back as strings
            self._parsed[entry] = encoded  # kept when the plan ends well: a landing zone refused as bad input writes nothing
        return StackFile(path=Path(path), display=display, document=document, parsed_root=root)

    def _prepare(self) -> None:
        """The cache folder, with a .gitignore so that it is never committed wherever it lies."""
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore.write_text("# agentcore-egress plan cache: local results, never committed\n*\n")

    @staticmethod
    def _prune(folder: Path) -> None:
        def age(path: Path) -> int:
            try:
                return path.stat().st_mtime_ns
            except FileNotFoundError:  # removed meanwhile by another plan
                return 0

        for stale in sorted(folder.glob("*.json"), key=age, reverse=True)[KEPT_PER_STACK:]:
            stale.unlink(missing_ok=True)
