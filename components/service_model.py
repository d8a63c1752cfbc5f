"""Requests checked against the AWS service model botocore ships: what an AgentCore call would refuse is refused here first.

A component passes the arguments it gives a Pulumi resource (snake_case, as ``pulumi_aws`` takes them); they are
walked alongside the input shape of the AWS operation the resource calls (``CreateGateway``, ``CreateGatewayTarget``
of ``bedrock-agentcore-control``), a key matching the member of the same name (case and ``_`` aside:
``custom_jwt_authorizer`` is ``customJWTAuthorizer``). Every constraint the model states is checked where the value is
known: required members, string patterns (matched whole, as the service does), enums, lengths, list sizes and number
ranges. Values not known yet (outputs of other resources, which AWS mints) and keys or shapes where the provider's
arguments differ from the API's (``inline_payload``, ``credential_provider_configuration``) are left to AWS. So a
constraint AWS adds or changes reaches the plan with botocore, not with a rule written per field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

from . import validation
from .errors import InputValidationError

AGENTCORE_CONTROL = "bedrock-agentcore-control"


@lru_cache(maxsize=None)
def _operation(service: str, operation: str) -> OperationModel:
    import botocore.session  # a tenth of a second: only programs that create a gateway or a target pay it

    return botocore.session.get_session().get_service_model(service).operation_model(operation)


def check_request(where: str, operation: str, request: Mapping[str, Any], service: str = AGENTCORE_CONTROL) -> None:
    """Raise :class:`InputValidationError` at the first member of ``request`` that the model of ``service``'s ``operation`` refuses."""
    model = _operation(service, operation)
    _check(where, f"{service} {operation}", model.input_shape, request, "")


def check_member(where: str, operation: str, member: str, value: Any, service: str = AGENTCORE_CONTROL) -> None:
    """The same check for one top-level member alone (a component checks its name before it registers anything)."""
    shape = _operation(service, operation).input_shape.members[member]
    _check(where, f"{service} {operation}", shape, value, f"{member}.")


def _key(name: str) -> str:
    return name.replace("_", "").lower()


def _check(where: str, call: str, shape: Shape, value: Any, path: str) -> None:
    if value is None or not validation.is_known(value):
        return
    if shape.type_name == "structure" and isinstance(value, Mapping):
        _check_structure(where, call, shape, value, path)
    elif shape.type_name == "list" and isinstance(value, (list, tuple)):
        _check_size(where, call, shape, value, path, len(value), "items")
        for index, item in enumerate(value):
            _check(where, call, shape.member, item, f"{path}[{index}]")
    elif shape.type_name == "string" and isinstance(value, str):
        _check_string(where, call, shape, value, path)
    elif shape.type_name in ("integer", "long") and isinstance(value, int) and not isinstance(value, bool):
        _check_size(where, call, shape, value, path, value, "")


def _check_structure(where: str, call: str, shape: Shape, value: Mapping[str, Any], path: str) -> None:
    given = {_key(key): key for key, item in value.items() if item is not None}
    for required in shape.required_members:
        if _key(required) not in given:
            raise InputValidationError(where, f"{path}{required}", None, f"is required by AWS ({call})", f"give {required}")
    members = {_key(name): member for name, member in shape.members.items()}
    for key, item in value.items():
        member = members.get(_key(key))
        if member is not None:
            _check(where, call, member, item, f"{path}{key}.")


def _check_string(where: str, call: str, shape: Shape, value: str, path: str) -> None:
    field, rules = path.rstrip("."), shape.metadata
    if "enum" in rules and value not in rules["enum"]:
        raise InputValidationError(where, field, value, f"is not one of {rules['enum']} ({call})", f"use one of {rules['enum']}")
    _check_size(where, call, shape, value, path, len(value), "characters")
    pattern = rules.get("pattern")
    if pattern and not re.fullmatch(pattern, value):
        raise InputValidationError(where, field, value, f"does not match the pattern AWS requires, {pattern} ({call})",
                                   "give a value that matches it whole")


def _check_size(where: str, call: str, shape: Shape, value: Any, path: str, size: int, unit: str) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and size < low) or (high is not None and size > high):
        span = f"{low if low is not None else 0} to {high if high is not None else 'any'}{' ' + unit if unit else ''}"
        measured = f"has {size} {unit}" if unit else f"is {size}"
        raise InputValidationError(where, path.rstrip("."), value, f"{measured}; AWS takes {span} ({call})", f"give {span}")
