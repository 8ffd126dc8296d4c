"""Sending single texts through Twilio's REST API (only ever with the parent's or staff's consent).

Each text sent is owed for deletion from Twilio's log by the SID Twilio returns (bot/twilio_cleanup.py), when
deleting Twilio's copies is on.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from bot import twilio_cleanup
from bot.config import Settings

Texter = Callable[[str, str], None]  # (to, body): send one SMS


def twilio_texter(settings: Settings, sessions: sessionmaker[Session] | None = None) -> Texter | None:
    """A sender of single texts through Twilio's REST API, or None when texting is not configured.

    With deleting Twilio's copies on, each text's SID is owed in `sessions` (by default the current app's database).
    """
    if not (settings.twilio_account_sid and settings.twilio_sms_from):
        return None
    client = twilio_cleanup.rest_client(settings)
    sender = settings.twilio_sms_from
    key = "messaging_service_sid" if sender.startswith("MG") else "from_"
    delete_copies = twilio_cleanup.enabled(settings)

    def send(to: str, body: str) -> None:
        message = client.messages.create(to=to, body=body, **{key: sender})
        if delete_copies and message.sid:
            twilio_cleanup.owe(settings, sessions, message.sid)  # never raises: the text has gone regardless

    return send
