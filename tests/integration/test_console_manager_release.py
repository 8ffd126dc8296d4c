"""A manager can release a case another caseworker holds from its own page, not only by a hand-made request."""

from __future__ import annotations

from flask import Flask

from tests.integration.test_console import enquire
from tests.integration.test_console_rights import claimed, signed_in


def test_a_manager_releases_a_colleagues_case_from_the_case_page(app: Flask) -> None:
    reference = enquire(app)
    alice = claimed(app, reference, "alice")
    morgan = signed_in(app, "morgan", "manager")
    page = morgan.client.get(f"/caseworker/case/{reference}").get_data(as_text=True)
    assert "Another caseworker has this case" in page and "Release back to the queue" in page
    assert "ask the caseworker who has it" not in page  # the manager need not wait for them
    morgan.post(f"/caseworker/case/{reference}/release")
    queued = [row["reference"] for row in morgan.client.get("/caseworker/queue.json").get_json()["rows"]]
    assert reference in queued
    # a caseworker looking at a colleague's case gets no such button
    bob = signed_in(app, "bob")
    alice.post(f"/caseworker/claim/{reference}")
    assert "Release back to the queue" not in bob.client.get(f"/caseworker/case/{reference}").get_data(as_text=True)
