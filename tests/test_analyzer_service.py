"""The pack's analyzer service (decoding each request once) answers exactly as pulumi-policy's own service.

Every request the planner's client sends for a program, in both phases, goes to
both services in this process; their answers (diagnostics with messages, levels
and URNs, "not applicable" entries, "can't run during preview" advisories) must
be the same protobuf, byte for byte. The programs are every rule's compliant
and violating case, the seed scenarios and their broken variants, under
default, remediate, disabled and option-carrying configs.
"""

from __future__ import annotations

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy import policy as sdk

from agentcore_egress.planner.pack_service import InProcessStub
from agentcore_egress.planner.policy_analyzer import AnalyzerClient
from agentcore_egress.policies import analyzer_service
from agentcore_egress.policies.agentcore_path import StackResources, Scope, path_urns
from agentcore_egress.policies.rules import RULES
from fake_cloud import deploy

from test_policy_pack import BROKEN, SCENARIOS, run_scenario
from test_policy_phases import CASES


class ComparingService:
    """An analyzer service that hands every call to two services in this process and compares their answers."""

    def __init__(self) -> None:
        self.sdk = sdk._PolicyAnalyzerServicer("agentcore-egress", "0.0.1", RULES, EnforcementLevel.ADVISORY)
        self.ours = analyzer_service.DecodeOnceAnalyzer("agentcore-egress", "0.0.1", RULES, EnforcementLevel.ADVISORY)
        self.compared: list[tuple[str, analyzer_pb2.AnalyzeResponse]] = []
        self.different: list[str] = []

    def __getattr__(self, method: str):
        def both(request, context):
            theirs, ours = getattr(self.sdk, method)(request, context), getattr(self.ours, method)(request, context)
            if theirs.SerializeToString(deterministic=True) != ours.SerializeToString(deterministic=True):
                self.different.append(f"{method} {getattr(request, 'urn', '')}:\nSDK:  {theirs}\nours: {ours}")
            self.compared.append((method, theirs))
            return theirs

        return both


@pytest.fixture
def stub():
    return InProcessStub(ComparingService())


def judge_both(stub, deployment, config=None, phases=True):
    client = AnalyzerClient(stub)
    client.configure(config or {})
    return client.analyze(deployment.registrations, deployment.minted if phases else None)


CONFIGS = {
    "default": None,
    "remediate": {rule.name: "remediate" for rule in RULES},
    "disabled": {rule.name: "disabled" for rule in RULES[::2]},
    "mandatory, everywhere": {rule.name: {"enforcementLevel": "mandatory", **({"offPath": "report"} if "agentcore-path" in rule.tags else {})}
                              for rule in RULES},
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_every_rule_case_gets_the_sdk_services_answers_in_both_phases(stub, rule):
    good, bad, config, _ = CASES[rule]
    found = []
    for program in (good, bad):
        found += judge_both(stub, deploy(program), config)
    assert stub.service.different == [], stub.service.different[0]
    assert {"Analyze", "AnalyzeStack"} <= {method for method, _ in stub.service.compared}
    assert any(f.policy == rule for f in found), "the violating case drew its rule, so answers with diagnostics were compared"


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_seed_scenarios_and_broken_variants_get_the_sdk_services_answers_under_every_config(stub, config):
    for key in sorted(SCENARIOS):
        judge_both(stub, run_scenario(key), CONFIGS[config])
    for rule in sorted(BROKEN):
        key, breaker = BROKEN[rule]
        judge_both(stub, breaker(run_scenario(key)), CONFIGS[config], phases=False)
    diagnostics = sum(len(response.diagnostics) for method, response in stub.service.compared if hasattr(response, "diagnostics"))
    assert stub.service.different == [], stub.service.different[0]
    assert diagnostics > 0 or config == "disabled"


def test_the_pack_serves_with_the_decode_once_service():
    original = sdk._PolicyAnalyzerServicer
    try:
        assert analyzer_service.install() is True
        assert sdk._PolicyAnalyzerServicer is analyzer_service.DecodeOnceAnalyzer
    finally:
        sdk._PolicyAnalyzerServicer = original


def test_a_pulumi_policy_without_the_private_helpers_keeps_its_own_service(monkeypatch):
    monkeypatch.setattr(analyzer_service, "_HELPERS", (*analyzer_service._HELPERS, "_a_helper_a_later_release_renamed"))
    original = sdk._PolicyAnalyzerServicer
    assert analyzer_service.install() is False
    assert sdk._PolicyAnalyzerServicer is original


def test_a_stack_is_decoded_once_per_request_however_many_policies_read_it(monkeypatch):
    decoded = []
    real = analyzer_service._decoded
    monkeypatch.setattr(analyzer_service, "_decoded", lambda properties: decoded.append(1) or real(properties))
    stub = InProcessStub(ComparingService())
    deployment = run_scenario("c")
    judge_both(stub, deployment, phases=False)
    custom = [r for r in deployment.registrations if r.custom and not r.type.startswith("pulumi:providers:")]
    providers = sum(1 for r in custom if r.provider)
    # Analyze: each custom resource and its provider once; AnalyzeStack: each resource once. Not once per policy.
    assert len(decoded) <= len(custom) + providers + len(deployment.registrations)
    assert len(RULES) > 10


def test_the_path_walk_is_kept_with_the_stacks_resources_per_scope():
    deployment = run_scenario("c")
    stub = InProcessStub(ComparingService())
    AnalyzerClient(stub).configure({})
    request = analyzer_pb2.AnalyzeStackRequest()
    for r in deployment.registrations:
        request.resources.add(type=r.type, urn=r.urn, name=r.name, parent=r.parent).properties.CopyFrom(r.state_proto if r.state_proto is not None else r.inputs_proto)
    resources = stub.service.ours._stack_resources(request)
    assert isinstance(resources, StackResources)
    first = path_urns(Scope(), resources)
    assert path_urns(Scope(), resources) is first
    assert path_urns(Scope(resources=("nothing*",)), resources) is not first
    assert path_urns(Scope(), list(resources)) == first  # a plain list (the SDK's service) walks each time, to the same result
