"""Reading short answers the same way on every channel: yes/no words, keypad digits, menu numbers."""

from __future__ import annotations

import re

YES = {"YES", "Y", "YEAH", "YEP", "YES PLEASE", "OK", "OKAY", "SURE", "AGREE", "I AGREE", "1"}
NO = {"NO", "N", "NOPE", "NAH", "NO THANKS", "NO THANK YOU", "DON'T", "DONT", "2"}


def normal(text: str) -> str:
    """Upper case, punctuation dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"[^A-Z0-9' ]+", " ", text.upper())).strip()


def yes_no(text: str, digits: str = "") -> bool | None:
    """True for yes (or key 1), False for no (or key 2), None when it is neither."""
    answer = digits or normal(text)
    if answer in YES:
        return True
    if answer in NO:
        return False
    return None


def pick(text: str, digits: str, keys: list[str]) -> str | None:
    """The chosen key when the message is just one of the offered keys."""
    answer = digits or normal(text)
    return answer if answer in keys else None
