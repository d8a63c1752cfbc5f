"""Pulumi programs run under mocks with a simulated AWS: the planner runs stacks with it, the tests run components with it."""
