"""Shared fixtures: an app on a fresh database, and helpers that talk to it as parents do."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings as hypothesis_settings
from twilio.request_validator import RequestValidator

from bot import create_app
from intake.migrate import upgrade

# The same generated cases on every run, so CI never fails on a new random draw; explore locally with
# HYPOTHESIS_PROFILE=explore.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

# Fixed test secrets: real values of the right shape, never used outside tests.
AUTH_TOKEN = "12345678901234567890123456789012"
# Long and varied enough for a production start (bot/config.py refuses a guessable key there).
SIGNING_KEY = "tests-only-signing-key-7Qf2Lx9RkVw3Zp8T"
HASH_KEY = "tests-only-hmac-key-Bn4Yc6Jh1Ms5Dq0G"
PUBLIC_BASE = "https://intake.example.org"
KEY_1 = Fernet.generate_key().decode()


def test_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Environment for one app: its own database and instance folder."""
    env = {
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'intake.sqlite3'}",
        "SECRET_KEY": SIGNING_KEY,
        "INTAKE_ENCRYPTION_KEYS": KEY_1,
        "INTAKE_HASH_KEY": HASH_KEY,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE,
        "SERVICE_NAME": "Testshire SENDIASS",
        "SERVICE_PHONE": "01632 960000",
        "MASH_PHONE": "01632 960999",
        # The stand-in SMTP servers here are plain ones on this machine; tests/integration/test_smtp_security.py
        # runs them with STARTTLS, TLS and a login, and checks the secure default.
        "SMTP_SECURITY": "none",
    }
    env.update(overrides)
    return env


_template: dict[str, bytes] = {}


def migrated_sqlite(path: Path) -> None:
    """A migrated SQLite file at `path`: migrations run once per test run, then the file is copied."""
    if "db" not in _template:
        source = path.with_name("template.sqlite3")
        upgrade(f"sqlite:///{source}")
        _template["db"] = source.read_bytes()
    path.write_bytes(_template["db"])


def make_app(tmp_path: Path, **overrides: str) -> Flask:
    """A ready app with its schema migrated."""
    env = test_env(tmp_path, **overrides)
    if env["DATABASE_URL"] == f"sqlite:///{tmp_path / 'intake.sqlite3'}":
        migrated_sqlite(tmp_path / "intake.sqlite3")
    else:
        upgrade(env["DATABASE_URL"])
    app = create_app(env)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """The app on a fresh SQLite database."""
    return make_app(tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client: real HTTP requests through Flask."""
    return app.test_client()


def twiml_messages(body: bytes) -> list[str]:
    """The <Message> texts of a TwiML reply (parsing fails loudly if the XML is malformed)."""
    root = ET.fromstring(body)
    assert root.tag == "Response"
    return [(m.text or "") for m in root.iter("Message")]


class SmsActions:
    """A parent texting the service, with requests signed exactly as Twilio signs them."""

    def __init__(self, client: FlaskClient, number: str = "+447700900123") -> None:
        self.client = client
        self.number = number
        self.validator = RequestValidator(AUTH_TOKEN)

    def post(self, params: dict[str, str], path: str = "/twilio/sms", signature: str | None = None,
             url: str | None = None) -> Any:
        """POST form params with a signature for PUBLIC_BASE_URL + path (or the one given)."""
        if signature is None:
            signature = self.validator.compute_signature(url or PUBLIC_BASE + path, params)
        return self.client.post(path, data=params, headers={"X-Twilio-Signature": signature})

    def params(self, body: str, sid: str | None = None, number: str | None = None) -> dict[str, str]:
        """The form Twilio sends for an inbound text."""
        return {
            "MessageSid": sid or "SM" + uuid.uuid4().hex,
            "AccountSid": "AC" + "0" * 32,
            "From": number or self.number,
            "To": "+441632960001",
            "Body": body,
            "NumMedia": "0",
        }

    def send(self, body: str, sid: str | None = None, number: str | None = None) -> list[str]:
        """Text the bot; return the reply messages."""
        response = self.post(self.params(body, sid, number))
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        return twiml_messages(response.data)

    def hand_off(self, summary: str = "Please help with support") -> str:
        """Ask for a caseworker and answer the shortest way (no callback); returns the reference."""
        reply: list[str] = []
        for message in ("HUMAN", "yes", "1", summary, "2", "1", "no", "yes"):
            reply = self.send(message)
        found = re.search(r"reference is ([A-Z]{3}-\d{3})", "\n".join(reply))
        assert found, reply
        return found.group(1)


@pytest.fixture
def sms(client: FlaskClient) -> SmsActions:
    """A parent on SMS."""
    return SmsActions(client)


class ChatActions:
    """A parent in the web chat."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.session_id = ""
        self.token = ""
        self.greeting: list[dict[str, Any]] = []

    def open(self) -> ChatActions:
        """Start a chat session."""
        response = self.client.post("/api/chat/sessions")
        assert response.status_code == 201
        data = response.get_json()
        self.session_id, self.token, self.greeting = data["session_id"], data["token"], data["messages"]
        return self

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def post(self, payload: Any) -> Any:
        """POST anything to this chat's messages endpoint."""
        return self.client.post(f"/api/chat/sessions/{self.session_id}/messages", json=payload, headers=self.headers)

    def say(self, text: str) -> list[dict[str, Any]]:
        """Send a message; return the bot's messages."""
        response = self.post({"text": text})
        assert response.status_code == 200, response.data
        return response.get_json()["messages"]

    def texts(self, text: str) -> str:
        """Send a message; return all reply text joined (choices included)."""
        out = []
        for message in self.say(text):
            out.append(message["text"])
            out.extend(f"{c['key']} {c['label']}" for c in message["choices"])
        return "\n".join(out)


@pytest.fixture
def chat(client: FlaskClient) -> ChatActions:
    """A parent with an open web chat."""
    return ChatActions(client).open()


TWILIO_ACCOUNT = "AC" + "1" * 32


class StandIn(BaseHTTPRequestHandler):
    """Records each POST and answers like Twilio's Messages endpoint."""

    received: ClassVar[list[tuple[str, dict[str, list[str]]]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.received.append((self.path, parse_qs(self.rfile.read(length).decode())))
        body = json.dumps({"sid": "SM" + "0" * 32, "status": "queued"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing."""


@pytest.fixture
def twilio_api() -> Iterator[tuple[str, list[tuple[str, dict[str, list[str]]]]]]:
    """A stand-in Twilio REST API on a free local port; stopped and closed after the test."""
    StandIn.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", StandIn.received
    server.shutdown()
    server.server_close()
    thread.join()


POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A clean PostgreSQL schema, or a skip saying why it is unavailable."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} (set TEST_DATABASE_URL); CI runs these")
    schema = "t_" + uuid.uuid4().hex[:10]
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    yield url
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


# -- outside services' stand-ins ------------------------------------------------------------------


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def dispose(app: Flask) -> None:
    """Close the app's database connections (a test that makes several apps on one file)."""
    app.extensions["intake"].db.dispose()


class Inbox:
    """An aiosmtpd handler that keeps what it receives: the duty e-mail's stand-in."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on a free local port, and what it received."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def duty(smtp: tuple[Inbox, int]) -> Inbox:
    """What the duty inbox received."""
    return smtp[0]


ALWAYS_OPEN = "Mon-Sun 00:00-24:00"  # replies then never depend on when the tests run, even at 23:59


@pytest.fixture
def alerting_app(tmp_path: Path, smtp: tuple[Inbox, int]) -> Iterator[Flask]:
    """The app, always open, e-mailing its duty alerts to the stand-in SMTP server."""
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp[1]),
                   DUTY_EMAIL="duty@example.org", MAIL_FROM="intake@example.org")
    yield app
    dispose(app)
