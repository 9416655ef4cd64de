"""The engine end to end through `replay`: welcomes, rules, the queue, timers, refusals."""

from __future__ import annotations

import pytest
from replaykit import cmd, join, kinds, only, replay, rulebook, say

PITCH = "Check out my new course at bensells.com, 50% off this week only! DM me for the code."
INTRO = "Hi everyone! I'm Ben, a potter from Bristol. Happy to be here and keen to learn."
OWNER = join("olive", 0, name="Olive", roles=["owner"])


async def test_a_newcomer_is_welcomed_by_name() -> None:
    code, actions, _ = await replay([join("ann", 1, name="Ann")])
    assert code == 0
    (welcome,) = only(actions, "welcome")
    assert welcome["member"] == "ann" and "Ann" in welcome["text"]
    assert "#introductions" in welcome["text"]


async def test_promote_before_introduce_notes_holds_and_queues() -> None:
    _, actions, _ = await replay([OWNER, join("ben", 1), say("ben", PITCH, 2, id="m1")])
    assert kinds(actions)[-4:] == [
        "etiquette_note",
        "hold",
        "approval_requested",
        "owners_notified",
    ]
    note = only(actions, "etiquette_note")[0]
    assert note["rule"] == "promote_before_introduce"
    assert note["message"] == "m1" and "bensells.com" in note["text"]
    assert "#1" in note["text"] and "/share" in note["text"]
    request = only(actions, "approval_requested")[0]
    assert request["request"] == 1 and request["member"] == "ben" and request["message"] == "m1"
    assert only(actions, "hold")[0]["message"] == "m1"


async def test_an_introduction_first_means_no_promote_before_introduce() -> None:
    _, actions, _ = await replay(
        [
            join("ben", 1),
            say("ben", INTRO, 2, channel="introductions", id="i1"),
            say("ben", PITCH, 3, id="m1"),
        ]
    )
    assert only(actions, "introduced") == [
        {**only(actions, "introduced")[0], "member": "ben", "message": "i1"}
    ]
    assert all(n["rule"] != "promote_before_introduce" for n in only(actions, "etiquette_note"))
    assert not only(actions, "hold")


async def test_members_from_before_the_bot_are_not_watched() -> None:
    _, actions, _ = await replay([say("old", PITCH, 2)])
    assert not only(actions, "etiquette_note")


async def test_the_90_10_budget() -> None:
    chat = [
        say("old", f"Good morning all, question {i}: how do you price commissions?", i + 1)
        for i in range(9)
    ]
    events = [*chat, say("old", PITCH, 20, id="p1"), say("old", PITCH + " Again!", 21, id="p2")]
    _, actions, _ = await replay(events)
    notes = only(actions, "etiquette_note")
    assert [n["message"] for n in notes] == ["p2"]
    assert notes[0]["rule"] == "self_promo_ratio"
    assert not only(actions, "hold")


async def test_sharing_others_work_in_conversation_spends_no_budget() -> None:
    share = (
        "Great question Sam, this article explains kiln firing schedules really well, "
        "I learned a lot from it: https://ceramicsreview.com/firing"
    )
    events = [say("old", share, i, id=f"s{i}") for i in range(1, 6)]
    _, actions, _ = await replay(events)
    assert not only(actions, "etiquette_note")


@pytest.mark.parametrize(
    ("watched", "expected"),
    [
        (True, ["etiquette_note", "hold", "approval_requested", "owners_notified"]),
        (False, ["etiquette_note"]),
    ],
)
async def test_invites_to_other_groups(watched: bool, expected: list[str]) -> None:
    events = [join("cara", 1)] if watched else []
    if watched:
        events.append(say("cara", INTRO.replace("Ben", "Cara"), 2, channel="introductions"))
    events.append(say("cara", "Come hang out in my server too: https://discord.gg/abc123", 3))
    _, actions, _ = await replay(events)
    tail = [k for k in kinds(actions) if k not in ("welcome", "introduced")]
    assert tail == expected
    assert only(actions, "etiquette_note")[0]["rule"] == "invite_link"


async def test_allow_listed_invites_are_fine() -> None:
    rules = rulebook('[detection]\nallow_invites = ["https://discord.gg/abc123"]\n')
    _, actions, _ = await replay(
        [say("old", "Our sister server: https://discord.gg/abc123", 3)], rules
    )
    assert not only(actions, "etiquette_note")


async def test_link_flood_limits_newcomers_and_everyone() -> None:
    three = "Useful: https://a.com/x https://b.com/y https://c.com/z"
    six = " ".join(f"https://site{i}.com/p" for i in range(6))
    _, actions, _ = await replay(
        [
            join("new", 1),
            say("new", INTRO, 2, channel="introductions"),
            say("new", three, 3, id="n3"),
            say("old", three, 4, id="o3"),
            say("old", six, 5, id="o6"),
        ]
    )
    flood = [n for n in only(actions, "etiquette_note") if "link_flood" in n["rules"]]
    assert [n["message"] for n in flood] == ["n3", "o6"]


async def test_cross_post_blast_holds_copies_after_the_first() -> None:
    text = "Huge news everyone, my pottery studio opens its doors this Saturday at noon!"
    _, actions, _ = await replay(
        [
            say("old", text, 1, channel="general", id="x1"),
            say("old", text, 2, channel="random", id="x2"),
            say("old", text + "!", 3, channel="events", id="x3"),
        ]
    )
    notes = [n for n in only(actions, "etiquette_note") if "cross_post" in n["rules"]]
    assert [n["message"] for n in notes] == ["x3"]
    assert sorted((h["message"], h["channel"]) for h in only(actions, "hold")) == [
        ("x2", "random"),
        ("x3", "events"),
    ]


async def test_cross_post_needs_three_channels_within_the_window() -> None:
    text = "Huge news everyone, my pottery studio opens its doors this Saturday at noon!"
    _, actions, _ = await replay(
        [
            say("old", text, 1, channel="general"),
            say("old", text, 2, channel="random"),
            say("old", text, 30, channel="events"),
        ]
    )
    assert not [n for n in only(actions, "etiquette_note") if "cross_post" in n["rules"]]


async def test_one_merged_note_per_post() -> None:
    text = "Join my group https://t.me/mygroup and https://a.com https://b.com"
    _, actions, _ = await replay([join("new", 1), say("new", text, 2, id="m1")])
    notes = only(actions, "etiquette_note")
    assert len(notes) == 1 and len(notes[0]["rules"]) >= 2
    assert len(only(actions, "approval_requested")) == 1


async def test_owners_and_promotion_channels_are_exempt() -> None:
    _, actions, _ = await replay(
        [
            OWNER,
            say("olive", PITCH, 2),
            join("ben", 3),
            say("ben", PITCH, 4, channel="promotions"),
        ]
    )
    assert not only(actions, "etiquette_note")


async def test_owner_approves_and_the_post_is_published_with_attribution() -> None:
    _, actions, _ = await replay(
        [
            OWNER,
            join("ben", 1, name="Ben"),
            say("ben", PITCH, 2, channel="general"),
            cmd("olive", "approve", "#1", "welcome!", minute=5),
        ]
    )
    (published,) = only(actions, "published")
    assert published["request"] == 1 and published["channel"] == "general"
    assert published["text"].startswith("Shared by Ben with the owners' OK: ")
    assert PITCH in published["text"]
    (told,) = [a for a in only(actions, "command_reply") if a["name"] == "approve"]
    assert told["member"] == "olive" and told["request"] == 1  # the deciding owner, privately
    assert told["text"] == "Approved request #1 from Ben: it is published in #general."


async def test_every_decision_answers_the_one_who_made_it() -> None:
    _, actions, _ = await replay(
        [
            OWNER,
            join("ben", 1, name="Ben"),
            say("ben", PITCH, 2, channel="general"),
            say("ben", PITCH + " again", 3, channel="random"),
            cmd("olive", "deny", "1", "introduce", "yourself", "first", minute=5),
            cmd("ben", "withdraw", "2", minute=6),
        ]
    )
    replies = {a["name"]: a for a in only(actions, "command_reply")}
    assert replies["deny"]["member"] == "olive"
    assert replies["deny"]["text"].startswith("Denied request #1 from Ben;")
    assert replies["withdraw"]["member"] == "ben"
    assert replies["withdraw"]["text"] == "Request #2 is withdrawn."


@pytest.mark.parametrize(
    ("who", "args", "reason"),
    [
        ("ben", ["1"], "Only owners and moderators can approve requests"),
        ("olive", ["99"], "There is no request #99"),
        ("olive", ["one"], "Usage: approve ID"),
        ("olive", [], "Usage: approve ID"),
    ],
)
async def test_approve_refusals(who: str, args: list[str], reason: str) -> None:
    _, actions, _ = await replay(
        [
            OWNER,
            join("ben", 1),
            say("ben", PITCH, 2),
            cmd(who, "approve", *args, minute=5),
        ]
    )
    (rejected,) = only(actions, "command_rejected")
    assert rejected["member"] == who and rejected["name"] == "approve"
    assert rejected["reason"].startswith(reason)
    assert not only(actions, "published")


async def test_a_request_is_decided_once() -> None:
    _, actions, _ = await replay(
        [
            OWNER,
            join("mod", 0, roles=["moderator"]),
            join("ben", 1),
            say("ben", PITCH, 2),
            cmd("olive", "approve", "1", minute=5),
            cmd("mod", "deny", "1", "no thanks", minute=6),
            cmd("olive", "approve", "1", minute=7),
        ]
    )
    assert len(only(actions, "published")) == 1
    assert [r["reason"] for r in only(actions, "command_rejected")] == [
        "Request #1 was already approved by olive.",
    ] * 2


async def test_deny_tells_the_member_and_a_resubmission_is_a_new_request() -> None:
    _, actions, _ = await replay(
        [
            OWNER,
            join("ben", 1),
            say("ben", PITCH, 2),
            cmd("olive", "deny", "1", "please", "introduce", "yourself", "first", minute=5),
            cmd("ben", "share", "promotions", "My course, 50% off this week", minute=9),
        ]
    )
    (denied,) = only(actions, "request_denied")
    assert denied == {
        **denied,
        "request": 1,
        "member": "ben",
        "reason": "please introduce yourself first",
    }
    requests = only(actions, "approval_requested")
    assert [r["request"] for r in requests] == [1, 2]
    assert requests[1]["message"] is None


async def test_deny_needs_a_reason() -> None:
    _, actions, _ = await replay(
        [
            OWNER,
            join("ben", 1),
            say("ben", PITCH, 2),
            cmd("olive", "deny", "1", minute=5),
        ]
    )
    assert only(actions, "command_rejected")[0]["reason"].startswith("Usage: deny ID REASON")
    assert not only(actions, "request_denied")


async def test_share_queues_and_notifies_owners() -> None:
    _, actions, _ = await replay(
        [
            OWNER,
            join("dev", 1),
            cmd("dev", "share", "promotions", "My workshop on Saturday"),
        ]
    )
    assert kinds(actions)[-3:] == ["approval_requested", "owners_notified", "command_reply"]
    assert only(actions, "approval_requested")[0]["message"] is None


async def test_share_without_text_is_refused() -> None:
    _, actions, _ = await replay([join("dev", 1), cmd("dev", "share", "promotions")])
    assert only(actions, "command_rejected")[0]["reason"].startswith("Usage: share")


async def test_reminder_and_expiry_fire_only_when_the_clock_passes_them() -> None:
    base = [OWNER, join("ben", 1), say("ben", PITCH, 2)]
    _, early, _ = await replay([*base, say("ann", "hello all", hours=23)])
    assert not only(early, "owners_reminded") and not only(early, "request_expired")
    _, later, _ = await replay([*base, say("ann", "hello all", hours=80)])
    assert kinds(later)[-3:] == ["owners_reminded", "request_expired", "request_decided"]
    reminded, expired = only(later, "owners_reminded")[0], only(later, "request_expired")[0]
    assert reminded["at"] == "2026-03-03T09:02:00Z" and expired["at"] == "2026-03-05T09:02:00Z"
    assert expired["member"] == "ben"


async def test_a_join_burst_gets_one_batched_channel_welcome() -> None:
    events = [join(f"m{i:02}", 1 + i / 100) for i in range(13)]
    _, actions, _ = await replay(events)
    welcomes = only(actions, "welcome")
    assert len(welcomes) == 13
    assert [w["via"] for w in welcomes] == ["dm"] * 10 + ["channel"] * 3
    batch = welcomes[10:]
    assert len({w["text"] for w in batch}) == 1
    assert all(name in batch[0]["text"] for name in ("M10", "M11", "M12"))


async def test_the_same_event_twice_yields_one_set_of_actions() -> None:
    message = say("ben", PITCH, 2, id="m1")
    _, actions, _ = await replay([join("ben", 1), message, message, join("ben", 1)])
    assert kinds(actions).count("etiquette_note") == 1
    assert kinds(actions).count("welcome") == 1


async def test_shadow_mode_records_and_sends_nothing() -> None:
    _, actions, _ = await replay(
        [join("ben", 1), say("ben", PITCH, 2)], rulebook("shadow_mode = true\n")
    )
    assert kinds(actions) == ["shadow_decision", "shadow_decision"]
    assert actions[1]["rule"] == "promote_before_introduce"
    assert actions[1]["would"] == ["etiquette_note", "hold", "approval_requested"]


async def test_shadow_mode_switched_by_an_owner_only() -> None:
    _, actions, _ = await replay(
        [
            OWNER,
            cmd("ben", "shadow", "on", minute=1),
            cmd("olive", "shadow", "on", minute=2),
            join("new", 3),
            say("new", PITCH, 4),
        ]
    )
    assert only(actions, "command_rejected")[0]["member"] == "ben"
    assert not only(actions, "etiquette_note") and only(actions, "shadow_decision")


async def test_the_third_note_alerts_the_owners() -> None:
    invites = [say("old", f"Join us at https://t.me/group{i}", i + 1) for i in range(3)]
    _, actions, _ = await replay(invites)
    assert len(only(actions, "etiquette_note")) == 3
    (alert,) = only(actions, "owners_alerted")
    assert alert["member"] == "old" and alert["notes"] == 3


async def test_malformed_lines_are_reported_and_skipped() -> None:
    code, actions, errors = await replay(
        [
            join("ann", 1),
            "{broken",
            '{"type": "join"}',
            '"just a string"',
            {
                "type": "message",
                "at": "yesterday",
                "community": "c1",
                "member": "x",
                "channel": "g",
                "text": "hi",
            },
            join("ben", 2),
        ]
    )
    assert code == 1
    assert [e.split(":")[0] for e in errors.splitlines()] == [
        "line 2",
        "line 3",
        "line 4",
        "line 5",
    ]
    assert [w["member"] for w in only(actions, "welcome")] == ["ann", "ben"]


async def test_actions_carry_time_and_community_in_order() -> None:
    _, actions, _ = await replay([OWNER, join("ben", 1), say("ben", PITCH, 2)])
    assert all(a["community"] == "c1" and a["at"].endswith("Z") for a in actions)
    assert [a["at"] for a in actions] == sorted(a["at"] for a in actions)


async def test_queue_lists_pending_requests_for_owners_only() -> None:
    _, actions, _ = await replay(
        [
            OWNER,
            join("ben", 1),
            say("ben", PITCH, 2),
            cmd("olive", "queue", minute=3),
            cmd("ben", "queue", minute=4),
        ]
    )
    (listing,) = only(actions, "queue_listed")
    assert listing["requests"] == [1] and "#1" in listing["text"]
    assert only(actions, "command_rejected")[0]["member"] == "ben"


async def test_unknown_command_is_refused_with_what_to_type() -> None:
    _, actions, _ = await replay([cmd("ann", "frobnicate")])
    assert "Try: help, share" in only(actions, "command_rejected")[0]["reason"]


async def test_a_member_withdraws_their_own_request_only() -> None:
    _, actions, _ = await replay(
        [
            join("ben", 1),
            cmd("ben", "share", "promotions", "My workshop"),
            cmd("ann", "withdraw", "1", minute=3),
            cmd("ben", "withdraw", "#1", minute=4),
        ]
    )
    assert only(actions, "command_rejected")[0]["member"] == "ann"
    assert only(actions, "request_withdrawn")[0]["request"] == 1


async def test_small_caches_still_remember_members_and_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import groupbot.service.members as members
    import groupbot.service.seen as seen

    monkeypatch.setattr(members, "MEMBER_CACHE", 2)
    monkeypatch.setattr(seen, "SEEN_CACHE", 2)
    pitch = say("ben", PITCH, 10, id="m1")
    events = [join("ben", 1), *(join(f"x{i}", 2 + i) for i in range(4)), pitch, pitch]
    _, actions, _ = await replay(events, batch=3)
    notes = only(actions, "etiquette_note")
    assert [n["rule"] for n in notes] == ["promote_before_introduce"]


async def test_an_event_that_fails_loses_nothing_else_in_its_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from groupbot.core.engine import Engine

    evaluate = Engine.evaluate

    def failing(self: Engine, state: object, **kw: object) -> object:
        if kw["text"] == "BOOM":
            raise RuntimeError("engine fault")
        return evaluate(self, state, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Engine, "evaluate", failing)
    events = [
        join("olive", 0, roles=["owner"]),
        join("ben", 1),
        say("ann", "BOOM", 2),
        say("ben", PITCH, 3, id="m1"),
        cmd("olive", "approve", "1", minute=4),
    ]
    code, actions, errors = await replay(events, batch=50)
    assert code == 1 and errors.startswith("line 3: not processed: RuntimeError: engine fault")
    assert only(actions, "etiquette_note")[0]["rule"] == "promote_before_introduce"
    assert only(actions, "published")[0]["request"] == 1


async def test_a_repeated_command_line_is_a_second_decision() -> None:
    approve = cmd("olive", "approve", "1", minute=5)
    _, actions, _ = await replay([OWNER, join("ben", 1), say("ben", PITCH, 2), approve, approve])
    assert len(only(actions, "published")) == 1
    assert only(actions, "command_rejected")[0]["reason"].startswith("Request #1 was already")


async def test_a_message_id_reused_after_the_cache_forgot_it_does_not_break_replay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import groupbot.service.seen as seen

    monkeypatch.setattr(seen, "SEEN_CACHE", 1)
    events = [
        say("old", "hello there", 1, id="m1"),
        say("old", "how are you", 2, id="m2"),
        say("old", "hello again", 3, id="m1"),
        # the 90/10 rule judges a share only after min_posts (10) posts
        *[say("old", f"chatting, part {i}", 3 + i / 10, id=f"c{i}") for i in range(1, 8)],
        say("old", PITCH, 4, id="m3"),
        say("old", PITCH + " Now!", 5, id="m4"),
    ]
    code, actions, errors = await replay(events, batch=50)
    assert code == 0, errors
    assert only(actions, "etiquette_note")[0]["rule"] == "self_promo_ratio"


async def test_a_second_join_while_waiting_for_a_batched_welcome() -> None:
    events = [join(f"m{i:02}", 1 + i / 100) for i in range(11)]
    events.append({**join("m10", 1.2), "event_id": "rejoin"})
    code, actions, errors = await replay(events, batch=50)
    assert code == 0, errors
    assert [w["member"] for w in only(actions, "welcome")][-1] == "m10"


async def test_forgetting_a_member_forgets_their_requests_and_timers() -> None:
    events = [
        OWNER,
        join("ann", 1),
        say("ann", PITCH, 2),
        cmd("olive", "forget", "ann", minute=3),
        join("bob", 4),
        say("bob", PITCH, 5),
        say("x", "later", hours=30),
    ]
    _, actions, _ = await replay(events)
    assert [r["request"] for r in only(actions, "approval_requested")] == [1, 2]
    assert [r["request"] for r in only(actions, "owners_reminded")] == [2]


async def test_a_blast_into_five_channels_gets_one_note_and_one_request() -> None:
    text = "Huge news everyone, my pottery studio opens its doors this Saturday at noon!"
    channels = ["general", "random", "events", "help", "offtopic"]
    events = [say("old", text, n + 1, channel=ch, id=f"x{n}") for n, ch in enumerate(channels)]
    _, actions, _ = await replay(events)
    assert len(only(actions, "etiquette_note")) == 1
    assert [r["request"] for r in only(actions, "approval_requested")] == [1]
    assert sorted(h["message"] for h in only(actions, "hold")) == ["x1", "x2", "x3", "x4"]
    assert {h["request"] for h in only(actions, "hold")} == {1}
    assert not only(actions, "owners_alerted")


async def test_editing_a_noted_post_does_not_note_it_again() -> None:
    invite = "Come hang out in my server too: https://discord.gg/abc123"
    edit = {**say("old", invite + " (fixed typo)", 3, id="m1"), "type": "edit"}
    edit2 = {**say("old", invite + " (fixed again)", 4, id="m1"), "type": "edit"}
    _, actions, _ = await replay([say("old", invite, 2, id="m1"), edit, edit2])
    assert len(only(actions, "etiquette_note")) == 1


async def test_conversation_fields_are_read_and_bad_ones_refused() -> None:
    fine = [
        {**say("ann", "thanks", 1), "reply_to": "m1", "thread": 17, "mentions": ["bob", 42]},
        {**say("ann", "ok", 2), "reply_to": None, "mentions": []},
    ]
    bad = [
        {**say("ann", "x", 3), "reply_to": {"id": "m1"}},
        {**say("ann", "x", 4), "thread": True},
        {**say("ann", "x", 5), "mentions": "bob"},
        {**say("ann", "x", 6), "mentions": [None]},
    ]
    code, _, errors = await replay([join("ann", 0), *fine, *bad])
    assert code == 1
    lines = errors.splitlines()
    assert [e.split(":")[0] for e in lines] == ["line 4", "line 5", "line 6", "line 7"]
    assert "reply_to" in lines[0] and "thread" in lines[1] and "mentions" in lines[2]
