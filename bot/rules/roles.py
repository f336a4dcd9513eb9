"""Roles in a team (domain.md section 1) and what each may do to the roster."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MANAGER = "manager"
    DEPUTY = "deputy"
    LEAD = "lead"
    MEMBER = "member"


# Looked up by a Role or by its value ("lead"): a StrEnum member and its string are the same key.
RANK = {Role.MEMBER: 0, Role.LEAD: 1, Role.DEPUTY: 2, Role.MANAGER: 3}


def is_lead(role: Role | str) -> bool:
    """'Leads' means everyone at lead level or above."""
    return RANK[role] >= RANK[Role.LEAD]


def may_manage(actor: Role | str, target: Role | str | None, new_role: Role | str | None = None) -> bool:
    """Whether `actor` may add, remove or change a member who holds `target` (None: not yet in the team),
    giving them `new_role` (None: the role is not changing).

    Leads and above manage the roster, but never a member ranked above themselves and never to a rank
    above their own: a lead cannot make someone a manager, nor remove the manager.
    """
    if not is_lead(actor):
        return False
    rank = RANK[actor]
    if target is not None and RANK[target] > rank:
        return False
    return new_role is None or RANK[new_role] <= rank
