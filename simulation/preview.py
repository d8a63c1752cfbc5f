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
id, are UNKNOWN. Known limitation: a list built by one ``apply`` (``Output.all``)
is wholly unknown at preview but appears here as a list of unknowns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
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
