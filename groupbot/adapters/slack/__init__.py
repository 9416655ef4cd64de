"""The Slack adapter: Bolt in front, the engine behind, the outbox delivering through Slack."""

from __future__ import annotations

from groupbot.adapters.slack.run import run_slack

__all__ = ["run_slack"]
