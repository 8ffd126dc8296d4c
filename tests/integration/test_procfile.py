"""The Procfile as a host runs it: the release step, then the web process serving a signed text."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from twilio.request_validator import RequestValidator

from tests import conftest
from tests.conftest import AUTH_TOKEN, PUBLIC_BASE, free_port

ROOT = Path(__file__).resolve().parents[2]
NUMBER = "+447700900555"


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if ": " in line)


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the web process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:  # not listening yet, or the worker is still loading the app
            time.sleep(0.2)
    raise AssertionError("the web process never answered")


def test_the_procfile_releases_then_serves_a_parent_without_logging_who_or_what(
    tmp_path: Path, smtp: tuple[conftest.Inbox, int]
) -> None:
    port = free_port()
    # Production settings (the Procfile's default): duty alerts go to the stand-in SMTP server.
    env = dict(os.environ) | conftest.test_env(
        tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp[1]), DUTY_EMAIL="duty@example.org",
        MAIL_FROM="intake@example.org",
    ) | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PORT": str(port), "WEB_CONCURRENCY": "1", "WEB_THREADS": "2",
    }
    (tmp_path / "instance").mkdir()
    processes = procfile()
    release = subprocess.run(["bash", "-c", processes["release"]], cwd=ROOT, env=env, capture_output=True, text=True)
    assert release.returncode == 0, release.stdout + release.stderr
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        web = subprocess.Popen(["bash", "-c", processes["web"]], cwd=ROOT, env=env, stdout=out,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", web)
        params = {"MessageSid": "SM" + "5" * 32, "AccountSid": "AC" + "0" * 32, "From": NUMBER,
                  "To": "+441632960001", "Body": "what is a senco"}
        signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_BASE + "/twilio/sms", params)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/twilio/sms", data=urllib.parse.urlencode(params).encode(),
            headers={"X-Twilio-Signature": signature},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            reply = response.read().decode()
        assert response.status == 200 and "SENCO" in reply
    finally:
        if web.poll() is None:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(20)
    logged = log.read_text()
    # The access log says what happened (method, status, time), never who texted, what, or which path.
    assert re.search(r"^POST 200 [0-9.]+s$", logged, re.MULTILINE), logged
    assert NUMBER not in logged and "7700900555" not in logged and "senco" not in logged.lower()
    assert "/twilio/sms" not in logged
