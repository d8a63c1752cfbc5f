"""One writer for every file the tool replaces (report, cache entry, rollout state): whole or not at all."""

import os

import pytest

from agentcore_egress.files.atomic_file import write_atomically


def test_a_replaced_file_keeps_its_permissions_and_a_new_one_follows_the_umask(tmp_path):
    target = tmp_path / "report.md"
    target.write_text("old")
    target.chmod(0o640)
    write_atomically(target, "new")
    assert target.read_text() == "new" and target.stat().st_mode & 0o777 == 0o640
    assert [path.name for path in tmp_path.iterdir()] == ["report.md"]  # no temp file left behind
    fresh = tmp_path / "fresh.md"
    umask = os.umask(0o022)
    try:
        write_atomically(fresh, "x")
    finally:
        os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_changes_nothing_and_leaves_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "state.json"
    target.write_text("old")

    def full_disk(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        write_atomically(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
