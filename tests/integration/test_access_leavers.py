"""A leaver's cases are never stuck: disabling an account sends its open cases back to the queue (urgent first,
"previously with" them, audited), and a manager can release or take over any claimed case, whoever holds it."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, update

from intake.db import unit_of_work
from intake.models import AuditEvent, Caseworker, Enquiry
from tests.integration.test_console import AuthActions, enquire, svc
from tests.integration.test_console_rights import signed_in


def case(app: Flask, reference: str) -> tuple[str, str | None, str | None]:
    """(status, claimed by, previously with) as stored."""
    with svc(app).sessions() as session:
        enquiry = session.scalar(select(Enquiry).where(Enquiry.reference == reference))
        assert enquiry is not None
        return enquiry.status, enquiry.claimed_by, enquiry.previous_caseworker


def audited(app: Flask, action: str) -> list[tuple[str, str | None, str | None]]:
    """(who, reference, detail) of one kind of event, oldest first."""
    with svc(app).sessions() as session:
        return [(e.actor, e.reference, e.detail) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def claim(auth: AuthActions, reference: str) -> None:
    assert auth.post(f"/caseworker/claim/{reference}").headers["Location"].endswith(f"/caseworker/case/{reference}")


def test_disabling_an_account_sends_its_open_cases_back_to_the_queue_urgent_first(app: Flask) -> None:
    ordinary, urgent, closed = enquire(app), enquire(app, urgent=True), enquire(app)
    leaver = signed_in(app, "lee")
    for reference in (ordinary, urgent, closed):
        claim(leaver, reference)
    assert leaver.post(f"/caseworker/case/{closed}/close", outcome="advice given").status_code == 302
    admin = signed_in(app, "ada", "admin")

    done = admin.post("/caseworker/accounts/lee/active", active="no")
    assert done.status_code == 302
    assert case(app, ordinary) == ("queued", None, "lee") and case(app, urgent) == ("queued", None, "lee")
    assert case(app, closed)[0] == "closed"
    said = admin.client.get("/caseworker/accounts").get_data(as_text=True)
    assert "lee is disabled. The 2 open cases lee had are back in the queue, marked as previously with lee" in said
    assert audited(app, "returned_account_disabled") == [  # urgent first
        ("ada", urgent, "account disabled; was with lee"), ("ada", ordinary, "account disabled; was with lee")]

    colleague = signed_in(app, "cal")
    queue_page = colleague.client.get("/caseworker/queue").get_data(as_text=True)
    for reference in (ordinary, urgent):
        row = queue_page.split(f'data-reference="{reference}"')[1].split("</tr>")[0]
        assert "previously with lee" in row
    claim(colleague, ordinary)
    assert case(app, ordinary) == ("claimed", "cal", "lee")


def test_a_manager_releases_or_takes_over_a_case_whoever_holds_it(app: Flask) -> None:
    away, taken, stuck = enquire(app), enquire(app), enquire(app)
    alex = signed_in(app, "alex")
    for reference in (away, taken, stuck):
        claim(alex, reference)
    bob = signed_in(app, "bob")  # a caseworker (on duty, as add_caseworker makes everyone) still cannot
    bob.post(f"/caseworker/case/{away}/release")
    bob.post(f"/caseworker/case/{taken}/take-over", holder="alex")
    assert case(app, away) == ("claimed", "alex", None) and case(app, taken) == ("claimed", "alex", None)
    morgan = signed_in(app, "morgan", "manager")

    assert morgan.post(f"/caseworker/case/{away}/release").headers["Location"].endswith("/caseworker/queue")
    assert case(app, away) == ("queued", None, "alex")
    assert ("morgan", away, "from alex") in audited(app, "release")

    page = morgan.client.get(f"/caseworker/case/{taken}").get_data(as_text=True)
    assert f"Take over {taken} from alex</button>" in page  # an ordinary case, not only an urgent one
    assert morgan.post(f"/caseworker/case/{taken}/take-over", holder="alex").status_code == 302
    assert case(app, taken) == ("claimed", "morgan", "alex")
    assert morgan.post(f"/caseworker/case/{taken}/close", outcome="advice given").status_code == 302
    assert case(app, taken)[0] == "closed"

    # A holder disabled before their cases went back (as the console once left them): still not stuck.
    with unit_of_work(svc(app).sessions) as session:
        session.execute(update(Caseworker).where(Caseworker.username == "alex").values(active=False))
    erase = morgan.client.get(f"/caseworker/case/{stuck}/erase")
    assert erase.status_code == 200 and "ask them to release it" not in erase.get_data(as_text=True)
    assert morgan.post(f"/caseworker/case/{stuck}/take-over", holder="alex").status_code == 302
    assert case(app, stuck) == ("claimed", "morgan", "alex")
    assert [e[0] for e in audited(app, "take_over")] == ["morgan", "morgan"]



def held_section(page: str) -> str:
    """The manager's list of cases held by someone who can no longer work on them ('' when none)."""
    return page.split('id="held"')[1].split("</section>")[0] if 'id="held"' in page else ""


def test_a_manager_sees_cases_stuck_with_a_disabled_or_admin_account_and_frees_them(app: Flask) -> None:
    ordinary, urgent, promoted, kept = enquire(app), enquire(app, urgent=True), enquire(app), enquire(app)
    alex, cal, bob = signed_in(app, "alex"), signed_in(app, "cal"), signed_in(app, "bob")
    for reference in (ordinary, urgent):
        claim(alex, reference)
    claim(cal, promoted)
    claim(bob, kept)
    with unit_of_work(svc(app).sessions) as session:  # disabled, and made an admin, as the console and CLI once did
        session.execute(update(Caseworker).where(Caseworker.username == "alex").values(active=False))
        session.execute(update(Caseworker).where(Caseworker.username == "cal").values(role="admin"))
    morgan = signed_in(app, "morgan", "manager")

    held = held_section(morgan.client.get("/caseworker/queue").get_data(as_text=True))
    assert [part.split('"')[0] for part in held.split('data-reference="')[1:]] == [urgent, ordinary, promoted]
    text = " ".join(held.split())
    assert "with alex, whose account is disabled" in text
    assert "with cal, whose account is now an admin (admins do not work on cases)" in text
    assert kept not in held  # bob still works here: his case is his
    assert not held_section(bob.client.get("/caseworker/queue").get_data(as_text=True))  # a manager's list

    case_page = morgan.client.get(f"/caseworker/case/{urgent}").get_data(as_text=True)
    assert "Release back to the queue</button>" in case_page and f"Take over {urgent} from alex</button>" in case_page
    assert morgan.post(f"/caseworker/case/{urgent}/release").status_code == 302
    assert morgan.post(f"/caseworker/case/{promoted}/take-over", holder="cal").status_code == 302
    assert case(app, urgent) == ("queued", None, "alex") and case(app, promoted) == ("claimed", "morgan", "cal")
    held = held_section(morgan.client.get("/caseworker/queue").get_data(as_text=True))
    assert ordinary in held and urgent not in held and promoted not in held


def test_a_caseworker_whose_ordinary_case_a_manager_moved_is_not_told_it_was_urgent(app: Flask) -> None:
    reference = enquire(app)
    alex = signed_in(app, "alex")
    claim(alex, reference)
    signed_in(app, "morgan", "manager").post(f"/caseworker/case/{reference}/release")

    page = alex.client.get("/caseworker/caseload").get_data(as_text=True)
    moved = " ".join(page.split('id="moved"')[1].split("</section>")[0].split())
    assert f"<strong>{reference}</strong>" in moved and "back in the" in moved
    assert "URGENT" not in moved and not moved.split("</h2>")[1].lstrip().startswith("<p class=\"hint\">Urgent")
    assert "others by a manager" in moved


def test_a_caseworker_made_an_admin_hands_their_cases_back_to_the_queue(app: Flask) -> None:
    ordinary, urgent, kept = enquire(app), enquire(app, urgent=True), enquire(app)
    cal, bob = signed_in(app, "cal"), signed_in(app, "bob")
    claim(cal, ordinary)
    claim(cal, urgent)
    claim(bob, kept)
    result = app.test_cli_runner().invoke(args=["intake", "set-role", "cal", "admin"])
    assert result.exit_code == 0, result.output
    assert "2 open case(s) went back to the queue (1 urgent)" in result.output
    assert urgent in result.output and ordinary in result.output
    # An admin opens no case: whoever claims these next sees where they came from.
    assert case(app, urgent) == ("queued", None, "cal") and case(app, ordinary) == ("queued", None, "cal")
    assert case(app, kept) == ("claimed", "bob", None)
    with unit_of_work(svc(app).sessions) as session:
        details = [e.detail for e in session.scalars(select(AuditEvent).where(AuditEvent.reference == urgent))]
    assert "account made admin; was with cal" in details
