"""The names AgentCore accepts for gateways and targets, explicit or made by Pulumi's autonaming.

What AgentCore accepts is what botocore's model of ``bedrock-agentcore-control``
says for the ``name`` of ``CreateGateway`` and ``CreateGatewayTarget`` (pattern
and length, checked by :mod:`.service_model`). A component's ``name`` input,
when given, is that name. When it is left out, pulumi-aws autonames the resource
as ``<resource name>-<7 random characters>``, as Pulumi users expect (so that a
replacement can create the new one before deleting the old); that name must
then be one AgentCore accepts too, which is checked on a sample of it.

A target's name is also the prefix of the name of every tool it serves over MCP:
give ``name`` where agents or prompts rely on the tools' names.
"""

from typing import Any, Optional

from . import service_model
from .errors import InputValidationError

AUTONAME_SAMPLE_SUFFIX = "-0000000"
"""What pulumi-aws appends to a resource's name when it autonames it: a hyphen and seven random characters."""


def agentcore_name(where: str, operation: str, name: Optional[Any], resource_name: str) -> tuple[Optional[str], str]:
    """(the name to give pulumi-aws: ``name``, or None to autoname; the name AWS will see, or a sample of the autoname)."""
    if name is not None:
        if not isinstance(name, str):
            raise InputValidationError(where, "name", name, "is not a name", "give a string of letters, digits and single hyphens")
        service_model.check_member(where, operation, "name", name)
        return name, name
    sample = resource_name + AUTONAME_SAMPLE_SUFFIX
    try:
        service_model.check_member(where, operation, "name", sample)
    except InputValidationError as error:
        raise InputValidationError(
            where, "name", None,
            f"is left out, and the name Pulumi would make from '{resource_name}' ({sample}) is not one AWS accepts: {error.problem}",
            "give name explicitly, or a shorter component name of letters, digits and single hyphens",
        ) from None
    return None, sample
