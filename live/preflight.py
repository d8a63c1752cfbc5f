"""Before a rollout: is each account ready for what its stack will deploy? Read-only boto3 checks.

Each check reports pass, fail or skipped, with the reason and the fix:

| check | what it reads |
|---|---|
| credentials | STS GetCallerIdentity through the stack's deploy role: the account is the one the stack names |
| region | EC2 DescribeAvailabilityZones: the region is enabled |
| agentcore-service-linked-role | IAM GetRole of AWSServiceRoleForBedrockAgentCoreGatewayNetwork, else SimulatePrincipalPolicy of iam:CreateServiceLinkedRole |
| ram-organization-sharing | Organizations ListAWSServiceAccessForOrganization: RAM may share inside the organization |
| vpc-capacity | EC2 DescribeVpcs/DescribeSubnets of VPCs that already exist: subnets in distinct AZs with free IPs for the predicted ENIs |
| security-group | EC2 DescribeSecurityGroups of groups referenced by id: they exist and are not a default group |
| certificate | ACM DescribeCertificate of certificates referenced by ARN: AMAZON_ISSUED, ISSUED, not expired |
| public-zone | Route 53 GetHostedZone of DNS-validation zones: they exist and are public |
| existing-drift | what `discover` reads of the `existing` section's resources: the account still matches `existing/<stack>.json` |
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from agentcore_egress.stacks.config_schema import StackConfig, is_security_group_id

from .account_pool import run_bounded
from .aws_accounts import ACCOUNT_BUDGET, AccountSession, describe_error, is_timeout, is_unsupported
from .existing_drift import existing_drift
from agentcore_egress.simulation.footprint import DEFAULT_IPS_PER_ENI
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.stacks.landing_zone_model import LandingZoneModel

GATEWAY_SERVICE_LINKED_ROLE = "AWSServiceRoleForBedrockAgentCoreGatewayNetwork"
AGENTCORE_SERVICE = "bedrock-agentcore.amazonaws.com"
PASS, FAIL, SKIPPED, NO_ACCESS = "pass", "fail", "skipped", "no-access"


@dataclass(frozen=True)
class Check:
    stack: str
    account: str
    region: str
    name: str
    status: str
    reason: str
    fix: str = ""
    subject: str = ""


SessionFactory = Callable[[str, str, Optional[str]], AccountSession]


def _check(stack: str, config: StackConfig, name: str, status: str, reason: str, fix: str = "", subject: str = "") -> Check:
    """A check whose reason carries no fix: the fix an AWS error's description ends with ("… Fix: …") moves to ``fix``,
    ahead of the check's own, so each fix is said once."""
    reason, _, own_fix = reason.partition(" Fix: ")
    fixes = [part for part in (own_fix, fix) if part]
    return Check(stack, config.account.id, config.account.region, name, status, reason, "; ".join(dict.fromkeys(fixes)), subject)


def _error_code(error: BaseException) -> str:
    return error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""


class _StackChecks:
    def __init__(self, name: str, config: StackConfig, session: AccountSession, zone: LandingZone) -> None:
        self.name = name
        self.config = config
        self.session = session
        self.zone = zone
        self.results: list[Check] = []

    def add(self, check: str, status: str, reason: str, fix: str = "", subject: str = "") -> None:
        self.results.append(_check(self.name, self.config, check, status, reason, fix, subject))

    def guarded(self, check: str, subject: str, body: Callable[[], None]) -> None:
        """Run one check; an AWS error becomes its result (access problems are told apart from findings)."""
        try:
            body()
        except (ClientError, BotoCoreError, ResponseParserError) as error:
            if is_timeout(error):
                raise  # the account is out of time: its other checks would only repeat that
            if is_unsupported(error):
                self.add(check, SKIPPED, describe_error(error, self.config.account.id), "run preflight against AWS itself", subject)
                return
            code = _error_code(error)
            status = NO_ACCESS if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "InvalidClientTokenId",
                                           "UnrecognizedClientException", "ExpiredToken") or not code else FAIL
            self.add(check, status, describe_error(error, self.config.account.id), subject=subject)

    def run(self) -> list[Check]:
        try:
            identity = self.session.client("sts").get_caller_identity()
        except (ClientError, BotoCoreError) as error:
            self.add("credentials", NO_ACCESS, describe_error(error, self.config.account.id, "assuming the deploy role"),
                     "check the base credentials and that they may assume account.role_arn")
            return self.results
        if identity["Account"] != self.config.account.id:
            self.add("credentials", FAIL, f"the credentials resolve to account {identity['Account']}, not {self.config.account.id}",
                     "use credentials of, or a role in, the account the stack names")
            return self.results
        self.add("credentials", PASS, f"{identity['Arn']} in account {identity['Account']}")
        self.guarded("region", self.config.account.region, self.region)
        if self.config.targets or self.config.gateway:
            self.guarded("agentcore-service-linked-role", GATEWAY_SERVICE_LINKED_ROLE, lambda: self.service_linked_role(identity["Arn"]))
        if self.shares_with_organization():
            self.guarded("ram-organization-sharing", "ram.amazonaws.com", self.organization_sharing)
        for vpc in self.config.vpcs:
            self.guarded("vpc-capacity", vpc.name, lambda vpc=vpc: self.vpc_capacity(vpc))
        for group in self.referenced_security_groups():
            self.guarded("security-group", group, lambda group=group: self.security_group(group))
        for arn in sorted({b.certificate_arn for b in self.config.load_balancers if b.certificate_arn}):
            self.guarded("certificate", arn, lambda arn=arn: self.certificate(arn))
        for zone_id in sorted({c.public_zone_id for c in self.config.certificates}):
            self.guarded("public-zone", zone_id, lambda zone_id=zone_id: self.public_zone(zone_id))
        if self.config.existing is not None:
            self.guarded("existing-drift", self.name, self.existing_drift)
        return self.results

    def existing_drift(self) -> None:
        for result in existing_drift(self.zone.stacks[self.name], self.session):
            self.add("existing-drift", PASS if result.passed else FAIL, result.reason, result.fix, result.subject)

    def region(self) -> None:
        zones = self.session.client("ec2").describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]}])["AvailabilityZones"]
        if zones:
            self.add("region", PASS, f"{len(zones)} availability zones available", subject=self.config.account.region)
        else:
            self.add("region", FAIL, "no availability zone is available", "enable the region for the account", self.config.account.region)

    def service_linked_role(self, caller_arn: str) -> None:
        iam = self.session.client("iam")
        try:
            iam.get_role(RoleName=GATEWAY_SERVICE_LINKED_ROLE)
            self.add("agentcore-service-linked-role", PASS, "exists", subject=GATEWAY_SERVICE_LINKED_ROLE)
            return
        except ClientError as error:
            if _error_code(error) != "NoSuchEntity":
                raise
        source = _principal_arn(caller_arn)
        evaluation = iam.simulate_principal_policy(
            PolicySourceArn=source,
            ActionNames=["iam:CreateServiceLinkedRole"],
            ContextEntries=[{"ContextKeyName": "iam:AWSServiceName", "ContextKeyValues": [AGENTCORE_SERVICE], "ContextKeyType": "string"}],
        )["EvaluationResults"][0]
        if evaluation["EvalDecision"] == "allowed":
            self.add("agentcore-service-linked-role", PASS, f"does not exist yet; {source} may create it with the first gateway target",
                     subject=GATEWAY_SERVICE_LINKED_ROLE)
        else:
            self.add("agentcore-service-linked-role", FAIL,
                     f"does not exist, and {source} may not create it (iam:CreateServiceLinkedRole is {evaluation['EvalDecision']})",
                     f"allow iam:CreateServiceLinkedRole with iam:AWSServiceName = {AGENTCORE_SERVICE} to the deploy role",
                     GATEWAY_SERVICE_LINKED_ROLE)

    def shares_with_organization(self) -> bool:
        principals = [p for r in self.config.lattice_resources for p in r.share_with]
        if self.config.transit_gateway_hub:
            principals += list(self.config.transit_gateway_hub.share_with)
        return any(p.startswith("arn:") for p in principals)

    def organization_sharing(self) -> None:
        try:
            services = self.session.paginate("organizations", "list_aws_service_access_for_organization", "EnabledServicePrincipals")
        except ClientError as error:
            if _error_code(error) in ("AccessDeniedException", "AccessDenied", "AWSOrganizationsNotInUseException"):
                self.add("ram-organization-sharing", SKIPPED,
                         f"cannot be read from this account ({_error_code(error)}): only the organization's management account can",
                         "run preflight with the management account's credentials, or check `aws ram get-resource-share-invitations` after the share",
                         "ram.amazonaws.com")
                return
            raise
        if any(service["ServicePrincipal"] == "ram.amazonaws.com" for service in services):
            self.add("ram-organization-sharing", PASS, "RAM sharing with AWS Organizations is enabled", subject="ram.amazonaws.com")
        else:
            self.add("ram-organization-sharing", FAIL, "RAM sharing with AWS Organizations is not enabled: shares to the organization or OUs will fail",
                     "run `aws ram enable-sharing-with-aws-organization` in the management account", "ram.amazonaws.com")

    def predicted_ips_per_subnet(self, vpc_name: str) -> int:
        """ENI addresses the plan predicts in each subnet of this stack's VPC ``vpc_name``: one per managed Resource
        Gateway (one per reuse key, as the landing-zone model computes it) plus each self-managed gateway's."""
        managed = len(LandingZoneModel(self.zone).managed_reuse_keys_in((self.name, vpc_name)))
        lattice = sum(r.ipv4_addresses_per_eni or DEFAULT_IPS_PER_ENI for r in self.config.lattice_resources if r.vpc == vpc_name)
        return managed + lattice

    def vpc_capacity(self, vpc) -> None:
        found = self.session.paginate("ec2", "describe_vpcs", "Vpcs", Filters=[
            {"Name": "tag:Name", "Values": [vpc.name]}, {"Name": "cidr-block-association.cidr-block", "Values": [vpc.cidr]}])
        if not found:
            self.add("vpc-capacity", SKIPPED, f"no VPC named {vpc.name} with {vpc.cidr} exists yet: the rollout creates it", subject=vpc.name)
            return
        vpc_id = found[0]["VpcId"]
        subnets = self.session.paginate("ec2", "describe_subnets", "Subnets", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
        wanted = {s.cidr for s in vpc.subnets}
        subnets = [s for s in subnets if s["CidrBlock"] in wanted] or subnets
        zones = {s["AvailabilityZone"] for s in subnets}
        needed = self.predicted_ips_per_subnet(vpc.name)
        short = [f"{s['SubnetId']} ({s['AvailableIpAddressCount']} free)" for s in subnets if s["AvailableIpAddressCount"] < needed]
        if len(zones) < 2:
            self.add("vpc-capacity", FAIL, f"{vpc_id}: its subnets are all in {sorted(zones)}", "add a subnet in a second availability zone", vpc.name)
        elif short:
            self.add("vpc-capacity", FAIL, f"{vpc_id}: {', '.join(short)} cannot hold the {needed} ENI address(es) per subnet the plan predicts",
                     "free addresses or use larger subnets", vpc.name)
        else:
            self.add("vpc-capacity", PASS, f"{vpc_id}: {len(subnets)} subnets in {len(zones)} AZs, each with room for {needed} predicted ENI address(es)",
                     subject=vpc.name)

    def referenced_security_groups(self) -> list[str]:
        return sorted({g for t in self.config.targets if t.managed for g in t.managed.security_groups if is_security_group_id(g)})

    def security_group(self, group_id: str) -> None:
        try:
            groups = self.session.client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
        except ClientError as error:
            if _error_code(error) == "InvalidGroup.NotFound":
                self.add("security-group", FAIL, f"{group_id} does not exist in {self.config.account.id}/{self.config.account.region}",
                         "create it, or name one of this stack's security_groups", group_id)
                return
            raise
        group = groups[0]
        if group["GroupName"] == "default":
            self.add("security-group", FAIL, f"{group_id} is the default security group of {group['VpcId']}",
                     "use a dedicated security group (security_groups in the stack file)", group_id)
        else:
            self.add("security-group", PASS, f"{group_id} ({group['GroupName']}) in {group['VpcId']}", subject=group_id)

    def certificate(self, arn: str) -> None:
        certificate = self.session.client("acm").describe_certificate(CertificateArn=arn)["Certificate"]
        kind, status = certificate.get("Type"), certificate.get("Status")
        expires = certificate.get("NotAfter")
        problems = []
        if kind != "AMAZON_ISSUED":
            problems.append(f"it is {kind}, not AMAZON_ISSUED (AgentCore trusts public CAs only)")
        if status != "ISSUED":
            problems.append(f"its status is {status}")
        if isinstance(expires, datetime) and expires < datetime.now(timezone.utc):
            problems.append(f"it expired on {expires:%Y-%m-%d}")
        if problems:
            self.add("certificate", FAIL, "; ".join(problems), "request an Amazon-issued certificate with DNS validation (certificates: in the stack file)", arn)
        else:
            self.add("certificate", PASS, f"AMAZON_ISSUED, ISSUED{f', valid until {expires:%Y-%m-%d}' if isinstance(expires, datetime) else ''}", subject=arn)

    def public_zone(self, zone_id: str) -> None:
        try:
            zone = self.session.client("route53").get_hosted_zone(Id=zone_id)["HostedZone"]
        except ClientError as error:
            if _error_code(error) == "NoSuchHostedZone":
                self.add("public-zone", FAIL, f"{zone_id} does not exist in account {self.config.account.id}",
                         "give the id of the domain's public hosted zone", zone_id)
                return
            raise
        if zone.get("Config", {}).get("PrivateZone"):
            self.add("public-zone", FAIL, f"{zone_id} ({zone['Name']}) is private: ACM cannot validate through it", "use the public zone of the domain", zone_id)
        else:
            self.add("public-zone", PASS, f"{zone['Name']} is public", subject=zone_id)


def _principal_arn(caller_arn: str) -> str:
    """arn:aws:sts::1:assumed-role/Role/session -> arn:aws:iam::1:role/Role (what IAM simulates)."""
    if ":assumed-role/" in caller_arn:
        prefix, rest = caller_arn.split(":assumed-role/", 1)
        return prefix.replace(":sts:", ":iam:") + ":role/" + rest.split("/", 1)[0]
    return caller_arn


PARALLEL_ACCOUNTS = 8


def run_preflight(zone: LandingZone, sessions: SessionFactory, stacks: Optional[Iterable[str]] = None,
                  parallel: int = PARALLEL_ACCOUNTS, budget: float = ACCOUNT_BUDGET) -> list[Check]:
    """Every stack's checks, ``parallel`` stacks at a time, each within ``budget`` seconds; results in stack order.
    A stack that runs out of time ends with one no-access check naming the timeout."""
    names = list(stacks or zone.order())

    def checks_of(name: str) -> list[Check]:
        config = zone.stacks[name].config
        checks = _StackChecks(name, config, sessions(config.account.id, config.account.region, config.account.role_arn), zone)
        try:
            return checks.run()
        except (BotoCoreError, ClientError) as error:
            if not is_timeout(error):
                raise
            checks.results.append(_timed_out(name, config, error))
            return checks.results

    results: list[Check] = []
    for name, outcome in zip(names, run_bounded([lambda name=name: checks_of(name) for name in names], parallel, budget)):
        if outcome.error is not None and not is_timeout(outcome.error):
            raise outcome.error
        results.extend(outcome.value if outcome.error is None else [_timed_out(name, zone.stacks[name].config, outcome.error)])
    return results


def _timed_out(name: str, config: StackConfig, error: BaseException) -> Check:
    return _check(name, config, "time-budget", NO_ACCESS, describe_error(error, config.account.id))
