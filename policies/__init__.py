"""The agentcore-egress CrossGuard policy pack (rules in ``rules/``, assembled in ``__main__.py``)."""
