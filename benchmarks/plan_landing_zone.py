"""How `agentcore-egress plan` scales with the number of spoke accounts.

    python benchmarks/plan_landing_zone.py [--spokes 10 50 200 400] [--spokes 400 1000 2000 --no-single]

For each N it writes a landing zone of N spoke accounts (each with a VPC, a
Transit Gateway attachment, a Lattice resource shared with the AgentCore
account, and a target on it in the AgentCore account), plus the hub, the hub's
acceptance stack and the AgentCore account, then measures side by side:

- floor: the same custom resources registered by a bare program (no components,
  no policy) under the same mocks, one program per stack, in one process;
- single: `plan --jobs 1 --no-cache` (simulation in this process, the pack in its own);
- update only: the same, with the pack judging each stack as `pulumi up` only (no
  first-preview phase), so that `single` against it is what the second phase costs;
- cold: `plan --jobs J` with an empty cache (validation, simulation in J worker
  processes, policy pack, checks, report; the cache filled on the way);
- warm: the same plan again after one spoke's file changed without changing its
  outputs (a route to one more block), and `readers`: after another spoke's
  exported subnets changed, so that the stacks reading it are simulated again;
- process: the warm plan as a user waits for it, a fresh `agentcore-egress plan`
  process (start-up and imports included), after a spoke changed and with nothing
  changed (then it imports neither pulumi-aws, the SDK's runtime nor gRPC);
- peak memory of all the plan's processes together.

Each side runs in a fresh interpreter, imports warmed before the clock starts (but the process figures).
"""

from __future__ import annotations

import argparse
import compileall
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pulumi
import pulumi_aws as aws
import yaml

from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.stacks.policy_config import load_policy_config
from agentcore_egress.planner.plan import PolicyJudge, run_plan
from agentcore_egress.planner.plan_cache import open_plan_cache
from agentcore_egress.reports.plan_report import render
from agentcore_egress.simulation.simulated_aws import SimulatedAws
from agentcore_egress.simulation.monitor import run_program

AGENTCORE_ACCOUNT = "999999999999"
PROCESS_RUNS = 5
"""Fresh `plan` processes measured per figure (each after another spoke changed, then with nothing changed): their median."""


def spoke_account(index: int) -> str:
    return f"{100000000000 + index:012d}"


def write_zone(directory: Path, spokes: int, backends: bool = False) -> None:
    def stack(name: str, config: dict) -> None:
        (directory / f"Pulumi.{name}.yaml").write_text(
            yaml.safe_dump({"config": {f"agentcore-egress:{key}": value for key, value in config.items()}}, sort_keys=False)
        )

    def vpc(name: str, second: int, third: int) -> dict:
        base = f"10.{second}.{third}"
        return {"name": name, "cidr": f"{base}.0/24", "subnets": [
            {"name": "a", "cidr": f"{base}.0/25", "az": "eu-west-1a"}, {"name": "b", "cidr": f"{base}.128/25", "az": "eu-west-1b"}]}

    stack("hub", {"account": {"id": "111111111111", "region": "eu-west-1"},
                  "organization": {"id": "o-exampleorg1", "management_account": "111111111111", "ram_sharing_enabled": True},
                  "transit_gateway_hub": {"segments": ["spokes", "agentcore"], "share_with": ["arn:aws:organizations::111111111111:organization/o-exampleorg1"]}})
    targets = []
    for index in range(spokes):
        name = f"spoke{index:03d}"
        block = vpc("tools", 1 + index // 250, index % 250)
        config = {
            "account": {"id": spoke_account(index), "region": "eu-west-1"},
            "vpcs": [block],
            "tgw_spokes": [{"vpc": "tools", "hub_stack": "hub", "destinations": ["10.255.0.0/24"]}],
            "lattice_resources": [{"name": "tool", "vpc": "tools", "backend_cidrs": [block["cidr"]],
                                   "configurations": [{"name": "mcp", "domain": f"{name}.tools.example.com", "ports": ["443"]}],
                                   "share_with": [AGENTCORE_ACCOUNT]}],
        }
        if backends:  # an MCP server behind an NLB with its name, so that reachability traces every hop
            subnets = [s["cidr"] for s in block["subnets"]]
            config.update(
                certificates=[{"name": "mcp", "domain": f"{name}.tools.example.com", "public_zone_id": "Z0EXAMPLEPUBLIC1"}],
                load_balancers=[{"name": "mcp", "kind": "nlb", "vpc": "tools", "certificate": "mcp", "client_cidrs": subnets,
                                 "target_cidrs": subnets, "target_ips": [subnets[0].replace(".0/25", ".10")]}],
                private_names=[{"name": "mcp", "zone": "tools.example.com", "record": f"{name}.tools.example.com", "vpc": "tools", "load_balancer": "mcp"}],
            )
        stack(name, config)
        targets.append({"name": name, "lattice": {"stack": name, "resource": "tool", "configuration": "mcp"},
                        "endpoint": {"mcp_server": f"https://{name}.tools.example.com/mcp"}})
    stack("agentcore", {"account": {"id": AGENTCORE_ACCOUNT, "region": "eu-west-1"}, "vpcs": [vpc("agentcore", 255, 0)],
                        "tgw_spokes": [{"vpc": "agentcore", "hub_stack": "hub", "destinations": ["10.1.0.0/16"]}],
                        "gateway": {"name": "agents"}, "targets": targets})
    stack("hub-acceptance", {"account": {"id": "111111111111", "region": "eu-west-1"}, "tgw_acceptances": [
        {"spoke": {"stack": name, "vpc": "tools"}, "hub_stack": "hub", "associate_with": "spokes", "propagate_to": ["agentcore"]}
        for name in [f"spoke{i:03d}" for i in range(spokes)]
    ] + [{"spoke": {"stack": "agentcore", "vpc": "agentcore"}, "hub_stack": "hub", "associate_with": "agentcore", "propagate_to": ["spokes"]}]})


def _bare_vpc(name: str, block: dict):
    """A VPC the way a plain pulumi-aws program writes it: subnets, route tables, locked default SG."""
    vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=block["cidr"], enable_dns_support=True, enable_dns_hostnames=True)
    aws.ec2.DefaultSecurityGroup(f"{name}-default-sg", vpc_id=vpc.id, ingress=[], egress=[])
    subnets, tables = [], []
    for subnet in block["subnets"]:
        created = aws.ec2.Subnet(f"{name}-subnet-{subnet['name']}", vpc_id=vpc.id, cidr_block=subnet["cidr"], availability_zone=subnet["az"])
        table = aws.ec2.RouteTable(f"{name}-rt-{subnet['name']}", vpc_id=vpc.id)
        aws.ec2.RouteTableAssociation(f"{name}-rta-{subnet['name']}", subnet_id=created.id, route_table_id=table.id)
        subnets.append(created)
        tables.append(table)
    return vpc, subnets, tables


class _References(dict):
    """Other stacks' exports through StackReferences, as any multi-stack program reads them."""

    def __missing__(self, stack: str):
        reference = pulumi.StackReference(f"organization/agentcore-egress/{stack}")
        self[stack] = {key: reference.get_output(key) for key in ("tgw", "tables", "attachment", "arns")}
        return self[stack]


def _bare_program(stack):
    """The stack's resources written with plain pulumi-aws classes, no components, no validation."""
    config = stack.config
    outputs = _References()
    exports: dict = {}
    provider = aws.Provider(stack.name, region=config.account.region, allowed_account_ids=[config.account.id])
    opts = pulumi.ResourceOptions(provider=provider)
    if config.transit_gateway_hub:
        tgw = aws.ec2transitgateway.TransitGateway("hub-tgw", auto_accept_shared_attachments="disable", default_route_table_association="disable",
                                                    default_route_table_propagation="disable", opts=opts)
        tables = {s: aws.ec2transitgateway.RouteTable(f"hub-rt-{s}", transit_gateway_id=tgw.id, opts=opts).id for s in config.transit_gateway_hub.segments}
        share = aws.ram.ResourceShare("hub-share", allow_external_principals=False, opts=opts)
        aws.ram.ResourceAssociation("hub-share-tgw", resource_arn=tgw.arn, resource_share_arn=share.arn, opts=opts)
        aws.ram.PrincipalAssociation("hub-share-org", principal=config.transit_gateway_hub.share_with[0], resource_share_arn=share.arn, opts=opts)
        exports["tgw"], exports["tables"] = tgw.id, pulumi.Output.all(**tables)
    for vpc_config in config.vpcs:
        vpc, subnets, tables = _bare_vpc(vpc_config.name, vpc_config.model_dump())
        for spoke in config.tgw_spokes:
            attachment = aws.ec2transitgateway.VpcAttachment(f"{vpc_config.name}-attachment", transit_gateway_id=outputs[spoke.hub_stack]["tgw"],
                                                             vpc_id=vpc.id, subnet_ids=[s.id for s in subnets], opts=opts)
            exports["attachment"] = attachment.id
            for index, table in enumerate(tables):
                aws.ec2.Route(f"{vpc_config.name}-route-{index}", route_table_id=table.id, destination_cidr_block=spoke.destinations[0],
                              transit_gateway_id=outputs[spoke.hub_stack]["tgw"], opts=pulumi.ResourceOptions(provider=provider, depends_on=[attachment]))
        for lattice in config.lattice_resources:
            group = aws.ec2.SecurityGroup(f"{lattice.name}-sg", vpc_id=vpc.id, egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443,
                                                                                          "cidr_blocks": list(lattice.backend_cidrs)}], opts=opts)
            gateway = aws.vpclattice.ResourceGateway(f"{lattice.name}-gateway", vpc_id=vpc.id, subnet_ids=[s.id for s in subnets],
                                                     security_group_ids=[group.id], opts=opts)
            share = aws.ram.ResourceShare(f"{lattice.name}-share", allow_external_principals=False, opts=opts)
            arns = {}
            for item in lattice.configurations:
                created = aws.vpclattice.ResourceConfiguration(f"{lattice.name}-config-{item.name}", resource_gateway_identifier=gateway.id, type="SINGLE",
                                                               protocol="TCP", port_ranges=list(item.ports),
                                                               resource_configuration_definition={"dns_resource": {"domain_name": item.domain, "ip_address_type": "IPV4"}}, opts=opts)
                aws.ram.ResourceAssociation(f"{lattice.name}-share-{item.name}", resource_arn=created.arn, resource_share_arn=share.arn, opts=opts)
                arns[item.name] = created.arn
            aws.ram.PrincipalAssociation(f"{lattice.name}-principal", principal=lattice.share_with[0], resource_share_arn=share.arn, opts=opts)
            exports["arns"] = arns
    if config.gateway:
        role = aws.iam.Role("agents-role", assume_role_policy='{"Version": "2012-10-17", "Statement": []}', opts=opts)
        gateway = aws.bedrock.AgentcoreGateway("agents-gateway", name="agents", protocol_type="MCP", authorizer_type="AWS_IAM", role_arn=role.arn, opts=opts)
        for target in config.targets:
            aws.bedrock.AgentcoreGatewayTarget(f"{target.name}-target", name=target.name, gateway_identifier=gateway.gateway_id,
                                               target_configuration={"mcp": {"mcp_server": {"endpoint": target.endpoint.mcp_server}}},
                                               private_endpoint={"self_managed_lattice_resource": {"resource_configuration_identifier": outputs[target.lattice.stack]["arns"].apply(lambda arns: arns["mcp"])}},
                                               opts=opts)
    for acceptance in config.tgw_acceptances:
        key = f"{acceptance.spoke.stack}-{acceptance.spoke.vpc}"
        accepter = aws.ec2transitgateway.VpcAttachmentAccepter(f"{key}-accepter", transit_gateway_attachment_id=outputs[acceptance.spoke.stack]["attachment"], opts=opts)
        tables = outputs[acceptance.hub_stack]["tables"]
        aws.ec2transitgateway.RouteTableAssociation(f"{key}-association", transit_gateway_attachment_id=accepter.transit_gateway_attachment_id,
                                                    transit_gateway_route_table_id=tables.apply(lambda t, s=acceptance.associate_with: t[s]), opts=opts)
        for segment in acceptance.propagate_to:
            aws.ec2transitgateway.RouteTablePropagation(f"{key}-propagation-{segment}", transit_gateway_attachment_id=accepter.transit_gateway_attachment_id,
                                                        transit_gateway_route_table_id=tables.apply(lambda t, s=segment: t[s]), opts=opts)
    return exports


def floor(zone: LandingZone) -> tuple[float, int]:
    """The same landing zone as plain pulumi-aws programs under the same mocks: no components, no policy, no report."""
    started = time.perf_counter()
    outputs: dict = {}
    resources = 0
    for name in zone.order():
        stack = zone.stacks[name]
        deployment = run_program(lambda stack=stack: _bare_program(stack), mocks=SimulatedAws(stack.config.account.id, stack.config.account.region, outputs), stack=name)
        outputs[name] = deployment.result
        resources += len(deployment.registrations)
    return time.perf_counter() - started, resources


def warm_up() -> None:
    """Import the pulumi-aws modules both sides use, so that neither pays pulumi-aws's lazy imports alone.

    Each is a lazy module: only reading one of its attributes (not ``__file__`` and the like) runs it (a second for bedrock alone)."""
    for module in ("ec2", "ec2transitgateway", "ram", "vpclattice", "bedrock", "iam", "lb", "acm", "route53", "apigateway"):
        getattr(importlib.import_module(f"pulumi_aws.{module}"), "_warm", None)  # any attribute but the introspection ones runs it
    import agentcore_egress.policies.rules  # noqa: F401 - the reports read rule descriptions


class TreeMemory:
    """Peak memory of this process and all its descendants together, sampled from /proc: ``peak``, the sum of their
    proportional sets (PSS, every 200 ms; a page a fork shares with the fork server counted once, split between
    them), the memory they take together; and ``rss_peak``, the sum of their resident sets (every 50 ms), which
    counts such a page once per process that maps it."""

    def __init__(self, interval: float = 0.05, pss_every: int = 4) -> None:
        self.peak = 0
        self.rss_peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval, pss_every), daemon=True)

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            return 0

    @classmethod
    def _pss(cls, pid: int) -> int:
        """The process's proportional set (Linux 4.14+; its resident set where /proc has no smaps_rollup)."""
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        return cls._rss(pid)

    @staticmethod
    def _descendants(pid: int) -> list[int]:
        found, todo = [], [pid]
        while todo:
            current = todo.pop()
            try:
                tasks = os.listdir(f"/proc/{current}/task")
            except OSError:
                continue
            for task in tasks:
                try:
                    with open(f"/proc/{current}/task/{task}/children") as children:
                        for child in children.read().split():
                            found.append(int(child))
                            todo.append(int(child))
                except OSError:
                    pass
        return found

    def _sample(self, interval: float, pss_every: int) -> None:
        samples = 0
        while not self._stop.wait(interval):
            pids = [os.getpid(), *self._descendants(os.getpid())]
            self.rss_peak = max(self.rss_peak, sum(self._rss(pid) for pid in pids))
            if samples % pss_every == 0:  # reading a large process's PSS walks its page tables: less often
                self.peak = max(self.peak, sum(self._pss(pid) for pid in pids))
            samples += 1

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def edit_spoke(zone_dir: Path, index: int, outputs: bool) -> None:
    """One spoke's file changed as a pull request would: a route to one more block (outputs unchanged), or a moved subnet (outputs changed)."""
    file = zone_dir / f"Pulumi.spoke{index:03d}.yaml"
    document = yaml.safe_load(file.read_text())
    config = document["config"]
    if outputs:  # the VPC's subnet blocks are exported: every reader sees the change
        subnet = config["agentcore-egress:vpcs"][0]["subnets"][1]
        subnet["cidr"] = subnet["cidr"].replace(".128/25", ".192/26")
    else:
        config["agentcore-egress:tgw_spokes"][0]["destinations"].append("10.254.0.0/24")
    file.write_text(yaml.safe_dump(document, sort_keys=False))


def _measure_in_child(kind: str, zone_dir: Path, jobs: int = 1, cache: str = "") -> dict:
    """Run one side in a fresh interpreter (imports warmed, then timed), so neither inherits the other's caches."""
    # Through -c, not this file as __main__: the plan's workers (spawned) import the parent's __main__ file, which the
    # CLI's is a few lines and this one is pulumi-aws and more, a second or two of CPU per worker the CLI does not pay.
    start = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); from plan_landing_zone import main; main()"
    command = [sys.executable, "-c", start, "--child", kind, str(zone_dir), "--jobs", str(jobs), "--cache-dir", cache]
    completed = subprocess.run(command, capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _plan_process(zone_dir: Path, jobs: int, cache: str) -> float:
    """Wall seconds of a fresh ``agentcore-egress plan`` process, start-up and imports included, as a user waits for it."""
    command = [sys.executable, "-m", "agentcore_egress.cli.main", "plan", str(zone_dir), "--quiet", "--format", "json", "--jobs", str(jobs),
               "--cache", cache]
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True, stdin=subprocess.DEVNULL)
    return time.perf_counter() - started


def _cpu_seconds() -> float:
    """CPU time of this process and of every descendant it (or they) waited for: workers, the policy worker and its pack."""
    return sum(getattr(resource.getrusage(who), field) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for field in ("ru_utime", "ru_stime"))


def _update_only() -> None:
    """The plan's pack judges the update phase only: no stack carries the values minted for its first preview."""
    import agentcore_egress.planner.plan as plan_module

    simulate = plan_module.simulate_stack

    def without_preview(*args, **kwargs):
        simulated = simulate(*args, **kwargs)
        simulated.minted = None
        return simulated

    plan_module.simulate_stack = without_preview


def _child(kind: str, zone_dir: Path, jobs: int, cache_dir: str) -> None:
    warm_up()
    if kind == "plan-update-only":
        _update_only()
        kind = "plan"
    zone = LandingZone.load(zone_dir) if kind == "floor" else None
    cpu_before = _cpu_seconds()
    with TreeMemory() as memory:
        started = time.perf_counter()
        if kind == "plan":
            cache = open_plan_cache(Path(cache_dir), zone_dir, note=lambda line: print(line, file=sys.stderr)) if cache_dir else None
            config = load_policy_config(None)  # as the CLI resolves it: the same cache entries as `agentcore-egress plan`'s
            with PolicyJudge(None, config) as judge:  # as the CLI: the pack starts while the stack files load
                judge.start()
                zone = LandingZone.load(zone_dir, read=cache.read_stack_file) if cache else LandingZone.load(zone_dir)
                result = run_plan(zone, policy_config=config, cache=cache, jobs=jobs, judge=judge)
            render(result, "json", str(zone_dir), "bench")
            assert result.exit_code == 0, [f.message for _, f in result.findings][:3]
            figures = {"seconds": time.perf_counter() - started, "policy": result.timings["policy"], "reachability": result.timings["reachability"],
                       "reachable": sum(1 for trace in result.traces if trace.verdict == "reachable"), "simulated": result.timings["simulated"],
                       "resources": sum(len(s.registrations) for s in result.stacks), "stacks": len(result.stacks)}
        else:
            seconds, resources = floor(zone)
            figures = {"seconds": seconds, "resources": resources}
    figures["cpu"] = _cpu_seconds() - cpu_before
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures["peak_mib"] = memory.peak / 2**20  # every process of the plan at once, shared pages counted once (sampled)
    figures["rss_mib"] = max(memory.rss_peak / 2**20, (own + children) / 1024)  # the same, a shared page counted per process
    print(json.dumps(figures))


def _compile_bytecode() -> None:
    """Compile the package's modules, as pip does when it installs one: a checkout edited since its last import (or
    a machine with PYTHONDONTWRITEBYTECODE set) would otherwise compile them again in every process measured."""
    for room in ("cli", "components", "files", "live", "planner", "policies", "process", "reports", "simulation", "stacks"):
        compileall.compile_dir(Path(importlib.import_module(f"agentcore_egress.{room}").__file__).parent, quiet=1)


def measure(spokes: int, backends: bool, jobs: int, single: bool) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        zone_dir, cache = Path(folder) / "zone", str(Path(folder) / "cache")
        zone_dir.mkdir()
        write_zone(zone_dir, spokes, backends)
        bare = _measure_in_child("floor", zone_dir)
        cold = _measure_in_child("plan", zone_dir, jobs, cache)
        row = {"spokes": spokes, "stacks": cold["stacks"], "resources": cold["resources"], "floor": bare["seconds"], "cold": cold["seconds"],
               "floor_cpu": bare["cpu"], "cold_cpu": cold["cpu"],
               "policy": cold["policy"], "peak_mib": cold["peak_mib"], "rss_mib": cold["rss_mib"], "reachability": cold["reachability"],
               "reachable": cold["reachable"]}
        if single:
            alone = _measure_in_child("plan", zone_dir, 1)
            update_only = _measure_in_child("plan-update-only", zone_dir, 1)
            row.update(single=alone["seconds"], single_cpu=alone["cpu"], update_only=update_only["seconds"], update_only_cpu=update_only["cpu"])
        edit_spoke(zone_dir, spokes // 2, outputs=False)
        warm = _measure_in_child("plan", zone_dir, jobs, cache)
        changed = []
        for run in range(PROCESS_RUNS):  # a shared machine's speed drifts from one second to the next: the median of a few
            edit_spoke(zone_dir, spokes // 2 - 1 - run, outputs=False)
            changed.append(_plan_process(zone_dir, jobs, cache))
        unchanged = [_plan_process(zone_dir, jobs, cache) for _ in range(PROCESS_RUNS)]
        row.update(warm_process=statistics.median(changed), unchanged_process=statistics.median(unchanged),
                   warm_process_range=(min(changed), max(changed)), unchanged_process_range=(min(unchanged), max(unchanged)))
        edit_spoke(zone_dir, spokes // 2 + 1, outputs=True)
        readers = _measure_in_child("plan", zone_dir, jobs, cache)
        row.update(warm=warm["seconds"], warm_simulated=warm["simulated"], readers=readers["seconds"], readers_simulated=readers["simulated"],
                   peak_mib=max(row["peak_mib"], warm["peak_mib"], readers["peak_mib"]), rss_mib=max(row["rss_mib"], warm["rss_mib"], readers["rss_mib"]))
        return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spokes", type=int, nargs="+", default=[10, 50, 200, 400])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes of the cold plan (default 2)")
    parser.add_argument("--no-single", action="store_true", help="skip the single-process plan (--jobs 1, no cache)")
    parser.add_argument("--with-backends", action="store_true", help="give every spoke an NLB and a private name, so reachability traces full paths")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ZONE"), help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", default="", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        return _child(options.child[0], Path(options.child[1]), options.jobs, options.cache_dir)
    _compile_bytecode()
    print(f"{'spokes':>6} {'stacks':>6} {'resources':>9} {'floor s':>7} {'single s':>8} {'cold s':>7} {'cold/floor':>10} {'warm s':>7} "
          f"{'warm/cold':>9} {'process s':>9} {'same s':>6} {'readers s':>9} {'readers/cold':>12} {'policy s':>8} {'reach s':>7} {'peak MiB':>8}")
    rows = []
    for spokes in options.spokes:
        row = measure(spokes, options.with_backends, options.jobs, not options.no_single)
        rows.append(row)
        single = f"{row['single']:>8.2f}" if "single" in row else f"{'-':>8}"
        print(f"{row['spokes']:>6} {row['stacks']:>6} {row['resources']:>9} {row['floor']:>7.2f} {single} {row['cold']:>7.2f} "
              f"{row['cold'] / row['floor']:>10.2f} {row['warm']:>7.2f} {100 * row['warm'] / row['cold']:>8.1f}% {row['warm_process']:>9.2f} "
              f"{row['unchanged_process']:>6.2f} {row['readers']:>9.2f} "
              f"{100 * row['readers'] / row['cold']:>11.1f}% {row['policy']:>8.2f} {row['reachability']:>7.3f} {row['peak_mib']:>8.1f}"
              f"   (CPU s floor {row['floor_cpu']:.1f}, single {row.get('single_cpu', float('nan')):.1f}, cold {row['cold_cpu']:.1f}; "
              f"resident sets summed {row['rss_mib']:.0f} MiB; process {row['warm_process_range'][0]:.2f}-{row['warm_process_range'][1]:.2f} s, same "
              f"{row['unchanged_process_range'][0]:.2f}-{row['unchanged_process_range'][1]:.2f} s over {PROCESS_RUNS} runs; "
              f"simulated again: {row['warm_simulated']} / "
              f"{row['readers_simulated']} stacks; {row['reachable']} targets reachable)", flush=True)
        if "update_only" in row:
            print(f"{'':>6} second phase (first preview): single {row['single']:.2f} s against update only {row['update_only']:.2f} s: "
                  f"{100 * (row['single'] / row['update_only'] - 1):+.1f} % wall, "
                  f"{100 * (row['single_cpu'] / row['update_only_cpu'] - 1):+.1f} % CPU", flush=True)
    for smaller, larger in zip(rows, rows[1:]):  # linear when the time grows as the work (resources registered) does
        time_growth, work_growth = larger["cold"] / smaller["cold"], larger["resources"] / smaller["resources"]
        print(f"growth {larger['spokes']} vs {smaller['spokes']} spokes (cold, --jobs {options.jobs}): {time_growth:.2f}x the time for "
              f"{work_growth:.2f}x the resources ({time_growth / work_growth:.2f}x the growth of the work); peak memory "
              f"{larger['peak_mib'] / smaller['peak_mib']:.2f}x")
    print(f"floor s: the same resources as plain pulumi-aws programs under the same mocks, one process; single s: plan --jobs 1, no cache")
    print(f"cold s: plan --jobs {options.jobs} with an empty cache (filling it); warm s: the same plan after one spoke's route changed "
          "(its outputs did not), imports warmed in the process; process s: the same after another spoke's route changed, as a "
          f"fresh `agentcore-egress plan` process (start-up and imports included; median of {PROCESS_RUNS}, each after another "
          "spoke changed); same s: that process again, nothing changed "
          "(the cache answers every stack); readers s: after another spoke's exported subnets changed (its readers simulated again)")
    print("policy s: time the pack and its client spent judging (in other processes, overlapping the simulation)")
    if options.with_backends:
        print("with backends: the floor program does not build the NLBs, certificates and names, so cold/floor is not comparable here")
    print("reach s: time tracing every target's path, part of cold s")
    print("peak MiB: all processes of the plan together, the largest of the cold and warm runs: the sum of their proportional sets "
          "(PSS, sampled every 200 ms; a page the workers share with the fork server counted once); 'resident sets summed' counts "
          "it once per process (every 50 ms)")


if __name__ == "__main__":
    sys.exit(main())
