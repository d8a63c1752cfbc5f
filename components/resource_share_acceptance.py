"""The consumer side of a RAM share: accept the invitation when one is needed."""

from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import validation
from .base import EgressComponent
from .errors import InputValidationError


class ResourceShareAcceptanceArgs(TypedDict):
    """Inputs of :class:`ResourceShareAcceptance`."""

    share_arn: pulumi.Input[str]
    """ARN of the RAM share to accept (SharedLatticeResource.resource_share_arn, via a stack reference)."""
    organization_sharing_enabled: NotRequired[bool]
    """True (default) when RAM sharing with AWS Organizations is on: shares inside the organization then
    need no acceptance and nothing is created. False creates the accepter for the invitation."""


class ResourceShareAcceptance(EgressComponent):
    """Accept a RAM share in the consumer (AgentCore gateway) account, only where RAM asks for it.

    Inside an organization with RAM's organization sharing enabled, principals
    get shared resources without an invitation, and an accepter would fail;
    otherwise (sharing with accounts by id while organization sharing is off)
    the invitation must be accepted before the Resource Configuration can be used.
    """

    TYPE = "agentcore-egress:index:ResourceShareAcceptance"

    share_arn: pulumi.Output[str]
    """ARN of the share, once usable by this account."""
    accepted: pulumi.Output[bool]
    """Whether an invitation was accepted (false when organization sharing made it unnecessary)."""

    def __init__(self, name: str, args: ResourceShareAcceptanceArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        where = f"ResourceShareAcceptance '{name}'"
        validation.require(where, args, "share_arn", "pass the share ARN from the resource owner's stack")
        share_arn = args["share_arn"]
        if validation.is_known(share_arn) and not str(share_arn).startswith("arn:"):
            raise InputValidationError(where, "share_arn", share_arn, "is not a RAM share ARN", "pass arn:aws:ram:<region>:<account>:resource-share/<id>")
        super().__init__(name, opts)
        accept = not args.get("organization_sharing_enabled", True)
        if accept:
            accepter = aws.ram.ResourceShareAccepter(self.child_name("accepter"), share_arn=share_arn, opts=self.child_options())
            share_arn = accepter.share_arn
        self.share_arn = pulumi.Output.from_input(share_arn)
        self.accepted = pulumi.Output.from_input(accept)
        self.register_outputs({"share_arn": self.share_arn, "accepted": self.accepted})
