"""Policy pack configuration (``--policy-pack-config``) read the way the Pulumi engine reads it.

What the engine does (pulumi/pulumi ``pkg/resource/analyzer/config.go``,
``parsePolicyPackConfig`` / ``ReconcilePolicyPackConfig``, and
``sdk/go/common/apitype/policy.go``):

- the file is a JSON object; each entry is a level (a string) or an object of
  options with an optional ``enforcementLevel``; anything else ("an entry that
  is a number") is an error: *must be a string or object*;
- levels are exactly ``advisory``, ``mandatory``, ``remediate``, ``disabled``
  (``EnforcementLevel.IsValid``: case-sensitive, so ``"MANDATORY"`` is refused);
- every policy starts from its own default level and the ``default`` of each
  option in its config schema; then ``all`` sets every policy's level; then
  the per-policy entries override level and options;
- each policy's resulting options are validated against its config schema
  (``{"type": "object", "properties": …, "required": …}``) with a JSON-schema
  validator (gojsonschema there, ``jsonschema`` here).

Where we are stricter than the engine, on purpose: the engine passes an entry
for a policy the pack does not have on to the pack, where it is silently
ignored, so a misspelt name disables nothing and nobody notices; here it is an
error naming the known policies. Likewise an option a policy's config schema
does not declare (the engine lets it through, the policy never reads it), a key
given twice in one object (a JSON reader keeps the last), and ``Infinity`` or
``NaN`` (not JSON, though Python's reader takes them): each an error naming the
file and the key. ``environments`` (ESC environments) cannot be resolved
offline and is refused with that reason.

The known rules are an input (:class:`RuleSpec` per name), so the pack's rules,
the plan's cross-stack rules and ``reachability`` take their levels from this
one parser.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from agentcore_egress.stacks.errors import ConfigError, shorten
from agentcore_egress.stacks.regular_file import read_regular

LEVELS = ("advisory", "mandatory", "remediate", "disabled")
ALL = "all"
LEVEL_KEY = "enforcementLevel"


@dataclass(frozen=True)
class RuleSpec:
    """What the parser needs to know of one rule: its default level and its options' schema."""

    level: str
    properties: Mapping[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object"}
        if self.properties:
            schema["properties"] = dict(self.properties)
        if self.required:
            schema["required"] = list(self.required)
        return schema


def pack_rule_specs(policies: Iterable[Any]) -> dict[str, RuleSpec]:
    """RuleSpecs of pulumi_policy Policy objects (the bundled pack's rules, in process)."""
    specs = {}
    for policy in policies:
        schema = policy.config_schema
        level = policy.enforcement_level.value if policy.enforcement_level else "advisory"
        specs[policy.name] = RuleSpec(level, dict(schema.properties or {}) if schema else {}, tuple(schema.required or ()) if schema else ())
    return specs


def analyzer_rule_specs(info: Any) -> dict[str, RuleSpec]:
    """RuleSpecs from a running pack's ``GetAnalyzerInfo`` answer (any pack, not only ours)."""
    from google.protobuf import json_format

    from agentcore_egress.policies.analyzer_messages import LEVELS as names  # the analyzer protocol's level enum, named once there

    specs = {}
    for policy in info.policies:
        properties = json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
        required = tuple(policy.configSchema.required) if policy.HasField("configSchema") else ()
        specs[policy.name] = RuleSpec(names.get(policy.enforcementLevel, "advisory"), properties, required)
    return specs


def plan_rule_specs() -> dict[str, RuleSpec]:
    """The rules only ``plan`` runs: cross-stack checks, preconditions and ``reachability`` (no options)."""
    from .findings import PLANNER_RULES

    return {rule.id: RuleSpec(rule.level) for rule in PLANNER_RULES.values()}


_PACK_SPECS: dict[str, RuleSpec] = {}
"""The bundled pack's rules, read once per process: from its policies, or as a plan cache kept them (:mod:`.pack_rules`)."""


def pack_specs() -> dict[str, RuleSpec]:
    """The bundled pack's rules (its policies, unless a plan cache gave them)."""
    if not _PACK_SPECS:
        from agentcore_egress.policies.rules import RULES

        _PACK_SPECS.update(pack_rule_specs(RULES))
    return dict(_PACK_SPECS)


def remember_pack_specs(specs: dict[str, RuleSpec]) -> None:
    """Take the bundled pack's rules as a plan cache kept them, unless read already (then the pack is not imported for them)."""
    if not _PACK_SPECS:
        _PACK_SPECS.update(specs)


def bundled_rule_specs() -> dict[str, RuleSpec]:
    """Every rule ``plan`` and ``audit`` know with the bundled pack."""
    return {**pack_specs(), **plan_rule_specs()}


def _fail(source: str, key: str, problem: str, fix: str) -> ConfigError:
    return ConfigError([f"{source}: {key}: {problem}. Fix: {fix}"])


def _level(source: str, key: str, value: Any) -> str:
    if isinstance(value, str) and value in LEVELS:
        return value
    hint = f" (levels are lower case: {value.lower()!r})" if isinstance(value, str) and value.lower() in LEVELS else ""
    return _raise(_fail(source, key, f"{value!r} is not an enforcement level{hint}", f"use one of {', '.join(LEVELS)}"))


def _raise(error: Exception) -> Any:
    raise error


def _entry(source: str, name: str, value: Any) -> tuple[Optional[str], dict[str, Any]]:
    """(level or None, options) of one entry, checked as the engine checks it."""
    if isinstance(value, str):
        return _level(source, name, value), {}
    if isinstance(value, Mapping):
        options = dict(value)
        level = options.pop(LEVEL_KEY, None)
        return (_level(source, f"{name}.{LEVEL_KEY}", level) if level is not None else None), options
    return _raise(_fail(source, name, f"{json.dumps(value)[:60]} is not a valid value; must be a string or object",
                        f'give a level ("{name}": "advisory") or an object ("{name}": {{"{LEVEL_KEY}": "advisory", …options}})'))


def resolve(raw: Any, known: Mapping[str, RuleSpec], source: str = "policy config", *, others_allowed: bool = False) -> dict[str, dict[str, Any]]:
    """Every known rule's level and options, ``{name: {"enforcementLevel": level, **options}}``; ConfigError for bad input.

    With ``others_allowed``, entries for names not in ``known`` are returned
    unchecked (for a pack whose rules only its own process knows); ``all``
    still applies to every known rule.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError([f"{source}: must be a JSON object of policy name to level or options. Fix: write {{\"modern-tls\": \"advisory\"}}"])
    if "environments" in raw:
        raise _fail(source, "environments", "ESC environments cannot be resolved by an offline run", "remove the key")
    resolved = {name: {LEVEL_KEY: spec.level, **_defaults(spec)} for name, spec in known.items()}
    if ALL in raw:
        level, options = _entry(source, ALL, raw[ALL])
        if options:
            raise _fail(source, ALL, f"takes a level only, not options {sorted(options)}", "put options under each policy's own name")
        for entry in resolved.values():
            entry[LEVEL_KEY] = level or entry[LEVEL_KEY]
    if others_allowed and ALL in raw:
        resolved[ALL] = raw[ALL]  # for the rules only the pack's own process knows
    for name, value in raw.items():
        if name == ALL:
            continue
        if name not in known:
            if others_allowed:
                resolved[name] = value
                continue
            close = difflib.get_close_matches(name, list(known), n=1)
            fix = f"did you mean {close[0]!r}?" if close else f"use one of: {', '.join(sorted(known))} (or {ALL})"
            raise _fail(source, name, "no such policy", fix)
        level, options = _entry(source, name, value)
        if level:
            resolved[name][LEVEL_KEY] = level
        resolved[name].update(options)
        _validate(source, name, known[name], resolved[name])
    return resolved


def _defaults(spec: RuleSpec) -> dict[str, Any]:
    return {key: prop["default"] for key, prop in spec.properties.items() if isinstance(prop, Mapping) and "default" in prop}


def _validate(source: str, name: str, spec: RuleSpec, entry: Mapping[str, Any]) -> None:
    options = {key: value for key, value in entry.items() if key != LEVEL_KEY}
    unknown = sorted(set(options) - set(spec.properties))
    if unknown:  # stricter than the engine, which passes it on to the rule, where nothing reads it
        close = difflib.get_close_matches(unknown[0], list(spec.properties), n=1)
        raise _fail(source, f"{name}.{unknown[0]}", f"policy {name!r} has no option {shorten(unknown[0])!r}",
                    f"did you mean {close[0]!r}?" if close else f"options of {name} are {sorted(spec.properties) or 'none'}")
    import jsonschema  # a tenth of a second: only for a config that names a rule

    error = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(spec.schema()).iter_errors(options))
    if error is None:
        return
    path = ".".join(str(part) for part in [name, *error.absolute_path])
    expected = {key: prop.get("type") for key, prop in spec.properties.items() if isinstance(prop, Mapping)}
    fix = (f"give {error.absolute_path[0]} as {expected.get(error.absolute_path[0])} (see policies/README.md)"
           if error.absolute_path and expected.get(error.absolute_path[0]) else f"options of {name} are {sorted(expected) or 'none'}")
    raise _fail(source, path, error.message[:160], fix)


MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
"""A policy config is a few levels deep (policy, option, value); deeper is refused before anything walks it."""


class _NonFinite:
    """``Infinity``, ``-Infinity`` or ``NaN`` as Python's JSON reader accepts them: not JSON, found and named by key."""

    def __init__(self, text: str) -> None:
        self.text = text


def _no_repeats(source: str) -> Any:
    def pairs(entries: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in entries:
            if key in seen:
                raise _fail(source, key, "is given twice in one object (a JSON reader keeps only the last)", "keep one of them")
            seen[key] = value
        return seen
    return pairs


def _check_values(raw: Any, source: str) -> None:
    """Refuse nesting past MAX_DEPTH and non-finite numbers, naming the key path (walked without recursion)."""
    stack: list[tuple[Any, str, int]] = [(raw, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _fail(source, where, f"is nested deeper than {MAX_DEPTH} levels", "a policy config is a few levels deep; remove the nesting")
        if isinstance(value, _NonFinite):
            raise _fail(source, where or "(top)", f"{value.text} is not a JSON number (JSON has no Infinity or NaN)", "give a finite number")
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        stack.extend((child, f"{where}.{key}" if where and isinstance(key, str) else f"{where}[{key}]" if where else str(key), depth + 1)
                     for key, child in children)


def parse(data: bytes, source: str) -> Any:
    """A policy config file's bytes as JSON: strict (no repeated keys, no Infinity/NaN, bounded nesting); ConfigError naming ``source``."""
    try:
        raw = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_no_repeats(source), parse_constant=_NonFinite)
    except UnicodeDecodeError:
        raise ConfigError([f"{source}: is not UTF-8. Fix: save the file as UTF-8 JSON"]) from None
    except RecursionError:
        raise ConfigError([f"{source}: is nested deeper than {MAX_DEPTH} levels. Fix: a policy config is a few levels deep; remove the nesting"]) from None
    except ValueError as error:
        if isinstance(error, ConfigError):
            raise
        raise ConfigError([f"{source}: is not JSON: {shorten(str(error))}. Fix: write a JSON object of policy name to level or options"]) from None
    _check_values(raw, source)
    return raw


def load(path: Optional[Path], known: Mapping[str, RuleSpec], *, others_allowed: bool = False) -> dict[str, dict[str, Any]]:
    """The config file at ``path`` (none: every rule's defaults), resolved against ``known``."""
    if path is None:
        return resolve({}, known)
    raw = parse(read_regular(Path(path), str(path), MAX_BYTES, what="policy pack config"), str(path))
    return resolve(raw, known, str(path), others_allowed=others_allowed)


def level_of(resolved: Mapping[str, Any], name: str, default: str) -> str:
    """The resolved level of ``name`` (``default`` for a config resolved without it)."""
    entry = resolved.get(name)
    if isinstance(entry, str):
        return entry
    return entry.get(LEVEL_KEY, default) if isinstance(entry, Mapping) else default


def effective_level(resolved: Mapping[str, Any], name: str, default: str) -> str:
    """The level a finding of ``name`` is reported at: ``remediate`` reports as mandatory (as the engine does when a
    remediation leaves a violation, and always for stack policies)."""
    level = level_of(resolved, name, default)
    return "mandatory" if level == "remediate" else level


def apply_levels(findings: Iterable[Any], resolved: Mapping[str, Any]) -> list[Any]:
    """The plan's own findings at their configured levels; those of disabled rules dropped."""
    from dataclasses import replace

    adjusted = []
    for finding in findings:
        level = effective_level(resolved, finding.policy, finding.level)
        if level != "disabled":
            adjusted.append(replace(finding, level=level))
    return adjusted


def load_policy_config(path: Optional[Path], pack_dir: Optional[Path] = None) -> dict[str, Any]:
    """The policy config file resolved as the engine resolves it (see :func:`load`).

    With another pack than the bundled one, entries for its rules are checked by
    the pack's worker against the pack's own rules.
    """
    known = bundled_rule_specs() if pack_dir is None else plan_rule_specs()
    return load(path, known, others_allowed=pack_dir is not None)
