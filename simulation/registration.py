"""One resource as the simulated engine registered it: what plans, caches, reports and the pack read of a stack.

Apart from :mod:`.monitor` (which makes them under the Pulumi SDK), so that what reads registrations (a plan answered
from its cache, reachability, reports) never imports the SDK's runtime.
"""

from __future__ import annotations

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
