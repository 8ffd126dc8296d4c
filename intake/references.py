"""Short, unambiguous reference codes parents can read out, type or key in (no 0/O, 1/I)."""

from __future__ import annotations

import re
import secrets

# Letters and digits a parent cannot confuse on a phone screen or over the line.
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "23456789"
PATTERN = re.compile(r"\b([A-HJ-NP-Z]{3})[-\s]?([2-9]{3})\b")


def new_reference() -> str:
    """A fresh code like K7Q-429 shape: three letters, three digits (13,824 x 512 ≈ 7 million codes)."""
    letters = "".join(secrets.choice(LETTERS) for _ in range(3))
    digits = "".join(secrets.choice(DIGITS) for _ in range(3))
    return f"{letters}-{digits}"


def find_reference(text: str) -> str | None:
    """The first reference code quoted in a message, in canonical form, or None."""
    match = PATTERN.search(text.upper())
    return f"{match.group(1)}-{match.group(2)}" if match else None
