"""The clinician dashboard over HTTP: signing in with a single-use link, sessions, CSRF, whose client is whose,
and the alert queue's Acknowledge doing what the chat button does."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, select

from bot.web import create_app
from bot.web.dashboard import COOKIE, LOGIN_FAILURES_ALLOWED, Dashboard
from data.models import ClientProfile, Escalation, EscalationStep
from handlers import dashboard, escalation
from tests.scheduler.conftest import add_person

SECRET = "s" * 40
BASE = "http://testserver"


@pytest.fixture
def clinic(rt):
    """Dr Chan with her client Ken (a crisis alert open), Dr Lee, and Mei, nobody's client yet."""
    chan = add_person(rt, role="clinician", name="Dr Chan", address="chan")
    lee = add_person(rt, role="clinician", name="Dr Lee", address="lee")
    ken = add_person(rt, role="client", name="Ken", address="ken")
    mei = add_person(rt, role="client", name="Mei", address="mei")
    with Session(rt.db) as session:
        session.add(ClientProfile(person_id=ken.id, clinician_id=chan.id))
        session.add(ClientProfile(person_id=mei.id))
        esc = Escalation(client_id=ken.id, kind="crisis", reason="suicide", priority="urgent", level=1,
                         created_at=rt.clock(), next_step_at=rt.clock() + timedelta(minutes=15))
        session.add(esc)
        session.flush()
        escalation.record(session, esc, "crisis_alert", session.get(type(chan), chan.id), rt.clock())
        session.commit()
        return {"chan": chan, "lee": lee, "ken": ken, "mei": mei, "alert": esc.id}


def link(rt, clinician) -> str:
    with Session(rt.db) as session:
        token = dashboard.login_token(session, clinician, rt.clock())
        session.commit()
    return f"/dashboard/login?token={token}"


def run(rt, scenario):
    app = create_app(rt, Dashboard(rt, secret=SECRET, secure_cookie=False).routes())

    async def main():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
            return await scenario(http)

    return asyncio.run(main())


async def sign_in(http, rt, clinician) -> str:
    """Sign in; returns the page's CSRF token."""
    response = await http.get(link(rt, clinician))
    assert (response.status_code, response.headers["location"]) == (303, "/dashboard")
    page = await http.get("/dashboard")
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)


def test_a_link_signs_in_once_with_a_safe_cookie_and_then_is_spent(rt, clinic):
    async def scenario(http):
        url = link(rt, clinic["chan"])
        first = await http.get(url)
        cookie = first.headers["set-cookie"]
        http.cookies.clear()
        again = await http.get(url)
        return first, cookie, again

    first, cookie, again = run(rt, scenario)
    assert first.status_code == 303 and first.headers["cache-control"] == "no-store"
    assert COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/dashboard" in cookie
    assert again.status_code == 410 and "already been used" in again.text and "send /dashboard" in again.text
    assert "Traceback" not in again.text


def test_expired_unknown_and_forged_links_never_sign_in(rt, clinic, clock):
    url = link(rt, clinic["chan"])
    clock.advance(minutes=16)

    async def scenario(http):
        expired = await http.get(url)
        unknown = await http.get("/dashboard/login?token=not-a-token")
        empty = await http.get("/dashboard/login")
        http.cookies.set(COOKIE, "forged-session.0000", domain="testserver", path="/dashboard")
        forged = await http.get("/dashboard")
        return expired, unknown, empty, forged

    expired, unknown, empty, forged = run(rt, scenario)
    assert expired.status_code == 410 and "expired" in expired.text
    assert unknown.status_code == empty.status_code == 400 and "isn&#39;t valid" in unknown.text
    assert (forged.status_code, forged.headers["location"]) == (303, "/dashboard/signin")


def test_bad_tokens_from_one_address_are_slowed_down(rt, clinic):
    async def scenario(http):
        for n in range(LOGIN_FAILURES_ALLOWED):
            assert (await http.get(f"/dashboard/login?token=guess{n}")).status_code == 400
        return await http.get(link(rt, clinic["chan"]))

    blocked = run(rt, scenario)
    assert blocked.status_code == 429 and "Too many sign-in attempts" in blocked.text


def test_the_queue_shows_her_crisis_and_acknowledge_stops_the_ladder_as_the_chat_button_does(rt, clinic):
    async def scenario(http):
        csrf = await sign_in(http, rt, clinic["chan"])
        page = await http.get("/dashboard")
        refused = await http.post(f"/dashboard/alerts/{clinic['alert']}/acknowledge", data={})
        done = await http.post(f"/dashboard/alerts/{clinic['alert']}/acknowledge", data={"csrf": csrf},
                               headers={"HX-Request": "true"})
        again = await http.post(f"/dashboard/alerts/{clinic['alert']}/acknowledge", data={"csrf": csrf})
        return page, refused, done, again

    page, refused, done, again = run(rt, scenario)
    assert 'class="alert crisis"' in page.text and "Ken" in page.text and "alerted Dr Chan (urgent)" in page.text
    assert page.headers["cache-control"] == "no-store" and "frame-ancestors 'none'" in page.headers[
        "content-security-policy"]
    assert refused.status_code == 403
    assert done.status_code == 200 and "Acknowledged" in done.text and 'class="alert crisis"' not in done.text
    assert (again.status_code, again.headers["location"]) == (303, "/dashboard?done=already")
    with Session(rt.db) as session:
        esc = session.get(Escalation, clinic["alert"])
        assert (esc.status, esc.next_step_at, esc.acknowledged_by) == ("acknowledged", None, clinic["chan"].id)
        steps = session.exec(select(EscalationStep).where(EscalationStep.escalation_id == esc.id,
                                                          EscalationStep.step == "acknowledged")).all()
        assert [(s.source, s.recipient_id) for s in steps] == [("dashboard", clinic["chan"].id)]


def test_another_clinicians_client_is_not_found_anywhere(rt, clinic):
    async def scenario(http):
        csrf = await sign_in(http, rt, clinic["lee"])
        page = await http.get("/dashboard")
        client = await http.get(f"/dashboard/clients/{clinic['ken'].id}")
        ack = await http.post(f"/dashboard/alerts/{clinic['alert']}/acknowledge", data={"csrf": csrf})
        take = await http.post(f"/dashboard/clients/{clinic['ken'].id}/take", data={"csrf": csrf})
        return page, client, ack, take

    page, client, ack, take = run(rt, scenario)
    assert "Ken" not in page.text
    assert client.status_code == ack.status_code == take.status_code == 404
    assert "Ken" not in client.text + ack.text + take.text
    with Session(rt.db) as session:
        assert session.get(Escalation, clinic["alert"]).status == "open"


def test_an_unassigned_client_can_be_taken_once_then_is_the_takers_alone(rt, clinic):
    async def scenario(http):
        csrf = await sign_in(http, rt, clinic["lee"])
        page = await http.get("/dashboard")
        taken = await http.post(f"/dashboard/clients/{clinic['mei'].id}/take", data={"csrf": csrf})
        http.cookies.clear()
        await sign_in(http, rt, clinic["chan"])
        chan_page = await http.get("/dashboard")
        chan_view = await http.get(f"/dashboard/clients/{clinic['mei'].id}")
        return page, taken, chan_page, chan_view

    page, taken, chan_page, chan_view = run(rt, scenario)
    assert "Clients without a clinician" in page.text and "Take this client" in page.text and "Mei" in page.text
    assert (taken.status_code, taken.headers["location"]) == (303, f"/dashboard/clients/{clinic['mei'].id}")
    with Session(rt.db) as session:
        assert session.get(ClientProfile, clinic["mei"].id).clinician_id == clinic["lee"].id
    assert "Mei" not in chan_page.text and chan_view.status_code == 404


def test_no_session_goes_to_the_sign_in_help_and_signing_out_ends_the_session(rt, clinic):
    async def scenario(http):
        none = await http.get("/dashboard/clients")
        help_page = await http.get("/dashboard/signin")
        csrf = await sign_in(http, rt, clinic["chan"])
        cookie = http.cookies.get(COOKIE)
        out = await http.post("/dashboard/signout", data={"csrf": csrf})
        http.cookies.set(COOKIE, cookie, domain="testserver", path="/dashboard")  # the old cookie, kept
        after = await http.get("/dashboard")
        poll = await http.get("/dashboard/alerts")
        return none, help_page, out, after, poll

    none, help_page, out, after, poll = run(rt, scenario)
    assert (none.status_code, none.headers["location"]) == (303, "/dashboard/signin")
    assert "send /dashboard" in help_page.text
    assert out.status_code == 200 and "signed out" in out.text
    assert (after.status_code, after.headers["location"]) == (303, "/dashboard/signin")
    assert poll.status_code == 401 and poll.headers["hx-redirect"] == "/dashboard/signin"


def test_the_queue_poll_answers_no_content_until_something_changes(rt, clinic):
    async def scenario(http):
        await sign_in(http, rt, clinic["chan"])
        first = await http.get("/dashboard/alerts")
        version = re.search(r'/dashboard/alerts\?v=([0-9a-f]+)', first.text).group(1)
        same = await http.get(f"/dashboard/alerts?v={version}")
        with Session(rt.db) as session:  # a new missed check-in alert reaches Dr Chan
            esc = Escalation(client_id=clinic["ken"].id, kind="missed_checkin", reason="2026-03-01", level=3,
                             created_at=rt.clock())
            session.add(esc)
            session.flush()
            escalation.record(session, esc, "clinician_alert", session.get(type(clinic["chan"]), clinic["chan"].id),
                              rt.clock())
            session.commit()
        changed = await http.get(f"/dashboard/alerts?v={version}")
        return same, changed

    same, changed = run(rt, scenario)
    assert same.status_code == 204
    assert changed.status_code == 200 and "No check-in for 1 Mar" in changed.text
    crisis_at, missed_at = changed.text.index('class="alert crisis"'), changed.text.index('class="alert missed_checkin"')
    assert crisis_at < missed_at  # crises first


def test_the_dashboard_speaks_the_clinicians_language(rt, clinic):
    with Session(rt.db) as session:
        session.get(type(clinic["chan"]), clinic["chan"].id).locale = "zh-HK"
        session.commit()

    async def scenario(http):
        await sign_in(http, rt, clinic["chan"])
        return await http.get("/dashboard")

    page = run(rt, scenario)
    assert '<html lang="zh-Hant-HK">' in page.text and "而家需要你跟進" in page.text and "確認" in page.text
