"""Reading one ``Pulumi.<stack>.yaml``: bounded, strict, and with the line of every key.

A stack file is user input that ``plan`` reads in CI on every pull request, so
reading it must end, in bounded time and memory, with either the document or one
line that names the file, the place and the fix:

- the bytes are capped (:data:`MAX_BYTES`) and must be UTF-8;
- nesting is capped (:data:`MAX_DEPTH`), checked on the parser's event stream
  before any recursive composition (PyYAML's composer recurses per level);
- aliases may not expand past :data:`MAX_NODES` nodes (a few-line file of nested
  anchors otherwise grows to gigabytes once anything walks it);
- a key given twice in one mapping is an error naming both lines (YAML loaders
  silently keep the last; the Pulumi CLI refuses such a file);
- messages quote at most a short cut of an offending token, never the file's
  lines (PyYAML's own messages print a snippet of the file).

The text is kept and composed again into its node tree when a line is first
asked for, so a finding's key path (``vpcs[1].cidr``) maps to its line from the
parser's marks, whatever the style of the file (a plan keeps every stack file:
the node tree of each, twenty times its text, only where a line is shown).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Optional

import yaml

from .errors import ConfigError, shorten
from .regular_file import read_regular

NAMESPACE = "agentcore-egress"
MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 100_000
_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (ten times faster on a 400-stack landing zone); same nodes and marks."""


@dataclass(frozen=True)
class StackFile:
    """A parsed stack file: its document and the node tree that knows every key's line."""

    path: Path
    display: str
    document: dict[str, Any]
    parsed_root: Optional[yaml.Node] = None
    known_text: Optional[str] = None
    """The text the document was parsed from (here, or by an earlier plan: a plan's cache of parsed files): the
    node tree is then parsed from it when a line is first asked for."""

    @cached_property
    def root(self) -> Optional[yaml.Node]:
        if self.known_text is None:
            return self.parsed_root
        return parse_stack_text(self.known_text, self.display)[1]

    def line_of(self, key_path: str) -> int:
        """The 1-based line of ``key_path`` (``vpcs[1].cidr``, with or without the namespace), or of its
        nearest ancestor that the file has. A mapping entry is shown on its key's line, a list item on its
        first line. Without even the section (or for ``""``, the whole stack): the file's first
        ``agentcore-egress:`` key, else its ``config:`` key, else its first key; never a comment line above them."""
        path = key_path.removeprefix(f"{NAMESPACE}:")
        tokens = [int(index) if index else name for name, index in _PATH_TOKEN.findall(path)]
        config, config_line = _entry(self.root, "config")
        node, line = _entry(config, f"{NAMESPACE}:{tokens[0]}") if tokens and isinstance(tokens[0], str) else (None, 0)
        if node is None:
            return _first_key_line(config, f"{NAMESPACE}:") or config_line or _first_key_line(self.root, "") or 1
        for token in tokens[1:]:
            node, found = _entry(node, token)
            if node is None:
                break
            line = found
        return line


def read_stack_file(path: Path, display: Optional[str] = None) -> StackFile:
    """Read and parse ``path``; raise :class:`ConfigError` with one line for anything that is not a sane stack file."""
    path = Path(path)
    source = display or str(path)
    text = read_stack_text(path, source)
    document, _ = parse_stack_text(text, source)
    return StackFile(path=path, display=source, document=document, known_text=text)  # its nodes, 20 times the text, composed when asked


def parse_stack_text(text: str, source: str) -> tuple[dict[str, Any], Optional[yaml.Node]]:
    """A stack file's text as its document and node tree; ConfigError (naming ``source``) for anything not sane."""
    _check_depth(text, source)
    loader = _LOADER(text)
    try:
        root = loader.get_single_node()
        if root is not None:
            _check_size_and_keys(root, source)
        document = loader.construct_document(root) if root is not None else {}
    except yaml.MarkedYAMLError as error:
        raise ConfigError([f"{source}: {yaml_problem(error)}"]) from None
    except yaml.YAMLError as error:
        raise ConfigError([f"{source}: is not valid YAML ({shorten(str(error).splitlines()[0])})"]) from None
    finally:
        loader.dispose()
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError([f"{source}: is a YAML {type(document).__name__}, not a mapping. Fix: a stack file is a mapping with a 'config:' key"])
    return document, root


def read_stack_text(path: Path, source: str) -> str:
    """The text of a stack file, refused when not a regular file, too large, unreadable or not UTF-8 (ConfigError naming ``source``)."""
    data = read_regular(path, source, MAX_BYTES, what="stack file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ConfigError([f"{source}: line {line}, column {column}: byte 0x{data[error.start]:02x} is not UTF-8. Fix: save the file as UTF-8"]) from None


def _check_depth(text: str, source: str) -> None:
    """Refuse deep nesting from the event stream, which PyYAML produces without recursion."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1
                    raise ConfigError([f"{source}: line {line}: nesting is deeper than {MAX_DEPTH} levels. Fix: a stack file's config is a few levels deep; remove the nesting"])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as error:
        if "nesting depth" in str(error.problem):  # libyaml's scanner stops deep flow nesting (1000) before we see it
            line = error.problem_mark.line + 1 if error.problem_mark else 1
            raise ConfigError([f"{source}: line {line}: nesting is deeper than {MAX_DEPTH} levels. Fix: a stack file's config is a few levels deep; remove the nesting"]) from None
        raise ConfigError([f"{source}: {yaml_problem(error)}"]) from None
    except yaml.YAMLError as error:
        raise ConfigError([f"{source}: is not valid YAML ({shorten(str(error).splitlines()[0])})"]) from None


def _check_size_and_keys(root: yaml.Node, source: str) -> None:
    """Count nodes as a consumer would see them (aliases expanded) up to the cap, and refuse repeated keys."""
    count = 0
    checked: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ConfigError([f"{source}: expands to more than {MAX_NODES} values (YAML aliases/anchors repeat content). Fix: write the values out instead of nesting aliases"])
        if isinstance(node, yaml.MappingNode):
            if id(node) not in checked:
                checked.add(id(node))
                _check_duplicate_keys(node, source)
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _check_duplicate_keys(node: yaml.MappingNode, source: str) -> None:
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        line = key.start_mark.line + 1
        if key.value in seen:
            raise ConfigError([f"{source}: line {line}: key {shorten(key.value)!r} is given twice (first on line {seen[key.value]}); "
                               "YAML would silently keep only the second. Fix: keep one of them"])
        seen[key.value] = line


def yaml_problem(error: yaml.MarkedYAMLError) -> str:
    """PyYAML's problem and place, without the snippet of the file it prints."""
    mark = error.problem_mark or error.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    problem = error.problem or error.context or "is not valid YAML"
    return f"{where}{shorten(problem)} (not valid YAML). Fix: correct the YAML syntax there"


def _first_key_line(node: Optional[yaml.Node], prefix: str) -> int:
    """The line of the first key of mapping ``node`` that starts with ``prefix`` (0 for none)."""
    if isinstance(node, yaml.MappingNode):
        for name, _ in node.value:
            if isinstance(name, yaml.ScalarNode) and str(name.value).startswith(prefix):
                return name.start_mark.line + 1
    return 0


def _entry(node: Optional[yaml.Node], key: Any) -> tuple[Optional[yaml.Node], int]:
    """The child at ``key`` (a mapping key or a list index) and the line it is shown on."""
    if isinstance(node, yaml.MappingNode) and isinstance(key, str):
        for name, value in node.value:
            if isinstance(name, yaml.ScalarNode) and name.value == key:
                return value, name.start_mark.line + 1
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
        item = node.value[key]
        return item, item.start_mark.line + 1
    return None, 0
