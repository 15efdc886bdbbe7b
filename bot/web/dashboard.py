"""The clinician dashboard's pages: sign-in by a single-use link, the alert queue, the caseload, one client's story.

Server-rendered (Jinja2), with htmx (vendored in static/, no CDN) for the live alert queue. Every page checks the
session and that the client is this clinician's; anything else is a 404. Forms that change something carry a
CSRF token derived from the session; pages are never cached, and the sign-in link's token never leaks in a
Referer. What a clinician may see and do is decided in handlers/dashboard.py, shared with the chat.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import defaultdict, deque
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.web.pages import HEADERS, step_text, templates
from data.db import run_db
from data.models import Person
from handlers import dashboard
from handlers.types import Runtime

HERE = Path(__file__).parent
COOKIE = "rb_dashboard"
LOGIN_FAILURES_ALLOWED = 10  # per address ...
LOGIN_FAILURE_WINDOW = 600.0  # ... in this many seconds
POLL_SECONDS = 3
NOTICES = {"acknowledged": "acknowledged_short", "already": "already", "gone": "gone", "not_taken": "not_taken"}
class Dashboard:
    """The dashboard's routes, for `create_app`."""

    def __init__(self, rt: Runtime, *, secret: str, secure_cookie: bool, base: str = "/dashboard") -> None:
        self.rt = rt
        self.base = base  # where the pages live: /dashboard, or a sandbox world's own under /sandbox
        self.secret = secret.encode()
        self.secure_cookie = secure_cookie
        self.env = templates()
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def routes(self) -> list[BaseRoute]:
        base = self.base
        return [
            Route(base, self.alerts_page),
            Route(f"{base}/alerts", self.alerts_fragment),
            Route(f"{base}/alerts/{{alert_id:int}}/acknowledge", self.acknowledge, methods=["POST"]),
            Route(f"{base}/login", self.login),
            Route(f"{base}/signin", self.signin_help),
            Route(f"{base}/signout", self.signout, methods=["POST"]),
            Route(f"{base}/clients", self.clients_page),
            Route(f"{base}/clients/{{client_id:int}}", self.client_page),
            Route(f"{base}/clients/{{client_id:int}}/take", self.take, methods=["POST"]),
            Mount(f"{base}/static", StaticFiles(directory=HERE / "static"), name="dashboard-static"),
        ]

    # -- sessions, cookies and CSRF -------------------------------------------------------------------------
    def _sign(self, value: str) -> str:
        return hmac.new(self.secret, value.encode(), hashlib.sha256).hexdigest()[:40]

    def _sid(self, request: Request) -> str | None:
        """The session id from a cookie this server signed (a forged cookie never reaches the database)."""
        raw = request.cookies.get(COOKIE, "")
        sid, _, signature = raw.rpartition(".")
        if not sid or not hmac.compare_digest(signature, self._sign("sid:" + sid)):
            return None
        return sid

    def csrf(self, sid: str) -> str:
        return self._sign("csrf:" + sid)

    async def _clinician(self, request: Request) -> tuple[str, Person] | None:
        sid = self._sid(request)
        if sid is None:
            return None
        now = self.rt.clock()

        def look() -> Person | None:
            with Session(self.rt.db, expire_on_commit=False) as session:
                return dashboard.signed_in(session, sid, now)

        clinician = await run_db(self.rt.db, look)
        return (sid, clinician) if clinician is not None else None

    async def _signed_form(self, request: Request) -> tuple[str, Person] | Response:
        """For a form that changes something: the session and its clinician, or the answer to give instead (to
        the sign-in help without a session, 403 without the session's CSRF token)."""
        found = await self._clinician(request)
        if found is None:
            return self._to_signin()
        sid, clinician = found
        if not await self._csrf_ok(request, sid):
            return self._message("forbidden", locale=clinician.locale, status=403)
        return found

    async def _csrf_ok(self, request: Request, sid: str) -> bool:
        form = await request.form()
        given = form.get("csrf") or request.headers.get("x-csrf-token") or ""
        return isinstance(given, str) and hmac.compare_digest(given, self.csrf(sid))

    # -- rendering ------------------------------------------------------------------------------------------------
    def t(self, locale: str):
        content = self.rt.content

        def text(key: str, **fields) -> str:
            return content.text(f"dashboard.{key}", locale, **fields)

        return text

    def page(self, template: str, *, locale: str, status: int = 200, headers: dict | None = None,
             **context) -> HTMLResponse:
        html = self.env.get_template(template).render(t=self.t(locale), locale=locale, poll=POLL_SECONDS, base=self.base,
                                                      **context)
        return HTMLResponse(html, status_code=status, headers={**HEADERS, **(headers or {})})

    def _message(self, key: str, *, locale: str | None = None, status: int = 200) -> HTMLResponse:
        return self.page("message.html", locale=locale or self.rt.default_locale, status=status, message=key,
                         signed_in=None)

    def _not_found(self, clinician: Person) -> HTMLResponse:
        return self.page("message.html", locale=clinician.locale, status=404, message="not_found",
                         signed_in=clinician)

    def _to_signin(self) -> RedirectResponse:
        return RedirectResponse(f"{self.base}/signin", status_code=303, headers=HEADERS)

    # -- signing in and out -----------------------------------------------------------------------------------------
    def _slow_down(self, address: str) -> bool:
        failures = self._failures[address]
        cutoff = time.monotonic() - LOGIN_FAILURE_WINDOW
        while failures and failures[0] < cutoff:
            failures.popleft()
        return len(failures) >= LOGIN_FAILURES_ALLOWED

    async def login(self, request: Request) -> Response:
        address = request.client.host if request.client else "?"
        if self._slow_down(address):
            return self._message("login_slow_down", status=429)
        token = request.query_params.get("token", "")
        now = self.rt.clock()

        def spend() -> tuple[str, str | None]:
            with Session(self.rt.db, expire_on_commit=False) as session:
                outcome, clinician = dashboard.redeem(session, token, now) if token else ("unknown", None)
                sid = dashboard.start_session(session, clinician, now) if clinician is not None else None
                session.commit()
                return outcome, sid

        outcome, sid = await run_db(self.rt.db, spend)
        if sid is None:
            self._failures[address].append(time.monotonic())
            return self._message(f"login_{outcome}", status=410 if outcome in ("used", "expired") else 400)
        response = RedirectResponse(self.base, status_code=303, headers=HEADERS)
        response.set_cookie(COOKIE, f"{sid}.{self._sign('sid:' + sid)}", httponly=True, samesite="lax",
                            secure=self.secure_cookie, path=self.base,
                            max_age=int(dashboard.SESSION_VALID.total_seconds()))
        return response

    async def signin_help(self, request: Request) -> Response:
        return self._message("login_help")

    async def signout(self, request: Request) -> Response:
        found = await self._signed_form(request)
        if isinstance(found, Response):
            return found
        sid, clinician = found
        now = self.rt.clock()

        def end() -> None:
            with Session(self.rt.db) as session:
                dashboard.end_session(session, sid, now)
                session.commit()

        await run_db(self.rt.db, end)
        response = self._message("signed_out", locale=clinician.locale)
        response.delete_cookie(COOKIE, path=self.base)
        return response

    # -- the alert queue --------------------------------------------------------------------------------------------------
    def _queue_context(self, clinician: Person) -> dict:
        with Session(self.rt.db, expire_on_commit=False) as session:
            alerts = dashboard.alert_queue(session, clinician)
            unassigned = dashboard.unassigned_clients(session)
        now = self.rt.clock()
        locale, zone = clinician.locale, ZoneInfo(clinician.timezone)
        t = self.t(locale)
        items = [{
            "id": a.id, "client": a.client, "client_id": a.client_id, "crisis": a.crisis, "kind": a.kind,
            "what": self._what(a, locale), "age": age(t, a.alerted_at, now), "when": when(a.alerted_at, zone, locale),
            "steps": [step_text(self.rt.content, locale, s.step, s.who) for s in a.steps],
        } for a in alerts]
        version = hashlib.sha256(repr([(a.id, len(a.steps)) for a in alerts] + [p.id for p in unassigned])
                                 .encode()).hexdigest()[:16]
        return {"alerts": items, "unassigned": [{"id": p.id, "name": p.display_name or f"#{p.id}"} for p in unassigned],
                "version": version}

    def _what(self, alert: dashboard.Alert, locale: str) -> str:
        t = self.t(locale)
        if alert.kind == "crisis":
            if alert.reason == "safety_check":
                return t("what_safety")
            kind_key = f"crisis.kind.{alert.reason}"
            kind = self.rt.content.text(kind_key, locale) if self.rt.content.has(kind_key) else (alert.reason or "?")
            return t("what_crisis", kind=kind)
        if alert.kind == "missed_checkin":
            try:
                missed = day_label(date.fromisoformat(alert.reason or ""), locale)
            except ValueError:
                missed = alert.reason or "?"
            return t("what_missed", date=missed)
        return t("what_unreachable")

    async def alerts_page(self, request: Request) -> Response:
        found = await self._clinician(request)
        if found is None:
            return self._to_signin()
        sid, clinician = found
        context = await run_db(self.rt.db, self._queue_context, clinician)
        done = request.query_params.get("done")
        notice = self.t(clinician.locale)(NOTICES[done]) if done in NOTICES else None
        return self.page("alerts.html", locale=clinician.locale, signed_in=clinician, csrf=self.csrf(sid),
                         notice=notice, **context)

    async def alerts_fragment(self, request: Request) -> Response:
        """The queue alone, for htmx's polling: 204 (nothing to swap) when it has not changed."""
        found = await self._clinician(request)
        if found is None:
            return Response(status_code=401, headers={**HEADERS, "HX-Redirect": f"{self.base}/signin"})
        sid, clinician = found
        context = await run_db(self.rt.db, self._queue_context, clinician)
        if request.query_params.get("v") == context["version"]:
            return Response(status_code=204, headers=HEADERS)
        return self.page("_queue.html", locale=clinician.locale, signed_in=clinician, csrf=self.csrf(sid),
                         notice=None, **context)

    async def acknowledge(self, request: Request) -> Response:
        found = await self._signed_form(request)
        if isinstance(found, Response):
            return found
        sid, clinician = found
        alert_id = request.path_params["alert_id"]
        now = self.rt.clock()

        def ack() -> str:
            with Session(self.rt.db, expire_on_commit=False) as session:
                outcome = dashboard.acknowledge(session, clinician, alert_id, now)
                session.commit()
                return outcome

        outcome = await run_db(self.rt.db, ack)
        if outcome == "missing":
            return self._not_found(clinician)
        done = {"done": "acknowledged", "already": "already"}.get(outcome, "gone")
        if request.headers.get("hx-request"):
            context = await run_db(self.rt.db, self._queue_context, clinician)
            return self.page("_queue.html", locale=clinician.locale, signed_in=clinician, csrf=self.csrf(sid),
                             notice=self.t(clinician.locale)(NOTICES[done]), **context)
        return RedirectResponse(f"{self.base}?done={done}", status_code=303, headers=HEADERS)

    async def take(self, request: Request) -> Response:
        found = await self._signed_form(request)
        if isinstance(found, Response):
            return found
        sid, clinician = found
        client_id = request.path_params["client_id"]

        def take() -> bool | None:
            with Session(self.rt.db, expire_on_commit=False) as session:
                if not dashboard.may_see(session, clinician, client_id):
                    return None
                done = dashboard.take(session, clinician, client_id)
                session.commit()
                return done

        done = await run_db(self.rt.db, take)
        if done is None:
            return self._not_found(clinician)
        return RedirectResponse(f"{self.base}/clients/{client_id}" if done else f"{self.base}?done=not_taken",
                                status_code=303, headers=HEADERS)

    # -- the caseload and one client's story ------------------------------------------------------------------------
    async def clients_page(self, request: Request) -> Response:
        found = await self._clinician(request)
        if found is None:
            return self._to_signin()
        sid, clinician = found
        from bot.web import caseload_pages

        return await caseload_pages.clients(self, request, sid, clinician)

    async def client_page(self, request: Request) -> Response:
        found = await self._clinician(request)
        if found is None:
            return self._to_signin()
        sid, clinician = found
        from bot.web import caseload_pages

        return await caseload_pages.client(self, request, sid, clinician)


def age(t, at: datetime, now: datetime) -> str:
    """How long ago, in words: "just now", "12 min ago", "3 h ago", "2 days ago"."""
    minutes = int((now - at).total_seconds() // 60)
    if minutes < 1:
        return t("just_now")
    if minutes < 60:
        return t("minutes_ago", n=minutes)
    if minutes < 48 * 60:
        return t("hours_ago", n=minutes // 60)
    return t("days_ago", n=minutes // (24 * 60))


def when(at: datetime, zone: ZoneInfo, locale: str) -> str:
    """An instant in the clinician's zone: "7 Dec 21:05", or "12月7日 21:05" in Chinese."""
    local = at.astimezone(zone)
    if locale.startswith("zh"):
        return f"{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local.day} {local:%b %H:%M}"


def day_label(day, locale: str) -> str:
    if locale.startswith("zh"):
        return f"{day.month}月{day.day}日"
    return f"{day.day} {day:%b}"



