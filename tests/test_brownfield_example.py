"""The brownfield example (examples/landing-zones/brownfield): it plans clean, and it is what its generator and discover write."""

import json

from agentcore_egress.cli.main import main
from brownfield import write_example
from landing_zones import BROWNFIELD_EXAMPLE


def test_the_example_plans_clean_in_both_phases(capsys):
    code = main(["plan", str(BROWNFIELD_EXAMPLE), "--format", "json", "--quiet"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["totals"]["mandatory"] == report["totals"]["advisory"] == 0, report["totals"]
    assert [(t["target"], t["verdict"]) for t in report["reachability"]] == [("orders", "reachable")]


def test_the_example_is_what_its_generator_and_discover_write(capsys, aws, tmp_path):
    written = write_example(aws, tmp_path / "brownfield")
    assert main(["discover", str(written), "--endpoint-url", aws.url]) == 0, capsys.readouterr().err
    files = sorted(path.relative_to(BROWNFIELD_EXAMPLE) for path in BROWNFIELD_EXAMPLE.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(written) for path in written.rglob("*") if path.is_file())
    for file in files:
        assert (written / file).read_text() == (BROWNFIELD_EXAMPLE / file).read_text(), f"{file} differs: regenerate with python tests/brownfield.py"


def test_the_diagram_draws_the_existing_resources_the_new_ones_join(capsys):
    main(["plan", str(BROWNFIELD_EXAMPLE), "--format", "json", "--quiet"])
    diagram = json.loads(capsys.readouterr().out)["diagram"]
    assert 'network__tgw__core{{"existing Transit Gateway core<br/>segments: spokes, shared"}}' in diagram
    assert "agentcore__vpc__agentcore ---|attachment| network__tgw__core" in diagram
    assert "network_acceptance__acceptances -. accepts .-> network__tgw__core" in diagram
    assert 'agentcore__vpc__agentcore["existing VPC agentcore<br/>vpc-' in diagram
