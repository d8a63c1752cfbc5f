"""The agentcore-egress command-line tool for landing-zone teams."""
