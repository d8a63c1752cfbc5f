"""The stack files' JSON Schema: generated from the pydantic models, committed, named by every bundled file, used by pre-commit."""

import json
import re
import shlex
import tomllib

import jsonschema
import pytest
import yaml

from agentcore_egress.cli.main import build_parser, main
from agentcore_egress.stacks.json_schema import MODELINE, SCHEMA_FILE, render, stack_file_schema
from child_processes import REPOSITORY, run_cli
from landing_zones import BROWNFIELD_EXAMPLE, PEERING_EXAMPLE, TGW_EXAMPLE

BUNDLED = sorted([*TGW_EXAMPLE.glob("Pulumi.*.yaml"), *PEERING_EXAMPLE.glob("Pulumi.*.yaml"), *BROWNFIELD_EXAMPLE.glob("Pulumi.*.yaml")])


def validator():
    schema = stack_file_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_committed_schema_is_up_to_date():
    assert SCHEMA_FILE.read_text() == render(), "regenerate it: agentcore-egress schema > stacks/stack-file.schema.json"


def test_the_command_prints_the_schema():
    result = run_cli("schema", timeout=60)
    assert result.returncode == 0 and json.loads(result.stdout) == stack_file_schema()


@pytest.mark.parametrize("file", BUNDLED, ids=lambda f: f"{f.parent.name}/{f.name}")
def test_every_bundled_stack_file_names_the_schema_and_validates(file):
    first = file.read_text().splitlines()[0]
    assert first.startswith(MODELINE)
    assert (file.parent / first[len(MODELINE):]).resolve() == SCHEMA_FILE, "the modeline's path resolves to the schema"
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator().iter_errors(yaml.safe_load(file.read_text()))]
    assert errors == []


@pytest.mark.parametrize("config, complaint", [
    ({"agentcore-egress:account": {"id": 444444444444, "region": "eu-west-1"}}, "is not of type 'string'"),
    ({"agentcore-egress:acount": {"id": "444444444444", "region": "eu-west-1"}}, "'agentcore-egress:account' is a required property"),
    ({"agentcore-egress:account": {"id": "444444444444", "region": "eu-west-1"}, "agentcore-egress:vpc": []}, "agentcore-egress:vpc"),
    ({"agentcore-egress:account": {"id": "444444444444", "region": "eu-west-1", "rolearn": "x"}}, "rolearn"),
])
def test_the_schema_refuses_what_the_program_refuses(config, complaint):
    messages = [error.message for error in validator().iter_errors({"config": config})]
    assert any(complaint in message for message in messages), messages


@pytest.mark.parametrize("existing, complaint", [
    ({"vpcs": {"tools": "vpc-x"}}, "'vpc-x' does not match"),
    ({"vpcs": {"Tools": "vpc-0a1b2c3d4e5f60718"}}, "'Tools' does not match any of the regexes"),
    ({"transit_gateways": {"core": {"id": "tgw-0a1b2c3d4e5f60718", "route_tables": {"spokes": "rtb-0a1b2c3d4e5f60718"}}}}, "does not match"),
])
def test_the_schema_checks_the_ids_and_names_of_existing_resources(existing, complaint):
    config = {"agentcore-egress:account": {"id": "444444444444", "region": "eu-west-1"}, "agentcore-egress:existing": existing}
    messages = [e.message for error in validator().iter_errors({"config": config}) for e in (error, *error.context)]
    assert any(complaint in message for message in messages), messages


def test_other_namespaces_are_left_to_their_owners():
    document = {"config": {"agentcore-egress:account": {"id": "444444444444", "region": "eu-west-1"}, "aws:region": "eu-west-1"},
                "encryptionsalt": "v1:abc"}
    assert list(validator().iter_errors(document)) == []


def test_schema_check_reports_each_bad_file_in_one_line(tmp_path, capsys):
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text("config:\n  agentcore-egress:account:\n    id: 12\n    region: eu-west-1\n")
    assert main(["schema", "--check", str(BUNDLED[0]), str(bad)]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and str(bad) in error[0] and "account.id" in error[0]
    assert main(["schema", "--check", *map(str, BUNDLED)]) == 0


def test_pre_commit_hooks_name_real_commands():
    hooks = yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text())
    scripts = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]["scripts"]
    assert {hook["id"] for hook in hooks} == {"agentcore-egress-stack-files", "agentcore-egress-plan"}
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook) and hook["language"] == "python"
        program, *arguments = shlex.split(hook["entry"])
        assert program in scripts, f"{hook['id']}: {program} is not a console script of the package"
        filenames = [] if hook.get("pass_filenames") is False else [str(BUNDLED[0])]
        build_parser().parse_args([*arguments, *filenames])  # exits (SystemExit) on an unknown option
        # Which files is the user's to say (tests/test_project_files.py): by default a hook matches none.
        assert not any(re.search(hook["files"], str(file.relative_to(REPOSITORY))) for file in BUNDLED)


def test_the_plan_hook_passes_on_the_bundled_landing_zone_given_as_its_folder():
    plan = next(hook for hook in yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text()) if hook["id"] == "agentcore-egress-plan")
    result = run_cli(*shlex.split(plan["entry"])[1:], str(BUNDLED[0].parent), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
