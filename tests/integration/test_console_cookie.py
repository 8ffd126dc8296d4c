"""The console's session cookie is encrypted: whoever has the browser reads nothing from it, and a changed or
made-up cookie signs nobody in."""

from __future__ import annotations

import base64
import binascii
import zlib

from flask import Flask

from tests.integration.test_console import AuthActions, add_caseworker, enquire


def readable(cookie: str) -> str:
    """Everything a person with the browser could decode from the cookie (itsdangerous' signed format is
    base64 pieces, the first one maybe zlib-compressed)."""
    found = [cookie]
    for piece in cookie.lstrip(".").split("."):
        try:
            raw = base64.urlsafe_b64decode(piece + "=" * (-len(piece) % 4))
        except (binascii.Error, ValueError):
            continue
        for attempt in (lambda b: b, zlib.decompress):
            try:
                found.append(attempt(raw).decode("utf-8", "replace"))
            except zlib.error:
                pass
    return "\n".join(found)


def session_cookie(auth: AuthActions) -> str:
    cookie = auth.client.get_cookie(auth.app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def caseworker(app: Flask, name: str) -> AuthActions:
    return AuthActions(app.test_client(), app, name, add_caseworker(app, name))


def test_the_cookie_shows_no_username_role_or_waiting_message(app: Flask) -> None:
    reference = enquire(app)
    auth = caseworker(app, "alex")
    other = caseworker(app, "blair")
    auth.login()
    other.login()
    auth.post(f"/caseworker/claim/{reference}")
    other.post(f"/caseworker/claim/{reference}")  # flashes "<reference> has already been taken ..."
    shown = readable(session_cookie(other))
    for secret in ("blair", "caseworker", reference, "already been taken", "staff"):
        assert secret not in shown
    # The message itself still reaches the caseworker, on the next page.
    assert b"already been taken" in other.client.get("/caseworker/queue").data


def test_a_tampered_cookie_signs_nobody_in(app: Flask) -> None:
    reference = enquire(app)
    auth = caseworker(app, "alex")
    auth.login()
    auth.post(f"/caseworker/claim/{reference}")
    assert auth.client.get(f"/caseworker/case/{reference}").status_code == 200
    cookie = session_cookie(auth)
    flipped = cookie[:40] + ("A" if cookie[40] != "A" else "B") + cookie[41:]
    auth.client.set_cookie(app.config["SESSION_COOKIE_NAME"], flipped)
    page = auth.client.get(f"/caseworker/case/{reference}")
    assert page.status_code == 302 and "/caseworker/login" in page.headers["Location"]
