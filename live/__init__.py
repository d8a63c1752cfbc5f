"""Live accounts: boto3 sessions, preflight and audit, and the rollout through the Pulumi Automation API."""
