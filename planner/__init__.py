"""The planner: a landing zone simulated offline, judged by the policy pack and the cross-stack checks."""
