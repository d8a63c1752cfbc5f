"""Copies of the bundled landing zones that tests can break."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Callable

import yaml

from agentcore_egress.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
TGW_EXAMPLE = ROOT / "stacks"
PEERING_EXAMPLE = ROOT / "examples" / "landing-zones" / "peering"
BROWNFIELD_EXAMPLE = ROOT / "examples" / "landing-zones" / "brownfield"


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


def two_subnets(octet: int, prefix: int = 24, region: str = "eu-west-1") -> list[dict[str, str]]:
    """Subnets a and b of VPC 10.<octet>.0.0/16: 10.<octet>.0.0/<prefix> and 10.<octet>.1.0/<prefix>, in zones a and b."""
    return [{"name": name, "cidr": f"10.{octet}.{index}.0/{prefix}", "az": f"{region}{name}"} for index, name in enumerate("ab")]


def add_tgw_spoke_stack(zone: Path, stack: str, account: dict[str, str], vpc: str, octet: int) -> None:
    """A stack of ``account`` with VPC 10.<octet>.0.0/16 attached to the bundled hub, reaching AgentCore's VPC, and its
    acceptance in the hub acceptance stack (segment spokes, propagating to agentcore)."""
    write_stack(zone, stack, {
        "account": account, "vpcs": [{"name": vpc, "cidr": f"10.{octet}.0.0/16", "subnets": two_subnets(octet)}],
        "tgw_spokes": [{"vpc": vpc, "hub_stack": "network-hub", "destinations": ["10.250.0.0/16"]}],
    })
    edit_stack(zone, "network-hub-acceptance", lambda c: c["tgw_acceptances"].append(
        {"spoke": {"stack": stack, "vpc": vpc}, "hub_stack": "network-hub", "associate_with": "spokes", "propagate_to": ["agentcore"]}))


def plan_json(capsys, zone: Path) -> tuple[int, Any, str]:
    """``plan <zone> --format json --quiet``: its exit code, its JSON report (None when it wrote none) and its stderr."""
    code = main(["plan", str(zone), "--format", "json", "--quiet"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else None, captured.err


def refused_input(capsys, zone: Path) -> str:
    """What ``plan <zone>`` says on stderr as it refuses the zone as bad input (exit 2), without a traceback."""
    assert main(["plan", str(zone)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return err


def assert_plans_clean_and_reachable(capsys, zone: Path) -> None:
    """``plan <zone>`` exits 0 and traces every target as reachable."""
    code, result, err = plan_json(capsys, zone)
    assert code == 0, err
    assert {trace["verdict"] for trace in result["reachability"]} == {"reachable"}, result["reachability"]


def accept_tgw_share_invitations(zone: Path) -> None:
    """Both spokes of the bundled zone in another account than the hub's accept the hub's RAM share invitation."""
    for stack in ("tools-payments", "agentcore"):
        edit_stack(zone, stack, lambda c: c["tgw_spokes"][0].update(accept_share_invitation=True))


def invitations_only(zone: Path) -> None:
    """The bundled hub with sharing with AWS Organizations off, sharing with the spokes' accounts: an invitation to each."""
    edit_stack(zone, "network-hub", lambda c: (c["organization"].update(ram_sharing_enabled=False),
                                               c["transit_gateway_hub"].update(share_with=["222222222222", "444444444444"])))
