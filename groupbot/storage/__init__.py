"""Persistence: typed models, community-bound repositories, the outbox and migrations."""
