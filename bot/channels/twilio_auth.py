"""Twilio request signatures, checked against the public URL so it works behind a proxy."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any

from flask import abort, g, request
from twilio.request_validator import RequestValidator

from bot.services import services


def public_url() -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL + path (+ the raw query string)."""
    url = services().settings.public_base_url + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return url


@lru_cache(maxsize=4)
def validator(auth_token: str) -> RequestValidator:
    """One validator per auth token, made once."""
    return RequestValidator(auth_token)


def twilio_signed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse (403) any request without a valid X-Twilio-Signature before it can change anything."""

    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        signature = request.headers.get("X-Twilio-Signature", "")
        # The rate limiter (bot/ratelimit.py) makes this very check first; a request it found signed
        # need not be hashed again. Anything else is checked here, as always.
        if not signature or (
            g.get("intake_signed") is not True
            and not validator(services().settings.twilio_auth_token).validate(public_url(), request.form, signature)
        ):
            abort(403)
        return view(*args, **kwargs)

    return checked
