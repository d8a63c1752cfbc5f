"""Fresh virtual environments built as the Pulumi engine builds a pack's or a plugin's.

The engine creates the virtualenv named in PulumiPolicy.yaml / PulumiPlugin.yaml
inside the folder and runs ``pip install -r requirements.txt`` with the folder as
the working directory; then it runs ``python __main__.py`` there. These helpers do
the same with the configured package mirror, so a requirement missing from the
folder's requirements.txt fails here as it would on the service (without writing
bytecode for every installed module up front: see install_requirements).
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

import yaml

from child_processes import user_environment


def virtualenv_of(folder: Path, manifest: str) -> Path:
    """The virtualenv folder a PulumiPolicy.yaml / PulumiPlugin.yaml names, resolved as the engine does (relative to the folder)."""
    options = yaml.safe_load((folder / manifest).read_text())["runtime"]["options"]
    return folder / options["virtualenv"]


def install_requirements(folder: Path, manifest: str, timeout: float = 600.0) -> Path:
    """Create the folder's virtualenv and install its requirements.txt from inside the folder; returns its python."""
    venv = virtualenv_of(folder, manifest)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120, stdin=subprocess.DEVNULL)
    python = venv / "bin" / "python"
    result = subprocess.run(
        # --no-compile: pip would write bytecode for every module it installs (pulumi-aws's 3,000 of them, some 14 s of
        # CPU); Python writes it for the few a run imports. What is installed, and from where, is the engine's.
        [str(python), "-m", "pip", "install", "-q", "--no-compile", "-r", "requirements.txt"],
        cwd=folder, env=user_environment(), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
    )
    assert result.returncode == 0, f"pip install -r requirements.txt in {folder} failed:\n{result.stderr[-3000:]}"
    return python


def start_plugin(python: Path, folder: Path, *arguments: str, timeout: float = 60.0) -> tuple[subprocess.Popen, str]:
    """Start ``python __main__.py`` in ``folder`` with a user's environment; returns the process and the port it printed."""
    process = subprocess.Popen(
        [str(python), "__main__.py", *arguments], cwd=folder, env=user_environment(),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + timeout
    line = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while not line.endswith(b"\n") and time.monotonic() < deadline:
            if not selector.select(max(0.0, deadline - time.monotonic())):
                break
            chunk = os.read(process.stdout.fileno(), 1)
            if not chunk:
                break
            line += chunk
    port = line.decode(errors="replace").strip()
    if not port.isdigit():
        process.kill()
        _, error = process.communicate(timeout=10)
        raise AssertionError(f"{folder}/__main__.py printed {port!r} instead of a port: {error.decode(errors='replace')[-3000:]}")
    return process, port


def stop(process: subprocess.Popen) -> None:
    process.kill()
    process.communicate(timeout=10)
