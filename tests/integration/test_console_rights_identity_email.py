"""A parent who gave only an e-mail address can still have a copy or an erasure: the identity check offers "they
wrote from the e-mail address on the record" where the parent chose e-mail, and refuses it for a record with
none. Through the real console (TOTP sign-in)."""

from __future__ import annotations

from flask import Flask

from intake.models import Enquiry
from tests.integration.test_console import audit_rows, enquire
from tests.integration.test_console_rights import claimed, count, signed_in, sms_enquiry

ADDRESS = "parent@example.org"
OPTION = "They wrote from the e-mail address on the record and gave the case reference."


def email_enquiry(app: Flask) -> str:
    """An enquiry whose parent chose "E-mail" and gave only an address."""
    return enquire(app, contact={"method": "email", "detail": ADDRESS})


def test_a_copy_for_a_parent_who_gave_only_an_e_mail_address(app: Flask) -> None:
    reference = email_enquiry(app)
    auth = claimed(app, reference)
    asked = auth.post(f"/caseworker/case/{reference}/export", format="txt")
    assert asked.status_code == 200 and OPTION in asked.get_data(as_text=True)
    response = auth.post(f"/caseworker/case/{reference}/export", format="txt", identity="email")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    top = " ".join(response.get_data(as_text=True).split())
    assert "you wrote to us from the e-mail address we hold and gave your reference" in top
    [event] = audit_rows(app, "export")
    assert event.detail == "subject access; identity checked: email" and ADDRESS not in (event.detail or "")


def test_an_erasure_for_a_parent_who_gave_only_an_e_mail_address(app: Flask) -> None:
    reference = email_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    assert OPTION in manager.client.get(f"/caseworker/case/{reference}/erase").get_data(as_text=True)
    erased = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, identity="email")
    assert erased.status_code == 302 and count(app, Enquiry) == 0
    assert [e.detail for e in audit_rows(app, "erase")] == ["identity checked: email"]


def test_the_e_mail_check_is_not_offered_nor_taken_for_a_record_with_no_address(app: Flask) -> None:
    reference = sms_enquiry(app)
    auth = claimed(app, reference)
    asked = auth.post(f"/caseworker/case/{reference}/export", format="txt")
    assert OPTION not in asked.get_data(as_text=True)
    refused = auth.post(f"/caseworker/case/{reference}/export", format="txt", identity="email")
    assert refused.status_code == 400
    assert "holds no e-mail address to check against" in refused.get_data(as_text=True)
    assert audit_rows(app, "export") == []
