"""The factory's named steps for the web side: blueprints, error pages, security headers, CLI."""

from __future__ import annotations

import base64
import logging
import traceback
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, Request, Response, jsonify, render_template, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import SQLAlchemyError
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def register_blueprints(app: Flask) -> None:
    """One blueprint per channel, and the console."""
    from bot import console
    from bot.channels import sms, voice, webchat

    for blueprint in (sms.bp, voice.bp, webchat.bp, console.bp):
        app.register_blueprint(blueprint)


def _trouble_text() -> str:
    from bot.services import services

    return services().content.text("trouble")


def _kind_response(status: int, message: str) -> Response:
    """The same failure, said the way each channel can hear it; never a stack trace."""
    path = request.path
    if path.startswith("/twilio/voice"):
        voice = VoiceResponse()
        voice.say(message, language="en-GB")
        return Response(str(voice), status=200 if status >= 500 else status, mimetype="text/xml")
    if path.startswith("/twilio/"):
        sms = MessagingResponse()
        if status >= 500:
            sms.message(message)
        return Response(str(sms), status=200 if status >= 500 else status, mimetype="text/xml")
    if path.startswith("/api/"):
        response = jsonify({"error": message})
        response.status_code = status
        return response
    return Response(render_template("error.html", message=message), status=status, mimetype="text/html")


def register_errorhandlers(app: Flask) -> None:
    """Map failures to kind replies in one place."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        messages = {
            400: "Sorry, that request could not be read.",
            403: "Sorry, you can't do that.",
            404: "Sorry, that page doesn't exist.",
            405: "Sorry, that isn't allowed here.",
            413: "Sorry, that message is too long.",
            429: "You're sending messages very quickly. Please wait a minute and try again.",
        }
        status = exc.code or 500
        return _kind_response(status, messages.get(status, "Sorry, something went wrong."))

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc: SQLAlchemyError) -> Response:
        # No half-written rows: the turn's transaction was rolled back; Twilio may retry safely.
        log.error("database unavailable during a turn: %s", type(exc).__name__)
        return _kind_response(503, _trouble_text())

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        # Type and place only: exception messages can carry what a parent typed.
        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f"{frame.filename}:{frame.lineno}" if frame else "?"
        log.error("unexpected error: %s at %s", type(exc).__name__, where)
        return _kind_response(500, _trouble_text())


FRAMED = frozenset({"webchat.chat_page"})  # endpoints the chat widget may show in a frame
CONSOLE = "/caseworker"


@lru_cache(maxsize=4)
def _cookie_cipher(secret_key: str) -> Fernet:
    """The console cookie's own encryption key, derived from SECRET_KEY (so it rotates with it)."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"intake console cookie").derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


class EncryptedCookie:
    """Flask's signed cookie serializer with its output encrypted: the browser holds nothing readable.

    A signed cookie is only base64: whoever has the browser (a shared office computer, a synced profile) can
    read a flashed message ("The contact behind ABC-234 is blocked until..."), a username or a role from it.
    """

    def __init__(self, signed: URLSafeTimedSerializer, cipher: Fernet) -> None:
        self.signed = signed
        self.cipher = cipher

    def dumps(self, value: Any) -> str:
        return self.cipher.encrypt(self.signed.dumps(value).encode()).decode("ascii")

    def loads(self, cookie: str, max_age: int | None = None) -> Any:
        try:
            inner = self.cipher.decrypt(cookie.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError) as exc:
            # Flask answers a BadSignature with a fresh, empty session: signed out, nothing read.
            raise BadSignature("not a cookie this service made") from exc
        return self.signed.loads(inner.decode(), max_age=max_age)


class ConsoleOnlySessions(SecureCookieSessionInterface):
    """Encrypted cookie sessions for the console only: webhooks, the chat API and parents' pages open none.

    Parents' requests authenticate by Twilio signature or chat token, never by cookie, so nothing there
    reads or sets a session; skipping it spares every turn the cookie parsing and signer set-up.
    """

    def get_signing_serializer(self, app: Flask) -> EncryptedCookie | None:  # type: ignore[override]
        signed = super().get_signing_serializer(app)
        if signed is None:  # no SECRET_KEY: Flask then keeps no session at all
            return None
        return EncryptedCookie(signed, _cookie_cipher(str(app.secret_key)))

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not request.path.startswith(CONSOLE) and app.config["SESSION_COOKIE_NAME"] not in request.cookies:
            return self.make_null_session(app)
        return super().open_session(app, request)


def register_security(app: Flask) -> None:
    """Security headers on every response; nothing the browser keeps from console pages."""
    from bot.services import services

    https = app.config["INTAKE"].public_base_url.startswith("https://")
    app.session_interface = ConsoleOnlySessions()

    @app.after_request
    def headers(response: Response) -> Response:
        # Only the chat page is framed (by the widget on the service's own site): nothing else, the
        # console above all, may be put in a frame where a click could be hijacked.
        if request.endpoint in FRAMED:
            ancestors = " ".join(("'self'", *services().settings.widget_origins))
        else:
            ancestors = "'none'"
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            f"frame-ancestors {ancestors}",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if https:
            # Browsers then never try plain HTTP for the chat or the console, even from a typed address
            # or an old link, where a network in between could read or change the page.
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        # The chat page too: a page kept for Back or a restored tab could show a shared computer's next
        # user what the last parent saw (it keeps no messages itself, but a cached page would).
        if request.path.startswith(("/api/", "/caseworker", "/twilio/")) or request.endpoint in FRAMED:
            response.headers["Cache-Control"] = "no-store"
        return response


def register_cli(app: Flask) -> None:
    """The `flask --app bot intake ...` commands."""
    from bot.cli import intake_cli

    app.cli.add_command(intake_cli)
