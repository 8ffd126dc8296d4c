"""A local stand-in for Twilio's REST API that keeps messages as Twilio does: texts sent through it (POST), and
inbound texts and calls a test says it holds, each with a status; DELETE answers as Twilio does (204 once the
record is final, error 20009 before, 404 for one it does not hold), and GET lists messages by To or From. It
records every request it receives."""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

# Statuses after which Twilio lets a message or call be deleted.
FINAL = {"delivered", "undelivered", "failed", "received", "canceled", "read", "completed", "busy", "no-answer"}
RESOURCE = re.compile(r"^/2010-04-01/Accounts/(AC\w+)/(Messages|Calls)(?:/(\w+))?\.json$")


@dataclass
class Twilio:
    """What the stand-in holds and received; tests change `held` (a status per SID) and `refusing` as they go."""

    base: str = ""
    held: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)  # (method, path, form)
    refusing: int = 0  # an HTTP status every request is answered with, as when Twilio is down or the token wrong
    lock: threading.Lock = field(default_factory=threading.Lock)

    parties: dict[str, tuple[str, str]] = field(default_factory=dict)  # SID: (from, to)

    def receive(self, status: str = "received", sender: str = "+447700900123", to: str = "+441632960001") -> str:
        """A text Twilio holds (by default one a parent sent the service): its new SID."""
        sid = "SM" + uuid.uuid4().hex
        self.held[sid] = status
        self.parties[sid] = (sender, to)
        return sid

    def deletes(self) -> list[str]:
        """The paths of every DELETE received, in order."""
        return [path for method, path, _ in self.requests if method == "DELETE"]

    def sent(self) -> list[tuple[str, dict[str, list[str]]]]:
        """The texts created through the API: (SID, form)."""
        return [(form["_sid"][0], form) for method, _, form in self.requests if method == "POST"]


def _handler(twilio: Twilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, payload: dict[str, Any] | None = None) -> None:
            body = json.dumps(payload).encode() if payload is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def _refused(self) -> bool:
            if not twilio.refusing:
                return False
            self._answer(twilio.refusing, {"code": 20003, "message": "Authenticate", "status": twilio.refusing})
            return True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            sid = "SM" + uuid.uuid4().hex
            with twilio.lock:
                twilio.requests.append(("POST", self.path, {**form, "_sid": [sid]}))
                if self._refused():
                    return
                twilio.held[sid] = "queued"
                twilio.parties[sid] = (form.get("From", [""])[0], form.get("To", [""])[0])
            self._answer(201, {"sid": sid, "status": "queued"})

        def do_GET(self) -> None:
            """The message list, filtered by To or From as Twilio filters it, in one page."""
            path, _, query = self.path.partition("?")
            wanted = {name: values[0] for name, values in parse_qs(query).items() if name in ("To", "From")}
            with twilio.lock:
                twilio.requests.append(("GET", path, {}))
                if self._refused():
                    return
                messages = [
                    {"sid": sid, "from": sender, "to": to, "status": twilio.held[sid], "body": "(a text)"}
                    for sid, (sender, to) in twilio.parties.items()
                    if sid in twilio.held and wanted.get("From", sender) == sender and wanted.get("To", to) == to
                ]
            self._answer(200, {"messages": messages, "next_page_uri": None, "page": 0, "page_size": 1000,
                               "uri": path})

        def do_DELETE(self) -> None:
            with twilio.lock:
                twilio.requests.append(("DELETE", self.path, {}))
                if self._refused():
                    return
                found = RESOURCE.match(self.path)
                sid = found.group(3) if found else None
                if sid is None or sid not in twilio.held:
                    self._answer(404, {"code": 20404, "message": "The requested resource was not found",
                                       "status": 404})
                elif twilio.held[sid] not in FINAL:
                    self._answer(409, {"code": 20009, "message": "Cannot delete this resource before it is "
                                       "complete", "status": 409})
                else:
                    del twilio.held[sid]
                    self._answer(204)

        def log_message(self, format: str, *args: Any) -> None:
            """Say nothing."""

    return Handler


@contextmanager
def serving() -> Iterator[Twilio]:
    """The stand-in on a free local port, stopped and closed at the end."""
    state = Twilio()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()
