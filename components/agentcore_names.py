"""The names AgentCore accepts for gateways and targets, explicit or made by Pulumi's autonaming.

AgentCore's pattern for both is ``([0-9a-zA-Z][-]?){1,100}``: letters and digits,
single hyphens between them, at most 100 characters (``bedrock-agentcore-control``
CreateGateway and CreateGatewayTarget). A component's ``name`` input, when given,
is that name. When it is left out, pulumi-aws autonames the resource as
``<resource name>-<7 random characters>``, as Pulumi users expect (so that a
replacement can create the new one before deleting the old); that base must then
leave a name AgentCore accepts.

A target's name is also the prefix of the name of every tool it serves over MCP:
give ``name`` where agents or prompts rely on the tools' names.
"""

import re
from typing import Any, Optional

from .errors import InputValidationError

AGENTCORE_NAME = re.compile(r"([0-9a-zA-Z]-?){1,100}")
AUTONAME_SUFFIX = 8
"""A hyphen and the seven random characters pulumi-aws appends."""


def agentcore_name(where: str, name: Optional[Any], resource_name: str) -> Optional[str]:
    """``name`` when given and valid; None when left out and ``resource_name`` autonames to a valid name."""
    if name is not None:
        if not isinstance(name, str) or not AGENTCORE_NAME.fullmatch(name) or len(name) > 100:
            raise InputValidationError(where, "name", name, "is not a name AgentCore accepts", "use letters, digits and single hyphens, up to 100 characters")
        return name
    if not AGENTCORE_NAME.fullmatch(resource_name) or resource_name.endswith("-") or len(resource_name) > 100 - AUTONAME_SUFFIX:
        raise InputValidationError(
            where, "name", None,
            f"is left out, and the name Pulumi would make from '{resource_name}' is not one AgentCore accepts",
            "give name explicitly, or a shorter component name of letters, digits and single hyphens",
        )
    return None
