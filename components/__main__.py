"""Serve the components to other Pulumi languages: the engine runs ``python <this folder> <engine address>``.

The folder's virtualenv (PulumiPlugin.yaml) holds agentcore-egress itself, installed
from the repository clone by requirements.txt, so the components come from the
installed package; the schema carries that package's version.
"""

from importlib import metadata

from pulumi.provider.experimental import component_provider_host

from agentcore_egress.components import COMPONENTS
from agentcore_egress.components.base import NAMESPACE, PACKAGE


def schema_version() -> str:
    """The installed package's version, which is the plugin's: SDKs generated from the schema are tagged with it."""
    try:
        return metadata.version("agentcore-egress")
    except metadata.PackageNotFoundError:  # a checkout that is not installed: say so rather than invent a release
        return "0.0.0-dev"


if __name__ == "__main__":
    component_provider_host(COMPONENTS, name=PACKAGE, namespace=NAMESPACE, version=schema_version())
