"""Bank holidays and other closed days: read as a manager types them (24/12/2026, 24 Dec 2026, runs) and shown
as staff write them (Thu 24 Dec 2026, a run of days as Thu 24 Dec 2026 – Sat 2 Jan 2027); stored as ISO dates."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from intake.hours import HoursError
from intake.typed_hours import DAY_WORDS

MAX_HOLIDAYS = 200  # closed days from today on: past ones are not kept, so they do not count
# Room for a pasted record of past closures as well (not kept); the request itself is at most 64 KB.
MAX_TEXT = 20000
PAST_SHOWN = 3  # the latest past closures named when many were typed: a mistyped year is most often recent
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
DATE_EXAMPLE = "write dates day first, like 25/12/2026 or 25 Dec 2026 (or 2026-12-25), separated by commas"
MAX_RUN = 31  # days in one "from - to" closure, so a mistyped year cannot close the office for a decade
_WORDY = r"(?:(?P<{w}>[a-z]+),?\s+)?"
_DATE = re.compile(
    r"(?P<iso>\d{4}-\d{1,2}-\d{1,2})"
    r"|(?P<d1>\d{1,2})[/.-](?P<m1>\d{1,2})[/.-](?P<y1>\d{4}|\d{2})"
    + "|" + _WORDY.format(w="w2") + r"(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>[a-z]+)\.?,?\s+(?P<y2>\d{4})"
    + "|" + _WORDY.format(w="w3") + r"(?P<m3>[a-z]+)\.?\s+(?P<d3>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y3>\d{4})",
    re.IGNORECASE,
)
_NO_YEAR = re.compile(r"(?:[a-z]+,?\s+)?\d{1,2}(?:st|nd|rd|th)?(?:\s+(?:of\s+)?[a-z]+\.?|[/.]\d{1,2})", re.I)
# Between two dates: commas, semicolons, "and", or "-"/"to"/"until" for every day from one to the other.
_BETWEEN = re.compile(r"(?:[\s,;]+|\band\b)*(?P<run>-|\bto\b|\buntil\b|\btill\b)?\s*", re.IGNORECASE)


def _month(word: str) -> int:
    """1-12 for "Dec", "dec.", "December" or "Sept"; 0 when the word is not a month."""
    word = word.lower()
    return next((n for n, name in enumerate(MONTHS, 1) if len(word) >= 3 and name.startswith(word)), 0)


def _day(moment: date) -> str:
    """24 Dec 2026."""
    return f"{moment.day} {moment:%b %Y}"


class _NotADate(ValueError):
    """Why a typed date is not one, in words for the manager."""


def _date(match: re.Match[str]) -> date:
    """The date a match names (UK order: day first); _NotADate says why it is not one."""
    found = match.groupdict()
    try:
        if found["iso"]:
            return date.fromisoformat("-".join(part.zfill(2) for part in found["iso"].split("-")))
        if found["d1"]:
            year = int(found["y1"]) + (2000 if len(found["y1"]) == 2 else 0)
            return date(year, int(found["m1"]), int(found["d1"]))
        n = "2" if found["d2"] else "3"
        month, weekday = _month(found["m" + n]), found["w" + n]
        if not month:
            raise _NotADate(f"{found['m' + n]!r} is not a month")
        moment = date(int(found["y" + n]), month, int(found["d" + n]))
    except _NotADate:
        raise
    except ValueError:
        raise _NotADate("there is no such date") from None
    if weekday and weekday.lower() not in DAY_WORDS:
        raise _NotADate(f"{weekday!r} is not a day of the week")
    if weekday and moment.weekday() != DAY_WORDS[weekday.lower()]:
        raise _NotADate(f"{_day(moment)} is a {moment:%A}")
    return moment


def _holiday_dates(text: str) -> list[tuple[date, bool]]:
    """Each date typed, and whether it ends a "from - to" run; HoursError names what could not be read."""
    found: list[tuple[date, bool]] = []
    at = 0
    while at < len(text):
        gap = _BETWEEN.match(text, at)
        run = bool(gap and gap.group("run"))
        at = gap.end() if gap else at
        if at >= len(text):
            break
        match = _DATE.match(text, at)
        if match is None:
            item = re.split(r"[,;\n]", text[at:], maxsplit=1)[0].strip()
            hint = " (give the year too)" if _NO_YEAR.fullmatch(item) else ""
            raise HoursError(f"Bank holidays: cannot read {item!r}{hint}; {DATE_EXAMPLE}")
        try:
            found.append((_date(match), run))
        except _NotADate as exc:
            raise HoursError(f"Bank holidays: cannot read {match.group().strip()!r} ({exc}); {DATE_EXAMPLE}") from None
        at = match.end()
    return found


def read(text: str, today: date | None = None) -> tuple[str, ...]:
    """Every closed day typed (runs spelt out), as sorted ISO dates; HoursError says kindly what is wrong.

    At most MAX_HOLIDAYS of them from `today` on (all of them, without `today`): days already past close
    nothing and are not kept, so a record of past closures typed or pasted with them does not count.
    """
    if len(text) > MAX_TEXT:
        raise HoursError(f"Bank holidays: keep the list under {MAX_TEXT:,} characters; days already past need not "
                         "be typed, as they are not kept")
    days: set[date] = set()
    previous: date | None = None
    for day, ends_run in _holiday_dates(text.translate({0x2013: "-", 0x2014: "-"})):
        if ends_run and previous is not None:  # "24/12/2026 - 1/1/2027": every day from the one before
            if not previous < day <= previous + timedelta(days=MAX_RUN):
                raise HoursError(f"Bank holidays: the closure from {_day(previous)} to {_day(day)} must end "
                                 f"after it starts and last at most {MAX_RUN} days")
            days.update(previous + timedelta(days=n) for n in range((day - previous).days + 1))
        days.add(day)
        previous = day
    coming = sorted(d for d in days if today is None or d >= today)
    if len(coming) > MAX_HOLIDAYS:
        raise HoursError(f"Bank holidays: at most {MAX_HOLIDAYS} closed days from today on can be kept, and this "
                         f"list has {len(coming)}, from {closed_day(coming[0])} to {closed_day(coming[-1])} "
                         "(days already past do not count); remove some, or add the later ones nearer the time")
    return tuple(d.isoformat() for d in sorted(days))


def closed_day(moment: date) -> str:
    """A closed day as UK staff write it, "Thu 24 Dec 2026" (stored as 2026-12-24; the form reads it back)."""
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs in date order; a run is cut after MAX_RUN + 1 days, the longest
    "from - to" closure `read` takes, so the form can be saved again exactly as it shows the days."""
    found: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if found and day == found[-1][1] + timedelta(days=1) and (day - found[-1][0]).days <= MAX_RUN:
            found[-1] = (found[-1][0], day)
        else:
            found.append((day, day))
    return found


def closed_days_text(days: Iterable[date]) -> str:
    """Closed days as staff write them, runs as ranges: "Thu 24 Dec 2026 – Sat 2 Jan 2027, Fri 5 Feb 2027"."""
    return ", ".join(
        closed_day(first) if first == last else f"{closed_day(first)} \u2013 {closed_day(last)}"
        for first, last in runs(days)
    )


def past_days_text(days: Iterable[date]) -> str:
    """Past closed days typed, as staff write them; when there are many runs, how many days, their span and the
    latest few, so a mistyped year still shows without a pasted record filling the page (or the session cookie)."""
    ordered = sorted(set(days))
    found = runs(ordered)
    if len(found) <= PAST_SHOWN + 1:
        return closed_days_text(ordered)
    latest = closed_days_text(d for d in ordered if d >= found[-PAST_SHOWN][0])
    return f"{len(ordered)} days from {closed_day(ordered[0])} to {closed_day(ordered[-1])}, the latest {latest}"


def split_past(days: Iterable[date], today: date) -> tuple[tuple[date, ...], tuple[date, ...]]:
    """(days from today on, days already past), each in date order: a past day closes nothing any more."""
    ordered = sorted(set(days))
    return tuple(d for d in ordered if d >= today), tuple(d for d in ordered if d < today)
