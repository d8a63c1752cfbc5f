"""REST APIs are PRIVATE and admit only requests through a named VPC endpoint.

Why: AgentCore reaches a private API Gateway through an execute-api interface
endpoint in the resource VPC. An EDGE or REGIONAL API is reachable from the
internet; a PRIVATE API without a resource policy cannot be invoked at all,
and one whose policy does not test ``aws:SourceVpce`` (or ``aws:SourceVpc``)
admits any endpoint in any account that can reach the service.

Unset: ``endpointConfiguration`` left out is Optional+Computed in
``aws_api_gateway_rest_api``; API Gateway then creates an EDGE API: a
violation. ``policy`` left out (on the API and on every ``RestApiPolicy``)
means no resource policy: a violation.
Unknown (first preview): endpoint ids are unknown but *set*; the types, or a
policy document built from a computed endpoint id (the usual case: the
document names the endpoint created in the same stack), are "cannot verify at
preview" (advisory): whether it tests ``aws:SourceVpce`` is known only at update.
"""

from pulumi_policy import EnforcementLevel, ReportViolation, Severity, StackValidationArgs

from .. import resource_types as t
from ..properties import UNKNOWN, Unverified, message, of_type, read, read_plain
from ..rule_declaration import AGENTCORE_PATH, STACK, RuleDeclaration, RuleDocs


_SCOPING_KEYS = ("aws:SourceVpce", "aws:sourceVpce", "aws:SourceVpc", "aws:sourceVpc")


def _scoped(policy_text) -> bool:
    return isinstance(policy_text, str) and any(key in policy_text for key in _SCOPING_KEYS)


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    policies_by_api: dict[str, list] = {}
    for api_policy in of_type(args.resources, t.REST_API_POLICY):
        for api in api_policy.property_dependencies.get("restApiId", []):
            policies_by_api.setdefault(api.urn, []).append(read(api_policy.props, "policy"))
    unverified = Unverified()
    for api in of_type(args.resources, t.REST_API):
        configuration = read_plain(api.props, "endpointConfiguration", default={}) or {}
        types = configuration.get("types") if isinstance(configuration, dict) else UNKNOWN
        types = [types] if isinstance(types, str) else types
        if types is UNKNOWN or (isinstance(types, list) and UNKNOWN in types):
            unverified.add(api.name, api.resource_type, "endpointConfiguration.types", "computed by another resource")
            continue
        if types != ["PRIVATE"]:
            report_violation(
                message(api.name, api.resource_type, "endpointConfiguration.types", types, "the API is reachable from outside the VPC",
                        "set endpointConfiguration.types to PRIVATE with vpcEndpointIds (PrivateApiGatewayBackend)"),
                api.urn,
            )
            continue
        if isinstance(configuration, dict) and not configuration.get("vpcEndpointIds"):
            report_violation(
                message(api.name, api.resource_type, "endpointConfiguration.vpcEndpointIds", configuration.get("vpcEndpointIds"),
                        "no execute-api endpoint is associated with the private API", "list the execute-api interface endpoint's id"),
                api.urn,
            )
        documents = [read(api.props, "policy")] + policies_by_api.get(api.urn, [])
        if any(_scoped(document) for document in documents):
            continue
        if any(document is UNKNOWN for document in documents):
            unverified.add(api.name, api.resource_type, "policy", "the resource policy is built from computed values")
            continue
        if not any(_scoped(document) for document in documents):
            report_violation(
                message(api.name, api.resource_type, "policy", next((d for d in documents if d), None),
                        "no resource policy limits invocation to a VPC endpoint",
                        "attach a policy that denies execute-api:Invoke unless aws:SourceVpce is the endpoint's id (RestApiPolicy)"),
                api.urn,
            )
    unverified.settle()


RULE = RuleDeclaration(
    id="private-api-gateway",
    kind=AGENTCORE_PATH,
    description="API Gateway REST APIs are PRIVATE, with a resource policy scoped to a VPC endpoint.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=("api-gateway", "exposure"),
    remediation=(
        "Make the REST API PRIVATE with the execute-api interface endpoint in vpc_endpoint_ids and a resource policy "
        "that denies execute-api:Invoke unless aws:SourceVpce is that endpoint (PrivateApiGatewayBackend)."
    ),
    validate=validate,
    judges=STACK,
    docs=RuleDocs(
        checks=(
            "REST APIs are `PRIVATE` with `vpcEndpointIds` and a resource policy (inline or `RestApiPolicy`) that tests"
            " `aws:SourceVpce`/`aws:SourceVpc`"
        ),
        resource_types="`aws:apigateway/restApi` (stack rule)",
        fix="`PrivateApiGatewayBackend`",
        unset_unknown=(
            "unset `endpointConfiguration`: EDGE (violation); unset policy: none (violation); unknown endpoint ids: "
            "set; unknown types or policy document: *cannot verify at preview*"
        ),
        reference="stack rule, no automatic fix (the endpoint and the policy are other resources).",
    ),
)
