"""Transit Gateway static and blackhole routes per segment: created by the hub (blackholes) and by the acceptances (routes to
a spoke's attachment), and judged by reachability as AWS routes: longest prefix first, a static route over a propagated one
of the same block, a blackhole drops."""

import pytest

from agentcore_egress.components import InputValidationError, TransitGatewayAttachmentAcceptance, TransitGatewayHub
from fake_cloud import deploy
from landing_zones import TGW_EXAMPLE, assert_plans_clean_and_reachable, copy_zone, edit_stack, plan_json, refused_input, two_subnets
from topologies import ORGANIZATION

TGW_ROUTE = "aws:ec2transitgateway/route:Route"


def hub_and_acceptance(blackholes=None, static_routes=None):
    def program():
        hub = TransitGatewayHub("hub", {"segments": ["spokes", "agentcore"], "share_with": [ORGANIZATION],
                                        **({"blackhole_routes": blackholes} if blackholes is not None else {})})
        TransitGatewayAttachmentAcceptance("payments", {
            "transit_gateway_attachment_id": "tgw-attach-0123456789abcdef0", "segment_route_table_ids": hub.route_table_ids_by_segment,
            "associate_with": "spokes", "propagate_to": ["agentcore"], **({"static_routes": static_routes} if static_routes is not None else {})})
    return deploy(program)


def test_the_hub_blackholes_and_the_acceptance_routes_to_its_attachment_per_segment():
    deployment = hub_and_acceptance(blackholes={"spokes": ["10.0.0.0/8"]}, static_routes={"agentcore": ["0.0.0.0/0"]})
    blackhole, static = deployment.named("hub-blackhole-spokes-10-0-0-0-8"), deployment.named("payments-route-agentcore-0-0-0-0-0")
    assert blackhole.inputs["blackhole"] is True and blackhole.inputs["destinationCidrBlock"] == "10.0.0.0/8"
    assert blackhole.parent == deployment.named("hub").urn
    assert blackhole.inputs["transitGatewayRouteTableId"] == deployment.named("hub-rt-spokes").id
    assert static.inputs["transitGatewayAttachmentId"] == "tgw-attach-0123456789abcdef0" and not static.inputs.get("blackhole")
    assert static.inputs["transitGatewayRouteTableId"] == deployment.named("hub-rt-agentcore").id
    assert static.parent == deployment.named("payments").urn
    assert len(deployment.of_type(TGW_ROUTE)) == 2


@pytest.mark.parametrize("blackholes, static_routes, field, words", [
    ({"sandbox": ["10.0.0.0/8"]}, None, "blackhole_routes key", "is not a segment of the hub"),
    ({"spokes": ["10.0.0.0/8", "10.0.0.0/8"]}, None, "blackhole_routes.spokes", "is listed twice"),
    (None, {"agentcore": ["10.20.0.1/16"]}, "static_routes.agentcore[0]", "has host bits set"),
])
def test_routes_aws_would_refuse_are_refused_before_anything_is_created(blackholes, static_routes, field, words):
    with pytest.raises(InputValidationError) as raised:
        hub_and_acceptance(blackholes, static_routes)
    assert raised.value.field == field and words in str(raised.value) and "Fix:" in str(raised.value)


def payments_routed_statically(config):
    """tools-payments' block reaches the agentcore segment by a static route instead of a propagation."""
    config["tgw_acceptances"][0].update(propagate_to=["spokes"], static_routes=[{"segment": "agentcore", "destination": "10.20.0.0/16"}])


def blackhole_summaries(config):
    """Both segments drop the 10/8 summary: only what is propagated or routed statically (more specific) passes."""
    config["transit_gateway_hub"]["blackhole_routes"] = [
        {"segment": "spokes", "destination": "10.0.0.0/8"}, {"segment": "agentcore", "destination": "10.0.0.0/8"}]


def test_static_routes_and_summary_blackholes_plan_clean_and_reachable(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "network-hub-acceptance", payments_routed_statically)
    edit_stack(zone, "network-hub", blackhole_summaries)
    assert_plans_clean_and_reachable(capsys, zone)


def test_without_its_static_route_the_spoke_is_unreachable(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "network-hub-acceptance", lambda c: c["tgw_acceptances"][0].update(propagate_to=["spokes"]))
    code, result, _ = plan_json(capsys, zone)
    assert code == 1
    hops = [trace["hops"][-1] for trace in result["reachability"] if trace["verdict"] == "unreachable"]
    assert hops and all("has no route to 10.20." in hop["detail"] and "or add a static route" in hop["fix"] for hop in hops), hops


def test_a_blackhole_as_specific_as_the_propagated_route_drops_the_backend(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "network-hub", lambda c: c["transit_gateway_hub"].update(
        blackhole_routes=[{"segment": "agentcore", "destination": "10.20.0.0/16"}]))
    code, result, _ = plan_json(capsys, zone)
    assert code == 1
    hops = [trace["hops"][-1] for trace in result["reachability"] if trace["verdict"] == "unreachable"]
    assert hops and all("is a blackhole" in hop["detail"] and hop["fix"].startswith("remove the blackhole route") for hop in hops), hops


def test_two_static_routes_of_one_destination_in_a_segment_are_found_and_one_clears_it(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "network-hub-acceptance", payments_routed_statically)
    edit_stack(zone, "network-hub", lambda c: c["transit_gateway_hub"].update(
        blackhole_routes=[{"segment": "agentcore", "destination": "10.20.0.0/16"}]))
    code, result, err = plan_json(capsys, zone)
    assert code == 1, err
    (finding,) = [f for f in result["cross_stack"] if f["policy"] == "precondition-tgw-route"]
    assert (finding["level"], finding["stack"], finding["config_path"]) == ("mandatory", "network-hub-acceptance", "tgw_acceptances[0].static_routes[0]")
    assert "transit_gateway_hub.blackhole_routes[0] of stack 'network-hub' already routes it" in finding["message"] and "Fix: " in finding["message"]
    edit_stack(zone, "network-hub", lambda c: c["transit_gateway_hub"].update(blackhole_routes=[{"segment": "agentcore", "destination": "10.0.0.0/8"}]))
    code, result, err = plan_json(capsys, zone)
    assert code == 0, err


@pytest.mark.parametrize("stack, change, words", [
    ("network-hub", lambda c: c["transit_gateway_hub"].update(blackhole_routes=[{"segment": "sandbox", "destination": "10.0.0.0/8"}]),
     "transit_gateway_hub.blackhole_routes[0].segment: 'sandbox' is not one of this stack's segments"),
    ("network-hub-acceptance", lambda c: c["tgw_acceptances"][0].update(static_routes=[{"segment": "sandbox", "destination": "10.20.0.0/16"}]),
     "tgw_acceptances[0].static_routes[0].segment"),
])
def test_a_route_in_a_segment_the_hub_lacks_is_bad_input(capsys, tmp_path, stack, change, words):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, stack, change)
    err = refused_input(capsys, zone)
    assert words in err and "Fix:" in err, err


def test_a_static_route_joins_overlapping_spokes_as_a_propagation_does(capsys, tmp_path):
    """A sandbox VPC reusing payments' block in an isolated segment plans clean (test_cidr_overlap); a static route to it in
    the segment payments is associated with joins the two."""
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "network-hub", lambda c: c["transit_gateway_hub"].update(segments=["spokes", "agentcore", "sandbox"]))

    def add_sandbox(config):
        config["vpcs"].append({"name": "sandbox", "cidr": "10.20.0.0/16", "subnets": two_subnets(20)})
        config["tgw_spokes"].append({"vpc": "sandbox", "hub_stack": "network-hub", "destinations": ["10.0.0.0/8"]})
    edit_stack(zone, "agentcore", add_sandbox)
    edit_stack(zone, "network-hub-acceptance", lambda c: c["tgw_acceptances"].append(
        {"spoke": {"stack": "agentcore", "vpc": "sandbox"}, "hub_stack": "network-hub", "associate_with": "sandbox", "propagate_to": ["sandbox"],
         "static_routes": [{"segment": "spokes", "destination": "10.20.128.0/17"}]}))
    code, result, err = plan_json(capsys, zone)
    assert code == 1, err
    (finding,) = [f for f in result["cross_stack"] if f["policy"] == "cross-stack-cidr-overlap"]
    assert "has a static route to the other's attachment" in finding["message"], finding
    edit_stack(zone, "network-hub-acceptance", lambda c: c["tgw_acceptances"][-1].pop("static_routes"))
    assert [f for f in plan_json(capsys, zone)[1]["cross_stack"] if f["policy"] == "cross-stack-cidr-overlap"] == []
