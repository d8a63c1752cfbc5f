"""The rooms' arrows hold (ARCHITECTURE.md): import-linter's contracts in pyproject.toml, and no import cycle at all."""

from __future__ import annotations

import graphlib
import subprocess
import sys
from pathlib import Path

import grimp

from child_processes import REPOSITORY, user_environment

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
ROOMS = ("cli", "reports", "planner", "live", "simulation", "stacks", "components", "policies", "files", "process")


def test_every_import_keeps_the_contracts_of_pyproject_toml():
    run = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(REPOSITORY / "pyproject.toml")], cwd=REPOSITORY,
        env=user_environment(), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_no_module_of_the_product_imports_itself_back_through_others():
    """Imports inside functions count: a lazy import hides a cycle from Python, not from a reader."""
    graph = grimp.build_graph(*(f"agentcore_egress.{room}" for room in ROOMS), cache_dir=None)
    assert len(graph.modules) > 100  # the rooms were found, not an empty graph
    sorter = graphlib.TopologicalSorter({module: graph.find_modules_directly_imported_by(module) for module in graph.modules})
    try:
        sorter.prepare()
    except graphlib.CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None
