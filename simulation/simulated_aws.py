"""A simulated AWS for running programs offline: realistic ids and computed outputs.

Pulumi's mocks hand each resource's inputs back as its state; real AWS adds
ids, ARNs, DNS names and other computed outputs that downstream resources and
policy rules read. This fills them in the way AWS would, deterministically (the
same program gives the same ids), so a plan reads like the real thing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from .existing_answers import ELB_ZONE as _ELB_ZONE, ExistingAnswers, NotInSnapshot
from .fake_ids import default_security_group_id, digest, fake_id

# ARN service and resource-type segment per type, where they differ from the token's module.
_ARN = {
    "aws:ec2transitgateway/transitGateway:TransitGateway": ("ec2", "transit-gateway"),
    "aws:vpclattice/resourceGateway:ResourceGateway": ("vpc-lattice", "resourcegateway"),
    "aws:vpclattice/resourceConfiguration:ResourceConfiguration": ("vpc-lattice", "resourceconfiguration"),
    "aws:ram/resourceShare:ResourceShare": ("ram", "resource-share"),
    "aws:acm/certificate:Certificate": ("acm", "certificate"),
    "aws:bedrock/agentcoreGateway:AgentcoreGateway": ("bedrock-agentcore", "gateway"),
    "aws:lb/loadBalancer:LoadBalancer": ("elasticloadbalancing", "loadbalancer/app"),
    "aws:lb/listener:Listener": ("elasticloadbalancing", "listener/app"),
    "aws:lb/targetGroup:TargetGroup": ("elasticloadbalancing", "targetgroup"),
}


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _identifying(value: str) -> bool:
    """Ids, ARNs and names carry digits. Constants such as "ISSUED" or "CNAME" identify nothing: treating them as
    minted would make every equal literal of the program unknown at preview."""
    return any(character.isdigit() for character in value)


class SimulatedAws(pulumi_mocks.Mocks):
    """Answers resource registrations and invokes as AWS would, for one account and region."""

    def __init__(
        self,
        account_id: str = "111111111111",
        region: str = "eu-west-1",
        stack_outputs: dict[str, dict[str, Any]] | None = None,
        scope: str = "",
        existing: dict[str, Any] | None = None,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.scope = scope
        """Part of every id's seed: resources of the same name in two stacks get different ids, as in AWS."""
        self.existing = ExistingAnswers(existing or {}, default_security_group_id)
        """The stack's snapshot of its existing resources: what the program's lookups of them read."""
        self.stack_outputs = stack_outputs if stack_outputs is not None else {}
        """Outputs of stacks already simulated, by stack name: what StackReferences read."""
        self.minted: set[str] = set()
        """Every value AWS computes for a resource of this stack (ids, ARNs, DNS names…), not echoes of its inputs:
        at a first preview of the stack these are what the engine does not know yet (see :mod:`.preview`)."""
        self._computed: dict[str, Callable[[str, str, dict[str, Any]], dict[str, Any]]] = {
            "aws:ec2/vpc:Vpc": lambda rid, name, s: {
                "defaultSecurityGroupId": default_security_group_id(rid),
                "mainRouteTableId": fake_id("aws:ec2/routeTable:RouteTable", f"{name}-main"),
            },
            "aws:ec2/vpcEndpoint:VpcEndpoint": lambda rid, name, s: {
                "dnsEntries": [{"dnsName": f"{rid}.execute-api.{self.region}.vpce.amazonaws.com", "hostedZoneId": "ZJ5UAJN8Y3Z2Q"}]
            },
            "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter": lambda rid, name, s: {
                "vpcId": fake_id("aws:ec2/vpc:Vpc", f"{name}-peer"),
            },
            "aws:bedrock/agentcoreGateway:AgentcoreGateway": lambda rid, name, s: {
                "gatewayId": rid,
                "gatewayArn": self.arn("bedrock-agentcore", f"gateway/{rid}"),
                "gatewayUrl": f"https://{rid}.gateway.bedrock-agentcore.{self.region}.amazonaws.com/mcp",
            },
            "aws:bedrock/agentcoreGatewayTarget:AgentcoreGatewayTarget": lambda rid, name, s: {"targetId": rid.upper()[-10:]},
            "aws:lb/loadBalancer:LoadBalancer": lambda rid, name, s: {
                "dnsName": f"internal-{name[:20]}-{digest(rid, length=10)}.{self.region}.elb.amazonaws.com",
                "zoneId": _ELB_ZONE.get(s.get("loadBalancerType", "application"), _ELB_ZONE["application"]),
            },
            "aws:acm/certificate:Certificate": lambda rid, name, s: {
                "domainValidationOptions": [
                    {
                        "domainName": domain,
                        "resourceRecordName": f"_{digest(domain, length=32)}.{domain.removeprefix('*.')}.",
                        "resourceRecordType": "CNAME",
                        "resourceRecordValue": f"_{digest(domain, 'v', length=32)}.acm-validations.aws.",
                    }
                    for domain in [s.get("domainName", ""), *s.get("subjectAlternativeNames", [])]
                ],
                "status": "ISSUED",
                "type": "AMAZON_ISSUED",
            },
            "aws:route53/zone:Zone": lambda rid, name, s: {"zoneId": rid, "nameServers": []},
            "aws:route53/record:Record": lambda rid, name, s: {"fqdn": str(s.get("name", "")).rstrip(".")},
            "aws:iam/role:Role": lambda rid, name, s: {"arn": f"arn:aws:iam::{self.account_id}:role/{name}", "name": name},
            "aws:apigateway/restApi:RestApi": lambda rid, name, s: {
                "rootResourceId": digest(rid, length=10),
                "executionArn": self.arn("execute-api", rid),
            },
        }

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict]:
        if args.typ == "pulumi:pulumi:StackReference":
            stack = (args.resource_id or args.inputs.get("name", "")).rsplit("/", 1)[-1]
            return args.resource_id or stack, {"name": stack, "outputs": self.stack_outputs.get(stack, {}), "secretOutputNames": []}
        resource_id = fake_id(args.typ, f"{self.scope}/{args.name}" if self.scope else args.name)
        state = dict(args.inputs)
        if args.typ == "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup" and isinstance(state.get("vpcId"), str):
            # Adopting a VPC's default security group yields that group, not a new one.
            resource_id = default_security_group_id(state["vpcId"])
        elif args.typ in ("aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter",
                          "aws:ec2transitgateway/peeringAttachmentAccepter:PeeringAttachmentAccepter"):
            resource_id = state["transitGatewayAttachmentId"]
        elif args.typ == "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter":
            resource_id = state["vpcPeeringConnectionId"]
        module = args.typ.split(":")[1].split("/")[0] if args.typ.count(":") == 2 else "aws"
        service, kind = _ARN.get(args.typ, (module, args.typ.rsplit(":", 1)[-1].lower()))
        state.setdefault("arn", self.arn(service, f"{kind}/{resource_id}"))
        compute = self._computed.get(args.typ)
        if compute:
            state.update(compute(resource_id, args.name, state))
        self._record_minted(args.inputs, resource_id, state)
        return resource_id, state

    def _record_minted(self, inputs: dict[str, Any], resource_id: str, state: dict[str, Any]) -> None:
        echoes = set(_strings(inputs))
        computed = [resource_id] + [value for key, value in state.items() if key not in inputs or inputs[key] != value]
        self.minted.update(value for value in _strings(computed) if value not in echoes and _identifying(value))

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict, list]:
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": self.account_id, "arn": f"arn:aws:iam::{self.account_id}:root", "userId": "simulated", "id": self.account_id}, []
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region}, []
        try:
            return self.existing.answer(args.token, dict(args.args)) or {}, []
        except NotInSnapshot as missing:  # a program error, reported as the engine reports a failed invoke: one line
            raise pulumi.RunError(str(missing)) from None
