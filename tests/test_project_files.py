"""The files a user of the repository reads first: the license pyproject names, the changelog of its version."""

import itertools
import re
import tomllib

import yaml

from child_processes import REPOSITORY

PROJECT = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]


def test_the_license_file_is_the_full_apache_2_license_pyproject_names():
    text = (REPOSITORY / "LICENSE").read_text()
    assert PROJECT["license"] == {"text": "Apache-2.0"}
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text and "END OF TERMS AND CONDITIONS" in text
    sections = re.findall(r"^\s+(\d)\. [A-Z]", text, flags=re.MULTILINE)
    assert sections == [str(n) for n in range(1, 10)], "all nine sections, not a summary"


def test_the_changelog_has_the_current_version():
    changelog = (REPOSITORY / "CHANGELOG.md").read_text()
    assert f"## [{PROJECT['version']}]" in changelog and "## [Unreleased]" in changelog


def floors(requirements: list[str]) -> dict[str, str]:
    """Each requirement's name and its ">=" floor."""
    found = {}
    for requirement in requirements:
        match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^]]*\])?\s*>=\s*([0-9][0-9.]*)", requirement)
        assert match, f"{requirement!r}: no >= floor"
        found[match.group(1).lower()] = match.group(2)
    return found


def test_the_lowest_versions_ci_installs_are_exactly_the_floors_of_the_dependencies():
    lines = [line.strip() for line in (REPOSITORY / ".ci" / "lowest-constraints.txt").read_text().splitlines()]
    pinned = dict(line.lower().split("==") for line in lines if line and not line.startswith("#"))
    assert pinned == floors(PROJECT["dependencies"])
    run = (REPOSITORY / ".ci" / "run").read_text()
    assert "-c .ci/lowest-constraints.txt" in run and "tests/test_policy_pack.py" in run
    assert run.index("lowest-constraints") < run.index("CI took")


def test_the_rollout_asks_for_a_pulumi_cli_no_older_than_the_sdk_floor():
    from agentcore_egress.live.rollout import MINIMUM_CLI_VERSION

    assert MINIMUM_CLI_VERSION.removesuffix(".0") == floors(PROJECT["dependencies"])["pulumi"]


HOOKS = yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text())
LANDING_ZONE_FILE, OTHER_PROJECTS_FILE = "stacks/Pulumi.network-hub.yaml", "services/billing/Pulumi.dev.yaml"


def documented_hook_config() -> dict:
    """The .pre-commit-config.yaml that .pre-commit-hooks.yaml's header tells a user to write."""
    lines = (REPOSITORY / ".pre-commit-hooks.yaml").read_text().splitlines()
    start = lines.index("#   repos:")
    block = [line.removeprefix("# ") for line in itertools.takewhile(lambda line: line.startswith("#  "), lines[start:])]
    return {hook["id"]: hook for hook in yaml.safe_load("\n".join(block))["repos"][0]["hooks"]}


def test_the_hooks_match_no_file_until_told_which_and_the_documented_config_tells_them():
    assert {hook["id"] for hook in HOOKS} == {"agentcore-egress-stack-files", "agentcore-egress-plan"}
    for hook in HOOKS:
        assert not any(re.search(hook["files"], path) for path in (LANDING_ZONE_FILE, OTHER_PROJECTS_FILE, "Pulumi.yaml")), hook["id"]
    documented = documented_hook_config()
    assert set(documented) == {hook["id"] for hook in HOOKS}
    for hook in documented.values():
        assert re.search(hook["files"], LANDING_ZONE_FILE) and not re.search(hook["files"], OTHER_PROJECTS_FILE), hook
    assert documented["agentcore-egress-plan"]["args"] == ["stacks"]
    readme = (REPOSITORY / "README.md").read_text()
    block = readme[readme.index("```yaml\nrepos:\n") + len("```yaml\n"):]
    readme_hooks = yaml.safe_load(block[:block.index("```")])["repos"][0]["hooks"]
    assert {hook["id"]: hook for hook in readme_hooks} == documented, "README shows the same configuration"


def test_the_plan_hook_without_its_folder_fails_with_the_fix_and_with_it_plans_that_folder(capsys, monkeypatch, tmp_path):
    from agentcore_egress.cli.main import main
    from landing_zones import TGW_EXAMPLE, copy_zone

    hook = next(hook for hook in HOOKS if hook["id"] == "agentcore-egress-plan")
    command = hook["entry"].split()
    assert command[0] == "agentcore-egress" and hook["pass_filenames"] is False
    copy_zone(TGW_EXAMPLE, tmp_path / "stacks")
    monkeypatch.chdir(tmp_path)  # ./stacks holds stack files: without --require-stacks-dir, plan would quietly plan them
    assert main(command[1:]) == 2
    error = capsys.readouterr().err
    assert "STACKS_DIR: not given" in error and "Fix: " in error and "args: [stacks]" in error
    assert main(command[1:] + documented_hook_config()["agentcore-egress-plan"]["args"]) == 0
    assert "agentcore-egress plan" in capsys.readouterr().out.lower()


def test_every_documented_engine_command_with_the_pack_comes_after_pulumi_install_in_its_folder():
    """The CLI creates a local pack's virtualenv only through `pulumi install` run in the pack's folder."""
    checked = 0
    for document in (REPOSITORY / "README.md", REPOSITORY / "policies" / "README.md"):
        for block in re.findall(r"```bash\n(.*?)```", document.read_text(), flags=re.DOTALL):
            engine = [match.start() for match in re.finditer(r"pulumi (preview|up)\b[^\n]*--policy-pack policies", block)]
            if engine:
                checked += 1
                assert "(cd policies && pulumi install)" in block[:engine[0]], f"{document.name}:\n{block}"
        assert "engine creates the pack" not in document.read_text()
    assert checked == 2


def test_the_package_and_the_policy_pack_carry_the_one_version_a_release_sets():
    pack = yaml.safe_load((REPOSITORY / "policies" / "PulumiPolicy.yaml").read_text())
    assert pack["version"] == PROJECT["version"], "RELEASING.md: set the version in pyproject.toml and policies/PulumiPolicy.yaml"
    releasing = (REPOSITORY / "RELEASING.md").read_text()
    assert "pyproject.toml" in releasing and "policies/PulumiPolicy.yaml" in releasing and "## [Unreleased]" in releasing


def test_install_instructions_name_no_release_tag_while_none_is_released():
    """A `vX.Y.Z` tag exists once RELEASING.md's process made it, which dates the version's CHANGELOG heading
    (0.1.0's has no date: it was never tagged); until then instructions name a commit or `main`."""
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", (REPOSITORY / "CHANGELOG.md").read_text(), flags=re.MULTILINE)
    for file in ("README.md", ".pre-commit-hooks.yaml", "components/PulumiPlugin.yaml", "policies/README.md"):
        named = re.findall(r"(?:@|rev: )v(\d+\.\d+\.\d+)", (REPOSITORY / file).read_text())
        assert set(named) <= set(released), f"{file} names the tag(s) v{named}, which no release made"
