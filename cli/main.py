"""Entry point of the ``agentcore-egress`` command."""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from typing import Optional, Sequence


def _version() -> str:
    try:
        return metadata.version("agentcore-egress")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def _first_line(text: Optional[str]) -> str:
    return (text or "").strip().splitlines()[0] if text and text.strip() else ""


def list_components() -> str:
    """One line per component: its name and what it is for."""
    from agentcore_egress.components import COMPONENTS

    width = max(len(component.__name__) for component in COMPONENTS)
    return "\n".join(f"  {component.__name__:<{width}}  {_first_line(component.__doc__)}" for component in COMPONENTS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentcore-egress",
        description="Private, policy-checked egress from Amazon Bedrock AgentCore Gateway into VPCs across accounts.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("components", help="list the Pulumi components the package provides")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in (None, "components"):
        print(f"agentcore-egress {_version()}")
        print("Pulumi components (import from agentcore_egress.components):")
        print(list_components())
        return 0
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
