"""The plan as text (for people), Markdown (for pull requests), JSON (for tools) and SARIF (for code scanning)."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

from agentcore_egress.planner.cross_stack_checks import RULES as CROSS_STACK_RULES
from agentcore_egress.planner.reachability import RULE as REACHABILITY_RULE
from agentcore_egress.planner.footprint import Footprint
from agentcore_egress.planner.plan import PlanResult, StackPlan
from agentcore_egress.planner.policy_analyzer import Finding
from agentcore_egress.planner.topology import mermaid

from .sarif import sarif_document



def _short_type(token: str) -> str:
    return token.split(":")[1] + ":" + token.rsplit(":", 1)[-1] if token.count(":") == 2 else token


def _first_line(message: str) -> str:
    """The pack prefixes each message with the rule's description: keep the specific part."""
    parts = message.split("\n", 1)
    return parts[1] if len(parts) == 2 else parts[0]


def _managed_groups(result: PlanResult) -> dict[str, int]:
    return {stack.name: stack.footprint.managed_resource_gateways for stack in result.stacks if stack.footprint.managed_targets}


def totals(result: PlanResult) -> dict[str, Any]:
    merged = Footprint()
    for stack in result.stacks:
        for key, value in stack.footprint.as_dict().items():
            if isinstance(value, int):
                setattr(merged, key, getattr(merged, key) + value)
    levels = Counter(finding.level for _, finding in result.findings)
    return {
        "stacks": len(result.stacks),
        "accounts": len({stack.account_id for stack in result.stacks}),
        "resources": sum(len(stack.registrations) for stack in result.stacks),
        "mandatory": levels.get("mandatory", 0),
        "advisory": levels.get("advisory", 0),
        "footprint": {key: value for key, value in merged.as_dict().items() if key != "reuse_groups"},
    }


def _footprint_line(footprint: Footprint) -> str:
    parts = []
    if footprint.managed_targets:
        parts.append(
            f"AgentCore will create {footprint.managed_resource_gateways} managed Resource Gateway(s) with {footprint.managed_enis} ENIs "
            f"({footprint.managed_enis} IPs) for {footprint.managed_targets} managed target(s)"
        )
    if footprint.self_managed_resource_gateways:
        parts.append(
            f"{footprint.self_managed_resource_gateways} self-managed Resource Gateway(s): {footprint.self_managed_enis} ENIs, {footprint.self_managed_ips} IPs"
        )
    if footprint.ram_shares:
        parts.append(f"{footprint.ram_shares} RAM share(s)")
    if footprint.tgw_attachments:
        parts.append(f"{footprint.tgw_attachments} TGW attachment(s)")
    if footprint.peerings:
        parts.append(f"{footprint.peerings} peering(s)")
    return "; ".join(parts) or "nothing AgentCore-specific"


def _by_account(result: PlanResult) -> dict[str, list[StackPlan]]:
    accounts: dict[str, list[StackPlan]] = {}
    for stack in result.stacks:
        accounts.setdefault(stack.account_id, []).append(stack)
    return dict(sorted(accounts.items()))


def _resource_name(finding: Finding) -> str:
    return finding.urn.rsplit("::", 1)[-1] if finding.urn else "stack"


def text(result: PlanResult, source: str, diagram: bool = True) -> str:
    summary = totals(result)
    waves = " ".join(f"{index}) {', '.join(wave)}" for index, wave in enumerate(result.zone.waves(), start=1))
    out = [
        f"agentcore-egress plan of {source}: {summary['stacks']} stacks, {summary['accounts']} accounts, {summary['resources']} resources",
        f"rollout waves: {waves}",
        "",
    ]
    for account, stacks in _by_account(result).items():
        out.append(f"account {account}")
        for stack in stacks:
            counts = stack.resource_counts
            out.append(f"  stack {stack.name} (wave {stack.wave}, {stack.region}, {stack.file}): {sum(counts.values())} cloud resources")
            out.append("    resources: " + ", ".join(f"{count} {_short_type(token)}" for token, count in sorted(counts.items())))
            if stack.findings:
                for finding in stack.findings:
                    out.append(f"    {finding.level.upper():9} {finding.policy}: {_first_line(finding.message)}")
            else:
                out.append("    policy: no findings")
            out.append(f"    footprint: {_footprint_line(stack.footprint)}")
        out.append("")
    if result.traces:
        out.append("reachability:")
        for trace in result.traces:
            out.append(f"  {trace.stack}/{trace.target.removesuffix('-target')} ({trace.mode}): {trace.summary()}")
        out.append("")
    out.append("cross-stack checks:")
    if result.cross_stack:
        for finding in result.cross_stack:
            out.append(f"  {finding.level.upper():9} {finding.policy} ({finding.stack}: {finding.config_path}): {finding.message}")
    else:
        out.append("  no findings")
    footprint = summary["footprint"]
    out += [
        "",
        f"verdict: {summary['mandatory']} mandatory, {summary['advisory']} advisory finding(s)"
        + (" — rollout blocked" if summary["mandatory"] else " — ready to roll out"),
        f"predicted AgentCore footprint: {footprint['managed_resource_gateways']} managed Resource Gateway(s), {footprint['managed_enis']} ENIs for "
        f"{footprint['managed_targets']} managed target(s); {footprint['self_managed_resource_gateways']} self-managed Resource Gateway(s), "
        f"{footprint['self_managed_enis']} ENIs, {footprint['self_managed_ips']} IPs; {footprint['ram_shares']} RAM share(s); "
        f"{footprint['tgw_attachments']} TGW attachment(s); {footprint['peerings']} peering(s)",
    ]
    if diagram:
        out += ["", "topology (Mermaid):", mermaid(result.zone, _managed_groups(result)).rstrip()]
    return "\n".join(out) + "\n"


def as_json(result: PlanResult, source: str) -> str:
    def finding(item: Finding) -> dict[str, Any]:
        return {k: v for k, v in {"policy": item.policy, "level": item.level, "message": _first_line(item.message), "urn": item.urn,
                                   "stack": item.stack, "config_path": item.config_path}.items() if v}

    document = {
        "landing_zone": source,
        "waves": result.zone.waves(),
        "stacks": [
            {
                "name": stack.name,
                "account": stack.account_id,
                "region": stack.region,
                "file": stack.file,
                "wave": stack.wave,
                "resources": dict(sorted(stack.resource_counts.items())),
                "findings": [finding(f) for f in stack.findings],
                "footprint": stack.footprint.as_dict(),
                "outputs": stack.outputs,
            }
            for stack in result.stacks
        ],
        "cross_stack": [finding(f) for f in result.cross_stack],
        "reachability": [
            {"stack": trace.stack, "target": trace.target.removesuffix("-target"), "mode": trace.mode, "verdict": trace.verdict,
             "hops": [hop.__dict__ for hop in trace.hops]}
            for trace in result.traces
        ],
        "totals": totals(result),
        "diagram": mermaid(result.zone, _managed_groups(result)),
    }
    return json.dumps(document, indent=2, sort_keys=False, default=str) + "\n"


def markdown(result: PlanResult, source: str) -> str:
    summary = totals(result)
    out = [
        f"# agentcore-egress plan: {source}",
        "",
        f"**{summary['mandatory']} mandatory, {summary['advisory']} advisory** finding(s) across {summary['stacks']} stacks in "
        f"{summary['accounts']} accounts ({summary['resources']} resources).",
        "",
        "| wave | stack | account | resources | mandatory | advisory | footprint |",
        "|---|---|---|---|---|---|---|",
    ]
    for stack in result.stacks:
        levels = Counter(f.level for f in stack.findings)
        out.append(
            f"| {stack.wave} | `{stack.name}` | {stack.account_id} | {sum(stack.resource_counts.values())} | {levels.get('mandatory', 0)} | "
            f"{levels.get('advisory', 0)} | {_footprint_line(stack.footprint)} |"
        )
    findings = result.findings
    if findings:
        out += ["", "## Findings", "", "| level | rule | stack | where | message |", "|---|---|---|---|---|"]
        for stack, finding in findings:
            where = _resource_name(finding) if stack else finding.config_path
            message = _first_line(finding.message).replace("|", "\\|")
            out.append(f"| {finding.level} | `{finding.policy}` | {stack.name if stack else finding.stack} | `{where}` | {message} |")
    if result.traces:
        out += ["", "## Reachability", "", "| stack | target | mode | verdict | path or first broken hop |", "|---|---|---|---|---|"]
        for trace in result.traces:
            out.append(f"| {trace.stack} | `{trace.target.removesuffix('-target')}` | {trace.mode} | {trace.verdict} | {trace.summary().replace('|', '/')} |")
    out += ["", "## Topology", "", "```mermaid", mermaid(result.zone, _managed_groups(result)).rstrip(), "```", ""]
    return "\n".join(out)


@lru_cache(maxsize=64)
def _file_lines(path: str) -> tuple[str, ...]:
    try:
        return tuple(Path(path).read_text().splitlines())
    except OSError:
        return ()


def _line_of(path: str, finding: Finding) -> int:
    """The line of the stack file a finding is best shown on."""
    lines = _file_lines(path)
    if finding.config_path:
        section = finding.config_path.split("[", 1)[0].split(".", 1)[0]
        index = re.search(r"\[(\d+)\]", finding.config_path)
        for number, line in enumerate(lines, start=1):
            if line.strip().startswith(f"agentcore-egress:{section}:"):
                items = [n for n, l in enumerate(lines[number:], start=number + 1) if l.lstrip().startswith("- ")]
                if index and int(index.group(1)) < len(items) and items:
                    return items[int(index.group(1))]
                return number
        return 1
    parts = _resource_name(finding).split("-")
    for length in range(len(parts), 0, -1):
        token = "-".join(parts[:length])
        pattern = re.compile(rf"\bname:\s*{re.escape(token)}\b")
        for number, line in enumerate(lines, start=1):
            if pattern.search(line):
                return number
    return 1


def sarif(result: PlanResult, source: str, version: str) -> str:
    from agentcore_egress.policies.rules import RULES

    rules = [
        {"id": rule.name, "shortDescription": {"text": rule.description},
         "defaultConfiguration": {"level": "error" if rule.enforcement_level.value == "mandatory" else "warning"}}
        for rule in RULES
    ] + [
        {"id": name, "shortDescription": {"text": description}, "defaultConfiguration": {"level": "error" if level == "mandatory" else "warning"}}
        for name, (level, description) in {**CROSS_STACK_RULES, "reachability": REACHABILITY_RULE}.items()
    ]
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    results = []
    for stack, finding in result.findings:
        file = stack.file if stack else result.zone.stacks[finding.stack].display_file
        location: dict[str, Any] = {
            "physicalLocation": {"artifactLocation": {"uri": Path(file).as_posix()}, "region": {"startLine": _line_of(file, finding)}}
        }
        if finding.urn:
            location["logicalLocations"] = [{"fullyQualifiedName": finding.urn, "kind": "resource"}]
        entry: dict[str, Any] = {
            "ruleId": finding.policy,
            "level": "error" if finding.level == "mandatory" else "warning",
            "message": {"text": _first_line(finding.message)},
            "locations": [location],
        }
        if finding.policy in index:
            entry["ruleIndex"] = index[finding.policy]
        results.append(entry)
    return sarif_document(rules, results, version, f"agentcore-egress/plan/{source}")


def render(result: PlanResult, fmt: str, source: str, version: str) -> str:
    if fmt == "json":
        return as_json(result, source)
    if fmt == "sarif":
        return sarif(result, source, version)
    if fmt == "markdown":
        return markdown(result, source)
    return text(result, source)
