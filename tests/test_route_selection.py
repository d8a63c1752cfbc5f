"""Transit Gateway route selection as AWS does it, as a table: most specific route first, static over propagated
on equal prefixes, blackhole routes drop, and of two attachments with overlapping blocks only the first attached
is propagated."""

import ipaddress

import pytest

from agentcore_egress.planner.reachability import T, Network
from agentcore_egress.simulation.monitor import Registration

TABLE = "tgw-rtb-1"


def resource(kind, name, id_="", **inputs):
    return Registration(urn=f"urn:pulumi:s::p::{T[kind]}::{name}", type=T[kind], name=name, parent="", provider="", custom=True,
                        inputs=inputs, dependencies=[], property_dependencies={}, id=id_)


def network(vpcs, propagate=(), static=()):
    """``vpcs``: (attachment id, block) in creation order; ``static``: (block, attachment id or None for a blackhole)."""
    registrations = [resource("tgw_route_table", "segment", TABLE)]
    for attachment, block in vpcs:
        registrations.append(resource("vpc", f"vpc-{attachment}", f"vpc-{attachment}", cidrBlock=block))
        registrations.append(resource("attachment", attachment, attachment, vpcId=f"vpc-{attachment}", transitGatewayId="tgw-1"))
    for attachment in propagate:
        registrations.append(resource("tgw_propagation", f"prop-{attachment}", transitGatewayRouteTableId=TABLE, transitGatewayAttachmentId=attachment))
    for index, (block, attachment) in enumerate(static):
        inputs = {"blackhole": True} if attachment is None else {"transitGatewayAttachmentId": attachment}
        registrations.append(resource("tgw_route", f"route-{index}", transitGatewayRouteTableId=TABLE, destinationCidrBlock=block, **inputs))
    return Network(("s", "111111111111", "eu-west-1", r) for r in registrations)


A, B = "tgw-attach-a", "tgw-attach-b"
CASES = [
    # label, vpcs (creation order), propagated, static routes, destination, expected (attachment, kind) or None, expected dropped
    ("propagated route", [(A, "10.20.0.0/16")], [A], [], "10.20.1.0/24", (A, "propagated"), {}),
    ("longest prefix wins over a static /16", [(A, "10.20.0.0/16")], [A], [("10.0.0.0/8", B)], "10.20.1.0/24", (A, "propagated"), {}),
    ("a more specific static route wins", [(A, "10.20.0.0/16")], [A], [("10.20.1.0/24", B)], "10.20.1.0/24", (B, "static"), {}),
    ("outside the more specific static route", [(A, "10.20.0.0/16")], [A], [("10.20.1.0/24", B)], "10.20.2.0/24", (A, "propagated"), {}),
    ("static over propagated on the same prefix", [(A, "10.20.0.0/16")], [A], [("10.20.0.0/16", B)], "10.20.1.0/24", (B, "static"), {}),
    ("same block twice: the first attached keeps it", [(A, "10.20.0.0/16"), (B, "10.20.0.0/16")], [A, B], [], "10.20.1.0/24", (A, "propagated"), {B: A}),
    ("same block twice, other order", [(B, "10.20.0.0/16"), (A, "10.20.0.0/16")], [A, B], [], "10.20.1.0/24", (B, "propagated"), {A: B}),
    ("a later, more specific overlapping block is not propagated", [(A, "10.20.0.0/16"), (B, "10.20.5.0/24")], [A, B], [], "10.20.5.0/24",
     (A, "propagated"), {B: A}),
    ("an earlier, more specific block keeps its route", [(B, "10.20.5.0/24"), (A, "10.20.0.0/16")], [A, B], [], "10.20.5.0/24",
     (B, "propagated"), {A: B}),
    ("overlap counts only among propagations into this table", [(A, "10.20.0.0/16"), (B, "10.20.0.0/16")], [B], [], "10.20.1.0/24",
     (B, "propagated"), {}),
    ("a blackhole route drops its block", [(A, "10.20.0.0/16")], [A], [("10.20.1.0/24", None)], "10.20.1.0/24", (None, "static"), {}),
    ("beside a blackhole, the propagated route still works", [(A, "10.20.0.0/16")], [A], [("10.20.1.0/24", None)], "10.20.2.0/24",
     (A, "propagated"), {}),
    ("no route", [(A, "10.20.0.0/16")], [A], [], "10.30.0.0/24", None, {}),
    ("no propagation", [(A, "10.20.0.0/16")], [], [], "10.20.0.0/24", None, {}),
]


@pytest.mark.parametrize("label, vpcs, propagate, static, destination, expected, dropped", CASES, ids=[case[0] for case in CASES])
def test_tgw_route_selection(label, vpcs, propagate, static, destination, expected, dropped):
    tgw = network(vpcs, propagate, static)
    route = tgw.select_tgw_route(TABLE, ipaddress.ip_network(destination))
    assert (None if route is None else (route.attachment, route.kind)) == expected
    assert tgw.tgw_routes(TABLE)[1] == dropped
