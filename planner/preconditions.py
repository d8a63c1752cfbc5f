"""What AWS requires before a cross-account or cross-region call of the landing zone succeeds.

Each check below states the AWS fact it enforces and the page of AWS's documentation that says
so. A broken precondition is a finding (mandatory by default, see :mod:`agentcore_egress.stacks.findings`) placed on the
stack file that has to change, naming the other stack, the key path and the fix. The checks read
the landing zone's config through :class:`~.landing_zone_model.LandingZoneModel`; the organization
they check shares against is declared once for the landing zone (``agentcore-egress:organization``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from agentcore_egress.components.validation import ORGANIZATION_ARN, OU_ARN, ip_network

from agentcore_egress.stacks.findings import Finding, planner_finding
from agentcore_egress.simulation.footprint import DEFAULT_IPS_PER_ENI
from agentcore_egress.stacks.landing_zone_model import LandingZoneModel, vpc_key

ACM_ARN = re.compile(r"^arn:aws[\w-]*:acm:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):")


def precondition_findings(model: LandingZoneModel) -> list[Finding]:
    return [
        *tgw_attachments(model), *tgw_acceptances(model), *peerings(model), *ram_organization(model),
        *zone_associations(model), *one_private_zone_per_name(model), *certificate_regions(model), *subnet_room(model),
        *security_group_vpcs(model), *tgw_static_routes(model), *security_group_references(model), *target_listeners(model),
        *resource_gateways(model), *tgw_peerings(model),
    ]


def tgw_attachments(model: LandingZoneModel) -> list[Finding]:
    """A VPC attaches only to a Transit Gateway of its own region that its account can see.

    AWS: a transit gateway is a regional router, and another account attaches a VPC to it only after the
    owner shared it with AWS RAM (with the account, its OU or the organization); a cross-account attachment
    then waits in ``pendingAcceptance`` until the owner accepts it, since the hub turns auto-accept off.
    https://docs.aws.amazon.com/vpc/latest/tgw/tgw-transit-gateways.html ,
    https://docs.aws.amazon.com/vpc/latest/tgw/tgw-vpc-attachments.html
    """
    findings = []
    for hub_stack, members in model.hub_members.items():
        hub = model.config(hub_stack)
        for (stack, vpc), path in members:
            account, region = model.account(stack), model.region(stack)
            where = f"{path}.hub_stack"
            if region != hub.account.region:
                findings.append(planner_finding(
                    "precondition-tgw-attachment", stack, where,
                    f"VPC {vpc} (stack {stack}, {region}) attaches to the Transit Gateway of stack '{hub_stack}' in {hub.account.region}: a Transit "
                    f"Gateway only attaches VPCs of its own region. Fix: attach to a hub in {region}, or peer the two hubs"))
                continue
            if account == hub.account.id:
                continue
            shared_with = model.transit_gateway_shared_with(hub_stack, (stack, vpc))
            if shared_with is not None and not model.share_reaches(shared_with, account):
                findings.append(planner_finding(
                    "precondition-tgw-attachment", stack, where,
                    f"the Transit Gateway of stack '{hub_stack}' is shared with {shared_with}, which does not reach "
                    f"account {account} of stack '{stack}': the attachment of VPC {vpc} fails. Fix: " + (
                        f"add '{account}', its OU or the landing zone's organization to transit_gateway_hub.share_with in stack '{hub_stack}'"
                        if hub.transit_gateway_hub else f"share the existing Transit Gateway with '{account}' through RAM in account "
                        f"{hub.account.id}, then run agentcore-egress discover --stack {hub_stack}")))
            if not model.attachment_accepted(hub_stack, (stack, vpc)):
                findings.append(planner_finding(
                    "precondition-tgw-attachment", stack, path,
                    f"the attachment of VPC {vpc} (stack {stack}, account {account}) to the Transit Gateway of stack '{hub_stack}' is never accepted: "
                    f"it stays pendingAcceptance and carries no traffic. Fix: add tgw_acceptances {{spoke: {{stack: {stack}, vpc: {vpc}}}}} "
                    f"to a stack of the hub's account {hub.account.id}"))
    return findings


def tgw_acceptances(model: LandingZoneModel) -> list[Finding]:
    """Only the Transit Gateway's owner accepts, associates and propagates an attachment (into its own route tables:
    segments the hub lacks are refused as bad input when the landing zone loads).

    AWS: AcceptTransitGatewayVpcAttachment, route-table association and propagation are calls of the transit
    gateway owner's account; each attachment is associated with exactly one route table of that gateway.
    https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html
    """
    findings = []
    for name, stack in model.zone.stacks.items():
        for index, acceptance in enumerate(stack.config.tgw_acceptances):
            path = f"tgw_acceptances[{index}]"
            hub_stack = acceptance.hub_stack or name
            spoke = model.config(acceptance.spoke.stack).tgw_spokes
            attached_to = next((s.hub_stack for s in spoke if s.vpc == acceptance.spoke.vpc), hub_stack)
            hub = model.config(hub_stack)
            if attached_to != hub_stack:
                findings.append(planner_finding(
                    "precondition-tgw-attachment", name, f"{path}.hub_stack",
                    f"accepts VPC {acceptance.spoke.vpc} of stack '{acceptance.spoke.stack}' on the hub of stack '{hub_stack}', but that VPC attaches to "
                    f"the hub of stack '{attached_to}'. Fix: set hub_stack: {attached_to}"))
            elif stack.config.account.id != hub.account.id:
                findings.append(planner_finding(
                    "precondition-tgw-attachment", name, path,
                    f"stack '{name}' (account {stack.config.account.id}) accepts an attachment to the Transit Gateway of stack '{hub_stack}' "
                    f"(account {hub.account.id}): only the owner accepts. Fix: move this acceptance to a stack of account {hub.account.id}"))
    return findings


def tgw_static_routes(model: LandingZoneModel) -> list[Finding]:
    """A Transit Gateway route table holds one static route per destination block, wherever the landing zone declares them
    (the hub's blackhole routes, each acceptance's routes to its spoke). The finding lands on the route deployed later.

    AWS: CreateTransitGatewayRoute fails with RouteAlreadyExists for a destination the route table already holds as a static
    route (a static route beside a propagated one of the same block is allowed, and wins).
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTransitGatewayRoute.html ,
    https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html
    """
    findings = []
    for (hub, segment), routes in model.tgw_static_routes.items():
        first: dict[Any, Any] = {}
        # The second route is the one deployed later (rollout order): its stack's change introduces the clash.
        for route in sorted(routes, key=lambda route: model.rollout_position[route.stack]):
            earlier = first.setdefault(ip_network(route.destination), route)
            if earlier is not route:
                findings.append(planner_finding(
                    "precondition-tgw-route", route.stack, route.path,
                    f"a second static route to {route.destination} in the route table of segment '{segment}' (hub stack '{hub}'): "
                    f"{earlier.path} of stack '{earlier.stack}' already routes it, and AWS refuses a route table a second route of one "
                    "destination. Fix: keep one of the two, or make one more specific"))
    return findings


def tgw_peerings(model: LandingZoneModel) -> list[Finding]:
    """A Transit Gateway peering carries traffic once the accepter Transit Gateway's owner accepted it, and each side is placed
    (associated, routed) by the owner of that side's Transit Gateway, in its region.

    AWS: "To activate the peering attachment, the owner of the accepter transit gateway must accept the peering attachment
    request, even if both transit gateways are in the same account. Accept the peering attachment request from the Region that
    the accepter transit gateway is located in"; until then it stays ``pendingAcceptance``. Route table associations and static
    routes are calls of the Transit Gateway's owner, on its own route tables. Peering works within a region and across regions.
    https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering-accept-reject.html ,
    https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html
    """
    findings = []
    for link in model.tgw_peerings.values():
        peer = model.config(link.accepter_hub)
        if link.accepter_side is None:
            findings.append(planner_finding(
                "precondition-tgw-peering", link.requester_hub, link.path,
                f"the peering '{link.name}' to the Transit Gateway of stack '{link.accepter_hub}' is never accepted: it stays pendingAcceptance "
                f"and carries no traffic. Fix: add tgw_peerings {{peering: {{stack: {link.requester_hub}, name: {link.name}}}, hub_stack: "
                f"{link.accepter_hub}, associate_with: <segment>, static_routes: [...]}} to a stack of account {peer.account.id} in {peer.account.region}"))
        for entry, hub in ((link.accepter_side, link.accepter_hub), (link.requester_side, link.requester_hub)):
            if entry is not None:
                findings.extend(_tgw_peering_side_findings(model, entry, hub, link.name))
    return findings


def _tgw_peering_side_findings(model: LandingZoneModel, entry: tuple[str, int], hub: str, name: str) -> list[Finding]:
    """The side at ``entry`` is placed on ``hub`` (the hub of its role), from a stack of that hub's account and region."""
    stack, index = entry
    side, owner = model.tgw_peering_side(entry), model.config(hub)
    role = "requester" if side.requester else "accepter"
    placed_on = side.hub_stack or stack
    if placed_on != hub:
        return [planner_finding(
            "precondition-tgw-peering", stack, f"tgw_peerings[{index}].hub_stack",
            f"places the {role}'s side of the peering '{name}' on the hub of stack '{placed_on}', but the {role}'s Transit Gateway is that of "
            f"stack '{hub}'. Fix: set hub_stack: {hub}" + ("" if side.requester else ", or accepted_in on the requester's side"))]
    if (model.account(stack), model.region(stack)) != (owner.account.id, owner.account.region):
        return [planner_finding(
            "precondition-tgw-peering", stack, f"tgw_peerings[{index}]",
            f"stack '{stack}' ({model.account(stack)}/{model.region(stack)}) places the {role}'s side of the peering '{name}' on the Transit Gateway "
            f"of stack '{hub}' ({owner.account.id}/{owner.account.region}): only its owner, in its region, accepts and routes. Fix: move this "
            f"entry to a stack of account {owner.account.id} in {owner.account.region}")]
    return []


def peerings(model: LandingZoneModel) -> list[Finding]:
    """A peering carries traffic once the accepter VPC's owner accepted it, and DNS options change only on an active peering.

    AWS: the owner of the accepter VPC accepts the request (in the accepter's region for an inter-region peering);
    "The peering connection must be in the active state. You can't enable DNS resolution when you create a
    peering connection." Security group references across a peering work only within one region (checked
    by reachability on the security groups' rules).
    https://docs.aws.amazon.com/vpc/latest/peering/create-vpc-peering-connection.html ,
    https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-dns.html
    """
    findings = []
    for name, stack in model.zone.stacks.items():
        for index, spoke in enumerate(stack.config.peering_spokes):
            path = f"peering_spokes[{index}]"
            requested = (spoke.hub.stack, spoke.hub.vpc)
            accepted = model.peering_acceptances.get((name, spoke.vpc))
            if accepted is None:
                dns = " and turning on DNS resolution (accepted: true) fails on a peering that is not active" if spoke.accepted else ""
                findings.append(planner_finding(
                    "precondition-peering", name, f"{path}.accepted" if spoke.accepted else path,
                    f"the peering of VPC {spoke.vpc} (stack {name}) to VPC {requested[1]} (stack {requested[0]}) is never accepted{dns}. Fix: add "
                    f"peering_acceptances {{spoke: {{stack: {name}, vpc: {spoke.vpc}}}, hub_vpc: …}} to a stack of the hub VPC's account"))
                continue
            acceptor, position = accepted
            hub_vpc = vpc_key(acceptor, model.config(acceptor).peering_acceptances[position].hub_vpc)
            where = f"peering_acceptances[{position}].hub_vpc"
            owner = model.vpcs.get(requested)
            if hub_vpc != requested:
                findings.append(planner_finding(
                    "precondition-peering", acceptor, where,
                    f"accepts the peering of VPC {spoke.vpc} (stack {name}) as if it joined VPC {hub_vpc[1]} (stack {hub_vpc[0]}), but stack '{name}' "
                    f"requests VPC {requested[1]} (stack {requested[0]}). Fix: set hub_vpc to {{stack: {requested[0]}, vpc: {requested[1]}}}"))
            elif owner and (model.account(acceptor), model.region(acceptor)) != (owner.account, owner.region):
                findings.append(planner_finding(
                    "precondition-peering", acceptor, f"peering_acceptances[{position}]",
                    f"stack '{acceptor}' ({model.account(acceptor)}/{model.region(acceptor)}) accepts the peering to VPC {requested[1]}, which stack "
                    f"'{requested[0]}' creates in {owner.account}/{owner.region}: only the accepter VPC's owner, in its region, accepts. "
                    f"Fix: move the acceptance to a stack of {owner.account}/{owner.region}"))
    return findings


def ram_organization(model: LandingZoneModel) -> list[Finding]:
    """A RAM share names only the landing zone's organization and its OUs, and those work only with sharing with AWS Organizations on.

    AWS: "Until you enable sharing within the organization, you can specify only individual AWS accounts";
    the shares here turn external principals off, so an organization or OU of another organization is refused.
    https://docs.aws.amazon.com/ram/latest/APIReference/API_EnableSharingWithAwsOrganization.html ,
    https://docs.aws.amazon.com/ram/latest/userguide/getting-started-sharing.html
    """
    findings = []
    organization = model.zone.organization
    for stack, path, principals in model.shares():
        for position, principal in enumerate(principals):
            if not (ORGANIZATION_ARN.match(principal) or OU_ARN.match(principal)):
                continue
            where = f"{path}[{position}]"
            if organization is None:
                findings.append(planner_finding(
                    "precondition-ram-organization", stack, where,
                    f"shares with {principal}, but the landing zone declares no organization to check it against. Fix: declare "
                    f"agentcore-egress:organization (id, management_account, ram_sharing_enabled) once, in the network hub's stack"))
                continue
            expected = f"arn:aws:organizations::{organization.management_account}:"
            if not _in_organization(principal, organization.management_account, organization.id):
                findings.append(planner_finding(
                    "precondition-ram-organization", stack, where,
                    f"shares with {principal}, outside the landing zone's organization {organization.id} (management account "
                    f"{organization.management_account}): RAM refuses principals of another organization when external principals are off. "
                    f"Fix: use {expected}organization/{organization.id} or one of its OUs"))
            elif not organization.ram_sharing_enabled:
                findings.append(planner_finding(
                    "precondition-ram-organization", stack, where,
                    f"shares with {principal}, but sharing with AWS Organizations is not enabled for organization {organization.id}: RAM accepts "
                    f"only account ids until it is. Fix: run `aws ram enable-sharing-with-aws-organization` in account "
                    f"{organization.management_account}, then set organization.ram_sharing_enabled: true"))
    if organization is not None:
        findings.extend(_invitations_never_accepted(model) if not organization.ram_sharing_enabled else _accepters_without_invitation(model))
        findings.extend(_tgw_share_invitations(model, organization.ram_sharing_enabled))
    return findings


def _tgw_share_invitations(model: LandingZoneModel, sharing_on: bool) -> list[Finding]:
    """A spoke of another account than the hub's attaches only once it can see the Transit Gateway: while sharing with AWS
    Organizations is off, the hub's share reaches it as an invitation its stack must accept (``accept_share_invitation``);
    while it is on, or in the hub's own account, there is no invitation and an accepter fails
    (https://docs.aws.amazon.com/ram/latest/userguide/working-with-shared-invitations.html ,
    https://docs.aws.amazon.com/vpc/latest/tgw/tgw-transit-gateways.html)."""
    findings = []
    for name, stack in model.zone.stacks.items():
        account = stack.config.account.id
        accepting = {spoke.hub_stack for spoke in stack.config.tgw_spokes if spoke.accept_share_invitation}
        for index, spoke in enumerate(stack.config.tgw_spokes):
            hub = model.config(spoke.hub_stack)
            invited = not sharing_on and hub.account.id != account and model.share_reaches(hub.transit_gateway_hub.share_with, account)
            if invited and spoke.hub_stack not in accepting:
                findings.append(planner_finding(
                    "precondition-ram-organization", name, f"tgw_spokes[{index}]",
                    f"the Transit Gateway of stack '{spoke.hub_stack}' reaches account {account} as a RAM invitation (sharing with AWS Organizations "
                    f"is off) that this stack never accepts: the attachment of VPC {spoke.vpc} fails. Fix: set accept_share_invitation: true"))
            elif spoke.accept_share_invitation and not invited:
                why = "the hub is in this account" if hub.account.id == account else "sharing with AWS Organizations is on"
                findings.append(planner_finding(
                    "precondition-ram-organization", name, f"tgw_spokes[{index}].accept_share_invitation",
                    f"accepts an invitation to the Transit Gateway share of stack '{spoke.hub_stack}', but {why}: there is none, and the "
                    "accepter fails. Fix: leave accept_share_invitation out"))
    return findings


def _invitations_never_accepted(model: LandingZoneModel) -> list[Finding]:
    """Without sharing with AWS Organizations, a share to an account is an invitation that account must accept
    (https://docs.aws.amazon.com/ram/latest/userguide/working-with-shared-invitations.html): an acceptance that
    expects none, and a share a target uses that no stack of the target's account accepts, leave it pending."""
    findings = [
        planner_finding(
            "precondition-ram-organization", name, path,
            f"expects RAM sharing with AWS Organizations (no invitation to accept) for the share of '{acceptance.lattice.name}' of stack "
            f"'{acceptance.lattice.stack}', but the landing zone's organization has it off: the invitation is never accepted. "
            "Fix: set organization_sharing: false here, or enable sharing with AWS Organizations")
        for name, path, acceptance, _ in _share_acceptances(model, organization_sharing=True)
    ]
    accepted = {(stack.config.account.id, acceptance.lattice.stack, acceptance.lattice.name)
                for stack in model.zone.stacks.values() for acceptance in stack.config.share_acceptances}
    for name, stack in model.zone.stacks.items():
        account = stack.config.account.id
        for index, target in enumerate(stack.config.targets):
            lattice = target.lattice
            resource = model.item(lattice.stack, "lattice_resources", lattice.resource) if lattice else None
            if (resource and model.account(lattice.stack) != account and model.share_reaches(resource.share_with, account)
                    and (account, lattice.stack, lattice.resource) not in accepted):
                findings.append(planner_finding(
                    "precondition-ram-organization", name, f"targets[{index}].lattice",
                    f"target '{target.name}' uses the share of lattice resource '{lattice.resource}' of stack '{lattice.stack}', which reaches account "
                    f"{account} as an invitation (sharing with AWS Organizations is off) that no stack of that account accepts: the Resource "
                    f"Configuration stays out of reach. Fix: add share_acceptances {{name: {lattice.resource}, lattice: {{stack: {lattice.stack}, "
                    f"name: {lattice.resource}}}, organization_sharing: false}} to this stack"))
    return findings


def _accepters_without_invitation(model: LandingZoneModel) -> list[Finding]:
    """With sharing with AWS Organizations on, a share reaches the organization's accounts without an invitation, so an
    accepter (``organization_sharing: false``) finds none and fails
    (https://docs.aws.amazon.com/ram/latest/userguide/getting-started-sharing.html)."""
    return [
        planner_finding(
            "precondition-ram-organization", name, path,
            f"accepts an invitation for the share of '{acceptance.lattice.name}' of stack '{acceptance.lattice.stack}', but sharing with AWS "
            f"Organizations is on: account {account} of the organization gets the share without an invitation, and "
            "the accepter fails. Fix: set organization_sharing: true (the default)")
        for name, path, acceptance, account in _share_acceptances(model, organization_sharing=False)
    ]


def _share_acceptances(model: LandingZoneModel, organization_sharing: bool) -> list[tuple[str, str, Any, str]]:
    """(stack, key path of its organization_sharing, entry, account) of every share acceptance with that ``organization_sharing``."""
    return [
        (name, f"share_acceptances[{index}].organization_sharing", acceptance, stack.config.account.id)
        for name, stack in model.zone.stacks.items()
        for index, acceptance in enumerate(stack.config.share_acceptances)
        if acceptance.organization_sharing == organization_sharing
    ]


def _in_organization(principal: str, management_account: str, organization_id: str) -> bool:
    """Whether an organization or OU ARN belongs to the organization ``organization_id`` managed by ``management_account``."""
    owned = f"::{management_account}:" in principal
    return owned and (principal.endswith(f":organization/{organization_id}") or f":ou/{organization_id}/" in principal)


def zone_associations(model: LandingZoneModel) -> list[Finding]:
    """Another account's VPC is associated with a private zone only after the zone's owner authorized that VPC, and by the VPC's owner.

    AWS: "Using the account that created the hosted zone, authorize the association of the VPC with the private
    hosted zone … Using the account that created the VPC, associate the VPC with the hosted zone."
    https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-associate-vpcs-different-accounts.html
    """
    findings = []
    for name, stack in model.zone.stacks.items():
        for index, association in enumerate(stack.config.zone_associations):
            owner_stack = association.private_name.stack
            private_name = model.item(owner_stack, "private_names", association.private_name.name)
            vpc = vpc_key(name, association.vpc)
            placed = model.vpcs.get(vpc)
            if private_name is None or placed is None:
                continue
            if placed.account != stack.config.account.id:
                findings.append(planner_finding(
                    "precondition-zone-association", name, f"zone_associations[{index}].vpc",
                    f"stack '{name}' (account {stack.config.account.id}) associates VPC {vpc[1]} of stack '{vpc[0]}' (account {placed.account}): "
                    f"only the VPC's owner can. Fix: move this association to a stack of account {placed.account}"))
            elif placed.account != model.account(owner_stack) and vpc not in {(r.stack, r.vpc) for r in private_name.authorize}:
                findings.append(planner_finding(
                    "precondition-zone-association", name, f"zone_associations[{index}].private_name",
                    f"associates VPC {vpc[1]} (account {placed.account}) with private zone '{private_name.zone}' of stack '{owner_stack}' "
                    f"(account {model.account(owner_stack)}), which never authorizes it. Fix: add {{stack: {vpc[0]}, vpc: {vpc[1]}}} to "
                    f"private_names '{private_name.name}'.authorize in stack '{owner_stack}'"))
    return findings


def one_private_zone_per_name(model: LandingZoneModel) -> list[Finding]:
    """A VPC is associated with at most one private hosted zone of a given name.

    AWS (ConflictingDomainExists): "The VPC that you specified is already associated with another hosted zone
    that has the same name" / "A hosted zone with the specified name already exists and is already associated
    with the Amazon VPC that you specified."
    https://docs.aws.amazon.com/Route53/latest/APIReference/API_AssociateVPCWithHostedZone.html
    """
    findings = []
    seen: dict[tuple[tuple[str, str], str], tuple[str, str]] = {}
    for name, stack in model.zone.stacks.items():
        entries = [(vpc_key(name, p.vpc), p.zone, (name, p.name), f"private_names[{i}].vpc") for i, p in enumerate(stack.config.private_names)]
        for index, association in enumerate(stack.config.zone_associations):
            owner = association.private_name
            private_name = model.item(owner.stack, "private_names", owner.name)
            if private_name:
                entries.append((vpc_key(name, association.vpc), private_name.zone, (owner.stack, owner.name), f"zone_associations[{index}].vpc"))
        for vpc, zone, zone_owner, path in entries:
            first = seen.setdefault((vpc, zone.rstrip(".").lower()), zone_owner)
            if first != zone_owner:
                findings.append(planner_finding(
                    "precondition-zone-association", name, path,
                    f"VPC {vpc[1]} (stack {vpc[0]}) would get a second private zone named '{zone}' (private_names '{zone_owner[1]}' of stack "
                    f"'{zone_owner[0]}', after '{first[1]}' of stack '{first[0]}'): Route 53 refuses it (ConflictingDomainExists). Fix: put the "
                    f"record in the zone the VPC already has, or name the zones differently"))
    return findings


def certificate_regions(model: LandingZoneModel) -> list[Finding]:
    """A load balancer's listener uses an ACM certificate of the load balancer's own account and region.

    AWS: "Certificates in ACM are regional resources. To use a certificate with Elastic Load Balancing for the
    same fully qualified domain name … in more than one AWS region, you must request or import a certificate
    for each region." https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html . ACM has no sharing of
    certificates between accounts: the listener's account looks the ARN up in its own ACM and another account's is
    ``CertificateNotFound`` (CreateListener, https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateListener.html).
    (Certificates the stack requests, ``certificate:``, are created in the stack's account and region.)
    """
    findings = []
    for name, stack in model.zone.stacks.items():
        account, region = stack.config.account.id, stack.config.account.region
        for index, balancer in enumerate(stack.config.load_balancers):
            match = ACM_ARN.match(balancer.certificate_arn or "")
            if match and match.group("region") != region:
                problem = f"is in {region}, its certificate in {match.group('region')}: a listener only takes a certificate of its own region"
            elif match and match.group("account") != account:
                problem = (f"is in account {account}, its certificate in account {match.group('account')}: ACM certificates are not shared "
                           "across accounts, a listener only takes one of its own account")
            else:
                continue
            findings.append(planner_finding(
                "precondition-certificate-region", name, f"load_balancers[{index}].certificate_arn",
                f"load balancer '{balancer.name}' {problem}. Fix: request the certificate in {account}/{region} (certificates:)"))
    return findings


def security_group_vpcs(model: LandingZoneModel) -> list[Finding]:
    """A security group is attached only to network interfaces of its own VPC: a managed target's ENIs and a private
    API's endpoint take groups of the VPC they sit in.

    AWS: "You can assign a security group only to resources created in the same VPC as the security group"
    (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html); another VPC's group is refused
    (InvalidParameter: security groups belong to different networks).
    """
    findings = []
    for name, stack in model.zone.stacks.items():
        groups = {group.name: vpc_key(name, group.vpc) for group in stack.config.security_groups}
        users = [(f"targets[{i}].managed.security_groups", f"target '{t.name}'", t.managed.vpc, t.managed.security_groups)
                 for i, t in enumerate(stack.config.targets) if t.managed]
        users += [(f"private_apis[{i}].security_group", f"private API '{api.name}'", api.vpc, [api.security_group])
                  for i, api in enumerate(stack.config.private_apis)]
        users += [(f"lattice_resources[{i}].security_groups", f"Resource Gateway '{r.name}'", r.vpc, r.security_groups)
                  for i, r in enumerate(stack.config.lattice_resources)]
        for path, user, vpc_ref, names in users:
            vpc = vpc_key(name, vpc_ref)
            for position, group in enumerate(names):
                if group in groups and groups[group] != vpc:
                    where = f"{path}[{position}]" if path.endswith("groups") else path
                    findings.append(planner_finding(
                        "precondition-security-group-vpc", name, where,
                        f"{user} sits in VPC {vpc[1]} (stack {vpc[0]}) but uses security group '{group}' of VPC {groups[group][1]} "
                        f"(stack {groups[group][0]}): a security group attaches only to network interfaces of its own VPC. Fix: use a "
                        f"security_groups entry whose vpc is {vpc[1]}"))
    return findings


def target_listeners(model: LandingZoneModel) -> list[Finding]:
    """A target's URL reaches a TLS listener of the load balancer its host names: one on the URL's port (443 when the URL
    names none), HTTPS on an ALB or TLS on an NLB, since AgentCore Gateway connects to the URL's port and speaks TLS only.

    AWS: a listener checks for connections on its protocol and port (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html ,
    https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-listeners.html); AgentCore Gateway reaches
    MCP and OpenAPI targets over HTTPS (https://docs.aws.amazon.com/bedrock-agentcore/latest/devguide/gateway-target-MCPservers.html).
    """
    findings = []
    for name, stack in model.zone.stacks.items():
        for index, target in enumerate(stack.config.targets):
            key = "mcp_server" if target.endpoint.mcp_server else "openapi_server"
            url = urlparse(getattr(target.endpoint, key) or "")
            backend = model.backend_of(name, target)
            balancer = model.item(backend.stack, backend.kind, backend.name) if backend and backend.kind == "load_balancers" else None
            if balancer is None:
                continue
            port = url.port or 443
            where = f"load balancer '{balancer.name}' of stack '{backend.stack}'"
            if port != balancer.listener_port:
                problem = (f"target '{target.name}' connects to port {port}, where {where} has no listener (it listens on {balancer.listener_port}). "
                           f"Fix: name port {balancer.listener_port} in the URL, or set listener_port: {port} on the load balancer")
            elif balancer.plain:
                tls = "HTTPS" if balancer.kind == "alb" else "TLS"
                problem = (f"target '{target.name}' reaches {where}, whose listener on {port} is plain {balancer.protocol}: AgentCore speaks TLS "
                           f"only. Fix: set listener_protocol: {tls} with a public certificate for {url.hostname}")
            else:
                continue
            findings.append(planner_finding("precondition-listener", name, f"targets[{index}].endpoint.{key}", problem))
    return findings


def resource_gateways(model: LandingZoneModel) -> list[Finding]:
    """A self-managed Resource Gateway's subnets have its IP address family, and the load balancer behind each of its
    configurations admits its ENIs: their subnets' blocks in client_cidrs, or one of its security groups in client_groups.

    AWS: "IPv4: ... the subnets must have IPv4 address ranges; IPv6: the subnets must have IPv6 address ranges; Dualstack:
    both" (Resource gateways, https://docs.aws.amazon.com/vpc/latest/privatelink/resource-gateway.html); the ENIs connect to
    the resource from the Resource Gateway's subnets with its security groups, which the resource's security group must
    admit (https://docs.aws.amazon.com/vpc/latest/privatelink/resource-configuration.html). This landing zone's VPCs are IPv4 only.
    """
    findings = []
    for name, stack in model.zone.stacks.items():
        for index, resource in enumerate(stack.config.lattice_resources):
            placed = model.vpcs.get((name, resource.vpc))
            if placed is None:
                continue
            if resource.ip_address_type != "IPV4":
                findings.append(planner_finding(
                    "precondition-resource-gateway", name, f"lattice_resources[{index}].ip_address_type",
                    f"Resource Gateway '{resource.name}' is {resource.ip_address_type}, but the subnets of VPC {resource.vpc} have IPv4 blocks only "
                    f"(vpcs declare no IPv6 block): AWS refuses its ENIs there. Fix: set ip_address_type: IPV4"))
            blocks = [ip_network(subnet.cidr) for subnet in placed.vpc.subnets]
            endpoints = [(f"configurations[{p}]", c) for p, c in enumerate(resource.configurations)]
            endpoints += [(f"configurations[{p}].children[{q}]", child) for p, c in enumerate(resource.configurations) for q, child in enumerate(c.children)]
            for where, configuration in endpoints:
                backend = model.balancer_named(configuration.domain, (name, resource.vpc))
                declared = model.item(backend.stack, backend.kind, backend.name) if backend else None
                if declared is None:
                    continue
                owner = backend.stack
                admitted = [ip_network(block) for block in declared.client_cidrs]
                by_cidr = all(any(block.subnet_of(allowed) for allowed in admitted) for block in blocks)
                by_group = owner == name and set(declared.client_groups) & set(resource.security_groups)
                if not by_cidr and not by_group:
                    findings.append(planner_finding(
                        "precondition-resource-gateway", name, f"lattice_resources[{index}].{where}",
                        f"configuration '{configuration.name}' leads to load balancer '{declared.name}' of stack '{owner}', which admits "
                        f"{[str(a) for a in admitted] + list(map(str, declared.client_groups))} but not the ENIs of Resource Gateway "
                        f"'{resource.name}' (subnets {[str(b) for b in blocks]}, groups {list(resource.security_groups)}). Fix: add the subnets' "
                        f"blocks to its client_cidrs, or one of the Resource Gateway's security_groups to its client_groups"))
    return findings


def security_group_references(model: LandingZoneModel) -> list[Finding]:
    """A load balancer admits another security group by reference only where AWS matches the reference: the group is of
    the same VPC, of a peered VPC in the same region, or of a VPC attached to the same Transit Gateway with security group
    referencing enabled on it (and never across regions).

    AWS: security group rules may reference groups of a peered VPC in the same region only
    (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html); across a Transit Gateway, inbound rules
    may reference groups of other VPCs attached to it in the same region once security group referencing support is
    enabled on the Transit Gateway (disabled by default) and the attachments (enabled by default), not over a peering attachment
    (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-vpc-attachments.html , "Security group referencing",
    https://aws.amazon.com/blogs/networking-and-content-delivery/introducing-security-group-referencing-for-aws-transit-gateway/).
    Elsewhere the reference matches no traffic at all. Existing groups given by id are not judged.
    """
    findings = []
    for name, stack in model.zone.stacks.items():
        for index, balancer in enumerate(stack.config.load_balancers):
            for position, group in enumerate(balancer.client_groups):
                owner, group_name = (name, group) if isinstance(group, str) else (group.stack, group.name)
                declared = model.item(owner, "security_groups", group_name)
                if declared is None:
                    continue
                problem = _reference_problem(model, (name, balancer.vpc), vpc_key(owner, declared.vpc))
                if problem:
                    findings.append(planner_finding(
                        "precondition-security-group-vpc", name, f"load_balancers[{index}].client_groups[{position}]",
                        f"load balancer '{balancer.name}' admits security group '{group_name}' of stack '{owner}' by reference, but {problem}"))
    return findings


def _reference_problem(model: LandingZoneModel, vpc: tuple[str, str], other: tuple[str, str]) -> str:
    """Why a rule of a group in ``vpc`` that references a group in ``other`` matches nothing ("" when AWS matches it)."""
    if vpc == other:
        return ""
    placed, elsewhere = model.vpcs.get(vpc), model.vpcs.get(other)
    if placed is None or elsewhere is None:
        return ""
    instead = "Fix: admit the clients' subnet blocks in client_cidrs instead"
    if model.accepted_peer(vpc) == other or model.accepted_peer(other) == vpc:
        if placed.region == elsewhere.region:
            return ""
        return (f"VPC {vpc[1]} ({placed.region}) and VPC {other[1]} ({elsewhere.region}) are peered across regions, where AWS matches no "
                f"security group reference. {instead}")
    for hub, members in model.hub_members.items():
        keys = {key for key, _ in members}
        if {vpc, other} <= keys and model.attachment_accepted(hub, vpc) and model.attachment_accepted(hub, other):
            if model.config(hub).transit_gateway_hub.security_group_referencing_support == "enable":
                return ""
            return (f"the Transit Gateway of stack '{hub}' that joins VPC {vpc[1]} and VPC {other[1]} has security group referencing "
                    f"support disabled (AWS's default), so the reference matches nothing. Fix: set transit_gateway_hub."
                    f"security_group_referencing_support: enable in stack '{hub}', or admit the clients' subnet blocks in client_cidrs")
    if model.connected(vpc, other):  # joined only by two peered Transit Gateways
        return (f"VPC {vpc[1]} ({placed.region}) and VPC {other[1]} ({elsewhere.region}) are joined only through a Transit Gateway peering, "
                f"over which AWS matches no security group reference (only between VPCs attached to one Transit Gateway). {instead}")
    return f"no accepted peering or Transit Gateway joins VPC {vpc[1]} (stack {vpc[0]}) to the group's VPC {other[1]} (stack {other[0]}). {instead}"


RESERVED_PER_SUBNET = 5
"""AWS reserves the first four addresses and the last one of every subnet."""


@dataclass(frozen=True)
class AddressTaker:
    """Something the landing zone places in each subnet of a VPC, with the addresses it takes there."""

    what: str
    addresses: int
    fewer: str = ""
    """How to make it take fewer, when it can."""
    largest_prefix: int = 28
    """The smallest subnet it accepts (/28 is the smallest AWS has)."""


def subnet_room(model: LandingZoneModel) -> list[Finding]:
    """Every subnet has room for the addresses the landing zone puts in it, and an ALB's subnets are /27 or larger.

    AWS reserves 5 addresses of each subnet, so a /28 has 11 usable
    (https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html). In each subnet of its VPC: a self-managed
    Resource Gateway's ENI takes ``ipv4_addresses_per_eni`` addresses, 16 by default
    (https://docs.aws.amazon.com/vpc/latest/privatelink/resource-gateway.html#ipv4-address-type-per-eni); a managed one,
    one ENI of one address per distinct gateway; an interface endpoint one ENI
    (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html); a Network Load Balancer one ENI; an
    Application Load Balancer needs a /27 or larger with at least 8 free addresses
    (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer);
    a Transit Gateway attachment one ENI in the subnet it uses in each zone
    (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-vpc-attachments.html). Short of room, the create call fails.
    """
    findings = []
    for name, stack in model.zone.stacks.items():
        attached = {spoke.vpc for spoke in stack.config.tgw_spokes}
        for index, vpc in enumerate(stack.config.vpcs):
            takers = _address_takers(model, name, vpc.name)
            # The attachment takes the first subnet of each zone (TransitGatewaySpoke, PrivateVpc.attachment_subnet_ids).
            first_per_zone = {subnet.zone: subnet.name for subnet in reversed(vpc.subnets)}.values() if vpc.name in attached else ()
            for position, subnet in enumerate(vpc.subnets):
                here = takers + [AddressTaker("the Transit Gateway attachment's ENI", 1)] * (subnet.name in first_per_zone)
                findings.extend(_subnet_findings(name, f"vpcs[{index}].subnets[{position}].cidr", vpc.name, subnet, here))
    return findings


def _address_takers(model: LandingZoneModel, stack: str, vpc: str) -> list[AddressTaker]:
    """What the landing zone places in each subnet of ``stack``'s VPC ``vpc``."""
    config = model.config(stack)
    takers = [AddressTaker(f"the Resource Gateway of lattice_resources[{i}] '{r.name}' (ipv4_addresses_per_eni)",
                           r.ipv4_addresses_per_eni or DEFAULT_IPS_PER_ENI, f"lower lattice_resources[{i}].ipv4_addresses_per_eni")
              for i, r in enumerate(config.lattice_resources) if r.vpc == vpc]
    managed = len(model.managed_reuse_keys_in((stack, vpc)))
    takers += [AddressTaker(f"{managed} managed Resource Gateway(s) of AgentCore", managed)] if managed else []
    takers += [AddressTaker(f"the interface endpoint of private_apis '{api.name}'", 1) for api in config.private_apis if api.vpc == vpc]
    takers += [AddressTaker(f"the ALB '{lb.name}'", 8, largest_prefix=27) if lb.kind == "alb" else AddressTaker(f"the NLB '{lb.name}'", 1)
               for lb in config.load_balancers if lb.vpc == vpc]
    return takers


def _subnet_findings(stack: str, path: str, vpc: str, subnet: Any, takers: list[AddressTaker]) -> list[Finding]:
    network = ip_network(subnet.cidr)
    where = f"subnet {subnet.name} ({network}) of VPC {vpc}"
    too_small = [taker for taker in takers if network.prefixlen > taker.largest_prefix]
    if too_small:
        return [planner_finding("precondition-subnet-room", stack, path,
                                f"{where} holds {too_small[0].what}, which needs a /{too_small[0].largest_prefix} or larger subnet. "
                                f"Fix: give the subnet a /{too_small[0].largest_prefix} or larger block")]
    usable, needed = network.num_addresses - RESERVED_PER_SUBNET, sum(taker.addresses for taker in takers)
    if needed <= usable:
        return []
    fits = next(prefix for prefix in range(network.prefixlen, 0, -1) if 2 ** (32 - prefix) - RESERVED_PER_SUBNET >= needed)
    listed = ", ".join(f"{taker.what}: {taker.addresses}" for taker in takers)
    fewer = "".join(f", or {taker.fewer}" for taker in takers if taker.fewer)
    return [planner_finding(
        "precondition-subnet-room", stack, path,
        f"{where} has {usable} usable addresses (AWS reserves {RESERVED_PER_SUBNET}), and the landing zone places {needed} in it ({listed}). "
        f"Fix: give the subnet a /{fits} or larger block ({2 ** (32 - fits) - RESERVED_PER_SUBNET} usable){fewer}")]
