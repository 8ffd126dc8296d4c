"""The same bot.actions package runs in the stock rasa-sdk action server and answers a real call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.content import load_content
from bot.rasa_runner import build_domain
from bot.services import content_variables
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m rasa_sdk --actions bot.actions` on a free port, stopped afterwards."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "bot.actions", "--port", str(port)],
        cwd=tmp_path_factory.mktemp("rasa"), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(url + "/health", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None:
                    output = process.stdout.read().decode() if process.stdout else ""
                    pytest.fail(f"the action server exited: {output[-2000:]}")
                time.sleep(0.2)
        else:
            pytest.fail("the action server did not start within 30 s")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a busy machine: make sure it is gone before the next test
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def call(url: str, payload: dict) -> dict:
    request = urllib.request.Request(
        url + "/webhook", data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def domain(tmp_path: Path) -> dict:
    settings = load_settings({"INSTANCE_PATH": str(tmp_path), "SERVICE_PHONE": "01632 960000"})
    return build_domain(load_content(settings.flows_dir, content_variables(settings)))


def test_stock_server_answers_a_general_enquiry(action_server: str, tmp_path: Path) -> None:
    result = call(action_server, {
        "next_action": "action_answer_enquiry", "sender_id": "t1",
        "tracker": {"sender_id": "t1", "slots": {"topic": "ehc_assessment_timescale", "channel": "sms"}},
        "domain": domain(tmp_path),
    })
    assert "6 weeks" in result["responses"][0]["text"]
    assert {"event": "slot", "name": "last_topic", "value": "ehc_assessment_timescale"}.items() <= {
        **result["events"][0]}.items()


def test_stock_server_runs_the_intake_form_validation(action_server: str, tmp_path: Path) -> None:
    result = call(action_server, {
        "next_action": "validate_intake_form", "sender_id": "t2",
        "tracker": {
            "sender_id": "t2", "slots": {"channel": "sms", "requested_slot": "consent_keep"},
            "events": [{"event": "slot", "name": "consent_keep", "value": "yes"}],
            "active_loop": {"name": "intake_form"},
        },
        "domain": domain(tmp_path),
    })
    slots = {e["name"]: e["value"] for e in result["events"] if e["event"] == "slot"}
    assert slots["consent_keep"] is True
    assert slots["requested_slot"] == "topic"
