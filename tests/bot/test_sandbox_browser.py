"""The sandbox in a real browser: three phones and a clock play the accountability loop by taps and typing.

A newcomer opens /sandbox, gives the clinician's invitation to the client, onboards by tapping, adds a partner and
forwards her the invitation; "Next event" brings the prompt, the reminder, the partner's nudge and the clinician's
alert in order; the clinician acknowledges in her phone; the client checks in and both others get the all-clear.
Two browser sessions see separate worlds. Screenshots go to test-output/screenshots/.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from starlette.applications import Starlette

from bot.web.sandbox import Sandbox
from tests.bot.test_dashboard_browser import CHROMIUM, DRIVER, shot
from tests.fakes.loopback import AppServer

if not (CHROMIUM and DRIVER):
    pytest.skip("browser tests need Debian's chromium and chromium-driver", allow_module_level=True)

pytestmark = pytest.mark.browser  # `./dev test -m browser`; CI always runs them

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Hong Kong


@pytest.fixture
def site(tmp_path, content):
    sandbox = Sandbox(content=content, root=tmp_path / "worlds", max_worlds=3, start=lambda: START)
    with AppServer(Starlette(routes=sandbox.routes())) as server:  # open pages hold event streams: a quick stop
        yield f"{server.url}/sandbox", sandbox
    sandbox.close()


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
    """The sandbox page as a visitor uses it. An action's answer says which version of the world it left; the
    page shows it once the event stream has told it and it has swapped the changed parts in."""

    def __init__(self, driver) -> None:
        self.d = driver

    def phone(self, role: str):
        return self.d.find_element(By.ID, f"phone-{role}")

    def last_text(self, role: str) -> str:
        """The newest message from the bot on a phone (read in one go: the page may swap parts any time)."""
        return self.d.execute_script(
            "var b = document.querySelector('#chat-' + arguments[0] + ' .bubble.bot');"  # newest first
            "return b ? Array.from(b.querySelectorAll('p.text'), p => p.innerText).join('\\n') : '';", role)

    def chat_text(self, role: str) -> str:
        """Everything on a phone's chat, scrolled out of view or not."""
        return self.d.execute_script("return document.getElementById('chat-' + arguments[0]).textContent", role)

    def version(self) -> int:
        return int(self.d.execute_script("return document.getElementById('clock').dataset.version"))

    def _after(self, act) -> None:
        """Do `act` (an htmx form) and wait until the page shows the world as the action left it."""
        before = self.d.execute_script("return document.body.dataset.acted || ''")
        act()
        WebDriverWait(self.d, 15).until(
            lambda d: (acted := d.execute_script("return document.body.dataset.acted || ''")) != before
            and self.version() >= int(acted))

    def _reload(self, act) -> None:
        """Do `act` (a form that loads the whole page) and wait for the new page."""
        marker = self.d.find_element(By.ID, "world")
        act()
        WebDriverWait(self.d, 30).until(lambda d: _stale(marker))
        WebDriverWait(self.d, 15).until(lambda d: d.find_elements(By.ID, "clock"))

    def tap(self, role: str, label: str) -> None:
        buttons = [b for b in self.phone(role).find_elements(By.CSS_SELECTOR, ".buttons button, .replies button")
                   if label.casefold() in b.text.casefold()]
        assert buttons, (role, label, [b.text for b in self.phone(role).find_elements(By.CSS_SELECTOR, "button")])
        self._after(buttons[-1].click)

    def type(self, role: str, text: str) -> None:
        box = self.phone(role).find_element(By.CSS_SELECTOR, "input[name=text]")
        box.send_keys(text)
        self._after(lambda: box.send_keys(Keys.ENTER))
        assert self.d.find_element(By.ID, f"say-{role}").get_attribute("value") == ""  # sent: empty again

    def click(self, css: str) -> None:
        self._after(self.d.find_element(By.CSS_SELECTOR, css).click)

    def load(self, css: str) -> None:
        self._reload(self.d.find_element(By.CSS_SELECTOR, css).click)


def _stale(element) -> bool:
    try:
        element.is_enabled()
        return False
    except Exception:  # noqa: BLE001 - StaleElementReferenceException: the page was loaded again
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
    assert "now Ken's accountability partner" in page.chat_text("partner") and "/guide" in page.last_text("partner")

    page.click(".clock-next")  # 21:00: the prompt
    assert "time for today's check-in" in page.last_text("client")
    page.click(".clock-next")  # +1 h: the reminder
    assert "gentle nudge" in page.last_text("client")
    page.click(".clock-next")  # +3 h: the partner's nudge
    assert "Ken hasn't done today's check-in" in page.last_text("partner")
    page.click(".clock-next")  # +24 h: the clinician's alert
    assert "Missed check-in: Ken" in page.last_text("clinician")
    why = browser.find_element(By.CSS_SELECTOR, ".why").text
    assert why.index("alerted Dr Chan") < why.index("nudged Mum") < why.index("reminded the client")  # newest first
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
    page.load("#phone-client .lang")  # 繁體中文
    assert browser.find_element(By.CSS_SELECTOR, ".clock-next").text == "下一件事"  # the page speaks it too
    assert browser.title.startswith("試用") and "（週" in browser.find_element(By.CSS_SELECTOR, ".now").text
    page.click("#phone-clinician .forward")
    assert "邀請你用診所嘅康復同行小幫手" in page.last_text("client")
    page.tap("client", "好")
    page.type("client", "阿明")
    asked = page.last_text("client")  # the next question (the time zone), in Chinese
    assert asked and sum("\u4e00" <= ch <= "\u9fff" for ch in asked) > len(asked) // 3, asked
    shot(browser, "23-sandbox-chinese")


def test_a_story_with_history_the_dashboard_tab_and_a_whatsapp_phone_and_the_page_follows_live(site, browser):
    """Start two weeks in; the dashboard tab (signed in as the world's clinician) flags Ken's rising cravings;
    the partner's phone shown as WhatsApp; the clinician's alert acknowledged in the dashboard tab appears in the
    phones' page by itself, with nothing done there."""
    url, _ = site
    browser.get(url)
    page = Page(browser)
    page.load(".story-two_weeks")
    assert "Ken" in page.phone("client").find_element(By.TAG_NAME, "h2").text
    why = browser.find_element(By.ID, "why").text
    assert "reminded the client" in why and "nudged Mum" in why
    page.click("#phone-partner .style")  # show as WhatsApp
    assert "whatsapp" in page.phone("partner").get_attribute("class")
    browser.find_element(By.ID, "say-partner").send_keys("half-typed")  # a message not sent yet ...
    page.click(".clock-next")  # 21:00: tonight's prompt, and a day after the missed one, Dr Chan's alert
    assert "Missed check-in: Ken" in page.last_text("clinician")
    assert browser.find_element(By.ID, "say-partner").get_attribute("value") == "half-typed"  # ... survives
    shot(browser, "24-sandbox-two-weeks")

    phones = browser.current_window_handle
    browser.find_element(By.CSS_SELECTOR, ".tab-dashboard").click()  # opens in a tab of its own
    WebDriverWait(browser, 10).until(lambda d: len(d.window_handles) == 2)
    browser.switch_to.window(next(h for h in browser.window_handles if h != phones))
    WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#queue"))
    assert "Dr Chan" in browser.find_element(By.CSS_SELECTOR, ".who").text
    browser.find_element(By.LINK_TEXT, "Clients").click()
    row = WebDriverWait(browser, 15).until(lambda d: d.find_element(By.XPATH, "//tr[.//a[text()='Ken']]"))
    assert "craving" in row.text and "vs usual" in row.text  # the risk flag, in words
    browser.find_element(By.LINK_TEXT, "Ken").click()
    WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "svg"))
    shot(browser, "25-sandbox-dashboard-client")
    browser.find_element(By.LINK_TEXT, "Alerts").click()
    WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#queue form button"))
    browser.find_element(By.CSS_SELECTOR, "#queue form button").click()  # Acknowledge
    WebDriverWait(browser, 15).until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#queue form button"))

    browser.switch_to.window(phones)  # untouched since: the event stream brings the change
    WebDriverWait(browser, 5).until(lambda d: "acknowledged by Dr Chan" in d.find_element(By.ID, "why").text)
    page.type("client", "/checkin")
    page.tap("client", "Okay")
    page.tap("client", "4")
    page.tap("client", "No")
    page.tap("client", "Skip")
    assert "All clear: Ken has checked in" in page.last_text("clinician")
    page.click(".clock-now")  # back to the story's present: tonight's alert and check-in undone
    assert "Missed check-in: Ken" not in page.last_text("clinician")
    assert not browser.find_elements(By.CSS_SELECTOR, ".clock-now")


def test_the_export_is_a_file_the_visitor_can_download(site, browser, tmp_path):
    url, _ = site
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    browser.get(url)
    page = Page(browser)
    page.load(".story-two_weeks")
    page.type("client", "/export")
    link = page.phone("client").find_element(By.CSS_SELECTOR, "a.file")
    name = link.text.split()[-1]
    assert name.startswith("recovery-export-") and name.endswith(".json")
    link.click()
    WebDriverWait(browser, 10).until(lambda d: (tmp_path / name).exists())
    assert '"display_name": "Ken"' in (tmp_path / name).read_text(encoding="utf-8")
