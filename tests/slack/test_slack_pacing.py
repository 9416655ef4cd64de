"""Slack's per-channel pace: a short burst at once, then about one post a second."""

from __future__ import annotations

from groupbot.adapters.slack.platform import ChannelPacer


async def test_a_burst_goes_at_once_then_the_channel_waits() -> None:
    pacer = ChannelPacer(rate=1.0, burst=3)
    assert [await pacer.take("T1", "general", within=0) for _ in range(3)] == [True] * 3
    assert await pacer.take("T1", "general", within=0) is False  # no slot free yet
    assert await pacer.take("T1", "general", within=0) is False  # a refusal takes nothing
    assert await pacer.take("T1", "random", within=0) is True  # each channel has its own pace
    assert await pacer.take("T2", "general", within=0) is True  # and each workspace


async def test_a_post_waits_for_the_next_slot_when_it_is_close() -> None:
    pacer = ChannelPacer(rate=1000.0, burst=1)  # a slot every millisecond
    assert await pacer.take("T1", "general", within=0) is True
    assert await pacer.take("T1", "general", within=1.0) is True
