"""The statistics page and CSV for the period a manager reports on: weeks, a month, a financial quarter or
year, or From/To dates; small numbers hidden in every one; a bad date told kindly; read through an index."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select, text

from intake.db import unit_of_work
from intake.models import Enquiry
from tests.conftest import make_app
from tests.integration.test_console import audit_rows, set_clock, svc
from tests.integration.test_console_manage import add_enquiry, signed_in

TODAY = "2026-11-26 12:00"  # a Thursday in quarter 3 of the financial year 2026/27
SMALL = {"1", "2", "3", "4"}


def received(app: Flask, moment: str, count: int = 1, *, topic: str = "ehc", channel: str = "sms",
             waited: timedelta | None = None) -> None:
    """`count` enquiries received at the UTC instant `moment` ('YYYY-MM-DD HH:MM'), first contacted `waited` on."""
    at = datetime.fromisoformat(moment).replace(tzinfo=UTC)
    references = [add_enquiry(app, topic=topic, channel=channel) for _ in range(count)]
    with unit_of_work(svc(app).sessions) as session:
        for enquiry in session.scalars(select(Enquiry).where(Enquiry.reference.in_(references))):
            enquiry.created_at = at
            enquiry.first_contact_at = at + waited if waited is not None else None


def a_year_of_enquiries(app: Flask) -> None:
    """Enquiries either side of the edges of quarter 2 (July to September 2026), in UK summer time."""
    received(app, "2026-06-30 22:30", 3)  # 23:30 on 30 June in London: quarter 1
    received(app, "2026-06-30 23:30", topic="exclusions", channel="voice")  # 00:30 on 1 July: quarter 2
    received(app, "2026-07-20 09:00", topic="exclusions", channel="voice")
    received(app, "2026-08-10 09:00", 6, waited=timedelta(hours=2))
    received(app, "2026-09-14 09:00", 7, topic="rights_transport", channel="web")
    received(app, "2026-09-30 23:30", 5)  # 00:30 on 1 October in London: quarter 3
    received(app, "2026-10-12 09:00", 5)


def rows_of(response: Any) -> list[list[str]]:
    """The CSV a download holds."""
    assert response.status_code == 200 and response.mimetype == "text/csv", response.get_data(as_text=True)[:300]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def csv_link(page: Any) -> str:
    """The address of the page's 'Download these figures as CSV' link."""
    found = re.search(r'<a href="([^"]+)" download>', page.get_data(as_text=True))
    assert found, "no CSV link on the page"
    return html.unescape(found.group(1))


def test_a_financial_quarter_on_the_page_and_in_the_csv_named_and_audited(app: Flask) -> None:
    a_year_of_enquiries(app)
    set_clock(app, TODAY)
    manager = signed_in(app, "morgan", "manager")

    page = manager.client.get("/caseworker/stats?period=q-2026-2")
    assert page.status_code == 200
    words = page.get_data(as_text=True)
    assert "Quarter 2 of 2026/27 (Jul to Sep 2026)" in words
    assert "Enquiries received from 01 Jul 2026 to 30 Sep 2026." in words
    assert '<p class="big" id="total">15</p>' in words  # 2 exclusions, 6 EHC, 7 transport: not the edges
    assert '<option value="q-2026-2" selected>' in words  # the list still shows what was chosen

    response = manager.client.get(csv_link(page))
    name = 'attachment; filename="enquiry-statistics-2026-07-01-to-2026-09-30.csv"'
    assert response.headers["Content-Disposition"] == name
    rows = rows_of(response)
    assert rows[:4] == [["measure", "group", "value"], ["period covered", "from", "2026-07-01"],
                        ["period covered", "to", "2026-09-30"], ["enquiries", "all", "15"]]
    assert ["enquiries by topic", "Exclusions and part-time timetables", "<5"] in rows
    assert ["enquiries by topic", "EHC needs assessments and plans", "hidden"] in rows  # would give the <5 away
    assert ["enquiries by topic", "Transport, disability and your rights", "7"] in rows
    weeks = [row[1] for row in rows if row[0] == "enquiries by week starting"]
    assert weeks[0] == "01 Jul 2026" and weeks[1] == "06 Jul 2026" and weeks[-1] == "28 Sep 2026" and len(weeks) == 14
    assert ["median time to first contact by week starting", "10 Aug 2026", "2 h 00 min"] in rows
    [export] = audit_rows(app, "stats_export")
    assert export.actor == "morgan" and export.detail == "2026-07-01 to 2026-09-30"


def test_a_financial_year_so_far_is_by_month_and_says_so(app: Flask) -> None:
    a_year_of_enquiries(app)
    set_clock(app, TODAY)
    page = signed_in(app, "morgan", "manager").client.get("/caseworker/stats?period=fy-2026")
    words = page.get_data(as_text=True)
    assert "Financial year 2026/27 (Apr 2026 to Mar 2027)" in words
    # up to the end of last month, not today: figures that moved each day would give one enquiry away (policy 4.6)
    assert "from 01 Apr 2026 to 31 Oct 2026 (so far: the period ends on 31 Mar 2027)." in words
    months = re.findall(r"<tr><td>([A-Z][a-z]{2} 2026)</td><td>([^<]*)</td>", words)
    assert [month for month, _ in months] == ["Apr 2026", "May 2026", "Jun 2026", "Jul 2026", "Aug 2026",
                                              "Sep 2026", "Oct 2026"]
    assert [html.unescape(shown) for _, shown in months] == ["0", "0", "<5", "<5", "6", "7", "10"]


def test_last_month_and_typed_dates(app: Flask) -> None:
    a_year_of_enquiries(app)
    set_clock(app, TODAY)
    manager = signed_in(app, "morgan", "manager")
    words = manager.client.get("/caseworker/stats").get_data(as_text=True)
    assert '<option value="m-2026-10">October 2026</option>' in words  # last month is on the list
    october = manager.client.get("/caseworker/stats?period=m-2026-10").get_data(as_text=True)
    assert "<h2>October 2026</h2>" in october and '<p class="big" id="total">10</p>' in october

    page = manager.client.get("/caseworker/stats?period=dates&from=1/8/2026&to=31+Aug+2026")
    words = page.get_data(as_text=True)
    assert "<h2>01 Aug 2026 to 31 Aug 2026</h2>" in words and '<p class="big" id="total">6</p>' in words
    assert 'value="1/8/2026"' in words and 'value="31 Aug 2026"' in words  # what was typed stays in the boxes
    response = manager.client.get(csv_link(page))
    assert 'filename="enquiry-statistics-2026-08-01-to-2026-08-31.csv"' in response.headers["Content-Disposition"]
    assert ["enquiries", "all", "6"] in rows_of(response)
    assert audit_rows(app, "stats_export")[-1].detail == "2026-08-01 to 2026-08-31"


def test_every_period_offered_hides_counts_under_five(app: Flask) -> None:
    # A few of everything, in every week of the year so far: small counts wherever one looks.
    start = datetime(2026, 4, 1, 9, tzinfo=UTC)
    for week in range(0, 34, 3):
        received(app, (start + timedelta(weeks=week)).strftime("%Y-%m-%d %H:%M"), 1 + week % 4,
                 topic=("ehc", "exclusions", "rights_transport")[week % 3], channel=("sms", "web", "voice")[week % 3],
                 waited=timedelta(hours=1))
    set_clock(app, TODAY)
    manager = signed_in(app, "morgan", "manager")
    offered = re.findall(r'<option value="([^"]+)"', manager.client.get("/caseworker/stats").get_data(as_text=True))
    assert {"6w", "10w", "m-2026-10", "q-2026-3", "q-2026-2", "fy-2026", "fy-2025"} <= set(offered)
    assert "m-2026-11" not in offered  # this month has not ended
    for query in [f"period={key}" for key in offered] + ["period=dates&from=01/04/2026&to=31/10/2026"]:
        page = manager.client.get(f"/caseworker/stats?{query}").get_data(as_text=True)
        assert not re.search(r'class="value">[1-4]</text>|<td>[1-4]</td>|id="total">[1-4]<', page), query
        rows = rows_of(manager.client.get(f"/caseworker/stats.csv?{query}"))
        assert not SMALL & {row[2] for row in rows}, (query, rows)


@pytest.mark.parametrize(("query", "message"), [
    ("period=dates&from=31/02/2026&to=1/3/2026", "The From date &#39;31/02/2026&#39; is not a date (there is no such"),
    ("period=dates&from=yesterday&to=1/3/2026", "The From date &#39;yesterday&#39; is not one we can read"),
    ("period=dates&from=1/4/2026&to=", "Give a To date: write it day first, like 01/04/2026"),
    ("period=dates&from=1/5/2026&to=1/4/2026", "The To date is before the From date"),
    ("period=dates&from=1/1/2027&to=31/1/2027", "That period has not started yet"),
    ("period=dates&from=1/1/2010&to=1/1/2026", "Choose a period of at most 5 years"),
    ("period=q-2026-7", "Choose a period from the list, or give From and To dates"),
    ("period=fy-99999", "Choose a period from the list, or give From and To dates"),
    ("period=4w", "Choose a period from the list, or give From and To dates"),  # not one of the fixed lengths
    ("period=dates&from=2/8/2026&to=31/8/2026", "Figures are given for whole calendar months"),
    ("period=dates&from=1/8/2026&to=30/8/2026", "Figures are given for whole calendar months"),
    ("period=m-2026-11", "No whole month of that period has passed yet"),
    ("period=dates&from=1/11/2026&to=30/11/2026", "No whole month of that period has passed yet"),
])
def test_a_period_that_is_not_one_is_told_kindly_never_a_crash(app: Flask, query: str, message: str) -> None:
    a_year_of_enquiries(app)
    set_clock(app, TODAY)
    manager = signed_in(app, "morgan", "manager")
    for path in ("/caseworker/stats", "/caseworker/stats.csv"):
        page = manager.client.get(f"{path}?{query}")
        words = page.get_data(as_text=True)
        assert page.status_code == 400 and page.mimetype == "text/html", words[:300]
        assert f'<p class="error" id="period-error" role="alert">{message}' in words
        assert '<select id="period" name="period">' in words and "Download these figures" not in words
    assert audit_rows(app, "stats_export") == []


def test_the_figures_for_a_period_are_read_through_the_created_at_index(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    set_clock(app, TODAY)
    plans = statements_planned(app, signed_in(app, "morgan", "manager"), "/caseworker/stats?period=q-2026-2")
    assert any("ix_enquiry_created_at" in plan for plan in plans), plans


def statements_planned(app: Flask, manager: Any, path: str) -> list[str]:
    """The query plan of each statement reading enquiry.created_at while `manager` opens the page at `path`."""
    engine = svc(app).db
    seen: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "enquiry.created_at >=" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert manager.client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert seen, "the page read no enquiries by date"
    plans = []
    with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:  # on a table this small a full read is cheapest; ask whether an index would serve at all
            connection.execute(text("SET enable_seqscan = off"))
        for statement, parameters in seen:
            prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
            result = connection.exec_driver_sql(prefix + statement, parameters)
            plans.append(" ".join(str(cell) for row in result for cell in row))
    return plans


@pytest.mark.postgres
def test_on_postgresql_too_a_quarter_is_counted_and_read_through_the_index(tmp_path: Path, postgres_url: str) -> None:
    app = make_app(tmp_path, DATABASE_URL=postgres_url)
    a_year_of_enquiries(app)
    set_clock(app, TODAY)
    manager = signed_in(app, "morgan", "manager")
    rows = rows_of(manager.client.get("/caseworker/stats.csv?period=q-2026-2"))
    assert ["enquiries", "all", "15"] in rows and ["period covered", "to", "2026-09-30"] in rows
    assert ["enquiries by topic", "EHC needs assessments and plans", "hidden"] in rows
    plans = statements_planned(app, manager, "/caseworker/stats?period=q-2026-2")
    assert any("ix_enquiry_created_at" in plan for plan in plans), plans
    svc(app).db.dispose()
