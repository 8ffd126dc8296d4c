"""A console page a caseworker may not open sends them back to the queue, not to the parents' chat page."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.test_console_rights import signed_in


@pytest.mark.parametrize("path", ["/caseworker/staff", "/caseworker/hours"])
def test_a_manager_page_refused_to_a_caseworker_links_back_to_the_queue(app: Flask, path: str) -> None:
    response = signed_in(app).client.get(path)
    assert response.status_code == 403
    assert b"Sorry, you can&#39;t do that." in response.data
    assert b'<a href="/caseworker/queue">Back to the queue</a>' in response.data
    assert b"Back to the chat" not in response.data and b'href="/"' not in response.data


def test_a_parent_page_that_does_not_exist_still_links_to_the_chat(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b'<a href="/">Back to the chat</a>' in response.data
