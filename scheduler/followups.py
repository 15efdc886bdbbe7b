"""Craving follow-ups ("did it pass?") and the weekly summary each client gets on Sunday evening."""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from data.content import Content
from data.models import CheckIn, ClientProfile, Craving, Person, SupportContact
from handlers import digest, pictures, recovery
from handlers.delivery import enqueue
from handlers.escalation import partners_for
from handlers.flows.alerts import FOLLOWUP_OUTCOMES, FOLLOWUP_PREFIX
from handlers.types import Option, Outbound, Runtime
from handlers.when import in_quiet_hours, next_digest_at, next_summary_at

BATCH = 500
# A follow-up read this long after the craving says "earlier" instead of a count of minutes; one read
# later than the drop limit (the service was down, or quiet hours held it overnight) is not sent.
FOLLOWUP_EXACT_UNTIL = timedelta(hours=2)
FOLLOWUP_DROP_AFTER = timedelta(hours=12)


def _claim(session: Session, stmt):
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.exec(stmt))


def _paused(profile: ClientProfile | None, person: Person, now: datetime) -> bool:
    if profile is None or profile.paused_until is None:
        return False
    return now.astimezone(ZoneInfo(person.timezone)).date() < profile.paused_until


def send_followups(rt: Runtime, now: datetime, *, batch: int = BATCH) -> int:
    """Ask about cravings logged a while ago whose outcome nobody has told us yet."""
    sent = 0
    with Session(rt.db, expire_on_commit=False) as session:
        due = _claim(session, select(Craving).where(
            col(Craving.followup_due_at) <= now, col(Craving.outcome).is_(None),
            col(Craving.followup_outcome).is_(None)).order_by(col(Craving.followup_due_at)).limit(batch))
        for row in due:
            person = session.get(Person, row.client_id)
            profile = session.get(ClientProfile, row.client_id)
            steps = rt.ladder.craving_followups
            row.followups_sent += 1
            row.followup_due_at = (row.logged_at + steps[row.followups_sent]
                                   if row.followups_sent < len(steps) else None)
            if person is None or _paused(profile, person, now):
                continue
            quiet = in_quiet_hours(now, ZoneInfo(person.timezone), profile.quiet_start, profile.quiet_end) \
                if profile else None
            age = (quiet or now) - row.logged_at  # as the person will read it
            if age > FOLLOWUP_DROP_AFTER:
                continue  # "how is it now?" about last night's craving helps nobody
            minutes = int(age.total_seconds() // 60)
            key = "followup.ask" if age <= FOLLOWUP_EXACT_UNTIL else "followup.ask_earlier"
            message = Outbound(
                text=rt.content.text(key, person.locale, minutes=minutes, name=person.display_name or ""),
                person_id=person.id, kind="followup", template_key="craving_followup",
                template_vars={"1": str(minutes)}, not_before=quiet,
                options=tuple(Option(rt.content.text(f"opt.{o}", person.locale), f"{FOLLOWUP_PREFIX}{row.id}:{o}")
                              for o in FOLLOWUP_OUTCOMES),
                idempotency_key=f"followup:{row.id}:{row.followups_sent}",
            )
            sent += enqueue(session, [(message, message.idempotency_key)], now=now)
        session.commit()
    return sent


def trend(content: Content, locale: str, this_week: list[int], last_week: list[int]) -> str:
    if not this_week or not last_week:
        return content.text("summary.trend_unknown", locale)
    delta = mean(this_week) - mean(last_week)
    key = "summary.trend_down" if delta <= -0.5 else "summary.trend_up" if delta >= 0.5 else "summary.trend_same"
    return content.text(key, locale)


def _intensities(session: Session, client_id: int, start: datetime, end: datetime) -> list[int]:
    return list(session.exec(select(Craving.intensity).where(
        Craving.client_id == client_id, col(Craving.logged_at) > start, col(Craving.logged_at) <= end)))


def weekly_summaries(rt: Runtime, now: datetime, *, batch: int = BATCH) -> int:
    """Sunday evening: the week in numbers, never in judgement."""
    sent = 0
    with Session(rt.db, expire_on_commit=False) as session:
        due = _claim(session, select(ClientProfile).where(col(ClientProfile.next_summary_at) <= now)
                     .order_by(col(ClientProfile.next_summary_at)).limit(batch))
        for profile in due:
            person = session.get(Person, profile.person_id)
            zone = ZoneInfo(person.timezone)
            profile.next_summary_at = next_summary_at(zone, now)
            if person.consent_at is None or _paused(profile, person, now):
                continue
            today = now.astimezone(zone).date()
            answered = session.exec(select(func.count()).select_from(CheckIn).where(
                CheckIn.client_id == person.id, col(CheckIn.answered_at).is_not(None),
                col(CheckIn.local_date) > today - timedelta(days=7))).one()
            week = _intensities(session, person.id, now - timedelta(days=7), now)
            before = _intensities(session, person.id, now - timedelta(days=14), now - timedelta(days=7))
            kinds = len(set(session.exec(select(SupportContact.category).where(
                SupportContact.client_id == person.id))))
            tally = recovery.tally(profile, today)
            message = Outbound(
                text=rt.content.text(
                    "summary.weekly", person.locale, name=person.display_name or "", answered=answered,
                    average=f"{mean(week):.1f}" if week else "–", count=len(week),
                    trend=trend(rt.content, person.locale, week, before), streak=tally.current,
                    longest=tally.longest, total=tally.total, kinds=kinds,
                    all_kinds=len(rt.content.support_kinds(person.locale))),
                person_id=person.id, kind="summary", template_key="weekly_summary",
                template_vars={"1": str(answered), "2": str(tally.current)},
                not_before=in_quiet_hours(now, zone, profile.quiet_start, profile.quiet_end),
                idempotency_key=f"summary:{person.id}:{today.isoformat()}",
            )
            messages = [(message, message.idempotency_key)]
            picture = pictures.progress_message(session, rt.content, person, now, not_before=message.not_before,
                                                idempotency_key=f"summary-chart:{person.id}:{today.isoformat()}")
            if picture is not None and pictures.can_reach(session, person.id, message.not_before or now):
                # the month as a picture, right after the words
                messages.append((picture, picture.idempotency_key))
            sent += 1 if enqueue(session, messages, now=now) else 0  # summaries, not messages
        session.commit()
    return sent


def partner_digests(rt: Runtime, now: datetime, *, batch: int = BATCH) -> int:
    """Partners' weekly notes that fell due: to each accepted partner the client has not switched off, saying
    only what that partner may see (handlers/digest.py), held while the partner's quiet hours last."""
    sent = 0
    with Session(rt.db, expire_on_commit=False) as session:
        # Clients from before the weekly note existed get their first date here, a batch at a time.
        for profile in session.exec(select(ClientProfile).where(
                col(ClientProfile.next_digest_at).is_(None), col(ClientProfile.digest_weekday).is_not(None))
                .limit(batch)):
            person = session.get(Person, profile.person_id)
            if person is not None:
                profile.next_digest_at = next_digest_at(ZoneInfo(person.timezone), now, profile.digest_weekday)
        due = _claim(session, select(ClientProfile).where(col(ClientProfile.next_digest_at) <= now)
                     .order_by(col(ClientProfile.next_digest_at)).limit(batch))
        for profile in due:
            client = session.get(Person, profile.person_id)
            zone = ZoneInfo(client.timezone)
            profile.next_digest_at = next_digest_at(zone, now, profile.digest_weekday)
            if client.consent_at is None or _paused(profile, client, now):
                continue
            today = now.astimezone(zone).date()
            for contact, partner in partners_for(session, client.id):
                if not contact.digest:
                    continue
                message = digest.note(session, rt.content, contact, client, partner, today, now=now,
                                      key=f"digest:{contact.id}:{today.isoformat()}")
                sent += enqueue(session, [(message, message.idempotency_key)], now=now)
        session.commit()
    return sent
