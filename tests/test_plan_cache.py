"""The plan cache: a warm plan equals a plan without cache, and only what changed is simulated again."""

import json
import os
import re

import pytest

from agentcore_egress.cli.main import main
from agentcore_egress.stacks.landing_zone import LandingZone
import agentcore_egress.planner.plan_cache as plan_cache
from agentcore_egress.planner.cache_folder import zone_folder
from agentcore_egress.planner.plan_cache import FORMAT
from agentcore_egress.stacks.stack_file import parse_stack_text, read_stack_text
from landing_zones import TGW_EXAMPLE, copy_zone, edit_stack

CACHED = re.compile(r"^\[\d+/\d+\] wave \d+ (?P<stack>\S+) .*\(cached\)$")


def plan(capsys, zone, *extra, code=0):
    exit_code = main(["plan", str(zone), "--format", "json", "--jobs", "1", *extra])
    captured = capsys.readouterr()
    assert exit_code == code, captured.err
    return json.loads(captured.out), captured.err


def cached_stacks(err: str) -> set[str]:
    return {match["stack"] for match in map(CACHED.match, err.splitlines()) if match}


@pytest.fixture
def zone(tmp_path):
    return copy_zone(TGW_EXAMPLE, tmp_path / "zone")


@pytest.fixture
def cache(zone, user_cache_folder):
    """The folder of the zone's entries in the default cache (the user's cache folder, see conftest)."""
    return user_cache_folder / "agentcore-egress" / "plan" / zone_folder(zone)


def test_a_warm_plan_is_identical_to_a_plan_without_cache(capsys, zone, cache):
    uncached, _ = plan(capsys, zone, "--no-cache")
    assert not cache.exists(), "--no-cache writes nothing"
    cold, err = plan(capsys, zone)
    assert cached_stacks(err) == set()
    warm, err = plan(capsys, zone)
    assert cached_stacks(err) == set(LandingZone.load(zone).stacks)
    assert "5 of 5 stacks from the cache" in err
    assert warm == cold == uncached
    assert (cache.parent / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not [path for path in zone.iterdir() if not path.name.startswith("Pulumi.")], "nothing written beside the stack files"


def test_cache_dir_flag_puts_the_cache_there(capsys, zone, cache, tmp_path):
    plan(capsys, zone, "--cache", str(tmp_path / "elsewhere"))
    assert not cache.exists()
    assert {path.name for path in (tmp_path / "elsewhere" / zone_folder(zone)).iterdir()} == set(LandingZone.load(zone).stacks)


def entry_document(path):
    """An entry's JSON, after its signature line."""
    return json.loads(path.read_text().split("\n", 1)[1])


def _entry(cache, stack):
    (entry,) = (cache / stack).glob("*.json")
    return entry


@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],                                   # truncated
    lambda text: "\x80\x04\x95 not json",                                  # a pickle, or anything else
    lambda text: text.replace(f'"format": {FORMAT}', '"format": 99', 1),  # another format version
    lambda text: text.replace('"key": "', '"key": "0', 1),                # an entry copied under another key
    lambda text: re.sub(r'"findings": \[.*?\](?=, "footprint")', '"findings": [{"policy": 1}]', text, count=1),
], ids=["truncated", "not-json", "format", "key", "findings"])
def test_a_corrupt_or_foreign_entry_is_ignored_with_a_note(capsys, zone, cache, damage):
    cold, _ = plan(capsys, zone)
    entry = _entry(cache, "tools-payments")
    entry.write_text(damage(entry.read_text()))
    again, err = plan(capsys, zone)
    assert again == cold
    assert f"plan cache: ignoring {entry}" in err
    assert "tools-payments" not in cached_stacks(err) and "network-hub" in cached_stacks(err)
    entry_document(_entry(cache, "tools-payments"))  # replaced by a good one


def test_an_entry_of_another_stack_is_not_trusted(capsys, zone, cache):
    plan(capsys, zone)
    payments = _entry(cache, "tools-payments")
    payments.write_text(_entry(cache, "tools-mcp").read_text())
    _, err = plan(capsys, zone)
    assert "tools-payments" not in cached_stacks(err) and "plan cache: ignoring" in err


def _readers(zone: LandingZone, stack: str) -> set[str]:
    return {name for name, other in zone.stacks.items() if stack in other.config.referenced_stacks()}


def test_an_edit_that_leaves_the_outputs_alone_simulates_that_stack_only(capsys, zone):
    plan(capsys, zone)
    file = zone / "Pulumi.tools-payments.yaml"
    file.write_text(file.read_text().replace("destinations: [10.250.0.0/16]", "destinations: [10.250.0.0/16, 10.251.0.0/16]"))
    warm, err = plan(capsys, zone)
    assert cached_stacks(err) == set(LandingZone.load(zone).stacks) - {"tools-payments"}
    fresh, _ = plan(capsys, zone, "--no-cache")
    assert warm == fresh


def test_a_changed_upstream_file_simulates_its_readers_again_and_nothing_upstream(capsys, zone):
    plan(capsys, zone)

    def move_subnet(config):
        config["vpcs"][0]["subnets"][1]["cidr"] = "10.20.2.0/24"  # exported: the readers see it
        config["security_groups"][0]["backend_cidrs"][1] = "10.20.2.0/24"

    edit_stack(zone, "tools-payments", move_subnet)
    loaded = LandingZone.load(zone)
    readers = _readers(loaded, "tools-payments")
    assert readers, "the example's AgentCore and hub acceptance stacks read tools-payments"
    warm, err = plan(capsys, zone, code=1)  # the AgentCore ENIs may not reach the moved subnet: the whole-zone check says so, cached or not
    simulated = set(loaded.stacks) - cached_stacks(err)
    assert {"tools-payments", *readers} <= simulated
    assert {"network-hub", "tools-mcp"} <= cached_stacks(err)
    fresh, _ = plan(capsys, zone, "--no-cache", code=1)
    assert warm == fresh
    stacks = {stack["name"]: stack for stack in warm["stacks"]}
    assert stacks["tools-payments"]["outputs"]["vpcs"]["payments"]["subnet_cidrs"][1] == "10.20.2.0/24"


def test_a_changed_policy_config_is_a_miss_for_every_stack(capsys, zone, tmp_path):
    plan(capsys, zone)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"modern-tls": "advisory"}))
    _, err = plan(capsys, zone, "--policy-pack-config", str(config))
    assert cached_stacks(err) == set()


def test_an_unwritable_cache_is_noted_and_the_plan_goes_on(capsys, zone, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result, err = plan(capsys, zone, "--cache", str(blocker / "cache"))
    assert result["totals"]["mandatory"] == 0
    assert err.count("plan cache: cannot write to") == 1


def test_a_warm_plan_parses_only_the_changed_file_and_still_reports_every_line(capsys, zone, cache, monkeypatch):
    # Findings with file lines: an unreachable target (see test_report_locations).
    edit_stack(zone, "tools-mcp", lambda c: c["lattice_resources"][0]["configurations"][0].update(ports=["8443"]))
    uncached = main(["plan", str(zone), "--format", "sarif", "--no-cache", "--jobs", "1"]), capsys.readouterr().out
    cold = main(["plan", str(zone), "--format", "sarif", "--jobs", "1"]), capsys.readouterr().out
    parsed = {file.parent.parent.name for file in (cache).glob("*/files/*.json")}
    assert parsed == set(LandingZone.load(zone).stacks)
    agentcore = zone / "Pulumi.agentcore.yaml"
    agentcore.write_text(agentcore.read_text() + "# reviewed\n")  # another text, the same document
    sources = []
    monkeypatch.setattr(plan_cache, "parse_stack_text", lambda text, source: sources.append(source) or parse_stack_text(text, source))
    warm = main(["plan", str(zone), "--format", "sarif", "--jobs", "1"]), capsys.readouterr().out
    assert [source.rsplit("/", 1)[-1] for source in sources] == ["Pulumi.agentcore.yaml"]
    assert uncached[0] == cold[0] == warm[0] == 1 and '"startLine"' in warm[1]
    assert json.loads(uncached[1]) == json.loads(cold[1]) == json.loads(warm[1]), "lines of reused files are parsed when asked for"


def test_a_damaged_parsed_file_is_ignored_with_a_note_and_a_document_json_cannot_hold_is_not_kept(capsys, zone, cache):
    plan(capsys, zone)
    (entry,) = (cache / "tools-mcp" / "files").glob("*.json")
    entry.write_text("[1, 2")
    again, err = plan(capsys, zone)
    assert f"plan cache: ignoring {entry}" in err
    assert entry_document(entry)["document"]["config"], "parsed again and stored again"
    # An entry under another text's name (copied, or forged) is not that text's document.
    (other,) = (cache / "agentcore" / "files").glob("*.json")
    entry.write_text(other.read_text())
    again, err = plan(capsys, zone)
    assert f"plan cache: ignoring {entry}: not signed with this cache's key" in err
    # A date is YAML, not JSON: such a file is parsed each time rather than kept in another shape.
    hub = zone / "Pulumi.network-hub.yaml"
    hub.write_text(hub.read_text() + "reviewed: 2026-11-28\n")
    plan(capsys, zone)
    assert all("2026-11-28" not in file.read_text() for file in (cache / "network-hub" / "files").glob("*.json"))


def test_the_cache_tells_from_the_files_alone_whether_a_plan_will_simulate(capsys, zone, cache):
    """The hint that starts the workers' fork server before the stack files are validated (see cli.main)."""
    from agentcore_egress.planner.plan_cache import open_plan_cache

    def changed() -> bool:
        return open_plan_cache(None, zone).stack_files_changed(zone)

    assert changed(), "a zone no plan has seen"
    plan(capsys, zone)
    assert not changed()
    agentcore = zone / "Pulumi.agentcore.yaml"
    agentcore.write_text(agentcore.read_text() + "# reviewed\n")
    assert changed()
    plan(capsys, zone)
    assert not changed()
    # Files the zone's load refuses are left to it (it says why): no hint from them, and a link is not even read.
    outside = zone.parent / "outside.yaml"
    outside.write_text("config: {}\n")
    (zone / "Pulumi.linked.yaml").symlink_to(outside)
    assert not changed()
    os.mkfifo(zone / "Pulumi.fifo.yaml")
    assert not changed()


def test_each_stack_file_is_read_once_when_the_hint_read_it(capsys, zone, cache, monkeypatch):
    plan(capsys, zone)
    agentcore = zone / "Pulumi.agentcore.yaml"
    agentcore.write_text(agentcore.read_text() + "# reviewed\n")
    reads = []
    monkeypatch.setattr(plan_cache, "read_stack_text", lambda path, source: reads.append(path.name) or read_stack_text(path, source))
    cache_of_zone = plan_cache.open_plan_cache(None, zone)
    assert cache_of_zone.stack_files_changed(zone)
    LandingZone.load(zone, read=cache_of_zone.read_stack_file)
    assert sorted(reads) == sorted(path.name for path in zone.glob("Pulumi.*.yaml"))


def test_a_plan_hashes_the_outputs_of_each_stack_read_once(capsys, zone, monkeypatch):
    # A cache key names each stack read with a hash of its outputs: the hub's are read by every spoke, and hashing
    # them again per reader grew with the square of the landing zone.
    plan(capsys, zone)
    hashed = []
    digest = plan_cache.outputs_digest
    monkeypatch.setattr("agentcore_egress.planner.plan.outputs_digest", lambda outputs: hashed.append(id(outputs)) or digest(outputs))
    plan(capsys, zone)
    zone_stacks = LandingZone.load(zone).stacks
    read = {upstream for stack in zone_stacks.values() for upstream in stack.config.referenced_stacks()}
    assert len(hashed) == len(set(hashed)) == len(read), "each stack read hashed once, however many stacks read it"


def test_an_entry_gives_back_registrations_field_by_field():
    # An entry's registration fields are passed by position: they must be Registration's own first fields, in its order.
    from dataclasses import fields

    from agentcore_egress.simulation.registration import Registration

    assert tuple(field.name for field in fields(Registration))[:len(plan_cache._REGISTRATION_FIELDS)] == plan_cache._REGISTRATION_FIELDS
