"""In real headless Chromium: a note being typed when the login ends (the nightly lock) is not lost. The page sends
it as its own form would, the server keeps it encrypted for that caseworker and case, and it is in the note box
when they next sign in and open the case; nothing of it is ever in the browser's storage or cookies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.e2e.conftest import LiveServer, press, serve, wait_for
from tests.e2e.test_console_browser import claim, locked, submit_sign_in, type_into, unlock
from tests.integration.test_console import add_caseworker, enquire, fresh_code
from tests.integration.test_console_cookie import readable

pytestmark = pytest.mark.browser

NOTE = "Mum says the SENCo has refused the assessment request; she wants help writing to the council"
WORDS = "SENCo"  # a piece of the note to look for wherever the browser keeps things
KEPT = "was not saved, because you were signed out or the screen locked first"
OFFERED = "You were signed out before your note was saved. Here it is"
IDLE_MINUTES = 0.1  # the screen locks after 6 seconds; the keep-alive goes every 2 seconds of activity


@pytest.fixture(scope="module")
def note_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory.mktemp("console-note"), CONSOLE_IDLE_MINUTES=str(IDLE_MINUTES)) as server:
        yield server


@pytest.fixture
def server(note_server: LiveServer) -> Iterator[LiveServer]:
    """The console's clock is the real one until a test moves it past the nightly lock."""
    note_server.app.config["CONSOLE_CLOCK"] = None
    yield note_server
    note_server.app.config["CONSOLE_CLOCK"] = None


def after_the_nightly_lock(server: LiveServer) -> None:
    """Move the console's clock to 7.05pm (London), after the 7pm lock, later than now."""
    zone = ZoneInfo("Europe/London")
    today = datetime.now(zone)
    night = datetime.combine(today.date(), time(19, 5), tzinfo=zone)
    moment = (night if night > today else night + timedelta(days=1)).astimezone(UTC)
    server.app.config["CONSOLE_CLOCK"] = lambda: moment


def nothing_in_the_browser(browser: Chrome) -> None:
    assert browser.execute_script("return [localStorage.length, sessionStorage.length]") == [0, 0]
    assert WORDS not in browser.current_url
    for cookie in browser.get_cookies():
        assert WORDS not in readable(cookie["value"]), cookie["name"]


def case_with_a_note_typed(browser: Chrome, server: LiveServer, username: str) -> tuple[str, str]:
    """A caseworker signed in, on a case they claimed, a note typed and not saved; (reference, TOTP secret)."""
    reference = enquire(server.app)
    secret = add_caseworker(server.app, username)
    submit_sign_in(browser, server, username, fresh_code(server.app, username, secret))
    wait_for(browser, lambda d: d.current_url == server.at("/caseworker/queue"), "not signed in")
    claim(browser, server, reference)
    type_into(browser, "note", NOTE)
    nothing_in_the_browser(browser)
    return reference, secret


def kept_and_offered_back(browser: Chrome, server: LiveServer, username: str, secret: str, reference: str) -> None:
    """Sent to sign in, told the note is kept; signed in again, the note is in the case's note box."""
    wait_for(browser, lambda d: d.current_url == server.at("/caseworker/login"), "not sent to sign in", timeout=20)
    said = browser.find_element(By.TAG_NAME, "main").text
    assert f"Your note on {reference} {KEPT}" in said and WORDS not in said
    nothing_in_the_browser(browser)

    submit_sign_in(browser, server, username, fresh_code(server.app, username, secret))
    wait_for(browser, lambda d: d.current_url == server.at("/caseworker/queue"), "not signed in again")
    assert f"Your unsaved note on {reference} is kept for you" in browser.find_element(By.TAG_NAME, "main").text
    browser.get(server.at(f"/caseworker/case/{reference}"))
    assert OFFERED in browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_element(By.ID, "note").get_attribute("value") == NOTE
    nothing_in_the_browser(browser)
    browser.find_element(By.XPATH, "//button[.='Save note']").click()
    wait_for(browser, lambda d: "Note saved." in d.find_element(By.TAG_NAME, "main").text, "the note was not saved")
    assert OFFERED not in browser.find_element(By.TAG_NAME, "main").text


def test_a_note_being_typed_when_the_nightly_lock_falls_is_kept_and_offered_back(
    browser: Chrome, server: LiveServer,
) -> None:
    reference, secret = case_with_a_note_typed(browser, server, "nia")
    after_the_nightly_lock(server)

    def still_typing(driver: Chrome) -> bool:
        """Activity, so the page's keep-alive asks and finds the login over."""
        if driver.current_url.endswith("/caseworker/login"):
            return True
        press(driver, Keys.SHIFT)
        return False

    wait_for(browser, still_typing, "the page never found the login over", timeout=20)
    kept_and_offered_back(browser, server, "nia", secret, reference)


def test_a_note_left_at_the_locked_screen_is_kept_when_the_login_has_ended_by_the_password(
    browser: Chrome, server: LiveServer,
) -> None:
    reference, secret = case_with_a_note_typed(browser, server, "ravi")
    wait_for(browser, locked, "the screen never locked", timeout=IDLE_MINUTES * 60 + 10)
    after_the_nightly_lock(server)
    unlock(browser)
    kept_and_offered_back(browser, server, "ravi", secret, reference)


def at_london(server: LiveServer, moment: str) -> None:
    """Fix the console's clock at this London time ('YYYY-MM-DD HH:MM')."""
    fixed = datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)
    server.app.config["CONSOLE_CLOCK"] = lambda: fixed


def lock_warning(driver: Chrome) -> str:
    """The nightly lock's warning as shown, or "" while it is not."""
    warning = driver.find_element(By.ID, "lock-warning")
    return str(warning.text) if warning.is_displayed() else ""


def test_the_page_says_the_nightly_lock_is_near_in_time_to_save_the_note(browser: Chrome, server: LiveServer) -> None:
    at_london(server, "2026-11-27 18:50")  # a Friday, ten minutes before the 7pm lock
    case_with_a_note_typed(browser, server, "tom")
    assert lock_warning(browser) == ""  # not yet: five minutes before
    at_london(server, "2026-11-27 18:56")
    browser.refresh()
    said = wait_for(browser, lock_warning, "no warning before the nightly lock")
    assert "The console locks for the night at 19:00" in said and "Save" in said
