"""Community history from platform exports (Slack, Discord, JSON Lines) as a time-ordered stream."""
