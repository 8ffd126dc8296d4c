"""Digits from other scripts ("١٢٣٤٥٦", "²") are refused kindly, never a 500 that tells an attacker something.

Python's str.isdigit() is true for Arabic-Indic digits and superscripts. At sign-in such a "code" used to
crash the one-time-code comparison: a 500 for the right password and a 401 for a wrong one, so a password
could be confirmed without a code, unthrottled (only 401s counted) and unaudited (the crash rolled back the
failure's audit entry). In the chat's polling URL "²" crashed int(). Real console and chat API, nothing patched.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from intake.db import unit_of_work
from intake.models import AuditEvent
from tests.conftest import ChatActions
from tests.integration.test_console import AuthActions, add_caseworker, svc

LOOKALIKE_CODES = ["١٢٣٤٥٦", "۱۲۳۴۵۶", "१२३४५६", "¹²³⁴⁵⁶"]


@pytest.fixture
def auth(app: Flask) -> AuthActions:
    """A caseworker, not yet signed in."""
    return AuthActions(app.test_client(), app, "alex", add_caseworker(app, "alex"))


def failures(app: Flask) -> int:
    """Failed sign-ins in the audit trail."""
    with unit_of_work(svc(app).sessions) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)
                                  .where(AuditEvent.action == "login_failed")) or 0)


def test_a_lookalike_code_with_the_right_password_is_refused_like_any_wrong_code(app: Flask,
                                                                                 auth: AuthActions) -> None:
    codes = LOOKALIKE_CODES[::2]  # four attempts: below the pause after five failures
    for code in codes:
        right = auth.login(code=code)
        wrong = auth.login(password="not the password", code=code)
        assert right.status_code == wrong.status_code == 401, code
        assert right.data.count(b"error") == wrong.data.count(b"error")
    assert failures(app) == 2 * len(codes)  # each attempt audited, so each can be counted


def test_repeated_lookalike_codes_are_throttled(auth: AuthActions) -> None:
    statuses = [auth.login(code="١٢٣٤٥٦").status_code for _ in range(12)]
    assert 500 not in statuses
    assert statuses[-1] == 429, statuses


def test_chat_polling_with_a_superscript_number_gets_a_clear_refusal(client: FlaskClient, chat: ChatActions) -> None:
    chat.say("hello")
    for after in ("²", "١", "⁵"):
        response = client.get(f"/api/chat/sessions/{chat.session_id}/messages?after={after}",
                              headers=chat.headers)
        assert response.status_code == 400, after
        assert "message number" in response.get_json()["error"]
