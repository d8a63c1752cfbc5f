"""Acceptance of a Transit Gateway's RAM share invitation (tgw_spokes[].accept_share_invitation): while sharing with AWS
Organizations is off, a spoke of another account than the hub's accepts the hub's share before it attaches (the broken
variants are in test_preconditions.py)."""

from landing_zones import TGW_EXAMPLE, accept_tgw_share_invitations, assert_plans_clean_and_reachable, copy_zone, edit_stack, invitations_only


def test_spokes_that_accept_the_hubs_invitation_plan_clean_and_reachable(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    invitations_only(zone)
    accept_tgw_share_invitations(zone)
    edit_stack(zone, "agentcore", lambda c: c["share_acceptances"][0].update(organization_sharing=False))
    assert_plans_clean_and_reachable(capsys, zone)
