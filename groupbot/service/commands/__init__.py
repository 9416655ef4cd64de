"""Owner and member commands, dispatched by name; rights are checked on the server side."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from groupbot.core.actions import Action
from groupbot.core.events import CommandIssued
from groupbot.service.commands.answers import Answers
from groupbot.service.commands.community import COMMANDS, CommunityCommands
from groupbot.service.commands.config import ConfigCommands
from groupbot.service.commands.requests import RequestCommands
from groupbot.storage.repositories import CommunityRepositories

__all__ = ["COMMANDS", "CommandHandler"]

Handler = Callable[[CommunityRepositories, CommandIssued, datetime, list[Action]], Awaitable[None]]


class CommandHandler:
    """Runs one command on behalf of a member; unknown names are refused with the list."""

    def __init__(
        self,
        answers: Answers,
        requests: RequestCommands,
        community: CommunityCommands,
        config: ConfigCommands,
    ) -> None:
        self.answers = answers
        self._handlers: dict[str, Handler] = {
            "help": community.help,
            "share": requests.share,
            "withdraw": requests.withdraw,
            "queue": requests.queue,
            "approve": requests.approve,
            "deny": requests.deny,
            "stats": community.stats,
            "shadow": community.shadow,
            "forget": community.forget,
            "config": config.config,
        }

    async def run(
        self, repo: CommunityRepositories, ev: CommandIssued, now: datetime
    ) -> list[Action]:
        """Dispatch one command; refusals become command_rejected actions."""
        out: list[Action] = []
        name = ev.name.strip().lower().removeprefix("/")
        handler = self._handlers.get(name)
        if handler is None:
            reason = self.answers.say(
                "refusal.unknown_command", name=repr(ev.name), commands=", ".join(COMMANDS)
            )
            self.answers.reject(repo, ev, now, out, reason)
            return out
        await handler(repo, ev, now, out)
        return out
