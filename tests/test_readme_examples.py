"""README's TypeScript and Pulumi YAML programs, checked against the schema the components plugin serves.

The schema is built as ``components/__main__.py`` serves it (``component_provider_host`` → ``ComponentProvider``);
the Node.js package name is the one Pulumi's codegen derives from it (pulumi/pulumi, ``getNodeJSPkgName``: the
schema's ``language.nodejs.packageName``, else ``@<namespace>/<name>``, else ``@pulumi/<name>``).
"""

import json
import re

import pytest
import yaml
from pulumi.provider.experimental.component import ComponentProvider

from agentcore_egress.components import COMPONENTS
from agentcore_egress.components.base import NAMESPACE, PACKAGE
from child_processes import REPOSITORY

SECTION = "### From other Pulumi languages"
PAIRS = {"{": "}", "[": "]", "(": ")"}


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(ComponentProvider(COMPONENTS, PACKAGE, NAMESPACE, "0.0.0").schema)


def example(language: str) -> str:
    text = (REPOSITORY / "README.md").read_text()
    section = text[text.index(SECTION):]
    section = section[:section.index("\n## ")]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1, f"one {language} example in README's {SECTION!r}"
    return blocks[0]


def nodejs_package_name(schema: dict) -> str:
    named = schema.get("language", {}).get("nodejs", {}).get("packageName")
    return named or (f"@{schema['namespace']}/{schema['name']}" if schema.get("namespace") else f"@pulumi/{schema['name']}")


def resource(schema: dict, component: str) -> dict:
    token = f"{schema['name']}:index:{component}"
    assert token in schema["resources"], f"{token} is no resource of the schema"
    return schema["resources"][token]


def check_inputs(schema: dict, where: str, given: dict, properties: dict, required: list) -> None:
    """Input names known, required ones given, and objects given for a named type checked against that type."""
    assert set(given) <= set(properties), f"{where}: {sorted(set(given) - set(properties))} are no inputs"
    assert set(required) <= set(given), f"{where}: required {sorted(set(required) - set(given))} not given"
    for name, value in given.items():
        reference = properties[name].get("$ref", "")
        if isinstance(value, dict) and reference.startswith("#/types/"):
            named = schema["types"][reference.removeprefix("#/types/")]
            check_inputs(schema, f"{where}.{name}", value, named["properties"], named.get("required", []))


# TypeScript: just enough of its syntax to read object literals, declarations and references.

def _closing(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start`` (strings skipped)."""
    depth, index, quote = 0, start, ""
    while index < len(text):
        char = text[index]
        if quote:
            index += 2 if char == "\\" else 1
            quote = "" if char == quote else quote
            continue
        if char in "\"'`":
            quote = char
        elif char in PAIRS:
            depth += 1
        elif char in PAIRS.values():
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise AssertionError(f"unbalanced {text[start]!r} in the TypeScript example")


def _entries(body: str) -> list[str]:
    """An object literal's entries, split at its top-level commas (comments removed)."""
    body = re.sub(r"//[^\n]*", "", body)
    entries, depth, current = [], 0, ""
    for char in body:
        depth += (char in PAIRS) - (char in PAIRS.values())
        if char == "," and depth == 0:
            entries.append(current.strip())
            current = ""
        else:
            current += char
    return [entry for entry in entries + [current.strip()] if entry]


def object_literal(text: str) -> dict:
    """``{ key: value, … }`` as a dict; nested object literals as dicts, other values as their source text."""
    parsed = {}
    for entry in _entries(text.strip()[1:-1]):
        key, value = (part.strip() for part in entry.split(":", 1))
        parsed[key] = object_literal(value) if value.startswith("{") else value
    return parsed


def typescript_components(code: str, module: str) -> list[tuple[str, str, dict]]:
    """Each ``new <module>.<Component>("name", {args}, …)``: variable, component and its args."""
    found = []
    for match in re.finditer(rf"(?:const (\w+) = )?new {module}\.(\w+)\(\s*\"[^\"]*\",\s*", code):
        args = code[match.end():_closing(code, match.end()) + 1]
        found.append((match.group(1) or "", match.group(2), object_literal(args)))
    return found


def value_references(value) -> list[str]:
    """The identifiers a value starts from (``gateway.gatewayId`` → ``gateway``), nested objects and arrays included."""
    if isinstance(value, dict):
        return [name for inner in value.values() for name in value_references(inner)]
    if value.startswith("["):
        return [name for inner in _entries(value[1:-1]) for name in value_references(inner)]
    match = re.match(r"[A-Za-z_$][\w$]*", value)
    return [match.group(0)] if match and match.group(0) not in {"true", "false", "null", "undefined", "new"} else []


def test_the_typescript_example_imports_the_generated_package_and_gives_each_component_its_inputs(schema):
    code = example("typescript")
    imports = dict((alias, module) for alias, module in re.findall(r'import \* as (\w+) from "([^"]+)"', code))
    aliases = [alias for alias, module in imports.items() if module == nodejs_package_name(schema)]
    assert aliases, f"the example imports {sorted(imports.values())}, not the generated package {nodejs_package_name(schema)}"
    assert nodejs_package_name(schema) == "@agentcore-egress/agentcore-egress"
    egress = aliases[0]
    components = typescript_components(code, egress)
    assert {component for _, component, _ in components} == {"AgentCoreGateway", "GatewayTarget", "PublicCertificate"}
    declared = set(imports) | set(re.findall(r"\b(?:const|let|var) (\w+)", code))
    outputs = {variable: resource(schema, component)["properties"] for variable, component, _ in components if variable}
    for variable, component, args in components:
        definition = resource(schema, component)
        check_inputs(schema, component, args, definition["inputProperties"], definition.get("requiredInputs", []))
        for name in value_references(args):
            assert name in declared, f"{component}: {name} is used but never declared"
        for owner, output in re.findall(r"\b(\w+)\.(\w+)", json.dumps(args)):
            assert owner not in outputs or output in outputs[owner], f"{component}: {owner} has no output {output}"


def test_the_yaml_example_declares_every_variable_it_uses_and_gives_each_component_its_inputs(schema):
    program = yaml.safe_load(example("yaml"))
    resources = program["resources"]
    declared = set(resources) | set(program.get("variables", {})) | set(program.get("config", {}))
    used = re.findall(r"\$\{([A-Za-z_][\w-]*)(?:\.(\w+))?", example("yaml"))
    assert used
    for name, output in used:
        assert name in declared, f"${{{name}}} is used but is no resource, variable or config value of the program"
        component = resources.get(name, {}).get("type", "")
        if output and component.startswith(f"{schema['name']}:"):
            assert output in resource(schema, component.rsplit(":", 1)[1])["properties"], f"{name} has no output {output}"
    components = {name: entry for name, entry in resources.items() if entry["type"].startswith(f"{schema['name']}:")}
    assert {entry["type"] for entry in components.values()} == {f"{schema['name']}:index:{name}"
                                                                for name in ("AgentCoreGateway", "GatewayTarget", "PublicCertificate")}
    for name, entry in components.items():
        definition = resource(schema, entry["type"].rsplit(":", 1)[1])
        check_inputs(schema, name, entry.get("properties", {}), definition["inputProperties"], definition.get("requiredInputs", []))
