"""A console error page's way back goes where that member of staff can go: the queue for those who handle cases,
Accounts for an admin (the queue is forbidden to them), the sign-in page for someone signed out."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.integration.test_console_rights import signed_in

LINK = re.compile(r'<main class="page">.*?<p>\s*<a href="([^"]+)">([^<]+)</a>', re.S)


def way_back(page: bytes) -> tuple[str, str]:
    """(where, what it says) of the error page's one link."""
    found = LINK.search(page.decode())
    assert found, page.decode()
    return found.group(1), found.group(2)


@pytest.mark.parametrize("path", ["/caseworker/queue", "/caseworker/caseload", "/caseworker/no-such-page"])
def test_an_admin_is_sent_back_to_accounts_not_to_the_queue_they_cannot_open(app: Flask, path: str) -> None:
    ada = signed_in(app, "ada", "admin")
    refused = ada.client.get(path)
    assert refused.status_code in (403, 404)
    assert way_back(refused.data) == ("/caseworker/accounts", "Back to Accounts")
    assert ada.client.get("/caseworker/accounts").status_code == 200  # and it opens for them


@pytest.mark.parametrize("role", ["caseworker", "manager"])
def test_staff_who_handle_cases_are_sent_back_to_the_queue(app: Flask, role: str) -> None:
    worker = signed_in(app, "sam", role)
    missing = worker.client.get("/caseworker/no-such-page")
    assert missing.status_code == 404
    assert way_back(missing.data) == ("/caseworker/queue", "Back to the queue")


def test_someone_signed_out_is_offered_the_sign_in_page(app: Flask) -> None:
    client = app.test_client()
    missing = client.get("/caseworker/no-such-page")
    assert missing.status_code == 404
    assert way_back(missing.data) == ("/caseworker/login", "Sign in")
    stale = client.post("/caseworker/login", data={"username": "sam", "password": "x", "code": "123456"})
    assert stale.status_code == 400  # no CSRF token (a form from before the session expired)
    assert way_back(stale.data) == ("/caseworker/login", "Sign in")
