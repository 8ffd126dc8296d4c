"""Sending single texts through Twilio's REST API (only ever with the parent's or staff's consent)."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Settings

Texter = Callable[[str, str], None]  # (to, body): send one SMS


def twilio_texter(settings: Settings) -> Texter | None:
    """A sender of single texts through Twilio's REST API, or None when texting is not configured."""
    if not (settings.twilio_account_sid and settings.twilio_sms_from):
        return None
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    client = Client(settings.twilio_account_sid, settings.twilio_auth_token,
                    http_client=TwilioHttpClient(timeout=10))
    if settings.twilio_api_base:  # a regional edge or, in tests, a local stand-in
        client.api.base_url = settings.twilio_api_base.rstrip("/")
    sender = settings.twilio_sms_from
    key = "messaging_service_sid" if sender.startswith("MG") else "from_"

    def send(to: str, body: str) -> None:
        client.messages.create(to=to, body=body, **{key: sender})

    return send
