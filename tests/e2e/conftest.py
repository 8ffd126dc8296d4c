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
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
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


@dataclass
class LiveServer:
    """The app on a real port."""

    url: str

    def at(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app (fresh migrated SQLite) behind werkzeug's threaded server; shut down cleanly."""
    app = make_app(tmp_path_factory.mktemp("e2e-app"), QUICK_EXIT_URL=EXIT_PATH)
    app.config["TESTING"] = False  # behave as deployed: real error pages, real headers
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


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
