"""The JSON Schema of a stack file (``Pulumi.<stack>.yaml``), from the pydantic models of :mod:`.config_schema`.

Editors check stack files against it as they are typed (the bundled files carry a
``# yaml-language-server: $schema=…`` line); ``agentcore-egress schema`` prints it
and ``stacks/stack-file.schema.json`` is its committed copy. Each section of
:class:`~.config_schema.StackConfig` becomes the key ``agentcore-egress:<section>``
under ``config:``; keys of other namespaces (``aws:region``, another program's)
are left to their owners, while an unknown ``agentcore-egress:`` key is refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .config_schema import NAMESPACE, StackConfig

SCHEMA_FILE = Path(__file__).resolve().parent / "stack-file.schema.json"
"""The committed copy (a test keeps it equal to :func:`stack_file_schema`)."""

MODELINE = "# yaml-language-server: $schema="
"""How a YAML file names its schema for editors that use the YAML language server (VS Code, Neovim, …)."""


def stack_file_schema() -> dict[str, Any]:
    """A draft 2020-12 JSON Schema of a whole stack file."""
    model = StackConfig.model_json_schema(mode="validation", ref_template="#/$defs/{model}")
    definitions = model.pop("$defs", {})
    sections = {f"{NAMESPACE}:{name}": schema for name, schema in model["properties"].items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Pulumi.<stack>.yaml of an {NAMESPACE} landing zone",
        "description": f"One account's stack: {NAMESPACE}:<section> keys under config:. {model.get('description', '')}".strip(),
        "type": "object",
        "required": ["config"],
        "properties": {
            "config": {
                "type": "object",
                "properties": sections,
                "required": [f"{NAMESPACE}:{name}" for name in model.get("required", [])],
                # Any other namespace's keys are allowed; an unknown key of ours is a typo.
                "patternProperties": {f"^(?!{NAMESPACE}:)": {}},
                "additionalProperties": False,
            },
        },
        "$defs": definitions,
    }


def render() -> str:
    """The schema as the committed file holds it."""
    return json.dumps(stack_file_schema(), indent=2, sort_keys=True) + "\n"
