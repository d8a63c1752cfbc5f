import json

import pytest

from agentcore_egress.components import (
    AlbRestBackend,
    EksMcpNlbBackend,
    InputValidationError,
    PrivateApiGatewayBackend,
    PrivateDnsName,
    PrivateZoneAssociation,
    PublicCertificate,
    TargetSecurityGroups,
    account_provider,
)
from fake_cloud import deploy

CERT = "arn:aws:acm:eu-west-1:111111111111:certificate/abc"
LISTENER = "aws:lb/listener:Listener"
API = json.dumps({"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {"/x": {"get": {}}}})


def lb_args(**overrides):
    args = {
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-a", "subnet-b"],
        "certificate_arn": CERT,
        "client_cidrs": ["10.20.0.0/24"],
        "target_cidrs": ["10.20.1.0/24"],
        "target_ips": ["10.20.1.10", "10.20.1.11"],
    }
    args.update(overrides)
    return args


def test_private_api_is_private_endpoint_only_and_gives_the_endpoint_specific_url():
    def program():
        api = PrivateApiGatewayBackend(
            "orders",
            {"vpc_id": "vpc-1", "subnet_ids": ["subnet-a", "subnet-b"], "security_group_ids": ["sg-api"], "region": "eu-west-1", "api_definition": API, "stage_name": "v1"},
        )
        return {"url": api.invoke_url, "api": api.rest_api_id, "vpce": api.vpc_endpoint_id}

    d = deploy(program)
    endpoint = d.named("orders-endpoint").inputs
    assert endpoint["serviceName"] == "com.amazonaws.eu-west-1.execute-api"
    assert (endpoint["vpcEndpointType"], endpoint["privateDnsEnabled"], endpoint["securityGroupIds"]) == ("Interface", True, ["sg-api"])
    api = d.named("orders-api").inputs
    assert api["endpointConfiguration"] == {"types": "PRIVATE", "vpcEndpointIds": [d.result["vpce"]]}
    policy = json.loads(d.named("orders-policy").inputs["policy"])
    deny = policy["Statement"][0]
    assert deny["Effect"] == "Deny" and deny["Condition"]["StringNotEquals"]["aws:SourceVpce"] == d.result["vpce"]
    assert d.named("orders-policy").urn in d.named("orders-deployment").dependencies
    assert d.named("orders-stage").inputs["stageName"] == "v1"
    assert d.result["url"] == f"https://{d.result['api']}-{d.result['vpce']}.execute-api.eu-west-1.amazonaws.com/v1"
    assert d.result["vpce"].startswith("vpce-")


def test_private_api_can_reuse_an_existing_endpoint():
    args = {"vpc_id": "vpc-1", "subnet_ids": ["s"], "security_group_ids": ["sg"], "region": "eu-west-1", "api_definition": API, "vpc_endpoint_id": "vpce-shared"}
    d = deploy(lambda: {"url": PrivateApiGatewayBackend("orders", args).invoke_url})
    assert "aws:ec2/vpcEndpoint:VpcEndpoint" not in d.types and "-vpce-shared.execute-api." in d.result["url"]


@pytest.mark.parametrize(
    "kind, lb_type, listener_protocol, target_protocol, port",
    [(EksMcpNlbBackend, "network", "TLS", "TCP", 80), (AlbRestBackend, "application", "HTTPS", "HTTP", 8000)],
)
def test_load_balanced_backends_are_internal_tls13_with_public_certificate(kind, lb_type, listener_protocol, target_protocol, port):
    d = deploy(lambda: {"dns": kind("svc", lb_args()).dns_name})
    balancer = d.named("svc-lb").inputs
    assert balancer["internal"] is True and balancer["loadBalancerType"] == lb_type
    group = d.named("svc-sg")
    assert balancer["securityGroups"] == [group.id]
    assert [(r["fromPort"], r["cidrBlocks"]) for r in group.inputs["ingress"]] == [(443, ["10.20.0.0/24"])]
    assert [(r["fromPort"], r["cidrBlocks"]) for r in group.inputs["egress"]] == [(port, ["10.20.1.0/24"])]
    listener = d.named("svc-listener").inputs
    assert (listener["port"], listener["protocol"], listener["certificateArn"]) == (443, listener_protocol, CERT)
    assert listener["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    targets = d.named("svc-targets").inputs
    assert (targets["port"], targets["protocol"], targets["targetType"]) == (port, target_protocol, "ip")
    assert listener["defaultActions"][0]["targetGroupArn"] == d.named("svc-targets").state["arn"]
    assert sorted(a.inputs["targetId"] for a in d.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment")) == ["10.20.1.10", "10.20.1.11"]
    assert d.result["dns"].startswith("internal-")


def test_existing_target_group_and_own_security_groups():
    args = lb_args(target_ips=None, target_group_arn="arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/ingress/1", security_group_ids=["sg-own"], client_cidrs=None, target_cidrs=None)
    d = deploy(lambda: EksMcpNlbBackend("mcp", args))
    assert "aws:lb/targetGroup:TargetGroup" not in d.types and "aws:ec2/securityGroup:SecurityGroup" not in d.types
    assert d.named("mcp-lb").inputs["securityGroups"] == ["sg-own"]
    assert d.named("mcp-listener").inputs["defaultActions"][0]["targetGroupArn"].endswith("targetgroup/ingress/1")


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"ssl_policy": "ELBSecurityPolicy-2016-08"}, "ssl_policy", "not a TLS 1.3 policy"),
        ({"certificate_arn": "arn:aws:iam::1:server-certificate/self-signed"}, "certificate_arn", "not an ACM certificate"),
        ({"subnet_ids": ["subnet-a"]}, "subnet_ids", "one subnet"),
        ({"client_cidrs": ["0.0.0.0/0"]}, "client_cidrs[0]", "everywhere"),
        ({"client_cidrs": None}, "client_cidrs", "is empty"),
        ({"target_ips": ["10.20.1.999"]}, "target_ips[0]", "not an IP address"),
        ({"target_ips": None, "target_instance_ids": ["web-1"]}, "target_instance_ids[0]", "not an instance id"),
        ({"target_ips": None}, "target_ips | target_instance_ids | target_group_arn", "none of these"),
        ({"target_port": 70000}, "target_port", "not a TCP port"),
        ({"security_group_ids": [f"sg-{i}" for i in range(6)]}, "security_group_ids", "lists 6"),
    ],
)
def test_load_balanced_backends_refuse_bad_input(overrides, field, words):
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: AlbRestBackend("orders", lb_args(**overrides)))
    assert error.value.field == field and words in str(error.value)
    assert "AlbRestBackend 'orders'" in str(error.value)


def test_public_certificate_is_amazon_issued_and_dns_validated_in_the_public_zone():
    def program():
        certificate = PublicCertificate(
            "orders", {"domain_name": "orders.tools.example.com", "subject_alternative_names": ["*.orders.tools.example.com"], "public_zone_id": "ZPUBLIC"}
        )
        return {"arn": certificate.certificate_arn}

    d = deploy(program)
    certificate = d.named("orders-cert").inputs
    assert certificate["validationMethod"] == "DNS"
    assert "certificateAuthorityArn" not in certificate and "privateKey" not in certificate and "certificateBody" not in certificate
    records = d.of_type("aws:route53/record:Record")
    assert len(records) == 1, "a wildcard and its apex share one validation record"
    assert records[0].inputs["zoneId"] == "ZPUBLIC" and records[0].inputs["type"] == "CNAME"
    validation = d.named("orders-validation")
    assert validation.inputs["validationRecordFqdns"] == [records[0].state["fqdn"]]
    assert d.result["arn"] == d.named("orders-cert").state["arn"]


def test_certificate_validation_records_can_live_in_a_dns_account():
    def program():
        dns = account_provider("dns", account_id="444444444444", region="eu-west-1")
        PublicCertificate("orders", {"domain_name": "orders.example.com", "public_zone_id": "ZPUBLIC", "dns_provider": dns})

    d = deploy(program)
    record = d.of_type("aws:route53/record:Record")[0]
    assert record.provider.rsplit("::", 1)[0].endswith("::dns")
    assert not d.named("orders-cert").provider.rsplit("::", 1)[0].endswith("::dns")


def test_private_dns_name_zone_alias_and_cross_account_authorization():
    def program():
        name = PrivateDnsName(
            "orders",
            {
                "zone_name": "tools.example.com",
                "record_name": "orders.tools.example.com",
                "vpc_id": "vpc-1",
                "alias_dns_name": "internal-orders-1.eu-west-1.elb.amazonaws.com",
                "alias_zone_id": "Z32O12XQLNTSW2",
                "authorize_vpcs": [{"name": "agentcore", "vpc_id": "vpc-agent", "vpc_region": "eu-west-1"}],
            },
        )
        PrivateZoneAssociation("agentcore-orders", {"zone_id": name.zone_id, "vpc_id": "vpc-agent"})
        return {"zone": name.zone_id, "fqdn": name.fqdn}

    d = deploy(program)
    zone = d.named("orders-zone").inputs
    assert zone["vpcs"] == [{"vpcId": "vpc-1"}]
    record = d.named("orders-record").inputs
    assert record["type"] == "A" and record["aliases"][0]["name"].startswith("internal-orders")
    authorization = d.named("orders-authorize-agentcore").inputs
    assert (authorization["zoneId"], authorization["vpcId"]) == (d.result["zone"], "vpc-agent")
    assert d.named("agentcore-orders-association").inputs["zoneId"] == d.result["zone"]
    assert d.result["fqdn"] == "orders.tools.example.com"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"record_name": "orders.other.example.com"}, "record_name"),
        ({"zone_name": "Tools Example"}, "zone_name"),
        ({"authorize_vpcs": [{"name": "a", "vpc_id": "vpc-2", "vpc_region": "nowhere"}]}, "authorize_vpcs[0].vpc_region"),
    ],
)
def test_private_dns_name_refuses_bad_input(overrides, field):
    args = {"zone_name": "tools.example.com", "record_name": "orders.tools.example.com", "vpc_id": "v", "alias_dns_name": "d", "alias_zone_id": "z"}
    args.update(overrides)
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: PrivateDnsName("orders", args))
    assert error.value.field == field


@pytest.mark.parametrize("domain", ["-bad.example.com", "*.*.example.com", "example", "orders.example.com/x"])
def test_certificate_refuses_names_that_are_not_dns_names(domain):
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: PublicCertificate("c", {"domain_name": domain, "public_zone_id": "Z"}))
    assert error.value.field == "domain_name"


def test_target_security_groups_admit_only_the_path():
    def program():
        groups = TargetSecurityGroups("path", {"vpc_id": "vpc-1", "eni_cidrs": ["10.0.0.0/24"], "backend_cidrs": ["10.0.1.0/24"], "port": 8443})
        return {"eni": groups.eni_security_group_id, "backend": groups.backend_security_group_id}

    d = deploy(program)
    eni, backend = d.named("path-eni").inputs, d.named("path-backend").inputs
    assert eni.get("ingress", []) == [] and [(r["fromPort"], r["toPort"], r["cidrBlocks"]) for r in eni["egress"]] == [(8443, 8443, ["10.0.1.0/24"])]
    assert backend.get("egress", []) == [] and [(r["fromPort"], r["cidrBlocks"]) for r in backend["ingress"]] == [(8443, ["10.0.0.0/24"])]
    assert d.result["eni"] != d.result["backend"]
    with pytest.raises(InputValidationError):
        deploy(lambda: TargetSecurityGroups("path", {"vpc_id": "v", "eni_cidrs": ["0.0.0.0/0"], "backend_cidrs": ["10.0.1.0/24"]}))


@pytest.mark.parametrize("stage", ["prod", "v1_beta-2"])
def test_private_api_stage_names(stage):
    args = {"vpc_id": "v", "subnet_ids": ["s"], "security_group_ids": ["sg"], "region": "eu-west-1", "api_definition": API, "stage_name": stage}
    assert deploy(lambda: PrivateApiGatewayBackend("orders", args)).named("orders-stage").inputs["stageName"] == stage


@pytest.mark.parametrize("stage", ["", "prød", "a b"])
def test_private_api_refuses_bad_stage_names(stage):
    args = {"vpc_id": "v", "subnet_ids": ["s"], "security_group_ids": ["sg"], "region": "eu-west-1", "api_definition": API, "stage_name": stage}
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: PrivateApiGatewayBackend("orders", args))
    assert error.value.field == "stage_name"
