"""Faults: the database going away mid-conversation, Twilio retrying one webhook ten times at once, and a
worker restarting in the middle of an intake form. Real faults only: a cut network path to PostgreSQL, real
threads, a second app object on the same database file; nothing in the code under test is patched."""

from __future__ import annotations

import re
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bot import create_app
from intake.models import Conversation, Enquiry, ProcessedMessage
from tests.conftest import PUBLIC_BASE, ChatActions, SmsActions, make_app, twiml_messages
from tests.conftest import test_env as environment_for

TROUBLE = "technical problem"
SERVICE_PHONE = "01632 960000"


# --------------------------------------------------------------------------------------------------
# A TCP path to PostgreSQL that the test can cut and restore: the database "goes away" for the app
# exactly as it would when the server or the network between them fails (connections reset, new
# connections refused), while the test keeps its own direct connection to check what was written.


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to the database; `cut()` drops every connection and refuses new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(32)
        self.listener = listener
        thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        thread.start()
        self.threads.append(thread)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                thread = threading.Thread(target=self._pump, args=(source, sink), daemon=True)
                thread.start()
                self.threads.append(thread)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """The database is gone: live connections reset, new ones refused."""
        if self.listener is not None:
            try:  # wakes the thread blocked in accept(); close() alone leaves the port listening
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.cut()
        for thread in self.threads:
            thread.join(timeout=5)
        with self.lock:
            for sock in self.sockets:
                sock.close()
            self.sockets.clear()


@pytest.fixture
def flaky_postgres(postgres_url: str) -> Iterator[tuple[str, CuttableProxy]]:
    """(url through a cuttable proxy, the proxy); the direct `postgres_url` stays reachable for checks."""
    direct = make_url(postgres_url)
    proxy = CuttableProxy((direct.host or "127.0.0.1", direct.port or 5432))
    proxy.start()
    via_proxy = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    yield via_proxy, proxy
    proxy.close()


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in the schema, in a fixed order: the exact state of the database."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = sorted(connection.scalars(text(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            )))
            return {
                table: sorted(map(tuple, connection.execute(text(f'SELECT * FROM "{table}"'))), key=repr)
                for table in tables
            }
    finally:
        engine.dispose()


def close_app(app: Flask) -> None:
    app.extensions["intake"].db.dispose()


# --------------------------------------------------------------------------------------------------
# (a) The database is unavailable mid-conversation.


@pytest.mark.postgres
def test_database_outage_mid_conversation_kind_reply_nothing_written_retry_succeeds_once(
    tmp_path: Path, flaky_postgres: tuple[str, CuttableProxy], postgres_url: str
) -> None:
    url, proxy = flaky_postgres
    app = make_app(tmp_path, DATABASE_URL=url)
    sms = SmsActions(app.test_client())
    chat = ChatActions(app.test_client()).open()
    assert sms.send("what is a senco")
    assert sms.send("HUMAN")  # the parent is now inside the intake form
    assert chat.say("MENU")

    before = dump(postgres_url)
    proxy.cut()

    # The parent's next text arrives while the database is unreachable.
    retried = sms.params("yes", sid="SM" + uuid.uuid4().hex)
    response = sms.post(retried)
    assert response.status_code == 200 and response.mimetype == "text/xml"
    [message] = twiml_messages(response.data)
    assert TROUBLE in message and SERVICE_PHONE in message and "999" in message
    assert b"Traceback" not in response.data and b"psycopg" not in response.data.lower()

    # The web chat says the same, as JSON the page can show.
    response = chat.post({"text": "hello"})
    assert response.status_code == 503
    body = response.get_json()
    assert TROUBLE in body["error"] and SERVICE_PHONE in body["error"]
    assert "Traceback" not in response.get_data(as_text=True)

    # A new chat cannot start either, and says so kindly.
    response = app.test_client().post("/api/chat/sessions")
    assert response.status_code == 503 and TROUBLE in response.get_json()["error"]

    proxy.start()
    assert dump(postgres_url) == before  # no half-written rows, no claimed delivery

    # Twilio retries the very same signed webhook: it now succeeds, exactly once.
    response = sms.post(retried)
    assert response.status_code == 200
    [reply] = twiml_messages(response.data) or [""]
    assert TROUBLE not in reply and reply  # a real answer: the form goes on
    again = sms.post(retried)
    assert again.status_code == 200 and twiml_messages(again.data) == []

    after = dump(postgres_url)
    processed = [row for row in after["processed_message"] if row[0] == f"sms:{retried['MessageSid']}"]
    assert len(processed) == 1
    with app.extensions["intake"].sessions() as session:
        turns = session.scalars(select(Conversation.turns).where(Conversation.channel == "sms")).all()
    assert turns == [3]  # three handled turns: two before the outage, one retried after it
    assert chat.say("MENU")  # the chat is back too
    close_app(app)


def test_sqlite_database_gone_kind_reply_and_nothing_written(tmp_path: Path) -> None:
    """The embedded database's file replaced by something that is not a database (a failed disk or a
    botched restore): the parent still gets the kind reply, on every channel, and never a 500."""
    app = make_app(tmp_path)
    sms = SmsActions(app.test_client())
    assert sms.send("hello")
    close_app(app)  # a fresh worker: nothing pooled from before
    db_file = tmp_path / "intake.sqlite3"
    saved = db_file.read_bytes()
    for suffix in ("-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    db_file.write_bytes(b"this is not a database" * 100)
    try:
        params = sms.params("what is a senco")
        response = sms.post(params)
        assert response.status_code == 200
        [message] = twiml_messages(response.data)
        assert TROUBLE in message and SERVICE_PHONE in message
        chat_open = app.test_client().post("/api/chat/sessions")
        assert chat_open.status_code == 503 and TROUBLE in chat_open.get_json()["error"]
    finally:
        close_app(app)
        db_file.write_bytes(saved)
    response = sms.post(params)  # the retry, once the file is back
    assert response.status_code == 200 and TROUBLE not in "".join(twiml_messages(response.data))
    with app.extensions["intake"].sessions() as session:
        assert session.scalar(select(func.count()).select_from(ProcessedMessage).where(
            ProcessedMessage.message_id == f"sms:{params['MessageSid']}")) == 1
    close_app(app)


# --------------------------------------------------------------------------------------------------
# (b) Twilio delivers the same signed webhook ten times at once.


def at_once(count: int, request: Callable[[int], Any]) -> list[Any]:
    """Run `request(i)` on `count` threads released together; return the results in order."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = request(i)
        except BaseException as exc:  # surfaced below, not lost in a thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def ten_identical_texts(app: Flask) -> None:
    clients = [SmsActions(app.test_client()) for _ in range(10)]
    params = clients[0].params("what is a senco")
    responses = at_once(10, lambda i: clients[i].post(params))
    assert [r.status_code for r in responses] == [200] * 10
    replies = [twiml_messages(r.data) for r in responses]
    answered = [r for r in replies if r]
    assert len(answered) == 1, replies  # one reply; the nine retries get an empty <Response/>
    assert "senco" in "\n".join(answered[0]).lower()
    with app.extensions["intake"].sessions() as session:
        claimed = session.scalar(select(func.count()).select_from(ProcessedMessage).where(
            ProcessedMessage.message_id == f"sms:{params['MessageSid']}"))
        turns = session.scalars(select(Conversation.turns).where(Conversation.channel == "sms")).all()
    assert claimed == 1 and turns == [1]  # exactly one turn


def ten_identical_calls(app: Flask) -> None:
    clients = [SmsActions(app.test_client(), number="+447700900555") for _ in range(10)]
    params = {"CallSid": "CA" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32, "From": "+447700900555",
              "To": "+441632960001", "CallStatus": "ringing"}
    responses = at_once(10, lambda i: clients[i].post(params, path="/twilio/voice"))
    assert [r.status_code for r in responses] == [200] * 10
    bodies = [r.get_data(as_text=True) for r in responses]
    assert len(set(bodies)) == 2  # the greeting once; every retry asks for the key again
    greeting = max(bodies, key=len)
    assert bodies.count(greeting) == 1
    with app.extensions["intake"].sessions() as session:
        turns = session.scalars(select(Conversation.turns).where(Conversation.channel == "voice")).all()
    assert turns == [1]


def ten_identical_chat_messages(app: Flask) -> None:
    chat = ChatActions(app.test_client()).open()
    clients = [app.test_client() for _ in range(10)]
    url = f"/api/chat/sessions/{chat.session_id}/messages"
    payload = {"text": "what is a senco", "id": "m-1"}
    responses = at_once(10, lambda i: clients[i].post(url, json=payload, headers=chat.headers))
    assert [r.status_code for r in responses] == [200] * 10
    bodies = [r.get_json() for r in responses]
    assert sum(not b["duplicate"] for b in bodies) == 1
    assert sum(bool(b["messages"]) for b in bodies) == 1


def test_same_message_sid_ten_times_at_once_is_one_turn_sqlite(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    ten_identical_texts(app)
    ten_identical_calls(app)
    ten_identical_chat_messages(app)
    close_app(app)


@pytest.mark.postgres
def test_same_message_sid_ten_times_at_once_is_one_turn_postgres(tmp_path: Path, postgres_url: str) -> None:
    app = make_app(tmp_path, DATABASE_URL=postgres_url)
    ten_identical_texts(app)
    ten_identical_calls(app)
    ten_identical_chat_messages(app)
    close_app(app)


def test_same_message_sid_ten_times_over_real_http(tmp_path: Path) -> None:
    """The same, through a real threaded HTTP server, as Twilio's retries arrive."""
    import http.client
    from urllib.parse import urlencode

    from werkzeug.serving import make_server

    app = make_app(tmp_path)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        sms = SmsActions(app.test_client())
        params = sms.params("what is a senco")
        signature = sms.validator.compute_signature(PUBLIC_BASE + "/twilio/sms", params)
        body = urlencode(params)

        def deliver(_: int) -> tuple[int, bytes]:
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
            try:
                connection.request("POST", "/twilio/sms", body=body, headers={
                    "X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
                response = connection.getresponse()
                return response.status, response.read()
            finally:
                connection.close()

        results = at_once(10, deliver)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert [status for status, _ in results] == [200] * 10
    assert sum(bool(twiml_messages(data)) for _, data in results) == 1
    with app.extensions["intake"].sessions() as session:
        assert session.scalars(select(Conversation.turns)).all() == [1]
    close_app(app)


# --------------------------------------------------------------------------------------------------
# (c) A worker restarts in the middle of an intake form.


def test_restart_mid_form_continues_where_the_parent_was(tmp_path: Path) -> None:
    first = make_app(tmp_path)
    sms = SmsActions(first.test_client())
    chat = ChatActions(first.test_client()).open()
    for message in ("what is a senco", "HUMAN", "yes", "The school won't put support in place"):
        before_restart = sms.send(message)
    chat.say("HUMAN")
    assert "What is it mainly about?" in chat.texts("yes")
    close_app(first)  # the old worker is gone

    second = create_app(environment_for(tmp_path))  # a new process on the same database file
    second.config["TESTING"] = True
    sms.client = second.test_client()
    chat.client = second.test_client()

    # The next answer is taken as the answer to the question asked before the restart.
    assert before_restart != sms.send("2")
    for message in ("1", "yes", "1", "1"):  # contact by text: no voicemail question
        sms.send(message)
    confirm = "\n".join(sms.send("yes"))
    assert "Your words: The school won't put support in place" in confirm
    done = "\n".join(sms.send("YES"))
    assert re.search(r"reference is ([A-Z]{3}-\d{3})", done)
    with second.extensions["intake"].sessions() as session:
        [enquiry] = session.scalars(select(Enquiry)).all()
    keys = second.extensions["intake"].keys
    assert keys.decrypt(enquiry.summary) == "The school won't put support in place"
    assert keys.decrypt_json(enquiry.facts) == {"school_phase": "primary", "ehc_plan": "yes"}

    # The web chat's session and its place in the form survived the restart as well.
    assert "In a few words" in chat.texts("6")  # the topic question's answer, then the next question
    close_app(second)
