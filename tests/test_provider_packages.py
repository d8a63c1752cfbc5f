"""pulumi-aws's service packages loaded on demand (``simulation/provider_packages.py``) hold what the eager packages hold.

The plan simulates programs with each pulumi-aws module imported when first named. Each test here that starts an
interpreter needs one where pulumi-aws is not imported yet, as in a plan's process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from agentcore_egress.simulation.provider_packages import exported_names
from child_processes import REPOSITORY, user_environment
from landing_zones import TGW_EXAMPLE

_DESCRIBE = """
def describe(package):
    # Every name the package exports (not its modules, bound as they are imported): what it is and where it is defined.
    # Reversed: a function named as its module (get_vpc) is asked for after another name of that module imported it.
    found = {}
    hasattr(package, "_")  # pulumi-aws's lazy_import only named the package: a lookup of a name runs its loader
    for name in reversed(dir(package)):
        value = getattr(package, name)
        if not name.startswith("_") and not isinstance(value, type(package)):
            found[name] = [type(value).__name__, getattr(value, "__module__", None), getattr(value, "__qualname__", None)]
    return found
"""

_ON_DEMAND = _DESCRIBE + """
import importlib, json, sys
from agentcore_egress.simulation import provider_packages
from agentcore_egress.cli.main import main
provider_packages.install()
code = main(["plan", sys.argv[1], "--no-cache", "--jobs", "1", "--quiet", "--format", "json", "--output", sys.argv[2]])
assert code == 0, code
used = sorted({name.rpartition(".")[0] for name in sys.modules if name.startswith("pulumi_aws.") and name.count(".") == 2})
described = {name: describe(importlib.import_module(name)) for name in used}
assert type(importlib.import_module("pulumi_aws.ec2").instance).__name__ == "module"  # a module by its name, as eagerly
print(json.dumps(described))
"""
"""A plan of the bundled example with on-demand packages, then every name of each service package it used."""

_AS_WRITTEN = _DESCRIBE + """
import importlib, json, sys
print(json.dumps({name: describe(importlib.import_module(name)) for name in sys.argv[1:]}))  # typing: a module, skipped
"""
"""The same service packages imported as pulumi-aws writes them."""


def _python(script: str, *arguments: str) -> dict:
    completed = subprocess.run([sys.executable, "-c", script, *arguments], cwd=REPOSITORY, env=user_environment(),
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_every_name_a_plan_reads_is_the_object_the_eager_package_holds(tmp_path):
    on_demand = _python(_ON_DEMAND, str(TGW_EXAMPLE), str(tmp_path / "plan.json"))
    assert {"pulumi_aws.ec2", "pulumi_aws.ec2transitgateway", "pulumi_aws.vpclattice", "pulumi_aws.ram"} <= set(on_demand)
    as_written = _python(_AS_WRITTEN, *on_demand)
    assert on_demand == as_written
    assert on_demand["pulumi_aws.ec2"]["get_vpc"] == ["function", "pulumi_aws.ec2.get_vpc", "get_vpc"]


def _package(folder: Path, init: str, modules: dict[str, str]) -> Path:
    folder.mkdir()
    (folder / "__init__.py").write_text(init)
    for name, text in modules.items():
        (folder / f"{name}.py").write_text(text)
    return folder / "__init__.py"


def test_the_index_maps_each_name_to_the_last_module_that_exports_it(tmp_path):
    init = _package(tmp_path / "svc", "# generated\nimport builtins as _builtins\nfrom .. import _utilities\nimport typing\n"
                    "from .a import *\nfrom .b import *\nfrom . import outputs\n",
                    {"a": "__all__ = ['Shared', 'OnlyA']\n", "b": "import x\n__all__ = [\n    'Shared',\n    'get_b',\n]\nclass Shared: ...\n"})
    assert exported_names(init) == {"Shared": "b", "OnlyA": "a", "get_b": "b"}


def test_a_package_not_shaped_as_generated_is_imported_as_written(tmp_path):
    other_statement = _package(tmp_path / "config", "import sys\nfrom .vars import _ExportableConfig\n", {"vars": "__all__ = []\n"})
    no_literal_all = _package(tmp_path / "svc", "from .a import *\n", {"a": "__all__ = NAMES\n"})
    no_all = _package(tmp_path / "svc2", "from .a import *\n", {"a": "class A: ...\n"})
    assert exported_names(other_statement) is None and exported_names(no_literal_all) is None and exported_names(no_all) is None
