"""The landing-zone model over existing resources, on the brownfield example's committed snapshots (edited): overlaps with a VPC an
existing Transit Gateway has attached already, and a target's backend reached through an existing zone's record."""

import shutil
from pathlib import Path

import pytest

from agentcore_egress.planner.cross_stack_checks import cross_stack_findings
from agentcore_egress.planner.existing_network import checked_snapshots
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.planner.topology import mermaid
from agentcore_egress.stacks.landing_zone_model import Backend, LandingZoneModel
from brownfield import AGENTCORE_CIDR, EXAMPLE, edit_snapshot
from landing_zones import edit_stack


@pytest.fixture
def zone(tmp_path) -> Path:
    return Path(shutil.copytree(EXAMPLE, tmp_path / "brownfield"))


def model_of(zone: Path) -> LandingZoneModel:
    landing_zone = LandingZone.load(zone)
    return LandingZoneModel(landing_zone, checked_snapshots(landing_zone))


def findings_of(zone: Path, rule: str) -> list:
    return [f for f in cross_stack_findings(model_of(zone)) if f.policy == rule]


def overlaps(zone: Path) -> list:
    return findings_of(zone, "cross-stack-cidr-overlap")


def _tools_takes_a_block_of_agentcore(existing):
    existing["vpcs"]["tools"]["secondary_cidr_blocks"].append("10.50.128.0/17")


def _tools_attachment_alone_on_shared(existing):
    tables = existing["transit_gateways"]["core"]["route_tables"]
    tables["shared"]["associations"], tables["spokes"]["associations"] = tables["spokes"]["associations"], {}
    tables["shared"]["propagations"], tables["spokes"]["propagations"] = tables["spokes"]["propagations"], {}


def test_the_example_has_no_overlap(zone):
    assert overlaps(zone) == []


def test_a_new_spoke_overlapping_a_vpc_attached_already_is_reported_on_the_spoke(zone):
    edit_snapshot(zone, "tools", _tools_takes_a_block_of_agentcore)
    [finding] = overlaps(zone)
    assert (finding.stack, finding.config_path) == ("agentcore", "tgw_spokes[0]")
    assert finding.message.startswith(f"VPC agentcore (stack agentcore, {AGENTCORE_CIDR}) overlaps VPC tools (stack tools, 10.50.128.0/17), "
                                      "attached already to the existing Transit Gateway 'core' of stack 'network' as tgw-attach-")
    assert "both propagate into the route table of segment 'spokes'" in finding.message and "Fix: renumber VPC agentcore" in finding.message


def test_the_overlapping_vpcs_in_isolated_segments_pass(zone):
    """The nearest legitimate zone: the attached VPC is associated with and propagates into 'shared' only, which the new spoke
    never reaches (its acceptance keeps it on 'spokes')."""
    edit_snapshot(zone, "tools", _tools_takes_a_block_of_agentcore)
    edit_snapshot(zone, "network", _tools_attachment_alone_on_shared)
    assert overlaps(zone) == []


def test_a_static_route_to_the_attachment_joins_them_too(zone):
    edit_snapshot(zone, "tools", _tools_takes_a_block_of_agentcore)

    def isolated_but_routed(existing):
        _tools_attachment_alone_on_shared(existing)
        [attachment] = existing["transit_gateways"]["core"]["attachments"]
        existing["transit_gateways"]["core"]["route_tables"]["spokes"]["routes"]["10.20.0.0/16"] = {"attachments": [attachment], "state": "active"}

    edit_snapshot(zone, "network", isolated_but_routed)
    [finding] = overlaps(zone)
    assert "the route table of segment 'spokes', which agentcore (stack agentcore) is associated with, has a static route to attachment" in finding.message


def _attached(ident, vpc_id, owner, learned):
    """An attachment of another VPC, associated with and propagating into 'spokes', which learned ``learned`` from it."""
    def change(existing):
        gateway = existing["transit_gateways"]["core"]
        gateway["attachments"][ident] = {"resource_id": vpc_id, "resource_owner": owner, "resource_type": "vpc", "state": "available"}
        spokes = gateway["route_tables"]["spokes"]
        spokes["associations"][ident] = spokes["propagations"][ident] = {"resource_id": vpc_id, "resource_type": "vpc", "state": "associated"}
        spokes["propagated_routes"][learned] = [ident]
    return change


def test_a_vpc_no_snapshot_names_overlaps_by_the_block_the_gateway_learned_from_its_attachment(zone):
    edit_snapshot(zone, "network", _attached("tgw-attach-0000000000000000a", "vpc-0000000000000000a", "444444444444", "10.50.0.0/20"))
    [finding] = overlaps(zone)
    assert (finding.stack, finding.config_path) == ("agentcore", "tgw_spokes[0]")
    assert finding.message.startswith("VPC agentcore (stack agentcore, 10.50.0.0/16) overlaps VPC vpc-0000000000000000a (account 444444444444, "
                                      "10.50.0.0/20, a block the gateway learned from its attachment), attached already to the existing Transit "
                                      "Gateway 'core' of stack 'network' as tgw-attach-0000000000000000a"), finding.message


def test_the_own_attachment_of_a_spoke_vpc_we_create_discovered_after_its_rollout_is_no_overlap(zone):
    """A plan does not know the id of a VPC our stacks create: an attachment from its account learned with exactly its block is
    its own; one with another block (a VPC of the same account) is not."""
    def declared_vpc(config):
        del config["existing"]
        config["vpcs"] = [{"name": "agentcore", "cidr": AGENTCORE_CIDR, "subnets": [
            {"name": "a", "cidr": "10.50.0.0/24", "az": "eu-west-1a"}, {"name": "b", "cidr": "10.50.1.0/24", "az": "eu-west-1b"}]}]

    edit_stack(zone, "agentcore", declared_vpc)
    (zone / "existing" / "agentcore.json").unlink()
    edit_snapshot(zone, "network", _attached("tgw-attach-0000000000000000b", "vpc-0000000000000000b", "333333333333", AGENTCORE_CIDR))
    assert overlaps(zone) == []
    edit_snapshot(zone, "network", _attached("tgw-attach-0000000000000000c", "vpc-0000000000000000c", "333333333333", "10.50.0.0/17"))
    assert [f.message.split(", attached")[0] for f in overlaps(zone)] == [
        "VPC agentcore (stack agentcore, 10.50.0.0/16) overlaps VPC vpc-0000000000000000c (account 333333333333, 10.50.0.0/17, "
        "a block the gateway learned from its attachment)"]


def test_a_target_reaches_an_existing_load_balancer_through_an_existing_zone_s_alias(zone):
    model = model_of(zone)
    [target] = model.config("agentcore").targets
    assert model.backend_of("agentcore", target) == Backend("load_balancers", "tools", "orders")
    assert model.backend_vpc("agentcore", target) == ("tools", "tools")
    assert "agentcore__target__orders ==> tools__load_balancers__orders" in mermaid(model.zone, existing=model.existing)


def test_a_cname_of_the_load_balancer_leads_there_too(zone):
    def cname(existing):
        records = existing["private_zones"]["tools"]["records"]
        alias = records.pop("orders.tools.example.com. A")["alias"]
        records["orders.tools.example.com. CNAME"] = {"alias": None, "ttl": 60, "values": [alias["dns_name"].upper() + "."]}

    edit_snapshot(zone, "tools", cname)
    [target] = model_of(zone).config("agentcore").targets
    assert model_of(zone).backend_of("agentcore", target) == Backend("load_balancers", "tools", "orders")


def test_the_managed_path_to_an_existing_backend_runs_through_its_existing_attachment(zone):
    """The backend's VPC is attached to the existing Transit Gateway already: the new spoke joins it there. Without that
    attachment (a snapshot edit) no path joins them, and the target's entry says so."""
    assert findings_of(zone, "cross-stack-managed-path") == []

    def detached(existing):
        existing["transit_gateways"]["core"]["attachments"] = {}

    edit_snapshot(zone, "network", detached)
    [finding] = findings_of(zone, "cross-stack-managed-path")
    assert (finding.stack, finding.config_path) == ("agentcore", "targets[0].managed.vpc")
    assert "to the backend's VPC tools (stack tools)" in finding.message
