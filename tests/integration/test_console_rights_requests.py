"""Console: a parent's request for a copy or an erasure is logged with the day it arrived, listed with its due
date (one calendar month), overdue ones first; the copy or the erasure closes it; a manager extends it once or
closes it with a reason; an erased case's requests keep only dates, kind and outcome."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from intake.db import unit_of_work
from intake.models import RightsRequest
from tests.integration.test_console import AuthActions, audit_rows, set_clock, svc
from tests.integration.test_console_rights import CHECKED, claimed, signed_in, sms_enquiry
from tests.integration.test_console_rights_identity import audit_details, flashed

PAGE = "/caseworker/rights-requests"
WHY = "Parent sent three letters asking about different years of records"


def page(auth: AuthActions) -> str:
    """The rights requests page's text, with runs of white space made one space."""
    response = auth.client.get(PAGE)
    assert response.status_code == 200
    return " ".join(response.get_data(as_text=True).split())


def log(auth: AuthActions, reference: str, kind: str = "copy", **form: str) -> Any:
    """Post the 'log a request' form (the day it arrived left as today unless given)."""
    return auth.post(PAGE, reference=reference, kind=kind, arrived_by=form.pop("arrived_by", "letter"), **form)


def row_of(text: str, reference: str) -> str:
    """The open-requests table row for a case, as text."""
    found = re.search(rf'<tr id="request-\d+"[^>]*>(?:(?!</tr>).)*?{reference}.*?</tr>', text)
    assert found, f"no open request for {reference}"
    return found.group(0)


def stored(app: Flask) -> list[RightsRequest]:
    """Every rights request row, oldest first."""
    with unit_of_work(svc(app).sessions) as session:
        return list(session.scalars(select(RightsRequest).order_by(RightsRequest.id)))


def request_id(text: str, reference: str) -> str:
    """The id the list gives a case's open request (its extend and close forms post to it)."""
    found = re.search(r'id="request-(\d+)"', row_of(text, reference))
    assert found
    return found.group(1)


def test_a_request_logged_today_is_due_one_calendar_month_later(app: Flask) -> None:
    set_clock(app, "2027-01-31 11:00")
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    logged = log(manager, reference.lower(), arrived_by="email")  # typed in lower case: still the case
    assert logged.status_code == 302 and logged.headers["Location"].endswith(PAGE)
    assert reference not in flashed(manager) and "copy" not in flashed(manager)  # the cookie says nothing of it
    text = page(manager)
    row = row_of(text, reference)
    assert "Sun 31 Jan 2027 (e-mail)" in row and "Sun 28 Feb 2027" in row and "28 days left" in row
    assert "A copy of what we hold" in row and "OVERDUE" not in row
    assert "The request is logged" in text
    [event] = audit_rows(app, "rights_request_logged")
    assert (event.actor, event.reference, event.detail) == ("morgan", reference,
                                                            "copy; received 2027-01-31; due 2027-02-28")


def test_a_letter_opened_late_is_logged_with_the_day_it_arrived_and_overdue_ones_come_first(app: Flask) -> None:
    set_clock(app, "2028-03-10 09:00")
    recent, late, due_today = sms_enquiry(app), sms_enquiry(app), sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    assert log(manager, recent, "erasure").status_code == 302
    assert log(manager, late, received="31/01/2028").status_code == 302  # typed day first
    assert log(manager, due_today, received="2028-02-10").status_code == 302  # as the date picker sends it
    text = page(manager)
    assert text.index(late) < text.index(due_today) < text.index(recent)
    assert "Tue 29 Feb 2028" in row_of(text, late) and "OVERDUE by 10 days" in row_of(text, late)
    assert 'class="overdue"' in row_of(text, late)
    assert "Due today" in row_of(text, due_today) and "OVERDUE" not in row_of(text, due_today)
    assert "Mon 10 Apr 2028" in row_of(text, recent) and "31 days left" in row_of(text, recent)
    assert "Erasure of their case" in row_of(text, recent)


@pytest.mark.parametrize(("form", "said", "kept"), [
    ({"reference": "ZZZ-999"}, "No case has that reference", 'value="ZZZ-999"'),
    ({"received": "11/03/2028"}, "cannot be after today", 'value="11/03/2028"'),
    ({"received": "30/02/2028"}, "day first", 'value="30/02/2028"'),
    ({"kind": ""}, "Choose what the parent asked for", '<option value="phone" selected>'),
    ({"arrived_by": "pigeon"}, "Choose how the request arrived", 'value="copy" required checked'),
])
def test_a_request_that_cannot_be_logged_is_refused_with_the_form_kept(
    app: Flask, form: dict[str, str], said: str, kept: str
) -> None:
    set_clock(app, "2028-03-10 09:00")
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    answers = {"reference": reference, "kind": "copy", "arrived_by": "phone"} | form
    refused = auth.post(PAGE, **answers)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'role="alert"' in text and said in text and kept in text
    assert "Nothing was logged" in text
    assert stored(app) == [] and audit_rows(app, "rights_request_logged") == []


def test_the_same_request_is_not_logged_twice_while_it_is_open(app: Flask) -> None:
    set_clock(app, "2027-06-01 09:00")
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    log(manager, reference)
    again = log(manager, reference)
    assert again.status_code == 400 and "already logged, due 01/07/2027" in again.get_data(as_text=True)
    assert log(manager, reference, "erasure").status_code == 302  # a different request is its own
    assert [r.kind for r in stored(app)] == ["copy", "erasure"]


def test_a_manager_sees_every_request_a_caseworker_those_on_cases_they_hold_an_admin_none(app: Flask) -> None:
    set_clock(app, "2027-06-01 09:00")
    alexs, caseys = sms_enquiry(app), sms_enquiry(app)
    alex = claimed(app, alexs)
    casey = claimed(app, caseys, "casey")
    log(alex, alexs)
    log(casey, caseys)  # logged by whoever took the letter, seen by whoever holds the case
    alex_sees, manager_sees = page(alex), page(signed_in(app, "morgan", "manager"))
    assert alexs in alex_sees and caseys not in alex_sees and "a manager sees them all" in alex_sees
    assert alexs in manager_sees and caseys in manager_sees
    assert "Extend by two months" not in alex_sees and "Extend by two months" in manager_sees
    refused = alex.post(f"{PAGE}/{request_id(alex_sees, alexs)}/extend", reason=WHY)
    assert refused.status_code == 400 and "Only a manager can extend" in refused.get_data(as_text=True)
    assert audit_rows(app, "rights_request_extended") == []
    admin = signed_in(app, "ada", "admin")
    assert admin.client.get(PAGE).status_code == 403
    assert log(admin, alexs).status_code == 403 and len(stored(app)) == 2


def test_downloading_the_copy_closes_the_request_as_done_that_day(app: Flask) -> None:
    set_clock(app, "2027-02-10 09:00")
    reference = sms_enquiry(app)
    alex = claimed(app, reference)
    asked = alex.post(f"/caseworker/case/{reference}/export", format="txt").get_data(as_text=True)
    assert "No request for a copy of" in asked  # not logged yet: the copy page says where to log it
    log(alex, reference, received="01/02/2027")
    asked = " ".join(alex.post(f"/caseworker/case/{reference}/export", format="txt").get_data(as_text=True).split())
    assert "arrived on 01 Feb 2027 and is due by 01 Mar 2027" in asked
    assert "closes that request as done today" in asked
    copy = alex.post(f"/caseworker/case/{reference}/export", format="txt", **CHECKED)
    assert "attachment" in copy.headers["Content-Disposition"]
    text = page(alex)
    assert "No request is open." in text
    assert re.search(rf'<tr id="closed-\d+"> <td>{reference}</td>.*?Wed 10 Feb 2027</td> <td>done</td>', text)
    [event] = audit_rows(app, "rights_request_closed")
    assert (event.actor, event.reference, event.detail) == ("alex", reference, "copy; done")


def test_a_manager_extends_a_request_once_by_two_months_with_a_reason_kept_encrypted(app: Flask) -> None:
    set_clock(app, "2027-02-20 09:00")
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    log(manager, reference, received="31/01/2027")
    number = request_id(page(manager), reference)
    unexplained = manager.post(f"{PAGE}/{number}/extend", reason="   ")
    assert unexplained.status_code == 400 and "Give the reason" in unexplained.get_data(as_text=True)
    assert manager.post(f"{PAGE}/{number}/extend", reason=WHY).status_code == 302
    row = row_of(page(manager), reference)
    assert "Fri 30 Apr 2027" in row and "Extended on Sat 20 Feb 2027: " + WHY in row and "69 days left" in row
    assert "Extend by two months" not in row  # once only
    again = manager.post(f"{PAGE}/{number}/extend", reason="Still more letters")
    assert again.status_code == 400 and "extended already" in again.get_data(as_text=True)
    [kept] = stored(app)
    assert kept.extension_reason and WHY.encode() not in kept.extension_reason  # encrypted, like notes
    [event] = audit_rows(app, "rights_request_extended")
    assert (event.reference, event.detail) == (reference, "copy; due 2027-04-30")
    assert "three letters" not in audit_details(app)


@pytest.mark.parametrize("outcome", ["withdrawn", "refused"])
def test_a_manager_closes_a_request_as_refused_or_withdrawn_with_a_reason(app: Flask, outcome: str) -> None:
    set_clock(app, "2027-02-20 09:00")
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    log(manager, reference, "erasure")
    number = request_id(page(manager), reference)
    unexplained = manager.post(f"{PAGE}/{number}/close", outcome=outcome, reason="")
    assert unexplained.status_code == 400 and "Nothing was changed" in unexplained.get_data(as_text=True)
    assert manager.post(f"{PAGE}/{number}/close", outcome=outcome, reason="Parent phoned to say no need").status_code \
        == 302
    text = page(manager)
    assert "No request is open." in text and f"{outcome}: Parent phoned to say no need" in text
    gone = manager.post(f"{PAGE}/{number}/close", outcome=outcome, reason="again")
    assert gone.status_code == 400 and "not open any more" in gone.get_data(as_text=True)
    [event] = audit_rows(app, "rights_request_closed")
    assert (event.reference, event.detail) == (reference, f"erasure; {outcome}")
    assert "phoned" not in audit_details(app)


def test_erasing_the_case_closes_its_request_and_leaves_only_dates_kind_and_outcome(app: Flask) -> None:
    set_clock(app, "2027-03-05 09:00")
    reference = sms_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    log(manager, reference, "erasure", received="01/03/2027", arrived_by="in_person")
    log(manager, reference, "copy")
    text = page(manager)
    manager.post(f"{PAGE}/{request_id(text, reference)}/extend", reason=WHY)  # the first listed: the erasure
    erase_page = " ".join(manager.client.get(f"/caseworker/case/{reference}/erase").get_data(as_text=True).split())
    assert "request for erasure arrived on 01 Mar 2027 and is due by 01 Jun 2027" in erase_page
    assert "A request for a copy of this case is open too" in erase_page
    erased = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, identity="in_person")
    assert erased.headers["Location"].endswith("/caseworker/queue")
    assert "has been erased" in manager.client.get("/caseworker/queue").get_data(as_text=True)
    erasure, copy = stored(app)
    for row in (erasure, copy):  # nothing left that leads to the parent, nor what anyone wrote about them
        assert (row.enquiry_id, row.arrived_by, row.logged_by, row.extension_reason, row.close_reason) == (
            None, None, None, None, None)
    assert (erasure.kind, erasure.status, str(erasure.received_on), str(erasure.due_on), str(erasure.closed_on),
            str(erasure.extended_on)) == ("erasure", "done", "2027-03-01", "2027-06-01", "2027-03-05", "2027-03-05")
    assert (copy.kind, copy.status) == ("copy", "open")
    text = page(manager)
    assert reference not in text and WHY not in text
    assert "(case erased)" in text and "Erasure of their case" in text and "<td>done</td>" in text
    # The copy asked for before the erasure is still owed an answer: the manager closes it, saying why.
    copy_row = re.search(r'id="request-(\d+)"', text)
    assert copy_row and manager.post(f"{PAGE}/{copy_row.group(1)}/close", outcome="refused",
                                     reason="Case erased at the parent's request").status_code == 302
    assert [e.detail for e in audit_rows(app, "rights_request_closed")] == ["erasure; done", "copy; refused"]


def test_the_menu_leads_caseworkers_and_managers_to_the_requests_and_not_admins(app: Flask) -> None:
    link = f'href="{PAGE}"'
    for username, role in (("alex", "caseworker"), ("morgan", "manager")):
        assert link in signed_in(app, username, role).client.get("/caseworker/queue").get_data(as_text=True), role
    admin_page = signed_in(app, "ada", "admin").client.get("/caseworker/accounts").get_data(as_text=True)
    assert "Accounts" in admin_page and link not in admin_page
