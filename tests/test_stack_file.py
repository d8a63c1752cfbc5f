"""Reading a stack file ends, in bounded time and memory, with the document or one line naming the place and the fix."""

import pytest

from agentcore_egress.stacks.errors import ConfigError
from agentcore_egress.stacks.stack_file import MAX_DEPTH, MAX_NODES, read_stack_file

BLOCK_STYLE = """\
config:
  aws:region: eu-west-1
  agentcore-egress:vpcs:
    - name: tools
      cidr: 10.0.0.0/16
      subnets:
        - name: a
          cidr: 10.0.0.0/24
          az: eu-west-1a
        - name: b
          cidr: 10.0.1.0/24
          az: eu-west-1b
    - name: second
      cidr: 10.1.0.0/33
      subnets: []
  agentcore-egress:targets:
  - name: orders-rest
    endpoint: {mcp_server: "https://orders.example.com"}
  - name: mcp
    endpoint: {mcp_server: "https://mcp.example.com"}
"""

FLOW_STYLE = """\
config:
  agentcore-egress:vpcs: [{name: tools, cidr: 10.0.0.0/16, subnets: []},
    {name: second,
     cidr: 10.1.0.0/33}]
"""


def _write(tmp_path, text, name="Pulumi.x.yaml"):
    file = tmp_path / name
    file.write_text(text) if isinstance(text, str) else file.write_bytes(text)
    return file


def _problem(tmp_path, text) -> str:
    with pytest.raises(ConfigError) as raised:
        read_stack_file(_write(tmp_path, text), "stacks/Pulumi.x.yaml")
    assert len(raised.value.problems) == 1
    return raised.value.problems[0]


@pytest.mark.parametrize(("key_path", "line"), [
    ("vpcs", 3), ("vpcs[0]", 4), ("vpcs[1]", 13), ("vpcs[1].cidr", 14), ("agentcore-egress:vpcs[1].cidr", 14),
    ("vpcs[0].subnets[1].az", 12), ("targets[1]", 19), ("targets[1].endpoint.mcp_server", 20),
    ("vpcs[7].cidr", 3), ("private_names[0]", 3), ("", 3),
])
def test_key_paths_map_to_their_lines_in_block_style(tmp_path, key_path, line):
    assert read_stack_file(_write(tmp_path, BLOCK_STYLE)).line_of(key_path) == line


@pytest.mark.parametrize(("key_path", "line"), [("vpcs", 2), ("vpcs[0]", 2), ("vpcs[1]", 3), ("vpcs[1].cidr", 4), ("vpcs[1].subnets", 3)])
def test_key_paths_map_to_their_lines_in_flow_style(tmp_path, key_path, line):
    assert read_stack_file(_write(tmp_path, FLOW_STYLE)).line_of(key_path) == line


@pytest.mark.parametrize(("text", "line"), [
    ("# yaml-language-server: $schema=stack-file.schema.json\n# about\nconfig:\n  aws:region: x\n  agentcore-egress:account: {}\n", 5),
    ("# comment\n\nconfig:\n  aws:region: x\n", 3),
    ("# comment\nenvironment: [env]\n", 2),
])
def test_the_whole_stack_is_on_its_first_key_never_a_comment(tmp_path, text, line):
    """A finding on the whole stack (no key path, or a section the file lacks): the first agentcore-egress: key, else config:."""
    source = read_stack_file(_write(tmp_path, text))
    assert source.line_of("") == line and source.line_of("targets[0]") == line


def test_a_repeated_key_names_both_lines(tmp_path):
    problem = _problem(tmp_path, "config:\n  agentcore-egress:vpcs: []\n  aws:region: x\n  agentcore-egress:vpcs: [1]\n")
    assert "line 4" in problem and "first on line 2" in problem and "'agentcore-egress:vpcs'" in problem


def test_nested_aliases_are_refused_before_they_expand(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    lines += ["config:", "  agentcore-egress:account: *a8"]
    problem = _problem(tmp_path, "\n".join(lines) + "\n")
    assert f"more than {MAX_NODES} values" in problem and "aliases" in problem


def test_a_few_aliases_are_fine(tmp_path):
    stack = read_stack_file(_write(tmp_path, "tags: &tags {team: a}\nconfig:\n  agentcore-egress:account: {tags: *tags}\n"))
    assert stack.document["config"]["agentcore-egress:account"] == {"tags": {"team": "a"}}


def test_deep_nesting_is_refused_without_recursing(tmp_path):
    problem = _problem(tmp_path, "config: " + "[" * 5000 + "]" * 5000 + "\n")
    assert f"deeper than {MAX_DEPTH} levels" in problem and "line 1" in problem


def test_non_utf8_names_line_and_byte(tmp_path):
    problem = _problem(tmp_path, b"config:\n  agentcore-egress:account:\n    id: caf\xe9\n")
    assert "line 3, column 12" in problem and "0xe9" in problem and "UTF-8" in problem


def test_syntax_errors_do_not_echo_the_file(tmp_path):
    problem = _problem(tmp_path, "config:\n  aws:secret_access_key: AKIASECRETVALUE\n  bad: [unclosed\n")
    assert "AKIASECRETVALUE" not in problem and "line " in problem and "Fix:" in problem


def test_oversized_files_are_refused_unread(tmp_path):
    problem = _problem(tmp_path, "# " + "x" * (1024 * 1024) + "\n")
    assert "KiB" in problem


def test_unreadable_files_say_so(tmp_path):
    import os

    file = _write(tmp_path, "config: {}\n")
    file.chmod(0)
    if os.access(file, os.R_OK):  # root reads anything; the message is still checked through a folder
        file = tmp_path / "folder.yaml"
        file.mkdir()
        with pytest.raises(ConfigError, match="is a folder"):
            read_stack_file(file)
        return
    with pytest.raises(ConfigError, match="permission denied"):
        read_stack_file(file)
