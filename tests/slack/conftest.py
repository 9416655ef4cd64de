"""Slack test fixtures live in slackharness.py (a unique module name); pytest finds them here."""

from slackharness import app, fake, mod_app

__all__ = ["app", "fake", "mod_app"]
