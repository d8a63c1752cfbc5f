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


UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""How the engine marshals an unknown value (pulumi's ``rpc.UNKNOWN``)."""


def _walk(props: Any, path: tuple) -> Any:
    value = props
    for key in path:
        if value is UNKNOWN:
            return UNKNOWN
        if isinstance(key, int):
            if not is_sequence(value) or key >= len(value):
                return None
        elif not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def read(props: Any, *path: str | int, default: Any = None) -> Any:
    """``props[path[0]][path[1]]…``, ``default`` where absent (unset), :data:`UNKNOWN` where it or any part of it is not known yet.

    The policy SDK raises ``UnknownValueError`` on such reads, which it would
    turn into an advisory note and so silently weaken a mandatory rule; rules
    get :data:`UNKNOWN` instead and say what they make of it. An object on the
    path that is wholly unknown makes the result unknown, never unset.
    """
    try:
        value = _walk(props, path)
        if value is None:
            return default
        # Touch nested values so that an unknown element surfaces here, not in the rule.
        _materialize(value)
    except UnknownValueError:
        return UNKNOWN
    return value


def is_unset(value: Any) -> bool:
    """Left out: absent, or the empty string pulumi-aws reports in outputs for an optional string left
    out (Terraform SDKv2 state keeps ``""``; pulumi/pulumi-aws#1046 shows such outputs after a refresh)."""
    return value is None or value == ""


def read_plain(props: Any, *path: str | int, default: Any = None) -> Any:
    """Like :func:`read`, but a list or object keeps its known parts: ``[sg.id]`` at preview is ``[UNKNOWN]``, not UNKNOWN."""
    try:
        value = _walk(props, path)
    except UnknownValueError:
        return UNKNOWN
    return default if value is None else plain(value)


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(item) for item in value.values())
    if is_sequence(value):
        return any(contains_unknown(item) for item in value)
    return False


class CannotVerify(UnknownValueError):
    """Raised by a rule, after it reported what it could decide, for what it cannot decide at preview.

    The policy SDK turns an ``UnknownValueError`` into an *advisory* diagnostic
    carrying this message (pulumi_policy ``Analyze``/``AnalyzeStack``), which is
    how a mandatory rule says "cannot verify at preview: …" without blocking.
    """

    @classmethod
    def because(cls, reason: str) -> "CannotVerify":
        """One reason, a whole sentence."""
        return cls([reason])

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons = list(reasons)
        """Each reason once, without the prefix, so that reasons gathered from several rules are said under one prefix."""
        self.message = "cannot verify at preview: " + "; ".join(self.reasons)
        Exception.__init__(self, self.message)
        self.unknown_type_sentinel = UNKNOWN_STRING
        self.props: list[str] = []


class Unverified:
    """Collects what a rule cannot decide at preview; :meth:`settle` raises them together at the end."""

    def __init__(self) -> None:
        self.reasons: list[str] = []

    def add(self, name: str, resource_type: str, prop: str, why: str) -> None:
        self.reasons.append(f"{resource_type.rsplit(':', 1)[-1]} '{name}': {prop} is unknown until the update ({why})")

    def add_unknown(self, unknown: UnknownValueError) -> None:
        """What another check could not decide (its reasons, without a second "cannot verify at preview:")."""
        self.reasons.extend(unknown.reasons if isinstance(unknown, CannotVerify) else [unknown.message])

    def settle(self) -> None:
        if self.reasons:
            raise CannotVerify(self.reasons)


def cannot_verify(name: str, resource_type: str, prop: str, why: str = "computed by another resource") -> None:
    """Raise :class:`CannotVerify` for one property (a rule that has nothing else to decide)."""
    unverified = Unverified()
    unverified.add(name, resource_type, prop, why)
    unverified.settle()


def dependency_types(resource: Any, prop: str) -> list[str]:
    """Types of the resources the input ``prop`` of a stack resource came from (its property dependencies)."""
    return [dependency.resource_type for dependency in (resource.property_dependencies or {}).get(prop, [])]


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


def message(name: str, resource_type: str, prop: str, value: Any, problem: str, fix: str, unset_means: str = "") -> str:
    """One violation message: which resource, which property, what was found, and the fix.

    ``unset_means`` says what an unset value stands for (the provider's default), shown after "not set".
    """
    short_type = resource_type.rsplit(":", 1)[-1]
    shown = repr(plain(value)) if value is not None else f"not set ({unset_means})" if unset_means else "not set"
    return f"{short_type} '{name}': {prop} is {shown}: {problem}. Fix: {fix}"


def of_type(resources: Iterable[Any], *types: str) -> list[Any]:
    return [resource for resource in resources if resource.resource_type in types]


def provider_tags(holder: Any) -> dict:
    """The ``tags`` of the ``defaultTags`` of the provider of ``holder`` (a ResourceValidationArgs or PolicyResource); {} if none."""
    if holder.provider is None:
        return {}
    default_tags = read(holder.provider.props, "defaultTags", default={})
    if isinstance(default_tags, str):
        try:
            default_tags = json.loads(default_tags)
        except ValueError:
            return {}
    tags = plain(default_tags).get("tags") if isinstance(plain(default_tags), dict) else None
    return tags if isinstance(tags, dict) else {}
