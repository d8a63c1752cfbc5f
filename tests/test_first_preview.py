"""The product's first-preview model against a first preview the Pulumi SDK runs itself, on the same programs.

``plan`` (and every other test) judges a stack's first ``pulumi preview`` from one run of its program
under the simulated AWS: values the simulated AWS minted for the stack become unknown
(``simulation/preview.py``, ``PreviewView``). The independent path here runs each program again in
the Pulumi SDK's own preview mode, under mocks that know nothing until they are created (ids and
computed outputs unknown, as a provider plans a create), so the SDK itself decides what is unknown
in each input; its recorded requests go to the real pack over gRPC. Both must reach the same
verdicts: the same rules on the same resources at the same levels, and the same "cannot verify at
preview" notes.
"""

import pytest
from pulumi.runtime import mocks as pulumi_mocks

from agentcore_egress.planner.policy_analyzer import PREVIEW
from fake_cloud import FakeCloud, deploy
from policy_kit import PREVIEW_NOTE, UNKNOWN_STRING
from test_pack_scope import public_rest_api, public_website, tgw_lab
from test_policy_pack import SCENARIOS, fresh_config, pack  # noqa: F401 (the running pack and its reset, as fixtures)


class FirstPreview(pulumi_mocks.Mocks):
    """The first ``pulumi preview`` of a new stack: nothing exists yet, so ids and computed outputs are unknown.

    The provider's planned state of a resource to create is its inputs plus unknowns for every
    computed output; an empty id is what the SDK reads as an unknown id.
    """

    def __init__(self) -> None:
        self.inner = FakeCloud()

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        _, state = self.inner.new_resource(args)
        return "", {key: value if key in args.inputs else UNKNOWN_STRING for key, value in state.items()}

    def call(self, args: pulumi_mocks.MockCallArgs):
        return self.inner.call(args)


PROGRAMS = {
    "public website": public_website,
    "public website reached by a target": lambda: public_website(with_target=True),
    "plaintext listener reached by a target": lambda: public_website(with_target=True, http_redirects=False),
    "public REST API reached by a target": lambda: public_rest_api(with_target=True),
    "TGW lab": tgw_lab,
    "overlapping TGW lab reached by a target": lambda: tgw_lab(with_target=True, overlapping=True),
    **{f"scenario {key}": (lambda key=key: (SCENARIOS[key](), None)[1]) for key in "abcde"},
}


def verdicts(findings):
    """(rule, resource name, level, whether it is a preview note) of each finding: what a user acts on."""
    return sorted({(f.policy, f.urn.rsplit("::", 1)[-1], f.level, f.message.startswith(PREVIEW_NOTE)) for f in findings})


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_the_products_first_preview_reaches_the_verdicts_of_the_sdks_own_preview(fresh_config, name):
    program = PROGRAMS[name]
    simulated = deploy(program)
    product = [f for f in fresh_config.analyze(simulated.registrations, simulated.minted) if PREVIEW in f.phases]
    independent = fresh_config.analyze(deploy(program, mocks=FirstPreview(), preview=True).registrations)
    assert verdicts(product) == verdicts(independent)
