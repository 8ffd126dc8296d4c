"""Caseworkers claiming from the queue at the same time, for the concurrency tests (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

from sqlalchemy.orm import Session, sessionmaker

from intake import queue
from intake.db import unit_of_work
from intake.queue import QueueError


def claim_until_empty(factory: sessionmaker[Session], threads: int) -> list[tuple[str, int]]:
    """`threads` caseworkers claim until the queue is empty; returns (caseworker, enquiry id) pairs."""
    claims: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker(n: int) -> None:
        try:
            start.wait()
            while True:
                try:
                    with unit_of_work(factory) as session:
                        enquiry = queue.claim(session, f"cw{n}")
                        got = enquiry.id
                except QueueError as exc:
                    if str(exc) == "the queue is empty":
                        return
                    raise
                with lock:
                    claims.append((f"cw{n}", got))
        except BaseException as exc:  # surfaced in the main thread
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=600)
    assert not any(t.is_alive() for t in pool), "a claimer hung"
    assert not errors, errors
    return claims
