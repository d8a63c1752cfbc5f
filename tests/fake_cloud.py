"""Test-side names for the offline runner: ``deploy`` a program under the simulated AWS."""

from agentcore_egress.simulation.simulated_aws import SimulatedAws as FakeCloud
from agentcore_egress.simulation.simulated_aws import fake_id
from agentcore_egress.simulation.monitor import Deployment, Registration, RecordingMonitor
from agentcore_egress.simulation.monitor import run_program as deploy

__all__ = ["Deployment", "FakeCloud", "RecordingMonitor", "Registration", "deploy", "fake_id"]
