"""Safe times to contact a parent: the windows in flows/contact_times.yaml, checked in the service's zone."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from intake.hours import DAYS, OfficeHours

LOOKAHEAD_DAYS = 60  # the same horizon as the office's next opening
MESSAGES = ("safe_now", "not_safe_now", "no_safe_time", "refused", "refused_no_next")
PLACEHOLDERS = {"said", "next_safe"}
CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


class ContactTimesError(ValueError):
    """The contact-times content could not be read; the message says what is wrong."""


@dataclass(frozen=True)
class Window:
    """One answer to "When is it safe for us to contact you?" and the weekly times it allows."""

    key: str
    label: str  # what staff see: "Weekday mornings (9am to 12 noon)"
    said: str  # finishes "the parent said ...": "weekday mornings are safe"
    days: frozenset[int] = frozenset()  # 0 = Monday
    span: tuple[time, time] | None = None  # local (from, to); None: whenever the office is open


@dataclass(frozen=True)
class SafeTime:
    """Whether contacting the parent is safe at one moment, when it next will be, and in staff's words."""

    window: Window
    safe_now: bool
    next_safe: datetime | None  # local; `now` when safe now; None if none within LOOKAHEAD_DAYS
    status: str  # "Safe to contact now", or when it next will be
    refusal: str  # "Not sent: the parent said ... Next safe time: ..." (used when not safe now)


def is_safe(window: Window, hours: OfficeHours, now: datetime) -> bool:
    """True while `now` (timezone-aware) is inside the window, in the office's time zone."""
    if window.span is None:
        return hours.is_open(now)
    local = now.astimezone(hours.zone)
    if local.weekday() not in window.days or local.date() in hours.holidays:
        return False
    return window.span[0] <= local.time() < window.span[1]


def next_safe(window: Window, hours: OfficeHours, now: datetime) -> datetime | None:
    """`now` if it is safe now, else when the window next opens (local time); None if not in LOOKAHEAD_DAYS."""
    local = now.astimezone(hours.zone)
    if is_safe(window, hours, now):
        return local
    if window.span is None:
        return hours.next_opening(now)
    for offset in range(LOOKAHEAD_DAYS):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in window.days or day in hours.holidays:
            continue
        # Built from the local date and wall-clock time, so 09:00 stays 09:00 across the BST/GMT change.
        opens = datetime.combine(day, window.span[0], tzinfo=hours.zone)
        if opens > local:
            return opens
    return None


def when(moment: datetime) -> str:
    """A local time as staff read it: "Mon 30 Nov, 09:00"."""
    return f"{moment:%a} {moment.day} {moment:%b}, {moment:%H:%M}"


@dataclass(frozen=True)
class ContactTimes:
    """The windows by safe_times value, the fallback for an unknown one, and the console's words."""

    windows: dict[str, Window]
    not_given: Window
    messages: dict[str, str]

    def window(self, safe_times: str | None) -> Window:
        """The window for a stored answer; office hours only when there is none or it is no longer listed."""
        return self.windows.get(safe_times or "", self.not_given)

    def check(self, safe_times: str | None, hours: OfficeHours, now: datetime) -> SafeTime:
        """Is it safe to contact this parent at `now`, and if not, when is it next safe (and the words)."""
        window = self.window(safe_times)
        safe = is_safe(window, hours, now)
        upcoming = next_safe(window, hours, now)
        values = {"said": window.said, "next_safe": when(upcoming) if upcoming else ""}
        if safe:
            status = self.messages["safe_now"]
        else:
            status = self.messages["not_safe_now" if upcoming else "no_safe_time"].format(**values)
        refusal = self.messages["refused" if upcoming else "refused_no_next"].format(**values)
        return SafeTime(window, safe, upcoming, status, refusal)


# -- reading the content ------------------------------------------------------------------------------

def _text(item: Mapping[str, Any], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ContactTimesError(f"{where} needs '{key}' (some words)")
    return " ".join(value.split())


def _clock(value: Any, where: str) -> time:
    match = CLOCK.match(str(value).strip())
    try:
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    except ValueError:
        pass  # e.g. 25:00: said below, with the rest
    raise ContactTimesError(f"{where}: cannot read the time {value!r}; use the 24-hour clock, e.g. '09:30'")


def _days(value: Any, where: str) -> frozenset[int]:
    found: set[int] = set()
    for part in filter(None, (p.strip().lower() for p in str(value).split(","))):
        first, _, last = (p.strip() for p in part.partition("-"))
        if first not in DAYS or (last and last not in DAYS):
            raise ContactTimesError(f"{where}: cannot read the days {value!r}; use e.g. 'Mon-Fri' or 'Mon, Wed'")
        start, end = DAYS.index(first), DAYS.index(last or first)
        if end < start:
            raise ContactTimesError(f"{where}: the days {value!r} run backwards; write them Monday first")
        found.update(range(start, end + 1))
    if not found:
        raise ContactTimesError(f"{where} needs 'days', e.g. 'Mon-Fri'")
    return frozenset(found)


def _window(key: str, item: Any, where: str) -> Window:
    if not isinstance(item, Mapping):
        raise ContactTimesError(f"{where} must be a mapping with label, said, and days/from/to or office_hours")
    label, said = _text(item, "label", where), _text(item, "said", where)
    if item.get("office_hours") is True:
        return Window(key, label, said)
    opens, closes = _clock(item.get("from"), f"{where} from"), _clock(item.get("to"), f"{where} to")
    if opens >= closes:
        raise ContactTimesError(f"{where}: 'to' must be later than 'from'")
    return Window(key, label, said, _days(item.get("days"), where), (opens, closes))


def _messages(data: Any) -> dict[str, str]:
    if not isinstance(data, Mapping):
        raise ContactTimesError("'messages' must be a mapping of wording")
    messages = {key: _text(data, key, "messages") for key in MESSAGES}
    for key, text in messages.items():
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
        except ValueError:  # a lone { or }
            raise ContactTimesError(f"messages.{key}: braces must be a {{placeholder}}") from None
        for name in names:
            if name not in PLACEHOLDERS:
                raise ContactTimesError(f"messages.{key} uses unknown placeholder {{{name}}}")
    return messages


def parse(data: Any) -> ContactTimes:
    """Check and build the contact times from the loaded YAML; a problem raises ContactTimesError."""
    if not isinstance(data, Mapping) or not isinstance(data.get("windows"), Mapping) or not data["windows"]:
        raise ContactTimesError("expected 'windows' (a mapping of safe_times value: window)")
    windows = {str(key): _window(str(key), item, f"windows.{key}") for key, item in data["windows"].items()}
    return ContactTimes(windows, _window("not_given", data.get("not_given"), "not_given"),
                        _messages(data.get("messages")))
