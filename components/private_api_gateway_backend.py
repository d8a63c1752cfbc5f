"""A private API Gateway REST API reachable only through an execute-api interface endpoint."""

import hashlib
import json
import re
from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import validation
from .base import EgressComponent, merge_tags, on_path
from .errors import InputValidationError


class PrivateApiGatewayBackendArgs(TypedDict):
    """Inputs of :class:`PrivateApiGatewayBackend`."""

    vpc_id: pulumi.Input[str]
    """Resource VPC, where the execute-api endpoint lives."""
    subnet_ids: list[pulumi.Input[str]]
    """Subnets of the execute-api endpoint, two or more AZs."""
    security_group_ids: list[pulumi.Input[str]]
    """1 to 5 security groups of the endpoint (allow 443 from the Resource Gateway ENIs)."""
    region: str
    """Region of the API (part of the endpoint service name and of the invoke URL)."""
    api_definition: str
    """OpenAPI document of the REST API (JSON or YAML), imported as the API's body."""
    stage_name: NotRequired[str]
    """Stage to deploy, default 'prod'."""
    vpc_endpoint_id: NotRequired[pulumi.Input[str]]
    """Use this existing execute-api endpoint instead of creating one."""
    tags: NotRequired[dict[str, str]]
    """Tags of every resource."""


class PrivateApiGatewayBackend(EgressComponent):
    """A PRIVATE REST API, its execute-api endpoint, and a policy that admits only that endpoint.

    The seed's private API Gateway pattern. AgentCore reaches it through the
    endpoint-specific host name, so :attr:`invoke_url` is
    ``https://{api-id}-{vpce-id}.execute-api.{region}.amazonaws.com/{stage}``, served
    with Amazon's public certificate and ready for a target's OpenAPI ``servers``.
    """

    TYPE = "agentcore-egress:index:PrivateApiGatewayBackend"

    rest_api_id: pulumi.Output[str]
    """Id of the REST API."""
    vpc_endpoint_id: pulumi.Output[str]
    """Id of the execute-api interface endpoint."""
    invoke_url: pulumi.Output[str]
    """Endpoint-specific https URL of the stage."""

    def __init__(self, name: str, args: PrivateApiGatewayBackendArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _validate(name, args)
        super().__init__(name, opts)
        tags = on_path(self, args.get("tags"))
        region = args["region"]
        stage_name = args.get("stage_name", "prod")

        endpoint_id = args.get("vpc_endpoint_id")
        if endpoint_id is None:
            endpoint = aws.ec2.VpcEndpoint(
                self.child_name("endpoint"),
                vpc_id=args["vpc_id"],
                service_name=f"com.amazonaws.{region}.execute-api",
                vpc_endpoint_type="Interface",
                subnet_ids=args["subnet_ids"],
                security_group_ids=args["security_group_ids"],
                private_dns_enabled=True,
                tags=merge_tags(f"{name}-execute-api", tags),
                opts=self.child_options(),
            )
            endpoint_id = endpoint.id
        api = aws.apigateway.RestApi(
            self.child_name("api"),
            name=name,
            body=args["api_definition"],
            endpoint_configuration={"types": "PRIVATE", "vpc_endpoint_ids": [endpoint_id]},
            tags=merge_tags(name, tags),
            opts=self.child_options(),
        )
        policy = aws.apigateway.RestApiPolicy(
            self.child_name("policy"),
            rest_api_id=api.id,
            policy=pulumi.Output.from_input(endpoint_id).apply(endpoint_only_policy),
            opts=self.child_options(),
        )
        deployment = aws.apigateway.Deployment(
            self.child_name("deployment"),
            rest_api=api.id,
            # A new deployment whenever the definition changes; the policy must exist first.
            triggers={"definition": hashlib.sha256(args["api_definition"].encode()).hexdigest()},
            opts=self.child_options(depends_on=[policy]),
        )
        stage = aws.apigateway.Stage(
            self.child_name("stage"),
            rest_api=api.id,
            deployment=deployment.id,
            stage_name=stage_name,
            tags=merge_tags(name, tags),
            opts=self.child_options(),
        )
        self.rest_api_id = api.id
        self.vpc_endpoint_id = pulumi.Output.from_input(endpoint_id)
        self.invoke_url = pulumi.Output.all(api.id, endpoint_id, stage.stage_name).apply(
            lambda values: private_invoke_url(values[0], values[1], region, values[2])
        )
        self.register_outputs({"rest_api_id": self.rest_api_id, "vpc_endpoint_id": self.vpc_endpoint_id, "invoke_url": self.invoke_url})


def private_invoke_url(api_id: str, vpc_endpoint_id: str, region: str, stage: str) -> str:
    """The endpoint-specific URL of a private API, resolvable without private DNS on the caller's side."""
    return f"https://{api_id}-{vpc_endpoint_id}.execute-api.{region}.amazonaws.com/{stage}"


def endpoint_only_policy(vpc_endpoint_id: str) -> str:
    """Deny every invocation that does not come through ``vpc_endpoint_id``."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "execute-api:Invoke",
                    "Resource": "execute-api:/*",
                    "Condition": {"StringNotEquals": {"aws:SourceVpce": vpc_endpoint_id}},
                },
                {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
            ],
        }
    )


def _validate(name: str, args: PrivateApiGatewayBackendArgs) -> None:
    where = f"PrivateApiGatewayBackend '{name}'"
    validation.require(where, args, "vpc_id", "pass the resource VPC id")
    validation.require(where, args, "subnet_ids", "give the endpoint's subnets, in two or more AZs")
    validation.security_groups(where, "security_group_ids", args.get("security_group_ids"))
    validation.region(where, "region", args.get("region"))
    definition = validation.require(where, args, "api_definition", "pass the REST API's OpenAPI document")
    if not isinstance(definition, str):
        raise InputValidationError(where, "api_definition", definition, "is not a document", "pass the OpenAPI document as a JSON or YAML string")
    stage = args.get("stage_name", "prod")
    if not isinstance(stage, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,128}", stage):
        raise InputValidationError(where, "stage_name", stage, "is not a stage name", "use letters, digits, '-' and '_'")
