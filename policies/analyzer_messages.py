"""The analyzer protocol's messages written from plain values, and its diagnostics read back for users.

What the engine's side of the protocol needs, named once for every client of a pack's analyzer:
``plan``'s (over gRPC or in process), ``audit``'s and the rule tests' (in process, through
:class:`.policy_runner.PolicyRunner`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

LEVELS = {analyzer_pb2.ADVISORY: "advisory", analyzer_pb2.MANDATORY: "mandatory", analyzer_pb2.DISABLED: "disabled", analyzer_pb2.REMEDIATE: "remediate"}
"""The analyzer protocol's enforcement levels, by name."""
LEVEL_VALUES = {name: value for value, name in LEVELS.items()}
LEVEL_KEY = "enforcementLevel"
"""The key of a level in a policy's config entry, as ``--policy-pack-config`` writes it."""


def jsonable(value: Any) -> Any:
    """``value`` as JSON values (what a protobuf Struct holds): mappings and sequences walked, anything else as its text."""
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    """Plain properties as the protobuf Struct the engine sends."""
    message = struct_pb2.Struct()
    message.update(jsonable(values))
    return message


def configure_request(resolved: Mapping[str, Mapping[str, Any]]) -> analyzer_pb2.ConfigureAnalyzerRequest:
    """A resolved policy config (name to ``enforcementLevel`` and options, as ``stacks/policy_config.py`` resolves it) as
    the engine's ``Configure`` request."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for policy, entry in resolved.items():
        options = dict(entry)
        config = request.policyConfig[policy]
        config.enforcementLevel = LEVEL_VALUES[options.pop(LEVEL_KEY)]
        config.properties.update(jsonable(options))
    return request


def user_message(diagnostic: Any) -> str:
    """A diagnostic's message as a user reads it: without the policy's description, which the SDK puts first on a line of its own."""
    prefix = f"{diagnostic.description}\n"
    return diagnostic.message[len(prefix):] if diagnostic.description and diagnostic.message.startswith(prefix) else diagnostic.message
