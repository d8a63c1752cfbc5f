"""An AgentCore Gateway (MCP) with its execution role."""

import json
from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import service_model, validation
from .agentcore_names import agentcore_name
from .base import EgressComponent, merge_tags
from .errors import InputValidationError


class JwtAuthorizerArgs(TypedDict):
    """A custom JWT authorizer (e.g. Amazon Cognito or any OIDC provider)."""

    discovery_url: str
    """OIDC discovery URL, https://…/.well-known/openid-configuration."""
    allowed_audiences: NotRequired[list[str]]
    """Accepted `aud` claims."""
    allowed_clients: NotRequired[list[str]]
    """Accepted client ids."""


class AgentCoreGatewayArgs(TypedDict):
    """Inputs of :class:`AgentCoreGateway`."""

    name: NotRequired[str]
    """The gateway's name in AgentCore; left out, Pulumi autonames it ``<component>-gateway-<random>``."""
    jwt_authorizer: NotRequired[JwtAuthorizerArgs]
    """Use a JWT authorizer instead of the default IAM (SigV4) authorizer."""
    role_arn: NotRequired[pulumi.Input[str]]
    """Execution role to use; when left out, one is created that only AgentCore in this account may assume."""
    schema_bucket_arns: NotRequired[list[str]]
    """S3 buckets holding OpenAPI schemas of targets; the created role may read objects there and nothing else."""
    description: NotRequired[str]
    """Description of the gateway."""
    tags: NotRequired[dict[str, str]]
    """Tags of the gateway and its role."""


class AgentCoreGateway(EgressComponent):
    """An MCP AgentCore Gateway, IAM-authorized by default, with a least-privilege execution role.

    The role trusts ``bedrock-agentcore.amazonaws.com`` only for gateways of
    this account (``aws:SourceAccount``), and has no permission unless target
    schemas live in S3. Targets are added with :class:`GatewayTarget`.
    """

    TYPE = "agentcore-egress:index:AgentCoreGateway"

    gateway_id: pulumi.Output[str]
    """Id of the gateway (what targets take)."""
    gateway_arn: pulumi.Output[str]
    """ARN of the gateway."""
    gateway_url: pulumi.Output[str]
    """MCP endpoint URL of the gateway."""
    role_arn: pulumi.Output[str]
    """Execution role of the gateway."""

    def __init__(self, name: str, args: AgentCoreGatewayArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        gateway_name, aws_name = _validate(name, args)
        super().__init__(name, opts)
        tags = args.get("tags")

        role_arn = args.get("role_arn")
        if role_arn is None:
            account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
            role = aws.iam.Role(
                self.child_name("role"),
                description=f"Execution role of AgentCore Gateway {name}",
                assume_role_policy=account.apply(_trust_policy),
                tags=merge_tags(f"{name}-gateway", tags),
                opts=self.child_options(),
            )
            if args.get("schema_bucket_arns"):
                aws.iam.RolePolicy(
                    self.child_name("schemas"),
                    role=role.id,
                    policy=json.dumps(
                        {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Sid": "ReadTargetSchemas",
                                    "Effect": "Allow",
                                    "Action": "s3:GetObject",
                                    "Resource": [f"{arn}/*" for arn in args["schema_bucket_arns"]],
                                }
                            ],
                        }
                    ),
                    opts=self.child_options(),
                )
            role_arn = role.arn

        jwt = args.get("jwt_authorizer")
        request = {
            "name": gateway_name,
            "description": args.get("description"),
            "protocol_type": "MCP",
            "authorizer_type": "CUSTOM_JWT" if jwt else "AWS_IAM",
            "authorizer_configuration": {"custom_jwt_authorizer": dict(jwt)} if jwt else None,
            "role_arn": role_arn,
        }
        service_model.check_request(f"AgentCoreGateway '{name}'", "CreateGateway", {**request, "name": aws_name})
        gateway = aws.bedrock.AgentcoreGateway(self.child_name("gateway"), **request, tags=merge_tags(name, tags), opts=self.child_options())
        self.gateway_id = gateway.gateway_id
        self.gateway_arn = gateway.gateway_arn
        self.gateway_url = gateway.gateway_url
        self.role_arn = pulumi.Output.from_input(role_arn)
        self.register_outputs(
            {"gateway_id": self.gateway_id, "gateway_arn": self.gateway_arn, "gateway_url": self.gateway_url, "role_arn": self.role_arn}
        )


def _trust_policy(account_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            ],
        }
    )


def _validate(name: str, args: AgentCoreGatewayArgs) -> tuple[Optional[str], str]:
    """Refuse bad input before anything is created; the gateway's explicit name (None to autoname it) and the name AWS sees."""
    where = f"AgentCoreGateway '{name}'"
    gateway_name, aws_name = agentcore_name(where, "CreateGateway", args.get("name"), f"{name}-gateway")
    jwt = args.get("jwt_authorizer")
    if jwt is not None:
        validation.https_url(where, "jwt_authorizer.discovery_url", jwt.get("discovery_url"))
        if not jwt.get("allowed_audiences") and not jwt.get("allowed_clients"):
            raise InputValidationError(
                where, "jwt_authorizer", jwt, "accepts any token from the issuer", "list allowed_audiences or allowed_clients"
            )
    role_arn = args.get("role_arn")
    if role_arn is not None and validation.is_known(role_arn):
        validation.role_arn(where, "role_arn", role_arn)
    if role_arn is not None and args.get("schema_bucket_arns"):
        raise InputValidationError(
            where, "schema_bucket_arns", args["schema_bucket_arns"], "only applies to the role this component creates", "grant s3:GetObject on your own role_arn, or leave role_arn out"
        )
    for index, arn in enumerate(args.get("schema_bucket_arns") or []):
        if not isinstance(arn, str) or not arn.startswith("arn:aws:s3:::") or "/" in arn:
            raise InputValidationError(where, f"schema_bucket_arns[{index}]", arn, "is not an S3 bucket ARN", "give arn:aws:s3:::<bucket>")
    return gateway_name, aws_name
