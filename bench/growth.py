"""Growth: claim time and queue-page time with 100, 10,000 and 100,000 queued enquiries.

Rows are bulk inserted straight into `enquiry` (encrypted fields are one fixed ciphertext), then the
real functions are timed: `queue.claim` (rolled back each time, so the queue keeps its size),
`casework.queue_rows` (what the console's queue page and its polling run) and `queue.position` for the
newest enquiry (the "you are number N in the queue" a parent is told when the form is sent).
Runs on SQLite always and on PostgreSQL when reachable; prints the EXPLAIN of the claim query there.

Run alone: .venv/bin/python -m bench.growth
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import ENCRYPTION_KEY, POSTGRES_URL, drop_schema, fresh_schema, postgres_available
from intake.queue import QUEUE_PAGE

SIZES = (100, 10_000, 100_000)
TARGET_RATIO = 1.5
REPEATS = 40


def reference_for(i: int) -> str:
    """A unique reference in the service's AAA-999 shape for row i."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # any 24 letters: uniqueness is all that matters here
    n = i // 1000
    return f"{letters[n // 576 % 24]}{letters[n // 24 % 24]}{letters[n % 24]}-{i % 1000:03d}"


def fill(engine: Any, start: int, stop: int, now: Any) -> None:
    """Bulk insert queued enquiries start..stop-1 (oldest first; 1 in 100 urgent)."""
    from sqlalchemy import insert

    from intake.crypto import KeyRing
    from intake.models import Enquiry

    blob = KeyRing([ENCRYPTION_KEY]).encrypt("bench summary")
    rows = []
    for i in range(start, stop):
        urgent = i % 100 == 7
        created = now - timedelta(days=30) + timedelta(seconds=i)
        rows.append({
            "reference": reference_for(i), "channel": "sms", "contact_key": f"{i:064x}", "topic": "senco",
            "summary": blob, "facts": blob, "contact": blob, "safe_times": "any",
            "voicemail_ok": False, "name_service_ok": True,
            "priority": "urgent" if urgent else "normal", "priority_rank": 0 if urgent else 1,
            "status": "queued", "created_at": created, "retain_until": created + timedelta(days=365),
        })
    with engine.begin() as connection:
        for chunk in range(0, len(rows), 5000):
            connection.execute(insert(Enquiry), rows[chunk:chunk + 5000])


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def best_ms(samples: list[float]) -> float:
    """The fastest run: least disturbed by other work on a shared machine."""
    return min(samples) * 1000


def measure(sessions: Any) -> dict[str, float]:
    """Median times of claim, queue page and the newest enquiry's queue place, at the current size."""
    from sqlalchemy import func, select

    from intake import casework, queue
    from intake.models import Enquiry

    claim, page, place = [], [], []
    for _ in range(REPEATS):
        session = sessions()
        try:
            start = time.perf_counter()
            queue.claim(session, "bench-caseworker")
            claim.append(time.perf_counter() - start)
        finally:
            session.rollback()
            session.close()
    with sessions() as session:
        newest = session.scalar(select(Enquiry).where(Enquiry.id == select(func.max(Enquiry.id)).scalar_subquery()))
        for _ in range(REPEATS):
            start = time.perf_counter()
            rows = casework.queue_rows(session)
            page.append(time.perf_counter() - start)
            assert rows
            start = time.perf_counter()
            queue.position(session, newest)
            place.append(time.perf_counter() - start)
            session.rollback()
    return {"claim_ms": median_ms(claim), "queue_page_ms": median_ms(page), "queue_place_ms": median_ms(place),
            "claim_best_ms": best_ms(claim), "queue_page_best_ms": best_ms(page),
            "queue_place_best_ms": best_ms(place)}


def explain(engine: Any, sessions: Any) -> dict[str, str]:
    """The plans of the exact statements the real functions send (captured at the driver), EXPLAINed.

    PostgreSQL: EXPLAIN ANALYZE (inside a transaction that is rolled back); SQLite: EXPLAIN QUERY PLAN.
    """
    from sqlalchemy import event, func, select

    from intake import casework, queue
    from intake.models import Enquiry

    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM enquiry" in statement:
            captured.append((statement, parameters))

    def first_select(action: Any) -> tuple[str, Any]:
        captured.clear()
        event.listen(engine, "before_cursor_execute", capture)
        session = sessions()
        try:
            action(session)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
            session.rollback()
            session.close()
        return captured[0]

    def place(session: Any) -> None:
        newest = session.get(Enquiry, session.scalar(select(func.max(Enquiry.id))))
        captured.clear()
        queue.position(session, newest)

    statements = {
        "claim": first_select(lambda session: queue.claim(session, "bench-caseworker")),
        "queue_page": first_select(casework.queue_rows),
        "queue_place": first_select(place),
    }
    postgres = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " if postgres else "EXPLAIN QUERY PLAN "
    plans = {}
    with engine.connect() as connection:
        for name, (statement, parameters) in statements.items():
            rows = connection.exec_driver_sql(prefix + statement, parameters).all()
            plan = [str(row[0]) if postgres else str(row[-1]) for row in rows]
            plans[name] = " ".join(statement.split()) + "\n" + "\n".join(plan)
        connection.rollback()
    return plans


def grow(url: str, dialect: str) -> dict[str, Any]:
    """Fill to each size in turn and measure."""
    from sqlalchemy import text

    from intake.audit import ChainKey
    from intake.db import make_engine, make_session_factory
    from intake.migrate import upgrade
    from intake.models import utcnow

    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine, ChainKey("bench-only-hash-key"))  # a claim records an audit event
    now = utcnow()
    result: dict[str, Any] = {"sizes": {}}
    filled = 0
    for size in SIZES:
        start = time.perf_counter()
        fill(engine, filled, size, now)
        filled = size
        if dialect == "postgresql":  # what autovacuum does soon after a load like this
            with engine.begin() as connection:
                connection.execute(text("ANALYZE enquiry"))
        else:
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        result["sizes"][size] = measure(sessions) | {"fill_s": time.perf_counter() - start}
    smallest, largest = result["sizes"][SIZES[0]], result["sizes"][SIZES[-1]]
    result["ratio"] = {key: largest[key] / smallest[key] for key in ("claim_ms", "queue_page_ms", "queue_place_ms")}
    # the page lists the front of the queue (QUEUE_PAGE rows); also compare per row listed
    rows_at = {n: min(n, QUEUE_PAGE) for n in SIZES}
    result["queue_page_per_row_ratio"] = (largest["queue_page_ms"] / rows_at[SIZES[-1]]) / (
        smallest["queue_page_ms"] / rows_at[SIZES[0]])
    result["ratio_best"] = {key: largest[key + "_best_ms"] / smallest[key + "_best_ms"]
                            for key in ("claim", "queue_page", "queue_place")}
    result["explain"] = explain(engine, sessions)
    engine.dispose()
    return result


def run() -> dict[str, Any]:
    """SQLite in a temporary file, and PostgreSQL in a fresh schema when it answers."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as tmp:
        results["sqlite"] = grow(f"sqlite:///{Path(tmp) / 'growth.sqlite3'}", "sqlite")
    why = postgres_available()
    if why:
        results["postgresql"] = {"skipped": why}
    else:
        schema, url = fresh_schema(POSTGRES_URL, "bench_growth")
        try:
            results["postgresql"] = grow(url, "postgresql")
        finally:
            drop_schema(schema)
    results["target_ratio"] = TARGET_RATIO
    results["met"] = {
        f"{db}_{key}": ratio <= TARGET_RATIO
        for db, figures in results.items() if isinstance(figures, dict) and "ratio" in figures
        for key, ratio in figures["ratio"].items()
    }
    return results


def print_report(result: dict[str, Any]) -> None:
    """The growth part of the table."""
    print(f"Growth (median of {REPEATS}; claim rolled back so the queue keeps its size)")
    print(f"  {'database / measure':30} " + " ".join(f"{n:>10,}" for n in SIZES) + f" {'ratio':>7}  target")
    for db in ("sqlite", "postgresql"):
        figures = result.get(db, {})
        if "skipped" in figures:
            print(f"  {db}: SKIPPED: {figures['skipped']}")
            continue
        for key, label in (("claim_ms", "claim (next)"), ("queue_page_ms", f"queue page ({QUEUE_PAGE} rows)"),
                           ("queue_place_ms", "queue place of newest")):
            values = " ".join(f"{figures['sizes'][n][key]:8.2f}ms" for n in SIZES)
            ratio = figures["ratio"][key]
            verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
            best = figures["ratio_best"][key.removesuffix("_ms")]
            print(f"  {db + ' ' + label:30} {values} {ratio:7.2f}  <= {TARGET_RATIO} {verdict} "
                  f"(fastest runs: {best:.2f})")
        if figures:
            print(f"  {db + ' queue page per row listed':30} ratio {figures['queue_page_per_row_ratio']:.2f} "
                  f"(every size lists {QUEUE_PAGE} rows)")
    plans = result.get("postgresql", {}).get("explain")
    if plans:
        print("  EXPLAIN ANALYZE, claim query on PostgreSQL at 100,000 queued:")
        for line in plans["claim"].splitlines():
            print(f"    {line}")
        print("  EXPLAIN ANALYZE, queue place of the newest (count of those ahead) on PostgreSQL:")
        for line in plans["queue_place"].splitlines()[1:]:
            print(f"    {line}")
    sqlite_plans = result.get("sqlite", {}).get("explain")
    if sqlite_plans:
        print("  SQLite query plans:")
        for name, plan in sqlite_plans.items():
            print(f"    {name}: {' / '.join(plan.splitlines()[1:])}")


if __name__ == "__main__":
    figures = run()
    print_report(figures)
    if "--all-plans" in sys.argv and "explain" in figures.get("postgresql", {}):
        for name, plan in figures["postgresql"]["explain"].items():
            print(f"--- {name}\n{plan}")
