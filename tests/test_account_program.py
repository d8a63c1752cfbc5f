"""The account program records where in the stack file each component comes from."""

from pathlib import Path

import pytest

from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.planner.plan import run_plan
from agentcore_egress.simulation.monitor import run_program
from agentcore_egress.simulation.simulated_aws import SimulatedAws
from agentcore_egress.stacks.account_program import build, spoke_accounts
from agentcore_egress.stacks.errors import ConfigError
from landing_zones import add_tgw_spoke_stack, copy_zone

STACKS = Path(__file__).resolve().parent.parent / "stacks"


@pytest.fixture(scope="module")
def zone_outputs():
    zone = LandingZone.load(STACKS)
    return zone, {plan.name: plan.outputs for plan in run_plan(zone).stacks}


def _build(zone_outputs, stack: str):
    zone, outputs = zone_outputs
    config = zone.stacks[stack].config
    key_paths: dict[str, str] = {}
    deployment = run_program(
        lambda: build(stack, config, "organization/agentcore-egress/", key_paths),
        mocks=SimulatedAws(config.account.id, config.account.region, outputs), stack=stack,
    )
    return key_paths, deployment.registrations


@pytest.mark.parametrize("stack", ["network-hub", "tools-payments", "tools-mcp", "agentcore", "network-hub-acceptance"])
def test_every_component_the_program_makes_is_located_in_its_stack_file(zone_outputs, stack):
    key_paths, registrations = _build(zone_outputs, stack)
    source = zone_outputs[0].stacks[stack].source
    # The program's own components are the children of the stack (children of components are named after them).
    top_level = {f"{r.type.rsplit(':', 1)[-1]}::{r.name}" for r in registrations
                 if not r.custom and r.type.startswith("agentcore-egress:") and "pulumi:pulumi:Stack::" in r.parent}
    assert top_level and top_level == set(key_paths)
    for path in key_paths.values():
        assert source.line_of(path) > 1, path


def test_targets_and_vpcs_are_located_by_their_own_entries(zone_outputs):
    zone, _ = zone_outputs
    key_paths, _ = _build(zone_outputs, "agentcore")
    config = zone.stacks["agentcore"].config
    assert [key_paths[f"GatewayTarget::{t.name}"] for t in config.targets] == [f"targets[{i}]" for i in range(len(config.targets))]
    assert [key_paths[f"PrivateVpc::{v.name}"] for v in config.vpcs] == [f"vpcs[{i}]" for i in range(len(config.vpcs))]


def test_names_that_repeat_across_sections_keep_both_locations(zone_outputs):
    key_paths, _ = _build(zone_outputs, "tools-mcp")
    assert key_paths["PublicCertificate::mcp"] == "certificates[0]"
    assert key_paths["SharedLatticeResource::mcp"] == "lattice_resources[0]"


def test_each_program_run_hangs_its_resources_under_its_own_stack(zone_outputs):
    # Several stacks are simulated in one process; each must have its own root Stack.
    for stack in ("tools-mcp", "agentcore"):
        _, registrations = _build(zone_outputs, stack)
        parents = {r.parent for r in registrations if r.type.startswith("agentcore-egress:") and "pulumi:pulumi:Stack::" in r.parent}
        assert parents == {f"urn:pulumi:{stack}::agentcore-egress::pulumi:pulumi:Stack::agentcore-egress-{stack}"}


def _shared_services_in_the_hub_account(zone_dir):
    """A spoke VPC of the hub's own account (111111111111), attached to the hub and placed by the acceptance stack."""
    add_tgw_spoke_stack(zone_dir, "shared-services", {"id": "111111111111", "region": "eu-west-1",
                                                       "role_arn": "arn:aws:iam::111111111111:role/pulumi-deploy"}, "shared", 40)


def test_a_spoke_in_the_hubs_own_account_is_placed_in_segments_but_not_accepted(tmp_path):
    """AWS accepts an attachment of the Transit Gateway owner's own account itself; a VpcAttachmentAccepter for it would fail."""
    zone_dir = copy_zone(STACKS, tmp_path / "zone")
    _shared_services_in_the_hub_account(zone_dir)
    result = run_plan(LandingZone.load(zone_dir))
    acceptance = next(stack for stack in result.stacks if stack.name == "network-hub-acceptance")
    accepters = [r.name for r in acceptance.registrations if r.type == "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter"]
    assert sorted(accepters) == ["agentcore-agentcore-accepter", "tools-payments-payments-accepter"]
    associations = [r.name for r in acceptance.registrations if r.type == "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"]
    assert "shared-services-shared-association" in associations
    assert [f for f in result.cross_stack if f.level == "mandatory"] == []


def test_the_program_reads_the_accounts_of_the_spokes_it_accepts_from_their_stack_files(tmp_path):
    zone_dir = copy_zone(STACKS, tmp_path / "zone")
    _shared_services_in_the_hub_account(zone_dir)
    config = LandingZone.load(zone_dir).stacks["network-hub-acceptance"].config
    assert spoke_accounts(config, zone_dir) == {"tools-payments": "222222222222", "agentcore": "444444444444", "shared-services": "111111111111"}
    (zone_dir / "Pulumi.shared-services.yaml").unlink()
    with pytest.raises(ConfigError, match=r"Pulumi.shared-services.yaml: not found; tgw_acceptances\[2\].spoke names stack 'shared-services'"):
        spoke_accounts(config, zone_dir)
