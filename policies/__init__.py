"""The agentcore-egress CrossGuard policy pack (rules in ``rules/``, assembled in ``__main__.py``).

Installed, the rules are ``agentcore_egress.policies.rules.RULES``. Run as a pack
(``python __main__.py`` in this folder, as the Pulumi engine does), the folder
loads itself under a private package name and needs only its ``requirements.txt``:
every import inside it is relative, so it works wherever the folder is unpacked.
"""
