"""A recorded stack as the policy pack sees it at the first ``pulumi preview`` of a new stack.

What the engine and the SDK do (read in pulumi/pulumi at 1b59498, pulumi 3.272 Python SDK):

- The Python SDK serializes an input whose value is not known as the string
  ``04da6b54-80e4-46f7-96ec-b56ff0331ba9`` (``sdk/python/lib/pulumi/runtime/rpc.py``,
  ``UNKNOWN``; ``serialize_property`` returns it for an Output whose ``is_known`` is
  false, and for an Output whose value *contains* an unknown it serializes None →
  UNKNOWN). An element of a plain list or dict is serialized on its own, so
  ``[sg.id]`` arrives as ``[UNKNOWN]``; an ``apply`` (``Output.concat``, ``format``,
  ``json_dumps``…) over an unknown is not run at preview, so the whole string it
  would build is UNKNOWN.
- At preview (``DryRun``) the engine still calls ``Analyze`` for every resource
  with its inputs (``stepGenerator.analyzeAll`` → ``analyzeResource``; mandatory
  diagnostics are reported but only block when not dry-run) and, after all steps,
  ``AnalyzeStack`` with every resource's *outputs* (``AnalyzeResources``,
  ``deployment_executor.go``: "called on the final outputs of each resource").
  A resource created at preview gets its outputs from the provider's ``Create``
  with ``Preview: true`` (``step.go``): inputs echoed, computed outputs (id, ARN,
  DNS names, a VPC's ``defaultSecurityGroupId``…) unknown.
- Analyzer properties are marshaled with ``KeepUnknowns: true, KeepSecrets: true``
  and without ``KeepResources`` (``analyzer_plugin.go``): a resource reference
  arrives as the resource's id, unknown if the resource is created in this run.
- ``AnalyzeRequest`` carries no property dependencies (only ``AnalyzerResource``
  in ``AnalyzeStackRequest`` does), and pulumi-policy 1.21's
  ``ResourceValidationArgs`` has none either: rules that decide an unknown value
  from where it came from are stack policies.

So the view built here: every string that equals or contains a value the
simulated AWS *minted* for this stack (:attr:`SimulatedAws.minted`) becomes
UNKNOWN, inside lists and objects too; values read from other stacks (stack
references to deployed stacks) stay known; outputs that are not inputs, and the
id, are UNKNOWN. Known limitations: a list built by one ``apply`` (``Output.all``)
is wholly unknown at preview but appears here as a list of unknowns; a value an
``apply`` computes from an unknown that is not a string built from it (``True``)
stays known here.

:class:`PreviewView` is this model as the engine's requests carry it: ``plan``
judges each stack's first preview with it, and so do the tests;
``tests/test_first_preview.py`` compares its verdicts with those of a preview
the Pulumi SDK runs itself, on the same programs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any, Optional

from google.protobuf import json_format, struct_pb2

from agentcore_egress.policies.analyzer_messages import jsonable, struct

if TYPE_CHECKING:
    from .monitor import Registration

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
PROVIDER_PREFIX = "pulumi:providers:"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
_RESOURCE_SIG = ("4dabf18193072939515e22adb298388d", "5cf8f73096256a8f31e491e813e4eb8e")
_ANCHOR = re.compile(r"[0-9a-fA-F]{10,}")


class MintedValues:
    """Tells whether a string is, or is built from, a value minted in this stack."""

    def __init__(self, minted: Iterable[str]) -> None:
        self.exact = frozenset(minted)
        self._by_anchor: dict[str, list[str]] = {}
        self._unanchored: list[str] = []
        for value in self.exact:
            anchors = _ANCHOR.findall(value)
            if anchors:
                self._by_anchor.setdefault(max(anchors, key=len), []).append(value)
            else:
                self._unanchored.append(value)

    def __bool__(self) -> bool:
        return bool(self.exact)

    def taints(self, text: str) -> bool:
        if text in self.exact:
            return True
        for anchor in _ANCHOR.findall(text):
            for candidate in self._anchored_within(anchor):
                if candidate in text:
                    return True
        return any(value in text for value in self._unanchored)

    def _anchored_within(self, run: str) -> list[str]:
        # A minted value's anchor may be a part of a longer hex run of the text (e.g. "…-vpce0123…" joined).
        found = self._by_anchor.get(run)
        if found is not None:
            return found
        return [value for anchor, values in self._by_anchor.items() if anchor in run for value in values] if len(run) > 10 else []


def masked(value: Any, minted: MintedValues) -> tuple[Any, bool]:
    """``value`` (JSON-shaped, as marshaled) with minted strings as UNKNOWN and resource references as ids; (result, changed)."""
    if isinstance(value, str):
        return (UNKNOWN, True) if value != UNKNOWN and minted.taints(value) else (value, False)
    if isinstance(value, dict):
        if value.get(_RESOURCE_SIG[0]) == _RESOURCE_SIG[1]:
            reference = value.get("id") or value.get("urn", "")
            return masked(reference, minted)[0], True
        changed = False
        result = {}
        for key, item in value.items():
            result[key], item_changed = masked(item, minted)
            changed = changed or item_changed
        return result, changed
    if isinstance(value, list):
        changed = False
        items = []
        for item in value:
            new, item_changed = masked(item, minted)
            items.append(new)
            changed = changed or item_changed
        return items, changed
    return value, False


def engine_properties(resource: Registration, which: str) -> struct_pb2.Struct:
    """A resource's inputs or outputs (outputs with its id) as the engine sends them."""
    message = getattr(resource, f"{which}_proto")
    if message is None:
        message = struct(getattr(resource, which))
    if which == "state" and resource.id:
        copy = struct_pb2.Struct()
        copy.CopyFrom(message)
        copy["id"] = resource.id
        return copy
    return message


def _as_dict(resource: Registration, which: str) -> dict[str, Any]:
    message = getattr(resource, f"{which}_proto")
    return json_format.MessageToDict(message) if message is not None else jsonable(getattr(resource, which))


class PreviewView:
    """The registrations of one stack as the pack sees them at the stack's first preview (see this module's docstring).

    Cheap where nothing changes: a resource whose marshaled inputs contain no
    minted value is not converted at all, and preview outputs are built from
    the preview inputs and the *names* of the other outputs.
    """

    def __init__(self, registrations: list[Registration], minted: Collection[str]) -> None:
        self.minted = MintedValues(minted)
        self.inputs: dict[str, Optional[struct_pb2.Struct]] = {}
        """Preview inputs of each resource whose inputs differ from the update's (None: the same)."""
        for resource in registrations:
            self.inputs[resource.urn] = self._masked(resource, "inputs")

    def _masked(self, resource: Registration, which: str) -> Optional[struct_pb2.Struct]:
        """``which`` (inputs or state) with minted values unknown, or None if it holds none."""
        proto = getattr(resource, f"{which}_proto")
        if proto is not None:
            serialized = proto.SerializeToString().decode("utf-8", errors="replace")
            if not self.minted.taints(serialized) and _RESOURCE_SIG[1] not in serialized:
                return None
        values, changed = masked(_as_dict(resource, which), self.minted)
        return struct(values) if changed else None

    def outputs(self, resource: Registration) -> struct_pb2.Struct:
        if resource.type == STACK_REFERENCE:
            return engine_properties(resource, "state")
        if not resource.custom or resource.type.startswith(PROVIDER_PREFIX):
            return self._masked(resource, "state") or engine_properties(resource, "state")
        inputs = self.inputs.get(resource.urn) or (resource.inputs_proto if resource.inputs_proto is not None else struct(resource.inputs))
        state = resource.state_proto.fields.keys() if resource.state_proto is not None else resource.state.keys()
        outputs = struct_pb2.Struct()
        outputs.CopyFrom(inputs)
        for key in state:
            if key not in inputs.fields:
                outputs[key] = UNKNOWN
        outputs["id"] = UNKNOWN
        return outputs
