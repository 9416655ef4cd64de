"""Discord test fixtures live in discordworld.py (a unique module name); pytest finds them here."""

from discordworld import core, rulebook, sim, world

__all__ = ["core", "rulebook", "sim", "world"]
