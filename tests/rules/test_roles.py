"""Who may change whom on a roster (domain.md section 1): a table over actor, target and new role."""

from __future__ import annotations

import pytest

from bot.rules.roles import Role, is_lead, may_manage

MANAGER, DEPUTY, LEAD, MEMBER = "manager", "deputy", "lead", "member"
NEWCOMER = None  # the target is not in the team yet
UNCHANGED = None  # the role is not changing (remove, away, back)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (MANAGER, True),
        (DEPUTY, True),
        (LEAD, True),
        (MEMBER, False),
        (Role.MANAGER, True),
        (Role.LEAD, True),
        (Role.MEMBER, False),
    ],
)
def test_leads_are_everyone_at_lead_level_or_above(role, expected):
    assert is_lead(role) is expected


@pytest.mark.parametrize(
    ("actor", "target", "new_role", "allowed"),
    [
        # A member may do nothing to a roster, not even to another member or to themselves.
        (MEMBER, NEWCOMER, MEMBER, False),
        (MEMBER, NEWCOMER, UNCHANGED, False),
        (MEMBER, MEMBER, UNCHANGED, False),
        (MEMBER, MEMBER, LEAD, False),
        (MEMBER, LEAD, UNCHANGED, False),
        # A lead adds members and leads, never a deputy or a manager.
        (LEAD, NEWCOMER, MEMBER, True),
        (LEAD, NEWCOMER, LEAD, True),
        (LEAD, NEWCOMER, DEPUTY, False),
        (LEAD, NEWCOMER, MANAGER, False),
        # A lead removes (or marks away) members and other leads, never a deputy or the manager.
        (LEAD, MEMBER, UNCHANGED, True),
        (LEAD, LEAD, UNCHANGED, True),
        (LEAD, DEPUTY, UNCHANGED, False),
        (LEAD, MANAGER, UNCHANGED, False),
        # A lead promotes up to lead, demotes leads, and cannot touch those above.
        (LEAD, MEMBER, LEAD, True),
        (LEAD, LEAD, MEMBER, True),
        (LEAD, MEMBER, DEPUTY, False),
        (LEAD, MEMBER, MANAGER, False),
        (LEAD, MANAGER, MEMBER, False),
        (LEAD, DEPUTY, LEAD, False),
        # A deputy: up to deputy, not the manager.
        (DEPUTY, NEWCOMER, DEPUTY, True),
        (DEPUTY, NEWCOMER, MANAGER, False),
        (DEPUTY, DEPUTY, UNCHANGED, True),
        (DEPUTY, MANAGER, UNCHANGED, False),
        (DEPUTY, LEAD, DEPUTY, True),
        (DEPUTY, MEMBER, MANAGER, False),
        # A manager can do all of it.
        (MANAGER, NEWCOMER, MANAGER, True),
        (MANAGER, NEWCOMER, DEPUTY, True),
        (MANAGER, NEWCOMER, MEMBER, True),
        (MANAGER, MANAGER, UNCHANGED, True),
        (MANAGER, DEPUTY, UNCHANGED, True),
        (MANAGER, LEAD, MEMBER, True),
        (MANAGER, MEMBER, MANAGER, True),
        (MANAGER, DEPUTY, MANAGER, True),
    ],
)
def test_may_manage(actor, target, new_role, allowed):
    assert may_manage(actor, target, new_role) is allowed


def test_may_manage_accepts_role_values_and_enum_members_alike():
    assert may_manage(Role.LEAD, Role.MEMBER, Role.LEAD) is may_manage("lead", "member", "lead") is True
    assert may_manage(Role.LEAD, None, Role.MANAGER) is may_manage("lead", None, "manager") is False
