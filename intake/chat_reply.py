"""Whether a caseworker's reply in the web chat can reach the parent: only while their chat is still open.

A chat closes LIFETIME after the page last reached us (the open page checks in every few seconds; a closed
page, or a phone asleep, does not). A new chat is a stranger to the enquiry (policy 2.1), so a reply promised
"here in this chat" after that would never arrive (policy 6.1). So the reply in the chat is offered only when
a caseworker is expected to pick the enquiry up before then, and before the office closes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from intake.hours import OfficeHours

LIFETIME = timedelta(hours=2)


def in_time(hours: OfficeHours, now: datetime, typical_wait: timedelta | None,
            lifetime: timedelta = LIFETIME) -> bool:
    """True when the office is open and the usual wait ends before it closes and before the chat would.

    With no wait known yet (no enquiry claimed so far) being open is enough: the parent is told how long the
    chat stays open, and the answer is checked again when they send the enquiry.
    """
    if not hours.is_open(now):
        return False
    wait = typical_wait or timedelta(0)
    if wait >= lifetime:
        return False
    return now + wait < hours.closes_after(now)
