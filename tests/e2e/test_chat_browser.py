"""The chat page in real headless Chromium: keyboard-only use, phone width, quick exit, accessibility."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver import Chrome
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from bot.config import DEFAULT_QUICK_EXIT_URL
from intake import chat_sessions
from intake.db import unit_of_work
from tests.conftest import ALWAYS_OPEN, make_app
from tests.e2e.conftest import (
    EXIT_PATH,
    ROOT,
    BrowserFactory,
    HostSite,
    LiveServer,
    ask,
    bot_texts,
    describe,
    host_page,
    open_chat,
    parent_texts,
    press,
    serve,
    serve_host_site,
    serve_wsgi,
    severe_violations,
    wait_for,
)

pytestmark = pytest.mark.browser

QUESTION = "how long does the council have to decide on an ehc assessment"


def active(driver: Chrome) -> Any:
    return driver.switch_to.active_element


def test_keyboard_only_question_gets_the_answer(browser: Chrome, live_server: LiveServer) -> None:
    open_chat(browser, live_server)
    press(browser, Keys.TAB)
    skip = active(browser)
    assert skip.get_attribute("class") == "skip", "the first Tab stop is the skip link"
    assert skip.is_displayed(), "the skip link becomes visible when focused"
    press(browser, Keys.ENTER)
    assert active(browser).get_attribute("id") == "message", "the skip link puts focus in the message box"

    before = len(bot_texts(browser))
    press(browser, QUESTION, Keys.ENTER)
    wait_for(browser, lambda d: any("6 weeks" in t for t in bot_texts(d)[before:]), "no '6 weeks' answer")
    assert parent_texts(browser)[-1].endswith(QUESTION)
    box = browser.find_element(By.ID, "message")
    assert box.get_attribute("value") == "", "the box is cleared after sending"
    assert active(browser).get_attribute("id") == "message", "focus stays in the box for the next message"
    region = browser.find_element(By.CSS_SELECTOR, "[role=log]")
    assert region.get_attribute("aria-live") == "polite", "replies are announced to screen readers"
    assert region.find_elements(By.ID, "log"), "the conversation list sits inside the live region"


def test_choice_buttons_work_from_the_keyboard(browser: Chrome, live_server: LiveServer) -> None:
    open_chat(browser, live_server)
    browser.find_element(By.ID, "message").click()
    ask(browser, "MENU")
    label = "EHC needs assessments and plans"
    wait_for(browser, lambda d: d.find_elements(By.XPATH, f"//ol[@id='log']//button[.='{label}']"), "no menu")

    # Tab through the page from the top until the choice has focus: it is in the Tab order. (A click on the
    # title, not the body: the middle of the body may be one of the choices, which would answer the menu.)
    browser.find_element(By.CSS_SELECTOR, "h1.title").click()
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
    for _ in range(40):
        press(browser, Keys.TAB)
        if active(browser).text == label:
            break
    else:
        pytest.fail(f"the choice {label!r} cannot be reached with Tab")
    before = len(bot_texts(browser))
    press(browser, Keys.SPACE)
    wait_for(browser, lambda d: len(bot_texts(d)) > before, "choosing with Space sent nothing")
    assert parent_texts(browser)[-1].endswith(label)

    # Enter works on the reply's own choices (or, if there are none, on a shortcut button).
    buttons = browser.find_elements(By.CSS_SELECTOR, "#log li.msg.bot:last-child .choices button")
    shortcut = ".shortcuts button[data-send=PRIVACY]"
    target = buttons[0] if buttons else browser.find_element(By.CSS_SELECTOR, shortcut)
    chosen = target.text
    browser.execute_script("arguments[0].focus();", target)
    before = len(bot_texts(browser))
    press(browser, Keys.ENTER)
    wait_for(browser, lambda d: len(bot_texts(d)) > before, "choosing with Enter sent nothing")
    assert parent_texts(browser)[-1].endswith(chosen)


def test_phone_width_has_no_horizontal_scroll(
    browser_factory: BrowserFactory, live_server: LiveServer
) -> None:
    phone = browser_factory(360, 740, mobile=True)
    open_chat(phone, live_server)
    assert phone.execute_script("return window.innerWidth") == 360
    phone.find_element(By.ID, "message").click()
    ask(phone, QUESTION)
    ask(phone, "MENU")
    widths = phone.execute_script(
        "return [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth];"
    )
    assert max(widths[:2]) <= widths[2], f"content is wider than the phone screen: {widths}"
    exit_button = phone.find_element(By.ID, "quick-exit")
    phone.execute_script("window.scrollTo(0, document.body.scrollHeight);")
    assert phone.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight"
        " && r.right <= window.innerWidth;", exit_button,
    ), "the quick exit stays on screen after scrolling"
    for element in phone.find_elements(By.CSS_SELECTOR, "button, textarea"):
        size = element.size
        if element.is_displayed():
            assert size["height"] >= 24 and size["width"] >= 24, f"{element.text!r} too small to tap: {size}"


def held_token(driver: Chrome) -> dict[str, Any] | None:
    """What the page keeps in sessionStorage for its chat (id and token), if anything."""
    return driver.execute_script("return JSON.parse(sessionStorage.getItem('intake-chat') || 'null');")


def read_with(driver: Chrome, kept: dict[str, Any]) -> tuple[int, str]:
    """What the token `kept` reads from the start of its chat, asked from the page on screen (same origin)."""
    status, body = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "fetch('/api/chat/sessions/' + arguments[0] + '/messages?after=0',"
        "      {headers: {Authorization: 'Bearer ' + arguments[1]}, cache: 'no-store'})"
        "  .then(function (r) { return r.text().then(function (t) { done([r.status, t]); }); });",
        kept["id"], kept["token"],
    )
    return int(status), str(body)


def ended_on_the_server(driver: Chrome, kept: dict[str, Any] | None) -> None:
    """The chat the tab held was ended on the server too: its token reads nothing now (the page sent a beacon
    as it left, without waiting, so it may land a moment after the exit site does)."""
    assert kept is not None
    wait_for(driver, lambda d: read_with(d, kept)[0] == 401, "the chat's token still reads it after the quick exit")


def chat_then_leave(driver: Chrome, server: LiveServer, leave: Any) -> None:
    """Chat, leave with `leave`, and check the browser kept nothing and history was replaced."""
    driver.get(server.at("/healthz?before=1"))  # the page the parent was on before the chat
    open_chat(driver, server)
    driver.find_element(By.ID, "message").click()
    ask(driver, QUESTION)
    assert any("6 weeks" in t for t in bot_texts(driver))
    held = driver.execute_script("return [sessionStorage.length, localStorage.length, document.cookie];")
    assert held == [1, 0, ""], f"the page keeps only its session token, in sessionStorage: {held}"
    kept = held_token(driver)
    history = driver.execute_script("return history.length;")

    leave(driver)

    wait_for(driver, lambda d: d.current_url == server.at(EXIT_PATH), "quick exit did not leave the page")
    assert driver.execute_script("return history.length;") == history, "replace(): no new history entry"
    left = driver.execute_script("return [sessionStorage.length, localStorage.length, document.cookie];")
    assert left == [0, 0, ""], f"quick exit left something in the browser: {left}"
    ended_on_the_server(driver, kept)

    driver.back()
    wait_for(driver, lambda d: d.current_url == server.at("/healthz?before=1"), "Back did not skip the chat")
    assert "6 weeks" not in driver.page_source
    # Opening the chat again starts afresh: nothing of the old conversation comes back.
    open_chat(driver, server)
    assert not any("6 weeks" in t or "Welcome back" in t for t in bot_texts(driver))
    assert parent_texts(driver) == []


def test_quick_exit_button(browser: Chrome, live_server: LiveServer) -> None:
    def click_exit(driver: Chrome) -> None:
        button = driver.find_element(By.ID, "quick-exit")
        assert button.is_displayed() and button.text == "Exit this page"
        button.click()

    chat_then_leave(browser, live_server, click_exit)


def test_quick_exit_by_pressing_shift_three_times(browser: Chrome, live_server: LiveServer) -> None:
    def shift_three_times(driver: Chrome) -> None:
        # Capitals typed with Shift are ordinary typing, not an exit.
        press(driver, "Is It ", Keys.SHIFT, "OK", Keys.SHIFT)
        assert driver.current_url == live_server.at("/")
        press(driver, Keys.CONTROL, "a", Keys.CONTROL, Keys.DELETE)
        chain = ActionChains(driver)
        for _ in range(3):
            chain.key_down(Keys.SHIFT).key_up(Keys.SHIFT)
        chain.perform()

    chat_then_leave(browser, live_server, shift_three_times)


@pytest.fixture(scope="module")
def host_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostSite]:
    """The service's website on its own origin, with the widget on its page."""
    with serve_host_site(tmp_path_factory.mktemp("e2e-widget")) as site:
        yield site


def open_widget_chat(driver: Chrome, site: HostSite) -> None:
    """On the service's website, open the widget's chat and switch into its frame."""
    driver.get(site.page)
    opener = wait_for(driver, lambda d: d.find_element(By.XPATH, "//button[.='Chat with us']"), "no widget button")
    opener.click()
    frame = wait_for(driver, lambda d: d.find_element(By.TAG_NAME, "iframe"), "the chat frame did not open")
    assert frame.get_attribute("src") == site.chat.at("/")
    driver.switch_to.frame(frame)
    wait_for(driver, lambda d: len(bot_texts(d)) >= 2, "the greeting never appeared in the widget")


def shift_three_times(driver: Chrome) -> None:
    """The quick exit from the keyboard."""
    chain = ActionChains(driver)
    for _ in range(3):
        chain.key_down(Keys.SHIFT).key_up(Keys.SHIFT)
    chain.perform()


@pytest.mark.parametrize("leave", ["button", "shift"])
def test_quick_exit_in_the_widget_takes_the_whole_tab_away_from_the_services_site(
    browser: Chrome, host_site: HostSite, leave: str
) -> None:
    exit_url = host_site.chat.at(EXIT_PATH)
    browser.get(host_site.chat.at("/healthz?before=1"))  # the page the parent was on before the service's site
    open_widget_chat(browser, host_site)
    browser.find_element(By.ID, "message").click()
    ask(browser, QUESTION)
    assert any("6 weeks" in t for t in bot_texts(browser))
    kept = held_token(browser)
    browser.switch_to.default_content()
    history = browser.execute_script("return history.length;")

    # The host page cannot send the visitor away by posting the chat's message itself: only the chat frame can.
    browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "window.postMessage({type: 'intake-quick-exit', url: arguments[0]}, '*');"
        "setTimeout(done, 300);",  # messages are delivered in order, well before this
        exit_url,
    )
    assert browser.current_url == host_site.page, "a message from the host page itself is ignored"
    assert browser.find_elements(By.TAG_NAME, "iframe"), "the chat is still open"

    browser.switch_to.frame(browser.find_element(By.TAG_NAME, "iframe"))
    if leave == "button":
        browser.find_element(By.ID, "quick-exit").click()
    else:
        shift_three_times(browser)
    browser.switch_to.default_content()

    # The top-level page, not just the frame, ends at the exit site; the service's site and its chat are gone.
    wait_for(browser, lambda d: d.current_url == exit_url, "quick exit left the service's website on screen")
    assert not browser.find_elements(By.TAG_NAME, "iframe")
    assert "Testshire" not in browser.page_source and "Close chat" not in browser.page_source
    assert browser.execute_script("return history.length;") == history, "replace(): no new history entry"
    ended_on_the_server(browser, kept)  # the exit site is on the chat's origin in these tests
    browser.back()
    wait_for(browser, lambda d: d.current_url == host_site.chat.at("/healthz?before=1"),
             "Back came back to the service's website")

    # Opening the chat on the website again starts afresh: the frame's own storage was wiped too.
    open_widget_chat(browser, host_site)
    assert not any("6 weeks" in t or "Welcome back" in t for t in bot_texts(browser))
    assert parent_texts(browser) == []


@pytest.mark.parametrize("chatted", [False, True])
def test_shift_three_times_on_the_services_own_page_leaves_and_wipes_the_chat(
    browser: Chrome, host_site: HostSite, chatted: bool
) -> None:
    exit_url = host_site.chat.at(EXIT_PATH)
    browser.get(host_site.chat.at("/healthz?before=1"))  # the page the parent was on before the service's site
    kept = None
    if chatted:  # a chat in the widget, then closed: what was said is still there for this tab until wiped
        open_widget_chat(browser, host_site)
        browser.find_element(By.ID, "message").click()
        ask(browser, QUESTION)
        kept = held_token(browser)
        browser.switch_to.default_content()
        browser.find_element(By.XPATH, "//button[.='Close chat']").click()
        assert not browser.find_elements(By.TAG_NAME, "iframe")
    else:
        browser.get(host_site.page)
        wait_for(browser, lambda d: d.find_elements(By.XPATH, "//button[.='Chat with us']"), "no widget button")
    history = browser.execute_script("return history.length;")

    # Capitals typed on the page (Shift with letters) are typing, not an exit.
    search = browser.find_element(By.ID, "search")
    search.click()
    press(browser, "Is It ", Keys.SHIFT, "OK", Keys.SHIFT, " Yes")
    assert browser.current_url == host_site.page and search.get_attribute("value") == "Is It OK Yes"

    started = time.monotonic()
    shift_three_times(browser)
    wait_for(browser, lambda d: d.current_url == exit_url, "Shift 3 times on the service's page did not leave")
    assert time.monotonic() - started < 5
    assert "Testshire" not in browser.page_source and "Chat with us" not in browser.page_source
    assert browser.execute_script("return history.length;") == history, "replace(): no new history entry"
    if chatted:  # the chat opened out of sight at #quick-exit ended the closed chat on the server as well
        ended_on_the_server(browser, kept)
    browser.back()
    wait_for(browser, lambda d: d.current_url == host_site.chat.at("/healthz?before=1"),
             "Back came back to the service's website")

    # The chat's own storage for this tab was wiped: opening it on the website again starts afresh.
    open_widget_chat(browser, host_site)
    assert not any("6 weeks" in t or "Welcome back" in t for t in bot_texts(browser))
    assert parent_texts(browser) == []


def test_shift_three_times_on_the_services_page_leaves_even_when_the_chat_does_not_answer(browser: Chrome) -> None:
    widget = (ROOT / "bot" / "static" / "widget.js").read_bytes()

    def chat_down(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        """The widget still comes from a cache, but the chat itself is down: it cannot wipe or answer."""
        if environ["PATH_INFO"] == "/widget.js":
            start_response("200 OK", [("Content-Type", "text/javascript")])
            return [widget]
        start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
        return [b"down"]

    script: dict[str, str] = {}
    with serve_wsgi(chat_down, "e2e-chat-down") as chat_port, serve_wsgi(host_page(script), "e2e-host") as port:
        script["src"] = f"http://127.0.0.1:{chat_port}/widget.js"
        browser.get(f"http://localhost:{port}/advice")
        wait_for(browser, lambda d: d.find_elements(By.XPATH, "//button[.='Chat with us']"), "no widget button")
        browser.find_element(By.TAG_NAME, "h1").click()
        shift_three_times(browser)
        # Hidden at once, while the chat is given its moment to answer (the offline test browser then fails to
        # reach the neutral site, but it has left the service's page all the same).
        assert browser.execute_script("return document.documentElement.style.visibility;") == "hidden"
        wait_for(browser, lambda d: d.current_url.rstrip("/") == DEFAULT_QUICK_EXIT_URL.rstrip("/"),
                 "the tab stayed on the service's page when the chat did not answer")


def test_exit_url_comes_from_config_and_defaults_to_a_neutral_site(tmp_path: Path) -> None:
    (tmp_path / "default").mkdir()
    (tmp_path / "own").mkdir()
    default = make_app(tmp_path / "default").test_client()
    assert "data-exit-url" not in default.get("/").get_data(as_text=True), "the script holds the default"
    with default.get("/static/chat.js") as response:
        assert f'|| "{DEFAULT_QUICK_EXIT_URL}"' in response.get_data(as_text=True)
    own = make_app(tmp_path / "own", QUICK_EXIT_URL="https://www.example.org/recipes?a=1&b=2").test_client()
    page = own.get("/").get_data(as_text=True)
    assert 'data-exit-url="https://www.example.org/recipes?a=1&amp;b=2"' in page


@pytest.mark.parametrize("width", [1280, 360])
def test_chat_page_has_no_serious_accessibility_violations(
    browser_factory: BrowserFactory, live_server: LiveServer, axe_source: str, width: int
) -> None:
    driver = browser_factory(width, 800, mobile=width < 500)
    open_chat(driver, live_server)
    driver.find_element(By.ID, "message").click()
    ask(driver, QUESTION)
    ask(driver, "MENU")  # a reply with choice buttons is on the page too
    driver.find_element(By.ID, "delete-chat").click()  # and the question before deleting the chat
    severe = severe_violations(driver, axe_source)
    assert not severe, "axe-core found serious/critical problems on the chat page:\n" + describe(severe)
    driver.refresh()  # the question whether to carry on with the chat from earlier
    wait_for(driver, asked_to_resume, "no question after a reload")
    severe = severe_violations(driver, axe_source)
    assert not severe, "axe-core found serious/critical problems on the question:\n" + describe(severe)


# ---- "Delete this chat" on a shared computer: asked first, then nothing of the chat is left on the page ----

CASEWORKER = "Hello, this is Sam from the service about your EHC request."
# The web chat's caseworker form up to "How should we contact you?" (as tests/integration/test_webchat_contact.py).
TO_CONTACT_METHOD = ("HUMAN", "yes", "2", "Need help with an EHC request", "3", "4", "yes")


def test_delete_this_chat_asks_first_then_clears_the_page_the_browser_and_the_chat(
    browser: Chrome, tmp_path: Path
) -> None:
    with serve(tmp_path, OFFICE_HOURS=ALWAYS_OPEN) as server:  # open, so a reply in this chat is offered
        open_chat(browser, server)
        browser.find_element(By.ID, "message").click()
        for message in (*TO_CONTACT_METHOD, "1"):
            ask(browser, message)
        assert "Your reference is" in ask(browser, "yes")
        kept = held_token(browser)
        assert kept is not None
        with unit_of_work(server.app.extensions["intake"].sessions) as session:
            chat_sessions.post_to_parent(session, server.app.extensions["intake"].keys, kept["id"], CASEWORKER)
        wait_for(browser, lambda d: CASEWORKER in d.find_element(By.ID, "log").text, "the reply never arrived")

        # Asked on the page first; "No" changes nothing and puts focus back on the button.
        delete = browser.find_element(By.XPATH, "//button[.='Delete this chat']")
        delete.click()
        panel = browser.find_element(By.ID, "delete-confirm")
        assert panel.is_displayed() and delete.get_attribute("aria-expanded") == "true"
        assert "withdraw any enquiry" in panel.text
        assert active(browser).text == "No, keep chatting", "focus moves into the question, on the safe answer"
        press(browser, Keys.ENTER)
        assert not panel.is_displayed() and active(browser).text == "Delete this chat"
        assert CASEWORKER in browser.find_element(By.ID, "log").text
        assert (held_token(browser) or {}).get("token") == kept["token"], "the chat is still open"
        assert "FORGET" not in parent_texts(browser), "nothing was sent"

        delete.click()
        browser.find_element(By.XPATH, "//button[.='Yes, delete it']").click()
        wait_for(browser, lambda d: "withdrawn" in d.find_element(By.ID, "log").text, "no word that it was deleted")
        log = browser.find_element(By.ID, "log")
        assert len(log.find_elements(By.TAG_NAME, "li")) == 1, f"the conversation is still on screen: {log.text}"
        for said in (CASEWORKER, "Need help with an EHC request", "Your reference is"):
            assert said not in browser.page_source
        assert browser.execute_script("return [sessionStorage.length, localStorage.length, document.cookie];") \
            == [0, 0, ""]

        # The token the tab had kept reads nothing now (a restored tab would ask from message 0).
        status, body = read_with(browser, kept)
        assert status == 401 and CASEWORKER not in body

        # Reloading starts a new chat: no "Welcome back", nothing of the old one.
        open_chat(browser, server)
        assert not any("Welcome back" in t or "withdrawn" in t for t in bot_texts(browser))
        assert parent_texts(browser) == [] and CASEWORKER not in browser.page_source


def test_forget_typed_in_the_box_clears_the_page_too(browser: Chrome, live_server: LiveServer) -> None:
    open_chat(browser, live_server)
    browser.find_element(By.ID, "message").click()
    ask(browser, QUESTION)
    press(browser, "FORGET", Keys.ENTER)
    wait_for(browser, lambda d: "6 weeks" not in d.find_element(By.ID, "log").text, "the conversation stayed")
    assert "deleted" in browser.find_element(By.ID, "log").text
    assert parent_texts(browser) == [] and held_token(browser) is None
    browser.refresh()
    wait_for(browser, lambda d: len(bot_texts(d)) >= 2, "no fresh greeting after reloading")
    assert not any("Welcome back" in t or "6 weeks" in t for t in bot_texts(browser))


# ---- A chat kept in the tab (reopened, duplicated, Back, reload): shown again only when the person here says so ----

def asked_to_resume(driver: Chrome) -> bool:
    """The page asks whether to carry on with the chat from earlier, and offers nothing else to do with it."""
    question = driver.find_elements(By.ID, "resume")
    return bool(question) and question[0].is_displayed() and not driver.find_element(By.ID, "message").is_displayed()


def shows_nothing_of(driver: Chrome, *said: str) -> None:
    assert driver.find_element(By.ID, "log").text == "", "the earlier conversation is on screen"
    for text in said:
        assert text not in driver.page_source


def test_a_chat_from_earlier_in_the_tab_is_shown_again_only_when_the_person_here_carries_it_on(
    browser: Chrome, live_server: LiveServer
) -> None:
    open_chat(browser, live_server)
    browser.find_element(By.ID, "message").click()
    ask(browser, QUESTION)
    kept = held_token(browser)
    assert kept is not None
    with unit_of_work(live_server.app.extensions["intake"].sessions) as session:
        chat_sessions.post_to_parent(session, live_server.app.extensions["intake"].keys, kept["id"], CASEWORKER)
    wait_for(browser, lambda d: CASEWORKER in d.find_element(By.ID, "log").text, "the reply never arrived")

    # The parent goes elsewhere in this tab; the next person at the computer presses Back.
    browser.get(live_server.at("/healthz?elsewhere=1"))
    browser.back()
    wait_for(browser, asked_to_resume, "Back showed the chat from earlier without asking")
    shows_nothing_of(browser, CASEWORKER, "6 weeks")
    question = browser.find_element(By.ID, "resume")
    assert "carry on" in question.text and active(browser).text == "Yes, carry on"
    # Reloading while asked does not get round the question.
    browser.refresh()
    wait_for(browser, asked_to_resume, "a reload got round the question")
    shows_nothing_of(browser, CASEWORKER, "6 weeks")

    # The parent carries on: what the caseworker said is back, and the chat goes on with the same token.
    browser.find_element(By.XPATH, "//button[.='Yes, carry on']").click()
    wait_for(browser, lambda d: CASEWORKER in d.find_element(By.ID, "log").text, "carrying on showed no reply")
    assert any("Welcome back" in t for t in bot_texts(browser))
    assert not browser.find_element(By.ID, "resume").is_displayed()
    assert active(browser).get_attribute("id") == "message", "focus goes to the message box to carry on"
    assert "6 weeks" in ask(browser, QUESTION)
    still = held_token(browser)
    assert still is not None and (still["id"], still["token"]) == (kept["id"], kept["token"])

    # A phone that reloads the page by accident: one tap and the parent is where they were.
    browser.refresh()
    wait_for(browser, asked_to_resume, "a reload showed the chat without asking")
    browser.find_element(By.XPATH, "//button[.='Yes, carry on']").click()
    wait_for(browser, lambda d: CASEWORKER in d.find_element(By.ID, "log").text, "the reply did not come back")
    assert read_with(browser, kept)[0] == 200


def test_a_duplicated_tab_asks_and_someone_else_can_start_afresh_without_seeing_the_chat(
    browser: Chrome, live_server: LiveServer
) -> None:
    open_chat(browser, live_server)
    browser.find_element(By.ID, "message").click()
    ask(browser, QUESTION)
    kept = held_token(browser)
    assert kept is not None
    with unit_of_work(live_server.app.extensions["intake"].sessions) as session:
        chat_sessions.post_to_parent(session, live_server.app.extensions["intake"].keys, kept["id"], CASEWORKER)
    wait_for(browser, lambda d: CASEWORKER in d.find_element(By.ID, "log").text, "the reply never arrived")

    # A second tab opened from this one starts with a copy of its sessionStorage, as a duplicated tab does.
    first = browser.current_window_handle
    browser.execute_script("window.open(location.href);")
    wait_for(browser, lambda d: len(d.window_handles) == 2, "no second tab")
    browser.switch_to.window(next(h for h in browser.window_handles if h != first))
    wait_for(browser, asked_to_resume, "the duplicated tab showed the chat without asking")
    copied = held_token(browser)
    assert copied is not None and copied["token"] == kept["token"], "the second tab holds the same chat"
    shows_nothing_of(browser, CASEWORKER, "6 weeks")

    browser.find_element(By.XPATH, "//button[.='No, start a new chat']").click()
    wait_for(browser, lambda d: len(bot_texts(d)) >= 2, "no new chat")
    assert "no need to give your name" in " ".join(bot_texts(browser))
    fresh = held_token(browser)
    assert fresh is not None and fresh["token"] != kept["token"]
    assert parent_texts(browser) == [] and CASEWORKER not in browser.page_source
    assert active(browser).get_attribute("id") == "message"
    # The chat from earlier is ended on the server: no copy of its token can read it or post in it any more.
    ended_on_the_server(browser, kept)


def test_the_tab_title_is_neutral_and_the_page_advises_on_a_shared_computer(
    browser: Chrome, live_server: LiveServer
) -> None:
    open_chat(browser, live_server)
    service = live_server.app.extensions["intake"].settings.service_name
    title = browser.title
    assert title and "SEND" not in title and service not in title, f"the browser's history keeps {title!r}"
    assert service in browser.find_element(By.ID, "main").text, "the page itself still says whose service it is"
    hint = browser.find_element(By.ID, "shared-hint")
    assert hint.is_displayed()
    assert "shared computer" in hint.text and "private window" in hint.text and "Delete this chat" in hint.text
