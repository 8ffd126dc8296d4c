"""Texting the parent from the console: only with consent, in their safe time, discreet unless they agreed."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
import yaml
from sqlalchemy.orm import Session

from intake import audit, casework, conversations
from intake.casework import SMS_METHODS, CaseworkError, ContactClock, allowed, case_for, reply_target
from intake.crypto import KeyRing, contact_key
from intake.models import Enquiry

DISCRETION_FILE = Path(__file__).resolve().parents[1] / "flows" / "discretion.yaml"
_LEFT_OUT = frozenset({"and", "the", "of", "for"})  # a name is found with or without these
_TOKEN = re.compile(r"[^\W_]+(?:['’]s\b)?|&")
_SPELLED_GAP = re.compile(r"[\s.\-]{0,2}")  # between letters written apart: "S.E.N.D", "S E N D", "S-E-N-D"
_REGION = "GB"  # numbers written without +44 are UK numbers


@dataclass(frozen=True)
class KnownNames:
    """Names and acronyms that give such a service away whatever it calls itself (flows/discretion.yaml)."""

    names: tuple[tuple[str, ...], ...]
    acronyms: frozenset[str]

    @classmethod
    def load(cls, path: Path = DISCRETION_FILE) -> KnownNames:
        """Read the names from the flows file."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(tuple(_name_words(str(name)) for name in data.get("names") or []),
                   frozenset("".join(_plain(str(a))) for a in data.get("acronyms") or []))


@dataclass(frozen=True)
class Mention:
    """Where a text gives the service away: the words as the caseworker wrote them, and whether a phone number."""

    shown: str
    number: bool = False


@dataclass(frozen=True)
class _Word:
    word: str
    start: int
    end: int
    spelled: bool  # made of letters written apart ("S.E.N.D" is "send")


def _words(text: str) -> list[_Word]:
    """The text's words in lower case, "&" as "and", a possessive 's dropped and letters written apart joined,
    each with where it is in the text (to show the caseworker what they wrote)."""
    found: list[_Word] = []
    for match in _TOKEN.finditer(text):
        word = match.group().casefold()
        word = "and" if word == "&" else re.sub(r"['’]s$", "", word)
        last = found[-1] if found else None
        if (len(word) == 1 and last is not None and last.spelled
                and _SPELLED_GAP.fullmatch(text, last.end, match.start())):
            found[-1] = _Word(last.word + word, last.start, match.end(), True)
        else:
            found.append(_Word(word, match.start(), match.end(), len(word) == 1))
    return found


def _plain(text: str) -> list[str]:
    return [w.word for w in _words(text)]


def _fold(word: str) -> str:
    """One of a plural: "services" is "service" (not "sendiass", nor a short word)."""
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def _name_words(name: str) -> tuple[str, ...]:
    return tuple(_fold(word) for word in _plain(name) if word not in _LEFT_OUT)


def _near(window: list[str], name: tuple[str, ...]) -> bool:
    """The window is the name, the name with one word missing, or with one word added inside it."""
    n = len(window)
    if n == len(name):
        return tuple(window) == name
    if n == len(name) - 1:
        return any(name[:k] + name[k + 1:] == tuple(window) for k in range(len(name)))
    return n == len(name) + 1 and any(tuple(window[:k] + window[k + 1:]) == name for k in range(1, n - 1))


def _name_at(words: list[_Word], name: tuple[str, ...]) -> tuple[int, int] | None:
    """Where the name's words are, in order; a long name also with one word missing (4 or more) or added (3 or
    more), so a name is never found from fewer than two of its words."""
    sizes = [len(name)] + ([len(name) - 1] if len(name) >= 4 else []) + ([len(name) + 1] if len(name) >= 3 else [])
    plain = [_fold(w.word) for w in words]
    for size in sizes:
        for i in range(len(plain) - size + 1):
            if _near(plain[i:i + size], name):
                return words[i].start, words[i + size - 1].end
    return None


def _own_acronyms(service_name: str) -> set[str]:
    """The service name's acronyms: its words in capitals ("SENDIASS"), and for a name of three or more words
    its initials, with a word in capitals kept whole ("SEND Information Advice and Support Service": SENDIASS)."""
    raw = [word for word in re.findall(r"[^\W_]+", service_name) if word.casefold() not in _LEFT_OUT]
    found = {word.casefold() for word in raw if len(word) >= 3 and word.isupper()}
    if len(raw) >= 3:
        found.add("".join(word[0] for word in raw).casefold())
        found.add("".join(word if word.isupper() else word[0] for word in raw).casefold())
    return {acronym for acronym in found if len(acronym) >= 3}


def _number_at(text: str, service_phones: Sequence[str]) -> str | None:
    """The service's own number as written in the text, in any spacing, with 0 or +44."""
    own = set()
    for phone in service_phones:
        try:
            own.add(phonenumbers.format_number(phonenumbers.parse(phone, _REGION), phonenumbers.PhoneNumberFormat.E164))
        except phonenumbers.NumberParseException:
            continue
    if not own:
        return None
    for match in phonenumbers.PhoneNumberMatcher(text, _REGION, leniency=phonenumbers.Leniency.POSSIBLE):
        if phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164) in own:
            return str(match.raw_string)
    return None


def service_mention(
    text: str, service_name: str, service_phones: Sequence[str] = (), known: KnownNames | None = None,
) -> Mention | None:
    """Where the text names the service (its own name, a name such services go by, an acronym) or gives its office
    number; None when it does not. A caseworker's own direct line, and everyday words alone, do not count."""
    known = known or known_names()
    words = _words(text)
    kept = [w for w in words if w.word not in _LEFT_OUT]
    own = _name_words(service_name)
    for name in ((own,) if own else ()) + known.names:
        span = _name_at(kept, name)
        if span:
            return Mention(text[span[0]:span[1]])
    acronyms = known.acronyms | _own_acronyms(service_name)
    for i in range(len(words)):
        for size in (3, 2, 1):  # "SEND IASS" whole, rather than its "IASS"
            if i + size <= len(words) and "".join(w.word for w in words[i:i + size]) in acronyms:
                return Mention(text[words[i].start:words[i + size - 1].end])
    number = _number_at(text, service_phones)
    return Mention(number, number=True) if number else None


def names_the_service(text: str, service_name: str, service_phones: Sequence[str] = ()) -> bool:
    """True when the text names the service or gives its office number (service_mention)."""
    return service_mention(text, service_name, service_phones) is not None


def require_discreet(enquiry: Enquiry, text: str, service_name: str, service_phones: Sequence[str],
                     message: str, seen: str) -> None:
    """Refuse a message that gives the service away to a parent who did not agree to its name (policy 2.1),
    saying what looked like it so the caseworker can put it another way."""
    if allowed(enquiry, "name_service"):
        return
    found = service_mention(text, service_name, service_phones)
    if found is None:
        return
    what = (f'the service\'s office number: "{found.shown}": give your own direct line instead'
            if found.number else f'the service\'s name: "{found.shown}": take the name out of the {message}')
    raise CaseworkError(f"The parent did not agree to the service's name being used, and this looks like {what} "
                        f"(someone else may see their {seen}).")


@functools.cache
def known_names(path: Path = DISCRETION_FILE) -> KnownNames:
    """The names in flows/discretion.yaml, read once."""
    return KnownNames.load(path)


@dataclass(frozen=True)
class OutboundText:
    """One text to send: where to and what; held in memory only for the time it takes to send."""

    to: str
    body: str


def prepare_sms_reply(
    session: Session, keys: KeyRing, hash_key: str, caseworker: str, role: str, reference: str, text: str,
    service_name: str, clock: ContactClock, *, service_phones: Sequence[str],
) -> OutboundText:
    """The text to send to the parent, or a CaseworkError saying why it must not be sent.

    The safe-time check (policy 1.3, 2.1) is made here, not left to each caller, so no path that texts a
    parent can skip it; outside the parent's window the refusal says when it is next safe.
    """
    text, enquiry, contact = reply_target(session, keys, caseworker, role, reference, text, SMS_METHODS,
                                          "by text message")
    method = contact.get("method")
    number = contact.get("number") if method == "sms_this" else contact.get("detail")
    if not number:
        raise CaseworkError("No number is on record for a text, so no text can be sent.")
    if conversations.is_opted_out(session, contact_key(hash_key, number)):
        raise CaseworkError("The parent texted STOP, so no text can be sent until they text START.")
    require_discreet(enquiry, text, service_name, service_phones, "text", "phone")
    casework.require_safe_time(enquiry, clock)  # the one rule, on the enquiry already loaded
    return OutboundText(number, text)


def record_reply(
    session: Session, keys: KeyRing, caseworker: str, role: str, reference: str, sent: OutboundText,
) -> None:
    """A text reached the provider: the first contact is noted, the words sent are kept on the case (encrypted;
    never the number, which is on the case already) and it is audited (never the content)."""
    casework.record_reply(session, keys, case_for(session, caseworker, role, reference), caseworker, "sms",
                          sent.body)


def record_failed_reply(session: Session, caseworker: str, reference: str, channel: str) -> None:
    """A text could not be handed to the provider: audited so a retry can be followed up."""
    audit.record(session, caseworker, "reply_failed", reference, channel)
