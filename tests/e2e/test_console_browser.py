"""The caseworker console in real headless Chromium: sign-in with TOTP, claim, idle lock, chat reply, axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select

from intake import concerns, parent_messages, queue, staff
from intake.db import unit_of_work
from tests.conftest import ALWAYS_OPEN
from tests.e2e.conftest import (
    BrowserFactory,
    LiveServer,
    ask,
    bot_texts,
    describe,
    open_chat,
    serve,
    severe_violations,
    wait_for,
)
from tests.integration.test_console import PASSWORD, add_caseworker, enquire, svc

pytestmark = pytest.mark.browser

IDLE_MINUTES = 0.1  # the idle lock after 6 seconds (CONSOLE_IDLE_MINUTES takes fractions)
SUMMARY = "Needs help with an EHC assessment"  # what `enquire` puts in a normal case
TRIGGER = "mentions a child being hurt"  # what `enquire(urgent=True)` flags
REPLY = "Hello, this is Alex from the advice service. Is now a good time to talk here?"


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with the default settings (5-minute idle lock), for this module's tests."""
    with serve(tmp_path_factory.mktemp("console-app")) as server:
        yield server


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app always open, so the chat offers a caseworker's reply in it whenever the test runs."""
    with serve(tmp_path_factory.mktemp("console-open"), OFFICE_HOURS=ALWAYS_OPEN) as server:
        yield server


@pytest.fixture(scope="module")
def idle_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with an idle lock short enough to wait for."""
    with serve(tmp_path_factory.mktemp("console-idle"), CONSOLE_IDLE_MINUTES=str(IDLE_MINUTES)) as server:
        yield server


def type_into(driver: Chrome, element_id: str, text: str) -> None:
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def submit_sign_in(driver: Chrome, server: LiveServer, username: str, code: str, password: str = PASSWORD) -> None:
    """Fill in the sign-in form as a caseworker would and press the button."""
    if not driver.current_url.startswith(server.at("/caseworker/login")):
        driver.get(server.at("/caseworker/login"))
    type_into(driver, "username", username)
    type_into(driver, "password", password)
    type_into(driver, "code", code)
    driver.find_element(By.XPATH, "//main//form//button[.='Sign in']").click()


def sign_in(driver: Chrome, server: LiveServer, username: str) -> None:
    """A new on-duty account signs in with its password and the code its authenticator app shows now."""
    secret = add_caseworker(server.app, username)
    submit_sign_in(driver, server, username, pyotp.TOTP(secret).now())
    wait_for(driver, lambda d: d.current_url == server.at("/caseworker/queue"), f"{username} was not signed in")


def queue_rows(driver: Chrome) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#queue tbody tr[data-reference]")


def claim(driver: Chrome, server: LiveServer, reference: str) -> None:
    """Click the row's Claim button; the case page opens."""
    button = f"//table[@id='queue']//button[.='Claim {reference}']"
    # The queue re-renders itself every few seconds: find the button afresh if it was just replaced.
    wait_for(driver, lambda d: d.find_element(By.XPATH, button).click() or True, "could not press Claim")
    wait_for(driver, lambda d: d.current_url == server.at(f"/caseworker/case/{reference}"), "no case page")
    assert reference in driver.find_element(By.TAG_NAME, "h1").text


def test_sign_in_with_password_and_authenticator_code(browser: Chrome, console_server: LiveServer) -> None:
    secret = add_caseworker(console_server.app, "robin")
    browser.get(console_server.at("/caseworker/queue"))
    wait_for(browser, lambda d: d.current_url == console_server.at("/caseworker/login"), "the queue needs a sign-in")
    code_box = browser.find_element(By.ID, "code")
    assert code_box.get_attribute("autocomplete") == "one-time-code"
    assert code_box.get_attribute("inputmode") == "numeric"

    # The right password with a wrong code is refused, without saying which factor was wrong.
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    submit_sign_in(browser, console_server, "robin", wrong)
    error = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "main .error[role=alert]"), "no error")
    assert error[0].text == "Sign-in failed. Check your details and code, or ask the duty manager."
    assert browser.current_url == console_server.at("/caseworker/login")

    submit_sign_in(browser, console_server, "robin", pyotp.TOTP(secret).now())
    wait_for(browser, lambda d: d.current_url == console_server.at("/caseworker/queue"), "the code was not accepted")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Queue"
    assert browser.find_element(By.CSS_SELECTOR, "nav .who").text == "robin (caseworker)"
    assert browser.execute_script("return document.cookie") == "", "the session cookie is HttpOnly"
    assert browser.execute_script("return [localStorage.length, sessionStorage.length]") == [0, 0]

    browser.find_element(By.XPATH, "//nav//button[.='Sign out']").click()
    wait_for(browser, lambda d: d.current_url == console_server.at("/caseworker/login"), "sign-out did not work")
    browser.get(console_server.at("/caseworker/queue"))
    assert browser.current_url == console_server.at("/caseworker/login"), "signed out means signed out"


def test_urgent_enquiry_is_on_top_and_claimed_by_clicking(browser: Chrome, console_server: LiveServer) -> None:
    normal = enquire(console_server.app)
    urgent = enquire(console_server.app, urgent=True)
    sign_in(browser, console_server, "sam")

    rows = queue_rows(browser)
    assert [row.get_attribute("data-reference") for row in rows[:1]] == [urgent], "the urgent enquiry is on top"
    top = rows[0]
    assert "urgent" in top.get_attribute("class").split()
    assert top.find_element(By.CSS_SELECTOR, ".flag").text == "URGENT"
    other = next(row for row in rows if row.get_attribute("data-reference") == normal)
    assert top.value_of_css_property("background-color") != other.value_of_css_property("background-color"), \
        "the urgent row looks different, not only in words"
    assert SUMMARY not in browser.page_source and "+447700900123" not in browser.page_source

    claim(browser, console_server, urgent)
    assert "URGENT" in browser.find_element(By.TAG_NAME, "h1").text
    assert TRIGGER in browser.find_element(By.CSS_SELECTOR, ".safeguarding").text
    assert browser.find_element(By.XPATH, "//button[.='Release back to the queue']").is_displayed()

    browser.find_element(By.LINK_TEXT, "Queue").click()
    wait_for(browser, lambda d: d.current_url == console_server.at("/caseworker/queue"), "no queue page")
    assert urgent not in [row.get_attribute("data-reference") for row in queue_rows(browser)], "claimed: gone"
    browser.find_element(By.LINK_TEXT, "My caseload").click()
    wait_for(browser, lambda d: urgent in d.find_element(By.TAG_NAME, "main").text, "not in my caseload")


def test_the_polled_queue_names_the_topic_as_the_page_does(browser: Chrome, console_server: LiveServer) -> None:
    sign_in(browser, console_server, "lee")
    later = enquire(console_server.app)  # arrives after the page was drawn: only console.js's polling shows it
    row = f"//table[@id='queue']//tr[@data-reference='{later}']"
    wait_for(browser, lambda d: d.find_elements(By.XPATH, row), "the new enquiry never appeared", timeout=25)
    assert browser.find_element(By.XPATH, f"{row}/td[3]").text == "EHC needs assessments and plans"


def test_a_failed_duty_alert_stays_marked_when_the_queue_refreshes(browser: Chrome, console_server: LiveServer) -> None:
    sign_in(browser, console_server, "kim")
    later = enquire(console_server.app, urgent=True)  # only console.js's polling draws this row
    with unit_of_work(svc(console_server.app).sessions) as session:
        concerns.record_alert(session, later, "ConnectionRefusedError")
    row = f"//table[@id='queue']//tr[@data-reference='{later}']"
    wait_for(browser, lambda d: d.find_elements(By.XPATH, row), "the new enquiry never appeared", timeout=25)
    assert browser.find_element(By.XPATH, f"{row}/td[2]").text == "URGENT Duty alert failed"


def test_a_case_sent_back_by_a_new_concern_says_whose_it_was_when_the_queue_refreshes(
    browser: Chrome, console_server: LiveServer
) -> None:
    sign_in(browser, console_server, "pat")  # the duty caseworker, queue open
    reference = enquire(console_server.app)
    with unit_of_work(svc(console_server.app).sessions) as session:  # alice claims it, then the parent discloses
        enquiry = queue.claim(session, "alice", reference)
        concerns.add_disclosure(session, svc(console_server.app).keys, enquiry, (TRIGGER,))
    row = f"//table[@id='queue']//tr[@data-reference='{reference}']"  # only console.js's polling draws it
    wait_for(browser, lambda d: d.find_elements(By.XPATH, row), "the returned case never appeared", timeout=25)
    assert browser.find_element(By.XPATH, f"{row}/td[2]").text == "URGENT — previously with alice"
    marker = browser.find_element(By.XPATH, f"{row}//span[@class='moved']")
    assert not looks_marked(marker), f"the refreshed row's marker does not stand out: {looks_marked(marker)}"
    claim(browser, console_server, reference)
    assert browser.find_element(By.ID, "handover").text.startswith("Urgent — previously with alice: moved out")


TRANSPARENT = ("rgba(0, 0, 0, 0)", "transparent")


def looks_marked(marker: WebElement) -> list[str]:
    """How a marker fails to stand out from the plain text of its cell ([] when it does stand out)."""
    cell = marker.find_element(By.XPATH, "./ancestor::td[1]")
    problems = []
    if not marker.is_displayed():
        problems.append("not displayed")
    if marker.value_of_css_property("background-color") in TRANSPARENT:
        problems.append("no background of its own")
    if marker.value_of_css_property("background-color") == cell.value_of_css_property("background-color"):
        problems.append("the same background as its cell")
    if marker.value_of_css_property("border-top-style") in ("none", "hidden"):
        problems.append("no border (it would vanish where colours are forced)")
    if int(marker.value_of_css_property("font-weight")) < 600:
        problems.append("not bold")
    return problems


def test_returned_and_new_message_markers_stand_out_and_pass_axe(
    browser: Chrome, console_server: LiveServer, axe_source: str
) -> None:
    app = console_server.app
    returned, plain = enquire(app), enquire(app, urgent=True)
    written, quiet = enquire(app), enquire(app)
    with unit_of_work(svc(app).sessions) as session:  # alice had it when the parent disclosed: back in the queue
        concerns.add_disclosure(session, svc(app).keys, queue.claim(session, "alice", returned), (TRIGGER,))
        queue.claim(session, "dana", quiet)
        parent_messages.add(session, svc(app).keys, queue.claim(session, "dana", written), "he was sent home again")
    sign_in(browser, console_server, "dana")
    found: dict[str, list[dict[str, Any]]] = {}

    row = f"//table[@id='queue']//tr[@data-reference='{returned}']"
    marker = browser.find_element(By.XPATH, f"{row}//*[contains(@class, 'moved')]")
    assert marker.text == "previously with alice"  # the words say it, not only the look
    assert marker.find_element(By.XPATH, "..").text == "URGENT — previously with alice"
    assert not looks_marked(marker), f"'previously with' does not stand out: {looks_marked(marker)}"
    other = browser.find_element(By.XPATH, f"//table[@id='queue']//tr[@data-reference='{plain}']/td[2]")
    assert not other.find_elements(By.CSS_SELECTOR, ".moved")
    found["queue with a returned case"] = severe_violations(browser, axe_source)

    browser.find_element(By.LINK_TEXT, "My caseload").click()
    wait_for(browser, lambda d: d.current_url == console_server.at("/caseworker/caseload"), "no caseload page")
    cells = {ref: browser.find_element(By.XPATH, f"//table[@id='caseload']//tr[@data-reference='{ref}']/td[5]")
             for ref in (written, quiet)}
    marker = cells[written].find_element(By.CSS_SELECTOR, ".new-message")
    assert marker.text == "New message"
    assert not looks_marked(marker), f"'New message' does not stand out: {looks_marked(marker)}"
    assert cells[quiet].text == "none" and not cells[quiet].find_elements(By.CSS_SELECTOR, ".new-message")
    found["caseload with a new message"] = severe_violations(browser, axe_source)

    problems = "\n".join(f"{page}:\n{describe(v)}" for page, v in found.items() if v)
    assert not problems, "axe-core found serious/critical problems:\n" + problems


def content_text(driver: Chrome) -> str:
    return driver.execute_script("return document.getElementById('content').textContent")


def test_idle_lock_hides_the_case_until_the_password_is_given(browser: Chrome, idle_server: LiveServer) -> None:
    reference = enquire(idle_server.app)
    sign_in(browser, idle_server, "kim")
    assert browser.find_element(By.CSS_SELECTOR, 'meta[name="idle-minutes"]').get_attribute("content") == "0.1"
    claim(browser, idle_server, reference)
    summary = browser.find_element(By.CSS_SELECTOR, "p.summary")
    assert summary.text == SUMMARY and summary.is_displayed()
    lock = browser.find_element(By.ID, "idle-lock")
    assert not lock.is_displayed(), "no lock while the caseworker is busy"

    # Nobody touches the page: after the idle time the case is gone from it and the password is asked for.
    wait_for(browser, lambda d: d.find_element(By.ID, "idle-lock").is_displayed(), "the screen never locked",
             timeout=IDLE_MINUTES * 60 + 10)
    assert SUMMARY not in content_text(browser) and SUMMARY not in browser.page_source, "the case text is removed"
    assert reference not in content_text(browser)
    assert "locked" in browser.find_element(By.TAG_NAME, "body").get_attribute("class").split()
    assert "Screen locked" in lock.text and "Enter your password" in lock.text
    assert browser.switch_to.active_element.get_attribute("id") == "unlock-password", "the password has focus"
    # The server knows too: fetching the case page (as a reload would) gives the unlock page, not the case.
    wait_for(browser, lambda d: d.execute_async_script(
        "var needle = arguments[0], done = arguments[arguments.length - 1];"
        "fetch(location.href, {credentials: 'same-origin'}).then(function (r) { return r.text().then("
        "  function (t) { done(r.url.endsWith('/caseworker/unlock') && t.indexOf(needle) < 0); }); })"
        "  .catch(function () { done(false); });", SUMMARY,
    ), "the server still serves the case while the screen is locked")
    assert SUMMARY not in browser.page_source

    type_into(browser, "unlock-password", "not the password at all")
    browser.find_element(By.XPATH, "//form[@id='unlock-form']//button[.='Unlock']").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "unlock-error").text == "That password is not right.",
             "a wrong password was not refused")
    assert SUMMARY not in browser.page_source

    type_into(browser, "unlock-password", PASSWORD)
    browser.find_element(By.XPATH, "//form[@id='unlock-form']//button[.='Unlock']").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "p.summary"), "the case did not come back")
    assert browser.current_url == idle_server.at(f"/caseworker/case/{reference}")
    assert browser.find_element(By.CSS_SELECTOR, "p.summary").is_displayed()
    assert not browser.find_element(By.ID, "idle-lock").is_displayed()


HAND_OFF = (  # what the parent types, and what the bot must say back
    ("HUMAN", "Is that OK? Reply YES or NO."),
    ("yes", "What is it mainly about?"),
    ("1", "In a few words, what would you like help with?"),
    ("some words", "Which stage of education is your child at?"),
    ("2", "Does your child have an EHC plan?"),
    ("2", "Would you like a caseworker to contact you?"),
    ("yes", "Reply here in this chat (keep this page open: the chat closes after 2 hours away from it)"),
    ("1", "This is exactly what a caseworker will see"),
    ("yes", "Your reference is"),
)


def test_reply_reaches_the_parents_open_chat(browser_factory: BrowserFactory, open_server: LiveServer) -> None:
    console_server = open_server
    caseworker = browser_factory()
    sign_in(caseworker, console_server, "alex")  # waiting at the queue before the parent asks

    parent = browser_factory(400, 800)
    open_chat(parent, console_server)
    parent.find_element(By.ID, "message").click()
    answer = ""
    for message, expected in HAND_OFF:
        answer = ask(parent, message)
        assert expected in answer, f"after {message!r} the bot said:\n{answer}"
    assert "Contact: Reply here in this chat" in bot_texts(parent)[-2]
    found = re.search(r"Your reference is ([A-Z]{3}-\d{3})", answer)
    assert found, answer
    reference = found.group(1)

    # The queue updates by itself: the new enquiry appears without a reload.
    wait_for(caseworker, lambda d: reference in [r.get_attribute("data-reference") for r in queue_rows(d)],
             "the parent's enquiry never appeared in the queue", timeout=20)
    claim(caseworker, console_server, reference)
    assert "some words" in caseworker.find_element(By.CSS_SELECTOR, "p.summary").text
    type_into(caseworker, "reply-text", REPLY)
    caseworker.find_element(By.XPATH, "//button[.='Send to the chat']").click()
    wait_for(caseworker, lambda d: "Reply sent to the parent's chat." in d.find_element(By.TAG_NAME, "main").text,
             "the console did not confirm the reply")

    # The parent's page polls every 5 seconds: the caseworker's words appear, marked as from a caseworker.
    shown = wait_for(parent, lambda d: [m for m in d.find_elements(By.CSS_SELECTOR, "#log li.msg.caseworker")
                                        if REPLY in m.text], "the reply never reached the parent's page")
    assert shown[0].find_element(By.CSS_SELECTOR, ".who").text == "Caseworker"
    assert shown[0].is_displayed()


def test_console_pages_have_no_serious_accessibility_violations(
    browser: Chrome, console_server: LiveServer, axe_source: str
) -> None:
    urgent = enquire(console_server.app, urgent=True)
    normal = enquire(console_server.app)
    found: dict[str, list[dict[str, Any]]] = {}

    browser.get(console_server.at("/caseworker/login"))
    found["sign-in page"] = severe_violations(browser, axe_source)
    submit_sign_in(browser, console_server, "nobody", "123456")  # the page with its error message
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "main .error"), "no sign-in error shown")
    found["sign-in page with an error"] = severe_violations(browser, axe_source)

    sign_in(browser, console_server, "jo")
    assert len(queue_rows(browser)) >= 2
    found["queue"] = severe_violations(browser, axe_source)
    claim(browser, console_server, urgent)
    found["urgent case page"] = severe_violations(browser, axe_source)
    browser.get(console_server.at("/caseworker/queue"))
    claim(browser, console_server, normal)  # warnings, the text-message form, notes
    found["case page"] = severe_violations(browser, axe_source)

    problems = "\n".join(f"{page}:\n{describe(v)}" for page, v in found.items() if v)
    assert not problems, "axe-core found serious/critical problems in the console:\n" + problems


# ---- the idle lock keeps the page in memory, tells an ended login apart, and is shared by every tab ----

NOTE = "Spoke to mum on the phone; she will send the EHC letter"
ENDED = "Your session has ended. Please sign in again."


def locked(driver: Chrome) -> bool:
    return bool(driver.find_element(By.ID, "idle-lock").is_displayed())


def unlock(driver: Chrome, password: str = PASSWORD) -> None:
    type_into(driver, "unlock-password", password)
    driver.find_element(By.XPATH, "//form[@id='unlock-form']//button[.='Unlock']").click()


def mark_page(driver: Chrome) -> None:
    """A mark only this very page holds: gone if the page is ever reloaded."""
    driver.execute_script("window.consoleTestMark = 'still the same page';")


def same_page(driver: Chrome) -> bool:
    return bool(driver.execute_script("return window.consoleTestMark === 'still the same page';"))


def test_typed_note_survives_the_idle_lock_and_the_note_saves(
    browser: Chrome, idle_server: LiveServer
) -> None:
    reference = enquire(idle_server.app)
    sign_in(browser, idle_server, "noor")
    claim(browser, idle_server, reference)
    case_url = browser.current_url
    type_into(browser, "note", NOTE)
    mark_page(browser)

    wait_for(browser, locked, "the screen never locked", timeout=IDLE_MINUTES * 60 + 10)
    # Taken out of the page (not just hidden), and kept nowhere but in the page's memory.
    assert browser.execute_script("return document.getElementById('note')") is None
    assert SUMMARY not in browser.page_source and NOTE not in browser.page_source
    assert browser.execute_script("return [localStorage.length, sessionStorage.length]") == [0, 0]
    assert browser.execute_script("return document.cookie") == ""
    assert browser.current_url == case_url and NOTE not in browser.current_url

    unlock(browser)
    wait_for(browser, lambda d: not locked(d), "the right password did not unlock")
    assert same_page(browser), "unlocking must not reload the page (a reload can repeat a POST)"
    assert browser.current_url == case_url
    assert browser.find_element(By.ID, "note").get_attribute("value") == NOTE
    assert browser.find_element(By.CSS_SELECTOR, "p.summary").text == SUMMARY
    assert "locked" not in browser.find_element(By.TAG_NAME, "body").get_attribute("class").split()

    browser.find_element(By.XPATH, "//button[.='Save note']").click()
    wait_for(browser, lambda d: "Note saved." in d.find_element(By.TAG_NAME, "main").text, "the note was not saved")
    assert NOTE in browser.find_element(By.TAG_NAME, "main").text


def test_unlock_after_the_login_ended_says_so_and_goes_to_sign_in(browser: Chrome, idle_server: LiveServer) -> None:
    reference = enquire(idle_server.app)
    sign_in(browser, idle_server, "ola")
    claim(browser, idle_server, reference)
    wait_for(browser, locked, "the screen never locked", timeout=IDLE_MINUTES * 60 + 10)

    # Signed out elsewhere (the same as the login ending): the right password can no longer help.
    with unit_of_work(svc(idle_server.app).sessions) as db:
        staff.end_sessions(db, "ola")
    unlock(browser)
    wait_for(browser, lambda d: d.find_element(By.ID, "unlock-error").text == ENDED,
             "an ended login was reported as something else")
    assert SUMMARY not in browser.page_source
    wait_for(browser, lambda d: d.current_url == idle_server.at("/caseworker/login"), "not sent to sign in")
    assert ENDED in browser.find_element(By.TAG_NAME, "main").text


def test_too_many_wrong_passwords_at_the_lock_says_how_long_to_wait_not_that_the_console_is_down(
    browser: Chrome, idle_server: LiveServer
) -> None:
    reference = enquire(idle_server.app)
    sign_in(browser, idle_server, "uma")
    claim(browser, idle_server, reference)
    wait_for(browser, locked, "the screen never locked", timeout=IDLE_MINUTES * 60 + 10)

    for attempt in range(staff.MAX_FAILURES):
        unlock(browser, f"a wrong guess {attempt}")
        # The refused password is cleared from its box: the sign that the server answered.
        wait_for(browser, lambda d: d.find_element(By.ID, "unlock-password").get_attribute("value") == "",
                 f"wrong password {attempt + 1} got no answer")
        assert browser.find_element(By.ID, "unlock-error").text == "That password is not right."
    unlock(browser)  # even the right password waits now: sign-in is paused here
    error = wait_for(browser, lambda d: "paused" in d.find_element(By.ID, "unlock-error").text
                     and d.find_element(By.ID, "unlock-error"), "the pause was not explained")
    assert "could not be reached" not in error.text
    assert "signing in is paused here for up to 5 minutes" in error.text
    assert "Your account is not locked" in error.text
    assert error.is_displayed() and locked(browser)
    assert SUMMARY not in browser.page_source
    assert browser.find_element(By.ID, "unlock-password").get_attribute("value") == ""


def test_activity_in_one_tab_keeps_the_other_unlocked_and_lock_and_unlock_are_shared(
    browser: Chrome, idle_server: LiveServer
) -> None:
    reference = enquire(idle_server.app)
    sign_in(browser, idle_server, "pat")
    claim(browser, idle_server, reference)
    case_tab = browser.current_window_handle
    mark_page(browser)
    browser.switch_to.new_window("tab")
    queue_tab = browser.current_window_handle
    browser.get(idle_server.at("/caseworker/queue"))
    browser.switch_to.window(case_tab)

    # Typing in the case tab for twice the idle time: the queue tab, untouched, must not lock the login.
    note = browser.find_element(By.ID, "note")
    for word in range(int(IDLE_MINUTES * 60 * 2 / 1.5)):
        note.send_keys(f"word{word} ")
        assert not locked(browser)
        browser.execute_script("return new Promise(function (done) { setTimeout(done, 1500); })")
    browser.switch_to.window(queue_tab)
    assert not locked(browser), "the idle background tab locked although the caseworker was busy in another"
    assert browser.find_elements(By.ID, "queue")
    browser.switch_to.window(case_tab)
    assert not locked(browser)
    typed = browser.find_element(By.ID, "note").get_attribute("value")

    # Nobody touches either tab: both lock.
    wait_for(browser, locked, "the case tab never locked", timeout=IDLE_MINUTES * 60 + 10)
    browser.switch_to.window(queue_tab)
    wait_for(browser, locked, "the lock did not reach the other tab")
    assert not browser.find_elements(By.ID, "queue"), "the other tab's content is taken out too"

    # The password in one tab unlocks both.
    unlock(browser)
    wait_for(browser, lambda d: not locked(d), "the right password did not unlock")
    assert browser.find_elements(By.ID, "queue")
    browser.switch_to.window(case_tab)
    wait_for(browser, lambda d: not locked(d), "the unlock did not reach the other tab")
    assert same_page(browser)
    assert browser.find_element(By.ID, "note").get_attribute("value") == typed


# ---- a manager changes a caseworker's role: the list, the confirmation, the result ----

def test_a_manager_changes_a_role_by_clicking_and_confirming(
    browser: Chrome, console_server: LiveServer, axe_source: str
) -> None:
    secret = add_caseworker(console_server.app, "mina", "manager")
    add_caseworker(console_server.app, "kit")
    submit_sign_in(browser, console_server, "mina", pyotp.TOTP(secret).now())
    wait_for(browser, lambda d: d.current_url == console_server.at("/caseworker/queue"), "mina was not signed in")
    browser.find_element(By.XPATH, "//nav//a[.='Staff roles']").click()
    wait_for(browser, lambda d: d.current_url == console_server.at("/caseworker/staff"), "no staff roles page")
    found = {"staff roles": severe_violations(browser, axe_source)}

    Select(browser.find_element(By.XPATH, "//tr[td[.='kit']]//select")).select_by_visible_text("manager")
    browser.find_element(By.XPATH, "//button[.=\"Change kit's role\"]").click()
    wait_for(browser, lambda d: "/caseworker/staff/kit/role" in d.current_url, "no confirmation page")
    found["role confirmation"] = severe_violations(browser, axe_source)
    browser.find_element(By.XPATH, "//main//button[.='Yes, make kit a manager']").click()

    wait_for(browser, lambda d: d.current_url == console_server.at("/caseworker/staff"), "not back on the list")
    assert "kit is now a manager" in browser.find_element(By.CSS_SELECTOR, "main .flash").text
    assert browser.find_element(By.XPATH, "//tr[td[.='kit']]/td[2]").text == "manager"
    problems = "\n".join(f"{page}:\n{describe(v)}" for page, v in found.items() if v)
    assert not problems, "axe-core found serious/critical problems:\n" + problems
