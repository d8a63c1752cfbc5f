"""Copies of the bundled landing zones that tests can break."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

import yaml

ROOT = Path(__file__).resolve().parents[1]
TGW_EXAMPLE = ROOT / "stacks"
PEERING_EXAMPLE = ROOT / "examples" / "landing-zones" / "peering"


def copy_zone(source: Path, destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for file in source.glob("Pulumi.*.yaml"):
        shutil.copy(file, destination / file.name)
    return destination


def edit_stack(zone: Path, stack: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Apply ``change`` to the stack's ``config`` mapping (keys without the namespace)."""
    file = zone / f"Pulumi.{stack}.yaml"
    document = yaml.safe_load(file.read_text())
    config = {key.split(":", 1)[1]: value for key, value in document["config"].items()}
    change(config)
    document["config"] = {f"agentcore-egress:{key}": value for key, value in config.items()}
    file.write_text(yaml.safe_dump(document, sort_keys=False))


def write_stack(zone: Path, stack: str, config: dict[str, Any]) -> None:
    (zone / f"Pulumi.{stack}.yaml").write_text(
        yaml.safe_dump({"config": {f"agentcore-egress:{key}": value for key, value in config.items()}}, sort_keys=False)
    )
