"""When the console is open and when a console session must end: idle, 12 hours, nightly lock (policy 8.3)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from intake.hours import OfficeHours

IDLE_LIMIT = timedelta(minutes=15)
SESSION_LIMIT = timedelta(hours=12)


def last_lock(now: datetime, lock_time: str, zone: str) -> datetime:
    """The most recent nightly lock moment (e.g. 19:00 Europe/London) at or before `now`."""
    hours, minutes = (int(part) for part in lock_time.split(":"))
    local = now.astimezone(ZoneInfo(zone))
    lock = datetime.combine(local.date(), time(hours, minutes), tzinfo=ZoneInfo(zone))
    return lock if lock <= local else lock - timedelta(days=1)


def next_lock(now: datetime, lock_time: str, zone: str) -> datetime:
    """The next nightly lock moment after `now` (what the console warns of a few minutes before)."""
    return last_lock(now, lock_time, zone) + timedelta(days=1)


def console_open(now: datetime, hours: OfficeHours, lock_time: str) -> bool:
    """Console hours: an office day, from opening time until the nightly lock."""
    local = now.astimezone(hours.zone)
    window = hours.windows.get(local.weekday())
    if window is None or local.date() in hours.holidays:
        return False
    hour, minute = (int(part) for part in lock_time.split(":"))
    closes = time(hour, minute)
    return window[0] <= local.time() < max(closes, window[1])


def session_ended(
    signed_in: datetime, last_seen: datetime, now: datetime, lock_time: str, zone: str,
    idle_limit: timedelta = IDLE_LIMIT,
) -> str | None:
    """Why a console session must end now (idle, 12 hours, nightly lock), or None while it may go on."""
    if now - last_seen > idle_limit:
        return "idle"
    if now - signed_in > SESSION_LIMIT:
        return "too long"
    if signed_in < last_lock(now, lock_time, zone):
        return "nightly lock"
    return None
