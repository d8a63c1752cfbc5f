"""The shape issue 14 asked for, kept: short functions, and a cli/ that is the command line only."""

import ast
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
PRODUCT = ["components", "policies", "stacks", "simulation", "planner", "live", "cli"]
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
