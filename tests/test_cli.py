import subprocess
import sys

import pytest

from agentcore_egress.cli.main import main
from agentcore_egress.components import COMPONENTS


def test_default_command_prints_version_and_every_component(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("agentcore-egress ")
    for component in COMPONENTS:
        assert component.__name__ in out


def test_console_script_is_installed():
    completed = subprocess.run(
        [sys.executable, "-c", "from importlib.metadata import entry_points; print([e.value for e in entry_points(group='console_scripts', name='agentcore-egress')])"],
        capture_output=True, text=True, check=True,
    )
    assert "agentcore_egress.cli.main:run" in completed.stdout


def test_no_generic_top_level_modules_are_installed():
    # Outside the repository, `components` and `policies` must not be importable:
    # the package lives under agentcore_egress only.
    completed = subprocess.run(
        [sys.executable, "-c", "import importlib.util as u; print(u.find_spec('components'), u.find_spec('policies'), u.find_spec('cli'), u.find_spec('agentcore_egress.components') is not None)"],
        capture_output=True, text=True, check=True, cwd="/",
    )
    assert completed.stdout.split() == ["None", "None", "None", "True"]


_ENTRY_POINT = """
import atexit, sys
class Freed:
    def __del__(self):
        print("torn down", file=sys.stderr)
kept = Freed()
broken, when = sys.argv[1:3]
if when == "before":
    atexit.register(lambda: print("atexit ran", file=sys.stderr))
from agentcore_egress.cli import main as cli
command = cli.main
def main_registering_a_handler(argv=None):
    if when == "after":
        atexit.register(lambda: print("atexit ran", file=sys.stderr))
    return command(argv)
cli.main = main_registering_a_handler
sys.argv = ["agentcore-egress", "schema", "--check", broken]
sys.exit(cli.run())
"""
"""The console script's entry point, on a bad stack file (exit 2); a handler registered before or after it starts, and
an object only the interpreter's teardown frees, which says so."""


@pytest.mark.parametrize("handler", ["after", "before"])
def test_the_entry_point_ends_the_process_without_the_interpreters_teardown_unless_a_handler_came_first(tmp_path, handler):
    broken = tmp_path / "Pulumi.broken.yaml"
    broken.write_text("config: [\n")
    completed = subprocess.run([sys.executable, "-c", _ENTRY_POINT, str(broken), handler], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2 and "Pulumi.broken.yaml" in completed.stderr
    assert "atexit ran" in completed.stderr, "every handler runs"
    # Registered after the entry point's: the process ends once it ran. Before: Python's own exit, which runs it last.
    assert ("torn down" in completed.stderr) == (handler == "before")
