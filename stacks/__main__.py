"""The per-account program: one stack per account, configured in stacks/Pulumi.<stack>.yaml.

Placeholder until the per-account stacks land: it builds nothing, so
`pulumi preview` on any stack is a no-op rather than an error.
"""

import pulumi

pulumi.log.info("agentcore-egress: no account sections are configured for this stack yet")
