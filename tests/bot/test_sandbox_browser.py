"""The sandbox in a real browser: three phones and a clock play the accountability loop by taps and typing.

A newcomer opens /sandbox, gives the clinician's invitation to the client, onboards by tapping, adds a partner and
forwards her the invitation; "Next event" brings the prompt, the reminder, the partner's nudge and the clinician's
alert in order; the clinician acknowledges in her phone; the client checks in and both others get the all-clear.
Two browser sessions see separate worlds. Screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

import threading
import time

import pytest
import uvicorn
from starlette.applications import Starlette

from bot.web.sandbox import Sandbox
from tests.bot.test_dashboard_browser import CHROMIUM, DRIVER, shot
from tests.fakes.loopback import free_socket

if not (CHROMIUM and DRIVER):
    pytest.skip("browser tests need Debian's chromium and chromium-driver", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def site(tmp_path, content):
    sandbox = Sandbox(content=content, root=tmp_path / "worlds", max_worlds=3)
    sock = free_socket()
    server = uvicorn.Server(uvicorn.Config(Starlette(routes=sandbox.routes()), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/sandbox", sandbox
    server.should_exit = True
    thread.join(timeout=10)


def new_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(DRIVER), options=options)


@pytest.fixture
def browser():
    driver = new_browser()
    yield driver
    driver.quit()


class Page:
    def __init__(self, driver) -> None:
        self.d = driver

    def phone(self, role: str):
        return self.d.find_element(By.ID, f"phone-{role}")

    def last_text(self, role: str) -> str:
        bubbles = self.phone(role).find_elements(By.CSS_SELECTOR, ".bubble.bot")  # newest first
        return bubbles[0].find_element(By.TAG_NAME, "p").text if bubbles else ""

    def _after(self, act) -> None:
        marker = self.d.find_element(By.ID, "world")
        act()
        WebDriverWait(self.d, 15).until(lambda d: _stale(marker))

    def tap(self, role: str, label: str) -> None:
        buttons = [b for b in self.phone(role).find_elements(By.CSS_SELECTOR, ".buttons button")
                   if label.casefold() in b.text.casefold()]
        assert buttons, (role, label, [b.text for b in self.phone(role).find_elements(By.CSS_SELECTOR, "button")])
        self._after(buttons[-1].click)

    def type(self, role: str, text: str) -> None:
        box = self.phone(role).find_element(By.CSS_SELECTOR, "input[name=text]")
        box.send_keys(text)
        self._after(lambda: box.send_keys(Keys.ENTER))

    def click(self, css: str) -> None:
        self._after(self.d.find_element(By.CSS_SELECTOR, css).click)


def _stale(element) -> bool:
    try:
        element.is_enabled()
        return False
    except Exception:  # noqa: BLE001 - StaleElementReferenceException: the world was re-rendered
        return True


def test_a_newcomer_plays_the_whole_loop_with_three_phones_and_a_clock(site, browser):
    url, _ = site
    browser.get(url)
    page = Page(browser)
    shot(browser, "20-sandbox-start")
    page.click("#phone-clinician .forward")
    assert "Dr Chan" in page.last_text("client") and "will see your check-ins" in page.last_text("client")
    page.tap("client", "Yes")
    page.type("client", "Ken")
    page.tap("client", "Hong Kong")
    page.tap("client", "21:00")
    page.type("client", "30 days ago")
    page.tap("client", "Later")
    page.type("client", "/network")
    page.type("client", "Mum")
    page.type("client", "9123 4567")
    page.tap("client", "Yes")
    page.tap("client", "Finish")
    page.type("client", "/invite")
    page.tap("client", "Mum")
    page.click("#phone-client .forward")
    page.tap("partner", "Yes")
    assert "accountability partner" in page.last_text("partner")

    page.click(".clock-next")  # 21:00: the prompt
    assert "time for today's check-in" in page.last_text("client")
    page.click(".clock-next")  # +1 h: the reminder
    assert "gentle nudge" in page.last_text("client")
    page.click(".clock-next")  # +3 h: the partner's nudge
    assert "Ken hasn't done today's check-in" in page.last_text("partner")
    page.click(".clock-next")  # +24 h: the clinician's alert
    assert "Missed check-in: Ken" in page.last_text("clinician")
    why = browser.find_element(By.CSS_SELECTOR, ".why").text
    assert why.index("reminded the client") < why.index("nudged Mum") < why.index("alerted Dr Chan")
    shot(browser, "21-sandbox-alert")

    page.tap("clinician", "Acknowledge")
    assert "You've got Ken" in page.last_text("clinician")
    page.type("client", "/checkin")
    page.tap("client", "Good")
    page.tap("client", "2")
    page.tap("client", "No")
    page.tap("client", "Skip")
    assert "Good news: Ken has checked in" in page.last_text("partner")
    assert "All clear: Ken has checked in" in page.last_text("clinician")
    shot(browser, "22-sandbox-all-clear")


def test_two_browser_sessions_see_separate_worlds(site, browser):
    url, sandbox = site
    browser.get(url)
    Page(browser).click("#phone-clinician .forward")
    other = new_browser()
    try:
        other.get(url)
        assert len(sandbox.worlds) == 2
        assert not other.find_elements(By.CSS_SELECTOR, "#phone-client .bubble")  # the other world is untouched
        assert browser.find_elements(By.CSS_SELECTOR, "#phone-client .bubble")
    finally:
        other.quit()


def test_the_client_phone_onboards_in_traditional_chinese(site, browser):
    url, _ = site
    browser.get(url)
    page = Page(browser)
    page.click("#phone-client .lang")  # 繁體中文
    assert browser.find_element(By.CSS_SELECTOR, ".clock-next").text == "下一件事"  # the page speaks it too
    page.click("#phone-clinician .forward")
    assert "邀請你用診所嘅康復同行小幫手" in page.last_text("client")
    page.tap("client", "好")
    page.type("client", "阿明")
    asked = page.last_text("client")  # the next question (the time zone), in Chinese
    assert asked and sum("\u4e00" <= ch <= "\u9fff" for ch in asked) > len(asked) // 3, asked
    shot(browser, "23-sandbox-chinese")
