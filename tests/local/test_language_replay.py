"""Two communities in one stream, one switched to Spanish: only its texts change."""

from __future__ import annotations

from typing import Any

from replaykit import PITCH_TEXT, cmd, join, only, replay, say


def _story(language: str | None) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        join("O1", 0, name="Olga", roles=["owner"], community="en1"),
        join("O1", 0, name="Olga", roles=["owner"], community="es1"),
    ]
    if language:
        events.append(
            cmd("O1", "config", "set", "community.language", language, minute=1, community="es1")
        )
    for community in ("en1", "es1"):
        events += [
            join("U1", 2, name="Una", community=community),
            say("U1", PITCH_TEXT, 3, community=community, id=f"{community}-pitch"),
        ]
    return events


def _texts(actions: list[dict[str, Any]], community: str) -> list[str]:
    return [
        a["text"]
        for a in actions
        if a["community"] == community
        and a["member"] == "U1"
        and a["action"] in ("welcome", "etiquette_note")
    ]


async def test_a_spanish_community_is_greeted_and_coached_in_spanish() -> None:
    code, before, errors = await replay(_story(None))
    assert code == 0, errors
    code, after, errors = await replay(_story("es"))
    assert code == 0, errors
    [changed] = only(after, "config_changed")
    assert changed["key"] == "community.language" and changed["value"] == "es"
    assert changed["previous"] == "en"
    assert _texts(after, "en1") == _texts(before, "en1")
    welcome, note = _texts(after, "es1")
    assert welcome.startswith("¡Hola, Una! Te damos la bienvenida a es1")
    assert "• Preséntate en el canal de presentaciones antes de promocionar nada." in welcome
    assert note.startswith("Hola, Una, ¡gracias por sumarte a la conversación en es1!")
    assert "Me he fijado en que tu publicación parece una promoción" in note
    assert "como solicitud #" in note or "consúltalo antes con los administradores" in note
    assert _texts(before, "es1")[0].startswith("Hi Una, welcome to es1!")


async def test_an_unknown_language_is_refused_and_nothing_changes() -> None:
    code, actions, errors = await replay(_story("it"))
    assert code == 0, errors
    assert not only(actions, "config_changed")
    [refusal] = only(actions, "command_rejected")
    assert "community.language" in refusal["reason"] and "'es'" in refusal["reason"]
    assert _texts(actions, "es1")[0].startswith("Hi Una, welcome to es1!")


def _commands(community: str, language: str | None) -> list[dict[str, Any]]:
    events = [join("O1", 0, name="Olga", roles=["owner"], community=community)]
    if language:
        events.append(
            cmd(
                "O1", "config", "set", "community.language", language, minute=1, community=community
            )
        )
    return [
        *events,
        join("U1", 2, name="Una", community=community),
        cmd("U1", "share", "general", "my", "meetup", minute=3, community=community),
        cmd("U1", "approve", "1", minute=4, community=community),
        cmd("U1", "frobnicate", minute=5, community=community),
        cmd("O1", "deny", "9", "no", minute=6, community=community),
        cmd("O1", "approve", "1", "see", "you", "there", minute=7, community=community),
        cmd("O1", "approve", "1", minute=8, community=community),
    ]


def _said(actions: list[dict[str, Any]], community: str) -> list[tuple[str, str]]:
    kinds = ("command_reply", "command_rejected", "published", "request_approved")
    return [
        (a["action"], a["text"])
        for a in actions
        if a["community"] == community and a["action"] in kinds
    ]


async def test_replies_and_refusals_follow_the_community_language() -> None:
    events = _commands("en1", None) + _commands("es1", "es")
    events.sort(key=lambda e: e["at"])
    code, actions, errors = await replay(events)
    assert code == 0, errors
    english = _said(actions, "en1")
    code, alone, errors = await replay(_commands("en1", None))
    assert code == 0, errors
    assert english == _said(alone, "en1")
    assert english[1] == ("command_rejected", "Only owners and moderators can approve requests.")
    assert any("Solo los administradores" in text for _, text in _said(actions, "es1"))
    code, actions, errors = await replay(_commands("es1", "es"))
    assert code == 0, errors
    assert _said(actions, "es1") == [
        (
            "command_reply",
            "¡Gracias por preguntar antes! La solicitud #1 ya está en manos de los "
            "administradores; te aviso en cuanto sepa algo.",
        ),
        ("command_rejected", "Solo los administradores y moderadores pueden aprobar solicitudes."),
        (
            "command_rejected",
            "No conozco el comando 'frobnicate'. Prueba con: help, share, withdraw, queue, "
            "approve, deny, stats, shadow, forget, config.",
        ),
        ("command_rejected", "No existe la solicitud #9."),
        (
            "published",
            "Compartido por Una con el visto bueno de los administradores: my meetup",
        ),
        (
            "request_approved",
            "¡Buenas noticias! Los administradores aprobaron la solicitud #1 y la he compartido "
            "por ti en #general. Nota de los administradores: see you there",
        ),
        ("command_reply", "Aprobaste la solicitud #1 de Una: ya está publicada en #general."),
        ("command_rejected", "O1 ya había aprobado la solicitud #1."),
    ]


async def test_help_usage_and_shadow_replies_in_german() -> None:
    c = "de1"
    events = [
        join("O1", 0, name="Olga", roles=["owner"], community=c),
        cmd("O1", "config", "set", "community.language", "de", minute=1, community=c),
        cmd("O1", "help", minute=2, community=c),
        cmd("O1", "shadow", "maybe", minute=3, community=c),
        cmd("O1", "shadow", "on", minute=4, community=c),
        cmd("O1", "withdraw", minute=5, community=c),
    ]
    code, actions, errors = await replay(events)
    assert code == 0, errors
    [help_reply] = only(actions, "command_reply")
    assert help_reply["text"].startswith("groupbot-Befehle:\nhelp — was groupbot für dich tun kann")
    assert len(help_reply["text"].splitlines()) == 11
    assert [r["reason"] for r in only(actions, "command_rejected")] == [
        "So geht's: shadow on|off",
        "So geht's: withdraw ID, z. B. withdraw 3",
    ]
    [shadow] = only(actions, "shadow_mode_changed")
    assert shadow["text"].startswith("Schattenmodus ist an:")
