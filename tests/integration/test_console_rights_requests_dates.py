"""Rights requests' dates as a manager meets them: a request already overdue cannot be extended (the law allows
an extension only within the first month); a wrong arrival date is corrected, not refused as a duplicate
(audited, dates only); a request due while the office is closed says so on its row."""

from __future__ import annotations

from flask import Flask

from tests.integration.test_console import audit_rows, set_clock
from tests.integration.test_console_rights import signed_in, sms_enquiry
from tests.integration.test_console_rights_requests import PAGE, WHY, log, page, request_id, row_of

CLOSED = "due while the office is closed (24 Dec – 1 Jan): plan to send it before"


def test_a_request_already_overdue_cannot_be_extended(app: Flask) -> None:
    set_clock(app, "2027-10-30 11:00")
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    log(manager, reference, received="31/01/2027")  # due Sun 28 Feb 2027: 244 days overdue
    text = page(manager)
    row = row_of(text, reference)
    assert "OVERDUE by 244 days" in row and "Extend by two months" not in row
    assert "too late to extend" in row
    refused = manager.post(f"{PAGE}/{request_id(text, reference)}/extend", reason=WHY)
    assert refused.status_code == 400
    said = " ".join(refused.get_data(as_text=True).split())
    assert "It was due on Sun 28 Feb 2027, so it can no longer be extended" in said
    assert "Sun 28 Feb 2027" in row_of(page(manager), reference) and audit_rows(app, "rights_request_extended") == []


def test_a_request_on_its_due_day_can_still_be_extended(app: Flask) -> None:
    set_clock(app, "2027-02-28 11:00")
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    log(manager, reference, received="31/01/2027")
    assert manager.post(f"{PAGE}/{request_id(page(manager), reference)}/extend", reason=WHY).status_code == 302
    assert "Fri 30 Apr 2027" in row_of(page(manager), reference)


def test_a_manager_corrects_the_day_a_request_arrived(app: Flask) -> None:
    set_clock(app, "2027-02-20 09:00")
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    log(manager, reference)  # logged as arriving today; the letter came on 31 January
    duplicate = log(manager, reference, received="31/01/2027")
    said = " ".join(duplicate.get_data(as_text=True).split())
    assert duplicate.status_code == 400 and "a manager can correct the day it arrived in the list" in said
    number = request_id(page(manager), reference)
    assert "Correct the day it arrived" in row_of(page(manager), reference)

    corrected = manager.post(f"{PAGE}/{number}/received", received="31/01/2027")
    assert corrected.status_code == 302
    row = row_of(page(manager), reference)
    assert "Sun 31 Jan 2027" in row and "Sun 28 Feb 2027" in row and "8 days left" in row
    [event] = audit_rows(app, "rights_request_corrected")
    assert (event.actor, event.reference, event.detail) == (
        "morgan", reference, "copy; received 2027-01-31 (was 2027-02-20); due 2027-02-28")

    later = manager.post(f"{PAGE}/{number}/received", received="2027-03-01")
    assert later.status_code == 400 and "cannot be after today" in later.get_data(as_text=True)


def test_a_caseworker_cannot_correct_the_day_a_request_arrived(app: Flask) -> None:
    set_clock(app, "2027-02-20 09:00")
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    log(manager, reference)
    number = request_id(page(manager), reference)
    alex = signed_in(app, "alex")
    refused = alex.post(f"{PAGE}/{number}/received", received="31/01/2027")
    assert refused.status_code == 400 and "Only a manager can correct" in refused.get_data(as_text=True)
    assert audit_rows(app, "rights_request_corrected") == []


def test_a_request_due_while_the_office_is_closed_says_so(app: Flask) -> None:
    set_clock(app, "2026-12-01 10:00")
    manager = signed_in(app, "morgan", "manager")
    saved = manager.post("/caseworker/hours", hours="Mon-Fri 09:00-17:00", bank_holidays="24/12/2026 to 1/1/2027")
    assert saved.status_code == 302
    christmas, last_day, before = sms_enquiry(app), sms_enquiry(app), sms_enquiry(app)
    log(manager, christmas, received="27/11/2026")  # due Sun 27 Dec 2026
    log(manager, last_day)  # arrived today, 1 Dec: due Fri 1 Jan 2027, the closure's last day
    log(manager, before, received="2026-11-20")  # due Sun 20 Dec: before the closure
    text = page(manager)
    assert CLOSED in row_of(text, christmas) and CLOSED in row_of(text, last_day)
    assert "office is closed" not in row_of(text, before)
