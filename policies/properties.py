"""Reading resource properties the way every rule needs: unknowns made explicit, messages uniform."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import UnknownValueError


class _Unknown:
    """A value Pulumi cannot know yet (during preview); rules decide what it means for them."""

    def __repr__(self) -> str:
        return "<unknown during preview>"


UNKNOWN: Any = _Unknown()


def read(props: Any, *path: str | int, default: Any = None) -> Any:
    """``props[path[0]][path[1]]…``, ``default`` where absent, :data:`UNKNOWN` where not yet known.

    The policy SDK raises ``UnknownValueError`` on such reads, which it would
    turn into an advisory note and so silently weaken a mandatory rule; rules
    get :data:`UNKNOWN` instead and say what they make of it.
    """
    value = props
    try:
        for key in path:
            if isinstance(key, int):
                if not is_sequence(value) or key >= len(value):
                    return default
                value = value[key]
            else:
                if not isinstance(value, Mapping) or key not in value:
                    return default
                value = value[key]
        # Touch nested values so that an unknown element surfaces here, not in the rule.
        _materialize(value)
    except UnknownValueError:
        return UNKNOWN
    return value


def _materialize(value: Any) -> None:
    if isinstance(value, Mapping):
        for item in value.values():
            _materialize(item)
    elif is_sequence(value):
        for item in value:
            _materialize(item)


def is_sequence(value: Any) -> bool:
    """Lists, tuples and the policy SDK's list proxies; not strings."""
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def plain(value: Any) -> Any:
    """A proxied value as plain dicts and lists, with :data:`UNKNOWN` where a part is not known yet."""
    if isinstance(value, Mapping):
        keys = list(value.keys())
        return {key: _plain_item(value, key) for key in keys}
    if is_sequence(value):
        return [_plain_item(value, index) for index in range(len(value))]
    return value


def _plain_item(container: Any, key: Any) -> Any:
    try:
        return plain(container[key])
    except UnknownValueError:
        return UNKNOWN


def string_list(value: Any) -> list | Any:
    """A list property; providers hand some lists over as JSON strings."""
    if isinstance(value, str) and value.startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def message(name: str, resource_type: str, prop: str, value: Any, problem: str, fix: str) -> str:
    """One violation message: which resource, which property, what was found, and the fix."""
    short_type = resource_type.rsplit(":", 1)[-1]
    shown = "not set" if value is None else repr(plain(value))
    return f"{short_type} '{name}': {prop} is {shown}: {problem}. Fix: {fix}"


def of_type(resources: Iterable[Any], *types: str) -> list[Any]:
    return [resource for resource in resources if resource.resource_type in types]
