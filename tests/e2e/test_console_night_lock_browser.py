"""The nightly lock in real headless Chromium, Friday 27 November 2026 (lock 7pm; office Mon-Fri 9 to 5): the
warning is in view while the caseworker is typing a note at the bottom of the case, and says truly when they can
sign in again (on duty: at once; not: when the office opens on Monday); at 7pm the case leaves the screen at once,
for a neutral page saying the console has locked for the night, and a note being typed is still kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By

from tests.e2e.conftest import LiveServer, serve, wait_for
from tests.e2e.test_console_browser import claim, submit_sign_in, type_into
from tests.e2e.test_console_note_kept_browser import NOTE, at_london, kept_and_offered_back, lock_warning
from tests.integration.test_console import add_caseworker, enquire, fresh_code

pytestmark = pytest.mark.browser

CASE_TEXT = "Jamie has been out of Oak Primary since the May half term"
NIGHT = "The console has locked for the night"


@pytest.fixture(scope="module")
def night_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve(tmp_path_factory.mktemp("console-night")) as server:
        yield server


@pytest.fixture
def server(night_server: LiveServer) -> Iterator[LiveServer]:
    yield night_server
    night_server.app.config["CONSOLE_CLOCK"] = None


def on_a_case(browser: Chrome, server: LiveServer, username: str, *, on_duty: bool) -> tuple[str, str]:
    """Signed in, on a case they claimed; (reference, TOTP secret)."""
    reference = enquire(server.app, summary=CASE_TEXT)
    secret = add_caseworker(server.app, username, on_duty=on_duty)
    submit_sign_in(browser, server, username, fresh_code(server.app, username, secret))
    wait_for(browser, lambda d: d.current_url == server.at("/caseworker/queue"), "not signed in")
    claim(browser, server, reference)
    return reference, secret


def in_view(browser: Chrome, element_id: str) -> bool:
    """Whether the element is shown inside the window as it is scrolled now."""
    return bool(browser.execute_script(
        "var box = document.getElementById(arguments[0]).getBoundingClientRect();"
        "return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;", element_id))


def night_lock_shown(driver: Chrome) -> str:
    """The night-lock screen's words once shown, or ""."""
    screen = driver.find_element(By.ID, "night-lock")
    return str(screen.text) if screen.is_displayed() else ""


@pytest.mark.parametrize(("on_duty", "words"), [
    (False, "after it, you can sign in again when the office opens at 9am on Monday 30 November"),
    (True, "after it, you can sign in again at once, as you are on duty"),
])
def test_the_warning_is_in_view_at_the_note_box_and_says_when_they_can_sign_in_again(
    browser: Chrome, server: LiveServer, on_duty: bool, words: str
) -> None:
    at_london(server, "2026-11-27 18:56")  # four minutes before the 7pm lock: the warning shows at once
    on_a_case(browser, server, "tom" if on_duty else "una", on_duty=on_duty)
    browser.execute_script("document.getElementById('note').scrollIntoView({block: 'end'});")
    type_into(browser, "note", "Rang mum back")
    assert browser.execute_script("return window.scrollY") > 0  # scrolled down to "Add a note"
    said = wait_for(browser, lock_warning, "no warning before the nightly lock")
    assert "The console locks for the night at 19:00" in said and words in said
    assert in_view(browser, "lock-warning") and in_view(browser, "note")


def test_at_the_lock_the_case_leaves_the_screen_at_once_and_the_note_is_kept(
    browser: Chrome, server: LiveServer
) -> None:
    at_london(server, "2026-11-27 18:59:40")  # the page falls due to lock 20 seconds after it is drawn
    reference, secret = on_a_case(browser, server, "ivy", on_duty=True)
    case_url = browser.current_url
    type_into(browser, "note", NOTE)
    at_london(server, "2026-11-27 19:05")  # the server's clock is past the lock: it refuses this login now

    said = wait_for(browser, night_lock_shown, "the case stayed on screen after the lock", timeout=30)
    assert browser.current_url == case_url  # at once, without waiting for a request
    assert NIGHT in said and "you can sign in again at once, as you are on duty" in said
    page = str(browser.execute_script("return document.body.innerText"))
    assert CASE_TEXT not in page and NOTE not in page
    kept_and_offered_back(browser, server, "ivy", secret, reference)


def test_with_nothing_typed_the_neutral_page_stays(browser: Chrome, server: LiveServer) -> None:
    at_london(server, "2026-11-27 18:59:45")
    on_a_case(browser, server, "kit", on_duty=False)
    case_url = browser.current_url
    said = wait_for(browser, night_lock_shown, "the case stayed on screen after the lock", timeout=30)
    assert NIGHT in said and "when the office opens at 9am on Monday 30 November" in said
    assert CASE_TEXT not in str(browser.execute_script("return document.body.innerText"))
    assert browser.current_url == case_url
