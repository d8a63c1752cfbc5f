"""SARIF and text reports point at the line of the stack file a finding is about, in block- and flow-style files.

The expected lines are found in the text these tests write (a unique string on its own line), not
by the parser the reports use.
"""

import json

import pytest
import yaml

from agentcore_egress.reports.plan_report import render
from agentcore_egress.stacks.findings import Finding
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.planner.plan import run_plan
from landing_zones import TGW_EXAMPLE, copy_zone, edit_stack

CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:222222222222:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
SPARE_VPC = {"name": "spare", "cidr": "10.251.0.0/16", "subnets": [
    {"name": "a", "cidr": "10.251.0.0/24", "az": "eu-west-1a"}, {"name": "b", "cidr": "10.251.1.0/24", "az": "eu-west-1b"}]}


def restyle(file, style):
    """Rewrite a stack file in block style, or in flow style with one list item per line."""
    document = yaml.safe_load(file.read_text())
    if style == "block":
        file.write_text(yaml.safe_dump(document, default_flow_style=False, sort_keys=False))
        return
    lines = ["config:"]
    for key, value in document["config"].items():
        if isinstance(value, list):
            items = [yaml.safe_dump(item, default_flow_style=True, width=10**6).strip() for item in value]
            lines.append(f"  {key}: [")
            lines += [f"    {item}," for item in items[:-1]] + [f"    {items[-1]}]"]
        else:
            lines.append(f"  {key}: {yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()}")
    file.write_text("\n".join(lines) + "\n")


def line_with(file, text, after=""):
    lines = file.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and text in line) + 1


@pytest.fixture(scope="module", params=["block", "flow"])
def planned(request, tmp_path_factory):
    """One broken landing zone in one style: target mcp unreachable, a literal certificate ARN, a second VPC."""
    zone = copy_zone(TGW_EXAMPLE, tmp_path_factory.mktemp(request.param))
    edit_stack(zone, "tools-mcp", lambda c: c["lattice_resources"][0]["configurations"][0].update(ports=["8443"]))
    edit_stack(zone, "tools-payments", lambda c: (c["load_balancers"][0].pop("certificate"), c["load_balancers"][0].update(certificate_arn=CERTIFICATE_ARN)))
    edit_stack(zone, "agentcore", lambda c: c["vpcs"].append(SPARE_VPC))
    for name in ("agentcore", "tools-payments"):
        restyle(zone / f"Pulumi.{name}.yaml", request.param)
    result = run_plan(LandingZone.load(zone))
    result.cross_stack.append(Finding("cross-stack-cidr-overlap", "mandatory", "an overlap", "", "vpcs[1].cidr", "agentcore"))
    return request.param, zone, result


def sarif_lines(result, rule):
    document = json.loads(render(result, "sarif", "zone", "0"))
    return [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1],
             r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in document["runs"][0]["results"] if r["ruleId"] == rule]


def test_a_finding_on_a_target_points_at_that_target(planned):
    style, zone, result = planned
    agentcore = zone / "Pulumi.agentcore.yaml"
    expected = line_with(agentcore, "name: mcp", after="agentcore-egress:targets:")
    assert line_with(agentcore, "name: mcp") < expected  # share_acceptances has a "name: mcp" too
    assert sarif_lines(result, "reachability") == [("Pulumi.agentcore.yaml", expected)]
    assert f"Pulumi.agentcore.yaml:{expected} targets[2]" in render(result, "text", "zone", "0")
    assert f"Pulumi.agentcore.yaml:{expected} targets[2]" in render(result, "markdown", "zone", "0")
    finding = next(f for f in json.loads(render(result, "json", "zone", "0"))["cross_stack"] if f["policy"] == "reachability")
    assert (finding["file"].rsplit("/", 1)[-1], finding["line"], finding["config_path"]) == ("Pulumi.agentcore.yaml", expected, "targets[2]")


def test_a_finding_on_a_key_points_at_its_line(planned):
    style, zone, result = planned
    expected = line_with(zone / "Pulumi.agentcore.yaml", "10.251.0.0/16")
    assert ("Pulumi.agentcore.yaml", expected) in sarif_lines(result, "cross-stack-cidr-overlap")
    assert f"Pulumi.agentcore.yaml:{expected} vpcs[1].cidr" in render(result, "text", "zone", "0")


def test_a_pack_finding_on_a_resource_points_at_the_entry_that_built_it(planned):
    style, zone, result = planned
    expected = line_with(zone / "Pulumi.tools-payments.yaml", "name: orders-alb")
    payments = next(stack for stack in result.stacks if stack.name == "tools-payments")
    finding = next(f for f in payments.findings if f.policy == "listener-certificates-from-stack")
    assert finding.config_path == "load_balancers[0]" and finding.urn.endswith("::orders-alb-listener")
    assert ("Pulumi.tools-payments.yaml", expected) in sarif_lines(result, "listener-certificates-from-stack")
