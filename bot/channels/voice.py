"""Voice adapter: Twilio call webhooks in, TwiML <Say>/<Gather> out. Never records; speech is used per turn only."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, request
from twilio.twiml.voice_response import Gather, VoiceResponse

from bot import twilio_cleanup, voice_menu
from bot.channels.twilio_auth import twilio_signed
from bot.replies import Inbound, Reply, TurnResult
from bot.services import services
from bot.voice_keypad import numbers_spoken
from intake import twilio_copies

bp = Blueprint("voice", __name__, url_prefix="/twilio/voice")
STEP = re.compile(r"^[a-z_]{1,20}$")
KEYS = set("0123456789*#")
SPOKEN_KEYS = {
    "ZERO": "0", "NOUGHT": "0", "ONE": "1", "TWO": "2", "THREE": "3", "FOUR": "4", "FIVE": "5",
    "SIX": "6", "SEVEN": "7", "EIGHT": "8", "NINE": "9", "STAR": "*", "HASH": "#",
}
STEP_OF = {"choice": "choice", "yesno": "choice", "text": "entry", "none": "next"}
ENTRY = STEP_OF["text"]  # a <Gather> of many keys until hash
DANGER_KEY = "0"  # "If a child is in danger, press 0" (voice.yaml main_menu): bot/safety.py acts on it
LANGUAGE = "en-GB"


def caller(form: dict[str, str]) -> str:
    """The caller's number, or the call itself when the number is withheld (never shared between callers)."""
    number = form.get("From", "").strip()
    return number if voice_menu.E164.match(number) else f"call:{form.get('CallSid', '')}"


def heard(form: dict[str, str], entry: bool = False) -> tuple[str, str]:
    """(digits, speech): a spoken single key ("one", "zero", "star") counts as that key.

    At a typed entry (`entry`: the phone number, keys until hash), a lone 0, pressed or said, is the first
    digit of a number cut short by the time-out or an early hash, not the key 0 that means "a child is in
    danger" at any single-key question: it goes on as what was typed, so it cannot raise a false urgent case.
    Words said there are still checked for risk, and the caller is told so (voice.yaml zero_at_number).
    """
    digits = "".join(ch for ch in form.get("Digits", "") if ch in KEYS)
    speech = form.get("SpeechResult", "").strip()
    if not digits and speech:
        word = re.sub(r"[^A-Z0-9*# ]+", "", speech.upper()).strip().removeprefix("PRESS ").strip()
        if word in KEYS or word in SPOKEN_KEYS:
            digits, speech = SPOKEN_KEYS.get(word, word), ""
    if entry and digits == DANGER_KEY:
        return "", digits
    return digits, speech


def chunks(text: str, size: int = 300) -> list[str]:
    """Short spoken pieces, split between sentences, so each <Say> stays easy to follow."""
    pieces: list[str] = []
    for sentence in re.split(r"(?<=[.?!])\s+", " ".join(text.split())):
        if pieces and len(pieces[-1]) + len(sentence) < size:
            pieces[-1] += " " + sentence
        elif sentence:
            pieces.append(sentence)
    return pieces


def spoken(reply: Reply) -> str:
    """What to say for one reply; choices are read out unless the wording already says which key.

    Every phone number, whoever wrote the wording (a topic, the safety words, SERVICE_PHONE or MASH_PHONE read
    digit by digit), is read here in the groups it is written down in.
    """
    text = reply.voice_text
    if reply.choices and "press" not in text.lower():
        text += " " + " ".join(f"For {c.label}, press {c.key}." for c in reply.choices)
    # "EHC", "(16-25)" as they should be heard
    return numbers_spoken(voice_menu.of(services().engine).keypad.label(text))


def twiml(result: TurnResult, turn: int, quiet: bool = False) -> Response:
    """<Say> every reply inside one <Gather> (so a key can interrupt), or <Hangup> at the end."""
    response = VoiceResponse()
    replies = [voice_menu.of(services().engine).delayed()] if result.duplicate else result.replies
    if result.hangup:
        for reply in replies:
            for piece in chunks(spoken(reply)):
                response.say(piece, language=LANGUAGE)
        response.hangup()
        return Response(str(response), mimetype="text/xml")
    if not replies or (replies[-1].expects == "none" and not replies[-1].choices):
        replies = [*replies, voice_menu.of(services().engine).next_hint()]  # never leave a caller hanging
    last = replies[-1]
    single = last.expects != "text" and all(len(c.key) == 1 for c in last.choices)
    # Two silences in a row end the call, except at "is a child in danger?": there the engine hears the silence
    # (bot/safety.py: a second one is an unclear answer, taken as yes), never a goodbye with the worry dropped.
    query = f"?turn={turn}" + ("&quiet=1" if quiet and last.kind != "safety" else "")
    gather = Gather(
        input="dtmf speech", action=f"/twilio/voice/{STEP_OF[last.expects]}{query}", method="POST",
        timeout=6 if single else 10, action_on_empty_result=True, language=LANGUAGE,
        finish_on_key="" if single else "#", **({"num_digits": 1} if single else {}),
    )
    for reply in replies:
        for piece in chunks(spoken(reply)):
            gather.say(piece, language=LANGUAGE)
    response.append(gather)
    return Response(str(response), mimetype="text/xml")


@bp.post("")
@twilio_signed
def incoming_call() -> Response:
    """A new call: greeting, privacy sentence, main menu."""
    form = request.form.to_dict()
    sid = form.get("CallSid", "")
    if not sid:
        abort(400)
    # The call log keeps the caller's number: the call's record is owed for deletion, done once it has ended.
    with twilio_cleanup.deleted_afterwards(sid, twilio_copies.CALL):
        return twiml(voice_menu.of(services().engine).start_call(caller(form), f"{sid}:start:0"), 1)


@bp.post("/<step>")
@twilio_signed
def gathered(step: str) -> Response:
    """A key pressed, words said, or silence, in answer to a <Gather>."""
    form = request.form.to_dict()
    sid = form.get("CallSid", "")
    if not STEP.match(step) or not sid:
        abort(404 if sid else 400)
    turn = min(request.args.get("turn", 1, type=int) or 1, 10_000)
    quiet = request.args.get("quiet") == "1"
    digits, speech = heard(form, entry=step == ENTRY)
    if not digits and not speech and quiet:
        return twiml(voice_menu.of(services().engine).goodbye(), turn + 1)
    inbound = Inbound("voice", caller(form), text=speech, digits=digits, message_id=f"{sid}:{step}:{turn}")
    result = services().engine.handle(inbound)
    return twiml(result, turn + 1, quiet=not digits and not speech)
