"""Transit Gateway peering between two hubs in two regions (static routes only): the requester hub's PeeringAttachment, the
accepter's PeeringAttachmentAccepter in a stack of its account and region, each side's association and static routes, and
reachability across both Transit Gateways by longest-prefix match."""

import pytest

from agentcore_egress.components import InputValidationError, TransitGatewayPeering, TransitGatewayPeeringSide
from fake_cloud import deploy
from landing_zones import TGW_EXAMPLE, copy_zone, edit_stack, plan_json, refused_input, write_stack

PEERING = "aws:ec2transitgateway/peeringAttachment:PeeringAttachment"
ACCEPTER = "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter"
TGW_ROUTE = "aws:ec2transitgateway/route:Route"
ASSOCIATION = "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"
NETWORK = {"id": "111111111111", "region": "us-east-1", "role_arn": "arn:aws:iam::111111111111:role/pulumi-deploy"}
PEERING_REF = {"stack": "network-hub", "name": "us-east"}


def test_the_requester_peers_its_transit_gateway_with_the_other_hubs():
    deployment = deploy(lambda: TransitGatewayPeering("us-east", {
        "transit_gateway_id": "tgw-0123456789abcdef0", "peer_transit_gateway_id": "tgw-0fedcba9876543210",
        "peer_account_id": "111111111111", "peer_region": "us-east-1"}))
    (attachment,) = deployment.of_type(PEERING)
    assert (attachment.inputs["transitGatewayId"], attachment.inputs["peerTransitGatewayId"]) == ("tgw-0123456789abcdef0", "tgw-0fedcba9876543210")
    assert (attachment.inputs["peerAccountId"], attachment.inputs["peerRegion"]) == ("111111111111", "us-east-1")


@pytest.mark.parametrize("accept", [True, False])
def test_a_side_accepts_only_as_the_accepter_and_routes_after_its_association(accept):
    deployment = deploy(lambda: TransitGatewayPeeringSide("side", {
        "transit_gateway_attachment_id": "tgw-attach-0123456789abcdef0", "segment_route_table_ids": {"spokes": "tgw-rtb-1", "peers": "tgw-rtb-2"},
        "associate_with": "peers", "static_routes": {"spokes": ["10.250.0.0/16"]}, "accept": accept}))
    assert len(deployment.of_type(ACCEPTER)) == int(accept)
    (association,), (route,) = deployment.of_type(ASSOCIATION), deployment.of_type(TGW_ROUTE)
    assert association.inputs["transitGatewayRouteTableId"] == "tgw-rtb-2"
    assert (route.inputs["transitGatewayRouteTableId"], route.inputs["destinationCidrBlock"]) == ("tgw-rtb-1", "10.250.0.0/16")
    assert association.urn in route.dependencies
    if accept:
        assert deployment.of_type(ACCEPTER)[0].urn in association.dependencies


def test_a_side_in_a_segment_its_hub_lacks_is_refused():
    with pytest.raises(InputValidationError) as raised:
        deploy(lambda: TransitGatewayPeeringSide("side", {
            "transit_gateway_attachment_id": "tgw-attach-0123456789abcdef0", "segment_route_table_ids": {"spokes": "tgw-rtb-1"},
            "associate_with": "peers"}))
    assert raised.value.field == "associate_with" and "Fix:" in str(raised.value)


def two_region_zone(tmp_path):
    """The bundled zone (eu-west-1) and a second region: hub network-hub-us and tools-us (10.60.0.0/16, a private API) in
    us-east-1, the two hubs peered (network-hub requests, network-hub-us-acceptance accepts), AgentCore reaching the private API."""
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    write_stack(zone, "network-hub-us", {"account": NETWORK, "transit_gateway_hub": {
        "segments": ["spokes", "peers"], "share_with": ["arn:aws:organizations::111111111111:organization/o-exampleorg1"]}})
    write_stack(zone, "tools-us", {
        "account": {**NETWORK, "id": "222222222222", "role_arn": "arn:aws:iam::222222222222:role/pulumi-deploy"},
        "vpcs": [{"name": "reports", "cidr": "10.60.0.0/16", "subnets": [
            {"name": "a", "cidr": "10.60.0.0/24", "az_id": "use1-az1"}, {"name": "b", "cidr": "10.60.1.0/24", "az_id": "use1-az2"}]}],
        "tgw_spokes": [{"vpc": "reports", "hub_stack": "network-hub-us", "destinations": ["10.250.0.0/16"]}],
        "security_groups": [{"name": "reports-endpoint", "vpc": "reports", "eni_cidrs": ["10.250.0.0/24", "10.250.1.0/24"],
                             "backend_cidrs": ["10.60.0.0/24", "10.60.1.0/24"]}],
        "private_apis": [{"name": "reports-api", "vpc": "reports", "security_group": "reports-endpoint", "paths": ["/reports"]}],
    })
    write_stack(zone, "network-hub-us-acceptance", {
        "account": NETWORK,
        "tgw_acceptances": [{"spoke": {"stack": "tools-us", "vpc": "reports"}, "hub_stack": "network-hub-us", "associate_with": "spokes",
                             "propagate_to": ["peers"]}],
        "tgw_peerings": [{"peering": PEERING_REF, "hub_stack": "network-hub-us", "associate_with": "peers",
                          "static_routes": [{"segment": "spokes", "destination": "10.250.0.0/16"}]}],
    })
    edit_stack(zone, "network-hub", lambda c: c["transit_gateway_hub"].update(peerings=[{"name": "us-east", "peer_stack": "network-hub-us"}]))
    edit_stack(zone, "network-hub-acceptance", lambda c: c.update(tgw_peerings=[
        {"peering": PEERING_REF, "hub_stack": "network-hub", "accepted_in": "network-hub-us-acceptance", "associate_with": "spokes",
         "static_routes": [{"segment": "agentcore", "destination": "10.60.0.0/16"}]}]))

    def reach_reports(config):
        config["tgw_spokes"][0]["destinations"].append("10.60.0.0/16")
        config["security_groups"].append({"name": "to-reports", "vpc": "agentcore", "eni_cidrs": ["10.250.0.0/24", "10.250.1.0/24"],
                                          "backend_cidrs": ["10.60.0.0/24", "10.60.1.0/24"]})
        config["targets"].append({"name": "reports-api", "managed": {"vpc": "agentcore", "security_groups": ["to-reports"]},
                                  "endpoint": {"private_api": {"stack": "tools-us", "name": "reports-api"}, "paths": ["/reports"]},
                                  "credential": {"kind": "GATEWAY_IAM_ROLE", "service": "execute-api"}})
    edit_stack(zone, "agentcore", reach_reports)
    return zone


def reports_trace(result):
    (trace,) = [trace for trace in result["reachability"] if trace["target"].endswith("reports-api")]
    return trace


def test_a_target_behind_the_peered_hub_in_another_region_plans_clean_and_reachable(capsys, tmp_path):
    zone = two_region_zone(tmp_path)
    code, result, err = plan_json(capsys, zone)
    assert code == 0, (err, [f for f in result["cross_stack"]] if result else None)
    assert {trace["verdict"] for trace in result["reachability"]} == {"reachable"}, result["reachability"]
    route = next(hop for hop in reports_trace(result)["hops"] if hop["name"] == "route")
    assert " over peering tgw-attach-" in route["detail"], route


def test_without_the_static_route_back_the_target_is_unreachable_with_the_fix(capsys, tmp_path):
    zone = two_region_zone(tmp_path)
    edit_stack(zone, "network-hub-us-acceptance", lambda c: c["tgw_peerings"][0].pop("static_routes"))
    code, result, err = plan_json(capsys, zone)
    assert code == 1, err
    trace = reports_trace(result)
    assert trace["verdict"] == "unreachable"
    hop = trace["hops"][-1]
    assert "has no route to 10.250." in hop["detail"] and "via peering attachment tgw-attach-" in hop["fix"] and "tgw_peerings[].static_routes" in hop["fix"], hop


def test_propagation_over_the_peering_is_bad_input_with_the_fix(capsys, tmp_path):
    zone = two_region_zone(tmp_path)
    edit_stack(zone, "network-hub-us-acceptance", lambda c: c["tgw_peerings"][0].update(propagate_to=["spokes"]))
    err = refused_input(capsys, zone)
    assert "tgw_peerings[0]" in err and "AWS propagates no routes over a Transit Gateway peering attachment" in err and "Fix: list the other side's blocks as static_routes" in err, err


def test_a_peering_nobody_accepts_is_found_on_the_request(capsys, tmp_path):
    zone = two_region_zone(tmp_path)
    edit_stack(zone, "network-hub-us-acceptance", lambda c: c.pop("tgw_peerings"))
    edit_stack(zone, "network-hub-acceptance", lambda c: c.pop("tgw_peerings"))
    code, result, err = plan_json(capsys, zone)
    assert code == 1, err
    (finding,) = [f for f in result["cross_stack"] if f["policy"] == "precondition-tgw-peering"]
    assert (finding["stack"], finding["config_path"]) == ("network-hub", "transit_gateway_hub.peerings[0]")
    assert "is never accepted" in finding["message"] and "to a stack of account 111111111111 in us-east-1" in finding["message"], finding
    assert reports_trace(result)["verdict"] == "unreachable"


def test_routes_waiting_for_an_acceptance_the_named_stack_lacks_are_bad_input(capsys, tmp_path):
    zone = two_region_zone(tmp_path)
    edit_stack(zone, "network-hub-us-acceptance", lambda c: c.pop("tgw_peerings"))
    err = refused_input(capsys, zone)
    assert "tgw_peerings[0].accepted_in: 'network-hub/us-east' is not among stack 'network-hub-us-acceptance''s tgw_peering_acceptances" in err, err


def test_an_acceptance_outside_the_accepter_hubs_account_and_region_is_found(capsys, tmp_path):
    zone = two_region_zone(tmp_path)
    edit_stack(zone, "network-hub-us-acceptance", lambda c: c["account"].update(region="eu-west-1"))
    code, result, err = plan_json(capsys, zone)
    found = [f for f in result["cross_stack"] if f["policy"] == "precondition-tgw-peering"]
    assert [(f["stack"], f["config_path"]) for f in found] == [("network-hub-us-acceptance", "tgw_peerings[0]")], found
    assert "only its owner, in its region, accepts and routes" in found[0]["message"]


def move_us_stacks_to_eu_west_1(zone):
    """The second hub, its acceptance stack and tools-us in eu-west-1 too: two hubs of one region."""
    for stack in ("network-hub-us", "network-hub-us-acceptance", "tools-us"):
        edit_stack(zone, stack, lambda c: c["account"].update(region="eu-west-1"))
    edit_stack(zone, "tools-us", lambda c: [subnet.update(az_id=f"euw1-az{index + 1}") for index, subnet in enumerate(c["vpcs"][0]["subnets"])])


def test_the_same_region_peers_too(capsys, tmp_path):
    """AWS peers Transit Gateways within a region as across regions (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html)."""
    zone = two_region_zone(tmp_path)
    move_us_stacks_to_eu_west_1(zone)
    code, result, err = plan_json(capsys, zone)
    assert code == 0, (err, result and result["cross_stack"])


def test_overlapping_vpcs_that_route_to_each_other_over_the_peering_are_found(capsys, tmp_path):
    """A sandbox VPC behind the us hub reuses agentcore's 10.250.0.0/16: with the us side routing 10.250.0.0/16 over the peering
    and the eu side routing the sandbox's block back, the overlap is found on the requester's side; without the eu route it is not."""
    zone = two_region_zone(tmp_path)

    def add_sandbox(config):
        config["vpcs"].append({"name": "sandbox", "cidr": "10.250.0.0/16", "subnets": [
            {"name": "a", "cidr": "10.250.0.0/24", "az_id": "use1-az1"}, {"name": "b", "cidr": "10.250.1.0/24", "az_id": "use1-az2"}]})
        config["tgw_spokes"].append({"vpc": "sandbox", "hub_stack": "network-hub-us", "destinations": ["10.60.0.0/16"]})
    edit_stack(zone, "tools-us", add_sandbox)
    edit_stack(zone, "network-hub-us-acceptance", lambda c: c["tgw_acceptances"].append(
        {"spoke": {"stack": "tools-us", "vpc": "sandbox"}, "hub_stack": "network-hub-us", "associate_with": "spokes", "propagate_to": ["peers"]}))
    edit_stack(zone, "network-hub-acceptance", lambda c: c["tgw_peerings"][0]["static_routes"].append({"segment": "agentcore", "destination": "10.250.0.0/17"}))
    overlaps = lambda: [f for f in plan_json(capsys, zone)[1]["cross_stack"] if f["policy"] == "cross-stack-cidr-overlap"]  # noqa: E731
    (finding,) = overlaps()
    assert (finding["stack"], finding["config_path"]) == ("network-hub-acceptance", "tgw_peerings[0]")
    assert "across the Transit Gateway peering 'us-east'" in finding["message"] and "Fix: renumber VPC" in finding["message"], finding
    edit_stack(zone, "network-hub-acceptance", lambda c: c["tgw_peerings"][0]["static_routes"].pop())
    assert overlaps() == []


def test_a_security_group_reference_over_the_peering_is_found(capsys, tmp_path):
    """AWS matches a security group reference between VPCs of one Transit Gateway, never over a peering attachment (nor across
    regions): a load balancer behind the us hub admitting AgentCore's group by reference admits nothing (the target that reads
    tools-us goes: tools-us now reads agentcore)."""
    zone = two_region_zone(tmp_path)
    edit_stack(zone, "agentcore", lambda c: c["targets"].pop())
    edit_stack(zone, "tools-us", lambda c: c.update(
        certificates=[{"name": "reports", "domain": "reports.tools.example.com", "public_zone_id": "Z0EXAMPLEPUBLIC1"}],
        load_balancers=[{"name": "reports-alb", "kind": "alb", "vpc": "reports", "certificate": "reports",
                         "client_groups": [{"stack": "agentcore", "name": "to-reports"}],
                         "target_cidrs": ["10.60.0.0/24", "10.60.1.0/24"], "target_ips": ["10.60.0.10", "10.60.1.10"]}]))
    code, result, err = plan_json(capsys, zone)
    assert result, err
    found = [f for f in result["cross_stack"] if f["policy"] == "precondition-security-group-vpc"]
    assert [(f["stack"], f["config_path"]) for f in found] == [("tools-us", "load_balancers[0].client_groups[0]")], found
    assert "joined only through a Transit Gateway peering" in found[0]["message"] and "Fix: admit the clients' subnet blocks" in found[0]["message"]


EXISTING_GROUP = "sg-0123456789abcdef0"


def reports_behind_an_alb_admitting_a_group(zone):
    """AgentCore's ENIs carry an existing group (no stack reads another for it), which tools-us' ALB admits by reference; a REST
    target reaches the ALB by a private name in AgentCore's VPC."""
    edit_stack(zone, "tools-us", lambda c: c.update(
        certificates=[{"name": "reports", "domain": "api.reports.example.com", "public_zone_id": "Z0EXAMPLEPUBLIC2"}],
        load_balancers=[{"name": "reports-alb", "kind": "alb", "vpc": "reports", "certificate": "reports", "client_groups": [EXISTING_GROUP],
                         "target_cidrs": ["10.60.0.0/24", "10.60.1.0/24"], "target_ips": ["10.60.0.10", "10.60.1.10"]}]))

    def rest_target(config):
        config["private_names"].append({"name": "reports", "zone": "reports.example.com", "record": "api.reports.example.com", "vpc": "agentcore",
                                        "load_balancer": {"stack": "tools-us", "name": "reports-alb"}})
        config["targets"][-1] = {"name": "reports-rest", "managed": {"vpc": "agentcore", "security_groups": [EXISTING_GROUP]},
                                 "endpoint": {"openapi_server": "https://api.reports.example.com", "paths": ["/reports"]},
                                 "credential": {"kind": "API_KEY", "provider_arn": "arn:aws:bedrock-agentcore:eu-west-1:444444444444:token-vault/"
                                                "default/apikeycredentialprovider/orders"}}
    edit_stack(zone, "agentcore", rest_target)


@pytest.mark.parametrize("one_region, words", [
    (False, "by security group reference across an inter-region peering or Transit Gateway peering"),
    (True, "by security group reference across a Transit Gateway peering, where AWS matches no reference"),
])
def test_reachability_drops_a_security_group_reference_over_the_peering(capsys, tmp_path, one_region, words):
    zone = two_region_zone(tmp_path)
    if one_region:
        move_us_stacks_to_eu_west_1(zone)
    reports_behind_an_alb_admitting_a_group(zone)
    code, result, err = plan_json(capsys, zone)
    (trace,) = [trace for trace in result["reachability"] if trace["target"].endswith("reports-rest")]
    hop = trace["hops"][-1]
    assert (trace["verdict"], hop["name"]) == ("unreachable", "backend ingress") and words in hop["detail"], trace
