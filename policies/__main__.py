"""The policy pack's entry point: the Pulumi engine runs ``python __main__.py`` in this folder.

Only here is the PolicyPack constructed (its constructor starts the analyzer
server, prints the port and blocks), so the rules stay importable for tests
and for ``agentcore-egress plan``.
"""

from pulumi_policy import PolicyPack

from agentcore_egress.policies.rules import RULES

PACK_NAME = "agentcore-egress"

if __name__ == "__main__":
    PolicyPack(name=PACK_NAME, policies=RULES)
