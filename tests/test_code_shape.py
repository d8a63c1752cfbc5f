"""The shape issue 14 asked for, kept: short functions, and a cli/ that is the command line only."""

import ast
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
PRODUCT = ["components", "policies", "stacks", "simulation", "planner", "live", "reports", "cli", "files", "process"]
MAX_FUNCTION_LINES = 80
MAX_CLI_LINES = 1000


def _functions(folder: str):
    for file in sorted((REPOSITORY / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield file.relative_to(REPOSITORY), node


@pytest.mark.parametrize("folder", PRODUCT)
def test_no_function_of_the_product_is_longer_than_80_lines(folder):
    long = [f"{file}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for file, node in _functions(folder) if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []


def test_cli_is_the_command_line_only():
    lines = sum(len(file.read_text().splitlines()) for file in (REPOSITORY / "cli").glob("*.py"))
    assert lines <= MAX_CLI_LINES
    # Nothing but the command line imports cli/: the flow reads in one direction.
    for folder in PRODUCT:
        if folder == "cli":
            continue
        for file in (REPOSITORY / folder).rglob("*.py"):
            imported = [node.module or "" for node in ast.walk(ast.parse(file.read_text())) if isinstance(node, ast.ImportFrom)]
            imported += [alias.name for node in ast.walk(ast.parse(file.read_text())) if isinstance(node, ast.Import) for alias in node.names]
            assert not any(module.startswith("agentcore_egress.cli") for module in imported), file


DEPENDENCIES = ("pulumi", "pulumi_policy", "pulumi_aws", "grpc", "google")
"""Packages whose private names (a leading underscore) the product must not use: a release may change them silently."""


def _private_uses(tree: ast.AST) -> list[str]:
    """``from dep import _x``, ``dep._x`` and ``alias._x`` where ``alias`` is a module imported from a dependency."""
    aliases: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in DEPENDENCIES:
                    aliases.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in DEPENDENCIES:
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                aliases.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in aliases:
                found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("folder", PRODUCT)
def test_the_product_uses_no_private_name_of_pulumi_pulumi_policy_or_grpc(folder):
    uses = [f"{file.relative_to(REPOSITORY)} {use}" for file in sorted((REPOSITORY / folder).rglob("*.py"))
            for use in _private_uses(ast.parse(file.read_text()))]
    assert uses == []


def test_the_private_name_check_sees_each_way_of_reaching_one():
    source = ("import pulumi.runtime.resource as r\nfrom pulumi_policy import policy as sdk\nfrom grpc import _channel\n"
              "r._get_stack_trace = None\nsdk._PolicyAnalyzerServicer\nx._private_but_ours\n")
    assert len(_private_uses(ast.parse(source))) == 3
