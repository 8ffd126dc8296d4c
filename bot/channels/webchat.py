"""Web chat adapter: the chat page, the embeddable widget, and the JSON API behind them."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, send_from_directory
from sqlalchemy.orm import Session

from bot.config import DEFAULT_QUICK_EXIT_URL
from bot.engine import Refused
from bot.replies import Inbound, Reply
from bot.services import services
from intake import chat_reply, chat_sessions, conversations
from intake.crypto import contact_key
from intake.db import unit_of_work

bp = Blueprint("webchat", __name__)
SESSION_LIFETIME = chat_reply.LIFETIME  # from the page's last request; the intake form counts on it
MAX_CHARS = 2000
ENDED = "This chat has ended. Please reload the page to start a new one."
STALE = ("That button was for an earlier question, so we did not take it as your answer. "
         "Please answer the latest question, or type your answer.")


class Stale(Exception):
    """A choice pressed on a question this chat has moved on from: nothing was done."""


def as_json(reply: Reply, question: str | None = None) -> dict[str, Any]:
    """One chat message as the page sees it; a message with choices names its question (see `position`)."""
    message: dict[str, Any] = {
        "from": reply.sender,
        "text": reply.text,
        "choices": [{"key": c.key, "label": c.label} for c in reply.choices],
        "asks": reply.expects != "none",  # a newer question: the page retires the choices of earlier ones
    }
    if reply.choices and question is not None:
        message["question"] = question
    return message


def position(session: Session, session_id: str) -> str | None:
    """Where this chat's conversation is now, as a keyed digest of its stored state; None when it ran out.

    A choice button sends back the position its question was asked at, and is taken only while the chat is
    still there: any answer moves it on, a message that asks nothing (PRIVACY) does not. Keyed, so the digest
    tells nothing of the answers it covers.
    """
    svc = services()
    state = conversations.load(session, svc.keys, "web", svc.engine.contact_key(session_id))
    if state.lapsed:
        return None
    return contact_key(svc.settings.hash_key, f"question:{session_id}:{state.stored_json or ''}")[:32]


def current_question(session_id: str, token: str, question: str) -> Callable[[Session], bool]:
    """The token check, then Stale unless `question` is where the chat is now (in the turn's transaction)."""
    check = token_check(session_id, token)

    def guard(session: Session) -> bool:
        if not check(session):
            return False
        now = position(session, session_id)
        # Only an id of ours is compared: compare_digest refuses (raises on) a string of other scripts' letters.
        ours = len(question) == len(now or "") and question.isascii()
        if now is not None and not (ours and hmac.compare_digest(now, question)):  # a run-out chat says so itself
            raise Stale
        return True

    return guard


def error(status: int, message: str) -> Response:
    """A kind, plain error the page can show as is."""
    response = jsonify({"error": message})
    response.status_code = status
    return response


def bearer_token() -> str | None:
    """The token from the Authorization header, or None when there is no bearer token."""
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def token_check(session_id: str, token: str) -> Callable[[Session], bool]:
    """The token check, to run inside a caller's transaction."""
    hash_key = services().settings.hash_key
    return lambda session: chat_sessions.check_token(session, hash_key, session_id, token, SESSION_LIFETIME)


def authorised(session_id: str) -> bool:
    """Check the bearer token for this chat session (in a transaction of its own)."""
    token = bearer_token()
    if token is None:
        return False
    with unit_of_work(services().sessions) as session:
        return token_check(session_id, token)(session)


@bp.get("/")
def chat_page() -> str:
    """The chat page."""
    settings = services().settings
    # The script knows the default neutral site; the page names one only when the service chose its own.
    exit_url = "" if settings.quick_exit_url == DEFAULT_QUICK_EXIT_URL else settings.quick_exit_url
    return render_template("chat.html", service_name=settings.service_name, quick_exit_url=exit_url)


@bp.get("/widget.js")
def widget() -> Response:
    """The embeddable widget for the service's own website."""
    response = send_from_directory(bp.root_path + "/../static", "widget.js", mimetype="text/javascript")
    response.cache_control.max_age = 300
    return response


@bp.post("/api/chat/sessions")
def open_chat() -> tuple[Response, int]:
    """Start an anonymous chat: an id and a token, and the greeting."""
    svc = services()
    with unit_of_work(svc.sessions) as session:
        session_id, token = chat_sessions.open_session(session, svc.settings.hash_key, SESSION_LIFETIME)
    greeting = [
        Reply(svc.content.text("web_greeting")),
        Reply(svc.content.text("privacy_line").replace("Reply PRIVACY", "Type PRIVACY")),
    ]
    body = {"session_id": session_id, "token": token, "messages": [as_json(r) for r in greeting]}
    return jsonify(body), 201


@bp.post("/api/chat/sessions/<session_id>/messages")
def send_message(session_id: str) -> Response:
    """The parent's message in, the bot's replies out."""
    token = bearer_token()
    if token is None:
        return error(401, ENDED)
    payload = request.get_json(silent=True)
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(payload, dict) or not isinstance(text, str) or len(text) > MAX_CHARS:
        # A message that cannot be taken: a chat that is not valid still hears so first (401 before 400).
        if not authorised(session_id):
            return error(401, ENDED)
        if not isinstance(text, str):
            return error(400, "Sorry, that message could not be read. Please type it again.")
        return error(400, f"That message is too long. Please keep it under {MAX_CHARS} characters.")
    client_id = payload.get("id")
    message_id = f"{session_id}:{client_id}" if isinstance(client_id, str) and 0 < len(client_id) <= 40 else None
    inbound = Inbound("web", session_id, text=text, message_id=message_id)
    # A pressed choice names its question: one left on screen from an earlier question (another tab, a slow
    # page) must not answer today's ("Yes" to "may we keep your details?" taken as "may we say who we are?").
    question = payload.get("question")
    guard = (current_question(session_id, token, question) if isinstance(question, str)
             else token_check(session_id, token))
    try:  # the token is checked in the turn's own transaction: one transaction per message
        result = services().engine.handle(inbound, guard=guard)
    except Refused:
        return error(401, ENDED)
    except Stale:
        response = jsonify({"error": STALE, "stale": True})
        response.status_code = 409  # the page keeps the question on screen and says why nothing was sent
        return response
    asked = None
    if result.forgotten:
        with unit_of_work(services().sessions) as session:
            chat_sessions.end_session(session, session_id)
    elif any(r.choices for r in result.replies) or isinstance(payload.get("shown"), str):
        # `shown`: a typed message while a question's buttons are on the page. "at" then tells the page whether
        # that question still stands (after PRIVACY it does; after a typed "yes" at the summary it does not).
        # Read after the turn's commit (the turn is the engine's): a turn from another tab of this chat landing
        # in between would be read as this question's position. A narrow race, left open rather than reach
        # into the engine; the page itself never sends a choice once a newer question is on screen.
        with unit_of_work(services().sessions) as session:
            asked = position(session, session_id)
    # `ended`: FORGET ended this chat, so the page clears its conversation and the token it kept (a shared
    # computer must not show it again, nor fetch the caseworker's replies with it).
    body = {"messages": [as_json(r, asked) for r in result.replies], "duplicate": result.duplicate,
            "ended": result.forgotten}
    if asked is not None:
        body["at"] = asked  # the question the chat is at now: the page retires the buttons of any other
    return jsonify(body)


@bp.post("/api/chat/sessions/<session_id>/end")
def end_chat(session_id: str) -> Response:
    """The quick exit ends the chat here too, so a restored tab or a copied token finds nothing.

    The page sends this as a beacon while it leaves (it never waits for the answer). A beacon cannot set an
    Authorization header, so the token comes in the form-encoded body; never from the address, where logs and
    history would keep it. No cookie is read or set: another site may post here, but without the token it can
    end nothing.
    """
    token = request.form.get("token", "")
    if not token:
        return error(401, ENDED)
    with unit_of_work(services().sessions) as session:
        ended = chat_sessions.end_with_token(session, services().settings.hash_key, session_id, token)
    if not ended:
        return error(401, ENDED)
    return Response(status=204)


@bp.get("/api/chat/sessions/<session_id>/messages")
def later_messages(session_id: str) -> Response:
    """Caseworker replies that arrived after message number `after`."""
    if not authorised(session_id):
        return error(401, ENDED)
    after = request.args.get("after", "0")
    if not (after.isascii() and after.isdigit()):  # "²" is a digit to isdigit(), not to int()
        return error(400, "'after' must be a message number.")
    svc = services()
    with unit_of_work(svc.sessions) as session:
        rows = chat_sessions.messages_after(session, svc.keys, session_id, int(after))
    messages = [{"id": n, "from": "caseworker", "text": text, "choices": []} for n, text in rows]
    return jsonify({"messages": messages, "last": rows[-1][0] if rows else int(after)})


@bp.get("/healthz")
def health() -> Response:
    """Liveness for the load balancer; no data."""
    return jsonify({"status": "ok"})

