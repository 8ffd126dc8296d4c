"""A parent's FORGET takes a caseworker's kept, unsaved note about them with it, at once.

A note refused at the nightly lock is kept (encrypted) for its caseworker for up to a week. When the parent
withdraws an ordinary enquiry, everything written about them goes (intake/concerns.py withdraw): the kept
note too, then and there, not at the next caseworker's sign-in. Real console and signed SMS, nothing patched.
"""

from __future__ import annotations

from flask import Flask

from tests.conftest import SmsActions
from tests.integration.test_console import set_clock
from tests.integration.test_console_note_kept import FRIDAY_AFTERNOON, FRIDAY_NIGHT, NOTE, kept_rows
from tests.integration.test_console_rights import PARENT, claimed, sms_enquiry


def test_forget_deletes_a_kept_note_on_the_parents_enquiry(app: Flask) -> None:
    set_clock(app, FRIDAY_AFTERNOON)
    reference = sms_enquiry(app)
    alex = claimed(app, reference)
    token = alex.token(f"/caseworker/case/{reference}")
    set_clock(app, FRIDAY_NIGHT)
    alex.client.post(f"/caseworker/case/{reference}/note", data={"note": NOTE, "csrf_token": token})
    assert len(kept_rows(app)) == 1

    reply = " ".join(SmsActions(app.test_client(), PARENT).send("FORGET"))
    assert "deleted" in reply.lower()
    assert kept_rows(app) == []
