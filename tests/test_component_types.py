"""Each component's type token is a literal of its class, the token its schema gives it, and a subclass keeps it."""

import pytest

from agentcore_egress.components import COMPONENTS, PrivateVpc
from agentcore_egress.components.base import PACKAGE, EgressComponent
from fake_cloud import deploy
from test_component_schema import analyze

VPC = {"cidr_block": "10.0.0.0/24", "subnets": [{"name": "a", "cidr_block": "10.0.0.0/26", "availability_zone": "eu-west-1a"},
                                          {"name": "b", "cidr_block": "10.0.0.64/26", "availability_zone": "eu-west-1b"}]}


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda component: component.__name__)
def test_every_component_states_the_type_token_its_schema_gives_it(component):
    assert "TYPE" in vars(component), f"{component.__name__} inherits its TYPE instead of stating it"
    tokens = {f"{PACKAGE}:index:{name}" for name in analyze()["component_definitions"]}
    assert component.TYPE in tokens and component.TYPE == f"{PACKAGE}:index:{component.__name__}"


def test_a_users_subclass_creates_what_its_parent_creates_under_the_same_urns():
    class TeamVpc(PrivateVpc):
        """A team's VPC with its own defaults: the same component to Pulumi."""

    parent = deploy(lambda: PrivateVpc("tools", VPC))
    child = deploy(lambda: TeamVpc("tools", VPC))
    assert [r.urn for r in child.registrations] == [r.urn for r in parent.registrations]
    assert child.named("tools").type == "agentcore-egress:index:PrivateVpc"


def test_a_component_without_a_type_token_is_refused_with_the_fix():
    class Untyped(EgressComponent):
        """No TYPE."""

    with pytest.raises(TypeError, match="TYPE = 'agentcore-egress:index:Untyped'"):
        deploy(lambda: Untyped("x", None))
