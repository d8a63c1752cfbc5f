"""Load balancer listeners on other ports and protocols than TLS on 443: HTTPS (ALB) or TLS (NLB) on any port, which a target's
URL names; a plain HTTP or TCP listener is built, but refused for a target AgentCore reaches over https."""

import pytest

from agentcore_egress.components import AlbRestBackend, InputValidationError
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.stacks.landing_zone_model import LandingZoneModel
from agentcore_egress.planner.preconditions import precondition_findings
from fake_cloud import deploy
from landing_zones import TGW_EXAMPLE, assert_plans_clean_and_reachable, copy_zone, edit_stack, plan_json, refused_input

RULE = "precondition-listener"
CERTIFICATE = "arn:aws:acm:eu-west-1:222222222222:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def alb(**listener):
    args = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0a", "subnet-0b"], "client_cidrs": ["10.250.0.0/24"],
            "target_cidrs": ["10.20.0.0/24"], "target_ips": ["10.20.0.10"], **listener}
    return deploy(lambda: AlbRestBackend("orders", args))


def test_an_alb_listens_with_https_on_the_port_given_and_admits_its_clients_there():
    deployment = alb(listener_port=8443, certificate_arn=CERTIFICATE)
    listener = deployment.named("orders-listener")
    assert (listener.inputs["port"], listener.inputs["protocol"], listener.inputs["certificateArn"]) == (8443, "HTTPS", CERTIFICATE)
    (rule,) = deployment.named("orders-sg").inputs["ingress"]
    assert (rule["fromPort"], rule["toPort"]) == (8443, 8443)


def test_a_plain_listener_takes_no_certificate():
    listener = alb(listener_protocol="HTTP", listener_port=8080).named("orders-listener")
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (8080, "HTTP") and "certificateArn" not in listener.inputs


@pytest.mark.parametrize("listener, field, words", [
    ({"listener_protocol": "TLS", "certificate_arn": CERTIFICATE}, "listener_protocol", "use one of ['HTTPS', 'HTTP']"),
    ({"listener_protocol": "HTTP", "certificate_arn": CERTIFICATE}, "certificate_arn", "plain HTTP listener"),
    ({}, "certificate_arn", "is required"),
    ({"listener_port": 70000, "certificate_arn": CERTIFICATE}, "listener_port", "not a TCP port"),
])
def test_listeners_aws_or_agentcore_would_refuse_are_refused(listener, field, words):
    with pytest.raises(InputValidationError) as raised:
        alb(**listener)
    assert raised.value.field == field and words in str(raised.value)


def mcp_on(url_port, listener_port):
    """The MCP target of the agentcore stack connects to ``url_port``; tools-mcp's NLB listens on ``listener_port``, and its
    Resource Configuration allows it."""
    def zone_change(zone):
        edit_stack(zone, "tools-mcp", lambda c: (c["load_balancers"][0].update(listener_port=listener_port),
                                                 c["lattice_resources"][0]["configurations"][0].update(ports=[str(url_port)])))
        edit_stack(zone, "agentcore", lambda c: c["targets"][2]["endpoint"].update(mcp_server=f"https://mcp.tools.example.com:{url_port}/mcp"))
    return zone_change


def listener_findings(zone):
    return [f for f in precondition_findings(LandingZoneModel(LandingZone.load(zone))) if f.policy == RULE]


def test_tls_on_another_port_that_the_url_names_plans_clean_and_reachable(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    mcp_on(8443, 8443)(zone)
    assert_plans_clean_and_reachable(capsys, zone)


def test_a_url_port_no_listener_has_is_found_and_the_listener_port_clears_it(tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    mcp_on(8443, 443)(zone)
    (finding,) = listener_findings(zone)
    assert (finding.stack, finding.config_path) == ("agentcore", "targets[2].endpoint.mcp_server")
    assert "connects to port 8443, where load balancer 'mcp-nlb' of stack 'tools-mcp' has no listener" in finding.message
    assert "Fix: name port 443 in the URL, or set listener_port: 8443 on the load balancer" in finding.message
    mcp_on(8443, 8443)(zone)
    assert listener_findings(zone) == []


def test_a_plain_listener_behind_an_https_target_is_refused_with_the_fix(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-payments", lambda c: (c["load_balancers"][0].pop("certificate"), c["load_balancers"][0].update(listener_protocol="HTTP")))
    code, result, err = plan_json(capsys, zone)
    assert code == 1, err
    (finding,) = [f for f in result["cross_stack"] if f["policy"] == RULE]
    assert (finding["level"], finding["stack"], finding["config_path"]) == ("mandatory", "agentcore", "targets[1].endpoint.openapi_server")
    assert "is plain HTTP: AgentCore speaks TLS only. Fix: set listener_protocol: HTTPS" in finding["message"]


@pytest.mark.parametrize("change, words", [
    (lambda balancer: balancer.update(listener_protocol="HTTPS"), "listener_protocol 'HTTPS' is not one an nlb offers. Fix: use one of ['TLS', 'TCP']"),
    (lambda balancer: balancer.update(listener_protocol="TCP"), "gives a certificate to a plain TCP listener. Fix: "),
])
def test_the_stack_file_refuses_a_listener_the_load_balancer_cannot_have(capsys, tmp_path, change, words):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", lambda c: change(c["load_balancers"][0]))
    err = refused_input(capsys, zone)
    assert words in err, err
