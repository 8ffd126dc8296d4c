"""Rate limits per contact and per client IP (flask-limiter), answered kindly on every channel.

- Per contact (RATE_LIMIT_CONTACT, default 30/minute): a texter or caller is keyed by the HMAC of their
  number (never the number), a web chat by the HMAC of its session and token. Only signed Twilio requests
  count, and a chat message counts against the chat only with that chat's own token, so nobody can use up
  a real parent's allowance by sending requests with their number or their chat's id.
- Per IP (RATE_LIMIT_IP, default 120/minute): everything parents reach directly. Signed Twilio webhooks
  are exempt (they all come from Twilio's own addresses, so an IP limit there would throttle every
  parent at once), as are static files, the health check, the caseworker console (its sign-in has its
  own limits, below) and the chat page's 5-second poll for caseworker replies. Polls refused for a wrong
  or expired token have their own allowance per address (FAILED_POLLS_PER_IP): guessing at chats is slow.
- Console sign-in (and the idle-lock unlock): failed attempts per client IP (SIGN_IN_PER_IP) and per IP and
  username (SIGN_IN_PER_USER, growing: minutes, then an hour, then a day). No account is ever locked, so a
  stranger elsewhere cannot keep the on-duty caseworker out; refused attempts get the sign-in page's wording.
- Storage: RATELIMIT_STORAGE_URI (e.g. redis://127.0.0.1:6379 shares counts across workers); when that
  storage is down the limiter falls back to memory rather than turning parents away.
- A parent over the limit hears it: a TwiML <Message> (SMS) or <Say> (voice) with status 200 (so Twilio
  delivers it; 429 when the request was not Twilio's), a JSON 429 from the chat API, an HTML 429 page
  elsewhere; always the service's `rate_limited` wording.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request, session
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from bot.config import Settings
from bot.engine import clean_text
from bot.services import services
from bot.twilio_cleanup import REPLY_STATUS
from intake.crypto import contact_key
from intake.safeguarding import assess
from intake.staff import MAX_FAILURES

log = logging.getLogger(__name__)
NO_IP_LIMIT = ("/static/", "/healthz", "/caseworker")
CHAT_MESSAGES = "webchat.send_message"
CHAT_POLL = "webchat.later_messages"
CHAT_END = "webchat.end_chat"  # the quick exit's beacon: it ends nothing without the chat's own token
SIGN_IN = ("console.login", "console.unlock")
FAILED_POLLS_PER_IP = "60 per minute"  # a real page polls every 5 seconds and stops at its first refusal
SIGN_IN_PER_IP = "20 per 15 minutes;100 per day"  # failed attempts from one address, whatever the username
# Failed attempts from one address for one username: a pause of minutes, then an hour, then a day.
SIGN_IN_PER_USER = f"{MAX_FAILURES} per 5 minutes;{2 * MAX_FAILURES} per hour;{4 * MAX_FAILURES} per day"


def _settings() -> Settings:
    from bot.services import services

    return services().settings


def signed_twilio_request() -> bool:
    """True for a /twilio/* request carrying a valid X-Twilio-Signature (checked once per request)."""
    if not request.path.startswith("/twilio/"):
        return False
    if "intake_signed" not in g:
        from bot.channels.twilio_auth import public_url

        signature = request.headers.get("X-Twilio-Signature", "")
        try:
            validator = RequestValidator(_settings().twilio_auth_token)
            g.intake_signed = bool(signature) and validator.validate(public_url(), request.form, signature)
        except HTTPException:  # an unreadable or oversized body: the view refuses it as usual
            g.intake_signed = False
    return bool(g.intake_signed)


def _caller(form: dict[str, str]) -> str:
    """The voice channel's idea of who is calling (withheld numbers are per call, never shared)."""
    try:
        from bot.channels.voice import caller
    except ImportError:  # the voice channel is optional
        return form.get("From", "").strip()
    return caller(form)


def contact() -> str:
    """Who is writing, as a keyed hash; empty when the request has no contact to limit."""
    if "intake_contact" in g:
        return str(g.intake_contact)
    identity = ""
    # Twilio's reports on our replies (twilio_cleanup.REPLY_STATUS) all come "From" the service's own number: not
    # a contact, so never one shared allowance that would drop the reports (and the copies to delete) past it.
    if (request.path.startswith("/twilio/") and request.path != REPLY_STATUS and request.method == "POST"
            and signed_twilio_request()):
        form = request.form.to_dict()
        identity = _caller(form) if request.path.startswith("/twilio/voice") else form.get("From", "").strip()
    elif request.endpoint == CHAT_MESSAGES and request.method == "POST" and request.view_args:
        from bot.channels.webchat import bearer_token

        # The token is part of the key, not checked here (the view checks it in the turn's transaction): a
        # stranger with the chat's id but not its token fills only a count of their own.
        token = bearer_token()
        if token:
            identity = f"web:{request.view_args.get('session_id', '')}:{token}"
    g.intake_contact = contact_key(_settings().hash_key, identity) if identity else ""
    return str(g.intake_contact)


def client_ip(hops: int) -> str:
    """The client's address: the socket's, or the one `hops` trusted proxies recorded before us."""
    if hops > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.remote_addr or "unknown"


def sign_in_user() -> str:
    """Whose sign-in this is, as a keyed hash (never the name typed): the username posted, or at the idle lock
    the signed-in one. The same for a username that exists and one that does not, so it tells nothing."""
    name = ""
    if request.endpoint == "console.login":
        try:
            name = request.form.get("username", "").strip()
        except HTTPException:  # an unreadable or oversized body: the view refuses it as usual
            name = ""
    else:
        name = str((session.get("staff") or {}).get("user", ""))
    return contact_key(_settings().hash_key, "staff:" + name)


def failed_sign_in(response: Response) -> bool:
    """Only failed attempts count: the office's staff signing in from one address never use it up.

    Any refusal counts, not only a 401: an attempt that failed some other way must never be a free guess."""
    return response.status_code >= 400


def sign_in_refused(retry_after: str) -> Response:
    """Too many failed attempts from here: the sign-in (or unlock) page says so kindly, and when to try again."""
    minutes = max(1, -(-int(retry_after) // 60))
    if request.endpoint == "console.unlock" and request.accept_mimetypes.best == "application/json":
        response = jsonify({"error": render_template("console/sign_in_refused.txt", minutes=minutes).strip()})
        response.status_code = 429
        return response
    page = "console/login.html" if request.endpoint == "console.login" else "console/unlock.html"
    return Response(render_template(page, throttled_minutes=minutes), status=429, mimetype="text/html")


def possible_risk() -> bool:
    """True when the message in this request may be about a child at risk (checked only once over a limit)."""
    text = ""
    if request.path.startswith("/twilio/"):
        if request.path.startswith("/twilio/voice") and request.form.get("Digits", "") == "0":
            return True
        text = request.form.get("Body") or request.form.get("SpeechResult") or ""
    elif request.path.startswith("/api/chat/"):
        payload = request.get_json(silent=True)
        text = str(payload.get("text", "")) if isinstance(payload, dict) else ""
    return bool(text) and assess(clean_text(text), services().engine.rules).level != "none"


def ip_exempt() -> bool:
    """Requests the per-IP limit leaves alone (see the module docstring)."""
    return (
        request.path.startswith(NO_IP_LIMIT)
        or request.endpoint in (CHAT_POLL, CHAT_END)
        or signed_twilio_request()
    )


def kind_reply(exc: RateLimitExceeded) -> Response:
    """Tell the parent, in their channel, to slow down; never a silent drop.

    Policy 7.1 outranks the limit: a message over it that may be about a child at risk is handled as
    usual (the safety check runs only here, so ordinary turns pay nothing extra for this).
    """
    retry_after = str(max(1, int(exc.limit.limit.get_expiry())))
    if request.endpoint in SIGN_IN:
        refused = sign_in_refused(retry_after)
        refused.headers["Retry-After"] = retry_after
        log.warning("console sign-in limit reached (%s)", exc.limit.limit)  # never the address or username
        return refused
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and possible_risk():
        return current_app.make_response(current_app.ensure_sync(view)(**(request.view_args or {})))
    text = services().content.text("rate_limited")
    path = request.path
    response: Response
    if path.startswith("/twilio/voice"):
        voice = VoiceResponse()
        voice.say(text, language="en-GB")
        voice.hangup()
        response = Response(str(voice), status=200 if signed_twilio_request() else 429, mimetype="text/xml")
    elif path.startswith("/twilio/"):
        sms = MessagingResponse()
        sms.message(text)
        response = Response(str(sms), status=200 if signed_twilio_request() else 429, mimetype="text/xml")
    elif path.startswith("/api/"):
        response = jsonify({"error": text})
        response.status_code = 429
    else:
        response = Response(render_template("error.html", message=text), status=429, mimetype="text/html")
    response.headers["Retry-After"] = retry_after
    log.warning("rate limit reached on %s (%s)", request.endpoint or path, exc.limit.limit)
    return response


def init_app(app: Flask, settings: Settings) -> Limiter:
    """Attach the limiter to `app` with the limits from `settings`."""
    limits: list[str | Callable[[], str] | ApplicationLimit] = []
    if settings.rate_limit_ip:
        hops = settings.ratelimit_proxy_hops
        limits.append(
            ApplicationLimit(
                limit_provider=settings.rate_limit_ip, key_function=lambda: "ip:" + client_ip(hops), scope="ip",
                exempt_when=ip_exempt,
            )
        )
    if settings.rate_limit_contact:
        limits.append(
            ApplicationLimit(
                limit_provider=settings.rate_limit_contact, key_function=lambda: "contact:" + contact(),
                scope="contact", exempt_when=lambda: not contact(),
            )
        )
    limiter = Limiter(
        lambda: "ip:" + client_ip(settings.ratelimit_proxy_hops),
        application_limits=limits,
        storage_uri=settings.ratelimit_storage_uri,
        key_prefix=settings.ratelimit_key_prefix,
        # Counts in this window and the last, weighted: no burst at a window's edge, and a fraction of the
        # moving window's cost per request (no list of every request's time to keep and trim).
        strategy="sliding-window-counter",
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    limiter.init_app(app)
    _limit_sign_in(app, limiter, settings.ratelimit_proxy_hops)
    _limit_failed_polls(app, limiter, settings.ratelimit_proxy_hops)
    app.register_error_handler(RateLimitExceeded, kind_reply)
    return limiter


def _limit_sign_in(app: Flask, limiter: Limiter, hops: int) -> None:
    """The console's sign-in and unlock views get their own limits on failed attempts (the console is exempt
    from the per-IP limit above): per address, and per address and username, so an attacker elsewhere
    never touches the real user's allowance."""
    for endpoint in SIGN_IN:
        view: Callable[..., Any] | None = app.view_functions.get(endpoint)
        if view is None:  # an app without the console
            continue
        # Flask-Limiter checks a view's own limits in its wrapper, so the wrapped view replaces the plain one.
        view = limiter.limit(SIGN_IN_PER_IP, key_func=lambda: "sign-in-ip:" + client_ip(hops), scope="sign-in-ip",
                             methods=["POST"], deduct_when=failed_sign_in)(view)
        view = limiter.limit(SIGN_IN_PER_USER, key_func=lambda: f"sign-in:{client_ip(hops)}:{sign_in_user()}",
                             scope="sign-in-user", methods=["POST"], deduct_when=failed_sign_in)(view)
        app.view_functions[endpoint] = view


def _limit_failed_polls(app: Flask, limiter: Limiter, hops: int) -> None:
    """The chat page's poll is exempt from the per-IP limit (it runs every 5 seconds), so refused polls (a
    wrong or expired token) get an allowance of their own per address; a parent's live chat never uses it."""
    view: Callable[..., Any] | None = app.view_functions.get(CHAT_POLL)
    if view is None:
        return
    app.view_functions[CHAT_POLL] = limiter.limit(
        FAILED_POLLS_PER_IP, key_func=lambda: "chat-poll-ip:" + client_ip(hops), scope="chat-poll-ip",
        deduct_when=lambda response: response.status_code == 401,
    )(view)
