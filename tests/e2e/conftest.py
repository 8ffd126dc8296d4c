"""Real headless Chromium against the real app served over HTTP from a background thread.

Chromium and chromedriver come from Debian (`make browser-deps`); Selenium Manager is never asked to
download anything: the driver path is given explicitly and SE_OFFLINE is set. When either binary is
missing, the browser tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import BaseWSGIServer, make_server

from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# The quick exit leaves for a neutral page; in tests that page is on the test server itself, so the
# browser can land there without internet and the test can read what the origin still holds.
EXIT_PATH = "/healthz?left=1"


def _find(env_name: str, *candidates: str) -> str | None:
    """A binary from an environment override, a well-known Debian path, or PATH."""
    override = os.environ.get(env_name)
    if override:
        return override if os.access(override, os.X_OK) else None
    for candidate in candidates:
        if os.path.isabs(candidate):
            if os.access(candidate, os.X_OK):
                return candidate
        else:
            found = shutil.which(candidate)
            if found:
                return found
    return None


CHROMIUM = _find("CHROMIUM_BIN", "/usr/bin/chromium", "chromium", "chromium-browser")
CHROMEDRIVER = _find("CHROMEDRIVER_BIN", "/usr/bin/chromedriver", "chromedriver")
BrowserFactory = Callable[..., webdriver.Chrome]


TIMEOUT = 15  # seconds a browser wait may take before the test fails


@dataclass
class LiveServer:
    """The app on a real port (tests seed data through `app`, as the integration tests do)."""

    url: str
    app: Flask

    def at(self, path: str) -> str:
        return self.url + path


@contextmanager
def serve(tmp_path: Path, **settings: str) -> Iterator[LiveServer]:
    """A fresh app (migrated SQLite, these settings) behind werkzeug's threaded server; shut down cleanly."""
    app = make_app(tmp_path, **{"QUICK_EXIT_URL": EXIT_PATH, **settings})
    app.config["TESTING"] = False  # behave as deployed: real error pages, real headers
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass
class HostSite:
    """The service's own website on another origin, with the chat widget on its page (`page`)."""

    url: str
    chat: LiveServer

    @property
    def page(self) -> str:
        return self.url + "/advice"


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], list[bytes]]


@contextmanager
def serve_wsgi(app: WSGIApp, name: str) -> Iterator[int]:
    """Any small WSGI app on a free local port (yielded), behind werkzeug's threaded server; shut down cleanly."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def host_page(script: dict[str, str]) -> WSGIApp:
    """The service's own advice page (with a search box), embedding the widget from `script["src"]`."""

    def host(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><title>SEND advice - Testshire</title>"
            f'<script src="{script["src"]}" defer></script></head>'
            "<body><h1>Testshire SEND information, advice and support</h1><p>Our advice pages.</p>"
            '<form role="search"><label for="search">Search our site</label> <input id="search" name="q"></form>'
            "</body></html>"
        ).encode()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")])
        return [body]

    return host


@contextmanager
def serve_host_site(tmp_path: Path, **settings: str) -> Iterator[HostSite]:
    """A host page at http://localhost:<port> embedding /widget.js from the chat at http://127.0.0.1:<port>.

    Two origins (and two sites) as in production, so the chat runs in a cross-origin frame; the chat lets the
    host frame it through WIDGET_ORIGINS, as a deployment would.
    """
    script: dict[str, str] = {}
    with serve_wsgi(host_page(script), "e2e-host-site") as port:
        origin = f"http://localhost:{port}"
        with serve(tmp_path, WIDGET_ORIGINS=origin, **settings) as chat:
            script["src"] = chat.at("/widget.js")
            yield HostSite(origin, chat)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app, shared by the tests that need no settings of their own."""
    with serve(tmp_path_factory.mktemp("e2e-app")) as server:
        yield server


@pytest.fixture
def browser_factory(tmp_path: Path) -> Iterator[BrowserFactory]:
    """Start headless Chromium (optionally at a phone-sized viewport); every driver is quit afterwards."""
    if CHROMIUM is None or CHROMEDRIVER is None:
        missing = " and ".join(
            name for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)) if path is None
        )
        pytest.skip(f"{missing} not installed (Debian: apt-get install chromium chromium-driver, "
                    "or `make browser-deps` as root)")
    drivers: list[webdriver.Chrome] = []

    def start(width: int = 1280, height: int = 900, mobile: bool = False) -> webdriver.Chrome:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM  # type: ignore[assignment]
        profile = tmp_path / f"profile-{len(drivers)}"
        profile.mkdir()
        for argument in (
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
        ):
            options.add_argument(argument)
        service = Service(executable_path=CHROMEDRIVER, log_output=os.devnull)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("SE_OFFLINE", "true")  # never let Selenium Manager reach the network
            driver = webdriver.Chrome(options=options, service=service)
        drivers.append(driver)
        driver.set_page_load_timeout(20)
        driver.set_script_timeout(30)
        if mobile:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 2, "mobile": True,
            })
        return driver

    yield start
    for driver in drivers:
        driver.quit()


@pytest.fixture
def browser(browser_factory: BrowserFactory) -> webdriver.Chrome:
    """A desktop-sized headless Chromium."""
    return browser_factory()


@pytest.fixture
def axe_source() -> str:
    """axe-core from npm (node_modules, installed by `make browser-deps`), or a skip saying why."""
    if not AXE_JS.is_file():
        pytest.skip(f"axe-core not installed at {AXE_JS.relative_to(ROOT)} (`npm ci` or `make browser-deps`)")
    return AXE_JS.read_text(encoding="utf-8")


# ---- helpers shared by the browser tests ----

def wait_for(driver: webdriver.Chrome, condition: Any, message: str, timeout: float = TIMEOUT) -> Any:
    """Poll `condition(driver)` until it is truthy (and return it), or fail with `message`."""
    # A page that navigates or re-renders while we look leaves stale elements behind: look again.
    waiter = WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,))
    return waiter.until(lambda d: condition(d), message)


def press(driver: webdriver.Chrome, *keys: str) -> None:
    """Keys to whatever has focus, as a keyboard user would press them."""
    ActionChains(driver).send_keys(*keys).perform()


def bot_texts(driver: webdriver.Chrome) -> list[str]:
    """What the bot (and any caseworker) said on the chat page, in order."""
    return [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#log li.msg.bot")]


def parent_texts(driver: webdriver.Chrome) -> list[str]:
    """What the parent sent on the chat page."""
    return [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#log li.msg.parent")]


def open_chat(driver: webdriver.Chrome, server: LiveServer) -> None:
    """Load the chat page and wait for the greeting (the session is open once it shows)."""
    driver.get(server.at("/"))
    wait_for(driver, lambda d: len(bot_texts(d)) >= 2, "the greeting never appeared")
    assert "no need to give your name" in " ".join(bot_texts(driver))


def ask(driver: webdriver.Chrome, text: str) -> str:
    """Type into the message box (already focused), press Enter, wait for the answer; return its text."""
    before = len(bot_texts(driver))
    press(driver, text, Keys.ENTER)
    wait_for(driver, lambda d: len(bot_texts(d)) > before, f"no reply to {text!r}")
    return "\n".join(bot_texts(driver)[before:])


SEVERE = ("serious", "critical")


def describe(violations: list[dict[str, Any]]) -> str:
    """axe-core violations, readably, with where on the page each one is."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            summary = (node.get("failureSummary") or "").strip().splitlines()
            where = " ".join(map(str, node["target"]))
            lines.append(f"    at {where}: {summary[-1].strip() if summary else ''}")
    return "\n".join(lines)


def run_axe(driver: webdriver.Chrome, source: str) -> list[dict[str, Any]]:
    """Inject axe-core into the page as it is now and return its violations."""
    driver.execute_script(source)
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        "  .then(function (r) { done(r.violations); })"
        "  .catch(function (e) { done({error: String(e)}); });"
    )
    assert isinstance(result, list), f"axe-core failed to run: {result}"
    return result


def severe_violations(driver: webdriver.Chrome, source: str) -> list[dict[str, Any]]:
    """The serious and critical axe-core violations on the page."""
    return [v for v in run_axe(driver, source) if v.get("impact") in SEVERE]
