"""A local policy pack's own virtualenv, where the Pulumi CLI runs the pack, checked (and on request made) before a rollout.

PulumiPolicy.yaml's ``runtime.options.virtualenv`` names a folder inside the
pack; the engine runs the pack with that virtualenv's python. The CLI creates
it and installs ``requirements.txt`` there itself only for packs it downloads
from Pulumi Cloud; for a local ``--policy-pack`` folder that is ``pulumi
install`` run in the folder (pulumi/pulumi pkg/cmd/pulumi/install: in a policy
pack's folder it installs the pack's dependencies by its runtime options).
Without it every ``preview`` and ``up`` fails when the engine loads the pack,
so :func:`ready_policy_packs` looks first: the virtualenv has a python, and
every package ``requirements.txt`` names is installed in it (by
``importlib.metadata`` in that python; the versions are pip's business).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Optional

import yaml

from agentcore_egress.stacks.config_schema import ConfigError

CHECK_DEADLINE = 60.0
"""Seconds the pack's python may take to say which requirements it lacks."""

_NOT_INSTALLED = """
import sys
from importlib import metadata
for name in sys.argv[1:]:
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        print(name)
"""


def virtualenv_of(pack: Path) -> Optional[Path]:
    """The virtualenv PulumiPolicy.yaml names, relative to the pack as the engine reads it; None when it names none."""
    try:
        runtime = (yaml.safe_load((pack / "PulumiPolicy.yaml").read_text()) or {}).get("runtime")
    except (OSError, yaml.YAMLError, AttributeError) as error:
        raise ConfigError([f"--policy-pack {pack}: PulumiPolicy.yaml cannot be read ({error}). "
                           "Fix: pass the folder of a policy pack (it holds PulumiPolicy.yaml)"]) from None
    options = runtime.get("options") if isinstance(runtime, dict) else None
    virtualenv = options.get("virtualenv") if isinstance(options, dict) else None
    return pack / virtualenv if virtualenv else None


def requirement_names(pack: Path) -> list[str]:
    """The distribution names requirements.txt lists (comments, blank lines and pip options left out)."""
    file = pack / "requirements.txt"
    lines = file.read_text().splitlines() if file.is_file() else []
    names = (re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line.split("#", 1)[0].strip()) for line in lines)
    return [name.group(0) for name in names if name]


def environment_problem(pack: Path) -> Optional[str]:
    """What keeps the engine from running the pack, or None: no virtualenv, or one lacking a requirement."""
    virtualenv = virtualenv_of(pack)
    if virtualenv is None:
        return None  # the engine runs the pack with the python on the PATH: nothing of the pack's own to check
    python = virtualenv / "bin" / "python"
    if not python.is_file():
        return f"its virtualenv {virtualenv} does not exist (the Pulumi CLI creates it only for packs from Pulumi Cloud)"
    try:
        answer = subprocess.run([str(python), "-c", _NOT_INSTALLED, *requirement_names(pack)], capture_output=True, text=True,
                                stdin=subprocess.DEVNULL, timeout=CHECK_DEADLINE)
    except subprocess.TimeoutExpired:
        return f"{python} did not say within {CHECK_DEADLINE:g} s which requirements it has"
    except OSError as error:
        return f"{python} cannot run ({error.strerror})"
    if answer.returncode != 0:
        return f"{python} failed: {(answer.stderr.strip().splitlines() or ['exit ' + str(answer.returncode)])[-1]}"
    missing = answer.stdout.split()
    return f"its virtualenv {virtualenv} lacks {', '.join(missing)} (from requirements.txt)" if missing else None


def ready_policy_packs(packs: list[Path], install: Optional[Callable[[Path], None]], progress: Callable[[str], None]) -> None:
    """Every pack's virtualenv ready, installing it with ``install`` where it is not (when given); else ConfigError, a line a pack."""
    problems = []
    for pack in packs:
        problem = environment_problem(pack)
        if problem and install:
            progress(f"policy pack {pack}: {problem}; installing it (pulumi install)")
            install(pack)
            problem = environment_problem(pack)
        if problem:
            problems.append(f"--policy-pack {pack}: {problem}. Fix: run `pulumi install` in {pack}, or pass --install-policy-packs")
    if problems:
        raise ConfigError(problems)
