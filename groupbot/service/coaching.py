"""The coach: one merged note per post, holds and their requests, and escalation to owners."""

from __future__ import annotations

from datetime import datetime

from groupbot.core.actions import (
    Action,
    EtiquetteNote,
    Evidence,
    Hold,
    OwnersAlerted,
    Reason,
    ShadowDecision,
)
from groupbot.core.engine import Verdict
from groupbot.core.events import MessageEdited, MessagePosted
from groupbot.core.i18n import say
from groupbot.core.rulebook import Rulebook
from groupbot.core.state import MemberState
from groupbot.core.texts import note_text
from groupbot.service.approvals import ApprovalDesk
from groupbot.service.communities import Communities
from groupbot.service.recorder import Recorder
from groupbot.storage.repositories import CommunityRepositories

__all__ = ["Coach"]

Post = MessagePosted | MessageEdited


class Coach:
    """Turns a verdict's findings into what the member and the owners are told."""

    def __init__(
        self,
        rulebook: Rulebook,
        recorder: Recorder,
        desk: ApprovalDesk,
        communities: Communities,
    ) -> None:
        self.rulebook = rulebook
        self.recorder = recorder
        self.desk = desk
        self.communities = communities

    async def coach(
        self,
        repo: CommunityRepositories,
        ev: Post,
        state: MemberState,
        verdict: Verdict,
        now: datetime,
        out: list[Action],
    ) -> None:
        """Note, hold and escalate as the verdict asks (shadow mode only records it)."""
        c = ev.community
        findings = verdict.findings
        primary = findings[0]
        shadow = self.communities.shadow(c)
        if verdict.continues_blast:
            if verdict.hold and state.blast_request is not None and not shadow:
                self._hold(repo, ev, ev.message, ev.channel, state.blast_request, now, out)
            return
        reasons = tuple(Reason(s.signal, s.evidence, s.detail) for s in verdict.analysis.reasons)
        rules = tuple(f.rule for f in findings)
        evidence = tuple(Evidence(f.rule, f.evidence, f.detail, f.threshold) for f in findings)
        if shadow:
            would = ("etiquette_note", *(("hold", "approval_requested") if verdict.hold else ()))
            decision = ShadowDecision(
                at=now,
                community=c,
                member=ev.member,
                message=ev.message,
                rule=primary.rule,
                rules=rules,
                would=would,
                findings=evidence,
                reasons=reasons,
            )
            self.recorder.emit(repo, decision, out)
            return
        request: int | None = None
        if verdict.hold:
            request = await self.desk.open(
                repo,
                member=state,
                origin="hold",
                channel=ev.channel,
                message=ev.message,
                text=ev.text,
                rule=primary.rule,
                evidence="; ".join(f"{f.rule}: {f.evidence}" for f in findings),
                now=now,
            )
            if "cross_post" in rules:
                state.blast_request = request
        name = state.display_name()
        shown = self.communities.display_name(c)
        text = note_text(self.rulebook, shown, name, ev.text, [f.detail for f in findings], request)
        note = EtiquetteNote(
            at=now,
            community=c,
            member=ev.member,
            message=ev.message,
            rule=primary.rule,
            rules=rules,
            text=text,
            findings=evidence,
            reasons=reasons,
            channel=ev.channel,
        )
        self.recorder.emit(repo, note, out)
        if request is not None:
            for message, channel in (*verdict.also_hold, (ev.message, ev.channel)):
                self._hold(repo, ev, message, channel, request, now, out)
            self.desk.announce(
                repo, request, state, ev.message, ev.channel, ev.text, primary.rule, now, out
            )
        if verdict.escalate:
            self._escalate(repo, ev, state, primary.rule, now, out)

    def _hold(
        self,
        repo: CommunityRepositories,
        ev: Post,
        message: str,
        channel: str,
        request: int,
        now: datetime,
        out: list[Action],
    ) -> None:
        hold = Hold(
            at=now,
            community=ev.community,
            member=ev.member,
            message=message,
            channel=channel,
            request=request,
        )
        self.recorder.emit(repo, hold, out)

    def _escalate(
        self,
        repo: CommunityRepositories,
        ev: Post,
        state: MemberState,
        rule: str,
        now: datetime,
        out: list[Action],
    ) -> None:
        notes = len(state.note_times)
        days = self.rulebook.notes.escalate_window_days
        alert = OwnersAlerted(
            at=now,
            community=ev.community,
            member=ev.member,
            notes=notes,
            window_days=days,
            rule=rule,
            text=say(
                self.rulebook.community.language,
                "notice.escalation",
                name=state.display_name(),
                notes=notes,
                days=days,
                rule=rule,
            ),
        )
        self.recorder.emit(repo, alert, out)
