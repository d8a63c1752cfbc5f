"""The plan as text (for people), Markdown (for pull requests), JSON (for tools) and SARIF (for code scanning)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from agentcore_egress.stacks.findings import Finding, known_rules
from agentcore_egress.simulation.footprint import Footprint
from agentcore_egress.planner.plan import PlanResult, StackPlan
from agentcore_egress.planner.source_tree import SourceTree
from agentcore_egress.planner.topology import mermaid

from . import indented_json
from .sarif import automation_id, sarif_document, sarif_location, sarif_result



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


def _phases(finding: Finding) -> str:
    """Where the pack reports a finding: "preview, update", "preview" or "update" (empty for landing-zone checks)."""
    return ", ".join(finding.phases)


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
                    where = f" ({_where(result, finding)})" if finding.config_path else ""
                    out.append(f"    {finding.level.upper():9} {finding.policy}{where} [{_phases(finding)}]: {_first_line(finding.message)}")
            else:
                out.append("    policy: no findings")
            out.append(f"    footprint: {_footprint_line(stack.footprint)}")
        out.append("")
    if result.traces:
        out.append("reachability:")
        for trace in result.traces:
            out.append(f"  {trace.stack}/{trace.target} ({trace.mode}): {trace.summary()}")
        out.append("")
    out.append("cross-stack checks:")
    if result.cross_stack:
        for finding in result.cross_stack:
            out.append(f"  {finding.level.upper():9} {finding.policy} ({_where(result, finding)}): {finding.message}")
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
        out += ["", "topology (Mermaid):", mermaid(result.zone, _managed_groups(result), result.existing).rstrip()]
    return "\n".join(out) + "\n"


def as_json(result: PlanResult, source: str) -> str:
    def finding(item: Finding) -> dict[str, Any]:
        source = result.zone.stacks.get(item.stack)
        located = {"file": source.display_file, "line": _line_of(result, item)} if source and item.config_path else {}
        return {k: v for k, v in {"policy": item.policy, "level": item.level, "message": _first_line(item.message), "urn": item.urn,
                                   "stack": item.stack, "config_path": item.config_path, "phases": list(item.phases), **located}.items() if v}

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
            {"stack": trace.stack, "target": trace.target, "mode": trace.mode, "verdict": trace.verdict,
             "hops": [hop.__dict__ for hop in trace.hops]}
            for trace in result.traces
        ],
        "totals": totals(result),
        "diagram": mermaid(result.zone, _managed_groups(result), result.existing),
    }
    return indented_json.dumps(document, default=str) + "\n"


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
        out += ["", "## Findings", "", "| level | rule | phases | stack | where | message |", "|---|---|---|---|---|---|"]
        for stack, finding in findings:
            where = _where(result, finding) if finding.config_path else _resource_name(finding)
            message = _first_line(finding.message).replace("|", "\\|")
            out.append(f"| {finding.level} | `{finding.policy}` | {_phases(finding) or 'plan'} | {stack.name if stack else finding.stack} | `{where}` | {message} |")
    if result.traces:
        out += ["", "## Reachability", "", "| stack | target | mode | verdict | path or first broken hop |", "|---|---|---|---|---|"]
        for trace in result.traces:
            out.append(f"| {trace.stack} | `{trace.target}` | {trace.mode} | {trace.verdict} | {trace.summary().replace('|', '/')} |")
    out += ["", "## Topology", "", "```mermaid", mermaid(result.zone, _managed_groups(result), result.existing).rstrip(), "```", ""]
    return "\n".join(out)


def _line_of(result: PlanResult, finding: Finding) -> int:
    """The line of the stack file a finding is about: its key path looked up in the parsed file's node tree (a finding
    on the whole stack: the file's first key, never the comments above it)."""
    stack = result.zone.stacks.get(finding.stack)
    return stack.source.line_of(finding.config_path) if stack else 1


def _where(result: PlanResult, finding: Finding) -> str:
    """``file:line key.path`` of a finding on the landing zone's config."""
    stack = result.zone.stacks.get(finding.stack)
    file = stack.display_file if stack else finding.stack
    return f"{file}:{_line_of(result, finding)} {finding.config_path}"


def sarif(result: PlanResult, version: str, automation: str = "") -> str:
    """The plan's findings for code scanning, each on the line of its stack file it is about; ``automation``
    (the run's ``automationDetails.id``) defaults to the plan's (``agentcore-egress/plan/<stacks folder>/``)."""
    tree = SourceTree.of(result.zone)
    rules = list(known_rules().values())
    results = []
    for _, finding in result.findings:
        file = result.zone.stacks[finding.stack].file  # every finding is placed in its stack's file (Finding.located)
        entry = sarif_result(rules, finding.policy, finding.level, _first_line(finding.message),
                             sarif_location(tree, file, _line_of(result, finding), finding.urn))
        if finding.phases:
            entry["properties"] = {"phases": list(finding.phases)}
        results.append(entry)
    return sarif_document(rules, results, version, tree, automation or automation_id(tree, "plan"))


def render(result: PlanResult, fmt: str, source: str, version: str) -> str:
    if fmt == "json":
        return as_json(result, source)
    if fmt == "sarif":
        return sarif(result, version)
    if fmt == "markdown":
        return markdown(result, source)
    return text(result, source)
