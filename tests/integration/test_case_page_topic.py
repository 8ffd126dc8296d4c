"""A safety concern is named in plain words wherever staff see its topic, never by the internal code."""

from __future__ import annotations

from flask import Flask

from tests.integration.test_console import enquire
from tests.integration.test_console_rights import claimed, signed_in


def test_a_safety_concern_reads_as_such_on_the_queue_case_page_and_caseload(app: Flask) -> None:
    reference = enquire(app, urgent=True)
    queue = signed_in(app, "sam").client.get("/caseworker/queue").data
    assert b"Safety concern" in queue and b">safeguarding<" not in queue
    polled = signed_in(app, "kim").client.get("/caseworker/queue.json").get_json()["rows"]
    assert [row["topic_title"] for row in polled] == ["Safety concern"]
    auth = claimed(app, reference)
    case = auth.client.get(f"/caseworker/case/{reference}").data
    assert b"Topic: Safety concern" in case and b"Topic: safeguarding" not in case
    assert b"Safety concern" in auth.client.get("/caseworker/caseload").data
