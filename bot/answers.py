"""Reading short answers the same way on every channel: yes/no words, keypad digits, menu numbers.

The words themselves are the intake form's rules (intake.form_rules), so a YES means the same to the
safety question, the menus and every consent question.
"""

from __future__ import annotations

from intake.form_rules import normal
from intake.form_rules import yes_no as _yes_no

__all__ = ["normal", "pick", "yes_no"]


def yes_no(text: str, digits: str = "") -> bool | None:
    """True for yes (or key 1), False for no (or key 2), None when it is neither."""
    return _yes_no(digits or text)


def pick(text: str, digits: str, keys: list[str]) -> str | None:
    """The chosen key when the message is just one of the offered keys."""
    answer = digits or normal(text)
    return answer if answer in keys else None
