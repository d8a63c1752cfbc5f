"""rollout checks each --policy-pack's own virtualenv before wave 1, and makes it with `pulumi install` on request.

The Pulumi CLI creates a local pack's virtualenv only through `pulumi install` in its folder; here a pack folder
of the same shape, its virtualenv made without pip (a requirement counts as installed when its distribution's
metadata is there, as importlib.metadata reads it), and a stand-in `pulumi` on the PATH for the command line.
"""

import json
import subprocess
import sys
import textwrap

import pytest

from agentcore_egress.live.policy_pack_environment import environment_problem, ready_policy_packs
from agentcore_egress.stacks.config_schema import ConfigError
from child_processes import run_cli
from test_rollout import write_project

SITE_PACKAGES = f"lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"


def pack_folder(tmp_path, requirements="agentcore-egress-fake-requirement>=1  # what the pack imports\n"):
    pack = tmp_path / "pack"
    pack.mkdir(parents=True)
    (pack / "PulumiPolicy.yaml").write_text("runtime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: venv\n")
    (pack / "requirements.txt").write_text(requirements)
    return pack


def make_virtualenv(pack, *installed):
    """The pack's virtualenv, with the metadata of each distribution named as pip would leave it."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(pack / "venv")], check=True, timeout=120, stdin=subprocess.DEVNULL)
    for name in installed:
        info = pack / "venv" / SITE_PACKAGES / f"{name.replace('-', '_')}-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")


def test_a_pack_without_its_virtualenv_or_lacking_a_requirement_is_named_with_the_fix(tmp_path):
    pack = pack_folder(tmp_path)
    with pytest.raises(ConfigError) as missing:
        ready_policy_packs([pack], None, print)
    assert missing.value.problems == [f"--policy-pack {pack}: its virtualenv {pack / 'venv'} does not exist (the Pulumi CLI creates it "
                                      f"only for packs from Pulumi Cloud). Fix: run `pulumi install` in {pack}, or pass --install-policy-packs"]
    make_virtualenv(pack)
    assert environment_problem(pack) == f"its virtualenv {pack / 'venv'} lacks agentcore-egress-fake-requirement (from requirements.txt)"
    make_virtualenv(pack, "agentcore-egress-fake-requirement")
    assert environment_problem(pack) is None
    ready_policy_packs([pack], None, print)


def test_a_pack_that_names_no_virtualenv_runs_with_the_python_on_the_path_and_needs_nothing(tmp_path):
    pack = pack_folder(tmp_path)
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    assert environment_problem(pack) is None


def test_install_runs_only_where_needed_and_the_pack_is_checked_again_after_it(tmp_path):
    ready, lacking = pack_folder(tmp_path / "a"), pack_folder(tmp_path / "b")
    make_virtualenv(ready, "agentcore-egress-fake-requirement")
    installed, lines = [], []
    ready_policy_packs([ready, lacking], lambda pack: (installed.append(pack), make_virtualenv(pack, "agentcore-egress-fake-requirement")),
                       lines.append)
    assert installed == [lacking] and len(lines) == 1 and "installing it (pulumi install)" in lines[0]
    with pytest.raises(ConfigError, match="lacks agentcore-egress-fake-requirement"):
        ready_policy_packs([pack_folder(tmp_path / "c")], lambda pack: make_virtualenv(pack), lines.append)


def stand_in_pulumi(tmp_path):
    """A `pulumi` whose `install` makes the pack's virtualenv as `pulumi install` would; every other command fails."""
    script = tmp_path / "bin" / "pulumi"
    script.parent.mkdir()
    make = (f"{sys.executable} -m venv --without-pip venv && mkdir -p venv/{SITE_PACKAGES}/agentcore_egress_fake_requirement-1.0.dist-info && "
            f"printf 'Metadata-Version: 2.1\\nName: agentcore-egress-fake-requirement\\nVersion: 1.0\\n' > venv/{SITE_PACKAGES}/agentcore_egress_fake_requirement-1.0.dist-info/METADATA")
    script.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        case "$1" in
          version) echo v3.231.0 ;;
          install) echo "installing in $(pwd)" && {make} ;;
          *) echo "error: this stand-in runs no stacks" >&2; exit 1 ;;
        esac
        """))
    script.chmod(0o755)
    return script.parent


def test_rollout_stops_before_wave_1_with_the_fix_and_installs_the_pack_when_asked(tmp_path):
    zone = write_project(tmp_path)
    pack, path = pack_folder(tmp_path), f"{stand_in_pulumi(tmp_path)}:/usr/bin:/bin"
    refused = run_cli("rollout", str(zone), "--policy-pack", str(pack), "--format", "json", timeout=120, PATH=path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines() == [f"error: --policy-pack {pack}: its virtualenv {pack / 'venv'} does not exist (the Pulumi "
                                                   f"CLI creates it only for packs from Pulumi Cloud). Fix: run `pulumi install` in {pack}, "
                                                   "or pass --install-policy-packs"]
    assert [json.loads(line)["state"] for line in refused.stdout.splitlines()] == ["bad-input"], "no stack was started"
    installed = run_cli("rollout", str(zone), "--policy-pack", str(pack), "--install-policy-packs", timeout=120, PATH=path)
    assert f"installing in {pack}" in installed.stderr and environment_problem(pack) is None
    assert "--policy-pack" not in installed.stderr and "wave 1/" in installed.stderr, installed.stderr
