"""Stack fingerprints chain through the stacks a stack reads, so a change upstream invalidates downstream results."""

import shutil
from pathlib import Path

from agentcore_egress.stacks.fingerprint import pack_fingerprint, stack_fingerprints
from agentcore_egress.stacks.landing_zone import LandingZone

STACKS = Path(__file__).resolve().parent.parent / "stacks"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "stacks"
    folder.mkdir()
    for file in STACKS.glob("Pulumi.*.yaml"):
        shutil.copy(file, folder / file.name)
    return folder


def test_editing_the_hub_changes_every_stack_downstream_and_nothing_else(tmp_path):
    folder = _copy(tmp_path)
    before = stack_fingerprints(LandingZone.load(folder))
    hub = folder / "Pulumi.network-hub.yaml"
    hub.write_text(hub.read_text() + "\n# edited\n")
    zone = LandingZone.load(folder)
    after = stack_fingerprints(zone)
    downstream = {name for name, stack in zone.stacks.items() if "network-hub" in _reads(zone, name)}
    assert downstream, "the example's spokes read the hub"
    for name in zone.stacks:
        changed = before[name] != after[name]
        assert changed == (name == "network-hub" or name in downstream), name


def _reads(zone: LandingZone, name: str) -> set[str]:
    """Every stack ``name`` reads, directly or through others."""
    seen: set[str] = set()
    todo = list(zone.stacks[name].config.referenced_stacks())
    while todo:
        upstream = todo.pop()
        if upstream not in seen:
            seen.add(upstream)
            todo.extend(zone.stacks[upstream].config.referenced_stacks())
    return seen


def test_pack_and_its_config_are_part_of_every_fingerprint(tmp_path):
    zone = LandingZone.load(_copy(tmp_path))
    plain = stack_fingerprints(zone)
    assert stack_fingerprints(zone, pack="abc") != plain
    with_config = stack_fingerprints(zone, policy_config={"modern-tls": "advisory"})
    assert all(with_config[name] != plain[name] for name in plain)
    assert stack_fingerprints(zone) == plain


def test_pack_fingerprint_follows_the_rules_and_ignores_caches(tmp_path):
    pack = tmp_path / "pack"
    (pack / "rules").mkdir(parents=True)
    (pack / "rules" / "a.py").write_text("A = 1\n")
    first = pack_fingerprint(pack)
    (pack / "__pycache__").mkdir()
    (pack / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    assert pack_fingerprint(pack) == first
    (pack / "rules" / "a.py").write_text("A = 2\n")
    assert pack_fingerprint(pack) != first
    assert pack_fingerprint(None) == ""


def test_pack_fingerprint_leaves_out_the_packs_own_virtualenv(tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "__main__.py").write_text("RULES = []\n")
    first = pack_fingerprint(pack)
    (pack / "venv" / "lib").mkdir(parents=True)
    (pack / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (pack / "venv" / "lib" / "site.py").write_text("installed = True\n")
    assert pack_fingerprint(pack) == first


def test_the_fingerprints_of_many_stack_files_are_each_ones_own(tmp_path):
    from agentcore_egress.stacks.fingerprint import own_fingerprint, own_fingerprints

    files = {}
    for name, text in (("a", "config: {}\n"), ("b", "config: {x: 1}\n")):
        files[name] = tmp_path / f"Pulumi.{name}.yaml"
        files[name].write_text(text)
    config = {"rule": {"enforcementLevel": "advisory"}}
    together = own_fingerprints(files, pack="p", policy_config=config)
    assert together == {name: own_fingerprint(file, pack="p", policy_config=config) for name, file in files.items()}
    assert len(set(together.values())) == 2
