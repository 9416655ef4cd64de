"""Who holds owner rights: the one predicate every check (commands, exemptions, views) uses."""

from __future__ import annotations

import functools

from groupbot.core.rulebook import Rulebook

__all__ = ["OWNER_ROLES", "is_owner", "role_names"]

# Platform roles that carry owner rights (Slack owners and admins, Discord Manage Server).
OWNER_ROLES = frozenset({"owner", "moderator", "admin"})


def is_owner(rulebook: Rulebook, member: str, roles: frozenset[str]) -> bool:
    """Owners, moderators and admins, and the members and roles the rulebook names."""
    owners = rulebook.owners
    return bool(
        roles & OWNER_ROLES or owners.names_owner(member, roles) or owners.names_moderator(member)
    )


@functools.lru_cache(maxsize=4096)
def role_names(roles: frozenset[str]) -> frozenset[str]:
    """A platform's role names as the checks compare them (lower case), one set per value:
    members with the same roles share it (most have none)."""
    return frozenset(r.lower() for r in roles)
