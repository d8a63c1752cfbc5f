"""One resource as the simulated engine registered it: what plans, caches, reports and the pack read of a stack.

Apart from :mod:`.monitor` (which makes them under the Pulumi SDK), so that what reads registrations (a plan answered
from its cache, reachability, reports) never imports the SDK's runtime.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Registration:
    """One resource as the engine saw it."""

    urn: str
    type: str
    name: str
    parent: str
    provider: str
    custom: bool
    inputs: dict[str, Any]
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    state: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    inputs_proto: Any = field(default=None, repr=False, compare=False)
    """The inputs as the engine received them (a protobuf Struct), so the policy pack gets them without conversion."""
    state_proto: Any = field(default=None, repr=False, compare=False)
    """The outputs as the engine returned them (a protobuf Struct)."""


def drop_engine_messages(registrations: Iterable[Registration]) -> None:
    """Forget the protobufs of ``registrations`` once the pack has been sent them: each pins the arena of the whole
    request or response it came in (memory the interpreter does not see), and nothing after judging reads them."""
    for registration in registrations:
        registration.inputs_proto = registration.state_proto = None


def to_payload(registrations: list[Registration]) -> list[tuple]:
    """What the policy worker needs of each registration, as picklable values (protobufs as bytes), made wherever the stack
    was simulated."""
    return [
        (
            r.urn, r.type, r.name, r.parent, r.provider, r.custom, r.id, r.dependencies, r.property_dependencies,
            r.inputs_proto.SerializeToString() if r.inputs_proto is not None else r.inputs,
            r.state_proto.SerializeToString() if r.state_proto is not None else r.state,
        )
        for r in registrations
    ]


def from_payload(payload: list[tuple]) -> list[Registration]:
    """The registrations :func:`to_payload` carried, their protobufs parsed again (the SDK's protobuf runtime, imported here)."""
    from google.protobuf import struct_pb2

    def struct(value: Any):
        return struct_pb2.Struct.FromString(value) if isinstance(value, bytes) else None

    return [
        Registration(
            urn=urn, type=type_, name=name, parent=parent, provider=provider, custom=custom, id=id_,
            dependencies=dependencies, property_dependencies=property_dependencies,
            inputs={} if isinstance(inputs, bytes) else inputs, state={} if isinstance(state, bytes) else state,
            inputs_proto=struct(inputs), state_proto=struct(state),
        )
        for urn, type_, name, parent, provider, custom, id_, dependencies, property_dependencies, inputs, state in payload
    ]
