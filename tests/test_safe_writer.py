"""No write outside its place: rollout's state file, `rollout --emit`, `--output` and the plan cache share one writer that
refuses links, inputs, folders and devices, never deletes what it didn't write and leaves no temp file behind."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from agentcore_egress.files.atomic_file import RefusedTarget, remove_own_files, write_atomically
from child_processes import run_cli
from landing_zones import TGW_EXAMPLE, copy_zone


@pytest.fixture
def project(tmp_path):
    """A Pulumi project: Pulumi.yaml beside the stacks folder."""
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "stacks")
    (tmp_path / "Pulumi.yaml").write_text("name: agentcore-egress\nruntime: python\nmain: stacks/\nstackConfigDir: stacks\n")
    return zone


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file() and not path.is_symlink()}


def one_error(result) -> str:
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "Fix: " in line and "Traceback" not in result.stderr
    return line


@pytest.mark.parametrize("target, reason", [
    ("stacks/Pulumi.tools-mcp.yaml", "a file this run reads"), ("Pulumi.yaml", "a file this run reads"),
    ("link.json", "is a symbolic link"), ("stacks", "is a folder"),
])
def test_a_state_file_that_is_an_input_a_link_or_a_folder_is_refused_before_anything_even_with_restart(project, tmp_path, target, reason):
    outside = tmp_path / "outside.json"
    outside.write_text('{"version": 1}')
    (tmp_path / "link.json").symlink_to(outside)
    before = files_of(tmp_path)
    line = one_error(run_cli("rollout", str(project), "--state-file", str(tmp_path / target), "--restart", timeout=60, PATH=""))
    assert line.startswith(f"error: --state-file {tmp_path / target}: ") and reason in line
    assert files_of(tmp_path) == before and (tmp_path / "link.json").is_symlink()


@pytest.mark.parametrize("target", ["stack-file", "pulumi-yaml", "link", "folder", "fifo", "pack-folder"])
def test_emit_refuses_an_input_a_link_a_folder_or_a_device_and_changes_nothing(project, tmp_path, target):
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    outside = tmp_path / "outside.yml"
    outside.write_text("someone else's\n")
    paths = {"stack-file": project / "Pulumi.agentcore.yaml", "pulumi-yaml": tmp_path / "Pulumi.yaml", "link": tmp_path / "link.yml",
             "folder": tmp_path / "workflows", "fifo": tmp_path / "fifo.yml", "pack-folder": pack / "landing-zone.yml"}
    (tmp_path / "link.yml").symlink_to(outside)
    (tmp_path / "workflows").mkdir()
    os.mkfifo(tmp_path / "fifo.yml")
    before = files_of(tmp_path)
    line = one_error(run_cli("rollout", str(project), "--policy-pack", str(pack), "--emit", "github-actions", str(paths[target]), timeout=60))
    assert line.startswith(f"error: --emit github-actions {paths[target]}: ")
    assert files_of(tmp_path) == before, "nothing changed, no temp file left"


@pytest.mark.parametrize("extra, message", [
    (("--destroy",), "it does not destroy"),
    (("--refresh",), "it does not refresh"),
    (("--stack", "nope"), "--stack: nope is not a stack of this landing zone"),
    (("--stack", "agentcore"), "the workflow rolls out every stack"),
])
def test_emit_refuses_options_the_workflow_would_ignore(project, tmp_path, extra, message):
    workflow = tmp_path / "landing-zone.yml"
    line = one_error(run_cli("rollout", str(project), *extra, "--emit", "github-actions", str(workflow), timeout=60))
    assert message in line and not workflow.exists()


def test_emit_writes_through_no_link_and_leaves_no_temp_file(project, tmp_path):
    folder = tmp_path / ".github" / "workflows"
    result = run_cli("rollout", str(project), "--emit", "github-actions", str(folder / "landing-zone.yml"), timeout=60)
    assert result.returncode == 0, result.stderr
    assert [path.name for path in folder.iterdir()] == ["landing-zone.yml"]


def test_plan_output_onto_a_link_is_refused(tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    outside = tmp_path / "outside.txt"
    outside.write_text("someone else's\n")
    (tmp_path / "report.txt").symlink_to(outside)
    line = one_error(run_cli("plan", str(zone), "--no-cache", "--output", str(tmp_path / "report.txt"), timeout=120))
    assert "is a symbolic link" in line and outside.read_text() == "someone else's\n"


def test_the_confined_writer_refuses_a_link_under_its_root_and_leaves_no_temp_file(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    outside.mkdir()
    (root / "real").mkdir(parents=True)
    (root / "sub").symlink_to(outside)
    (root / "real" / "entry.json").symlink_to(outside / "victim.json")
    for target in (root / "sub" / "entry.json", root / "sub" / "deeper" / "entry.json", root / "real" / "entry.json", root / ".." / "x.json"):
        with pytest.raises(RefusedTarget):
            write_atomically(target, "x", within=root)
    assert list(outside.iterdir()) == [] and sorted(path.name for path in (root / "real").iterdir()) == ["entry.json"]
    write_atomically(root / "new" / "entry.json", "x", within=root)
    assert (root / "new" / "entry.json").read_text() == "x"
    linked_root = tmp_path / "linked-root"
    linked_root.symlink_to(root)
    with pytest.raises(RefusedTarget):
        write_atomically(linked_root / "new" / "other.json", "x", within=linked_root)


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_an_interrupted_write_changes_nothing_and_leaves_no_temp_file(tmp_path, monkeypatch, interruption):
    target = tmp_path / "state.json"
    target.write_text("old")

    def interrupted(descriptor):
        raise interruption()

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(interruption):
        write_atomically(target, "new")
    assert target.read_text() == "old" and [path.name for path in tmp_path.iterdir()] == ["state.json"]


def test_pruning_removes_only_own_regular_files(tmp_path):
    folder = tmp_path / "stack"
    folder.mkdir()
    own = re.compile(r"[0-9a-f]{4}\.json")
    for number in range(4):
        (folder / f"{number:04x}.json").write_text("entry")
        os.utime(folder / f"{number:04x}.json", ns=(number * 10**9, number * 10**9))
    (folder / "notes.json").write_text("mine")
    outside = tmp_path / "victim.json"
    outside.write_text("someone else's")
    (folder / "ffff.json").symlink_to(outside)
    remove_own_files(folder, own, keep=1, within=tmp_path)
    assert sorted(path.name for path in folder.iterdir()) == ["0003.json", "ffff.json", "notes.json"]
    assert outside.read_text() == "someone else's"
