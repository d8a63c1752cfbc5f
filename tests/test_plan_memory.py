"""What a plan keeps of each stack to its end is what reports need: no protobufs once judged, stack files as their text."""

from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.planner.plan import run_plan
from agentcore_egress.stacks.stack_file import read_stack_file
from landing_zones import TGW_EXAMPLE


def test_a_judged_stack_keeps_no_protobuf_of_its_resources():
    result = run_plan(LandingZone.load(TGW_EXAMPLE), jobs=1)
    registrations = [r for stack in result.stacks for r in stack.registrations]
    assert registrations and all(r.inputs_proto is None and r.state_proto is None for r in registrations)
    assert all(r.inputs or r.state for r in registrations if r.custom), "the plain values stay"


def test_a_stack_file_keeps_its_text_and_still_knows_every_line(tmp_path):
    file = tmp_path / "Pulumi.tools.yaml"
    file.write_text("config:\n  agentcore-egress:account:\n    id: '222222222222'\n    region: eu-west-1\n")
    read = read_stack_file(file)
    assert read.parsed_root is None and read.known_text == file.read_text()
    assert read.line_of("account.region") == 4
