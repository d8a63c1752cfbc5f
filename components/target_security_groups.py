"""The two security groups of one private path: the Resource Gateway ENIs' and the backend's."""

from typing import Optional

import pulumi
from typing_extensions import NotRequired, TypedDict

from . import validation
from .base import EgressComponent, on_path
from .errors import InputValidationError
from .security_group import Rule, scoped_security_group


class TargetSecurityGroupsArgs(TypedDict):
    """Inputs of :class:`TargetSecurityGroups`."""

    vpc_id: pulumi.Input[str]
    """VPC of the ENIs and the backend."""
    eni_cidrs: list[str]
    """Blocks of the subnets that hold the Resource Gateway ENIs."""
    backend_cidrs: list[str]
    """Blocks of the backend (load balancer or VPC endpoint subnets)."""
    port: NotRequired[int]
    """Port the backend listens on, default 443."""
    tags: NotRequired[dict[str, str]]
    """Tags of both groups."""


class TargetSecurityGroups(EgressComponent):
    """Security groups for one AgentCore path: ENIs may send only to the backend's port, the backend
    accepts only the ENIs.

    Give :attr:`eni_security_group_id` to a managed-mode GatewayTarget (or a
    SharedLatticeResource) and :attr:`backend_security_group_id` to the VPC
    endpoint or load balancer, so that neither falls back on the VPC's default
    security group and nothing else in the VPC is reachable through AgentCore.
    """

    TYPE = "agentcore-egress:index:TargetSecurityGroups"

    eni_security_group_id: pulumi.Output[str]
    """Security group for the Resource Gateway ENIs: TCP egress to the backend's port only."""
    backend_security_group_id: pulumi.Output[str]
    """Security group for the backend: TCP ingress on its port from the ENI subnets only."""

    def __init__(self, name: str, args: TargetSecurityGroupsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        where = f"TargetSecurityGroups '{name}'"
        validation.require(where, args, "vpc_id", "pass the VPC id")
        port = validation.port(where, "port", args.get("port", 443))
        for field in ("eni_cidrs", "backend_cidrs"):
            blocks = args.get(field)
            if not isinstance(blocks, list) or not blocks:
                raise InputValidationError(where, field, blocks, "is empty", "list the subnets' CIDR blocks")
            for index, block in enumerate(blocks):
                if validation.cidr(where, f"{field}[{index}]", block).prefixlen == 0:
                    raise InputValidationError(where, f"{field}[{index}]", block, "is everywhere", "scope it to the subnets' blocks")
        super().__init__(name, opts)
        tags = on_path(self, args.get("tags"))
        eni = scoped_security_group(
            self, "eni", args["vpc_id"], f"{name}: AgentCore Resource Gateway ENIs",
            egress=[Rule(port, port, args["backend_cidrs"], "to the backend")], tags=tags,
        )
        backend = scoped_security_group(
            self, "backend", args["vpc_id"], f"{name}: backend reached by AgentCore",
            ingress=[Rule(port, port, args["eni_cidrs"], "from the Resource Gateway ENIs")], tags=tags,
        )
        self.eni_security_group_id = eni.id
        self.backend_security_group_id = backend.id
        self.register_outputs(
            {"eni_security_group_id": self.eni_security_group_id, "backend_security_group_id": self.backend_security_group_id}
        )
