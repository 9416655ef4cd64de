"""Small exports written the way Slack and DiscordChatExporter lay them out, for the tests."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import orjson

PROMO = "Check out my new course at https://learnfast.example/course - 50% off, sign up today!"
INTRO = "Hi everyone! I'm Ann, a product designer from Lisbon. Happy to be here."

USERS: list[dict[str, Any]] = [
    {"id": "U1", "team_id": "T1", "name": "olivia", "is_owner": True,
     "profile": {"display_name": "Olivia", "real_name": "Olivia Owner"}},
    {"id": "U2", "team_id": "T1", "name": "ann", "profile": {"display_name": "Ann"}},
    {"id": "U3", "team_id": "T1", "name": "bob", "profile": {"real_name": "Bob"}},
    {"id": "U4", "team_id": "T1", "name": "carla", "profile": {"display_name": "Carla"}},
    {"id": "U5", "team_id": "T1", "name": "dev", "profile": {"display_name": "Dev"}},
    {"id": "U6", "team_id": "T1", "name": "erin", "is_admin": True, "profile": {}},
    {"id": "B1", "team_id": "T1", "name": "deploybot", "is_bot": True, "profile": {}},
    {"id": "USLACKBOT", "team_id": "T1", "name": "slackbot", "profile": {}},
]  # fmt: skip


def ts(day: int, second: int) -> str:
    """A Slack ts on 2024-01-<day> at <second> seconds past 09:00 UTC."""
    base = 1704099600 + (day - 1) * 86400  # 2024-01-01T09:00:00Z
    return f"{base + second}.{second:06d}"


def msg(user: str, day: int, second: int, text: str, **extra: Any) -> dict[str, Any]:
    """One Slack message."""
    return {"type": "message", "user": user, "text": text, "ts": ts(day, second), **extra}


def slack_days() -> dict[str, list[dict[str, Any]]]:
    """Day files by path: joins, threads, edits, deletions, bots, system messages, owners."""
    promo = msg("U2", 2, 60, PROMO)
    thread_parent = msg("U3", 2, 30, "Anyone going to the meetup?", thread_ts=ts(2, 30))
    return {
        "general/2024-01-01.json": [
            msg("U3", 1, 0, "Morning all, release notes are up."),  # there before: no join
            msg("U1", 1, 5, "set the channel purpose", subtype="channel_purpose"),
            msg("U1", 1, 10, "Welcome to the community, folks."),
        ],
        "general/2024-01-02.json": [
            msg("U2", 2, 0, "<@U2> has joined the channel", subtype="channel_join"),
            thread_parent,
            promo,
            msg("U2", 2, 90, "Me too!", thread_ts=ts(2, 30), parent_user_id="U3"),
            {
                "type": "message",
                "subtype": "bot_message",
                "bot_id": "B9",
                "text": PROMO,
                "ts": ts(2, 100),
            },
            msg("B1", 2, 110, PROMO),
            msg("USLACKBOT", 2, 120, PROMO),
            msg("U3", 2, 130, "<@U3> has joined the channel", subtype="channel_join"),
        ],
        "introductions/2024-01-03.json": [
            msg("U2", 3, 0, "<@U2> has joined the channel", subtype="channel_join"),
            msg("U2", 3, 10, INTRO),
        ],
        "random/2024-01-03.json": [
            msg("U4", 3, 20, "<@U4> has joined the channel", subtype="channel_join"),
            msg("U4", 3, 30, "hello!"),
            {
                "type": "message",
                "subtype": "message_changed",
                "ts": ts(3, 40),
                "hidden": True,
                "message": {"type": "message", "user": "U4", "text": PROMO, "ts": ts(3, 30)},
            },
            {
                "type": "message",
                "subtype": "message_deleted",
                "ts": ts(3, 50),
                "hidden": True,
                "deleted_ts": ts(3, 30),
                "previous_message": {"user": "U4", "ts": ts(3, 30)},
            },
            msg("U6", 3, 60, "Admin here, checking in."),
        ],
        "secret/2024-01-02.json": [
            msg("U5", 2, 10, "<@U5> has joined the channel", subtype="group_join"),
            msg("U5", 2, 20, PROMO),
        ],
    }


DAMAGED = "general/2024-01-04.json"
DAMAGED_BYTES = b'[{"type": "message", "user": "U3", "text": "cut off'


def slack_files() -> dict[str, bytes]:
    """Every file of the export, by path."""
    files = {
        "users.json": orjson.dumps(USERS),
        "channels.json": orjson.dumps(
            [
                {"id": f"C{i}", "name": n}
                for i, n in enumerate(["general", "introductions", "random"])
            ]
        ),
        "groups.json": orjson.dumps([{"id": "G1", "name": "secret"}]),
        "integration_logs.json": b"[]",
        DAMAGED: DAMAGED_BYTES,
        "general/2024-01-05.json": orjson.dumps([msg("U3", 5, 0, "still here after the damage")]),
    }
    files.update({path: orjson.dumps(day) for path, day in slack_days().items()})
    return files


def write_slack_folder(root: Path) -> Path:
    """The export unzipped under `root`."""
    for name, data in slack_files().items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def write_slack_zip(path: Path) -> Path:
    """The export as the ZIP Slack hands out."""
    with zipfile.ZipFile(path, "w") as z:
        for name, data in slack_files().items():
            z.writestr(name, data)
    return path


def author(uid: str, name: str, roles: tuple[str, ...] = (), bot: bool = False) -> dict[str, Any]:
    """A DiscordChatExporter author."""
    return {
        "id": uid, "name": name, "discriminator": "0000", "nickname": name, "color": None,
        "isBot": bot, "roles": [{"id": f"r{i}", "name": r, "color": None, "position": i}
                                for i, r in enumerate(roles)], "avatarUrl": "",
    }  # fmt: skip


def dmsg(mid: str, kind: str, at: str, who: dict[str, Any], content: str = "", **extra: Any) -> Any:
    """A DiscordChatExporter message."""
    return {
        "id": mid, "type": kind, "timestamp": at, "timestampEdited": None,
        "callEndedTimestamp": None, "isPinned": False, "content": content, "author": who,
        "attachments": [], "embeds": [], "stickers": [], "reactions": [], "mentions": [],
        **extra,
    }  # fmt: skip


def discord_channel(name: str, cid: str, messages: list[Any]) -> bytes:
    """One channel's export file, pretty-printed as DiscordChatExporter writes it."""
    return orjson.dumps(
        {
            "guild": {"id": "G42", "name": "Makers Guild", "iconUrl": ""},
            "channel": {
                "id": cid,
                "type": "GuildTextChat",
                "categoryId": "K1",
                "category": "Text",
                "name": name,
                "topic": None,
            },
            "dateRange": {"after": None, "before": None},
            "exportedAt": "2024-02-01T00:00:00+00:00",
            "messages": messages,
            "messageCount": len(messages),
        },
        option=orjson.OPT_INDENT_2,
    )


def write_discord(root: Path) -> Path:
    """A folder of channel files: joins, replies, bots, system messages, owners by role."""
    mod = author("100", "Mo", ("Moderators",))
    ann = author("200", "Ann")
    bob = author("300", "Bob")
    dee = author("400", "Dee")
    bot = author("900", "Helper", bot=True)
    general = [
        dmsg("1", "Default", "2024-01-01T09:00:00+00:00", bob, "hey all"),
        dmsg("2", "GuildMemberJoin", "2024-01-02T09:00:00+00:00", ann),
        dmsg("3", "Default", "2024-01-02T09:01:00+00:00", ann, PROMO),
        dmsg("4", "Reply", "2024-01-02T09:02:00+00:00", bob, "nice", reference={
            "messageId": "3", "channelId": "C1", "guildId": "G42"},
            mentions=[{"id": "200", "name": "Ann"}, {"id": "200", "name": "Ann"}]),
        dmsg("5", "Default", "2024-01-02T09:03:00+00:00", bot, PROMO),
        dmsg("6", "ChannelPinnedMessage", "2024-01-02T09:04:00+00:00", mod, "pinned"),
        dmsg("7", "GuildMemberJoin", "2024-01-02T09:05:00+00:00", bob),  # posted before: no join
        dmsg("8", "Default", "2024-01-02T10:00:00+00:00", mod, "Mods here."),
    ]  # fmt: skip
    intros = [
        dmsg("20", "GuildMemberJoin", "2024-01-03T09:00:00+00:00", dee),
        dmsg("21", "Default", "2024-01-03T09:01:00+00:00", ann, INTRO),
        dmsg("22", "Default", "2024-01-03T09:02:00+00:00", mod, PROMO),  # owner: never coached
    ]
    root.mkdir(parents=True, exist_ok=True)
    (root / "Makers Guild - Text - general [C1].json").write_bytes(
        discord_channel("general", "C1", general)
    )
    (root / "Makers Guild - Text - introductions [C2].json").write_bytes(
        discord_channel("introductions", "C2", intros)
    )
    broken = discord_channel("random", "C3", [dmsg("30", "Default", "2024-01-02T11:00:00+00:00",
                                                   bob, "first words")] * 3)  # fmt: skip
    (root / "Makers Guild - Text - random [C3].json").write_bytes(broken[: len(broken) * 2 // 3])
    return root
