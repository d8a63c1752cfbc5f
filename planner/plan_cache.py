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

A key says what an entry is for, not that its content is true: anyone can
compute it from public inputs. So an entry is trusted for its place and its
writer (:mod:`.cache_folder`: the user's cache folder, never a git work tree
unless trusted; an HMAC under the cache's own key), a parsed stack file only
under the hash of the text read now, which it must record; entries are JSON
(never pickle), written atomically and only under the cache folder
(:mod:`agentcore_egress.files.atomic_file`: no link under it is followed), and pruning removes only
regular files named as entries are. An entry that fails any check is ignored
with a note, never trusted: the stack is simulated (or the file parsed) again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from typing import Any, Optional

from agentcore_egress.simulation.registration import Registration
from agentcore_egress.stacks.errors import ConfigError
from agentcore_egress.stacks.stack_file import StackFile, parse_stack_text, read_stack_text

from agentcore_egress.simulation.footprint import Footprint
from agentcore_egress.stacks import pack_rules
from agentcore_egress.stacks.fingerprint import pack_fingerprint
from agentcore_egress.stacks.stack_folder import stack_files_of, stack_name
from agentcore_egress.files.atomic_file import open_folder, remove_own_files, write_atomically
from .policy_pack import default_pack_dir
from .cache_folder import default_cache_root, location_problem, make_key, read_key, read_regular_file, signature, zone_folder
from agentcore_egress.stacks.findings import Finding

FORMAT = 2
"""Bumped whenever an entry's layout or meaning changes."""
_ENTRY_NAME = re.compile(r"[0-9a-f]{16}-[0-9a-f]{64}\.json")
_PARSED_NAME = re.compile(r"[0-9a-f]{64}\.json")
PACK_RULES_FOLDER = "pack-rules"
"""At the cache's root (a landing zone's folder always ends in a hash): the bundled pack's rules, see :mod:`.pack_rules`."""
OWN_PREFIX = 16
KEPT_PER_STACK = 4
"""Entries kept per stack (the newest): enough to switch between a few branches without re-simulating."""
_CODE_PACKAGES = ("components", "simulation", "stacks", "planner")
_DEPENDENCIES = ("pulumi", "pulumi-aws", "pulumi-policy")
_REGISTRATION_FIELDS = ("urn", "type", "name", "parent", "provider", "custom", "inputs", "dependencies", "property_dependencies", "state", "id")
"""What an entry keeps of a registration: the first fields of :class:`Registration`, in its order (an entry's are passed
by position; tests/test_plan_cache.py holds the two together)."""


@dataclass
class CachedStack:
    """What the plan keeps of one simulated and judged stack."""

    registrations: list[Registration]
    outputs: dict[str, Any]
    findings: list[Finding]
    footprint: Footprint
    key_paths: dict[str, str] = field(default_factory=dict)
    """Each component the program built and its config key path (where findings are shown)."""


def open_plan_cache(cache_dir: Optional[Path], stacks_dir: Path, *, trusted: bool = False, pack_dir: Optional[Path] = None,
                    note: Callable[[str], None] = lambda line: None) -> "PlanCache":
    """The cache of the landing zone in ``stacks_dir``, under ``cache_dir`` or :func:`default_cache_root`.

    Refused (ConfigError, one line with the fix) in the stacks or pack folder, as a link, in a git work tree unless
    ``trusted``, or in a folder holding files that are not a plan cache's.
    """
    try:
        root = Path(cache_dir) if cache_dir is not None else default_cache_root()
    except (RuntimeError, KeyError):  # Path.home(): no HOME and no entry of this user in the password database
        raise ConfigError(["the plan cache's default folder: this user has no home folder and XDG_CACHE_HOME is not set. "
                           "Fix: set XDG_CACHE_HOME, pass --cache DIR, or --no-cache"]) from None
    where = f"--cache {root}" if cache_dir is not None else f"the plan cache's default folder {root}"
    read_folders = {"STACKS_DIR": Path(stacks_dir), **({"the policy pack": Path(pack_dir)} if pack_dir else {})}
    problem = location_problem(root, where, trusted, read_folders)
    if problem:
        raise ConfigError([problem])
    return PlanCache(root, note=note, zone=zone_folder(stacks_dir))


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A hash of the sources that simulate and judge a stack, and of the SDK versions they run on."""
    from importlib import metadata  # here, not at the top: a hundredth of a second before a warm plan starts its fork server

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


def cache_key(stack: str, own_fingerprint: str, read_digests: Mapping[str, str]) -> str:
    """The key of ``stack``'s entry: its own fingerprint, the code, and the outputs of every stack it reads (each
    stack read by name, with the :func:`outputs_digest` of its outputs)."""
    document = {
        "format": FORMAT,
        "stack": stack,
        "own": own_fingerprint,
        "code": code_digest(),
        "reads": dict(sorted(read_digests.items())),
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


_REGISTRATION_TYPES = {"urn": str, "type": str, "name": str, "parent": str, "provider": str, "custom": bool, "inputs": dict,
                       "dependencies": list, "property_dependencies": dict, "state": dict, "id": str}
_REGISTRATION_NAMES, _REGISTRATION_KINDS = tuple(_REGISTRATION_TYPES), tuple(_REGISTRATION_TYPES.values())
_FINDING_TYPES = {"policy": str, "level": str, "message": str, "urn": str, "config_path": str, "stack": str, "phases": list}
_FOOTPRINT_TYPES = {f.name: list if f.name == "reuse_groups" else int for f in fields(Footprint)}


def _check_types(item: Any, types: Mapping[str, type], where: str) -> None:
    """TypeError naming the first value of ``item`` (a JSON object) that is not of its type."""
    if not isinstance(item, dict):
        raise TypeError(f"{where} is not a JSON object")
    for name, kind in types.items():
        if name in item and not isinstance(item[name], kind):
            raise TypeError(f"{where}.{name} is {type(item[name]).__name__}, not {kind.__name__}")


def _check_shape(document: dict[str, Any]) -> None:
    """TypeError naming the first part of an entry that is not what :func:`_encode` writes."""
    for name, kind in (("registrations", list), ("outputs", dict), ("findings", list), ("footprint", dict), ("key_paths", dict)):
        if not isinstance(document.get(name, {} if name == "key_paths" else None), kind):
            raise TypeError(f"{name} is not a JSON {'array' if kind is list else 'object'}")
    for index, item in enumerate(document["registrations"]):
        # Every field present and of its type, checked without a Python step per field (a warm plan checks 10,000
        # registrations); else the slow check names what is wrong.
        if not (isinstance(item, dict) and all(map(isinstance, map(item.get, _REGISTRATION_NAMES), _REGISTRATION_KINDS))):
            _check_types(item, _REGISTRATION_TYPES, f"registrations[{index}]")
    for index, item in enumerate(document["findings"]):
        _check_types(item, _FINDING_TYPES, f"findings[{index}]")
    _check_types(document["footprint"], _FOOTPRINT_TYPES, "footprint")
    _check_types(document.get("key_paths", {}), dict.fromkeys(document.get("key_paths", {}), str), "key_paths")


def _decode(document: Any, stack: str, key: str) -> CachedStack:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"format {document.get('format') if isinstance(document, dict) else None!r}, not {FORMAT}")
    if document.get("key") != key or document.get("stack") != stack:
        raise ValueError(f"it records stack {document.get('stack')!r} and another key")
    _check_shape(document)
    finding_fields = {f.name for f in fields(Finding)}
    return CachedStack(
        registrations=[Registration(*map(item.__getitem__, _REGISTRATION_FIELDS)) for item in document["registrations"]],
        outputs=document["outputs"],
        findings=[_finding(item, finding_fields) for item in document["findings"]],
        footprint=Footprint(**document["footprint"]),
        key_paths=dict(document.get("key_paths", {})),
    )


class PlanCache:
    """Entries under ``root/zone``: ``<stack>/<key>.json`` and ``<stack>/files/<sha256 of the text>.json``, each
    signed with the key at ``root`` (see the module's docstring). Make one with :func:`open_plan_cache`."""

    def __init__(self, root: Path, note: Callable[[str], None] = lambda line: None, zone: str = "") -> None:
        self.root = Path(root)
        self.directory = self.root / zone if zone else self.root
        self.note = note
        self._writable = True
        self._usable = True
        """False once the key could not be trusted or made: nothing is read or written then."""
        self._key: Optional[bytes] = None
        self._listed: dict[str, set[str]] = {}
        self._parsed: dict[Path, str] = {}
        """Stack files parsed in this plan, for :meth:`keep_parsed_files`."""
        self._texts: dict[Path, tuple[str, Path]] = {}
        """Stack files read by :meth:`stack_files_changed`, with where their parsed document is kept, for
        :meth:`read_stack_file` (each read and hashed once)."""

    def _path(self, stack: str, key: str) -> Path:
        return self.directory / stack / f"{key}.json"

    def empty(self) -> bool:
        """Whether the landing zone has no entries here yet (its first plan with this cache, which judges every stack)."""
        try:
            folder = open_folder(self.directory, self.root)
        except OSError:  # missing, or a link: nothing there is this cache's
            return True
        try:
            return not os.listdir(folder)
        finally:
            os.close(folder)

    def knows(self, stack: str, own_fingerprint: str) -> bool:
        """Whether some entry of ``stack`` was made from the same file, package, pack and config (it may still miss on what it reads)."""
        return own_fingerprint[:OWN_PREFIX] in self._own_prefixes(stack)

    def _own_prefixes(self, stack: str) -> set[str]:
        """The own-fingerprint prefixes of ``stack``'s entries, listed once per plan (a plan asks per wave)."""
        if stack not in self._listed:
            try:
                folder = open_folder(self.directory / stack, self.root)
                try:
                    names = os.listdir(folder)
                finally:
                    os.close(folder)
            except OSError:  # missing, or a link: nothing there is this cache's
                names = []
            self._listed[stack] = {name.split("-", 1)[0] for name in names if _ENTRY_NAME.fullmatch(name)}
        return self._listed[stack]

    def load(self, stack: str, key: str) -> Optional[CachedStack]:
        """The entry for ``stack`` under ``key``, or None (missing, or not trustworthy: then with a note)."""
        path = self._path(stack, key)
        text = self._read(path, "the stack is simulated again")
        if text is None:
            return None
        try:
            return _decode(json.loads(text), stack, key)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as error:
            self.note(f"plan cache: ignoring {path}: not a valid entry ({type(error).__name__}: {error}); the stack is simulated again")
            return None

    def store(self, stack: str, key: str, entry: CachedStack) -> None:
        """Write the entry atomically; a cache that cannot be written is noted once and then left alone."""
        if not self._writable:
            return
        text = _encode(stack, key, entry)
        if text is None:
            return
        self._write(self._path(stack, key), text, _ENTRY_NAME)
        self._listed.pop(stack, None)

    def keep_parsed_files(self) -> None:
        """Store the stack files parsed in this plan, and the pack's rules when read from the pack (called when the plan has ended well)."""
        for path, parsed in self._parsed.items():
            self._write(path, parsed, _PARSED_NAME)
        self._parsed.clear()
        if pack_rules.read_from_pack():
            text = pack_rules.encode()
            if text is not None:
                self._write(self._pack_rules_path(), text, _PARSED_NAME)

    def read_pack_rules(self) -> None:
        """Take the bundled pack's rules from the cache when it holds them for the pack's and this code's sources, so that
        a plan that judges nothing does not import the pack (:mod:`.pack_rules`); else they are read from the pack when needed."""
        path = self._pack_rules_path()
        text = self._read(path, "the pack's rules are read from the pack")
        if text is None:
            return
        try:
            pack_rules.remember(text)
        except (ValueError, TypeError, RecursionError) as error:
            self.note(f"plan cache: ignoring {path}: not the pack's rules ({type(error).__name__}: {error}); they are read from the pack")

    def _pack_rules_path(self) -> Path:
        return self.root / PACK_RULES_FOLDER / f"{pack_rules.catalog_key(code_digest(), pack_fingerprint(default_pack_dir()))}.json"

    def _read(self, path: Path, again: str) -> Optional[str]:
        """The text of the entry at ``path`` when this cache wrote it, else None (with a note unless it is missing)."""
        key = self._signing_key(create=False)
        if key is None:
            return None
        try:
            data = read_regular_file(path, self.root)
        except OSError as error:
            self.note(f"plan cache: ignoring {path}: {error.strerror or error}; {again}")
            return None
        if data is None:
            return None
        signed, _, body = data.partition(b"\n")
        if not hmac.compare_digest(signed, signature(key, self.root, path, body)):
            self.note(f"plan cache: ignoring {path}: not signed with this cache's key (written elsewhere, or changed); {again}")
            return None
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            self.note(f"plan cache: ignoring {path}: not UTF-8; {again}")
            return None

    def _write(self, path: Path, text: str, own_name: re.Pattern[str]) -> None:
        """One entry signed and written atomically, the oldest beyond :data:`KEPT_PER_STACK` in its folder removed."""
        if not self._writable:
            return
        try:
            key = self._signing_key(create=True)
            if key is None:
                return
            body = text.encode("utf-8")
            write_atomically(path, (signature(key, self.root, path, body) + b"\n" + body).decode("utf-8"), within=self.root)
            remove_own_files(path.parent, own_name, KEPT_PER_STACK, within=self.root)
        except OSError as error:
            self._writable = False
            self.note(f"plan cache: cannot write to {self.directory} ({error.strerror or error}); planning without storing results")

    def _signing_key(self, create: bool) -> Optional[bytes]:
        """The cache's key; made (with the folder and its .gitignore) when ``create`` and missing (else OSError); None when
        there is none yet, or it is unusable (noted once)."""
        if self._key is not None or not self._usable:
            return self._key
        try:
            self._key = read_key(self.root)
        except ValueError as error:
            self._usable = False
            self.note(f"plan cache: not using {self.root}: {error}; planning without it. "
                      f"Fix: remove the folder {self.root} (the cache starts anew), or pass another --cache")
            return None
        if self._key is None and create:
            self._key = make_key(self.root)  # OSError: the writer's note
        return self._key

    def stack_files_changed(self, directory: Path) -> bool:
        """Whether a stack file of ``directory`` holds a text no plan parsed before: then this plan will simulate.

        A hint, read before the files are validated, to start what simulating and judging need early (a wrong one costs
        a start not needed, or a later one): a link, or a file the zone's load would refuse, is left to that load. The
        texts read are the load's (:meth:`read_stack_file`): each file is read once.
        """
        try:
            files = stack_files_of(Path(directory))
        except ConfigError:
            return False
        for file in files:
            if file.is_symlink():
                continue
            try:
                text = read_stack_text(file, str(file))
            except ConfigError:
                return False
            entry = self._parsed_entry(stack_name(file), text)
            self._texts[file] = (text, entry)
            if not entry.is_file():
                return True
        return False

    def _parsed_entry(self, stack: str, text: str) -> Path:
        """Where the parsed document of a stack file's text is kept: ``<stack>/files/<sha256 of the text>.json``."""
        return self.directory / stack / "files" / f"{hashlib.sha256(text.encode()).hexdigest()}.json"

    def read_stack_file(self, path: Path, display: str) -> StackFile:
        """A stack file as :func:`stacks.stack_file.read_stack_file` reads it, its document reused when its exact text was
        parsed before (``<stack>/files/<sha256 of the text>.json``): a warm plan parses only the files that changed.

        The text is read and bounded as always; the checks of the YAML (depth, aliases, repeated keys) hold for
        a text that passed them once. Lines are parsed from the text only when a finding or an error asks for one.
        """
        text, entry = self._texts.pop(Path(path), (None, None))
        if text is None:
            text = read_stack_text(path, display)
            entry = self._parsed_entry(stack_name(Path(path)), text)
        digest = entry.stem
        stored_text = self._read(entry, "the file is parsed again")
        if stored_text is not None:
            try:
                stored = json.loads(stored_text)
                if isinstance(stored, dict) and stored.get("format") == FORMAT and stored.get("text") == digest and isinstance(stored.get("document"), dict):
                    return StackFile(path=Path(path), display=display, document=stored["document"], known_text=text)
                self.note(f"plan cache: ignoring {entry}: not this text's parsed document; the file is parsed again")
            except (ValueError, RecursionError) as error:
                self.note(f"plan cache: ignoring {entry}: {type(error).__name__}: {error}; the file is parsed again")
        document, _ = parse_stack_text(text, display)
        try:
            encoded = json.dumps({"format": FORMAT, "text": digest, "document": document})
        except (TypeError, ValueError):  # YAML can hold what JSON cannot (dates, sets): such a file is parsed each time
            encoded = None
        if encoded is not None and json.loads(encoded)["document"] == document:  # integer keys would come back as strings
            self._parsed[entry] = encoded  # kept when the plan ends well: a landing zone refused as bad input writes nothing
        return StackFile(path=Path(path), display=display, document=document, known_text=text)  # the nodes composed when asked


