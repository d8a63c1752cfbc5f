"""plan's policy runner (public API, decoding each request once) answers exactly as pulumi-policy's own service.

Every request the planner's client sends for a program, in both phases, goes to
pulumi-policy's analyzer service (what the engine runs) and to
:class:`PolicyRunner`, both in this process; their answers (diagnostics with messages, levels
and URNs, "not applicable" entries, "can't run during preview" advisories) must
be the same protobuf, byte for byte. The programs are every rule's compliant
and violating case, the seed scenarios and their broken variants, under
default, remediate, disabled and option-carrying configs.
"""

from __future__ import annotations

import copy
from functools import lru_cache

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy import policy as sdk

from agentcore_egress.planner.pack_service import InProcessStub
from agentcore_egress.planner.policy_analyzer import AnalyzerClient
from agentcore_egress.policies import policy_runner
from agentcore_egress.policies.agentcore_path import Scope, path_urns
from agentcore_egress.policies.policy_runner import PolicyRunner
from agentcore_egress.policies.rules import RULES
from fake_cloud import deploy

from test_policy_pack import BROKEN, SCENARIOS, run_scenario
from test_policy_phases import CASES


class ComparingService:
    """An analyzer service that hands every call to two services in this process and compares their answers.

    The oracle is the service pulumi-policy's ``PolicyPack`` serves (its class is private to the SDK: only this
    test names it, to compare against; the product never does)."""

    def __init__(self, policies=RULES, initial_config=None) -> None:
        self.sdk = sdk._PolicyAnalyzerServicer("agentcore-egress", "0.0.1", policies, EnforcementLevel.ADVISORY, initial_config)
        self.ours = PolicyRunner("agentcore-egress", policies, None, initial_config)
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


@lru_cache(maxsize=None)
def _deployed(key):
    return run_scenario(key)


def scenario(key):
    """A seed scenario's deployment, run once for every config: a copy, which a broken variant edits in place."""
    return copy.deepcopy(_deployed(key))


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_seed_scenarios_and_broken_variants_get_the_sdk_services_answers_under_every_config(stub, config):
    for key in sorted(SCENARIOS):
        judge_both(stub, scenario(key), CONFIGS[config])
    for rule in sorted(BROKEN):
        key, breaker = BROKEN[rule]
        judge_both(stub, breaker(scenario(key)), CONFIGS[config], phases=False)
    diagnostics = sum(len(response.diagnostics) for method, response in stub.service.compared if hasattr(response, "diagnostics"))
    assert stub.service.different == [], stub.service.different[0]
    assert diagnostics > 0 or config == "disabled"


def test_a_stack_is_decoded_once_per_request_however_many_policies_read_it(monkeypatch):
    decoded = []
    real = policy_runner.decoded
    monkeypatch.setattr(policy_runner, "decoded", lambda properties: decoded.append(1) or real(properties))
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
    resources = policy_runner.stack_resources(request.resources)
    assert isinstance(resources, policy_runner.StackResources)
    first = path_urns(Scope(), resources)
    assert path_urns(Scope(), resources) is first
    assert path_urns(Scope(resources=("nothing*",)), resources) is not first
    assert path_urns(Scope(), list(resources)) == first  # a plain list (the SDK's service) walks each time, to the same result


def _policies_the_pack_does_not_use():
    """The SDK's behaviours this pack's rules never call on: not applicable, remediation only, a coroutine, stack tags,
    every severity, options, and a stack policy that reads an unknown value."""
    from pulumi_policy import PolicyConfigSchema, ResourceValidationPolicy, Severity, StackValidationPolicy

    def not_applicable(args, report):
        if args.resource_type.startswith("aws:ec2/vpc"):
            args.not_applicable("only for subnets")
        report(f"tags {sorted(args.stack_tags.items())}, config {args.get_config()}")

    async def coroutine(args, report):
        report("from a coroutine", args.urn)

    def stack_reads_everything(args, report):
        for resource in args.resources:
            report(f"{resource.name}: {sorted(str(value) for value in resource.props.values() if isinstance(value, (str, int, float)))[:3]}")

    return [
        ResourceValidationPolicy("not-applicable", "says when it does not apply", not_applicable, severity=Severity.LOW,
                                 config_schema=PolicyConfigSchema({"limit": {"type": "number"}})),
        ResourceValidationPolicy("remediation-only", "fixes only", remediate=lambda args: None, severity=Severity.MEDIUM),
        ResourceValidationPolicy("a-coroutine", "validates asynchronously", coroutine, severity=Severity.CRITICAL,
                                 enforcement_level=EnforcementLevel.MANDATORY),
        StackValidationPolicy("stack-reads-everything", "reads every value", stack_reads_everything, severity=Severity.HIGH),
    ]


@pytest.mark.parametrize("config", [None, {"not-applicable": {"enforcementLevel": "mandatory", "limit": 3}, "a-coroutine": "remediate"}])
def test_what_the_pack_never_does_is_answered_as_the_sdk_answers_it(config):
    service = ComparingService(_policies_the_pack_does_not_use(), initial_config={"a-coroutine": EnforcementLevel.ADVISORY,
                                                                                   "not-applicable": {"limit": 1}})
    stub = InProcessStub(service)
    stub.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(tags={"team": "platform"}))
    stub.GetAnalyzerInfo(None)
    judge_both(stub, run_scenario("c"), config)
    assert service.different == [], service.different[0]
    answers = [response for method, response in service.compared if method in ("Analyze", "AnalyzeStack")]
    assert any(response.not_applicable for response in answers)
    assert {d.policyName for response in answers for d in response.diagnostics} >= {"not-applicable", "a-coroutine", "stack-reads-everything"}
    assert any("during preview" in d.message for response in answers for d in response.diagnostics)
