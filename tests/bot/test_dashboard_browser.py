"""The clinician dashboard in a real browser (Debian's chromium, driven by Selenium through chromedriver).

Dr Chan joins, invites Ken, who invites his mother as a partner; Chan asks the bot for a dashboard link and opens
it. Ken's check-in goes unanswered until the ladder reaches Chan: the alert appears in her open page without a
reload; she acknowledges it there; Ken checks in and his mother gets the all-clear. Then the Clients page and
Ken's page render their charts, on a desktop and at 375 px. Screenshots of every page are saved to
test-output/screenshots/ (look at them).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import uvicorn
from sqlmodel import Session, col, select

from bot.web import create_app
from bot.web.dashboard import Dashboard
from data.content import Content
from data.db import make_engine, upgrade
from data.models import CheckIn, Craving, EscalationStep, Outbox, Slip
from handlers.flows.invites import create
from handlers.types import FixedClock, Runtime
from tests.chat import Chat
from tests.fakes.loopback import free_socket
from tests.scheduler.conftest import RecordingSender, tick

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
PROMPT = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 21:00 in Hong Kong

if not (CHROMIUM and DRIVER):
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail("REQUIRE_BROWSER is set but chromium or chromedriver is missing", pytrace=False)
    pytest.skip("browser tests need Debian's chromium and chromium-driver (apt-get install chromium "
                "chromium-driver); .ci/run installs them", allow_module_level=True)

pytestmark = pytest.mark.browser  # `./dev test -m browser`; CI always runs them

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def world(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/dashboard.db")
    upgrade(engine)
    rt = Runtime(db=engine, content=Content(), clock=FixedClock(PROMPT - timedelta(days=40)))
    sock = free_socket()
    port = sock.getsockname()[1]
    rt.dashboard_url = f"http://127.0.0.1:{port}/dashboard"
    app = create_app(rt, Dashboard(rt, secret="browser-test-secret-" + "x" * 20, secure_cookie=False).routes())
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield rt
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--lang=en-GB"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


def shot(driver, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    height = driver.execute_script("return document.body.scrollHeight")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, max(600, min(height + 120, 4000)))
    driver.save_screenshot(str(path))
    return path


def join_as_clinician(rt) -> Chat:
    with Session(rt.db) as session:
        token = create(session, role="clinician", now=rt.clock(), name="Dr Chan")
        session.commit()
    chan = Chat(rt, address="chan")
    chan.send(f"/start {token}")
    chan.tap("Yes")
    return chan


def ken_invited_by(rt, chan: Chat) -> Chat:
    token = re.search(r"JOIN ([A-Za-z0-9_-]{20,64})", chan.send("/invite")).group(1)
    ken = Chat(rt, address="ken")
    ken.send(f"JOIN {token}")
    ken.tap("Yes")
    ken.send("Ken")
    ken.tap("Hong Kong")
    ken.send("21:00")
    ken.send("60 days ago")
    ken.tap("Later")
    return ken


def mum_joins(rt, ken: Chat) -> Chat:
    ken.send("/network")
    ken.send("Mum")
    ken.send("9123 4567")
    ken.tap("Yes")
    ken.tap("Finish")
    ken.send("/invite")
    token = re.search(r"JOIN ([A-Za-z0-9_-]{20,64})", ken.tap("Mum")).group(1)
    mum = Chat(rt, address="mum", profile_name="Mum")
    mum.send(f"JOIN {token}")
    mum.tap("Yes")
    return mum


def history(rt, ken_id: int) -> None:
    """Five weeks of Ken's record before tonight: mostly steady, cravings rising lately, a slip last week."""
    first = date(2026, 1, 25)
    with Session(rt.db) as session:
        for n in range(36):
            day = first + timedelta(days=n)
            at = datetime(day.year, day.month, day.day, 13, 5, tzinfo=UTC)
            answered = n % 9 != 4
            craving = 3 + (n % 3) if n < 30 else 7 + n % 2
            session.add(CheckIn(client_id=ken_id, local_date=day, prompted_at=at - timedelta(minutes=5),
                                answered_at=at if answered else None, mood=(4 - (n % 4 == 3)) if answered else None,
                                craving=craving if answered else None))
            if n % 5 == 0:
                session.add(Craving(client_id=ken_id, logged_at=at - timedelta(hours=3), intensity=craving + 1,
                                    triggers=["trig:lonely", "trig:tired"] if n % 2 else ["trig:people"],
                                    plan="Call someone" if n % 2 else "Go for a walk",
                                    outcome="passed" if n % 3 else "still"))
        session.add(Slip(client_id=ken_id, occurred_on=date(2026, 2, 27), reported_at=datetime(2026, 2, 28, 2, 0,
                                                                                                tzinfo=UTC),
                         streak_days_before=20))
        session.commit()


def test_a_clinician_signs_in_from_chat_clears_an_alert_and_reads_a_clients_story(world, browser):
    rt = world
    chan = join_as_clinician(rt)
    ken = ken_invited_by(rt, chan)
    mum = mum_joins(rt, ken)
    history(rt, ken.person().id)
    # Ken's check-in goes unanswered: a reminder, then his partner is nudged ...
    sender = RecordingSender()
    for at in (PROMPT, PROMPT + timedelta(hours=1), PROMPT + timedelta(hours=3)):
        tick(rt, at, sender)
    rt.clock.now = PROMPT + timedelta(hours=23, minutes=50)

    link = re.search(r"(http://127\.0\.0\.1:\d+/dashboard/login\?token=\S+)", chan.send("/dashboard")).group(1)
    browser.get(link)
    wait = WebDriverWait(browser, 10)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#queue")))
    assert browser.current_url.endswith("/dashboard") and "Needs you now" in browser.page_source
    assert "Nothing needs you right now" in browser.find_element(By.CSS_SELECTOR, "#queue").text
    shot(browser, "01-alerts-empty")

    # ... and a day after the prompt the ladder reaches Dr Chan, whose page is open.
    tick(rt, PROMPT + timedelta(hours=24), sender)
    assert any("Ken" in m.text for m in chan.new_messages() if m.kind == "alert")
    appeared = time.monotonic()
    alert = WebDriverWait(browser, 6).until(  # no reload: the queue polls every 3 s
        ec.presence_of_element_located((By.CSS_SELECTOR, "#queue .alert.missed_checkin")))
    assert time.monotonic() - appeared < 5.5
    assert "Ken" in alert.text and "No check-in for 2 Mar" in alert.text
    alert.find_element(By.TAG_NAME, "summary").click()
    assert "nudged Mum" in alert.text and "alerted Dr Chan" in alert.text
    shot(browser, "02-alerts-missed-checkin")

    alert.find_element(By.CSS_SELECTOR, "button.ack").click()
    wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, "#queue .notice"), "Acknowledged"))
    assert not browser.find_elements(By.CSS_SELECTOR, "#queue .alert")
    shot(browser, "03-alerts-acknowledged")
    with Session(rt.db) as session:
        step = session.exec(select(EscalationStep).where(EscalationStep.step == "acknowledged")).one()
        assert step.source == "dashboard"

    mum.new_messages()
    rt.clock.now = PROMPT + timedelta(hours=24, minutes=20)
    ken.send("/checkin")
    ken.send("4")
    ken.send("3")
    ken.tap("No")
    ken.tap("Skip")
    with Session(rt.db) as session:
        to_mum = session.exec(select(Outbox).where(Outbox.address == "mum", col(Outbox.id) > mum.seen)).all()
    assert any("checked in" in m.text for m in to_mum), [m.text for m in to_mum]

    browser.find_element(By.LINK_TEXT, "Clients").click()
    row = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "tbody tr")))
    assert "Ken" in row.text and row.find_elements(By.CSS_SELECTOR, "svg.spark")
    assert "slip" in row.find_element(By.CSS_SELECTOR, ".risk").text
    shot(browser, "04-clients")

    row.find_element(By.LINK_TEXT, "Ken").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "svg.chart")))
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 3 and all(c.get_attribute("aria-label") for c in charts)
    assert "Lonely" in browser.page_source and "Go for a walk: chosen" in browser.page_source
    assert "Not shared with you" in browser.page_source
    shot(browser, "05-client-30-days")
    browser.find_element(By.LINK_TEXT, "90 days").click()
    wait.until(lambda d: "days=90" in d.current_url)
    shot(browser, "06-client-90-days")

    browser.set_window_size(375, 800)
    browser.get(rt.dashboard_url)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#queue")))
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(browser, "07-alerts-375px")
    browser.get(rt.dashboard_url + "/clients")
    shot(browser, "08-clients-375px")


def test_a_clinician_with_500_clients_clears_the_queue_and_reads_any_story(tmp_path, browser):
    """The caseload of a real clinic: seeded history for 500 clients, some with open alerts."""
    import random

    from bench.dashboard_bench import NOW, seed
    from handlers import dashboard

    engine = make_engine(f"sqlite:///{tmp_path}/clinic.db")
    upgrade(engine)
    clinician_id, ids = seed(engine, 500)
    rt = Runtime(db=engine, content=Content(), clock=FixedClock(NOW))
    sock = free_socket()
    rt.dashboard_url = f"http://127.0.0.1:{sock.getsockname()[1]}/dashboard"
    app = create_app(rt, Dashboard(rt, secret="browser-test-secret-" + "y" * 20, secure_cookie=False).routes())
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        with Session(engine) as session:
            from data.models import Person

            token = dashboard.login_token(session, session.get(Person, clinician_id), NOW)
            session.commit()
        browser.get(f"{rt.dashboard_url}/login?token={token}")
        wait = WebDriverWait(browser, 10)
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#queue")))
        open_alerts = len(browser.find_elements(By.CSS_SELECTOR, "#queue .alert"))
        assert open_alerts > 5
        shot(browser, "10-clinic-queue")
        for left in range(open_alerts, 0, -1):  # clear the queue, oldest first, one Acknowledge at a time
            browser.find_element(By.CSS_SELECTOR, "#queue .alert button.ack").click()
            wait.until(lambda d, n=left: len(d.find_elements(By.CSS_SELECTOR, "#queue .alert")) == n - 1)
        assert "Nothing needs you right now" in browser.find_element(By.CSS_SELECTOR, "#queue").text
        browser.find_element(By.LINK_TEXT, "Clients").click()
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "tbody tr")))
        assert len(browser.find_elements(By.CSS_SELECTOR, "tbody tr")) == 500
        shot(browser, "11-clinic-clients")
        someone = random.Random(3).choice(ids)
        browser.get(f"{rt.dashboard_url}/clients/{someone}?days=90")
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "svg.chart")))
        assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) == 3
        shot(browser, "12-clinic-client")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
