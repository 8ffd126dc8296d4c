"""The chat on a small phone (320x568) in real headless Chromium: a compact header, the newest message in view.

Found in a user-journey review: the header took about 30% of the screen and the newest question scrolled under
it. The quick exit is a safety feature: it stays on screen whatever the size.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from tests.e2e.conftest import BrowserFactory, LiveServer, ask, open_chat

pytestmark = pytest.mark.browser


def test_a_small_phone_keeps_the_quick_exit_and_shows_the_newest_question_whole(
    browser_factory: BrowserFactory, live_server: LiveServer
) -> None:
    phone = browser_factory(320, 568, mobile=True)
    open_chat(phone, live_server)
    assert phone.execute_script("return [window.innerWidth, window.innerHeight]") == [320, 568]
    header = phone.find_element(By.CSS_SELECTOR, "header.top")
    assert header.size["height"] <= 0.15 * 568, f"the header takes {header.size['height']}px of 568"

    def on_screen(element: WebElement) -> dict[str, float]:
        return dict(phone.execute_script(
            "var r = arguments[0].getBoundingClientRect(), h = document.querySelector('header.top');"
            "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,"
            "        under: h.getBoundingClientRect().bottom, height: window.innerHeight, width: window.innerWidth};",
            element,
        ))

    phone.find_element(By.ID, "message").click()
    for message in ("HUMAN", "yes"):  # a long question, then a question with seven choices
        ask(phone, message)
        newest = phone.find_elements(By.CSS_SELECTOR, "#log li.msg")[-1]
        place = on_screen(newest)
        assert place["top"] >= place["under"] - 1, f"the newest message starts under the header: {place}"
        if place["bottom"] - place["top"] <= place["height"] - place["under"]:
            assert place["bottom"] <= place["height"] + 1, f"the newest message runs off the screen: {place}"
        else:  # taller than the screen: it starts just below the header, the question first
            assert place["top"] <= place["under"] + 16, f"the top of the newest message is off the screen: {place}"
        exit_button = on_screen(phone.find_element(By.ID, "quick-exit"))
        assert exit_button["top"] >= 0 and exit_button["bottom"] <= exit_button["height"]
        assert exit_button["right"] <= exit_button["width"], "the quick exit is on screen"

    # A short reply leaves room for the message box too: the parent sees where to type.
    ask(phone, "2")
    place = on_screen(phone.find_elements(By.CSS_SELECTOR, "#log li.msg")[-1])
    box = on_screen(phone.find_element(By.ID, "message"))
    assert place["top"] >= place["under"] - 1 and box["bottom"] <= box["height"] + 1, (place, box)
    # The quick exit's hint is still read out with it.
    exit_button_el = phone.find_element(By.ID, "quick-exit")
    hint = phone.find_element(By.ID, exit_button_el.get_attribute("aria-describedby") or "")
    assert "Shift" in (hint.get_attribute("textContent") or "")
