"""Gateway targets reach their endpoints over https.

Why: AgentCore Gateway speaks TLS to its targets and trusts only public
certificates. An ``http://`` MCP endpoint or OpenAPI server URL cannot work
(and would carry tool traffic in clear text if it did); catching it at
preview saves a failed deployment and a confusing runtime error.

Unset: no endpoint, nothing to judge (AgentCore requires one). Unknown (first
preview): a URL built from a computed name (``Output.concat("https://",
lb.dns_name)``) is wholly unknown, as is an inline schema built by an apply:
"cannot verify at preview" (advisory).
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

from .. import resource_types as t
from ..properties import UNKNOWN, Unverified, message, read
from ..openapi_servers import server_urls
from ..rule_declaration import AGENTCORE_PATH, RuleDeclaration, RuleDocs

def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.GATEWAY_TARGET:
        return
    mcp = read(args.props, "targetConfiguration", "mcp", default={})
    found: list[tuple[str, object]] = []
    endpoint = read(mcp, "mcpServer", "endpoint")
    if endpoint is not None:
        found.append(("targetConfiguration.mcp.mcpServer.endpoint", endpoint))
    payload = read(mcp, "openApiSchema", "inlinePayload", "payload")
    unverified = Unverified()
    if payload is UNKNOWN:
        unverified.add(args.name, args.resource_type, "targetConfiguration.mcp.openApiSchema.inlinePayload.payload", "built from computed values")
    if isinstance(payload, str):
        found.extend((f"targetConfiguration.mcp.openApiSchema servers[{i}].url", url) for i, url in enumerate(server_urls(payload)))
    for prop, url in found:
        if url is UNKNOWN:
            unverified.add(args.name, args.resource_type, prop, "built from computed values")
        elif not (isinstance(url, str) and url.startswith("https://")):
            report_violation(
                message(args.name, args.resource_type, prop, url, "AgentCore reaches targets over TLS only",
                        "use an https:// URL whose host has a publicly trusted certificate")
            )
    unverified.settle()


RULE = RuleDeclaration(
    id="https-target-endpoints",
    kind=AGENTCORE_PATH,
    description="Gateway target endpoints (MCP server, OpenAPI servers) use https://.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=("tls", "agentcore"),
    remediation=(
        "Use an https:// URL whose host presents a publicly trusted certificate for the MCP endpoint and every OpenAPI "
        "server."
    ),
    validate=validate,
    docs=RuleDocs(
        checks="a target's MCP endpoint and inline OpenAPI `servers` are `https://`",
        resource_types="`aws:bedrock/agentcoreGatewayTarget`",
        fix="https URL with a public certificate",
        unset_unknown="unset: nothing to judge; URL or inline schema built from computed values: *cannot verify at preview*",
        reference="no automatic fix: the https host must present a public certificate, which a rewrite cannot ensure.",
    ),
)
