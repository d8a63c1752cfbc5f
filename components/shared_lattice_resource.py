"""Self-managed mode: a Resource Gateway and Resource Configurations, shared with RAM."""

import ipaddress
from typing import Any, Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import validation
from .base import EgressComponent, merge_tags, on_path
from .errors import InputValidationError
from .resource_share import share_inside_organization
from .security_group import Rule, given_or_scoped


class LatticeChildConfigurationArgs(TypedDict):
    """One resource of a GROUP configuration (a CHILD configuration: it reaches its resource through the group's gateway)."""

    name: str
    """Stable key of the child within its group, e.g. 'orders'."""
    domain_name: NotRequired[str]
    """DNS name of the endpoint (give this or ip_address)."""
    ip_address: NotRequired[str]
    """IP address of the endpoint (give this or domain_name)."""
    port_ranges: NotRequired[list[str]]
    """Ports the consumer may reach; the group's when left out."""


class LatticeResourceConfigurationArgs(TypedDict):
    """One Resource Configuration of the Resource Gateway: an endpoint (type SINGLE, TCP), a group of endpoints (GROUP with
    CHILD configurations) or an AWS resource by ARN (type ARN)."""

    name: str
    """Stable key of the configuration, e.g. 'orders-api'."""
    port_ranges: NotRequired[list[str]]
    """Ports the consumer may reach, e.g. ['443'] or ['8000-8010'] (not for an ARN configuration, whose resource decides)."""
    domain_name: NotRequired[str]
    """DNS name of the endpoint, e.g. 'orders.internal.example.com' (give one of domain_name, ip_address, arn, children)."""
    ip_address: NotRequired[str]
    """IP address of the endpoint."""
    arn: NotRequired[str]
    """An AWS resource that VPC Lattice reaches by its ARN, such as an RDS database (type ARN)."""
    children: NotRequired[list[LatticeChildConfigurationArgs]]
    """The endpoints of a GROUP configuration, one CHILD configuration each; the group is shared and its children with it."""


class SharedLatticeResourceArgs(TypedDict):
    """Inputs of :class:`SharedLatticeResource`."""

    vpc_id: pulumi.Input[str]
    """Id of the resource VPC."""
    subnet_ids: list[pulumi.Input[str]]
    """Subnets for the Resource Gateway's ENIs (one ENI per subnet); use two or more AZs."""
    configurations: list[LatticeResourceConfigurationArgs]
    """The endpoints to expose, one Resource Configuration each."""
    share_with: list[str]
    """RAM principals (AgentCore gateway accounts, OU or organization ARNs) that may use the configurations."""
    security_group_ids: NotRequired[list[pulumi.Input[str]]]
    """1 to 5 security groups of the Resource Gateway; when left out, one scoped to the backends' ports is created."""
    backend_cidrs: NotRequired[list[str]]
    """Blocks the created security group may reach on the configurations' ports (required when security_group_ids is left out)."""
    vpc_default_security_group_id: NotRequired[pulumi.Input[str]]
    """The VPC's default security group, when known, so that it can be refused in security_group_ids."""
    ip_address_type: NotRequired[str]
    """IPV4 (default), IPV6 or DUALSTACK."""
    ipv4_addresses_per_eni: NotRequired[int]
    """IPv4 addresses per ENI (1-62); more addresses, more concurrent connections."""
    tags: NotRequired[dict[str, str]]
    """Tags added to every resource."""


class SharedLatticeResource(EgressComponent):
    """A VPC Lattice Resource Gateway with Resource Configurations, shared to gateway accounts with RAM.

    This is AgentCore's self-managed mode: you own the gateway, choose how many
    IPs each ENI gets, put several configurations behind one set of ENIs, and
    reach across accounts by sharing the configurations (never the whole VPC).
    A gateway target in the consumer account points at a configuration ARN.
    """

    TYPE = "agentcore-egress:index:SharedLatticeResource"

    resource_gateway_id: pulumi.Output[str]
    """Id of the Resource Gateway."""
    configuration_arns: pulumi.Output[dict[str, str]]
    """Resource Configuration ARN per configuration name (what a GatewayTarget takes)."""
    configuration_ids: pulumi.Output[dict[str, str]]
    """Resource Configuration id per configuration name."""
    resource_share_arn: pulumi.Output[str]
    """ARN of the RAM share of the configurations."""
    security_group_ids: pulumi.Output[list[str]]
    """Security groups of the Resource Gateway."""

    def __init__(self, name: str, args: SharedLatticeResourceArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        principals, ports = _validate(name, args)
        super().__init__(name, opts)
        tags = on_path(self, args.get("tags"))

        security_group_ids = given_or_scoped(
            self,
            args.get("security_group_ids"),
            args["vpc_id"],
            f"Resource Gateway {name}: egress to its backends only",
            egress=[Rule(first, last, args.get("backend_cidrs") or [], f"to backends on {first}-{last}") for first, last in ports],
            tags=tags,
        )
        gateway = aws.vpclattice.ResourceGateway(
            self.child_name("gateway"),
            vpc_id=args["vpc_id"],
            subnet_ids=args["subnet_ids"],
            security_group_ids=security_group_ids,
            ip_address_type=args.get("ip_address_type", "IPV4"),
            ipv4_addresses_per_eni=args.get("ipv4_addresses_per_eni"),
            tags=merge_tags(name, tags),
            opts=self.child_options(),
        )
        arns: dict[str, pulumi.Output[str]] = {}
        ids: dict[str, pulumi.Output[str]] = {}
        shared: dict[str, pulumi.Output[str]] = {}
        for configuration in args["configurations"]:
            for key, created in self._configuration(name, gateway, configuration, tags).items():
                arns[key], ids[key] = created.arn, created.id
            shared[configuration["name"]] = arns[configuration["name"]]
        share = share_inside_organization(self, "share", shared, principals, tags)

        self.resource_gateway_id = gateway.id
        self.configuration_arns = pulumi.Output.all(**arns)
        self.configuration_ids = pulumi.Output.all(**ids)
        self.resource_share_arn = share.arn
        self.security_group_ids = pulumi.Output.from_input(security_group_ids)
        self.register_outputs(
            {
                "resource_gateway_id": self.resource_gateway_id,
                "configuration_arns": self.configuration_arns,
                "configuration_ids": self.configuration_ids,
                "resource_share_arn": self.resource_share_arn,
                "security_group_ids": self.security_group_ids,
            }
        )


    def _configuration(self, name: str, gateway: aws.vpclattice.ResourceGateway, configuration: LatticeResourceConfigurationArgs,
                       tags: dict[str, str]) -> dict[str, aws.vpclattice.ResourceConfiguration]:
        """``-config-<key>`` of the configuration's type, and for a group ``-config-<key>-<child>`` per child (keyed ``<key>/<child>``).

        What each type takes, as the vpc-lattice service model botocore ships says (CreateResourceConfiguration): port ranges
        for SINGLE, GROUP and CHILD; the protocol for SINGLE and GROUP; the gateway for SINGLE, GROUP and ARN (a CHILD
        inherits its group's); a definition for SINGLE, CHILD and ARN."""
        key = configuration["name"]
        if configuration.get("arn"):
            created = aws.vpclattice.ResourceConfiguration(
                self.child_name(f"config-{key}"), resource_gateway_identifier=gateway.id, type="ARN",
                resource_configuration_definition={"arn_resource": {"arn": configuration["arn"]}},
                tags=merge_tags(f"{name}-{key}", tags), opts=self.child_options())
            return {key: created}
        group = bool(configuration.get("children"))
        created = aws.vpclattice.ResourceConfiguration(
            self.child_name(f"config-{key}"), resource_gateway_identifier=gateway.id, type="GROUP" if group else "SINGLE", protocol="TCP",
            port_ranges=configuration["port_ranges"], resource_configuration_definition=None if group else _definition(configuration),
            tags=merge_tags(f"{name}-{key}", tags), opts=self.child_options())
        made = {key: created}
        for child in configuration.get("children") or []:
            made[f"{key}/{child['name']}"] = aws.vpclattice.ResourceConfiguration(
                self.child_name(f"config-{key}-{child['name']}"), type="CHILD", resource_configuration_group_id=created.id,
                port_ranges=child.get("port_ranges") or configuration["port_ranges"], resource_configuration_definition=_definition(child),
                tags=merge_tags(f"{name}-{key}-{child['name']}", tags), opts=self.child_options())
        return made


def _definition(endpoint: Any) -> dict:
    """The definition of an endpoint given by DNS name or IP address."""
    if endpoint.get("domain_name"):
        return {"dns_resource": {"domain_name": endpoint["domain_name"], "ip_address_type": "IPV4"}}
    return {"ip_resource": {"ip_address": endpoint["ip_address"]}}


def _validate(name: str, args: SharedLatticeResourceArgs) -> tuple[dict[str, str], list[tuple[int, int]]]:
    where = f"SharedLatticeResource '{name}'"
    validation.require(where, args, "vpc_id", "pass the id of the resource VPC")
    subnet_ids = validation.require(where, args, "subnet_ids", "give the subnets for the Resource Gateway's ENIs, one per AZ")
    if isinstance(subnet_ids, list):
        plain = [subnet for subnet in subnet_ids if validation.is_known(subnet)]
        if len(plain) != len(set(plain)):
            raise InputValidationError(where, "subnet_ids", subnet_ids, "repeats a subnet", "list each subnet once")
    ip_type = validation.choice(where, "ip_address_type", args.get("ip_address_type", "IPV4"), ("IPV4", "IPV6", "DUALSTACK"))
    per_eni = args.get("ipv4_addresses_per_eni")
    if per_eni is not None:
        if ip_type == "IPV6":
            raise InputValidationError(where, "ipv4_addresses_per_eni", per_eni, "is set on an IPV6 gateway", "leave it out, or use IPV4 or DUALSTACK")
        if not isinstance(per_eni, int) or isinstance(per_eni, bool) or not 1 <= per_eni <= 62:
            raise InputValidationError(where, "ipv4_addresses_per_eni", per_eni, "is out of range", "give 1 to 62 addresses per ENI")

    configurations = args.get("configurations")
    if not isinstance(configurations, list) or not configurations:
        raise InputValidationError(where, "configurations", configurations, "is empty", "list at least one endpoint to expose")
    ports: list[tuple[int, int]] = []
    keys: set[str] = set()
    for index, configuration in enumerate(configurations):
        field = f"configurations[{index}]"
        key = validation.resource_name(where, f"{field}.name", configuration.get("name"))
        if key in keys:
            raise InputValidationError(where, f"{field}.name", key, "is used by another configuration", "name each configuration once")
        keys.add(key)
        kind = validation.one_of(where, configuration, ("domain_name", "ip_address", "arn", "children"),
                                 "give the endpoint's DNS name or IP address, a resource's ARN, or the children of a group")
        if kind == "arn":
            if configuration.get("port_ranges") is not None:
                raise InputValidationError(where, f"{field}.port_ranges", configuration["port_ranges"], "is given for an ARN configuration",
                                           "leave it out: VPC Lattice takes the ports of the resource the ARN names")
            if not isinstance(configuration["arn"], str) or not configuration["arn"].startswith("arn:"):
                raise InputValidationError(where, f"{field}.arn", configuration["arn"], "is not an ARN", "give the resource's ARN, e.g. an RDS cluster's")
            continue
        ports.extend(_port_ranges(where, field, configuration.get("port_ranges")))
        if kind != "children":
            _endpoint(where, field, configuration)
            continue
        children = configuration["children"]
        if not isinstance(children, list) or len({child.get("name") for child in children if isinstance(child, dict)}) != len(children):
            raise InputValidationError(where, f"{field}.children", children, "is not a list of uniquely named children", "give each child its own name")
        for position, child in enumerate(children):
            validation.resource_name(where, f"{field}.children[{position}].name", child.get("name"))
            validation.one_of(where, child, ("domain_name", "ip_address"), "give the child's DNS name or its IP address")
            _endpoint(where, f"{field}.children[{position}]", child)
            if child.get("port_ranges") is not None:
                ports.extend(_port_ranges(where, f"{field}.children[{position}]", child["port_ranges"]))

    if args.get("security_group_ids") is None:
        backend_cidrs = args.get("backend_cidrs")
        if not isinstance(backend_cidrs, list) or not backend_cidrs:
            raise InputValidationError(
                where,
                "backend_cidrs",
                backend_cidrs,
                "is needed when security_group_ids is left out",
                "give the blocks the Resource Gateway may reach (e.g. the backend subnet), or pass your own security_group_ids",
            )
        for index, block in enumerate(backend_cidrs):
            network = validation.cidr(where, f"backend_cidrs[{index}]", block)
            if network.prefixlen == 0:
                raise InputValidationError(where, f"backend_cidrs[{index}]", block, "opens egress to everywhere", "scope egress to the backends' blocks")
    else:
        validation.security_groups(where, "security_group_ids", args["security_group_ids"], args.get("vpc_default_security_group_id"))
    return validation.principals(where, "share_with", args.get("share_with")), sorted(set(ports))


def _port_ranges(where: str, field: str, ranges: Any) -> list[tuple[int, int]]:
    if not isinstance(ranges, list) or not ranges:
        raise InputValidationError(where, f"{field}.port_ranges", ranges, "is empty", "list the ports to expose, e.g. ['443']")
    return [validation.port_range(where, f"{field}.port_ranges[{i}]", r) for i, r in enumerate(ranges)]


def _endpoint(where: str, field: str, endpoint: Any) -> None:
    if endpoint.get("ip_address") is not None:
        try:
            ipaddress.ip_address(endpoint["ip_address"])
        except ValueError:
            raise InputValidationError(where, f"{field}.ip_address", endpoint["ip_address"], "is not an IP address", "give an address such as '10.20.0.15'") from None
