import subprocess
import sys

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
    assert "agentcore_egress.cli.main:main" in completed.stdout


def test_no_generic_top_level_modules_are_installed():
    # Outside the repository, `components` and `policies` must not be importable:
    # the package lives under agentcore_egress only.
    completed = subprocess.run(
        [sys.executable, "-c", "import importlib.util as u; print(u.find_spec('components'), u.find_spec('policies'), u.find_spec('cli'), u.find_spec('agentcore_egress.components') is not None)"],
        capture_output=True, text=True, check=True, cwd="/",
    )
    assert completed.stdout.split() == ["None", "None", "None", "True"]
