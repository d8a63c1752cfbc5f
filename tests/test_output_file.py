"""--output: refused before the run when it cannot be written or would replace an input; written whole or not at all."""

from __future__ import annotations

import os

import pytest

from agentcore_egress.cli.output_file import OutputError, check_output_path, write_atomically


def test_the_policy_config_and_the_pack_are_refused_as_outputs(tmp_path):
    config = tmp_path / "pack-config.json"
    config.write_text("{}")
    pack = tmp_path / "pack"
    pack.mkdir()
    with pytest.raises(OutputError, match="a file this run reads"):
        check_output_path(config, [config])
    link = tmp_path / "link.json"
    link.symlink_to(config)
    with pytest.raises(OutputError, match="a file this run reads"):  # the same file under another name
        check_output_path(link, [config])
    with pytest.raises(OutputError, match="which this run reads"):
        check_output_path(pack / "report.md", [], [pack])
    check_output_path(tmp_path / "report.md", [config], [pack])


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "report.md"
    target.write_text("old")

    def full_disk(fd):
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OutputError, match="No space left on device.*unchanged"):
        write_atomically(target, "new")
    assert target.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["report.md"]
