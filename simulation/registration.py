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
