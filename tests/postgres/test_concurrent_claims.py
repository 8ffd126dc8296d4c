"""Concurrent claims on real PostgreSQL: 50 caseworkers, 1,000 enquiries, each claimed exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from intake import audit, concerns, queue
from intake.crypto import KeyRing
from intake.db import make_session_factory, unit_of_work
from intake.migrate import upgrade
from intake.models import AuditEvent, Enquiry
from intake.queue import QueueError
from tests.concurrency import claim_until_empty
from tests.conftest import HASH_KEY

pytestmark = pytest.mark.postgres

KEYS = KeyRing([Fernet.generate_key().decode()])
ENQUIRIES, THREADS = 1000, 50


def enqueue(session: Session, summary: str) -> Enquiry:
    return queue.create_enquiry(
        session, KEYS, channel="sms", contact_key=None, topic="general", summary=summary,
        facts={}, contact=None, safe_times=None, voicemail_ok=False, name_service_ok=False,
        consents=[], retention_days=30,
    )


@pytest.fixture
def pg(postgres_url: str) -> Iterator[tuple[Engine, sessionmaker[Session], str]]:
    upgrade(postgres_url)
    # make_engine's pool (5 + 5) would make 40 of the 50 caseworkers queue for a connection rather
    # than race for rows; give every thread its own connection so the row locks really contend.
    engine = create_engine(postgres_url, pool_size=THREADS, max_overflow=5)
    schema = make_url(postgres_url).query["options"].split("=", 1)[1]
    yield engine, make_session_factory(engine, audit.ChainKey(HASH_KEY)), schema
    engine.dispose()


def test_search_path_reaches_psycopg_and_tables_land_in_the_test_schema(pg) -> None:
    engine, _, schema = pg
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT current_schema()")) == schema
        tables = set(connection.scalars(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = :s"), {"s": schema}))
        public = set(connection.scalars(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")))
    assert {"enquiry", "audit_event", "consent_record", "alembic_version"} <= tables
    assert "enquiry" not in public  # nothing leaked into the shared schema


def test_fifty_caseworkers_claim_a_thousand_enquiries_each_exactly_once(pg) -> None:
    _, factory, _ = pg
    with unit_of_work(factory) as session:
        references = [enqueue(session, f"enquiry {i}").reference for i in range(ENQUIRIES)]
    assert len(set(references)) == ENQUIRIES

    claims = claim_until_empty(factory, THREADS)

    ids = [enquiry_id for _, enquiry_id in claims]
    assert len(ids) == ENQUIRIES
    assert len(set(ids)) == ENQUIRIES, "an enquiry was claimed twice"
    owner = {enquiry_id: worker for worker, enquiry_id in claims}
    assert len(set(owner.values())) > 1
    with factory() as session:
        rows = session.execute(select(Enquiry.id, Enquiry.status, Enquiry.claimed_by)).all()
        assert len(rows) == ENQUIRIES
        assert {status for _, status, _ in rows} == {"claimed"}
        assert all(owner[enquiry_id] == claimed_by for enquiry_id, _, claimed_by in rows)
        claim_events = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "claim"))
        assert claim_events == ENQUIRIES
        # 50 writers appending at once still leave one unbroken chain
        report = audit.verify(session)
        assert report.ok, report
        assert report.events == 2 * ENQUIRIES


def test_audit_chain_survives_a_rolled_back_transaction(pg) -> None:
    # PostgreSQL sequences never give numbers back: a rolled-back event leaves an id gap that is
    # not tampering. The chain links are what prove nothing was removed.
    _, factory, _ = pg
    with unit_of_work(factory) as session:
        audit.record(session, "cw1", "view", "ABC-234")
    with pytest.raises(RuntimeError), unit_of_work(factory) as session:
        audit.record(session, "cw1", "view", "ABC-235")
        # an insert that is rolled back uses up its id all the same
        session.execute(text("SELECT nextval(pg_get_serial_sequence('audit_event', 'id'))"))
        raise RuntimeError("the turn failed after recording its audit event")
    with unit_of_work(factory) as session:
        audit.record(session, "cw2", "claim", "ABC-234")
    with factory() as session:
        assert audit.verify(session).ok, audit.verify(session)
        ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
        # the failed turn's event was never stored
        assert session.scalar(select(func.count()).where(AuditEvent.reference == "ABC-235")) == 0
    assert ids[1] > ids[0] + 1  # the gap is really there
    # a deleted middle event is still caught by the broken link
    with unit_of_work(factory) as session:
        audit.record(session, "cw3", "close", "ABC-234")
        session.flush()
    with unit_of_work(factory) as session:
        session.execute(text("DELETE FROM audit_event WHERE id = :i"), {"i": ids[1]})
    with factory() as session:
        report = audit.verify(session)
    assert report.broken_at is not None and report.broken_at > ids[1]


def test_named_claims_race_for_one_enquiry(pg) -> None:
    _, factory, _ = pg
    with unit_of_work(factory) as session:
        reference = enqueue(session, "one enquiry").reference
    winners: list[str] = []
    losers: list[str] = []
    start = threading.Barrier(20)

    def caseworker(n: int) -> None:
        start.wait()
        try:
            with unit_of_work(factory) as session:
                queue.claim(session, f"cw{n}", reference)
            winners.append(f"cw{n}")
        except QueueError:
            losers.append(f"cw{n}")

    threads = [threading.Thread(target=caseworker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(winners) == 1 and len(losers) == 19
    with factory() as session:
        assert queue.by_reference(session, reference).claimed_by == winners[0]


def claimed_by_alice(factory: sessionmaker[Session], urgent: bool) -> str:
    """An enquiry alice has claimed (urgent, or an ordinary one); its reference."""
    with unit_of_work(factory) as session:
        enquiry = enqueue(session, "claimed one")
        if urgent:
            enquiry.priority, enquiry.priority_rank = queue.URGENT, queue.RANK[queue.URGENT]
        session.flush()
        queue.claim(session, "alice", enquiry.reference)
        return enquiry.reference


def test_take_overs_race_for_one_urgent_case(pg) -> None:
    _, factory, _ = pg
    reference = claimed_by_alice(factory, urgent=True)
    winners: list[str] = []
    losers: list[str] = []
    start = threading.Barrier(10)

    def taker(n: int) -> None:
        start.wait()
        try:
            with unit_of_work(factory) as session:
                queue.take_over(session, f"duty{n}", reference, "alice")  # every page said "with alice"
            winners.append(f"duty{n}")
        except QueueError:
            losers.append(f"duty{n}")

    threads = [threading.Thread(target=taker, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(winners) == 1 and len(losers) == 9
    with factory() as session:
        enquiry = queue.by_reference(session, reference)
        assert (enquiry.claimed_by, enquiry.previous_caseworker) == (winners[0], "alice")
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "take_over")) == 1


def test_a_close_at_the_moment_a_concern_sends_the_case_back_waits_and_is_refused(pg) -> None:
    _, factory, _ = pg
    reference = claimed_by_alice(factory, urgent=False)
    outcome: list[str] = []
    disclosure = factory()
    enquiry = queue.by_reference(disclosure, reference)
    assert enquiry is not None
    assert concerns.add_disclosure(disclosure, KEYS, enquiry, ("a child being hurt",))  # row locked, not committed

    def alice_closes() -> None:
        try:
            with unit_of_work(factory) as session:
                queue.close(session, "alice", reference, "advice given", 30)
            outcome.append("closed")
        except QueueError as exc:
            outcome.append(str(exc))

    closing = threading.Thread(target=alice_closes)
    closing.start()
    closing.join(timeout=1)
    assert closing.is_alive(), "the close did not wait for the disclosure"
    disclosure.commit()
    disclosure.close()
    closing.join(timeout=30)
    assert outcome == ["that enquiry is not in your caseload"]
    with factory() as session:
        enquiry = queue.by_reference(session, reference)
        assert (enquiry.status, enquiry.priority, enquiry.previous_caseworker) == ("queued", "urgent", "alice")
        assert [e.reference for e in queue.queued(session)] == [reference]
