"""The phone keypad: what a caller pressed (or said as one word), and asking them for one key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Any

import phonenumbers

from bot.answers import normal
from bot.content import fill, spell_out
from bot.engine import Turn
from bot.replies import Choice, Reply

E164 = re.compile(r"^\+[1-9]\d{6,14}$")  # a caller's own number; a withheld one is not
SILENT = ""  # the caller said and pressed nothing
# A UK number in what is said: written ("01632 960000", "0808 800 5000"), or read one digit at a time
# ("0, 1, 6, 3, 2, 9, 6, 0, 0, 0, 0": the {service_phone_spoken} and {mash_phone_spoken} values).
WRITTEN_NUMBER = re.compile(r"(?:\+44 ?|\b0)\d{2,4}(?:[ -]?\d){6,8}\b")
DIGIT_BY_DIGIT = re.compile(r"\b0(?:, \d){9,10}\b")
REFERENCE = re.compile(r"\b[A-HJ-NP-Z]{3}-[2-9]{3}\b")  # "KWD-635" (intake/references.py), as written


@dataclass(frozen=True)
class NextStep(Reply):
    """After the safety words on the phone: how the duty caseworker can get back to the caller, fitted to
    where the call is (bot/voice_callback.py next_step); its own kind, so fitting it again replaces it."""


def concern_spoken(turn: Turn) -> list[int]:
    """Where in this turn's replies the safety words read out the concern's reference: a concern raised, or
    added to, this turn (every risk, crisis and "known" wording says {reference_spoken}; the question does not)."""
    reference = turn.state.data.get("concern_ref")
    if not reference:
        return []
    said = spell_out(str(reference))
    return [i for i, reply in enumerate(turn.replies) if reply.kind == "safety" and said in reply.voice_text]


def phone_spoken(number: str) -> str:
    """A UK phone number as it is written down: digits in its usual groups, a pause between groups.

    "01632 960000" -> "0 1 6 3 2, 9 6 0, 0 0 0"; "020 7946 0018" -> "0 2 0, 7 9 4 6, 0 0 1 8". Anything
    that is not a phone number (MASH_PHONE may be "the council's children's services") is said as it is.
    """
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_possible_number(parsed):
        return number
    groups = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL).split()
    # Six digits together are hard to hold in mind: "960000" is said "9 6 0, 0 0 0".
    groups = [part for group in groups for part in ([group[:3], group[3:]] if len(group) == 6 else [group])]
    return ", ".join(" ".join(group) for group in groups)


def numbers_spoken(text: str) -> str:
    """Every UK phone number in words to be said, written or read digit by digit, read by phone_spoken; a
    reference written "KWD-635" (not "K, W, D, 6, 3, 5") read one character at a time, as everywhere else."""
    text = REFERENCE.sub(lambda m: spell_out(m.group(0)), text)
    text = DIGIT_BY_DIGIT.sub(lambda m: phone_spoken(m.group(0).replace(", ", "")), text)
    return WRITTEN_NUMBER.sub(lambda m: phone_spoken(m.group(0)), text)


def _cased(match: re.Match[str], said: str) -> str:
    """The spoken words, with a capital where they start the text or a sentence."""
    before = match.string[: match.start()].rstrip()
    return said[:1].upper() + said[1:] if not before or before[-1] in ".!?" else said


class Keypad:
    """Phone wording (flows/voice.yaml) and the reading of keys and spoken words against it."""

    def __init__(self, wording: dict[str, Any]) -> None:
        self.wording = wording

    def say(self, name: str, **values: str) -> str:
        """A piece of phone wording with its placeholders filled."""
        return fill(str(self.wording[name]).strip(), values)

    def label(self, text: str) -> str:
        """Written words as they should be heard: voice.yaml `say_as` (e.g. "EHC" said in full)."""
        for written, said in (self.wording.get("say_as") or {}).items():
            written = str(written)
            start = r"\b" if re.match(r"\w", written) else ""
            end = r"\b" if re.search(r"\w$", written) else ""
            text = re.sub(start + re.escape(written) + end, partial(_cased, said=str(said)), text)
        return re.sub(r" ([,.])", r"\1", " ".join(text.split()))

    def heard(self, turn: Turn, keys: list[str], words: str | None = None) -> str | None:
        """The key chosen (by keypad or speech), SILENT, or None for anything else."""
        if turn.inbound.digits:
            return turn.inbound.digits if turn.inbound.digits in keys else None
        said = normal(turn.text)
        if not said:
            return SILENT
        if said in keys:
            return said
        for key, phrases in (self.wording["speech"].get(words or "", {}) or {}).items():
            if key in keys and any(re.search(rf"\b{re.escape(normal(p))}\b", said) for p in phrases):
                return str(key)
        return None

    @staticmethod
    def danger_raised(turn: Turn) -> bool:
        """The safety check spoke of a concern this turn (key 0, words of risk, or more on an urgent case)."""
        assessment = turn.assessment
        risk = assessment is not None and assessment.level == "risk"
        return turn.safety_key or risk or bool(concern_spoken(turn))

    @staticmethod
    def prompt(turn: Turn, step: str, spoken: str, choices: dict[str, str]) -> None:
        """Ask for one key, remembering where the call is."""
        turn.state.data["step"] = step
        options = tuple(Choice(k, v) for k, v in choices.items())
        turn.say(Reply(spoken, spoken, options, kind="prompt", expects="choice"))
