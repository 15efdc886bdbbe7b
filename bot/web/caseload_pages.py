"""The dashboard's caseload pages: every client of this clinician at a glance, and one client's story."""

from __future__ import annotations

from collections import Counter
from statistics import mean
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from bot.web import charts
from bot.web.pages import step_text
from data.db import run_db
from data.models import Person
from handlers import caseload, dashboard, risk

if TYPE_CHECKING:
    from bot.web.dashboard import Dashboard

# The Clients table's columns: (query name, text key, how a row sorts, numeric).
COLUMNS = (
    ("name", "col_name", lambda r: r.name.casefold(), False),
    ("sober", "col_sober", lambda r: r.sober_days, True),
    ("streak", "col_streak", lambda r: r.current_streak, True),
    ("longest", "col_longest", lambda r: r.longest_streak, True),
    ("last", "col_last", lambda r: r.last_checkin.timestamp() if r.last_checkin else 0, False),
    ("week", "col_week", lambda r: r.answered_7, True),
    ("month", "col_month", lambda r: r.answered_30, True),
    ("craving", "col_craving", lambda r: {"up": 3, "flat": 2, "down": 1}.get(r.craving_trend or "", 0), False),
    ("alerts", "col_alerts", lambda r: r.open_alerts, True),
    ("risk", "col_risk", lambda r: len(r.risks), False),
)
SORTS = {name: key for name, _, key, _ in COLUMNS}
ARROWS = {"up": "↑", "down": "↓", "flat": "→"}


async def clients(dash: Dashboard, request: Request, sid: str, clinician: Person) -> Response:
    query = (request.query_params.get("q") or "").strip()[:80]
    sort = request.query_params.get("sort") if request.query_params.get("sort") in SORTS else "risk"
    descending = request.query_params.get("dir", "desc" if sort in ("risk", "alerts") else "asc") == "desc"
    now = dash.rt.clock()

    def load() -> list[caseload.ClientRow]:
        with Session(dash.rt.db, expire_on_commit=False) as session:
            ids = [p.id for p in dashboard.own_clients(session, clinician)]
            return caseload.caseload(session, ids, now)

    rows = await run_db(dash.rt.db, load)
    words = _words(dash, clinician)
    if query:
        rows = [r for r in rows if query.casefold() in r.name.casefold()]
    rows.sort(key=lambda r: r.name.casefold())
    rows.sort(key=SORTS[sort], reverse=descending)
    return dash.page("clients.html", locale=clinician.locale, signed_in=clinician, csrf=dash.csrf(sid),
                     active="clients", rows=[_row(dash, clinician, r, words) for r in rows], query=query, sort=sort,
                     descending=descending, columns=[(n, k, num) for n, k, _, num in COLUMNS])


def _row(dash: Dashboard, clinician: Person, r: caseload.ClientRow, words: dict[str, str]) -> dict:
    from bot.web.dashboard import when

    values = ", ".join("–" if v is None else str(v) for v in (r.sparkline or []))
    return {
        "id": r.client_id, "name": r.name, "sober": r.sober_days, "streak": r.current_streak,
        "longest": r.longest_streak,
        "last": when(r.last_checkin, words["zone"], clinician.locale) if r.last_checkin else words["never"],
        "week": r.answered_7, "month": r.answered_30, "trend": r.craving_trend,
        "arrow": ARROWS.get(r.craving_trend or "", ""), "trend_words": words[r.craving_trend or "none"],
        "spark": charts.sparkline(r.sparkline, label=words["sparkline"].replace("{values}", values))
        if r.sparkline else None,
        "alerts": r.open_alerts,
        "risks": [risk.describe(dash.rt.content, clinician.locale, f) for f in r.risks],
    }


def _words(dash: Dashboard, clinician: Person) -> dict:
    """The texts every row uses, looked up once per page rather than once per row."""
    t = dash.t(clinician.locale)
    return {"never": t("never"), "zone": ZoneInfo(clinician.timezone), "sparkline": t("sparkline", values="{values}"),
            **{trend: t(f"trend_{trend}") for trend in ("up", "down", "flat", "none")}}


async def client(dash: Dashboard, request: Request, sid: str, clinician: Person) -> Response:
    from bot.web.dashboard import day_label, when

    client_id = request.path_params["client_id"]
    days = 90 if request.query_params.get("days") == "90" else 30
    now = dash.rt.clock()

    def load():
        with Session(dash.rt.db, expire_on_commit=False) as session:
            if not dashboard.may_see(session, clinician, client_id):
                return None
            person = session.get(Person, client_id)
            zone = ZoneInfo(person.timezone)
            today = now.astimezone(zone).date()
            fired = risk.risks_for(session, [client_id], {client_id: today}).get(client_id, [])
            return caseload.story(session, client_id, now, days, content=dash.rt.content), fired

    found = await run_db(dash.rt.db, load)
    if found is None:
        return dash._not_found(clinician)
    story, fired = found
    locale, t = clinician.locale, dash.t(clinician.locale)
    content = dash.rt.content

    def label(d):
        return day_label(d, locale)

    dates = [d.day for d in story.series]
    moods = [d.mood for d in story.series]
    cravings = [d.craving for d in story.series]
    statuses = [d.status for d in story.series]
    answered, missed = statuses.count("answered"), statuses.count("missed")

    def summary(values, what):
        got = [v for v in values if v is not None]
        text = (t("chart_summary", count=len(got), days=len(values), avg=f"{mean(got):.1f}", low=min(got),
                  high=max(got)) if got else t("none_yet"))
        if story.slips:
            text += f"; {t('slip_marker')}: " + ", ".join(label(s) for s in story.slips)
        return t("chart_alt", what=what, days=days, summary=text)

    charts_ = [
        (t("chart_mood"), charts.line_chart(dates, moods, low=1, high=5, title=t("chart_mood"),
                                            summary=summary(moods, t("chart_mood")), slips=story.slips,
                                            slip_label=t("slip_marker"), day_label=label)),
        (t("chart_craving"), charts.line_chart(dates, cravings, low=0, high=10, title=t("chart_craving"),
                                               summary=summary(cravings, t("chart_craving")), slips=story.slips,
                                               slip_label=t("slip_marker"), day_label=label)),
        (t("chart_checkins"), charts.checkin_bars(
            dates, statuses, title=t("chart_checkins"), day_label=label,
            summary=t("chart_alt", what=t("chart_checkins"), days=days,
                      summary=f"{t('answered')} {answered}, {t('missed_day')} {missed}"))),
    ]
    kinds = {k.key: k.name for k in content.support_kinds(locale)}
    zone = ZoneInfo(clinician.timezone)
    return dash.page(
        "client.html", locale=locale, signed_in=clinician, csrf=dash.csrf(sid), active="clients",
        name=story.name, client_id=client_id, days=days, charts=charts_,
        risks=[risk.describe(content, locale, f) for f in fired],
        triggers=[(_trigger(content, locale, k), n) for k, n in story.triggers[:10]],
        outcomes=[(_outcome(content, locale, k), n)
                  for k, n in (Counter(story.outcomes) + Counter(story.followup_outcomes)).most_common()],
        support=[(kinds.get(c.kind, c.kind), c.contacts) for c in story.support],
        coping=story.coping[:8],
        history=[{"what": _what(dash, locale, a), "status": a.status, "when": when(a.created_at, zone, locale),
                  "steps": [(step_text(content, locale, s.step, s.recipient), when(s.at, zone, locale))
                            for s in a.steps]} for a in story.escalations],
    )


def _trigger(content, locale: str, stored: str) -> str:
    if stored.startswith("trig:") and content.has(f"trigger.{stored[5:]}"):
        return content.text(f"trigger.{stored[5:]}", locale)
    return stored.removeprefix("note:")


def _outcome(content, locale: str, value: str) -> str:
    return content.text(f"opt.{value}", locale) if content.has(f"opt.{value}") else value


def _what(dash: Dashboard, locale: str, alert: caseload.Alert) -> str:
    as_queue = dashboard.Alert(id=alert.id, client_id=0, client="", kind=alert.kind, reason=alert.reason,
                               crisis=alert.kind == "crisis", created_at=alert.created_at, alerted_at=alert.created_at)
    return dash._what(as_queue, locale)
