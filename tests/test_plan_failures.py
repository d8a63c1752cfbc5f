"""A failing pack, worker or pack configuration ends `plan` at once: exit 2, one line, no process left behind.

Each run is the installed CLI in a user's environment (no PYTHONUNBUFFERED)
with a hard time limit; survivors are looked for in /proc by the pack's folder
(every pack process runs in it; every worker names it on its command line).
"""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from agentcore_egress.planner.policy_analyzer import default_pack_dir
from child_processes import CONSOLE_SCRIPT, run_cli, user_environment
from landing_zones import TGW_EXAMPLE

pytestmark = pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="looks for survivors in /proc")

LIMIT = 90


def survivors(marker: Path) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if str(marker) in command or cwd == str(marker):
            found.append(f"{entry.name}: {command[:200]}")
    return found


def no_survivors(marker: Path, within: float = 5.0) -> list[str]:
    deadline = time.monotonic() + within
    while survivors(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    return survivors(marker)


def pack_copy(tmp_path: Path, main: str = None) -> Path:
    # The pack runs from its folder alone (its rules are loaded from the folder), so copy all of it.
    folder = tmp_path / "pack"
    shutil.copytree(default_pack_dir(), folder, ignore=shutil.ignore_patterns("__pycache__", "venv", ".venv"))
    if main is not None:
        (folder / "__main__.py").write_text(main)
    return folder


def one_error_line(completed) -> str:
    lines = [line for line in completed.stderr.splitlines() if line.startswith("error:")]
    assert completed.returncode == 2 and len(lines) == 1 and "Traceback" not in completed.stderr, completed.stderr
    return lines[0]


BAD_CONFIGS = {
    "misspelt name": ({"explicit-security-group": "mandatory"}, "did you mean 'explicit-security-groups'"),
    "upper-case level": ({"explicit-security-groups": "MANDATORY"}, "lower case"),
    "unknown level": ({"modern-tls": "warn"}, "is not an enforcement level"),
    "number entry": ({"modern-tls": 3}, "must be a string or object"),
    "list entry": ({"modern-tls": ["advisory"]}, "must be a string or object"),
    "wrong option type": ({"modern-tls": {"requireTls13": "yes"}}, "requireTls13"),
}


CASES = [(case, "bundled") for case in sorted(BAD_CONFIGS)] + [("misspelt name", "folder"), ("number entry", "folder")]


@pytest.mark.parametrize("case, pack", CASES)
def test_bad_pack_config_ends_plan_at_once_with_one_line(tmp_path, case, pack):
    config, expected = BAD_CONFIGS[case]
    (tmp_path / "config.json").write_text(json.dumps(config))
    folder = pack_copy(tmp_path)
    arguments = ["plan", str(TGW_EXAMPLE), "--policy-pack-config", str(tmp_path / "config.json")]
    if pack == "folder":  # the pack's own rules are then only known to its worker: it must fail as fast
        arguments += ["--policy-pack", str(folder)]
    line = one_error_line(run_cli(*arguments, timeout=LIMIT))
    assert expected in line and (pack == "folder" or str(tmp_path / "config.json") in line)
    assert no_survivors(folder) == []


def test_a_pack_that_does_not_start_ends_plan_with_its_reason(tmp_path):
    folder = pack_copy(tmp_path, 'raise SystemExit("broken pack: no rules")\n')
    line = one_error_line(run_cli("plan", str(TGW_EXAMPLE), "--policy-pack", str(folder), timeout=LIMIT))
    assert "did not start" in line and "broken pack: no rules" in line
    assert no_survivors(folder) == []


CRASHING_PACK = """
import os
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def crash(args, report_violation):
    os._exit(3)

PolicyPack(name="crashing", policies=[ResourceValidationPolicy(name="crash", description="dies", validate=crash,
                                                             enforcement_level=EnforcementLevel.MANDATORY)])
"""


def test_a_pack_that_dies_while_judging_ends_plan_at_once(tmp_path):
    folder = pack_copy(tmp_path, CRASHING_PACK)
    line = one_error_line(run_cli("plan", str(TGW_EXAMPLE), "--policy-pack", str(folder), timeout=LIMIT))
    assert "policy pack" in line and "failed" in line
    assert no_survivors(folder) == []


HANGING_PACK = CRASHING_PACK.replace("os._exit(3)", "import time; time.sleep(600)").replace('"crashing"', '"hanging"')


def test_no_pack_or_worker_outlives_a_killed_plan(tmp_path):
    folder = pack_copy(tmp_path, HANGING_PACK)
    process = subprocess.Popen([str(CONSOLE_SCRIPT), "plan", str(TGW_EXAMPLE), "--policy-pack", str(folder), "--quiet"],
                               env=user_environment(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + LIMIT
        while len(survivors(folder)) < 2 and time.monotonic() < deadline:  # the plan and its policy worker (the pack) are up
            time.sleep(0.2)
        assert len(survivors(folder)) >= 2, "the pack never started"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert no_survivors(folder, within=10) == []
