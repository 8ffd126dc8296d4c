"""The intake form's rules as plain functions: which slots apply, and what counts as a valid answer."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from intake.minimise import find_personal_data

YES = {"YES", "Y", "YEAH", "YEP", "YES PLEASE", "OK", "OKAY", "SURE", "AGREE", "I AGREE", "1", "KEEP"}
NO = {"NO", "N", "NOPE", "NAH", "NO THANKS", "NO THANK YOU", "DONT", "DON'T", "2", "REMOVE"}
EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
NEEDS_DETAIL = {"phone_other", "sms_other", "email"}
BY_PHONE = {"sms_this", "call_this", "phone_other", "sms_other"}  # safe times asked
CALLED = {"call_this", "phone_other"}  # a voicemail can be left only on a call (a text is the message itself)
THIS_NUMBER = {"sms_this", "call_this"}  # "text/call this number": only when the parent's number is known
CONSENT_SLOTS = ("consent_keep", "pii_keep", "consent_contact", "consent_voicemail", "consent_name_service")
# CHANGE at the confirm step: each part the parent may change, and the answers it asks again. A part
# takes what depends on it too (new words may hold new personal details; a new way of contact needs
# its own number, safe times and permissions), so nothing stale reaches the caseworker.
CHANGE_PARTS: dict[str, tuple[str, ...]] = {
    "words": ("summary", "summary_pii", "pii_keep"),
    "contact": ("consent_contact", "contact_method", "contact_detail", "safe_times", "consent_voicemail",
                "consent_name_service"),
    "times": ("safe_times",),
    "school": ("school_phase", "ehc_plan"),
}
# The answer whose presence shows the form asked about a part (voice asks no words; a callback by
# chat asks no safe times; an "about us" enquiry asks no school questions).
ASKED_BY = {"words": ("summary",), "contact": ("consent_contact",), "times": ("safe_times",),
            "school": ("school_phase", "ehc_plan")}
SUMMARY_MIN, SUMMARY_MAX = 3, 600


def normal(text: str) -> str:
    """Upper case, punctuation dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"[^A-Z0-9' ]+", " ", str(text).upper())).strip()


def yes_no(value: Any) -> bool | None:
    """YES/1 -> True, NO/2 -> False, else None."""
    if isinstance(value, bool):
        return value
    answer = normal(value)
    return True if answer in YES else False if answer in NO else None


# Everyday replies to a yes/no question (reply_yes_no): a leading yes or no, in text-speak too, then a few words
# ("yes he is", "ok go on", "no thx", "no he doesnt"). Compared without apostrophes. The single words that lead a
# yes are flows/intake.yaml `yes_no.yes_leads` (WORDS).
YES_LEAD_PHRASES: set[tuple[str, ...]] = {
    ("GO", "AHEAD"), ("GO", "ON"), ("OF", "COURSE"), ("ALL", "RIGHT"), ("I", "AGREE"), ("THATS", "OK"),
    ("THATS", "OKAY"), ("THATS", "FINE"), ("PLEASE", "DO"), ("YES", "PLEASE")}
NO_LEADS = {"NO", "N", "NOPE", "NAH", "NAW", "NOO", "NOOO", "NA", "NOPES", "DONT", "2", "REMOVE"}
NO_LEAD_PHRASES: set[tuple[str, ...]] = {("DO", "NOT"), ("NO", "THANKS"), ("NO", "THANK", "YOU")}
# After a leading yes, a negation makes the reply unclear; after a leading no, an agreement does.
NEGATIONS = {"NO", "NOT", "NOPE", "NAH", "DONT", "NEVER", "WONT", "CANT", "DOESNT", "ISNT", "DIDNT", "ARENT",
             "WASNT", "SHOULDNT", "WOULDNT", "NOTHING", "NOBODY", "NONE", "DELETE", "REMOVE"}
AGREEMENTS = {"YES", "Y", "YEAH", "YEP", "YUP", "YH", "YEH", "YEA", "YA", "OK", "OKAY", "SURE", "PLEASE", "PLS",
              "PLZ", "AGREE", "KEEP", "ALRIGHT"}
# Words that turn a yes or no into something else: a condition, or a question.
UNCLEAR = {"BUT", "EXCEPT", "UNLESS", "IF", "WHAT", "WHY", "HOW", "WHO", "WHEN", "WHERE", "WHICH", "OR"}
REPLY_WORDS = 7  # a leading yes/no with more words than this is a message, not an answer
# Not knowing, or half-saying it ("idk", "not sure", "sort of", "im scared"): to "is a child in danger?" these
# count as yes (bot/safety.py: a child's safety first); to a consent question they are no answer at all.
UNSURE = [("IDK",), ("IDEK",), ("IDNK",), ("DUNNO",), ("DONT", "KNOW"), ("DO", "NOT", "KNOW"),
          ("NOT", "SURE"), ("NT", "SURE"), ("UNSURE",), ("MAYBE",), ("MAYBES",), ("MAYB",), ("POSSIBLY",),
          ("PERHAPS",), ("PROBABLY",), ("SORT", "OF"), ("SORTA",), ("KIND", "OF"), ("KINDA",), ("SOMETIMES",),
          ("SOMETIME",), ("SOMETIMEZ",), ("A", "BIT"), ("A", "LITTLE"), ("SCARED",), ("SCARD",), ("FRIGHTENED",),
          ("AFRAID",), ("I", "THINK", "SO"), ("MIGHT", "BE"), ("COULD", "BE"), ("NO", "IDEA"), ("HARD", "TO", "SAY"),
          ("NOT", "REALLY", "SURE")]


def _words(value: Any) -> tuple[str, ...]:
    """The answer's words in capitals, curly quotes straightened, apostrophes and punctuation dropped."""
    return tuple(normal(str(value).translate(PLAIN)).replace("'", "").split())


def _has(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    return any(words[i:i + len(phrase)] == phrase for i in range(len(words) - len(phrase) + 1))


def unsure(value: Any) -> bool:
    """True when the reply says the parent does not know, or only half says yes ("idk", "maybe", "sometimes")."""
    words = _words(value)
    return len(words) <= REPLY_WORDS + 2 and any(_has(words, phrase) for phrase in UNSURE)


def _lead(words: tuple[str, ...], single: AbstractSet[str], phrases: AbstractSet[tuple[str, ...]]) -> int:
    """How many of the first words say yes (or no); 0 when they do not."""
    longest = max((len(p) for p in phrases if words[:len(p)] == p), default=0)
    return longest or (1 if words and words[0] in single else 0)


def phrases(items: Iterable[Any]) -> frozenset[tuple[str, ...]]:
    """Phrases from a flows/*.yaml list, as reply_yes_no compares them ("that's fine" -> THATS FINE)."""
    return frozenset(_words(item) for item in items if _words(item))


def _made_of(words: tuple[str, ...], endings: frozenset[tuple[str, ...]]) -> bool:
    """True when the words are nothing but endings, one after another ("please go ahead thanks")."""
    longest = max((len(e) for e in endings), default=0)
    at = 0
    while at < len(words):
        step = next((n for n in range(min(longest, len(words) - at), 0, -1) if words[at:at + n] in endings), 0)
        if not step:
            return False
        at += step
    return True


@dataclass(frozen=True)
class Words:
    """The word lists reply_yes_no, clear_no and numbered read, from flows/intake.yaml (content, not code)."""

    yes_leads: frozenset[str] = frozenset()  # `yes_no.yes_leads`: "yh", "ok", "fine"
    not_a_no: frozenset[tuple[str, ...]] = frozenset()  # `yes_no.not_a_no`: "no problem", "no worries"
    clear_no_endings: frozenset[tuple[str, ...]] = frozenset()  # `yes_no.clear_no_endings`: "no they are safe"
    number_words: Mapping[str, str] = field(default_factory=dict)  # `number_words`: FIVE -> 5


# Until use_words is given the form's content (bot/intake_form.py, at start-up, with `yes_endings`) the lists are
# empty: nothing but a plain YES or NO is an answer, and nothing is a clear no beyond a plain NO.
WORDS = Words()


def use_words(intake: Mapping[str, Any]) -> None:
    """Read the yes/no and number word lists from flows/intake.yaml (`Content.intake`)."""
    global WORDS
    yes_no = intake.get("yes_no") or {}
    WORDS = Words(
        yes_leads=frozenset(" ".join(words) for words in phrases(yes_no.get("yes_leads") or [])),
        not_a_no=phrases(yes_no.get("not_a_no") or []),
        clear_no_endings=phrases(yes_no.get("clear_no_endings") or []),
        number_words={normal(word): str(digit) for word, digit in (intake.get("number_words") or {}).items()},
    )


def clear_no(value: Any) -> bool:
    """True for a plain no to "is a child in danger?" ("no", "nope", "no thanks", "no they are safe")."""
    if yes_no(value) is False:
        return True
    words = _words(value)
    no = _lead(words, NO_LEADS, NO_LEAD_PHRASES)
    yes = _lead(words, WORDS.yes_leads, YES_LEAD_PHRASES)
    return bool(no) and not yes and _made_of(words[no:], WORDS.clear_no_endings)


def reply_yes_no(value: Any, endings: frozenset[tuple[str, ...]] | None = None) -> bool | None:
    """An everyday reply to a yes/no question: True, False, or None when it is unclear.

    A plain YES/NO (yes_no), or a leading yes or no word with a few more words that neither contradict it
    nor add a condition or a question: "yh", "yes pls", "ok go on", "no thx", "no he doesnt". A reply with
    both a yes and a no ("no thats fine", "ok but dont call"), a "but", a question, or words of not knowing is
    None, so the question is asked again: a no is never read as a yes.

    A lead of one letter or digit ("1", "Y", "K") is an answer only as the whole reply: "1 sec", "k let me
    think" and "y do u need that" (y = why) are not. With `endings` (a consent question, flows/intake.yaml
    `yes_no.yes_endings`), a yes may be followed only by those polite or agreeing words ("please", "go ahead",
    "thats fine"), so a hesitation after it ("ok wait", "ok ill think about it", "agree to disagree") is
    unclear, never consent. Without them (is a child in danger?) any yes with no contrary word is a yes.
    """
    plain = yes_no(value)
    if plain is not None or isinstance(value, bool):
        return plain
    words = _words(value)
    if not words or unsure(value) or ("?" in str(value) and len(words) > 1):
        return None
    if any(words[:len(idiom)] == idiom for idiom in WORDS.not_a_no):  # "no problem", "no worries"
        return None
    yes, no = _lead(words, WORDS.yes_leads, YES_LEAD_PHRASES), _lead(words, NO_LEADS, NO_LEAD_PHRASES)
    if bool(yes) == bool(no) or (len(words) > 1 and len(words[0]) == 1 and (yes or no) == 1):
        return None
    rest = words[yes or no:]
    if len(words) > REPLY_WORDS or set(rest) & UNCLEAR or set(rest) & (NEGATIONS if yes else AGREEMENTS):
        return None
    if yes and endings is not None and not _made_of(rest, endings):
        return None
    return bool(yes)


def says_any(value: Any, said: frozenset[tuple[str, ...]]) -> bool:
    """True when the reply has any of these phrases anywhere in it ("ok change the school stage": CHANGE)."""
    words = _words(value)
    return any(_has(words, phrase) for phrase in said)


# A numbered choice named in words: "five", "option 5", "number five" (only where a numbered choice is asked);
# the words are flows/intake.yaml `number_words` (WORDS).
NUMBER_LEADS = {"OPTION", "NUMBER", "CHOICE"}


def numbered(value: Any, number_words: Mapping[str, str] | None = None) -> str | None:
    """The digit a reply names as a choice ("5", "five", "option 5", "number five"), else None.

    `number_words` as flows/intake.yaml gives them (the action server's domain); WORDS' when not given.
    """
    words = normal(value).split()
    if len(words) == 2 and words[0] in NUMBER_LEADS:
        words = words[1:]
    if len(words) != 1:
        return None
    named = WORDS.number_words if number_words is None else {normal(k): str(v) for k, v in number_words.items()}
    word = named.get(words[0], words[0])
    return word if word.isdigit() else None


def numbers_shown(channel: str) -> bool:
    """Whether yes/no questions and the confirm step show numbered answers ("1 Yes / 2 No") on this channel.

    By SMS they say "Reply YES or NO" and list no numbers (a list would cost a text), so there a bare number is
    no answer: after a row of numbered menus "1" is a habit, not consent (policy 2.1, 3.2).
    """
    return channel != "sms"


def confirm_answer(value: Any, answers: Sequence[Mapping[str, str]], channel: str,
                   number_words: Mapping[str, str] | None = None) -> str | None:
    """The confirm step's decision (yes, no or change), or None when the reply is none of them.

    A number means the answer shown with that key, or in that position (the buttons YES / CHANGE / NO are
    1, 2, 3), and only where numbers are shown; words: CHANGE or EDIT, else a plain yes or no.
    """
    key = numbered(value, number_words)
    if key is not None:
        if not numbers_shown(channel):
            return None
        by_key = {normal(a["key"]): a["value"] for a in answers}
        by_position = {str(n): a["value"] for n, a in enumerate(answers, 1)}
        return by_key.get(key) or by_position.get(key)
    if normal(value) in ("CHANGE", "EDIT"):
        return "change"
    decided = yes_no(value)
    return None if decided is None else "yes" if decided else "no"


def choice(value: Any, options: Sequence[Mapping[str, str]], number_words: Mapping[str, str] | None = None
           ) -> str | None:
    """The option's value when the answer is its key (or names it: "five", "option 5") or its label."""
    answer = normal(value)
    key = numbered(value, number_words)
    for option in options:
        if key is not None and key == normal(option["key"]):
            return option["value"]
        if answer in (normal(option["key"]), normal(option["label"]), normal(option["value"])):
            return option["value"]
    return None


# Phones type curly quotes and long dashes; one of them turns every text we echo into pricier UCS-2.
PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                       "\u2014": "-", "\u2026": "...", "\u00a0": " "})


def summary(value: Any, number_words: Mapping[str, str] | None = None) -> tuple[str | None, str | None, list[str]]:
    """(clean text or None, problem or None, kinds of personal data found)."""
    text = re.sub(r"\s+", " ", str(value).translate(PLAIN)).strip()
    # "option 5": a choice, not what help is wanted
    if len(text) < SUMMARY_MIN or numbered(text, number_words) is not None:
        return None, "summary_too_short", []
    if len(text) > SUMMARY_MAX:
        return None, "summary_too_long", []
    return text, None, sorted({f.kind for f in find_personal_data(text)})


def contact_detail(value: Any, method: str) -> str | None:
    """A phone number in E.164 or a lower-cased e-mail, or None when it does not look right."""
    text = str(value).strip()
    if method == "email":
        return text.lower() if EMAIL.match(text) else None
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def required_slots(slots: Mapping[str, Any], channel: str, facts: Sequence[str]) -> list[str]:
    """The questions that apply, in order, given the answers so far (policy 1.1: nothing more)."""
    order = ["consent_keep"]
    if slots.get("consent_keep") is False:
        return order
    if not slots.get("topic"):
        order.append("topic")
    if channel != "voice":
        order.append("summary")
        if slots.get("summary_pii"):
            order.append("pii_keep")
    order += list(facts)
    order.append("consent_contact")
    if slots.get("consent_contact"):
        order.append("contact_method")
        method = slots.get("contact_method")
        if method in NEEDS_DETAIL:
            order.append("contact_detail")
        if method in BY_PHONE:
            order.append("safe_times")
        if method in CALLED:
            order.append("consent_voicemail")
        if method and method != "web_chat":
            order.append("consent_name_service")
    order.append("confirm")
    return order


def changeable(slots: Mapping[str, Any]) -> list[str]:
    """The parts of the form this parent was asked about, in the order CHANGE offers them."""
    return [part for part, names in ASKED_BY.items() if any(slots.get(name) is not None for name in names)]


def cleared_for_change(slots: Mapping[str, Any], part: str) -> dict[str, Any]:
    """The answers without those a change of `part` asks again (and what depends on them)."""
    return {name: value for name, value in slots.items() if name not in CHANGE_PARTS[part]}


def answered_consents(slots: Mapping[str, Any], purposes: Mapping[str, str]) -> set[str]:
    """The consent purposes whose question still stands answered (`purposes`: slot -> purpose).

    A question a change made unnecessary (voicemail, after choosing to be contacted in the chat) has no
    answer any more, so its earlier answer is not put in the ledger.
    """
    return {purpose for slot, purpose in purposes.items() if slots.get(slot) is not None}


def contact_methods(options: Sequence[dict[str, str]], number_known: bool) -> list[dict[str, str]]:
    """The ways of contact to offer: "this number" only when the parent's number came with the message."""
    return [o for o in options if number_known or o["value"] not in THIS_NUMBER]


def bare_answer(text: str) -> bool:
    """A reply that only makes sense as the answer to a question: a number, YES/NO, CHANGE or BACK."""
    cleaned = text.strip().upper().rstrip(".!")
    return numbered(cleaned) is not None or yes_no(cleaned) is not None or cleaned in {"CHANGE", "BACK"}
