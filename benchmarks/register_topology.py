"""How long registering a TGW landing zone takes under mocks.

    python benchmarks/register_topology.py [--spokes 50] [--repeat 3]

Prints resources registered and wall time per run (best and median), for the
closing notes of issues and to spot regressions in component construction.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fake_cloud import deploy  # noqa: E402
from topologies import tgw_landing_zone  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spokes", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    if not 1 <= options.spokes <= 200:
        parser.error("--spokes takes 1 to 200 (spoke VPCs are 10.<n>.0.0/16)")

    spokes = [(f"spoke{index:03d}", index + 1) for index in range(options.spokes)]
    timings = []
    for _ in range(options.repeat):
        started = time.perf_counter()
        deployment = deploy(lambda: tgw_landing_zone(spokes))
        timings.append(time.perf_counter() - started)
    count = len(deployment.registrations)
    print(f"TGW landing zone: hub + {options.spokes} spokes, {count} resources registered")
    print(f"  best   {min(timings):.2f} s   ({1000 * min(timings) / count:.2f} ms/resource)")
    print(f"  median {statistics.median(timings):.2f} s   over {options.repeat} runs")


if __name__ == "__main__":
    main()
