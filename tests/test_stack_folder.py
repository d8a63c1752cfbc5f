"""How the landing zone's files are shown (stacks/stack_folder.py): relative to the working directory below it."""

import os

from agentcore_egress.stacks.stack_folder import display_path, display_paths


def test_many_files_are_shown_as_each_would_be_alone(tmp_path, monkeypatch):
    # display_paths resolves the working directory and each folder once (a 400-file zone resolved them 800 times);
    # what it shows is what display_path shows for each file: below the working directory relative (a relative path
    # too), elsewhere as given (a folder linked from the working directory leads elsewhere).
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    (work / "stacks").mkdir(parents=True)
    elsewhere.mkdir()
    os.symlink(elsewhere, work / "linked")
    monkeypatch.chdir(work)
    files = [work / "stacks" / "Pulumi.a.yaml", work / "stacks" / "Pulumi.b.yaml", work / "linked" / "Pulumi.c.yaml",
             elsewhere / "Pulumi.d.yaml", type(work)("stacks") / "Pulumi.e.yaml"]
    shown = display_paths(files)
    assert shown == [display_path(file) for file in files]
    assert shown[0] == os.path.join("stacks", "Pulumi.a.yaml") and shown[4] == os.path.join("stacks", "Pulumi.e.yaml")
    assert shown[3] == str(elsewhere / "Pulumi.d.yaml")
