"""An urgent case never waits on an absent caseworker (policy 7.1): back to the queue, or taken over, audited."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from intake import queue
from intake.db import unit_of_work
from intake.models import AuditEvent, Caseworker, Enquiry
from tests.conftest import ALWAYS_OPEN, SmsActions, make_app
from tests.integration.test_console import AuthActions, enquire, svc
from tests.integration.test_console_rights import claimed, signed_in

RISK = "he hit her again tonight and she has a black eye, im scared to go home"


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """The console open at any hour: an off-duty caseworker keeps a login only in office hours (policy 8.3)."""
    return make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN)


def page(auth: AuthActions, path: str) -> str:
    """A console page's text as this member of staff sees it (redirects followed)."""
    response = auth.client.get(path, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def audited(app: Flask, reference: str) -> list[tuple[str, str, str | None]]:
    """(who, what, detail) for the case, oldest first."""
    with svc(app).sessions() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.reference == reference).order_by(AuditEvent.id))]


def off_duty(app: Flask, username: str) -> None:
    """A manager takes this caseworker off duty (the console is open, so the login goes on)."""
    with unit_of_work(svc(app).sessions) as session:
        session.execute(update(Caseworker).where(Caseworker.username == username).values(on_duty=False))


def test_a_concern_on_a_claimed_case_sends_it_back_to_the_queue_for_the_duty_caseworker(
    app: Flask, sms: SmsActions
) -> None:
    reference = sms.hand_off("School has stopped his support")
    alice = claimed(app, reference, "alice")
    assert alice.post(f"/caseworker/case/{reference}/note", note="Called school, waiting to hear").status_code == 302
    alice.logout()  # Friday, 5pm

    told = "\n".join(sms.send(RISK))
    assert "urgent" in told and reference in told

    bob = signed_in(app, "bob")  # the duty caseworker the alert reached
    queue_page = page(bob, "/caseworker/queue")
    row = queue_page.split(f'data-reference="{reference}"')[1].split("</tr>")[0]
    assert "URGENT" in row and "previously with alice" in row
    [polled] = bob.client.get("/caseworker/queue.json").get_json()["rows"]
    assert polled["reference"] == reference and polled["urgent"] and polled["previously_with"] == "alice"

    claim = bob.post(f"/caseworker/claim/{reference}")
    assert claim.status_code == 302 and claim.headers["Location"].endswith(f"/caseworker/case/{reference}")
    case = page(bob, f"/caseworker/case/{reference}")
    assert "Urgent</strong> — previously with alice" in case and "moved out of their caseload" in case
    assert "School has stopped his support" in case  # the parent's form, kept
    assert "Called school, waiting to hear" in case  # alice's note, kept
    assert "Release back to the queue" in case and "Save note" in case  # bob can act on it
    assert [(who, what) for who, what, _ in audited(app, reference)
            if what in ("claim", "safeguarding_flag", "returned_urgent")] == [
        ("alice", "claim"), ("bot", "safeguarding_flag"), ("bot", "returned_urgent"), ("bob", "claim")]
    assert ("bot", "returned_urgent", "new safety concern; was with alice") in audited(app, reference)


def test_the_caseworker_who_had_it_sees_where_it_went_and_cannot_close_it_unread(
    app: Flask, sms: SmsActions
) -> None:
    reference = sms.hand_off()
    alice = claimed(app, reference, "alice")
    sms.send(RISK)

    moved = page(alice, "/caseworker/caseload")
    assert "Moved out of your caseload" in moved and reference in moved and "back in the" in moved
    assert "You have no live cases." in moved
    refused = alice.post(f"/caseworker/case/{reference}/close", outcome="advice given")
    assert refused.status_code == 302
    with svc(app).sessions() as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None and enquiry.status == "queued" and enquiry.priority == "urgent"

    signed_in(app, "bob").post(f"/caseworker/claim/{reference}")
    moved = page(alice, "/caseworker/caseload")
    assert f"{reference}" in moved and "bob has it now" in moved
    off_duty(app, "alice")  # off duty, she may no longer read another's urgent case: told where it is
    told = page(alice, f"/caseworker/case/{reference}")
    assert f"{reference} was moved out of your caseload as urgent (a safety concern): bob has it now." in told


def test_a_caseworker_who_claims_it_back_has_it_in_their_caseload_again(app: Flask, sms: SmsActions) -> None:
    reference = sms.hand_off()
    alice = claimed(app, reference, "alice")
    sms.send(RISK)
    assert "previously with alice" in page(alice, "/caseworker/queue")  # back at her desk, she sees it waiting
    again = alice.post(f"/caseworker/claim/{reference}")
    assert again.headers["Location"].endswith(f"/caseworker/case/{reference}")
    caseload = page(alice, "/caseworker/caseload")
    assert "Moved out of your caseload" not in caseload
    assert f'/caseworker/case/{reference}"' in caseload
    assert "previously with" not in page(alice, f"/caseworker/case/{reference}").lower()


def test_a_manager_takes_over_an_urgent_case_from_an_absent_caseworker(app: Flask) -> None:
    reference = enquire(app, urgent=True)
    alice = claimed(app, reference, "alice")
    alice.logout()
    manager = signed_in(app, "manny", "manager")
    case = page(manager, f"/caseworker/case/{reference}")
    assert "With alice since" in case and f"Take over {reference} from alice" in case

    done = manager.post(f"/caseworker/case/{reference}/take-over", holder="alice")
    assert done.status_code == 302
    case = page(manager, f"/caseworker/case/{reference}")
    assert f"{reference} is now in your caseload" in case and "previously with alice" in case
    assert "Release back to the queue" in case and "Take over" not in case
    assert reference in page(manager, "/caseworker/caseload")
    assert ("manny", "take_over", "from alice") in audited(app, reference)
    # Alice, back on Monday, is not left wondering.
    alice.login()
    assert "manny has it now" in page(alice, "/caseworker/caseload")


def test_the_on_duty_caseworker_can_open_and_take_over_an_urgent_case(app: Flask) -> None:
    reference = enquire(app, urgent=True)
    claimed(app, reference, "alice")
    bob = signed_in(app, "bob")  # on duty
    case = page(bob, f"/caseworker/case/{reference}")
    assert "Safeguarding flag" in case and f"Take over {reference} from alice" in case
    assert "Save note" not in case and "subject access" not in case  # reading it is not acting on it
    refused = bob.post(f"/caseworker/case/{reference}/export", format="txt")
    assert refused.status_code == 302 and "attachment" not in refused.headers.get("Content-Disposition", "")
    bob.post(f"/caseworker/case/{reference}/take-over", holder="alice")
    assert "Save note" in page(bob, f"/caseworker/case/{reference}")


def test_only_a_manager_or_the_on_duty_caseworker_can_take_over_and_only_a_manager_an_ordinary_case(
    app: Flask
) -> None:
    urgent, normal = enquire(app, urgent=True), enquire(app)
    claimed(app, urgent, "alice").post(f"/caseworker/claim/{normal}")
    carol = signed_in(app, "carol")
    off_duty(app, "carol")
    assert "not in your caseload" in page(carol, f"/caseworker/case/{urgent}")
    refused = carol.post(f"/caseworker/case/{urgent}/take-over", holder="alice")
    assert "Only a manager or the on-duty caseworker can take over an urgent case." in page(
        carol, refused.headers["Location"])
    # On duty, a caseworker may take over an urgent case only: an ordinary one waits for its caseworker or a manager.
    bob = signed_in(app, "bob")
    assert "Take over" not in page(bob, f"/caseworker/case/{normal}")
    told = bob.post(f"/caseworker/case/{normal}/take-over", holder="alice")
    refusal = "Only an urgent case can be taken over; ask its caseworker or a manager to release it."
    assert refusal in page(bob, told.headers["Location"])
    with svc(app).sessions() as session:
        holders = {e.reference: e.claimed_by for e in session.scalars(select(Enquiry))}
    assert holders == {urgent: "alice", normal: "alice"}
    # A manager may take over any claimed case, so none is stuck with someone away or gone: audited as theirs.
    manager = signed_in(app, "manny", "manager")
    assert f"Take over {normal} from alice" in page(manager, f"/caseworker/case/{normal}")
    assert manager.post(f"/caseworker/case/{normal}/take-over", holder="alice").status_code == 302
    with svc(app).sessions() as session:
        holders = {e.reference: e.claimed_by for e in session.scalars(select(Enquiry))}
    assert holders == {urgent: "alice", normal: "manny"}
    assert [row[0] for row in audited(app, normal) if row[1] == "take_over"] == ["manny"]
    assert not [row for row in audited(app, urgent) if row[1] == "take_over"]


def test_a_take_over_from_a_page_drawn_before_someone_else_took_it_is_refused(app: Flask) -> None:
    reference = enquire(app, urgent=True)
    claimed(app, reference, "alice")
    bob, manager = signed_in(app, "bob"), signed_in(app, "manny", "manager")
    assert f"Take over {reference} from alice" in page(bob, f"/caseworker/case/{reference}")
    manager.post(f"/caseworker/case/{reference}/take-over", holder="alice")
    late = bob.post(f"/caseworker/case/{reference}/take-over", holder="alice")  # bob's page still says alice
    told = page(bob, late.headers["Location"])
    assert "That enquiry has changed hands since you opened it." in told and "With manny since" in told
    with svc(app).sessions() as session:
        assert queue.by_reference(session, reference).claimed_by == "manny"  # type: ignore[union-attr]
