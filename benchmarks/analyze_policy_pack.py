"""How long the policy pack takes to analyze a large stack through its gRPC interface.

    python benchmarks/analyze_policy_pack.py [--resources 1000] [--repeat 3]

Builds a TGW landing zone with enough spokes for about --resources resources,
runs it under the simulated AWS, and times Analyze (every resource) plus
AnalyzeStack, as `pulumi up --policy-pack policies` would.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from agentcore_egress.planner.policy_analyzer import PolicyAnalyzer  # noqa: E402
from fake_cloud import deploy  # noqa: E402
from topologies import tgw_landing_zone  # noqa: E402

RESOURCES_PER_SPOKE = 17  # PrivateVpc (2 AZs) + spoke + acceptance, components included


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    spokes = max(1, min(200, options.resources // RESOURCES_PER_SPOKE))
    deployment = deploy(lambda: tgw_landing_zone([(f"spoke{i:03d}", i + 1) for i in range(spokes)]))
    count = len(deployment.registrations)
    started = time.perf_counter()
    with PolicyAnalyzer(ROOT / "policies") as analyzer:
        startup = time.perf_counter() - started
        rules = len(analyzer.info().policies)
        timings, findings = [], []
        for _ in range(options.repeat):
            begin = time.perf_counter()
            findings = analyzer.analyze(deployment.registrations)
            timings.append(time.perf_counter() - begin)
    print(f"policy pack: {rules} rules; stack of {count} resources ({spokes} spokes)")
    print(f"  pack start-up          {startup:.2f} s")
    print(f"  Analyze + AnalyzeStack best {min(timings):.2f} s, median {statistics.median(timings):.2f} s ({1000 * min(timings) / count:.2f} ms/resource)")
    print(f"  findings               {len(findings)}")


if __name__ == "__main__":
    main()
