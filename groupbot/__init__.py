"""groupbot: a community-etiquette bot for Slack and Discord."""
