"""Stack files say nothing silently: what plan refuses (exit 2, one line naming the file, the key and the fix)."""

import pytest

from agentcore_egress.cli.main import main
from agentcore_egress.stacks.landing_zone import LandingZone
from landing_zones import TGW_EXAMPLE, copy_zone, edit_stack


def refused(capsys, zone):
    code = main(["plan", str(zone), "--quiet"])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert "Traceback" not in captured.err
    return captured.err


def rename_key(stack_file, old, new):
    stack_file.write_text(stack_file.read_text().replace(old, new, 1))


@pytest.mark.parametrize("namespace", ["agentcore_egress", "agentcore-egres", "agentcroe-egress", "Agentcore-Egress"])
def test_keys_under_a_look_alike_namespace_are_refused(capsys, tmp_path, namespace):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    rename_key(zone / "Pulumi.agentcore.yaml", "agentcore-egress:private_names:", f"{namespace}:private_names:")
    err = refused(capsys, zone)
    assert f"Pulumi.agentcore.yaml: {namespace}:private_names: namespace '{namespace}' is not 'agentcore-egress'" in err
    assert "Fix: write agentcore-egress:private_names" in err


def test_another_package_s_namespace_is_left_alone(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    path = zone / "Pulumi.agentcore.yaml"
    path.write_text(path.read_text().replace("config:\n", "config:\n  aws:region: eu-west-1\n", 1))
    assert main(["plan", str(zone), "--quiet", "--format", "json"]) == 0


def test_an_unknown_key_gets_a_did_you_mean(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    rename_key(zone / "Pulumi.agentcore.yaml", "      cidr: 10.250.0.0/16", "      cidrs: 10.250.0.0/16")
    err = refused(capsys, zone)
    assert "agentcore-egress:vpcs[0].cidrs: is not a known key. Fix: did you mean 'cidr'?" in err


def test_a_repeated_key_is_refused_naming_both_lines(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    path = zone / "Pulumi.agentcore.yaml"
    lines = path.read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("  agentcore-egress:gateway:"))
    lines[first:first] = ["  agentcore-egress:gateway:", "    name: shadowed"]
    path.write_text("\n".join(lines) + "\n")
    err = refused(capsys, zone)
    assert f"line {first + 3}: key 'agentcore-egress:gateway' is given twice (first on line {first + 1})" in err


def test_a_region_aws_does_not_have_is_refused_with_the_closest_one(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", lambda c: c["account"].update(region="eu-west-9"))
    err = refused(capsys, zone)
    assert "agentcore-egress:account.region: 'eu-west-9' is not an AWS region" in err and "did you mean 'eu-west-" in err


def test_an_availability_zone_of_another_region_is_refused(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", lambda c: c["vpcs"][0]["subnets"][1].update(az="eu-central-1b"))
    err = refused(capsys, zone)
    assert ("Pulumi.tools-mcp.yaml: agentcore-egress:vpcs[0].subnets[1].az: 'eu-central-1b' is an availability zone of eu-central-1, "
            "not of the account's region eu-west-1") in err


def test_an_availability_zone_that_is_no_zone_name_is_refused(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", lambda c: c["vpcs"][0]["subnets"][1].update(az="euw1-az2"))
    assert "'euw1-az2' is not an availability zone name" in refused(capsys, zone)


def test_a_stack_name_pulumi_refuses_is_refused(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    (zone / "Pulumi.tools-mcp.yaml").rename(zone / "Pulumi.tools mcp!.yaml")
    assert "stack name 'tools mcp!' is not one Pulumi accepts" in refused(capsys, zone)


def test_a_key_without_namespace_is_refused_as_pulumi_refuses_it(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    rename_key(zone / "Pulumi.agentcore.yaml", "agentcore-egress:gateway:", "gateway:")
    assert "config key 'gateway' has no namespace" in refused(capsys, zone)


def test_an_acceptance_into_a_segment_the_hub_lacks_is_refused(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "network-hub-acceptance", lambda c: c["tgw_acceptances"][0].update(propagate_to=["agentcore", "shared"]))
    err = refused(capsys, zone)
    assert ("Pulumi.network-hub-acceptance.yaml: agentcore-egress:tgw_acceptances[0].propagate_to[1]: 'shared' is not among stack "
            "'network-hub''s segments ['agentcore', 'spokes']") in err


def test_an_availability_zone_letter_the_region_lacks_is_refused_and_its_last_zone_passes(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", lambda c: c["vpcs"][0]["subnets"][1].update(az="eu-west-1d"))
    assert ("agentcore-egress:vpcs[0].subnets[1].az: 'eu-west-1d' is not an availability zone of eu-west-1, which has eu-west-1a, eu-west-1b, "
            "eu-west-1c. Fix: use one of those") in refused(capsys, zone)
    edit_stack(zone, "tools-mcp", lambda c: c["vpcs"][0]["subnets"][1].update(az="eu-west-1c"))
    assert LandingZone.load(zone).stacks["tools-mcp"].config.vpcs[0].subnets[1].az == "eu-west-1c"


def test_the_availability_zone_table_covers_every_region_botocore_knows():
    """The table comes from https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html
    (AZ IDs per region) and `aws ec2 describe-availability-zones --all-availability-zones`; a botocore that knows a new region
    of these partitions fails here until the region's zones are added."""
    import botocore.loaders

    from agentcore_egress.stacks.aws_regions import AVAILABILITY_ZONE_LETTERS

    partitions = botocore.loaders.Loader().load_data("endpoints")["partitions"]
    regions = {region for p in partitions if p["partition"] in ("aws", "aws-cn", "aws-us-gov") for region in p["regions"]}
    assert sorted(regions - set(AVAILABILITY_ZONE_LETTERS)) == [] and sorted(set(AVAILABILITY_ZONE_LETTERS) - regions) == []
    assert all(len(letters) >= 3 and letters == "".join(sorted(set(letters))) for letters in AVAILABILITY_ZONE_LETTERS.values())


def test_a_zone_letter_no_region_has_is_not_called_another_regions_zone(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", lambda c: c["vpcs"][0]["subnets"][1].update(az="eu-central-1z"))
    assert "'eu-central-1z' is not an availability zone name AWS has" in refused(capsys, zone)
