"""Choice buttons in real headless Chromium: an earlier question's buttons stop working, and focus moves on.

Found in a user-journey review: an old "Yes" pressed at "may we say who we are?" answered it; after a keyboard
choice focus stayed on the pressed button, so Enter again answered the next question.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from tests.conftest import ALWAYS_OPEN
from tests.e2e.conftest import (
    LiveServer,
    ask,
    bot_texts,
    describe,
    open_chat,
    parent_texts,
    press,
    serve,
    severe_violations,
    wait_for,
)

pytestmark = pytest.mark.browser

# The caseworker form after the consent question, up to "may we say who we are?" (open: 4 is E-mail).
TO_SAY_WHO = ("2", "Need help with an EHC request", "3", "4", "yes", "4", "parent@example.org")


@pytest.fixture(scope="module")
def open_office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with the office always open, so the form's choices never depend on when the tests run."""
    with serve(tmp_path_factory.mktemp("e2e-choices"), OFFICE_HOURS=ALWAYS_OPEN) as server:
        yield server


def groups(driver: Chrome) -> list[WebElement]:
    """Every message's choices, oldest first."""
    return driver.find_elements(By.CSS_SELECTOR, "#log li.msg .choices")


def buttons(group: WebElement) -> list[WebElement]:
    return group.find_elements(By.TAG_NAME, "button")


def usable(button: WebElement) -> bool:
    """A button that does something when pressed, and is not announced as unavailable."""
    return button.is_enabled() and button.get_attribute("aria-disabled") != "true"


def latest_choices(driver: Chrome) -> list[WebElement]:
    return buttons(groups(driver)[-1])


def active(driver: Chrome) -> Any:
    return driver.switch_to.active_element


def test_an_old_yes_cannot_answer_a_later_question(browser: Chrome, open_office: LiveServer, axe_source: str) -> None:
    open_chat(browser, open_office)
    browser.find_element(By.ID, "message").click()
    assert "keep a few details" in ask(browser, "HUMAN")
    consent = groups(browser)[0]
    consent_yes = buttons(consent)[0]
    assert consent_yes.text == "Yes"
    before = len(bot_texts(browser))
    consent_yes.click()
    wait_for(browser, lambda d: len(bot_texts(d)) > before, "choosing Yes sent nothing")

    # Used once: the whole question's buttons stop working, and the one chosen shows (and says) so.
    assert not any(usable(b) for b in buttons(consent)), "the answered question's buttons still work"
    assert "chosen" in (consent_yes.get_attribute("textContent") or ""), "a screen reader hears which was chosen"
    styles = browser.execute_script(
        "return arguments[0].map(function (b) { return getComputedStyle(b).backgroundColor; });", buttons(consent)
    )
    assert styles[0] != styles[1], "the chosen answer looks different from the one not chosen"

    browser.find_element(By.ID, "message").click()
    for message in TO_SAY_WHO:
        ask(browser, message)
    assert "say who we are" in bot_texts(browser)[-1]
    # Every earlier question's buttons are retired once a newer question is on screen, answered or not.
    *earlier, latest = groups(browser)
    assert earlier and not any(usable(b) for g in earlier for b in buttons(g))
    assert all(usable(b) for b in buttons(latest))
    severe = severe_violations(browser, axe_source)
    assert not severe, "axe-core found serious/critical problems with the retired choices:\n" + describe(severe)

    # The reviewer's click: the consent question's "Yes", now. Nothing is sent, nothing is answered.
    said = len(parent_texts(browser))
    browser.execute_script("arguments[0].click();", consent_yes)  # even a click that reaches it
    time.sleep(1)
    assert len(parent_texts(browser)) == said, "the old Yes was sent"
    assert "say who we are" in bot_texts(browser)[-1]

    no = latest_choices(browser)[1]
    assert no.text == "No"
    no.click()
    wait_for(browser, lambda d: "exactly what a caseworker will see" in d.find_element(By.ID, "log").text,
             "no summary")
    summary = bot_texts(browser)[-1]
    assert "Say who we are: No" in summary and "Say who we are: Yes" not in summary


def test_a_keyboard_choice_moves_focus_to_the_next_question_never_leaves_it_on_the_pressed_button(
    browser: Chrome, open_office: LiveServer
) -> None:
    open_chat(browser, open_office)
    browser.find_element(By.ID, "message").click()
    ask(browser, "HUMAN")
    pressed = latest_choices(browser)[0]
    browser.execute_script("arguments[0].focus();", pressed)
    before = len(bot_texts(browser))
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: len(bot_texts(d)) > before, "Enter on Yes sent nothing")
    assert "mainly about" in bot_texts(browser)[-1]

    # Focus is on the new question's first choice: not on the Yes just pressed.
    first_topic = latest_choices(browser)[0]
    wait_for(browser, lambda d: active(d) == first_topic, "focus did not move to the new question's first choice")
    assert active(browser) != pressed

    # Its answer asks for words: focus goes to the message box, where Enter cannot send an answer by itself.
    before = len(bot_texts(browser))
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: len(bot_texts(d)) > before, "Enter on the first topic sent nothing")
    assert "In a few words" in bot_texts(browser)[-1]
    wait_for(browser, lambda d: active(d).get_attribute("id") == "message", "focus did not move to the message box")
    said = len(parent_texts(browser))
    press(browser, Keys.ENTER)
    time.sleep(0.5)
    assert len(parent_texts(browser)) == said, "Enter again sent something"

    # The region that announces new messages is still there and polite: focus moves, announcements stay.
    region = browser.find_element(By.CSS_SELECTOR, "[role=log]")
    assert region.get_attribute("aria-live") == "polite" and region.find_elements(By.ID, "log")


def test_a_question_answered_by_typing_loses_its_buttons_and_one_still_standing_keeps_them(
    browser: Chrome, open_office: LiveServer
) -> None:
    open_chat(browser, open_office)
    browser.find_element(By.ID, "message").click()
    for message in ("HUMAN", "yes", *TO_SAY_WHO, "yes"):
        ask(browser, message)
    assert "exactly what a caseworker will see" in bot_texts(browser)[-1]
    summary = groups(browser)[-1]
    assert buttons(summary)[0].text == "Send it"

    ask(browser, "PRIVACY")  # asks nothing: the summary is still the question, its buttons still work
    assert all(usable(b) for b in buttons(summary)), "reading the privacy notice retired the summary's buttons"

    assert "Your reference is" in ask(browser, "yes")  # sent by typing
    wait_for(browser, lambda d: not any(usable(b) for b in buttons(summary)),
             "the summary's buttons still offer to send it again")


def test_a_choice_the_chat_has_moved_on_from_in_another_tab_is_refused_and_taken_back(
    browser: Chrome, open_office: LiveServer
) -> None:
    open_chat(browser, open_office)
    browser.find_element(By.ID, "message").click()
    ask(browser, "HUMAN")
    first = browser.current_window_handle
    browser.execute_script("window.open(location.href);")  # a duplicated tab: the same chat, carried on there
    wait_for(browser, lambda d: len(d.window_handles) == 2, "no second tab")
    second = next(h for h in browser.window_handles if h != first)
    browser.switch_to.window(second)
    wait_for(browser, lambda d: d.find_element(By.ID, "resume-yes").is_displayed(), "not asked to carry on")
    browser.find_element(By.ID, "resume-yes").click()
    wait_for(browser, lambda d: any("Welcome back" in t for t in bot_texts(d)), "did not carry on")
    assert "mainly about" in ask(browser, "yes")  # consent given there: the chat is at the topic question

    browser.switch_to.window(first)  # here the consent question's buttons are still the newest on screen
    said = len(parent_texts(browser))
    yes = latest_choices(browser)[0]
    yes.click()
    status = browser.find_element(By.ID, "status")
    wait_for(browser, lambda d: "earlier question" in status.text, "no word that the old Yes was not taken")
    assert len(parent_texts(browser)) == said, "the refused Yes is still shown as sent"
    assert not usable(yes)

    browser.switch_to.window(second)  # the old Yes ("1") did not answer the topic question there
    assert "In a few words" in ask(browser, "2")
