"""One AgentCore Gateway target reached privately, in managed or self-managed mode."""

from typing import Any, Optional

import pulumi
import pulumi_aws as aws
import yaml
from typing_extensions import NotRequired, TypedDict

from . import service_model, validation
from .agentcore_names import agentcore_name
from .base import EgressComponent
from .errors import InputValidationError
from .reuse_key import managed_reuse_key


class ManagedVpcEndpointArgs(TypedDict):
    """Managed VPC resource mode: AgentCore creates (and reuses) the Resource Gateway in this VPC."""

    vpc_id: pulumi.Input[str]
    """VPC that holds (or routes to) the private endpoint, in the gateway's account."""
    subnet_ids: list[pulumi.Input[str]]
    """Subnets for the ENIs AgentCore creates, one per subnet."""
    security_group_ids: list[pulumi.Input[str]]
    """1 to 5 security groups of those ENIs; never left out, or AWS uses the VPC's default security group."""
    endpoint_ip_address_type: NotRequired[str]
    """IPV4 (default) or IPV6."""
    routing_domain: NotRequired[str]
    """A publicly trusted intermediate name (e.g. an internal ALB's DNS name) for backends with private certificates."""
    tags: NotRequired[dict[str, str]]
    """Tags of the managed Resource Gateway; part of the reuse key."""
    vpc_default_security_group_id: NotRequired[pulumi.Input[str]]
    """The VPC's default security group, when known, so that it is refused in security_group_ids."""
    vpc_has_ipv6: NotRequired[bool]
    """Whether the VPC has an IPv6 block; IPV6 endpoints need one."""


class SelfManagedLatticeEndpointArgs(TypedDict):
    """Self-managed Lattice resource mode: a Resource Configuration you own, possibly shared from another account."""

    resource_configuration_arn: pulumi.Input[str]
    """ARN (or id) of the Resource Configuration, e.g. SharedLatticeResource.configuration_arns['orders']."""


class TargetCredentialArgs(TypedDict):
    """How the gateway authenticates to the target."""

    kind: str
    """GATEWAY_IAM_ROLE (SigV4 with the gateway's role), API_KEY or OAUTH."""
    provider_arn: NotRequired[pulumi.Input[str]]
    """AgentCore Identity credential provider ARN (API_KEY and OAUTH)."""
    scopes: NotRequired[list[str]]
    """OAuth scopes (OAUTH)."""
    service: NotRequired[str]
    """SigV4 service name, e.g. 'execute-api' (GATEWAY_IAM_ROLE)."""


class GatewayTargetArgs(TypedDict):
    """Inputs of :class:`GatewayTarget`: one endpoint mode and one target configuration."""

    gateway_id: pulumi.Input[str]
    """Id of the AgentCore Gateway (AgentCoreGateway.gateway_id)."""
    managed_vpc: NotRequired[ManagedVpcEndpointArgs]
    """Managed VPC resource mode (give this or self_managed_lattice)."""
    self_managed_lattice: NotRequired[SelfManagedLatticeEndpointArgs]
    """Self-managed Lattice resource mode (give this or managed_vpc)."""
    mcp_server_endpoint: NotRequired[pulumi.Input[str]]
    """https:// URL of an MCP server (give this, open_api_schema or open_api_schema_s3_uri)."""
    open_api_schema: NotRequired[pulumi.Input[str]]
    """Inline OpenAPI document (JSON or YAML) whose servers are https://."""
    open_api_schema_s3_uri: NotRequired[str]
    """s3:// URI of an OpenAPI document."""
    credential: NotRequired[TargetCredentialArgs]
    """Outbound authentication; required for OpenAPI targets."""
    description: NotRequired[str]
    """Description of the target."""
    name: NotRequired[str]
    """The target's name in AgentCore, and so the prefix of its tools' names; left out, Pulumi autonames it
    ``<component>-target-<random>`` (give it where agents rely on the tools' names)."""


class GatewayTarget(EgressComponent):
    """An AgentCore Gateway target whose traffic reaches a private endpoint through VPC Lattice.

    In managed mode AgentCore creates one Resource Gateway per distinct
    (VPC, subnet set, security group set, tags, IP type) and shares it among
    targets with the same set: :attr:`reuse_key` exposes that set, so a plan can
    count the Resource Gateways and ENIs a landing zone will get. In
    self-managed mode the target points at a Resource Configuration you own.
    """

    TYPE = "agentcore-egress:index:GatewayTarget"

    target_id: pulumi.Output[str]
    """Id of the gateway target."""
    mode: pulumi.Output[str]
    """'managed' or 'self-managed'."""
    reuse_key: pulumi.Output[Optional[str]]
    """Managed mode: the key under which AgentCore shares a Resource Gateway between targets; unset in self-managed mode."""

    def __init__(self, name: str, args: GatewayTargetArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        mode, configuration, target_name, aws_name = _validate(name, args)
        super().__init__(name, opts)

        if mode == "managed_vpc":
            managed = args["managed_vpc"]
            ip_type = managed.get("endpoint_ip_address_type", "IPV4")
            private_endpoint: dict[str, Any] = {
                "managed_vpc_resource": {
                    "vpc_identifier": managed["vpc_id"],
                    "subnet_ids": managed["subnet_ids"],
                    "security_group_ids": managed["security_group_ids"],
                    "endpoint_ip_address_type": ip_type,
                    "routing_domain": managed.get("routing_domain"),
                    "tags": managed.get("tags"),
                }
            }
            reuse_key: pulumi.Input[Optional[str]] = pulumi.Output.all(
                managed["vpc_id"], managed["subnet_ids"], managed["security_group_ids"]
            ).apply(lambda values: managed_reuse_key(values[0], values[1], values[2], managed.get("tags"), ip_type))
        else:
            private_endpoint = {
                "self_managed_lattice_resource": {
                    "resource_configuration_identifier": args["self_managed_lattice"]["resource_configuration_arn"]
                }
            }
            reuse_key = None

        request = {
            "name": target_name,
            "description": args.get("description"),
            "gateway_identifier": args["gateway_id"],
            "target_configuration": {"mcp": configuration},
            "private_endpoint": private_endpoint,
            "credential_provider_configuration": _credential(args.get("credential")),
        }
        service_model.check_request(f"GatewayTarget '{name}'", "CreateGatewayTarget", {**request, "name": aws_name})
        target = aws.bedrock.AgentcoreGatewayTarget(self.child_name("target"), **request, opts=self.child_options())
        self.target_id = target.target_id
        self.mode = pulumi.Output.from_input("managed" if mode == "managed_vpc" else "self-managed")
        self.reuse_key = pulumi.Output.from_input(reuse_key)
        self.register_outputs({"target_id": self.target_id, "mode": self.mode, "reuse_key": self.reuse_key})


def _credential(credential: Optional[TargetCredentialArgs]) -> Optional[dict]:
    if credential is None:
        return None
    kind = credential["kind"]
    if kind == "GATEWAY_IAM_ROLE":
        return {"gateway_iam_role": {"service": credential.get("service")}}
    if kind == "API_KEY":
        return {"api_key": {"provider_arn": credential["provider_arn"]}}
    return {"oauth": {"provider_arn": credential["provider_arn"], "scopes": credential.get("scopes", [])}}


def _validate(name: str, args: GatewayTargetArgs) -> tuple[str, dict, Optional[str], str]:
    """Refuse bad input before anything is created; the mode, the target configuration, the explicit name (None: autonamed)
    and the name AWS sees."""
    where = f"GatewayTarget '{name}'"
    target_name, aws_name = agentcore_name(where, "CreateGatewayTarget", args.get("name"), f"{name}-target")
    validation.require(where, args, "gateway_id", "pass AgentCoreGateway.gateway_id")
    mode = validation.one_of(
        where, args, ("managed_vpc", "self_managed_lattice"), "choose one mode: managed_vpc (AgentCore creates the Resource Gateway) or self_managed_lattice (a Resource Configuration you own)"
    )
    if mode == "managed_vpc":
        _validate_managed(where, args["managed_vpc"])
    else:
        validation.require(
            where, args["self_managed_lattice"], "resource_configuration_arn", "pass SharedLatticeResource.configuration_arns[<name>] (shared to this account with RAM)",
            "self_managed_lattice.",
        )

    kind = validation.one_of(
        where, args, ("mcp_server_endpoint", "open_api_schema", "open_api_schema_s3_uri"), "give an MCP server endpoint or one OpenAPI schema (inline or S3)"
    )
    if kind == "mcp_server_endpoint":
        endpoint = args["mcp_server_endpoint"]
        if validation.is_known(endpoint):
            validation.https_url(where, "mcp_server_endpoint", endpoint)
        configuration: dict = {"mcp_server": {"endpoint": endpoint}}
    elif kind == "open_api_schema":
        schema = args["open_api_schema"]
        if validation.is_known(schema):
            _validate_openapi(where, schema)
        configuration = {"open_api_schema": {"inline_payload": {"payload": schema}}}
    else:
        uri = args["open_api_schema_s3_uri"]
        if not isinstance(uri, str) or not uri.startswith("s3://") or "/" not in uri[len("s3://") :]:
            raise InputValidationError(where, "open_api_schema_s3_uri", uri, "is not an S3 object URI", "give s3://<bucket>/<key>")
        configuration = {"open_api_schema": {"s3": {"uri": uri}}}

    credential = args.get("credential")
    if kind != "mcp_server_endpoint" and credential is None:
        raise InputValidationError(
            where, "credential", None, "is required for OpenAPI targets", "set credential.kind to GATEWAY_IAM_ROLE, API_KEY or OAUTH"
        )
    if credential is not None:
        credential_kind = validation.choice(where, "credential.kind", credential.get("kind"), ("GATEWAY_IAM_ROLE", "API_KEY", "OAUTH"))
        if credential_kind != "GATEWAY_IAM_ROLE":
            validation.require(where, credential, "provider_arn", "pass the AgentCore Identity credential provider ARN", "credential.")
        if credential_kind == "OAUTH" and not credential.get("scopes"):
            raise InputValidationError(where, "credential.scopes", credential.get("scopes"), "is empty", "list the OAuth scopes the target needs")
    return mode, configuration, target_name, aws_name


def _validate_managed(where: str, managed: Any) -> None:
    field = "managed_vpc"
    validation.require(where, managed, "vpc_id", "pass the id of the VPC AgentCore should place its ENIs in", f"{field}.")
    subnets = managed.get("subnet_ids")
    if validation.is_known(subnets) and (not isinstance(subnets, list) or not subnets):
        raise InputValidationError(
            where, f"{field}.subnet_ids", subnets, "is empty", "give the VPC's subnets for the ENIs, ideally one per AZ"
        )
    validation.security_groups(
        where, f"{field}.security_group_ids", managed.get("security_group_ids"), managed.get("vpc_default_security_group_id")
    )
    ip_type = validation.choice(where, f"{field}.endpoint_ip_address_type", managed.get("endpoint_ip_address_type", "IPV4"), ("IPV4", "IPV6"))
    if ip_type == "IPV6" and not managed.get("vpc_has_ipv6"):
        raise InputValidationError(
            where, f"{field}.endpoint_ip_address_type", ip_type, "needs a VPC with an IPv6 block", "use IPV4, or give the VPC an IPv6 block and set vpc_has_ipv6: true"
        )
    routing_domain = managed.get("routing_domain")
    if routing_domain is not None and (not isinstance(routing_domain, str) or "://" in routing_domain or "." not in routing_domain):
        raise InputValidationError(
            where, f"{field}.routing_domain", routing_domain, "is not a domain name", "give a bare DNS name such as 'internal-orders-123.eu-west-1.elb.amazonaws.com'"
        )


def _validate_openapi(where: str, schema: Any) -> None:
    try:
        document = yaml.safe_load(schema) if isinstance(schema, str) else None
    except yaml.YAMLError as error:
        raise InputValidationError(where, "open_api_schema", f"{str(schema)[:40]}…", f"is not JSON or YAML ({error.__class__.__name__})", "pass an OpenAPI 3 document") from None
    if not isinstance(document, dict) or "openapi" not in document:
        raise InputValidationError(where, "open_api_schema", f"{str(schema)[:40]}…", "is not an OpenAPI 3 document", "pass a document with an 'openapi' version and 'servers'")
    servers = document.get("servers")
    if not isinstance(servers, list) or not servers:
        raise InputValidationError(where, "open_api_schema.servers", servers, "is empty", "list the API's https:// server URL")
    for index, server in enumerate(servers):
        validation.https_url(where, f"open_api_schema.servers[{index}].url", server.get("url") if isinstance(server, dict) else server)
