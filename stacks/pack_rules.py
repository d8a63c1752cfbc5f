"""The bundled policy pack's rules as a plan needs them when it judges nothing: each rule's default level and
options (what a policy config is checked against, :mod:`.policy_config`) and what reports show of it (:mod:`.findings`).

Read from the rules' declarations, which imports the pack and with it pulumi-policy, the Pulumi SDK's runtime and gRPC
(a quarter of a second). A plan cache keeps them, signed like its entries, under a hash of the pack's sources and of
this code (:func:`catalog_key`), so that a plan the cache answers whole never imports them: :func:`remember` hands
them to the two modules that read them once per process.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import asdict, fields
from typing import Any, Optional

from .findings import Rule, pack_rules, remember_pack_rules
from .policy_config import RuleSpec, pack_specs, remember_pack_specs

FORMAT = 1
"""Bumped whenever the stored layout changes."""
PACK_MODULE = "agentcore_egress.policies.rules"
"""The pack's rules: once this process has imported them, a cache may keep what it read of them."""

PackRules = tuple[dict[str, RuleSpec], dict[str, Rule]]
"""Every rule of the bundled pack by id: its :class:`RuleSpec`, and its :class:`Rule`."""


def read_from_pack() -> bool:
    """Whether this process has imported the pack's rules (then they are at hand to keep)."""
    return PACK_MODULE in sys.modules


def remember(text: str) -> None:
    """Take the rules from text a plan cache stored (:func:`encode`), unless read already; ValueError or TypeError when
    the text is not that."""
    specs, rules = decode(text)
    remember_pack_specs(specs)
    remember_pack_rules(rules)


def catalog_key(code: str, pack: str) -> str:
    """What the stored rules are a function of: this code (``code``, ``planner.plan_cache.code_digest``, with pulumi-policy's
    version) and the bundled pack's sources (``pack``, :func:`.fingerprint.pack_fingerprint`)."""
    return hashlib.sha256(json.dumps({"format": FORMAT, "code": code, "pack": pack}, sort_keys=True).encode()).hexdigest()


def encode() -> Optional[str]:
    """The pack's rules as JSON (reading them from the pack), or None when they do not survive JSON unchanged (then they
    are not stored)."""
    read = (pack_specs(), pack_rules())
    document = {"format": FORMAT, "specs": {name: asdict(spec) for name, spec in read[0].items()},
                "rules": {name: asdict(rule) for name, rule in read[1].items()}}
    try:
        text = json.dumps(document, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return text if decode(text) == read else None


def decode(text: str) -> PackRules:
    """The rules :func:`encode` wrote; ValueError or TypeError naming what is not."""
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"not the pack's rules in format {FORMAT}")
    specs, rules = document.get("specs"), document.get("rules")
    if not isinstance(specs, dict) or not isinstance(rules, dict) or set(specs) != set(rules):
        raise TypeError("specs and rules are not objects of the same rules")
    return {name: _spec(name, value) for name, value in specs.items()}, {name: _rule(name, value) for name, value in rules.items()}


def _spec(name: str, value: Any) -> RuleSpec:
    if not (isinstance(value, dict) and isinstance(value.get("level"), str) and isinstance(value.get("properties"), dict)
            and isinstance(value.get("required"), list)):
        raise TypeError(f"specs.{name} is not a rule's level, properties and required options")
    return RuleSpec(value["level"], value["properties"], tuple(value["required"]))


def _rule(name: str, value: Any) -> Rule:
    names = [field.name for field in fields(Rule)]
    if not (isinstance(value, dict) and set(value) == set(names) and value.get("id") == name
            and all(isinstance(value[key], list if key == "tags" else str) for key in names)):
        raise TypeError(f"rules.{name} is not a rule as reports show it")
    return Rule(**{**value, "tags": tuple(value["tags"])})
