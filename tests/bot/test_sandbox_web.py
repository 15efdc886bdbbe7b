"""The sandbox's pages over HTTP: each phone shown the way its app shows messages, the page following the world
live by server-sent events, the world's own clinician dashboard, "back to now", the export as a download, and
starting from a story."""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from bot.web.sandbox import COOKIE, Sandbox
from tests.fakes.loopback import AppServer

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Hong Kong
BASE = "http://testserver"


@pytest.fixture
def sandbox(tmp_path, content):
    found = Sandbox(content=content, root=tmp_path / "worlds", max_worlds=4, start=lambda: START)
    yield found
    found.close()


def run(sandbox, scenario):
    app = Starlette(routes=sandbox.routes())

    async def main():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE,
                                     follow_redirects=True) as http:
            return await scenario(http)

    return asyncio.run(main())


def world_of(sandbox, http):
    return sandbox.worlds[http.cookies[COOKIE]][0]


async def onboard(http, sandbox) -> None:
    """The client onboards and adds Mum, who accepts: the page's own forms, as a visitor would use them."""
    await http.get("/sandbox")
    world = world_of(sandbox, http)
    await http.post("/sandbox/clinician/forward")
    steps = [("client", "Yes"), ("client", "=Ken"), ("client", "Hong Kong"), ("client", "=21:00"),
             ("client", "=30 days ago"), ("client", "Later"), ("client", "=/network"), ("client", "=Mum"),
             ("client", "=9123 4567"), ("client", "Yes"), ("client", "Finish"), ("client", "=/invite"),
             ("client", "Mum")]
    for role, what in steps:
        if what.startswith("="):
            await http.post(f"/sandbox/{role}/say", data={"text": what[1:]})
        else:
            label, payload = next((lab, pay) for lab, pay in world.phones[role].last_options() if what in lab)
            await http.post(f"/sandbox/{role}/tap", data={"label": label, "payload": payload})
    await http.post("/sandbox/client/forward")
    label, payload = next(o for o in world.phones["partner"].last_options() if "Yes" in o[0])
    await http.post("/sandbox/partner/tap", data={"label": label, "payload": payload})


def chat_of(page: str, role: str) -> str:
    found = re.search(rf'<ol class="chat" id="chat-{role}".*?</ol>', page, re.S)
    assert found, f"no chat for {role}"
    return found.group(0)


def test_a_phone_shown_as_whatsapp_numbers_its_options_and_marks_templates_outside_the_24_hour_window(sandbox):
    async def scenario(http):
        await onboard(http, sandbox)
        await http.post("/sandbox/partner/style", data={"style": "whatsapp"})
        await http.post("/sandbox/client/style", data={"style": "whatsapp"})
        # Mum accepted on Monday at 10:00. Monday's missed prompt nudges her at 00:00 (14 hours on: free-form);
        # Tuesday's, at 00:00 on Wednesday, is 38 hours on: outside WhatsApp's window, the approved template.
        for _ in range(2):
            await http.post("/sandbox/clock/day")
        nudged = (await http.get("/sandbox/world")).text
        await http.post("/sandbox/client/say", data={"text": "/checkin"})
        # WhatsApp shows a scale as a row of values, answered by typing the number.
        newest = chat_of((await http.get("/sandbox/world")).text, "client").split('<li class="bubble')[1]
        assert "1 · Very low · 2 · Low" in newest and 'action="/sandbox/client/tap"' not in newest
        assert 'name="text" value="4"' in newest
        await http.post("/sandbox/client/say", data={"text": "4"})  # what the "4" chip sends
        await http.post("/sandbox/client/say", data={"text": "2"})
        # ... and other questions as numbered lines, answered by the number too.
        newest = chat_of((await http.get("/sandbox/world")).text, "client").split('<li class="bubble')[1]
        assert re.search(r"\n1\. [^\n<]+\n2\. ", newest), newest
        assert 'name="text" value="1"' in newest
        return nudged

    page = run(sandbox, scenario)
    nudges = [b for b in chat_of(page, "partner").split('<li class="bubble bot">')
              if "Ken hasn&#39;t done today&#39;s check-in" in b]
    assert len(nudges) == 2  # newest first
    assert "approved template “partner_nudge”" in nudges[0] and "approved template" not in nudges[1]
    assert 'class="phone whatsapp" id="phone-partner"' in page


def test_a_phone_shown_as_telegram_keeps_buttons_on_the_newest_question_and_marks_the_answered_one(sandbox):
    async def scenario(http):
        await onboard(http, sandbox)
        return (await http.get("/sandbox/world")).text

    page = run(sandbox, scenario)
    client = chat_of(page, "client")
    assert client.count('action="/sandbox/client/tap"') == 0  # nothing asked now: every keyboard answered
    assert "✓ Yes" in client  # the consent question, edited to show the choice as Telegram's adapter does
    partner = chat_of(page, "partner")
    assert "✓ Yes" in partner


def test_the_page_follows_the_client_phone_language_in_title_and_dates(sandbox):
    async def scenario(http):
        await http.get("/sandbox")
        await http.post("/sandbox/client/language", data={"locale": "zh-HK"})
        return (await http.get("/sandbox")).text

    page = run(sandbox, scenario)
    assert '<html lang="zh-Hant-HK">' in page
    assert "<title>試用" in page
    assert "3月2日（週一）10:00" in page  # the clock bar, in Chinese
    assert "Mon" not in page


def test_back_to_now_undoes_the_time_travel_and_the_world_goes_on_from_the_present(sandbox):
    async def scenario(http):
        await onboard(http, sandbox)
        world = world_of(sandbox, http)
        before = (world.clock(), len(world.phones["client"].bubbles), world.next_event())
        await http.post("/sandbox/clock/day")
        await http.post("/sandbox/clock/day")
        assert world.ahead and world.decisions()
        assert "Back to now" in (await http.get("/sandbox/world")).text
        await http.post("/sandbox/clock/now")
        after = (world.clock(), len(world.phones["client"].bubbles), world.next_event())
        assert after == before and not world.decisions() and not world.ahead
        await http.post("/sandbox/clock/next")  # the world still works from the present
        return world

    world = run(sandbox, scenario)
    assert [d.step for d in world.decisions()] == ["prompt"]
    assert "time for today's check-in" in world.phones["client"].bubbles[-1].text


def test_the_export_arrives_as_a_downloadable_file(sandbox):
    async def scenario(http):
        await onboard(http, sandbox)
        await http.post("/sandbox/client/say", data={"text": "/export"})
        page = (await http.get("/sandbox/world")).text
        href = re.search(r'href="(/sandbox/client/file/\d+\?b=\w+)" download="(recovery-export-[\d-]+\.json)"', page)
        assert href, chat_of(page, "client")[:800]
        response = await http.get(href.group(1))
        missing = await http.get("/sandbox/client/file/0")
        forged = await http.get(href.group(1).split("?")[0] + "?b=0123456789abcdef")
        return href.group(2), response, missing, forged

    name, response, missing, forged = run(sandbox, scenario)
    assert response.status_code == 200
    assert f"filename*=UTF-8''{name}" in response.headers["content-disposition"]
    assert json.loads(response.text)["person"]["display_name"] == "Ken"
    assert missing.status_code == 404 and forged.status_code == 404  # no such file at that place


def test_the_dashboard_tab_is_the_world_clinician_signed_in_and_acknowledge_reaches_her_phone(sandbox):
    async def scenario(http):
        await onboard(http, sandbox)
        for _ in range(4):  # the prompt, the reminder, the nudge, the clinician's alert
            await http.post("/sandbox/clock/next")
        page = await http.get("/sandbox/dashboard")
        assert page.status_code == 200 and "Dr Chan" in page.text and "Ken" in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        action = re.search(r'action="(/sandbox/dashboard/alerts/\d+/acknowledge)"', page.text).group(1)
        done = await http.post(action, data={"csrf": csrf})
        assert done.status_code == 200
        # A week on, the dashboard session (12 hours) has lapsed in the world's time: the tab signs in again.
        for _ in range(7):
            await http.post("/sandbox/clock/day")
        again = await http.get("/sandbox/dashboard/clients")
        assert again.status_code == 200 and "Signed in as Dr Chan" in again.text
        assert "Ken" in (await http.get("/sandbox/dashboard/clients")).text
        return world_of(sandbox, http)

    world = run(sandbox, scenario)
    acknowledged = [d for d in world.decisions() if d.step == "acknowledged"]
    assert [d.who for d in acknowledged] == ["Dr Chan"]  # in the "what happened" panel, which the page follows
    # The alert's ladder stopped there: a week on, no second alert about that day reached her phone.
    alerts = [b for b in world.phones["clinician"].bubbles if "Missed check-in: Ken" in b.text]
    assert len(alerts) == len([d for d in world.decisions() if d.step == "clinician_alert"])


def test_another_visitor_or_no_world_never_reaches_a_world_dashboard(sandbox):
    async def scenario(http):
        await http.get("/sandbox")
        mine = http.cookies[COOKIE]
        http.cookies.clear()
        stranger = await http.get("/sandbox/dashboard", follow_redirects=False)
        http.cookies.set(COOKIE, "forged-" + mine[:8], path="/sandbox")
        forged = await http.get("/sandbox/dashboard/clients", follow_redirects=False)
        return stranger, forged

    stranger, forged = run(sandbox, scenario)
    assert stranger.status_code == 303 and stranger.headers["location"] == "/sandbox"
    assert forged.status_code == 303 and forged.headers["location"] == "/sandbox"


def test_starting_from_the_two_weeks_story_gives_the_dashboard_charts_and_a_risk_flag(sandbox):
    async def scenario(http):
        await http.get("/sandbox")
        first = http.cookies[COOKIE]
        await http.post("/sandbox/start/two_weeks")
        assert http.cookies[COOKIE] != first and first not in sandbox.worlds  # the old world is gone
        world = world_of(sandbox, http)
        assert (await http.get("/sandbox/dashboard")).status_code == 200  # the tab signs Dr Chan in
        clients = await http.get("/sandbox/dashboard/clients")
        ken = re.search(r'href="(/sandbox/dashboard/clients/\d+)"', clients.text).group(1)
        return world, clients.text, (await http.get(ken)).text, (await http.get("/sandbox")).text

    world, clients, story, page = run(sandbox, scenario)
    assert abs(world.clock() - START) <= timedelta(hours=1)  # the story ends in the present
    assert re.search(r"craving \d+(\.\d+)? vs usual", clients)  # the risk flag, in words
    assert "<svg" in story
    assert "nudged Mum" in page and "reminded the client" in page  # yesterday's ladder, in "what happened"
    assert "back to now" not in page.lower()  # the story's end is the present


def test_unknown_roles_styles_stories_and_empty_forms_get_a_clear_answer(sandbox):
    async def scenario(http):
        await http.get("/sandbox")
        return [
            (await http.post("/sandbox/nobody/say", data={"text": "hi"})).status_code,
            (await http.post("/sandbox/client/style", data={"style": "sms"})).status_code,
            (await http.post("/sandbox/start/nonsense")).status_code,
            (await http.post("/sandbox/client/tap", data={"label": "x"})).status_code,
            (await http.post("/sandbox/clock/backwards")).status_code,
        ]

    assert run(sandbox, scenario) == [404, 400, 404, 400, 404]


@pytest.fixture
def live(sandbox):
    with AppServer(Starlette(routes=sandbox.routes())) as server:
        yield server.url


def test_the_event_stream_announces_each_change_so_an_open_page_sees_messages_without_reloading(live, sandbox):
    async def scenario():
        async with httpx.AsyncClient(base_url=live, timeout=10) as http:
            await http.get("/sandbox")
            world = world_of(sandbox, http)
            seen = world.version
            got: list[int] = []

            async def listen():
                async with http.stream("GET", f"/sandbox/events?v={seen}") as stream:
                    assert stream.headers["content-type"].startswith("text/event-stream")
                    async for line in stream.aiter_lines():
                        if line.startswith("data: "):
                            got.append(int(line[6:]))
                            return

            listener = asyncio.create_task(listen())
            await asyncio.sleep(0.3)
            assert not got  # nothing changed yet: no event
            await http.post("/sandbox/clinician/say", data={"text": "/help"})
            await asyncio.wait_for(listener, 5)
            return seen, got, world.version

    seen, got, now = asyncio.run(scenario())
    assert got and seen < got[0] <= now


def test_an_idle_world_is_removed_and_its_page_starts_afresh(sandbox):
    async def scenario(http):
        await http.get("/sandbox")
        key = http.cookies[COOKIE]
        world, _ = sandbox.worlds[key]
        sandbox.worlds[key] = (world, time.monotonic() - 3 * 3600)
        gone = await http.get("/sandbox/world", follow_redirects=False)
        return key, gone

    key, gone = run(sandbox, scenario)
    assert key not in sandbox.worlds
    assert gone.status_code == 204  # the script then loads /sandbox, which starts a new world



def test_progress_shows_the_month_as_a_picture_in_the_phone(sandbox):
    async def scenario(http):
        await onboard(http, sandbox)
        await http.post("/sandbox/client/say", data={"text": "/progress"})
        page = (await http.get("/sandbox/world")).text
        found = re.search(r'<img class="picture" src="(/sandbox/client/file/\d+\?b=\w+)" alt="([^"]+)"', page)
        assert found, chat_of(page, "client")[:800]
        return found.group(2), await http.get(found.group(1).replace("&amp;", "&"))

    alt, picture = run(sandbox, scenario)
    assert "Ken" in alt  # the caption, as the picture's words
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG") and "immutable" in picture.headers["cache-control"]
