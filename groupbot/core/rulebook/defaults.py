"""The default texts and norms a rulebook starts from."""

from __future__ import annotations

DEFAULT_NORMS: tuple[str, ...] = (
    "Introduce yourself in the intro channel before promoting anything.",
    "Keep self-promotion to about one post in ten; sharing other people's good work is welcome.",
    "Ask the owners before sharing a promotion: use /share.",
)

DEFAULT_WELCOME_TEXT = (
    "Hi {name}, welcome to {community}! We're really glad you're here.\n"
    "\n"
    "When you have a minute, say hello in {intro_channel}: who you are, what you work on "
    "and what brought you here. It's the quickest way to meet people.\n"
    "\n"
    "A few things we care about here:\n"
    "{norms}\n"
    "\n"
    "What are you hoping to find or learn here? Reply any time, we'd love to hear."
)

DEFAULT_BATCH_TEXT = (
    "Welcome to {community}, {names}! Great to have you with us.\n"
    "\n"
    "Please say hello in {intro_channel} and tell us a little about yourselves: "
    "what you work on and what brought you here.\n"
    "\n"
    "A few things we care about here:\n"
    "{norms}\n"
    "\n"
    "We're looking forward to getting to know you."
)

DEFAULT_NOTE_TEXT = (
    "Hi {name}, thanks for joining the conversation in {community}! "
    "Just a friendly note.\n"
    "\n"
    "You posted:\n"
    "{quote}\n"
    "\n"
    "{why}\n"
    "\n"
    "{how_to_ask}\n"
    "\n"
    "Thanks for understanding: we want {community} to stay a place where everyone, "
    "you included, enjoys talking. If anything's unclear, just reply here."
)
