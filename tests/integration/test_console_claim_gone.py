"""Claiming from a queue page drawn a while ago: the caseworker is told what really happened to the enquiry."""

from __future__ import annotations

from flask import Flask

from tests.conftest import SmsActions
from tests.integration.test_console_rights import PARENT, signed_in, sms_enquiry


def flashed_on_queue(auth, response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302 and response.headers["Location"].endswith("/caseworker/queue")
    return " ".join(auth.client.get("/caseworker/queue").get_data(as_text=True).split())


def test_an_enquiry_the_parent_withdrew_is_not_said_to_be_taken(app: Flask) -> None:
    reference = sms_enquiry(app)
    alex = signed_in(app)
    assert reference in alex.client.get("/caseworker/queue").get_data(as_text=True)
    SmsActions(app.test_client(), PARENT).send("FORGET")  # the parent withdraws it while the page is open
    page = flashed_on_queue(alex, alex.post(f"/caseworker/claim/{reference}"))
    assert f"{reference} is no longer in the queue: the parent withdrew it." in page
    assert "already been taken" not in page


def test_a_double_click_on_claim_opens_the_case_the_caseworker_now_has(app: Flask) -> None:
    reference = sms_enquiry(app)
    alex = signed_in(app)
    assert alex.post(f"/caseworker/claim/{reference}").headers["Location"].endswith(f"/case/{reference}")
    again = alex.post(f"/caseworker/claim/{reference}")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/case/{reference}")
    assert "already been taken" not in alex.client.get(f"/caseworker/case/{reference}").get_data(as_text=True)


def test_one_taken_by_a_colleague_still_says_so(app: Flask) -> None:
    reference = sms_enquiry(app)
    alex, blair = signed_in(app), signed_in(app, "blair")
    alex.post(f"/caseworker/claim/{reference}")
    assert "has already been taken by another caseworker" in flashed_on_queue(
        blair, blair.post(f"/caseworker/claim/{reference}"))


def test_the_close_form_records_no_outcome_the_caseworker_did_not_choose(app: Flask) -> None:
    reference = sms_enquiry(app)
    alex = signed_in(app)
    alex.post(f"/caseworker/claim/{reference}")
    page = alex.client.get(f"/caseworker/case/{reference}").get_data(as_text=True)
    select = page.split('<select id="outcome"')[1].split("</select>")[0]
    chosen = [option for option in select.split("<option")[1:] if " selected" in option.split(">")[0]]
    assert [option.split(">")[1].split("<")[0] for option in chosen] == ["Choose the outcome"]
    refused = alex.post(f"/caseworker/case/{reference}/close", outcome="")  # a form sent with nothing chosen
    assert refused.status_code == 302
    assert "Choose an outcome from the list." in alex.client.get(refused.headers["Location"]).get_data(as_text=True)
    assert f"{reference}" in alex.client.get("/caseworker/caseload").get_data(as_text=True)  # still open, theirs
