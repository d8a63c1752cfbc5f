"""Policy pack config resolved as the Pulumi engine resolves it (pkg/resource/analyzer/config.go)."""

import pytest

from agentcore_egress.stacks import policy_config
from agentcore_egress.planner.policy_analyzer import PolicyAnalyzer
from agentcore_egress.stacks.policy_config import LEVELS, RuleSpec, resolve
from agentcore_egress.policies.rules import RULES
from agentcore_egress.stacks.config_schema import ConfigError

KNOWN = {
    "modern-tls": RuleSpec("mandatory", {"allowedPolicies": {"type": "array", "items": {"type": "string"}, "default": []},
                                         "requireTls13": {"type": "boolean", "default": False}}),
    "required-tags": RuleSpec("advisory", {"requiredTags": {"type": "array", "items": {"type": "string"}, "default": []}}),
    "reachability": RuleSpec("mandatory"),
}


def refused(raw, known=KNOWN) -> str:
    with pytest.raises(ConfigError) as caught:
        resolve(raw, known, "pack.json")
    assert len(caught.value.problems) == 1 and "\n" not in caught.value.problems[0]
    return caught.value.problems[0]


def test_no_config_gives_every_rule_its_default_level_and_option_defaults():
    assert resolve({}, KNOWN) == {
        "modern-tls": {"enforcementLevel": "mandatory", "allowedPolicies": [], "requireTls13": False},
        "required-tags": {"enforcementLevel": "advisory", "requiredTags": []},
        "reachability": {"enforcementLevel": "mandatory"},
    }


def test_all_sets_every_level_first_then_entries_override():
    resolved = resolve({"all": "mandatory", "reachability": "advisory", "modern-tls": {"requireTls13": True}}, KNOWN)
    assert {name: entry["enforcementLevel"] for name, entry in resolved.items()} == {
        "modern-tls": "mandatory", "required-tags": "mandatory", "reachability": "advisory"}
    assert resolved["modern-tls"]["requireTls13"] is True


@pytest.mark.parametrize("level", LEVELS)
def test_each_level_is_accepted_as_a_string_and_in_an_object(level):
    assert resolve({"modern-tls": level}, KNOWN)["modern-tls"]["enforcementLevel"] == level
    assert resolve({"modern-tls": {"enforcementLevel": level}}, KNOWN)["modern-tls"]["enforcementLevel"] == level
    assert resolve({"all": level}, KNOWN)["required-tags"]["enforcementLevel"] == level


@pytest.mark.parametrize("raw, key, hint", [
    ({"modern-tls": "MANDATORY"}, "modern-tls", "lower case"),
    ({"modern-tls": {"enforcementLevel": "blocking"}}, "modern-tls.enforcementLevel", "use one of advisory, mandatory, remediate, disabled"),
    ({"modern-tls": {"enforcementLevel": 1}}, "modern-tls.enforcementLevel", "use one of"),
    ({"all": "Advisory"}, "all", "lower case"),
    ({"modern-tls": 3}, "modern-tls", "must be a string or object"),
    ({"modern-tls": ["advisory"]}, "modern-tls", "must be a string or object"),
    ({"modern-tls": {"requireTls13": "yes"}}, "modern-tls.requireTls13", "give requireTls13 as boolean"),
    ({"required-tags": {"requiredTags": "owner"}}, "required-tags.requiredTags", "give requiredTags as array"),
    ({"required-tags": {"requiredTags": [1]}}, "required-tags.requiredTags.0", "give requiredTags as array"),
    ({"modern-tsl": "advisory"}, "modern-tsl", "did you mean 'modern-tls'?"),
    ({"all": {"requireTls13": True}}, "all", "put options under each policy's own name"),
    ({"environments": ["prod"]}, "environments", "remove the key"),
])
def test_bad_config_is_one_line_naming_the_key_and_the_fix(raw, key, hint):
    problem = refused(raw)
    assert problem.startswith(f"pack.json: {key}: ") and hint in problem and "Fix:" in problem


def test_a_config_that_is_not_an_object_is_refused():
    assert "must be a JSON object" in refused(["modern-tls"])


def test_an_unknown_name_is_passed_on_only_when_another_pack_will_judge_it():
    resolved = resolve({"all": "advisory", "custom-rule": "disabled"}, KNOWN, others_allowed=True)
    assert resolved["custom-rule"] == "disabled" and resolved["all"] == "advisory"
    assert resolved["reachability"]["enforcementLevel"] == "advisory"


def test_the_bundled_rules_and_the_plans_rules_are_known_with_their_schemas():
    known = policy_config.bundled_rule_specs()
    assert {rule.name for rule in RULES} | {"reachability", "cross-stack-managed-path"} <= set(known)
    assert known["modern-tls"].properties["requireTls13"]["type"] == "boolean"


def test_the_running_pack_reports_the_same_rules_as_the_in_process_ones():
    with PolicyAnalyzer() as pack:
        assert policy_config.analyzer_rule_specs(pack.info()) == policy_config.pack_rule_specs(RULES)
        with pytest.raises(ConfigError, match="requireTls13"):
            pack.configure({"modern-tls": {"requireTls13": "yes"}})


def test_plan_takes_levels_of_its_own_rules_from_the_same_parser():
    from agentcore_egress.planner.policy_analyzer import Finding

    findings = [Finding("reachability", "mandatory", "m", ""), Finding("cross-stack-share-outside-zone", "advisory", "m", "")]
    resolved = resolve({"all": "remediate", "cross-stack-share-outside-zone": "disabled"}, policy_config.plan_rule_specs())
    assert [(f.policy, f.level) for f in policy_config.apply_levels(findings, resolved)] == [("reachability", "mandatory")]


def test_the_documented_example_config_resolves():
    from agentcore_egress.planner.policy_analyzer import default_pack_dir

    resolved = policy_config.load(default_pack_dir() / "config.example.json", policy_config.bundled_rule_specs())
    assert set(resolved) == set(policy_config.bundled_rule_specs())
