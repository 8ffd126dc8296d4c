"""The idle lock throws the page away (policy 8.4), in real headless Chromium: at the locked screen nothing of the
case is left in the page's memory for the browser's developer tools to find, and the password brings it back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By

from tests.e2e.conftest import LiveServer, press, serve, wait_for
from tests.e2e.test_console_browser import locked, mark_page, queue_rows, same_page, sign_in, unlock
from tests.integration.test_console import enquire

pytestmark = pytest.mark.browser

CASE_TEXT = "Jamie Smith has been out of Oak Primary since the May half term"
NOTE = "Rang mum back, she is sending the exclusion letter"
IDLE_MINUTES = 0.2  # 12 seconds: time to look through the page's memory before it locks


@pytest.fixture(scope="module")
def idle_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with an idle lock short enough to wait for."""
    with serve(tmp_path_factory.mktemp("console-lock"), CONSOLE_IDLE_MINUTES=str(IDLE_MINUTES)) as server:
        yield server


# The kinds of node the case page is made of (read while it is shown), and any kind that could hold the whole page
# at once; a node the script never touched is reached through one that it did (a parent's textContent holds its
# children's). Looking for every kind there is would take longer than the idle lock.
PAGE_KINDS = ("return Array.from(new Set(Array.prototype.map.call(document.querySelectorAll('#content *'),"
              " function (node) { return node.constructor.name; })));")
WHOLE_KINDS = ("DocumentFragment", "Document", "HTMLDocument", "Text", "HTMLElement")
TEXT_OF = ("function () { return this.map(function (node) { try {"
           " return (node.documentElement || node).textContent || ''; } catch (e) { return ''; } }).join('\\n'); }")


def text_in_memory(driver: Chrome, kinds: set[str]) -> str:
    """All the text the page's nodes still hold, in the document or taken out of it and kept: what the
    developer tools' queryObjects() finds at the locked screen (after a garbage collection: only what is kept)."""
    driver.execute_cdp_cmd("HeapProfiler.enable", {})
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    group = {"objectGroup": "lock-test"}
    found = []
    for kind in sorted(kinds):
        prototype = driver.execute_cdp_cmd("Runtime.evaluate", {"expression": f"{kind}.prototype", **group})
        nodes = driver.execute_cdp_cmd("Runtime.queryObjects", {
            "prototypeObjectId": prototype["result"]["objectId"], **group})
        text = driver.execute_cdp_cmd("Runtime.callFunctionOn", {
            "objectId": nodes["objects"]["objectId"], "returnByValue": True, "functionDeclaration": TEXT_OF})
        found.append(str(text["result"].get("value", "")))
    driver.execute_cdp_cmd("Runtime.releaseObjectGroup", group)
    return "\n".join(found)


def claim(driver: Chrome, server: LiveServer, reference: str) -> None:
    """Click the row's Claim button; the case page opens. Nothing on the case page is looked up as an element
    here: the driver would keep hold of it, and so of the case, when the lock lets it go."""
    button = f"//table[@id='queue']//button[.='Claim {reference}']"
    wait_for(driver, lambda d: d.find_element(By.XPATH, button).click() or True, "could not press Claim")
    wait_for(driver, lambda d: d.current_url == server.at(f"/caseworker/case/{reference}"), "no case page")


def summary_text(driver: Chrome) -> str | None:
    """The case summary's text as the page shows it (read by script: no element is held on to)."""
    return driver.execute_script(
        "var p = document.querySelector('p.summary'); return p ? p.textContent.trim() : null;")


def test_the_locked_screen_holds_nothing_of_the_case_and_the_password_brings_it_back_with_the_typing(
    browser: Chrome, idle_server: LiveServer
) -> None:
    reference = enquire(idle_server.app, summary=CASE_TEXT)
    sign_in(browser, idle_server, "lee")
    claim(browser, idle_server, reference)
    case_url = browser.current_url
    assert summary_text(browser) == CASE_TEXT
    kinds = {*WHOLE_KINDS, *browser.execute_script(PAGE_KINDS)}
    assert CASE_TEXT in text_in_memory(browser, kinds)  # the check can see the case while it is on the page
    browser.execute_script("document.getElementById('note').focus();")
    press(browser, NOTE)  # typed, not saved
    mark_page(browser)

    wait_for(browser, locked, "the screen never locked", timeout=IDLE_MINUTES * 60 + 10)
    assert CASE_TEXT not in text_in_memory(browser, kinds), "the locked page still holds the case in its memory"
    assert CASE_TEXT not in browser.page_source
    assert browser.execute_script("return [localStorage.length, sessionStorage.length]") == [0, 0]

    unlock(browser)
    wait_for(browser, lambda d: summary_text(d) == CASE_TEXT, "the case did not come back after the password")
    assert not locked(browser)
    assert same_page(browser), "shown again in place, never a reload (a reload can repeat a POST)"
    assert browser.current_url == case_url
    assert browser.find_element(By.ID, "note").get_attribute("value") == NOTE, "the unsent note was lost"
    browser.find_element(By.XPATH, "//button[.='Save note']").click()
    wait_for(browser, lambda d: "Note saved." in d.find_element(By.TAG_NAME, "main").text, "the note was not saved")
    assert NOTE in browser.find_element(By.TAG_NAME, "main").text


def test_the_queue_shown_again_after_the_lock_keeps_refreshing_itself(
    browser: Chrome, idle_server: LiveServer
) -> None:
    sign_in(browser, idle_server, "max")
    wait_for(browser, locked, "the screen never locked", timeout=IDLE_MINUTES * 60 + 10)
    assert not browser.find_elements(By.ID, "queue")
    unlock(browser)
    wait_for(browser, lambda d: d.find_elements(By.ID, "queue") and not locked(d), "the queue did not come back")

    arrived = enquire(idle_server.app)  # the queue polls every 10 seconds: the new enquiry shows, no reload
    wait_for(browser, lambda d: arrived in [row.get_attribute("data-reference") for row in queue_rows(d)],
             "the queue shown after the unlock no longer refreshes itself", timeout=25)
