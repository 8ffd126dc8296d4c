"""The storage half of the confidential queue: atomic claims, order, references, duty e-mail,
key rotation, the audit chain and markers that must never be stored or logged in clear."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bench.common import SMS_SCRIPT
from intake import audit, concerns, queue
from intake.crypto import KeyRing
from intake.db import make_engine, make_session_factory, unit_of_work
from intake.migrate import upgrade
from intake.models import AuditEvent, Enquiry, utcnow
from intake.queue import QueueError
from intake.references import DIGITS, LETTERS, PATTERN, find_reference, new_reference
from tests.concurrency import claim_until_empty
from tests.conftest import HASH_KEY, ChatActions, SmsActions, dispose, make_app

KEYS = KeyRing([Fernet.generate_key().decode()])

# The SMS conversation from first message to a queued enquiry (callback by text, no incidental PII): the
# one `make bench` times, so the bench and this test walk the same form.
SMS_INTAKE = SMS_SCRIPT


def run_sms_intake(sms: SmsActions, steps: list[tuple[str, str]] = SMS_INTAKE) -> str:
    """Text through the intake, checking each reply; returns the reference from the last one."""
    replies: list[str] = []
    for message, expected in steps:
        replies = sms.send(message)
        assert replies, f"no reply to {message!r}"
        assert expected.lower() in "\n".join(replies).lower(), (message, replies)
    reference = find_reference(replies[-1])
    assert reference, replies
    return reference


def enqueue(session: Session, summary: str = "needs help", keys: KeyRing = KEYS) -> Enquiry:
    return queue.create_enquiry(
        session, keys, channel="sms", contact_key=None, topic="general", summary=summary,
        facts={}, contact=None, safe_times=None, voicemail_ok=False, name_service_ok=False,
        consents=[], retention_days=30,
    )


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[tuple[Engine, sessionmaker[Session]]]:
    url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine, make_session_factory(engine, audit.ChainKey(HASH_KEY))
    engine.dispose()


# -- 1. concurrent claims (SQLite; PostgreSQL lives in tests/postgres) --------------------------------


def assert_each_claimed_once(factory: sessionmaker[Session], claims: list[tuple[str, int]], total: int) -> None:
    ids = [enquiry_id for _, enquiry_id in claims]
    assert len(ids) == total
    assert len(set(ids)) == total, "an enquiry was claimed twice"
    with factory() as session:
        rows = session.execute(select(Enquiry.id, Enquiry.status, Enquiry.claimed_by)).all()
        assert len(rows) == total
        assert {status for _, status, _ in rows} == {"claimed"}
        owner = dict(claims)
        by_id = {enquiry_id: worker for worker, enquiry_id in claims}
        assert owner  # sanity
        assert all(claimed_by == by_id[enquiry_id] for enquiry_id, _, claimed_by in rows)
        assert set(by_id) == {enquiry_id for enquiry_id, _, _ in rows}
        claim_events = session.scalar(
            select(text("count(*)")).select_from(AuditEvent).where(AuditEvent.action == "claim")
        )
        assert claim_events == total
        assert audit.verify(session).ok


def test_concurrent_claims_on_sqlite_each_enquiry_once(sqlite_db) -> None:
    _, factory = sqlite_db
    with unit_of_work(factory) as session:
        for i in range(200):
            enqueue(session, f"enquiry {i}")
    claims = claim_until_empty(factory, threads=8)
    assert_each_claimed_once(factory, claims, 200)
    assert len({worker for worker, _ in claims}) > 1  # really concurrent, not one thread doing it all


# -- 2. claim order -------------------------------------------------------------------------------


def test_claim_order_is_urgent_first_then_oldest(sqlite_db) -> None:
    _, factory = sqlite_db
    now = utcnow()
    with unit_of_work(factory) as session:
        newer = enqueue(session, "newer")  # created first (lower id) but given a later time
        older = enqueue(session, "older")
        newer.created_at = now - timedelta(minutes=5)
        older.created_at = now - timedelta(minutes=30)
        urgent = concerns.raise_concern(session, KEYS, channel="sms", contact_key="k" * 64, triggers=("t",),
                                     retention_days=30)
        urgent.created_at = now  # the newest of all, still first
        refs = {"newer": newer.reference, "older": older.reference, "urgent": urgent.reference}
    with unit_of_work(factory) as session:
        assert [e.reference for e in queue.queued(session)] == [refs["urgent"], refs["older"], refs["newer"]]
        assert queue.position(session, queue.by_reference(session, refs["newer"])) == 3
    order = []
    for n in range(3):
        with unit_of_work(factory) as session:
            order.append(queue.claim(session, f"cw{n}").reference)
    assert order == [refs["urgent"], refs["older"], refs["newer"]]
    with pytest.raises(QueueError, match="the queue is empty"), unit_of_work(factory) as session:
        queue.claim(session, "cw9")


def test_named_claim_of_a_claimed_reference_raises(sqlite_db) -> None:
    _, factory = sqlite_db
    with unit_of_work(factory) as session:
        first, second = enqueue(session).reference, enqueue(session).reference
    with unit_of_work(factory) as session:
        assert queue.claim(session, "alice", second).reference == second
    with pytest.raises(QueueError, match="already been taken"), unit_of_work(factory) as session:
        queue.claim(session, "bob", second)
    with unit_of_work(factory) as session:
        enquiry = queue.by_reference(session, second)
        assert (enquiry.status, enquiry.claimed_by) == ("claimed", "alice")
        assert queue.by_reference(session, first).status == "queued"
        # release puts it back; then bob can have it by name
        queue.release(session, "alice", second)
    with unit_of_work(factory) as session:
        assert queue.claim(session, "bob", second).claimed_by == "bob"
    with pytest.raises(QueueError, match="not in your caseload"), unit_of_work(factory) as session:
        queue.close(session, "alice", second, "advice given", 30)


# -- 3. references --------------------------------------------------------------------------------


def test_generated_references_are_unambiguous() -> None:
    references = [new_reference() for _ in range(5000)]
    for reference in references:
        assert not set(reference) & set("0O1I"), reference
        letters, digits = reference.split("-")
        assert len(letters) == 3 and set(letters) <= set(LETTERS)
        assert len(digits) == 3 and set(digits) <= set(DIGITS)
        assert PATTERN.fullmatch(reference)
        assert find_reference(f"my ref is {reference.lower().replace('-', ' ')}") == reference
    # 5,000 draws from ~7 million codes: a handful of repeats at most, not a weak generator
    assert len(set(references)) > 4990


def test_enquiries_get_distinct_references(sqlite_db) -> None:
    _, factory = sqlite_db
    with unit_of_work(factory) as session:
        references = [enqueue(session).reference for _ in range(300)]
    assert len(set(references)) == 300
    assert all(PATTERN.fullmatch(r) for r in references)


def test_reference_clash_is_retried(sqlite_db, monkeypatch: pytest.MonkeyPatch) -> None:
    _, factory = sqlite_db
    with unit_of_work(factory) as session:
        taken = enqueue(session).reference
    codes = iter([taken, taken, "ABC-234"])
    monkeypatch.setattr(queue, "new_reference", lambda: next(codes))
    with unit_of_work(factory) as session:
        assert enqueue(session).reference == "ABC-234"


def test_a_code_used_by_a_deleted_case_is_never_given_again(sqlite_db, monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit trail outlives a purged or erased case: a new family must not inherit its history."""
    _, factory = sqlite_db
    with unit_of_work(factory) as session:
        audit.record(session, "morgan", "erase", "KXQ-234")  # all that is left of an erased case
    codes = iter(["KXQ-234", "ABC-234"])
    monkeypatch.setattr(queue, "new_reference", lambda: next(codes))
    with unit_of_work(factory) as session:
        assert enqueue(session).reference == "ABC-234"


# -- 4. duty e-mail over real SMTP ----------------------------------------------------------------


def test_duty_email_holds_reference_and_priority_only(tmp_path: Path, smtp) -> None:
    import email
    from email import policy

    inbox, port = smtp
    app = make_app(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), DUTY_EMAIL="duty@example.org",
                   MAIL_FROM="intake@example.org")
    try:
        parent = SmsActions(app.test_client(), number="+447700900777")
        reference = run_sms_intake(parent)
    finally:
        dispose(app)
    assert len(inbox.messages) == 1
    mail_from, rcpt_tos, raw = inbox.messages[0]
    assert (mail_from, rcpt_tos) == ("intake@example.org", ["duty@example.org"])
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"].startswith("CONFIDENTIAL")
    assert reference in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"Reference: {reference}" in body
    assert "Priority: normal" in body
    whole = raw.decode("utf-8", "replace").lower()
    for secret in ("son's school", "need help", "school", "7700900777", "07700 900777", "+447700900777",
                   "primary", "weekday", "senco"):
        assert secret.lower() not in whole, secret


# -- 5. key rotation ------------------------------------------------------------------------------


def test_rotate_keys_then_remove_the_old_key(tmp_path: Path) -> None:
    k1, k2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    db = f"sqlite:///{tmp_path / 'rotate.sqlite3'}"

    def app_with(keys: str, name: str) -> Any:
        (tmp_path / name).mkdir()
        return make_app(tmp_path / name, DATABASE_URL=db, INTAKE_ENCRYPTION_KEYS=keys)

    def summary_of(app: Any, reference: str) -> str:
        svc = app.extensions["intake"]
        with svc.sessions() as session:
            enquiry = queue.by_reference(session, reference)
            return svc.keys.decrypt(enquiry.summary)

    first = app_with(k1, "one")
    try:
        reference = run_sms_intake(SmsActions(first.test_client()))
        assert summary_of(first, reference) == "I need help with my son's school"
    finally:
        dispose(first)

    both = app_with(f"{k2},{k1}", "both")
    try:
        result = both.test_cli_runner().invoke(args=["intake", "rotate-keys"])
        assert result.exit_code == 0, result.output
        assert "Re-encrypted" in result.output
    finally:
        dispose(both)

    new_only = app_with(k2, "new")
    try:
        assert summary_of(new_only, reference) == "I need help with my son's school"
        svc = new_only.extensions["intake"]
        with svc.sessions() as session:  # every encrypted value, not just the summary
            enquiry = queue.by_reference(session, reference)
            assert svc.keys.decrypt_json(enquiry.contact)["method"] == "sms_this"
            svc.keys.decrypt_json(enquiry.facts)
        # the conversation carries on under the new key alone
        assert SmsActions(new_only.test_client()).send("hello")
    finally:
        dispose(new_only)

    old_only = app_with(k1, "old")
    try:
        with pytest.raises(InvalidToken):
            summary_of(old_only, reference)
    finally:
        dispose(old_only)


# -- 6. audit chain -------------------------------------------------------------------------------


@pytest.fixture
def audited(tmp_path: Path) -> Iterator[tuple[Any, sessionmaker[Session]]]:
    app = make_app(tmp_path)
    factory = app.extensions["intake"].sessions
    for n in range(6):
        with unit_of_work(factory) as session:
            audit.record(session, f"cw{n}", "view", "ABC-234", None if n % 2 else "opened")
    yield app, factory
    dispose(app)


def verify(factory: sessionmaker[Session], expected_head: str | None = None) -> audit.ChainReport:
    with factory() as session:
        return audit.verify(session, expected_head)


def verify_cli(app: Any, *extra: str) -> Any:
    return app.test_cli_runner().invoke(args=["intake", "verify-audit", *extra])


def test_intact_chain_verifies(audited) -> None:
    app, factory = audited
    report = verify(factory)
    assert (report.ok, report.events) == (True, 6)
    result = verify_cli(app)
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_edited_event_is_reported(audited) -> None:
    app, factory = audited
    with unit_of_work(factory) as session:
        session.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE id = 3"))
    report = verify(factory)
    assert report.broken_at == 3
    assert "changed" in (report.problem or "")
    result = verify_cli(app)
    assert result.exit_code == 1
    assert "BROKEN" in result.output and "event 3" in result.output


def test_deleted_middle_event_is_reported(audited) -> None:
    app, factory = audited
    with unit_of_work(factory) as session:
        session.execute(text("DELETE FROM audit_event WHERE id = 4"))
    report = verify(factory)
    assert report.broken_at == 5  # the first surviving event after the gap
    assert "missing" in (report.problem or "")
    result = verify_cli(app)
    assert result.exit_code == 1 and "BROKEN" in result.output


def test_relinked_forgery_after_deletion_is_still_caught(audited) -> None:
    # Deleting a row and fixing up the next row's prev_hash breaks that row's own hash.
    _, factory = audited
    with unit_of_work(factory) as session:
        prev = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == 3))
        session.execute(text("DELETE FROM audit_event WHERE id = 4"))
        session.execute(text("UPDATE audit_event SET prev_hash = :p WHERE id = 5"), {"p": prev})
    assert verify(factory).broken_at == 5


def test_truncated_chain_is_caught_with_the_expected_head(audited) -> None:
    app, factory = audited
    with factory() as session:
        noted_head = audit.head(session)
    with unit_of_work(factory) as session:
        session.execute(text("DELETE FROM audit_event WHERE id >= 5"))
    assert verify(factory).ok  # a clean cut looks fine on its own...
    report = verify(factory, noted_head)  # ...but not against the head noted earlier
    assert not report.ok
    assert "truncated" in (report.problem or "")
    result = verify_cli(app, "--expected-head", noted_head)
    assert result.exit_code == 1 and "BROKEN" in result.output
    assert verify_cli(app).exit_code == 0


# -- 7. markers never in clear -----------------------------------------------------------------------

MARKERS = ("07700 900461", "07700900461", "7700900461", "+447700900462", "07700900462", "7700900462",
           "07700 900462", "07981 555321", "07981555321", "7981555321", "Zebedee", "marmalade trampoline",
           "marmalade", "trampoline")


def test_markers_never_stored_or_logged_in_clear(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # before the app exists, so SQL logging is live as well
    app = make_app(tmp_path)
    svc = app.extensions["intake"]
    try:
        sms = SmsActions(app.test_client(), number="+447700900462")
        steps = list(SMS_INTAKE)
        steps[3] = ("My son Zebedee needs a marmalade trampoline at school", "looks like a name")
        steps.insert(4, ("YES", "stage of education"))
        sms_reference = run_sms_intake(sms, steps)

        chat = ChatActions(app.test_client()).open()
        for message, expected in [
            ("HUMAN", "Is that OK?"),
            ("yes", "What is it mainly about"),
            ("1", "what would you like help with"),
            ("Our son Zebedee loves the marmalade trampoline", "looks like a name"),
            ("yes", "stage of education"),
            ("3", "EHC plan"),
            ("2", "contact you?"),
            ("yes", "How should we contact you"),
            ("2", "number"),
            # Ofcom's drama range: libphonenumber calls it unallocated, so the form asks again...
            ("07700 900461", "doesn't look like a UK phone number"),
            # ...and a real-shaped mobile is kept (encrypted) as the marker that must not leak
            ("07981 555321", "safe for us"),
            ("4", "voicemail"),
            ("no", "say we are"),
            ("no", "exactly what a caseworker will see"),
            ("YES", "Your reference is"),
        ]:
            reply = chat.texts(message)
            assert expected.lower() in reply.lower(), (message, reply)
        chat_reference = find_reference(reply)

        # the markers really were captured (encrypted), so their absence below means something
        with svc.sessions() as session:
            by_sms = queue.by_reference(session, sms_reference)
            by_chat = queue.by_reference(session, chat_reference)
            assert "Zebedee" in svc.keys.decrypt(by_sms.summary)
            assert "marmalade trampoline" in svc.keys.decrypt(by_chat.summary)
            assert svc.keys.decrypt_json(by_sms.contact)["number"] == "+447700900462"
            assert svc.keys.decrypt_json(by_chat.contact)["detail"] == "+447981555321"
    finally:
        dispose(app)

    stored = b""
    for suffix in ("", "-wal"):
        path = tmp_path / f"intake.sqlite3{suffix}"
        if path.exists():
            stored += path.read_bytes()
    assert stored
    logged = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    assert logged  # DEBUG logging really captured something
    for marker in MARKERS:
        for form in (marker, marker.lower(), marker.upper()):
            assert form.encode() not in stored, f"{marker!r} stored in clear"
            assert form.encode("utf-16-le") not in stored, f"{marker!r} stored in clear (utf-16)"
            assert form not in logged, f"{marker!r} in the logs"


def test_form_errors_use_the_validators_own_wording(sms: SmsActions) -> None:
    # rasa-sdk hands back the response *name*; the wording must be looked up, not replaced by
    # "reply with one of the numbers shown" (wrong advice for a yes/no or free-text question).
    sms.send("what is a senco")
    sms.send("HUMAN")
    assert "Sorry, please reply YES or NO." in sms.send("perhaps")[0]
    sms.send("yes")
    assert "Please tell us a little more" in sms.send("ok")[0]
    for message in ("I need help with my son's school", "2", "1", "yes", "3"):
        sms.send(message)
    assert "doesn't look like a UK phone number" in sms.send("12345")[0]
