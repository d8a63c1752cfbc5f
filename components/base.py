"""What every component of the package shares: its type token and child naming."""

from typing import Any, Optional

import pulumi

PACKAGE = "agentcore-egress"
"""The schema's package name: type tokens are ``agentcore-egress:index:<Component>``."""
NAMESPACE = "agentcore-egress"
"""The schema's namespace (the publisher, as Pulumi's registry groups packages)."""
PATH_TAG = "agentcore-egress:path"
"""Tag key on what the components create for an AgentCore path; the policy pack reads the same key
(``policies/agentcore_path.py``; a test keeps the two equal, the components must not import the pack)."""


class EgressComponent(pulumi.ComponentResource):
    """Base of the package's components.

    Each component states its type token as a literal class attribute ``TYPE``
    (``agentcore-egress:index:<Component>``, the token the schema gives it). A
    user's subclass inherits it: subclassing a component to add a default or a
    method must not change the type, and so the URN, of what it creates (Pulumi
    would replace every such resource); a subclass that is a component of its
    own sets its own ``TYPE``.

    Subclasses validate their args *before* calling ``super().__init__`` so that
    bad input creates nothing, not even the component. Children are named
    ``f"{name}-<role>"`` and parented here, so a resource's URN depends only on
    its component's name and its role, never on list positions.
    """

    TYPE = ""
    """The component's type token; every concrete component sets it."""

    def __init__(self, name: str, opts: Optional[pulumi.ResourceOptions]) -> None:
        if not self.TYPE:
            raise TypeError(f"{type(self).__name__} sets no TYPE: give it a type token, e.g. TYPE = '{PACKAGE}:index:{type(self).__name__}'")
        super().__init__(self.TYPE, name, None, opts)
        self._name = name

    @property
    def component_name(self) -> str:
        """The name this component was created with."""
        return self._name

    def child_name(self, role: str) -> str:
        """The name of this component's child with ``role``: ``<name>-<role>``."""
        return f"{self._name}-{role}"

    def child_options(self, **kwargs: Any) -> pulumi.ResourceOptions:
        """Options of a child: parented here (and so in this component's provider), plus ``kwargs``."""
        return pulumi.ResourceOptions(parent=self, **kwargs)


def merge_tags(name: str, tags: Optional[dict[str, str]], **extra: str) -> dict[str, str]:
    """The tags every child gets: a Name, the caller's tags, then role-specific ones."""
    merged = {"Name": name}
    merged.update(tags or {})
    merged.update(extra)
    return merged


def on_path(owner: "EgressComponent", tags: Optional[dict[str, str]]) -> dict[str, str]:
    """``tags`` plus the AgentCore-path tag (value: the component's type name), for what ``owner`` creates for a path.

    The policy pack's AgentCore-path rules judge resources that carry it, before they are created.
    """
    return {**(tags or {}), PATH_TAG: owner.TYPE.rsplit(":", 1)[-1]}
