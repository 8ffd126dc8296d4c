"""Safe times to contact a parent: windows by weekday and local time, weekends, bank holidays, BST and GMT."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import ContentError, load_content
from intake.contact_windows import ContactTimes, ContactTimesError, parse, when
from intake.hours import OfficeHours

FLOWS = Path(__file__).resolve().parents[2] / "flows"
LONDON = "Europe/London"


@pytest.fixture(scope="module")
def times() -> ContactTimes:
    """The windows as the service ships them."""
    return parse(yaml.safe_load((FLOWS / "contact_times.yaml").read_text()))


def office(spec: str = "Mon-Fri 09:00-17:00", holidays: tuple[str, ...] = ()) -> OfficeHours:
    """Office hours in London."""
    return OfficeHours.parse(spec, LONDON, holidays)


def utc(text: str) -> datetime:
    """A UTC instant from 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("safe_times", "moment", "safe"), [
    # Summer (BST, UTC+1): 08:30 UTC is 09:30 in London.
    ("mornings", "2026-07-01 08:30", True),
    ("mornings", "2026-07-01 07:59", False),  # 08:59 local
    ("mornings", "2026-07-01 11:00", False),  # 12:00 local: the end is not included
    ("afternoons", "2026-07-01 11:00", True),
    ("afternoons", "2026-07-01 16:05", False),  # 17:05 local, on a Wednesday
    ("school_hours", "2026-07-01 08:15", False),  # 09:15 local
    ("school_hours", "2026-07-01 08:30", True),  # 09:30 local
    ("school_hours", "2026-07-01 14:00", False),  # 15:00 local
    # Winter (GMT): UTC is local.
    ("mornings", "2026-11-25 09:00", True),
    ("mornings", "2026-11-25 08:59", False),
    ("afternoons", "2026-11-25 16:59", True),
    ("afternoons", "2026-11-25 17:00", False),
    # Weekends are never inside a weekday window, nor the office's hours.
    ("mornings", "2026-11-28 10:00", False),
    ("any", "2026-11-29 10:00", False),
    ("any", "2026-11-25 10:00", True),
    # Not given (None) or no longer listed: office hours only.
    (None, "2026-11-25 10:00", True),
    (None, "2026-11-25 18:00", False),
    ("weekdays 10-12", "2026-11-25 18:00", False),
])
def test_inside_or_outside(times: ContactTimes, safe_times: str | None, moment: str, safe: bool) -> None:
    assert times.check(safe_times, office(), utc(moment)).safe_now is safe


def test_friday_evening_waits_for_monday_morning(times: ContactTimes) -> None:
    friday_5pm = utc("2026-11-27 17:05")
    found = times.check("mornings", office(), friday_5pm)
    assert not found.safe_now and found.next_safe is not None
    assert when(found.next_safe) == "Mon 30 Nov, 09:00"
    assert found.refusal == "Not sent: the parent said weekday mornings are safe. Next safe time: Mon 30 Nov, 09:00."
    assert found.status == "Not safe to contact now. Next safe time: Mon 30 Nov, 09:00."


def test_later_the_same_day(times: ContactTimes) -> None:
    found = times.check("afternoons", office(), utc("2026-11-25 10:00"))
    assert found.next_safe is not None and when(found.next_safe) == "Wed 25 Nov, 12:00"


def test_inside_the_window_next_safe_is_now(times: ContactTimes) -> None:
    moment = utc("2026-11-25 10:00")
    found = times.check("mornings", office(), moment)
    assert found.safe_now and found.next_safe == moment and found.status == "Safe to contact now"


def test_across_the_clock_change_the_window_stays_at_local_time(times: ContactTimes) -> None:
    # Clocks go back on Sunday 25 Oct 2026: Friday's 09:00 is 08:00 UTC, Monday's is 09:00 UTC.
    found = times.check("mornings", office(), utc("2026-10-23 12:00"))
    assert found.next_safe is not None and when(found.next_safe) == "Mon 26 Oct, 09:00"
    assert found.next_safe.astimezone(UTC) == utc("2026-10-26 09:00")
    assert times.check("mornings", office(), utc("2026-10-23 08:00")).safe_now  # 09:00 BST
    assert not times.check("mornings", office(), utc("2026-10-26 08:00")).safe_now  # 08:00 GMT
    # Clocks go forward on Sunday 29 Mar 2026: Monday's 09:00 is 08:00 UTC.
    spring = times.check("mornings", office(), utc("2026-03-27 13:00"))
    assert spring.next_safe is not None and spring.next_safe.astimezone(UTC) == utc("2026-03-30 08:00")


def test_bank_holidays_are_skipped(times: ContactTimes) -> None:
    hours = office(holidays=("2026-12-25", "2026-12-28"))
    found = times.check("mornings", hours, utc("2026-12-24 13:00"))
    assert found.next_safe is not None and when(found.next_safe) == "Tue 29 Dec, 09:00"
    assert not times.check("mornings", hours, utc("2026-12-28 10:00")).safe_now


def test_any_follows_the_office_hours(times: ContactTimes) -> None:
    found = times.check("any", office("Mon-Thu 09:00-17:00; Fri 09:00-16:30"), utc("2026-11-27 16:45"))
    assert not found.safe_now and found.next_safe is not None and when(found.next_safe) == "Mon 30 Nov, 09:00"
    assert found.refusal.startswith("Not sent: the parent said any time the office is open is safe.")


def test_no_safe_time_ahead_says_so(times: ContactTimes) -> None:
    found = times.check("any", office(""), utc("2026-11-25 10:00"))  # an office that never opens
    assert not found.safe_now and found.next_safe is None
    assert "no safe time falls in the coming weeks" in found.refusal


def good() -> dict[str, Any]:
    """A minimal valid file's content."""
    return {
        "windows": {"mornings": {"label": "Mornings", "said": "mornings are safe", "days": "Mon-Fri",
                                 "from": "09:00", "to": "12:00"}},
        "not_given": {"label": "Not given", "said": "nothing", "office_hours": True},
        "messages": {key: "x {next_safe}" for key in
                     ("safe_now", "not_safe_now", "no_safe_time", "refused", "refused_no_next")},
    }


def test_days_may_be_listed() -> None:
    data = good()
    data["windows"]["mornings"]["days"] = "Mon, Wed-Thu"
    assert parse(data).windows["mornings"].days == frozenset({0, 2, 3})


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["windows"]["mornings"].update(to="08:00"), "'to' must be later than 'from'"),
    (lambda d: d["windows"]["mornings"].update(to="25:00"), "cannot read the time"),
    (lambda d: d["windows"]["mornings"].update(days="Fri-Mon"), "run backwards"),
    (lambda d: d["windows"]["mornings"].update(days="weekdays"), "cannot read the days"),
    (lambda d: d["windows"]["mornings"].pop("said"), "needs 'said'"),
    (lambda d: d.pop("not_given"), "not_given must be a mapping"),
    (lambda d: d["messages"].update(refused="Not sent {when}"), "unknown placeholder {when}"),
    (lambda d: d["messages"].update(refused="Not sent {"), "braces must be"),
    (lambda d: d.update(windows={}), "expected 'windows'"),
])
def test_bad_content_is_refused_with_the_reason(change: Any, message: str) -> None:
    data = good()
    change(data)
    with pytest.raises(ContactTimesError, match=message):
        parse(data)


def test_every_intake_choice_needs_a_window(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(FLOWS, flows)
    path = flows / "contact_times.yaml"
    data = yaml.safe_load(path.read_text())
    del data["windows"]["school_hours"]
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ContentError, match="no window for the safe_times choice 'school_hours'"):
        load_content(flows)
