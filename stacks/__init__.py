"""The per-account program: one Pulumi stack per account, configured in ``Pulumi.<stack>.yaml``."""
