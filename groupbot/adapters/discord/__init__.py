"""groupbot on Discord: a thin discord.py adapter over the core engine."""

from __future__ import annotations

from .run import run_discord

__all__ = ["run_discord"]
