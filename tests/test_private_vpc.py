import pytest

from agentcore_egress.components import InputValidationError, PrivateVpc
from fake_cloud import deploy
from topologies import vpc_args

VPC = "aws:ec2/vpc:Vpc"


def build(args, name="payments"):
    def program():
        vpc = PrivateVpc(name, args)
        return {
            "vpc_id": vpc.vpc_id,
            "subnet_ids": vpc.subnet_ids,
            "attachment_subnet_ids": vpc.attachment_subnet_ids,
            "route_table_ids": vpc.route_table_ids,
            "default_sg": vpc.default_security_group_id,
        }

    return deploy(program)


def test_vpc_has_dns_on_and_private_subnets_with_a_route_table_each():
    d = build(vpc_args(20, ("eu-west-1a", "eu-west-1b", "eu-west-1c")))
    vpc = d.named("payments-vpc")
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True
    subnets = d.of_type("aws:ec2/subnet:Subnet")
    assert sorted(s.inputs["availabilityZone"] for s in subnets) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)
    associations = d.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    assert len(d.of_type("aws:ec2/routeTable:RouteTable")) == 3 and len(associations) == 3
    assert {a.name for a in associations} == {"payments-rta-a", "payments-rta-b", "payments-rta-c"}
    assert sorted(d.result["route_table_ids"]) == ["a", "b", "c"]


def test_no_path_to_the_internet_is_created():
    d = build(vpc_args(20))
    forbidden = {"aws:ec2/internetGateway:InternetGateway", "aws:ec2/natGateway:NatGateway", "aws:ec2/route:Route", "aws:ec2/eip:Eip"}
    assert forbidden.isdisjoint(d.types)


def test_default_security_group_is_adopted_with_no_rules():
    d = build(vpc_args(20))
    default_sg = d.named("payments-default-sg")
    assert default_sg.inputs.get("ingress", []) == [] and default_sg.inputs.get("egress", []) == []
    assert default_sg.inputs["vpcId"] == d.result["vpc_id"]
    assert d.result["default_sg"].startswith("sg-")


def test_children_are_named_by_role_and_parented_to_the_component():
    d = build(vpc_args(20))
    component = d.named("payments")
    assert component.type == "agentcore-egress:index:PrivateVpc"
    children = [r for r in d.registrations if r is not component]
    assert children and all(r.parent == component.urn for r in children)
    assert all(r.name.startswith("payments-") for r in children)
    assert set(d.component_outputs[component.urn]) >= {"vpc_id", "subnet_ids", "route_table_ids", "attachment_subnet_ids"}


def test_attachment_subnets_are_one_per_zone():
    args = vpc_args(20)
    args["subnets"].append({"name": "a2", "cidr_block": "10.20.9.0/24", "availability_zone": "eu-west-1a"})
    d = build(args)
    assert len(d.result["subnet_ids"]) == 3
    first_a, first_b, second_a = d.result["subnet_ids"]
    assert d.result["attachment_subnet_ids"] == [first_a, first_b]


@pytest.mark.parametrize(
    "mutate, field, words",
    [
        (lambda a: a.update(cidr_block="10.20.0.0/33"), "cidr_block", "not a CIDR block"),
        (lambda a: a.update(cidr_block="10.20.0.1/16"), "cidr_block", "host bits"),
        (lambda a: a.update(cidr_block="10.0.0.0/8"), "cidr_block", "not a valid VPC size"),
        (lambda a: a["subnets"][1].update(cidr_block="10.20.0.128/25"), "subnets", "overlaps"),
        (lambda a: a["subnets"][1].update(cidr_block="10.21.0.0/24"), "subnets[1].cidr_block", "outside the VPC's blocks"),
        (lambda a: a["subnets"][1].update(availability_zone="eu-west-1a"), "subnets", "one availability zone"),
        (lambda a: a["subnets"][1].update(availability_zone="us-east-1b"), "subnets", "spans regions"),
        (lambda a: a["subnets"][1].update(availability_zone="west"), "subnets[1].availability_zone", "not an availability zone"),
        (lambda a: a["subnets"][1].update(name="a"), "subnets[1].name", "used by another subnet"),
        (lambda a: a.update(subnets=[]), "subnets", "is empty"),
    ],
)
def test_bad_input_is_refused_before_anything_is_created(mutate, field, words):
    args = vpc_args(20)
    mutate(args)
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: PrivateVpc("payments", args))
    assert error.value.field == field
    assert words in str(error.value)
    assert "PrivateVpc 'payments'" in str(error.value) and "Fix:" in str(error.value)


def test_refused_input_registers_no_resource():
    args = vpc_args(20)
    args["subnets"][1]["cidr_block"] = "10.99.0.0/24"
    registered = []

    def program():
        try:
            PrivateVpc("payments", args)
        except InputValidationError:
            registered.append("refused")

    d = deploy(program)
    assert registered == ["refused"]
    assert d.registrations == []
