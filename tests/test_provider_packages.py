"""pulumi-aws's service packages loaded on demand (``simulation/provider_packages.py``) hold what the eager packages hold.

The plan simulates programs with each pulumi-aws module imported when first named, and so do the test processes
(``tests/conftest.py``); the eager packages are read in an interpreter of their own. (That a plan's process imports only
the modules its programs name is checked in ``test_warm_start.py``.)
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

from agentcore_egress.simulation.provider_packages import exported_names
from child_processes import REPOSITORY, user_environment

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

_AS_WRITTEN = _DESCRIBE + """
import importlib, json, sys
print(json.dumps({name: describe(importlib.import_module(name)) for name in sys.argv[1:]}))  # typing: a module, skipped
"""
"""Service packages imported as pulumi-aws writes them, in an interpreter of their own."""

_NAMED_SERVICE = re.compile(r"\baws\.([a-z0-9_]+)\.[A-Za-z_]|\bpulumi_aws\.([a-z0-9_]+)|from pulumi_aws import ([a-z0-9_, ]+)")


def service_packages_the_programs_name() -> list[str]:
    """``pulumi_aws.<service>`` for each service the components and the stack program name (``aws.ec2.Vpc``...)."""
    named = set()
    for source in [*(REPOSITORY / "components").glob("*.py"), *(REPOSITORY / "stacks").glob("*.py")]:
        for match in _NAMED_SERVICE.finditer(source.read_text()):
            named.update(name.strip() for group in match.groups() if group for name in group.split(","))
    provider = Path(importlib.util.find_spec("pulumi_aws").origin).parent
    return sorted(f"pulumi_aws.{name}" for name in named if (provider / name / "__init__.py").is_file())  # not aws.amazon.com


def test_every_name_of_the_service_packages_the_programs_use_is_the_object_the_eager_package_holds():
    packages = service_packages_the_programs_name()
    assert {"pulumi_aws.ec2", "pulumi_aws.ec2transitgateway", "pulumi_aws.vpclattice", "pulumi_aws.bedrock"} <= set(packages), packages
    scope: dict = {}
    exec(_DESCRIBE, scope)
    on_demand = {name: importlib.import_module(name) for name in packages}  # this process loads them on demand (conftest.py)
    described = {name: scope["describe"](package) for name, package in on_demand.items()}
    assert all("__getattr__" in vars(package) for package in on_demand.values())
    completed = subprocess.run([sys.executable, "-c", _AS_WRITTEN, *packages], cwd=REPOSITORY, env=user_environment(),
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert described == json.loads(completed.stdout)
    assert described["pulumi_aws.ec2"]["get_vpc"] == ["function", "pulumi_aws.ec2.get_vpc", "get_vpc"]
    assert type(on_demand["pulumi_aws.ec2"].instance).__name__ == "module"  # a module by its name, as eagerly


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
