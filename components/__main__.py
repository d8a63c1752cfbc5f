"""Serve the components to other Pulumi languages (the engine runs this as a plugin)."""

from pulumi.provider.experimental import component_provider_host

from agentcore_egress.components import COMPONENTS
from agentcore_egress.components.base import PACKAGE

if __name__ == "__main__":
    component_provider_host(COMPONENTS, name=PACKAGE)
