"""cross-stack-cidr-overlap over an existing Transit Gateway: a spoke our stacks attach overlaps a VPC the gateway's snapshot
shows attached already, where a route table joins them; the brownfield example's committed snapshots, edited."""

import json
import shutil
from pathlib import Path

import pytest

from agentcore_egress.planner.cross_stack_checks import cross_stack_findings
from agentcore_egress.planner.existing_network import checked_snapshots
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.stacks.landing_zone_model import LandingZoneModel
from brownfield import AGENTCORE_CIDR
from child_processes import REPOSITORY

EXAMPLE = REPOSITORY / "examples" / "landing-zones" / "brownfield"


@pytest.fixture
def zone(tmp_path) -> Path:
    return Path(shutil.copytree(EXAMPLE, tmp_path / "brownfield"))


def edit_snapshot(zone: Path, stack: str, change) -> None:
    path = zone / "existing" / f"{stack}.json"
    snapshot = json.loads(path.read_text())
    change(snapshot["existing"])
    path.write_text(json.dumps(snapshot, indent=2, sort_keys=True) + "\n")


def overlaps(zone: Path) -> list:
    landing_zone = LandingZone.load(zone)
    findings = cross_stack_findings(LandingZoneModel(landing_zone, checked_snapshots(landing_zone)))
    return [f for f in findings if f.policy == "cross-stack-cidr-overlap"]


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
