"""`cross-stack-cidr-overlap` judges overlapping blocks where a route joins them: the same block in isolated segments of
one Transit Gateway plans clean; the same block in segments whose route tables reach both is found, on the stack that
deploys later."""

import json

import pytest

from agentcore_egress.cli.main import main
from landing_zones import TGW_EXAMPLE, copy_zone, edit_stack, two_subnets

PAYMENTS = "10.20.0.0/16"


def sandbox_in_agentcore(zone, associate_with, propagate_to):
    """A second VPC in the agentcore stack (wave 3) with payments' block, attached to the hub and placed by the acceptance stack."""
    edit_stack(zone, "network-hub", lambda c: c["transit_gateway_hub"].update(segments=["spokes", "agentcore", "sandbox"]))

    def add_vpc(config):
        config["vpcs"].append({"name": "sandbox", "cidr": PAYMENTS, "subnets": two_subnets(20)})
        config["tgw_spokes"].append({"vpc": "sandbox", "hub_stack": "network-hub", "destinations": ["10.0.0.0/8"]})
    edit_stack(zone, "agentcore", add_vpc)
    edit_stack(zone, "network-hub-acceptance", lambda c: c["tgw_acceptances"].append(
        {"spoke": {"stack": "agentcore", "vpc": "sandbox"}, "hub_stack": "network-hub", "associate_with": associate_with,
         "propagate_to": propagate_to}))


def plan_json(capsys, zone):
    code = main(["plan", str(zone), "--format", "json", "--quiet"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else None, captured.err


def test_the_same_block_in_an_isolated_segment_plans_clean(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    sandbox_in_agentcore(zone, "sandbox", ["sandbox"])
    code, result, err = plan_json(capsys, zone)
    assert code == 0, err
    assert [f for f in result["cross_stack"] if f["policy"] == "cross-stack-cidr-overlap"] == []
    assert {trace["verdict"] for trace in result["reachability"]} == {"reachable"}


@pytest.mark.parametrize("associate_with, propagate_to, joined_by", [
    ("sandbox", ["agentcore"], "both propagate into the route table of segment 'agentcore'"),
    ("agentcore", ["sandbox"], "the route table of segment 'agentcore', which sandbox (stack agentcore) is associated with, learns"),
])
def test_the_same_block_in_segments_a_route_table_joins_is_found_on_the_stack_deployed_later(capsys, tmp_path, associate_with, propagate_to, joined_by):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    sandbox_in_agentcore(zone, associate_with, propagate_to)
    code, result, err = plan_json(capsys, zone)
    assert code == 1, err
    (finding,) = [f for f in result["cross_stack"] if f["policy"] == "cross-stack-cidr-overlap"]
    # agentcore (wave 3) deploys after tools-payments (wave 2), although its name sorts first.
    assert (finding["level"], finding["stack"], finding["config_path"]) == ("mandatory", "agentcore", "tgw_spokes[1]")
    assert joined_by in finding["message"] and "stack agentcore deploys after tools-payments" in finding["message"]
    assert "Fix: renumber VPC sandbox, or place the two in segments whose route tables never reach both" in finding["message"]
