"""Office hours in the service's time zone, with bank holidays: are we open, and when do we open next."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SPEC = re.compile(r"^\s*([a-z]{3})(?:\s*-\s*([a-z]{3}))?\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
# A day's hours that run to midnight close at "24:00", which a time() cannot hold: the last moment of the day
# stands for it, and is_open treats it as open to the end. Written 24:00, said "midnight" ("all day" from 00:00).
END_OF_DAY = time.max


class HoursError(ValueError):
    """Office hours (OFFICE_HOURS or typed in the console) or closed days could not be read."""


@dataclass(frozen=True)
class OfficeHours:
    """Opening times per weekday (0 = Monday) in one time zone, minus bank holidays."""

    windows: dict[int, tuple[time, time]]
    zone: ZoneInfo
    holidays: frozenset[date]

    @classmethod
    def parse(cls, spec: str, zone: str = "Europe/London", holidays: tuple[str, ...] = ()) -> OfficeHours:
        """Read e.g. "Mon-Thu 09:00-17:00; Fri 09:00-16:30"."""
        windows: dict[int, tuple[time, time]] = {}
        for part in filter(None, (p.strip() for p in re.split(r"[;,]", spec.lower()))):
            match = SPEC.match(part)
            if not match or match.group(1) not in DAYS or (match.group(2) and match.group(2) not in DAYS):
                raise HoursError(f"OFFICE_HOURS: cannot read {part!r}; use e.g. 'Mon-Fri 09:00-17:00'")
            first = DAYS.index(match.group(1))
            last = DAYS.index(match.group(2)) if match.group(2) else first
            opens = _time_of_day(match.group(3), match.group(4), part)
            closes = _time_of_day(match.group(5), match.group(6), part, closing=True)
            for day in range(first, last + 1):
                windows[day] = (opens, closes)
        try:
            days = frozenset(date.fromisoformat(d) for d in holidays)
        except ValueError as exc:
            raise HoursError("BANK_HOLIDAYS: use dates like 2026-12-25, separated by commas") from exc
        return cls(windows, ZoneInfo(zone), days)

    def describe(self) -> str:
        """Plain words for parents: "Monday to Friday, 9am to 5pm" (days with the same times grouped)."""
        names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        groups: list[tuple[int, int, tuple[time, time]]] = []
        for day in range(7):
            window = self.windows.get(day)
            if window is None:
                continue
            if groups and groups[-1][1] == day - 1 and groups[-1][2] == window:
                groups[-1] = (groups[-1][0], day, window)
            else:
                groups.append((day, day, window))
        if not groups:
            return "by appointment"
        parts = []
        for first, last, (opens, closes) in groups:
            days = names[first] if first == last else f"{names[first]} to {names[last]}"
            said = "all day" if (opens, closes) == (time(0), END_OF_DAY) else f"{_clock(opens)} to {_clock(closes)}"
            parts.append(f"{days}, {said}")
        return "; ".join(parts)

    def describe_at(self, moment: datetime, ahead: int = 14) -> str:
        """`describe()`, plus the closed days on opening days in the next `ahead` days, so a parent told the
        hours does not ring a closed office: "Monday to Friday, 9am to 5pm; closed Thu 24 Dec to Fri 1 Jan"."""
        runs = self.closures(moment, ahead)
        if not runs:
            return self.describe()
        said = [_day(first) if first == last else f"{_day(first)} to {_day(last)}" for first, last in runs]
        return f"{self.describe()}; closed {', '.join(said[:-1]) + ' and ' if len(said) > 1 else ''}{said[-1]}"

    def closures(self, moment: datetime, ahead: int = 14) -> list[tuple[date, date]]:
        """Runs of closed opening days from today for `ahead` days; days the office never opens (weekends)
        do not break a run, so Christmas reads as one closure rather than two."""
        today = moment.astimezone(self.zone).date()
        runs: list[tuple[date, date]] = []
        joinable = False  # no opening day since the last closed one
        for offset in range(ahead + 1):
            day = today + timedelta(days=offset)
            if day.weekday() not in self.windows:
                continue
            if day not in self.holidays:
                joinable = False
            elif joinable:
                runs[-1] = (runs[-1][0], day)
            else:
                runs.append((day, day))
                joinable = True
        return runs

    def is_open(self, moment: datetime) -> bool:
        """True during opening hours (moment must be timezone-aware)."""
        local = moment.astimezone(self.zone)
        window = self.windows.get(local.weekday())
        if window is None or local.date() in self.holidays:
            return False
        opens, closes = window
        return opens <= local.time() and (local.time() < closes or closes == END_OF_DAY)

    def closes_after(self, moment: datetime) -> datetime:
        """When the office, open at `moment`, closes: hours that run to midnight go on into the next day's when
        those start at midnight, so an office open round the clock is not said to close at midnight."""
        day = moment.astimezone(self.zone).date()
        closes = self.windows[day.weekday()][1]
        for _ in range(14):  # open all week: it is open for the fortnight anyone is told about
            after = day + timedelta(days=1)
            following = self.windows.get(after.weekday())
            if closes != END_OF_DAY or following is None or following[0] != time(0) or after in self.holidays:
                break
            day, closes = after, following[1]
        if closes == END_OF_DAY:
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
        return datetime.combine(day, closes, tzinfo=self.zone)

    def next_opening(self, moment: datetime) -> datetime | None:
        """When the office next opens after `moment` (None if it never does)."""
        local = moment.astimezone(self.zone)
        for offset in range(0, 60):
            day = local.date() + timedelta(days=offset)
            window = self.windows.get(day.weekday())
            if window is None or day in self.holidays:
                continue
            opens = datetime.combine(day, window[0], tzinfo=self.zone)
            if opens > local:
                return opens
        return None

    def describe_next_opening(self, moment: datetime) -> str:
        """Plain words: "9am today", "9am tomorrow", or "9am on Monday 30 November"."""
        opens = self.next_opening(moment)
        if opens is None:
            return "when we reopen"
        hour = _clock(opens.time())
        today = moment.astimezone(self.zone).date()
        if opens.date() == today:
            return f"{hour} today"
        if opens.date() == today + timedelta(days=1):
            return f"{hour} tomorrow"
        return f"{hour} on {opens.strftime('%A')} {opens.day} {opens.strftime('%B')}"


def _day(day: date) -> str:
    """Thu 24 Dec: short enough for a text, plain enough to read out."""
    return f"{day.strftime('%a')} {day.day} {day.strftime('%b')}"


def _clock(moment: time) -> str:
    """9am, 4:30pm, 12pm; midnight for a day's hours that run to its end."""
    if moment == END_OF_DAY:
        return "midnight"
    return moment.strftime("%I:%M%p").lstrip("0").replace(":00", "").lower()


def _time_of_day(hour: str, minute: str, part: str, *, closing: bool = False) -> time:
    """A time as OFFICE_HOURS writes it; closing at 24:00 (or 00:00) is closing at the end of the day."""
    if closing and (int(hour), int(minute)) in ((24, 0), (0, 0)):
        return END_OF_DAY
    try:
        return time(int(hour), int(minute))
    except ValueError:
        raise HoursError(f"OFFICE_HOURS: cannot read {part!r}: {hour}:{minute} is not a time of day") from None
