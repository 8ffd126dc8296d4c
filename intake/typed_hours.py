"""Reading the weekly hours as a person types them: "Mon-Fri 9am-5pm", "Monday to Friday 9:00-17:00"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from intake.hours import END_OF_DAY, HoursError

DAY_WORDS = {"mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
             "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5,
             "sun": 6, "sunday": 6}
DAY_GROUPS = {"weekdays": range(5), "weekday": range(5), "weekends": range(5, 7), "weekend": range(5, 7),
              "daily": range(7), "everyday": range(7)}
RANGE_WORDS = {"to", "till", "til", "until", "through", "thru"}
SEP_WORDS = {"and"}
FILLER_WORDS = {"from", "open", "on", "every"}  # "open Mon-Fri from 9am", "every day"
NOON = {"noon", "midday"}
MIDNIGHT = "midnight"  # opening at the start of the day, or closing at its end ("6pm-midnight")
EXAMPLE = "e.g. 'Mon-Fri 9am-5pm' or 'Mon-Thu 09:00-17:00; Fri 09:00-16:30'"
_TOKEN = re.compile(
    r"(?P<time>(?:\d{4}|\d{1,2}(?:[:.]\d{2})?)(?:\s*[ap]\.?m\b\.?)?)(?![a-z0-9])"
    r"|(?P<word>[a-z]+)|(?P<range>-)|(?P<sep>[,;&/\n])|(?P<skip>[\s:]+)|(?P<other>.)",
    re.IGNORECASE,
)
_DATE_LIKE = re.compile(r"\d{1,4}[/-]\d{1,2}[/-]\d{2,4}")
_CLOCK = re.compile(r"(\d{4}|\d{1,2})(?:[:.](\d{2}))?\s*(?:([ap])\.?m\.?)?", re.IGNORECASE)


@dataclass(frozen=True)
class _Token:
    kind: str  # day, days, time, range, sep
    text: str
    start: int
    end: int
    days: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Clock:
    """A time as typed: hour and minute, "a"/"p" if am or pm was given, and whether it can stand alone."""

    hour: int
    minute: int
    meridiem: str | None
    exact: bool  # minutes given, or noon: a bare "9" is not exact (morning or evening?)


def read_week(text: str) -> dict[int, tuple[time, time]]:
    """Opening times per weekday from a person's words; HoursError says kindly what could not be read.

    Takes "Mon-Fri 9am-5pm", "Monday to Friday 9:00-17:00", "Mon-Thu 9.30am-4.30pm, Fri 9.30am-4pm",
    "weekdays 0900-1700"; a later entry for a day replaces an earlier one. A bare "9-5" is refused (morning or
    evening?), as are times with no days, days with no times, and days that run backwards.
    """
    text = text.translate({0x2013: "-", 0x2014: "-"})  # en and em dashes, as word processors type them
    if _DATE_LIKE.search(text):
        raise HoursError("Office hours: dates go in the box for bank holidays and other closed days; here give "
                         f"only days of the week and times, {EXAMPLE}")
    tokens = _tokens(text)
    windows: dict[int, tuple[time, time]] = {}
    days: list[int] = []
    start, i = 0, 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind in ("day", "days"):
            start = token.start if not days else start
            i = _read_days(text, tokens, i, days, start)
        elif token.kind == "time":
            if not days:
                _times_without_days(text, tokens, i, bool(windows))
            i, window = _read_range(text, tokens, i, start)
            windows.update(dict.fromkeys(days, window))
            days = []
        elif token.kind == "range":
            raise HoursError(f"Office hours: cannot read {_segment(text, start, token.end)!r}; {EXAMPLE}")
        else:
            i += 1
    if days:
        raise HoursError(f"Office hours: {_segment(text, start, len(text))!r} has days but no times, e.g. "
                         "'Sat 10am-1pm'. Days that are not listed are closed.")
    return windows


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _TOKEN.finditer(text):
        kind, raw = match.lastgroup or "other", match.group()
        word = raw.lower()
        if kind == "word":
            kind, found = _word(text, match, word)
            if kind in ("day", "days"):
                tokens.append(_Token(kind, raw, match.start(), match.end(), found))
                continue
        if kind == "other":
            raise HoursError(f"Office hours: cannot read {raw!r} in {text.strip()!r}; {EXAMPLE}")
        if kind != "skip":
            tokens.append(_Token(kind, raw, match.start(), match.end()))
    return tokens


def _word(text: str, match: re.Match[str], word: str) -> tuple[str, tuple[int, ...]]:
    """What a word is: a day or days, a range ("to"), a separator ("and"), a filler, or noon."""
    singular = word[:-1] if word.endswith("s") and word[:-1] in DAY_WORDS else word  # "Mondays"
    if singular in DAY_WORDS:
        return "day", (DAY_WORDS[singular],)
    if word in DAY_GROUPS:
        return "days", tuple(DAY_GROUPS[word])
    if word == "day" and text[: match.start()].lower().rstrip().endswith("every"):
        return "days", tuple(range(7))
    if word in RANGE_WORDS:
        return "range", ()
    if word in SEP_WORDS:
        return "sep", ()
    if word in FILLER_WORDS:
        return "skip", ()
    if word in NOON or word == MIDNIGHT:
        return "time", ()
    if word == "closed":
        raise HoursError("Office hours: there is no need to write 'closed': days that are not listed are closed. "
                         f"Give only the days you are open, {EXAMPLE}")
    raise HoursError(f"Office hours: cannot read {match.group()!r}: it is not a day or a time; {EXAMPLE}")


def _segment(text: str, start: int, end: int) -> str:
    """The entry being read, as typed (for messages), e.g. 'Sat 25:00-26:00'."""
    return " ".join(text[start:end].strip(" ,;&/-\n").split())


def _read_days(text: str, tokens: list[_Token], i: int, days: list[int], start: int) -> int:
    """Add one day, a run of days ("Mon-Fri", "Monday to Friday") or a group ("weekdays"); the next index."""
    token = tokens[i]
    ahead = tokens[i + 1: i + 3]
    if token.kind == "day" and len(ahead) == 2 and ahead[0].kind == "range" and ahead[1].kind == "day":
        first, last = token.days[0], ahead[1].days[0]
        if last < first:
            raise HoursError(f"Office hours: the days in {_segment(text, start, ahead[1].end)!r} run backwards; "
                             "write them Monday first, e.g. 'Mon-Fri', or give each day separately")
        days.extend(range(first, last + 1))
        return i + 3
    days.extend(token.days)
    return i + 1


def _times_without_days(text: str, tokens: list[_Token], i: int, after_hours: bool) -> None:
    """Refuse times that no day comes before, saying what was probably meant."""
    end = tokens[min(i + 2, len(tokens) - 1)].end
    found = _segment(text, tokens[i].start, end)
    if after_hours:
        raise HoursError(f"Office hours: {found!r} has no days before it. Only one opening and one closing time "
                         f"can be set for each day (no lunch break); {EXAMPLE}")
    raise HoursError(f"Office hours: say which days {found!r} is for, e.g. 'Mon-Fri {found}'")


def _read_range(text: str, tokens: list[_Token], i: int, start: int) -> tuple[int, tuple[time, time]]:
    """Read "opens - closes" at tokens[i]; the next index and the window."""
    parts = tokens[i: i + 3]
    segment = _segment(text, start, parts[-1].end)
    if len(parts) < 3 or parts[1].kind != "range" or parts[2].kind != "time":
        raise HoursError(f"Office hours: cannot read {segment!r}: give an opening and a closing time; {EXAMPLE}")
    opens, closes = (_typed_clock(part.text, segment) for part in (parts[0], parts[2]))
    window = _window(opens, closes, segment, (parts[0].text, parts[2].text))
    return i + 3, window


def _typed_clock(raw: str, segment: str) -> _Clock:
    """A time as typed ("9.30am", "17:00", "0900", "noon"), checked to be a time of day."""
    if raw.lower() in NOON:
        return _Clock(12, 0, "p", True)
    if raw.lower() == MIDNIGHT:
        return _Clock(12, 0, "a", True)
    match = _CLOCK.fullmatch(raw.strip())
    if match is None:
        raise HoursError(f"Office hours: cannot read {segment!r}; {EXAMPLE}")
    digits, minutes, meridiem = match.groups()
    if len(digits) == 4:
        digits, minutes = digits[:2], digits[2:]
    clock = _Clock(int(digits), int(minutes or 0), meridiem and meridiem.lower(), minutes is not None)
    end_of_day = clock.meridiem is None and (clock.hour, clock.minute) == (24, 0)  # "24:00", "2400"
    too_big = clock.hour > 23 and not end_of_day if clock.meridiem is None else not 1 <= clock.hour <= 12
    if too_big or clock.minute > 59:
        raise HoursError(f"Office hours: cannot read {segment!r}: {raw.strip()} is not a time of day; {EXAMPLE}")
    return clock


def _window(opens: _Clock, closes: _Clock, segment: str, typed: tuple[str, str]) -> tuple[time, time]:
    """The two times on the 24-hour clock, or HoursError when they are ambiguous or closing comes first."""
    if opens.meridiem is None and opens.hour == 24:
        raise HoursError(f"Office hours: in {segment!r}, 24:00 is the end of the day: to open at midnight write "
                         f"00:00; {EXAMPLE}")
    twenty_four = any(c.meridiem is None and c.hour > 12 for c in (opens, closes))
    for clock, raw in zip((closes, opens), reversed(typed), strict=True):  # "is 5 in the morning?" first
        if clock.meridiem is None and not clock.exact and not twenty_four and not (
            clock is opens and closes.meridiem is not None
        ):
            raise HoursError(f"Office hours: in {segment!r}, is {raw.strip()} in the morning or the afternoon? "
                             "Add am or pm, or use the 24-hour clock, e.g. 'Mon-Fri 9am-5pm' or "
                             "'Mon-Fri 09:00-17:00'")
    end = _24(closes, closes.meridiem)
    end = END_OF_DAY if end == time(0) else end  # closing at 00:00, 12am, midnight or 24:00: at the end of the day
    if opens.meridiem is None and closes.meridiem is not None and opens.hour <= 12:
        # "9-5pm" is 9am to 5pm and "1-5pm" is 1pm to 5pm: the closing am/pm carries back if it fits.
        start = _24(opens, closes.meridiem)
        start = start if start < end else _24(opens, "a")
    else:
        start = _24(opens, opens.meridiem)
    if start >= end:
        hint = ""
        if closes.meridiem is None and end.hour < 12:
            hint = f" (if you mean the afternoon, write {typed[1].strip()}pm or use the 24-hour clock)"
        raise HoursError(f"Office hours: in {segment!r} the closing time is not after the opening time{hint}; "
                         f"{EXAMPLE}")
    return start, end


def _24(clock: _Clock, meridiem: str | None) -> time:
    """The time on the 24-hour clock: 12am is midnight, 12pm is noon; 24:00 is midnight too (00:00)."""
    if meridiem is None:
        return time(clock.hour % 24, clock.minute)
    return time(clock.hour % 12 + (12 if meridiem == "p" else 0), clock.minute)
