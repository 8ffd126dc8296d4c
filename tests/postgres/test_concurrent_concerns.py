"""A text and a call from one number disclosing at the same moment make one concern, one reference, one alert."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from bot.content import spell_out
from intake import audit
from intake.models import Enquiry
from tests.conftest import ALWAYS_OPEN, Inbox, SmsActions, dispose, make_app
from tests.integration.test_safeguarding_disclosures import HITS, RISK, alerts, reference_in, triggers, urgent
from tests.integration.test_voice import CallActions

ROUNDS = 8  # numbers, each racing a text against a call
PRESSED_0 = "caller pressed 0: a child in danger"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest, tmp_path: Path, smtp: tuple[Inbox, int]) -> Iterator[Flask]:
    """The app on SQLite (writers queue: BEGIN IMMEDIATE) or on PostgreSQL (they really overlap)."""
    database = {} if request.param == "sqlite" else {"DATABASE_URL": request.getfixturevalue("postgres_url")}
    app = make_app(tmp_path, OFFICE_HOURS=ALWAYS_OPEN, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp[1]),
                   DUTY_EMAIL="duty@example.org", MAIL_FROM="intake@example.org", **database)
    yield app
    dispose(app)


def at_once(*turns: Callable[[], str]) -> list[str]:
    """Run the turns at the same moment, each on its own thread; what each parent saw or heard."""
    results: dict[int, str] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(turns))

    def run(n: int, turn: Callable[[], str]) -> None:
        try:
            start.wait()
            results[n] = turn()
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n, turn)) for n, turn in enumerate(turns)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a turn hung"
    assert not errors, errors
    return [results[n] for n in range(len(turns))]


def disclose_at_once(app: Flask, number: str) -> str:
    """A parent texts a disclosure while, on a call from the same number, pressing 0; returns the reference."""
    sms, caller = SmsActions(app.test_client(), number), CallActions(app.test_client(), number)
    caller.call()
    texted, heard = at_once(lambda: "\n".join(sms.send(RISK)), lambda: caller.press("0"))
    reference = reference_in([texted])
    assert texted.startswith("If a child is in immediate danger")
    assert "9 9 9" in heard and spell_out(reference) in heard  # the caller hears the same reference
    return reference


def test_a_text_and_a_call_disclosing_at_the_same_moment_make_one_concern(app: Flask, duty: Inbox) -> None:
    references = [disclose_at_once(app, f"+4477009003{n:02d}") for n in range(ROUNDS)]
    assert len(set(references)) == ROUNDS  # one case per number, not per number and channel
    with app.extensions["intake"].sessions() as session:
        cases = list(session.scalars(select(Enquiry).order_by(Enquiry.id)))
        assert audit.verify(session).ok
    assert sorted(c.reference for c in cases) == sorted(references)
    for case in cases:  # both disclosures are on the one case
        assert case.priority == "urgent" and set(triggers(app, case)) == {HITS, PRESSED_0}
    assert Counter(alerts(duty)) == Counter(urgent(r) for r in references)  # one duty alert per case
