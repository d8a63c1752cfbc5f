import json

import pytest

from agentcore_egress.components import InputValidationError, account_provider
from fake_cloud import deploy


def test_provider_assumes_the_role_pins_the_account_and_tags_everything():
    def program():
        account_provider(
            "payments",
            account_id="222222222222",
            region="eu-central-1",
            role_arn="arn:aws:iam::222222222222:role/landing-zone/deploy",
            default_tags={"owner": "platform"},
        )

    provider = deploy(program).named("payments")
    assert provider.type == "pulumi:providers:aws"
    assert provider.inputs["region"] == "eu-central-1"
    assert json.loads(provider.inputs["allowedAccountIds"]) == ["222222222222"]
    role = json.loads(provider.inputs["assumeRoles"])[0]
    assert role["roleArn"] == "arn:aws:iam::222222222222:role/landing-zone/deploy"
    assert role["sessionName"] == "agentcore-egress"
    assert json.loads(provider.inputs["defaultTags"]) == {"tags": {"owner": "platform"}}


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"account_id": "22222222222", "region": "eu-west-1"}, "account_id"),
        ({"account_id": "222222222222", "region": "eu-west"}, "region"),
        ({"account_id": "222222222222", "region": "eu-west-1", "role_arn": "deploy"}, "role_arn"),
        ({"account_id": "222222222222", "region": "eu-west-1", "role_arn": "arn:aws:iam::333333333333:role/deploy"}, "role_arn"),
    ],
)
def test_bad_account_settings_are_refused(kwargs, field):
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: account_provider("payments", **kwargs))
    assert error.value.field == field and "account_provider 'payments'" in str(error.value)
