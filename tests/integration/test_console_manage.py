"""Console for managers and admins: blocking a contact, statistics, accounts; and the purge command."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select

from intake import queue, statistics
from intake.db import unit_of_work
from intake.models import AuditEvent, Block, Caseworker, ConsentRecord, Conversation, Enquiry, utcnow
from intake.queue import ConsentAnswer
from tests.conftest import SmsActions, make_app
from tests.integration.test_console import TOKEN, AuthActions, add_caseworker, audit_rows, svc

PARENT = "+447700900123"


def signed_in(app: Flask, username: str, role: str = "caseworker") -> AuthActions:
    """A member of staff, signed in."""
    auth = AuthActions(app.test_client(), app, username, add_caseworker(app, username, role))
    assert auth.login().status_code == 302
    return auth


def count(app: Flask, model: Any, *where: Any) -> int:
    """Rows of a model."""
    with unit_of_work(svc(app).sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def add_enquiry(app: Flask, *, topic: str = "ehc", channel: str = "sms", contact_key: str = "c" * 64,
                age: timedelta = timedelta(0), waited: timedelta | None = None) -> str:
    """An enquiry received `age` ago, first contacted `waited` after that."""
    now = utcnow()
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.create_enquiry(
            session, svc(app).keys, channel=channel, contact_key=contact_key, topic=topic, summary="About a plan",
            facts={}, contact={"method": "sms_this", "number": PARENT}, safe_times=None, voicemail_ok=False,
            name_service_ok=False, consents=[ConsentAnswer("contact", True, "contact-v1", now)], retention_days=30,
        )
        enquiry.created_at = now - age
        if waited is not None:
            enquiry.first_contact_at = enquiry.created_at + waited
        return enquiry.reference


# ---- blocking an abusive or prank contact ----

def test_manager_blocks_from_the_case_page_and_the_bot_then_stores_nothing(app: Flask) -> None:
    sms = SmsActions(app.test_client(), PARENT)
    sms.send("what is a senco")
    reference = add_enquiry(app, contact_key=svc(app).engine.contact_key(PARENT))
    manager = signed_in(app, "morgan", "manager")
    page = manager.client.get(f"/caseworker/case/{reference}").data
    block_form = page[page.index(b'id="block-title"'):]
    assert b"Block this contact" in block_form and PARENT.encode() not in block_form
    manager.post(f"/caseworker/case/{reference}/block", days="7", reason="Repeated abusive texts")
    page = manager.client.get(f"/caseworker/case/{reference}").data
    assert b"is blocked until" in page and b"Unblock" in page
    with unit_of_work(svc(app).sessions) as session:
        before = (session.scalar(select(Conversation.turns)),
                  int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0))
    replies = sms.send("you are useless, my number is 07700 900999")
    assert replies == [svc(app).content.text("blocked")] and "999" in replies[0]
    with unit_of_work(svc(app).sessions) as session:
        after = (session.scalar(select(Conversation.turns)),
                 int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0))
        assert session.scalar(select(func.count()).select_from(Enquiry)) == 1
    assert before == after  # no turn saved, nothing audited, no new enquiry
    [event] = audit_rows(app, "block")
    assert (event.actor, event.reference, event.detail) == ("morgan", reference, "7 days")
    blocks_page = manager.client.get("/caseworker/blocks").data
    assert b"Repeated abusive texts" in blocks_page and PARENT.encode() not in blocks_page
    manager.post(f"/caseworker/case/{reference}/unblock")
    assert count(app, Block) == 0 and len(audit_rows(app, "unblock")) == 1
    assert sms.send("what is a senco") != [svc(app).content.text("blocked")]


def test_unblock_from_the_blocks_page(app: Flask) -> None:
    reference = add_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    manager.post(f"/caseworker/case/{reference}/block", days="1", reason="Prank calls")
    manager.post("/caseworker/blocks/unblock", contact_key="c" * 64)
    assert count(app, Block) == 0
    assert b"No contact is blocked" in manager.client.get("/caseworker/blocks").data


def test_erasing_a_blocked_contacts_case_keeps_the_block_but_not_its_reason(app: Flask) -> None:
    reason = "Caller said she is Jane Smith of 4 Elm Road, abusive"
    sms = SmsActions(app.test_client(), PARENT)
    reference = add_enquiry(app, contact_key=svc(app).engine.contact_key(PARENT))
    manager = signed_in(app, "morgan", "manager")
    manager.post(f"/caseworker/case/{reference}/block", days="90", reason=reason)
    assert reason.encode() in manager.client.get("/caseworker/blocks").data
    warning = manager.client.get(f"/caseworker/case/{reference}/erase").data
    assert b"Erasing does not lift the block" in warning and b"its reason is deleted" in warning
    erased = manager.post(f"/caseworker/case/{reference}/erase", confirm=reference, identity="in_person")
    assert erased.status_code == 302 and count(app, Enquiry) == 0
    said = manager.client.get("/caseworker/queue").data
    assert b"and any block on its contact (with its reason deleted) until that block ends" in said
    blocks_page = manager.client.get("/caseworker/blocks").data
    assert b"Jane Smith" not in blocks_page and b"Elm Road" not in blocks_page
    assert b"reason deleted: the case was erased" in blocks_page
    with unit_of_work(svc(app).sessions) as session:
        token = session.scalars(select(Block.reason)).one()
        assert "Jane" not in svc(app).keys.decrypt(token)
    # The manager blocked the contact, not the case: erasing the case does not let them straight back in.
    assert sms.send("hello again") == [svc(app).content.text("blocked")]
    [event] = audit_rows(app, "erase")
    assert (event.actor, event.reference, event.detail) == (
        "morgan", reference, "identity checked: in_person; block kept, reason deleted")


def test_block_reason_is_stored_encrypted(app: Flask) -> None:
    reason = "Threatened the Quixotic Walrus team"
    reference = add_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    manager.post(f"/caseworker/case/{reference}/block", days="30", reason=reason)
    assert reason.encode() in manager.client.get("/caseworker/blocks").data  # decrypted for the page
    with unit_of_work(svc(app).sessions) as session:
        token = session.scalars(select(Block.reason)).one()
    path = Path(svc(app).settings.database_url.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())
    assert token in stored  # these really are the bytes the block was written to
    for form in ("Quixotic Walrus", "quixotic walrus", "QUIXOTIC WALRUS"):
        assert form.encode() not in stored and form.encode("utf-16-le") not in stored, form
    assert all(reason not in (event.detail or "") for event in audit_rows(app, "block"))


def test_the_block_message_gives_the_end_in_the_services_zone(tmp_path: Path) -> None:
    # A zone never on UTC, so a UTC time in the message could not pass for local time at any season.
    app = make_app(tmp_path, TIMEZONE="America/New_York")
    reference = add_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    manager.post(f"/caseworker/case/{reference}/block", days="7", reason="Repeated abusive texts")
    with unit_of_work(svc(app).sessions) as session:
        until = session.scalars(select(Block.until)).one()
    page = manager.client.get(f"/caseworker/case/{reference}").get_data(as_text=True)
    local = until.astimezone(ZoneInfo("America/New_York")).strftime("%d %b %Y %H:%M")
    assert f"The contact behind {reference} is blocked until {local}: they get a short fixed reply" in page
    assert until.strftime("%d %b %Y %H:%M") not in page and "UTC" not in page


@pytest.mark.parametrize(("days", "reason", "message"), [
    ("3", "Abusive", b"Choose how long"),
    ("7", "", b"Give a reason"),
    ("7", "x" * 201, b"Give a reason"),
])
def test_bad_block_forms_are_refused(app: Flask, days: str, reason: str, message: bytes) -> None:
    reference = add_enquiry(app)
    manager = signed_in(app, "morgan", "manager")
    manager.post(f"/caseworker/case/{reference}/block", days=days, reason=reason)
    assert message in manager.client.get(f"/caseworker/case/{reference}").data and count(app, Block) == 0


def test_only_managers_block(app: Flask) -> None:
    reference = add_enquiry(app)
    caseworker = signed_in(app, "alex")
    caseworker.post(f"/caseworker/claim/{reference}")
    assert b"Block this contact" not in caseworker.client.get(f"/caseworker/case/{reference}").data
    caseworker.post(f"/caseworker/case/{reference}/block", days="7", reason="Abusive")
    assert count(app, Block) == 0
    assert caseworker.client.get("/caseworker/blocks").status_code == 403


# ---- statistics ----

# Statistics never count the current week (intake/statistics.py): these enquiries came in last week, whatever
# today's weekday, so the default period holds them.
LAST_WEEK = timedelta(days=8)


def test_statistics_chart_and_csv_suppress_small_counts(app: Flask) -> None:
    for i in range(6):
        add_enquiry(app, topic="ehc", age=LAST_WEEK, waited=timedelta(hours=i + 1))
    for _ in range(2):
        add_enquiry(app, topic="exclusions", channel="voice", age=LAST_WEEK)
    for _ in range(7):
        add_enquiry(app, topic="rights_transport", channel="web", age=LAST_WEEK)
    manager = signed_in(app, "morgan", "manager")
    page = manager.client.get("/caseworker/stats")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "<svg" in html and 'class="bar"' in html and "<script>" not in html and "style=" not in html
    assert "&lt;5" in html and "3 h 30 min" in html  # median of 1..6 hours
    response = manager.client.get("/caseworker/stats.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["measure", "group", "value"]
    # topics by the titles parents were offered, not the stored codes
    assert ["enquiries by topic", "Transport, disability and your rights", "7"] in rows
    assert ["enquiries by topic", "Exclusions and part-time timetables", "<5"] in rows
    assert ["enquiries by channel", "voice", "<5"] in rows and ["enquiries by channel", "web", "7"] in rows
    # one "<5" alone could be worked out from the total: the next-smallest count is hidden too
    assert ["enquiries by topic", "EHC needs assessments and plans", "hidden"] in rows
    assert ["enquiries by channel", "sms", "hidden"] in rows
    assert ["median time to first contact", "all", "3 h 30 min"] in rows
    assert not any(cell in ("1", "2", "3", "4") for row in rows for cell in row[2:])
    assert len(audit_rows(app, "stats_export")) == 1


def test_median_with_fewer_than_five_cases_is_not_shown(app: Flask) -> None:
    add_enquiry(app, age=LAST_WEEK, waited=timedelta(hours=2))
    with unit_of_work(svc(app).sessions) as session:
        report = statistics.report(session, "Europe/London")
    assert report.median_first_contact.startswith("not shown") and len(report.over_time) == statistics.ROLLING_WEEKS[-1]
    assert [bar.shown for bar in report.by_topic] == ["<5"] and report.by_topic[0].share == 0


def test_statistics_csv_quotes_formula_like_labels(app: Flask) -> None:
    for _ in range(5):
        add_enquiry(app, topic="=HYPERLINK()", age=LAST_WEEK)
    with unit_of_work(svc(app).sessions) as session:
        text = statistics.to_csv(statistics.report(session, "Europe/London"))
    assert "'=HYPERLINK()" in text and ",=HYPERLINK" not in text


def test_stats_command_names_topics_by_their_titles(app: Flask) -> None:
    for _ in range(6):
        add_enquiry(app, topic="rights_transport", channel="web")
    add_enquiry(app, topic="ehc")
    result = app.test_cli_runner().invoke(args=["intake", "stats"])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert ["EHC", "needs", "assessments", "and", "plans", "sms", "<5"] in lines
    assert ["Transport,", "disability", "and", "your", "rights", "web", "6"] in lines
    assert "rights_transport" not in result.output


@pytest.mark.parametrize("role", ["caseworker", "admin"])
def test_statistics_for_managers_only(app: Flask, role: str) -> None:
    other = signed_in(app, "sam", role)
    assert other.client.get("/caseworker/stats").status_code == 403
    assert other.client.get("/caseworker/stats.csv").status_code == 403


# ---- accounts ----

def test_admin_lists_sets_on_duty_and_disables(app: Flask) -> None:
    admin = signed_in(app, "ada", "admin")
    worker = signed_in(app, "alex")
    page = admin.client.get("/caseworker/accounts").data
    assert b"alex" in page and b"argon2" not in page
    admin.post("/caseworker/accounts/alex/duty", on_duty="no")
    with unit_of_work(svc(app).sessions) as session:
        assert session.scalar(select(Caseworker.on_duty).where(Caseworker.username == "alex")) is False
    assert len(audit_rows(app, "account_off_duty")) == 1
    kept = worker.client.get_cookie("console_session", path="/").value  # a copy, as another tab would hold
    admin.post("/caseworker/accounts/alex/active", active="no")
    assert worker.client.get("/caseworker/queue").status_code == 302  # the session ends at once
    assert worker.login().status_code == 401
    assert len(audit_rows(app, "account_disabled")) == 1
    admin.post("/caseworker/accounts/alex/active", active="yes")
    admin.post("/caseworker/accounts/alex/duty", on_duty="yes")  # disabling took alex off duty: sign in at any hour
    old_tab = app.test_client()
    old_tab.set_cookie("console_session", kept, path="/")
    assert old_tab.get("/caseworker/queue").status_code == 302  # enabling it again does not revive old cookies
    assert worker.login().status_code == 302
    admin.post("/caseworker/accounts/ada/active", active="no")
    assert b"cannot disable your own account" in admin.client.get("/caseworker/accounts").data


def is_active(app: Flask, username: str) -> bool:
    with unit_of_work(svc(app).sessions) as session:
        return bool(session.scalar(select(Caseworker.active).where(Caseworker.username == username)))


def test_disabling_the_last_manager_warns_first_then_is_done_and_audited(app: Flask) -> None:
    admin = signed_in(app, "ada", "admin")
    manager = signed_in(app, "morgan", "manager")
    signed_in(app, "alex")
    confirm = admin.post("/caseworker/accounts/morgan/active", active="no")
    assert confirm.status_code == 200 and confirm.headers["Cache-Control"] == "no-store"
    page = confirm.get_data(as_text=True)
    assert "morgan is the only manager" in page
    assert "no one can use the manager pages: office hours, statistics, blocked" in page
    assert "flask --app bot intake set-role USERNAME manager" in page
    assert "make someone else a manager on their Staff roles page" in page
    assert "Disable morgan, leaving no manager</button>" in page and 'name="confirm" value="yes"' in page
    assert b"<script>" not in confirm.data and b"style=" not in confirm.data
    assert len(TOKEN.findall(confirm.data)) == confirm.data.count(b'method="post"')
    # Nothing has changed yet: the manager still works and nothing is audited.
    assert is_active(app, "morgan") and audit_rows(app, "account_disabled") == []
    assert manager.client.get("/caseworker/stats").status_code == 200

    done = admin.post("/caseworker/accounts/morgan/active", active="no", confirm="yes")
    assert done.status_code == 302 and done.headers["Location"].endswith("/caseworker/accounts")
    listing = admin.client.get("/caseworker/accounts").get_data(as_text=True)
    assert "morgan is disabled. No one can use the manager pages now. Make someone a manager on the Staff roles " \
           "page (or on the server: flask --app bot intake set-role USERNAME manager)." in listing
    assert not is_active(app, "morgan")
    assert manager.client.get("/caseworker/stats").status_code == 302  # the session ended at once
    [event] = audit_rows(app, "account_disabled")
    assert (event.actor, event.reference, event.detail) == ("ada", None, "morgan")

    result = app.test_cli_runner().invoke(args=["intake", "set-role", "alex", "manager"])  # the way back
    assert result.exit_code == 0, result.output
    with unit_of_work(svc(app).sessions) as session:
        assert session.scalar(select(Caseworker.role).where(Caseworker.username == "alex")) == "manager"


def test_disabling_a_manager_when_another_remains_needs_no_warning(app: Flask) -> None:
    admin = signed_in(app, "ada", "admin")
    signed_in(app, "morgan", "manager")
    signed_in(app, "sam", "manager")
    response = admin.post("/caseworker/accounts/morgan/active", active="no")
    assert response.status_code == 302 and not is_active(app, "morgan")
    listing = admin.client.get("/caseworker/accounts").get_data(as_text=True)
    assert "morgan is disabled." in listing and "No one can use the manager pages" not in listing
    assert len(audit_rows(app, "account_disabled")) == 1


def test_only_an_admin_reaches_the_last_manager_warning(app: Flask) -> None:
    signed_in(app, "morgan", "manager")
    other = signed_in(app, "sam")
    assert other.post("/caseworker/accounts/morgan/active", active="no").status_code == 403
    assert other.post("/caseworker/accounts/morgan/active", active="no", confirm="yes").status_code == 403
    assert is_active(app, "morgan")


@pytest.mark.parametrize("role", ["caseworker", "manager"])
def test_accounts_for_admins_only(app: Flask, role: str) -> None:
    other = signed_in(app, "sam", role)
    assert other.client.get("/caseworker/accounts").status_code == 403
    assert other.post("/caseworker/accounts/sam/duty", on_duty="yes").status_code == 403


# ---- retention ----

def close_old(app: Flask, reference: str, days_ago: int) -> None:
    """Close a case as if its retention date passed `days_ago` days ago."""
    with unit_of_work(svc(app).sessions) as session:
        enquiry = queue.by_reference(session, reference)
        assert enquiry is not None
        enquiry.status, enquiry.closed_at = "closed", utcnow() - timedelta(days=400)
        enquiry.retain_until = utcnow() - timedelta(days=days_ago)


@pytest.mark.parametrize("flag", [["--progress"], ["--no-progress"], []])
def test_purge_deletes_old_closed_cases_with_counts(app: Flask, flag: list[str]) -> None:
    old = [add_enquiry(app) for _ in range(3)]
    for reference in old:
        close_old(app, reference, days_ago=1)
    recent = add_enquiry(app)
    close_old(app, recent, days_ago=-10)  # closed, but still inside its retention period
    live = add_enquiry(app)
    result = app.test_cli_runner().invoke(args=["intake", "purge", *flag])
    assert result.exit_code == 0, result.output
    assert "closed cases: 3 deleted" in result.output
    assert ("Deleting closed cases" in result.output) == (flag == ["--progress"])
    with unit_of_work(svc(app).sessions) as session:
        assert set(session.scalars(select(Enquiry.reference))) == {recent, live}
    assert count(app, ConsentRecord, ConsentRecord.reference.in_(old)) == 0
    assert sorted(e.reference for e in audit_rows(app, "purge")) == sorted(old)


# ---- every console page: never cached, no inline script or style ----

@pytest.mark.parametrize(("role", "path"), [
    ("manager", "/caseworker/stats"),
    ("manager", "/caseworker/blocks"),
    ("manager", "/caseworker/case/{reference}"),
    ("manager", "/caseworker/case/{reference}/erase"),
    ("admin", "/caseworker/accounts"),
])
def test_console_pages_are_not_stored_and_have_no_inline_code(app: Flask, role: str, path: str) -> None:
    reference = add_enquiry(app)
    page = signed_in(app, "sam", role).client.get(path.format(reference=reference))
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert b"<script>" not in page.data and b"style=" not in page.data and b"<style" not in page.data
    assert len(TOKEN.findall(page.data)) == page.data.count(b'method="post"')  # CSRF token in every form
