"""Data minimisation: find incidental personal details in free text and take them out before storage."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
DATE_OF_BIRTH = re.compile(
    r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{1,2}(?:st|nd|rd|th)?\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\s+\d{4})\b",
    re.IGNORECASE,
)
# Names are guessed from how parents introduce them; a capitalised word after these cues.
NAME_CUE = re.compile(
    r"\b(?i:(?:my|our)\s+(?:son|daughter|child|boy|girl|kid|husband|wife|partner|ex)|"
    r"(?:i am|i'm|im|my name is|name's|called|named|this is))\s+"
    r"([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)"
)
# After a strong cue ("called", "my name is") a name may be typed in lower case on a phone.
NAMED = re.compile(r"\b(?i:called|named|my name is|name's|names)\s+([A-Za-z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)")
ADDRESS = re.compile(
    r"\b\d{1,4}[a-z]?\s+(?:[A-Za-z'-]+\s+){1,3}(?i:street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|"
    r"crescent|court|place|gardens|grove|terrace|hill|park|square|mews|walk|row)\b"
)
NOT_AFTER_CALLED = {
    "me", "us", "him", "her", "them", "back", "again", "yesterday", "today", "tomorrow", "the", "a", "an", "my",
    "our", "his", "their", "in", "about", "to", "it", "this", "that", "school", "social", "twice", "several",
    "and", "but", "on", "for", "by", "from", "after", "before", "when", "every", "out", "off", "up",
}
NOT_NAMES = {"I", "The", "He", "She", "They", "We", "It", "A", "An", "In", "At", "Year", "Mr", "Mrs", "Ms", "Miss"}
LABELS = {"address": "an address", "phone": "a phone number", "email": "an e-mail address", "postcode": "a postcode",
          "date": "a date of birth", "name": "a name"}


@dataclass(frozen=True)
class Finding:
    """One personal detail found in free text: its kind and where it is."""

    kind: str
    start: int
    end: int


def find_personal_data(text: str, region: str = "GB") -> list[Finding]:
    """Phone numbers, e-mails, postcodes, dates of birth and names that the form did not ask for."""
    found = [Finding("email", m.start(), m.end()) for m in EMAIL.finditer(text)]
    for number in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        found.append(Finding("phone", number.start, number.end))
    found += [Finding("postcode", m.start(), m.end()) for m in POSTCODE.finditer(text)]
    found += [Finding("date", m.start(), m.end()) for m in DATE_OF_BIRTH.finditer(text)]
    found += [Finding("address", m.start(), m.end()) for m in ADDRESS.finditer(text)]
    for match in NAMED.finditer(text):
        first = match.group(1).split()[0].lower()
        if first not in NOT_AFTER_CALLED and first.capitalize() not in NOT_NAMES:
            found.append(Finding("name", match.start(1), match.end(1)))
    for match in NAME_CUE.finditer(text):
        name = match.group(1)
        if name.split()[0] not in NOT_NAMES:
            found.append(Finding("name", match.start(1), match.end(1)))
    found.sort(key=lambda f: (f.start, -f.end))
    merged: list[Finding] = []
    for finding in found:
        if merged and finding.start < merged[-1].end:
            continue  # overlapping matches (a date inside a phone-like run): keep the first
        merged.append(finding)
    return merged


def describe(findings: list[Finding]) -> str:
    """Plain words for what was found: "a phone number and a name"."""
    kinds = list(dict.fromkeys(LABELS[f.kind] for f in findings))
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]


def redact(text: str, findings: list[Finding]) -> str:
    """The text with each finding replaced by a neutral marker like [phone number removed]."""
    out, last = [], 0
    for finding in findings:
        out.append(text[last : finding.start])
        out.append(f"[{LABELS[finding.kind].split(' ', 1)[1]} removed]")
        last = finding.end
    out.append(text[last:])
    return "".join(out)
