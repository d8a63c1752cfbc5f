"""The landing-zone model: the answers every planner part reads (reuse keys, backends, shares)."""

from agentcore_egress.components.reuse_key import read_reuse_key
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.stacks.landing_zone_model import Backend, LandingZoneModel
from landing_zones import TGW_EXAMPLE, copy_zone, edit_stack


def model_of(zone):
    return LandingZoneModel(LandingZone.load(zone))


def test_managed_targets_share_a_resource_gateway_exactly_when_their_reuse_keys_match(tmp_path):
    assert len(model_of(TGW_EXAMPLE).managed_reuse_keys_in(("agentcore", "agentcore"))) == 1  # as plan's footprint predicts
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "ip")
    edit_stack(zone, "agentcore", lambda c: c["targets"][1]["managed"].update(ip_type="IPV6"))
    assert len(model_of(zone).managed_reuse_keys_in(("agentcore", "agentcore"))) == 2
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "groups")
    edit_stack(zone, "agentcore", lambda c: c["targets"][1]["managed"].update(security_groups=["to-payments", "sg-0123456789abcdef0"]))
    keys = model_of(zone).managed_reuse_keys_in(("agentcore", "agentcore"))
    assert len(keys) == 2
    # The key is the component's own (managed_reuse_key): subnets of the VPC included.
    assert {tuple(read_reuse_key(key)["subnets"]) for key in keys} == {("agentcore/agentcore/a", "agentcore/agentcore/b")}


def test_a_host_name_resolves_to_the_load_balancer_of_the_private_name_on_the_target_s_vpc():
    model = model_of(TGW_EXAMPLE)
    targets = {target.name: target for target in model.config("agentcore").targets}
    assert model.backend_of("agentcore", targets["orders-rest"]) == Backend("load_balancers", "tools-payments", "orders-alb")
    assert model.backend_of("agentcore", targets["orders-api"]) == Backend("private_apis", "tools-payments", "orders-api")
    assert model.backend_vpc("agentcore", targets["orders-rest"]) == ("tools-payments", "payments")


def test_a_share_reaches_an_account_directly_through_its_ou_or_the_organization(tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "network-hub", lambda c: c["organization"].update(units={"ou-ab12-cdef3456": ["222222222222"]}))
    model = model_of(zone)
    org = "arn:aws:organizations::111111111111:organization/o-exampleorg1"
    ou = "arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-cdef3456"
    other_org = "arn:aws:organizations::999999999999:organization/o-otherorg123"
    assert model.share_reaches(["222222222222"], "222222222222")
    assert model.share_reaches([org], "333333333333")
    assert model.share_reaches([ou], "222222222222") and not model.share_reaches([ou], "333333333333")
    assert not model.share_reaches([other_org], "222222222222")
    assert not model.share_reaches([org], "999999999999")  # not an account of the landing zone


def test_a_vpc_of_the_hub_s_own_account_needs_no_acceptance(tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "network-hub-acceptance", lambda c: c["tgw_acceptances"].pop(1))  # agentcore's attachment
    assert not model_of(zone).connected(("agentcore", "agentcore"), ("tools-payments", "payments"))
    # The AgentCore stack moves into the hub's account: AWS accepts a same-account attachment itself.
    edit_stack(zone, "agentcore", lambda c: c["account"].update(id="111111111111", role_arn="arn:aws:iam::111111111111:role/pulumi-deploy"))
    assert model_of(zone).connected(("agentcore", "agentcore"), ("tools-payments", "payments"))
