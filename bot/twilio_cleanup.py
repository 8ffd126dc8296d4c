"""Deleting Twilio's own copies of texts: every inbound text and every text the service sends (through the REST
API, or as a TwiML reply, whose SID Twilio reports to REPLY_STATUS) is owed for deletion from Twilio's message log
(body and number), and `delete-twilio-copies` deletes them through its REST API.

On by default in production when Twilio's REST credentials are set (TWILIO_ACCOUNT_SID); TWILIO_DELETE_COPIES=on
or off says otherwise. Twilio refuses to delete a text it has not finished with (an outbound one not yet
delivered): that one is tried again at a later run, until Twilio deletes it or answers 404 (already gone). Log
lines name a SID by its keyed hash, never a body, a number or Twilio's error text (which can quote them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask import Flask, current_app
from sqlalchemy.orm import Session, sessionmaker

from bot.config import ConfigError, Settings
from intake import twilio_copies
from intake.db import unit_of_work

if TYPE_CHECKING:
    from twilio.rest import Client

log = logging.getLogger(__name__)
SETTING = "TWILIO_DELETE_COPIES"
EXTENSION = "twilio_delete_copies"  # app.extensions: whether this app deletes copies
REPLY_STATUS = "/twilio/sms/status"  # where Twilio reports the texts it sent as TwiML replies (their SIDs)
NOT_FINISHED = 20009  # Twilio: "Cannot delete this resource before it is complete"
ON, OFF = ("on", "true", "yes", "1"), ("off", "false", "no", "0")


def enabled(settings: Settings) -> bool:
    """Whether Twilio's copies are deleted: TWILIO_DELETE_COPIES, or by default in production with Twilio set up."""
    value = settings.twilio_delete_copies
    if not value:
        return settings.is_production and bool(settings.twilio_account_sid and settings.twilio_auth_token)
    if value in OFF:
        return False
    if value in ON:
        if not settings.twilio_account_sid:
            raise ConfigError(f"{SETTING}=on needs TWILIO_ACCOUNT_SID (and TWILIO_AUTH_TOKEN) to reach Twilio's API")
        return True
    raise ConfigError(f"{SETTING} must be on or off, not {value!r}")


def rest_client(settings: Settings) -> Client:
    """Twilio's REST client for the account in the settings; every request gives up after 10 seconds."""
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    # Twilio's client logs each request's URL at INFO, a SID in it: its own logger here stays at WARNING.
    quiet = logging.getLogger(f"{__name__}.http")
    quiet.setLevel(logging.WARNING)
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token,
                    http_client=TwilioHttpClient(timeout=10, logger=quiet))
    if settings.twilio_api_base:  # a regional edge or, in tests, a local stand-in
        client.api.base_url = settings.twilio_api_base.rstrip("/")
    return client


def _app_sessions() -> sessionmaker[Session]:
    """The database of the app at work (a request, or a command run in the app's context)."""
    sessions: sessionmaker[Session] = current_app.extensions["intake"].sessions
    return sessions


def owe(settings: Settings, sessions: sessionmaker[Session] | None, sid: str,
        kind: str = twilio_copies.MESSAGE) -> None:
    """In a transaction of its own (in the current app's database unless `sessions` is given): Twilio's copy of
    `sid` is to be deleted. Never raises: the text has gone (or been answered) whatever happens here; a failure is
    logged by the SID's hash, and the copy stays at Twilio."""
    try:
        with unit_of_work(sessions or _app_sessions()) as session:
            if not twilio_copies.owe(session, sid, kind):
                log.warning("Twilio %s id of an unexpected shape: its copy cannot be deleted", kind)
    except Exception as exc:
        log.error("Twilio's copy of %s was not owed for deletion (%s): it stays in Twilio's log",
                  twilio_copies.log_reference(settings.hash_key, sid), type(exc).__name__)


def init_app(app: Flask) -> None:
    """Decide once, as the app starts, whether copies are deleted: a wrong TWILIO_DELETE_COPIES fails the start,
    not a parent's text."""
    app.extensions[EXTENSION] = enabled(app.config["INTAKE"])


@contextmanager
def deleted_afterwards(sid: str, kind: str = twilio_copies.MESSAGE) -> Iterator[None]:
    """Around a webhook's handling (an inbound text's turn; for a call, `kind` CALL and its CallSid): once it has
    been handled, Twilio's copy is owed. A call's is deleted once the call has ended.

    A turn that failed with an error owes nothing: what the parent sent was not stored, and Twilio's copy is then
    the only one (it may be a disclosure, policy 7.1). It stays for the failure to be looked into, logged by the
    SID's hash, until the daily `delete-twilio-copies --backlog` finds it.
    """
    try:
        yield
    except Exception:
        if sid and current_app.extensions.get(EXTENSION):
            log.warning("a webhook failed: Twilio's copy of %s is kept for now (the only copy of what was sent)",
                        twilio_copies.log_reference(current_app.config["INTAKE"].hash_key, sid))
        raise
    if sid and current_app.extensions.get(EXTENSION):
        owe(current_app.config["INTAKE"], None, sid, kind)


def reply_callback() -> dict[str, str]:
    """For each TwiML <Message> reply: Twilio reports the reply's SID to REPLY_STATUS (signed, as every webhook), so
    its copy is owed like any other text's. Nothing when this app does not delete copies."""
    if not current_app.extensions.get(EXTENSION):
        return {}
    return {"status_callback": current_app.config["INTAKE"].public_base_url + REPLY_STATUS}


def owe_backlog(settings: Settings, sessions: sessionmaker[Session], client: Client | None = None) -> int:
    """Owe every text to or from the service's number (TWILIO_SMS_FROM) still in Twilio's log: those from before
    copies were deleted, or whose SID was lost. How many were found; the rest of the account is not touched.

    Twilio's list holds each text's body and number: only the SID is read from it, and kept.
    """
    number = settings.twilio_sms_from
    if not number or number.startswith("MG"):
        raise ConfigError("the backlog is found by the service's number: set TWILIO_SMS_FROM to it (+44…), not a "
                          "messaging service")
    client = client or rest_client(settings)
    found = 0
    for direction in ({"to": number}, {"from_": number}):
        batch: list[str] = []
        for message in client.messages.stream(page_size=1000, **direction):
            batch.append(str(message.sid))
            if len(batch) == 500:
                found += _owe_all(sessions, batch)
                batch = []
        found += _owe_all(sessions, batch)
    return found


def _owe_all(sessions: sessionmaker[Session], sids: list[str]) -> int:
    with unit_of_work(sessions) as session:
        return sum(twilio_copies.owe(session, sid) for sid in sids)


@dataclass
class Run:
    """What one `delete-twilio-copies` run did."""

    deleted: int = 0
    already_gone: int = 0
    not_yet: int = 0  # Twilio not finished with them (error 20009): tried again at a later run
    failed: int = 0  # Twilio or the network refused: the run stopped, the rest wait for the next one
    owed: int = 0  # still owed after the run, due now or later


def delete_owed(settings: Settings, sessions: sessionmaker[Session], now: datetime | None = None,
                client: Client | None = None) -> Run:
    """Ask Twilio to delete each copy owed and due; each answer recorded in a transaction of its own.

    A run that finds Twilio down or refusing the account (anything but deleted, 404 or "not finished") stops
    there: the rest would only wait out the same failure, 10 seconds each.
    """
    from twilio.base.exceptions import TwilioRestException

    client = client or rest_client(settings)
    with sessions() as session:
        owed = twilio_copies.due(session, now)
    run = Run()
    for item in owed:
        reference = twilio_copies.log_reference(settings.hash_key, item.sid)
        resource = client.calls(item.sid) if item.kind == twilio_copies.CALL else client.messages(item.sid)
        outcome = "deleted"
        try:
            resource.delete()
        except TwilioRestException as exc:
            if exc.status == 404:
                outcome = "gone"
            elif exc.code == NOT_FINISHED:
                outcome = "not yet"
            else:
                outcome = "failed"
                # Status and Twilio's code only: its message can quote the number or the text.
                log.error("Twilio did not delete its copy of %s: HTTP %s, code %s", reference, exc.status, exc.code)
        except Exception as exc:  # the network, a timeout: Twilio not reached
            outcome = "failed"
            log.error("Twilio not reached to delete its copy of %s: %s", reference, type(exc).__name__)
        with unit_of_work(sessions) as session:
            if outcome in ("deleted", "gone"):
                twilio_copies.done(session, item.sid)
            else:
                twilio_copies.wait(session, item.sid, now)
        if outcome == "deleted":
            run.deleted += 1
        elif outcome == "gone":
            run.already_gone += 1
        elif outcome == "not yet":
            run.not_yet += 1
        else:
            run.failed += 1
            break
    with sessions() as session:
        run.owed = twilio_copies.waiting(session)
    return run
