"""The bundled policy pack's rules as a plan needs them when it judges nothing: each rule's default level and
options (what a policy config is checked against, :mod:`.policy_config`) and what reports show of it (:mod:`.findings`).

Read from the rules' declarations, which imports the pack and with it pulumi-policy, the Pulumi SDK's runtime and gRPC
(a quarter of a second). A plan cache keeps them, signed like its entries, under a hash of the pack's sources and of
this code (:func:`catalog_key`), so that a plan the cache answers whole never imports them. Read once per process.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from typing import Any, Optional

from .findings import Rule, pack_rule
from .policy_config import RuleSpec, pack_rule_specs

FORMAT = 1
"""Bumped whenever the stored layout changes."""


@dataclass(frozen=True)
class PackRules:
    """Every rule of the bundled pack, by id: its :class:`RuleSpec` and its :class:`Rule`."""

    specs: dict[str, RuleSpec]
    rules: dict[str, Rule]


_read: Optional[PackRules] = None
"""This process's copy: the pack's rules never change while it runs (as :func:`.plan_cache.code_digest`)."""
_read_from_pack = False


def bundled_pack_rules() -> PackRules:
    """The bundled pack's rules: as a plan cache gave them (:func:`remember`), else read from their declarations."""
    global _read, _read_from_pack
    if _read is None:
        from agentcore_egress.policies.rules import DECLARATIONS, RULES

        _read, _read_from_pack = PackRules(pack_rule_specs(RULES), {rule.id: pack_rule(rule) for rule in DECLARATIONS}), True
    return _read


def read_from_pack() -> bool:
    """Whether this process read the rules from the pack itself (then a cache may keep them)."""
    return _read_from_pack


def remember(text: str) -> None:
    """Take the rules from text a plan cache stored (:func:`encode`), unless read already; ValueError or TypeError when
    the text is not that."""
    global _read
    if _read is None:
        _read = decode(text)


def catalog_key(code: str, pack: str) -> str:
    """What the stored rules are a function of: this code (``code``, :func:`.plan_cache.code_digest`, with pulumi-policy's
    version) and the bundled pack's sources (``pack``, :func:`.fingerprint.pack_fingerprint`)."""
    return hashlib.sha256(json.dumps({"format": FORMAT, "code": code, "pack": pack}, sort_keys=True).encode()).hexdigest()


def encode(rules: PackRules) -> Optional[str]:
    """The rules as JSON, or None when they do not survive JSON unchanged (then they are not stored)."""
    document = {"format": FORMAT, "specs": {name: asdict(spec) for name, spec in rules.specs.items()},
                "rules": {name: asdict(rule) for name, rule in rules.rules.items()}}
    try:
        text = json.dumps(document, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return text if decode(text) == rules else None


def decode(text: str) -> PackRules:
    """The rules :func:`encode` wrote; ValueError or TypeError naming what is not."""
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"not the pack's rules in format {FORMAT}")
    specs, rules = document.get("specs"), document.get("rules")
    if not isinstance(specs, dict) or not isinstance(rules, dict) or set(specs) != set(rules):
        raise TypeError("specs and rules are not objects of the same rules")
    return PackRules({name: _spec(name, value) for name, value in specs.items()}, {name: _rule(name, value) for name, value in rules.items()})


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
