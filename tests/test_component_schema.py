"""The components must be expressible for other Pulumi languages (component_provider_host)."""

from pulumi.provider.experimental.analyzer import Analyzer

from agentcore_egress.components import COMPONENTS


def analyze():
    return Analyzer("agentcore-egress").analyze(COMPONENTS)


def test_every_component_has_a_schema_with_inputs_outputs_and_docs():
    definitions = analyze()["component_definitions"]
    assert set(definitions) == {component.__name__ for component in COMPONENTS}
    for name, definition in definitions.items():
        assert definition.description, f"{name} has no docstring"
        assert definition.inputs and definition.outputs, name
        undocumented = [key for key, prop in {**definition.inputs, **definition.outputs}.items() if not prop.description]
        assert not undocumented, f"{name}: {undocumented} have no docstring"


def test_required_and_optional_inputs_match_the_args_classes():
    definitions = analyze()["component_definitions"]
    hub = definitions["TransitGatewayHub"].inputs
    assert not hub["segments"].optional and not hub["shareWith"].optional
    assert hub["amazonSideAsn"].optional and hub["tags"].optional
    spoke = definitions["TransitGatewaySpoke"].inputs
    assert spoke["routeTableIds"].additional_properties is not None
    assert spoke["applianceMode"].optional


def test_nested_arg_types_are_named_types():
    result = analyze()
    assert "PrivateSubnetArgs" in result["type_definitions"]
    subnet = result["type_definitions"]["PrivateSubnetArgs"]
    assert set(subnet.properties) == {"name", "cidrBlock", "availabilityZone", "availabilityZoneId"}
    assert subnet.properties["availabilityZone"].optional and subnet.properties["availabilityZoneId"].optional
