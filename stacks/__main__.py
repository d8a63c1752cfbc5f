"""The per-account Pulumi program (``pulumi up --stack <account stack>`` runs this).

It validates the stack's ``agentcore-egress:*`` config, then builds only the
sections it declares. Bad config stops the run with one line per problem,
naming the key, the value and the fix.
"""

from pathlib import Path

import pulumi

from agentcore_egress.stacks.account_program import build, spoke_accounts
from agentcore_egress.stacks.config_schema import NAMESPACE, SECTIONS, ConfigError, parse

config = pulumi.Config(NAMESPACE)
raw = {section: config.get_object(section) for section in SECTIONS if config.get(section) is not None}
try:
    settings = parse(raw, f"stacks/Pulumi.{pulumi.get_stack()}.yaml")
    accounts = spoke_accounts(settings, Path(__file__).resolve().parent)  # the stack files sit beside the program (stackConfigDir)
except ConfigError as error:
    raise pulumi.RunError(str(error)) from None
for key, value in build(pulumi.get_stack(), settings, stack_accounts=accounts).items():
    pulumi.export(key, value)
