"""One declaration per rule: the pack, the reports' rule metadata and the README are derived from it."""

from dataclasses import replace
from pathlib import Path

import pytest
from pulumi_policy import ResourceValidationPolicy, Severity, StackValidationPolicy

from agentcore_egress.planner import rules_readme as plan_readme
from agentcore_egress.stacks.findings import PLANNER_RULES, known_rules
from agentcore_egress.policies.rule_declaration import AGENTCORE_PATH, STACK
from agentcore_egress.policies.rules import DECLARATIONS, MODULES, RULES
from agentcore_egress.policies.rules_readme import render_readme

README = Path(__file__).resolve().parents[1] / "policies" / "README.md"
PLAN_README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_committed_readme_is_what_the_declarations_render():
    text = README.read_text(encoding="utf-8")
    assert render_readme(text, DECLARATIONS) == text, (
        "policies/README.md differs from the rules' declarations. Fix: python -m agentcore_egress.policies.rules_readme")


@pytest.mark.parametrize("change", [
    lambda rule: replace(rule, severity=Severity.CRITICAL),
    lambda rule: replace(rule, controls=("EC2.99",)),
    lambda rule: replace(rule, docs=replace(rule.docs, fix="something else")),
], ids=["severity", "controls", "docs"])
def test_a_changed_declaration_makes_the_committed_readme_stale(change):
    text = README.read_text(encoding="utf-8")
    assert render_readme(text, [*DECLARATIONS[:3], change(DECLARATIONS[3]), *DECLARATIONS[4:]]) != text


def test_the_readme_table_of_plans_own_rules_is_what_findings_registers():
    text = PLAN_README.read_text(encoding="utf-8")
    assert plan_readme.render_readme(text) == text, "README.md's table of plan's rules is stale. Fix: python -m agentcore_egress.planner.rules_readme"
    changed = [replace(rule, severity="critical") if rule.id == "reachability" else rule for rule in PLANNER_RULES.values()]
    assert plan_readme.replace_part(text, plan_readme.PART, plan_readme.plan_rules_table(changed)) != text


def test_a_readme_without_the_markers_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="rules-table:start.*Fix: put the two markers"):
        render_readme("# a README without a rules table\n", DECLARATIONS)


def test_every_module_declares_one_rule_named_after_the_module():
    assert [module.RULE for module in MODULES] == DECLARATIONS
    for module in MODULES:
        assert module.__name__.rsplit(".", 1)[-1] == module.RULE.id.replace("-", "_"), module.__name__


def test_each_policy_is_built_from_its_declaration():
    for rule, policy in zip(DECLARATIONS, RULES):
        assert (policy.name, policy.description, policy.enforcement_level, policy.severity) == (rule.id, rule.description, rule.level, rule.severity)
        assert (policy.tags, policy.remediation_steps, policy.url) == ([rule.kind, *rule.tags], rule.remediation, f"policies/README.md#{rule.id}")
        # A stack rule judges the stack; an AgentCore-path resource rule is asked both before each resource and for the stack.
        assert isinstance(policy, StackValidationPolicy) == (rule.judges == STACK or rule.kind == AGENTCORE_PATH), rule.id
        assert isinstance(policy, ResourceValidationPolicy) == (rule.judges != STACK), rule.id
        if isinstance(policy, ResourceValidationPolicy):
            assert policy.has_remediation() == bool(rule.fix), rule.id


def test_reports_show_each_rules_declared_severity_fix_and_documentation():
    rules = known_rules()
    for rule in DECLARATIONS:
        shown = rules[rule.id]
        assert (shown.level, shown.severity, shown.remediation, shown.url) == (rule.level.value, rule.severity.value, rule.remediation, rule.url)
        assert shown.tags == ("policy-pack", rule.kind, *rule.tags)
        assert all(control in shown.detail for control in rule.controls), rule.id
