"""Hostile input: property tests over every webhook and the chat API, forged Twilio signatures, rate
limits per contact and per IP, and security headers on every page."""

from __future__ import annotations

import json
import random
import re
import socket
import string
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select, table
from twilio.request_validator import HMAC_SHA256, RequestValidator
from werkzeug.datastructures import MultiDict

from bot.config import ConfigError, load_settings
from intake.crypto import contact_key
from tests.conftest import AUTH_TOKEN, HASH_KEY, PUBLIC_BASE, ChatActions, SmsActions, make_app, twiml_messages
from tests.conftest import test_env as environment_for

NO_LIMITS = {"RATE_LIMIT_CONTACT": "off", "RATE_LIMIT_IP": "off"}
SIGNER = RequestValidator(AUTH_TOKEN)
SMS_VERBS = {"Response", "Message"}
VOICE_VERBS = {"Response", "Say", "Gather", "Hangup"}
LEAKS = ("Traceback", 'File "/', "sqlalchemy", "psycopg", "werkzeug", "jinja2", "Exception:", "Error:")
PROPERTY = settings(max_examples=60, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

INJECTIONS = [
    "</Message><Redirect>https://evil.example/x</Redirect><Message>",
    "</Say><Dial>+15005550006</Dial><Say>",
    "]]><Redirect>x</Redirect><![CDATA[",
    "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><r>&x;</r>",
    "&amp; &lt; &gt; &#0; &#x1; &bogus;",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg onload=alert(1)>",
    "'; DROP TABLE conversation; --",
    "1 OR 1=1; SELECT * FROM enquiry",
    "%s %n %x {0} {service_phone} {{7*7}} ${7*7}",
    "\u202egnp.exe\u202c \u200f\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "\x00\x01\x02\x07\x08\x0b\x0c\x1b[31m\x7f",
    "\ufffe\uffff\ufeff\u2028\u2029",
    "👩‍👧‍👦🏳️‍🌈🙂" * 20,
    "STOP", "FORGET", "HUMAN", "MENU", "YES", "START", "?",
]
hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(INJECTIONS),
    st.lists(st.sampled_from(INJECTIONS), min_size=1, max_size=5).map("".join),
    st.tuples(st.sampled_from(INJECTIONS), st.text(max_size=50)).map(lambda t: t[1] + t[0] + t[1]),
    # huge bodies up to the 64 KB request limit (and a little past it, which must be refused kindly)
    st.tuples(st.sampled_from(["a", "senco ", "x" * 7 + " ", "<Redirect/>"]), st.integers(1, 66_000)).map(
        lambda t: (t[0] * (t[1] // len(t[0]) + 1))[: t[1]]
    ),
)

MESSAGE_KEYS = {"from", "text", "choices", "asks", "question"}  # every key a chat message may have


def without_leaks(response: Any) -> str:
    """The body as text, having checked it is not a 500 and shows nothing of the code."""
    assert response.status_code != 500, response.data[:500]
    assert response.status_code < 500 or response.status_code == 503
    body = response.get_data(as_text=True)
    for leak in LEAKS:
        assert leak not in body, (leak, body[:500])
    return body


def check_twiml(response: Any, verbs: set[str]) -> ET.Element:
    """Well-formed TwiML whose only elements are the verbs we emit."""
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    used = {element.tag for element in root.iter()}
    assert used <= verbs, used
    return root


def counts(app: Flask) -> dict[str, int]:
    """Rows per table: what a request wrote, if anything."""
    db = app.extensions["intake"].db
    with db.connect() as connection:
        names = inspect(connection).get_table_names()
        return {name: connection.scalar(select(func.count()).select_from(table(name))) or 0 for name in names}


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app for all property tests (limits off: these tests send hundreds of requests a minute)."""
    app = make_app(tmp_path_factory.mktemp("hostile"), **NO_LIMITS)
    yield app
    app.extensions["intake"].db.dispose()


@pytest.fixture(scope="module")
def raw(hostile_app: Flask) -> FlaskClient:
    return hostile_app.test_client()


def signed_post(client: FlaskClient, path: str, form: Any, **kwargs: Any) -> Any:
    """POST `form` to `path` (which may carry a query string) signed as Twilio signs it."""
    signature = SIGNER.compute_signature(PUBLIC_BASE + path, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature}, **kwargs)


# --------------------------------------------------------------------------------------------------
# Property tests: SMS, voice (call and gather actions), chat API.

phone = st.one_of(
    st.just("+447700900123"), st.from_regex(r"\+44\d{10}", fullmatch=True), st.just(""),
    st.sampled_from(["anonymous", "+266696687", "client:bob", "+1", "<From/>"]), hostile_text,
)
extra_fields = st.dictionaries(
    st.sampled_from(["NumMedia", "MediaUrl0", "SmsStatus", "FromCity", "ToCountry", "OptOutType", "X"]),
    hostile_text, max_size=3,
)


@PROPERTY
@given(body=hostile_text, sender=phone, sid=st.one_of(st.none(), st.text(max_size=60)), extra=extra_fields,
       duplicate=st.sampled_from([None, "From", "Body", "MessageSid"]), drop=st.sampled_from([None, "Body", "From"]))
def test_sms_webhook_survives_anything_signed(raw: FlaskClient, body: str, sender: str, sid: str | None,
                                              extra: dict[str, str], duplicate: str | None,
                                              drop: str | None) -> None:
    form = MultiDict({"MessageSid": sid if sid is not None else "SM" + uuid.uuid4().hex,
                      "AccountSid": "AC" + "0" * 32, "From": sender, "To": "+441632960001", "Body": body})
    for name, value in extra.items():
        form.add(name, value)
    if duplicate:
        form.add(duplicate, body[:40] + "2")
    if drop:
        form.poplist(drop)
    response = signed_post(raw, "/twilio/sms", form)
    without_leaks(response)
    assert response.status_code in (200, 413), response.status_code
    root = check_twiml(response, SMS_VERBS)
    if response.status_code == 200:
        for message in root.iter("Message"):
            assert "<Redirect" not in (message.text or "") or "<Redirect" in body


voice_step = st.one_of(
    st.sampled_from(["choice", "entry", "next"]), st.from_regex(r"[a-z_]{1,20}", fullmatch=True),
    st.text(min_size=1, max_size=30).map(lambda s: quote(s, safe="")),
)
digits = st.one_of(st.text(alphabet="0123456789*#", max_size=6), hostile_text)


@PROPERTY
@given(step=st.one_of(st.none(), voice_step), pressed=st.one_of(st.none(), digits),
       speech=st.one_of(st.none(), hostile_text), sender=phone,
       call_sid=st.one_of(st.just("CA" + "1" * 32), st.text(max_size=40), st.none()),
       turn=st.one_of(st.none(), st.integers(-5, 10**12).map(str), st.text(max_size=20)),
       quiet=st.sampled_from([None, "1", "0", "yes"]))
def test_voice_webhooks_survive_anything_signed(raw: FlaskClient, step: str | None, pressed: str | None,
                                                speech: str | None, sender: str, call_sid: str | None,
                                                turn: str | None, quiet: str | None) -> None:
    form = MultiDict({"AccountSid": "AC" + "0" * 32, "From": sender, "To": "+441632960001"})
    for name, value in (("CallSid", call_sid), ("Digits", pressed), ("SpeechResult", speech)):
        if value is not None:
            form.add(name, value)
    query = urlencode([(k, v) for k, v in (("turn", turn), ("quiet", quiet)) if v is not None])
    path = "/twilio/voice" + (f"/{step}" if step is not None else "") + (f"?{query}" if query else "")
    response = signed_post(raw, path, form)
    without_leaks(response)
    plain_step = step is None or re.fullmatch(r"[A-Za-z0-9_.~-]+", step) is not None
    # An odd step (e.g. an encoded slash) may be normalised by the router with a 308 to the plain path,
    # where the signature no longer matches: harmless, and never a 500.
    allowed = {200, 400, 404, 405, 413} | (set() if plain_step else {403, 308})
    assert response.status_code in allowed, (response.status_code, path)
    check_twiml(response, VOICE_VERBS)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
chat_payload = st.one_of(
    st.fixed_dictionaries({"text": hostile_text}, optional={"id": st.one_of(st.text(max_size=50), json_values)}),
    st.dictionaries(st.sampled_from(["text", "id", "TEXT", "body"]), json_values, max_size=3),
    json_values,
)


@PROPERTY
@given(payload=chat_payload, how=st.sampled_from(["json", "form", "text", "bytes", "no-auth", "bad-session"]),
       junk=st.binary(max_size=200))
def test_chat_api_survives_anything(raw: FlaskClient, payload: Any, how: str, junk: bytes) -> None:
    chat = ChatActions(raw).open()
    url = f"/api/chat/sessions/{chat.session_id}/messages"
    if how == "json":
        response = raw.post(url, json=payload, headers=chat.headers)
    elif how == "form":
        response = raw.post(url, data={"text": json.dumps(payload)}, headers=chat.headers)
    elif how == "text":
        response = raw.post(url, data=json.dumps(payload), content_type="text/plain", headers=chat.headers)
    elif how == "bytes":
        response = raw.post(url, data=junk, content_type="application/json", headers=chat.headers)
    elif how == "no-auth":
        response = raw.post(url, json=payload)
    else:
        bad = quote(str(payload)[:80], safe="") or "x"
        response = raw.post(f"/api/chat/sessions/{bad}/messages", json=payload, headers=chat.headers)
    without_leaks(response)
    assert response.status_code in (200, 400, 401, 404, 405, 413), response.status_code
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    data = response.get_json()
    assert isinstance(data, dict)
    if response.status_code == 200:
        for message in data["messages"]:
            # "asks" (a question: the page retires older buttons) and "question" (which one a button answers)
            assert {"from", "text", "choices", "asks"} <= set(message) <= MESSAGE_KEYS
            assert isinstance(message["text"], str) and isinstance(message["asks"], bool)
            assert isinstance(message.get("question", ""), str) and "<" not in message.get("question", "")
    else:
        assert isinstance(data["error"], str) and "<" not in data["error"]


@PROPERTY
@given(query=st.dictionaries(st.text(max_size=10), hostile_text, max_size=3), path=hostile_text)
def test_pages_do_not_reflect_input(raw: FlaskClient, query: dict[str, str], path: str) -> None:
    marker = "zq" + uuid.uuid4().hex  # a token only the query carries: the page must not echo any of it
    page = raw.get("/?" + urlencode({key: marker + value for key, value in query.items()}))
    body = without_leaks(page)
    assert page.status_code == 200 and marker not in body
    missing = raw.get("/" + quote(path[:500], safe="/"))
    without_leaks(missing)
    assert missing.status_code in (200, 301, 302, 308, 404, 405)
    assert "<script>alert" not in missing.get_data(as_text=True)


@pytest.mark.parametrize("summary", [
    "</Message><Redirect>https://evil.example/x</Redirect><Message>",
    "<script>alert(1)</script> & friends",
    "ctrl \x00\x01\x1b chars \ufffe\uffff and \u202e RTL",
    "emoji 👩‍👧‍👦 and Arabic \u0645\u0631\u062d\u0628\u0627",
])
def test_echoed_words_stay_text_in_twiml_and_json(tmp_path: Path, summary: str) -> None:
    """The confirm step reads the parent's own words back: they must stay text, never markup."""
    app = make_app(tmp_path)
    sms = SmsActions(app.test_client())
    for message in ("what is a senco", "HUMAN", "yes", summary, "2", "1", "yes", "1", "1"):
        response = sms.post(sms.params(message))
        check_twiml(response, SMS_VERBS)
    response = sms.post(sms.params("yes"))
    root = check_twiml(response, SMS_VERBS)
    confirm = "\n".join(m.text or "" for m in root.iter("Message"))
    assert "Your words:" in confirm

    chat = ChatActions(app.test_client()).open()
    for message in ("HUMAN", "yes", "1", summary):
        response = chat.post({"text": message})
        assert response.status_code == 200 and response.mimetype == "application/json"
    app.extensions["intake"].db.dispose()


def test_chat_page_script_never_turns_text_into_markup() -> None:
    """What the bot says (and echoes) reaches the page as JSON and is shown with textContent only."""
    for name in ("chat.js", "widget.js"):
        source = (Path(__file__).resolve().parents[2] / "bot" / "static" / name).read_text()
        assert "insertAdjacentHTML" not in source and "document.write" not in source
        assert "outerHTML" not in source and "eval(" not in source
        assert all(use.strip() == '""' for use in re.findall(r"innerHTML\s*=\s*([^;]+);", source)), name


# --------------------------------------------------------------------------------------------------
# Forged, tampered and wrong-URL signatures: 403, nothing written (1,200 generated cases).


def forged_cases(rng: random.Random, count: int) -> Iterator[tuple[str, str, MultiDict[str, str], str]]:
    """(label, path, form, signature) for requests Twilio did not sign as presented."""
    paths = ["/twilio/sms", "/twilio/voice", "/twilio/voice/choice?turn=2", "/twilio/voice/entry?turn=3&quiet=1"]
    wrong_token = RequestValidator("".join(rng.choices(string.hexdigits.lower(), k=32)))
    kinds = ["garbage", "wrong-url", "tampered", "wrong-token", "flipped", "empty", "other-path", "added",
             "removed", "sha256"]
    for i in range(count):
        path = rng.choice(paths)
        number = "+4477009" + "".join(rng.choices(string.digits, k=5))
        form = MultiDict({"AccountSid": "AC" + "0" * 32, "From": number, "To": "+441632960001",
                          "MessageSid": "SM" + uuid.UUID(int=rng.getrandbits(128)).hex,
                          "CallSid": "CA" + uuid.UUID(int=rng.getrandbits(128)).hex,
                          "Body": "".join(rng.choices(string.printable, k=rng.randint(0, 40))),
                          "Digits": rng.choice(["1", "2", "", "9#"])})
        url = PUBLIC_BASE + path
        good = SIGNER.compute_signature(url, form)
        kind = kinds[i % len(kinds)]
        if kind == "garbage":
            signature = "".join(rng.choices(string.ascii_letters + string.digits + "+/=", k=rng.randint(1, 40)))
        elif kind == "wrong-url":
            other = rng.choice([
                url.replace("https://", "http://"), url.replace("intake.example.org", "evil.example.org"),
                url + ("&" if "?" in url else "?") + "x=1", url.replace("/twilio/", "/twilio//"),
                url.upper(), "https://intake.example.org.evil.example" + path,
            ])
            signature = SIGNER.compute_signature(other, form)
        elif kind == "tampered":
            field = rng.choice(["Body", "From", "Digits", "MessageSid"])
            form[field] = form[field] + rng.choice(["x", " ", "0", "STOP"])
            signature = good
        elif kind == "wrong-token":
            signature = wrong_token.compute_signature(url, form)
        elif kind == "flipped":
            at = rng.randrange(len(good) - 1)  # the last character may be base64 padding
            signature = good[:at] + ("A" if good[at] != "A" else "B") + good[at + 1:]
        elif kind == "empty":
            signature = rng.choice(["", " ", "null"])
        elif kind == "other-path":
            signature = SIGNER.compute_signature(PUBLIC_BASE + rng.choice([p for p in paths if p != path]), form)
        elif kind == "added":
            signature = good
            form.add(rng.choice(["Body", "From", "Extra"]), "injected")
        elif kind == "removed":
            signature = good
            form.poplist(rng.choice(["Body", "From", "AccountSid"]))
        else:
            signature = SIGNER.compute_signature(url, form, algorithm=HMAC_SHA256)  # not what we check
        yield kind, path, form, signature


def test_twelve_hundred_forged_signatures_are_refused_and_write_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path, **NO_LIMITS)
    client = app.test_client()
    before = counts(app)
    seen: dict[str, int] = {}
    for kind, path, form, signature in forged_cases(random.Random(7), 1200):
        headers = {"X-Twilio-Signature": signature} if signature != "null" else {}
        response = client.post(path, data=form, headers=headers)
        assert response.status_code == 403, (kind, path, signature)
        assert response.mimetype == "text/xml" and twiml_messages(response.data) == []
        seen[kind] = seen.get(kind, 0) + 1
    assert sum(seen.values()) == 1200 and len(seen) == 10
    assert counts(app) == before  # nothing written: no turn, no claim, no state
    app.extensions["intake"].db.dispose()


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=hostile_text, field=st.sampled_from(["Body", "From", "MessageSid", "To"]), change=hostile_text)
def test_any_change_to_a_signed_text_is_refused(raw: FlaskClient, hostile_app: Flask, body: str, field: str,
                                                change: str) -> None:
    form = {"MessageSid": "SM" + uuid.uuid4().hex, "From": "+447700900777", "To": "+441632960001", "Body": body}
    signature = SIGNER.compute_signature(PUBLIC_BASE + "/twilio/sms", form)
    tampered = dict(form)
    tampered[field] = form[field] + (change or "x")
    response = raw.post("/twilio/sms", data=tampered, headers={"X-Twilio-Signature": signature})
    if response.status_code == 413:
        return
    assert response.status_code == 403
    with hostile_app.extensions["intake"].sessions() as session:
        from intake.models import ProcessedMessage

        for sid in {form["MessageSid"], tampered["MessageSid"]}:
            assert session.get(ProcessedMessage, f"sms:{sid}") is None


# --------------------------------------------------------------------------------------------------
# Rate limits: per contact and per IP, answered kindly, never silently.

RATE_LIMITED = "sending messages very quickly"


def test_sms_over_the_contact_limit_gets_a_kind_text_and_others_are_unaffected(tmp_path: Path) -> None:
    app = make_app(tmp_path, RATE_LIMIT_CONTACT="3/minute")
    sms = SmsActions(app.test_client())
    for _ in range(3):
        assert RATE_LIMITED not in "\n".join(sms.send("what is a senco"))
    [message] = sms.send("what is a senco")
    assert RATE_LIMITED in message and "999" in message
    assert RATE_LIMITED not in "\n".join(sms.send("what is a senco", number="+447700900999"))
    # Forged requests with the parent's number do not use up anyone's allowance.
    other = SmsActions(app.test_client(), number="+447700900888")
    for _ in range(10):
        assert other.post(other.params("hello"), signature="forged").status_code == 403
    assert RATE_LIMITED not in "\n".join(other.send("what is a senco"))
    app.extensions["intake"].db.dispose()


def test_voice_over_the_contact_limit_is_told_kindly(tmp_path: Path) -> None:
    app = make_app(tmp_path, RATE_LIMIT_CONTACT="2/minute")
    caller = SmsActions(app.test_client())
    form = {"CallSid": "CA" + uuid.uuid4().hex, "From": "+447700900321", "To": "+441632960001"}
    for _ in range(2):
        assert RATE_LIMITED not in caller.post(form, path="/twilio/voice").get_data(as_text=True)
    response = caller.post(form | {"CallSid": "CA" + uuid.uuid4().hex}, path="/twilio/voice")
    assert response.status_code == 200
    root = check_twiml(response, VOICE_VERBS)
    assert RATE_LIMITED in "".join(say.text or "" for say in root.iter("Say"))
    app.extensions["intake"].db.dispose()


def test_chat_over_the_contact_limit_gets_json_429_and_a_new_chat_works(tmp_path: Path) -> None:
    app = make_app(tmp_path, RATE_LIMIT_CONTACT="3/minute")
    chat = ChatActions(app.test_client()).open()
    for _ in range(3):
        chat.say("what is a senco")
    response = chat.post({"text": "what is a senco"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert RATE_LIMITED in response.get_json()["error"]
    assert chat.client.get(f"/api/chat/sessions/{chat.session_id}/messages", headers=chat.headers).status_code == 200
    assert ChatActions(app.test_client()).open().say("what is a senco")
    app.extensions["intake"].db.dispose()


def test_a_stranger_with_the_chat_id_but_not_its_token_cannot_use_up_the_parents_allowance(tmp_path: Path) -> None:
    app = make_app(tmp_path, RATE_LIMIT_CONTACT="3/minute")
    parent = ChatActions(app.test_client()).open()
    stranger = app.test_client()
    for i in range(6):
        refused = stranger.post(f"/api/chat/sessions/{parent.session_id}/messages", json={"text": "hello"},
                                headers={"Authorization": f"Bearer wrong-{i % 2}"},
                                environ_base={"REMOTE_ADDR": "192.0.2.66"})
        assert refused.status_code == 401
    for _ in range(3):
        assert "SENCO" in parent.texts("what is a senco")
    over = parent.post({"text": "what is a senco"})  # the parent's own allowance still holds
    assert over.status_code == 429 and RATE_LIMITED in over.get_json()["error"]
    app.extensions["intake"].db.dispose()


def test_polls_refused_for_a_wrong_token_are_limited_per_address_and_live_chats_keep_polling(tmp_path: Path) -> None:
    from bot.ratelimit import FAILED_POLLS_PER_IP

    allowance = int(FAILED_POLLS_PER_IP.split()[0])
    app = make_app(tmp_path)
    client = app.test_client()
    parent = ChatActions(client).open()
    guesser = {"REMOTE_ADDR": "192.0.2.77"}
    for i in range(allowance):
        guess = client.get(f"/api/chat/sessions/{parent.session_id}/messages?after=0",
                           headers={"Authorization": f"Bearer guess-{i}"}, environ_base=guesser)
        assert guess.status_code == 401
    stopped = client.get(f"/api/chat/sessions/{parent.session_id}/messages?after=0",
                         headers={"Authorization": "Bearer guess-again"}, environ_base=guesser)
    assert stopped.status_code == 429 and RATE_LIMITED in stopped.get_json()["error"]
    # The parent's page, from its own address, polls on as before, however often.
    for _ in range(allowance + 5):
        live = client.get(f"/api/chat/sessions/{parent.session_id}/messages?after=0", headers=parent.headers)
        assert live.status_code == 200
    app.extensions["intake"].db.dispose()


def test_per_ip_limit_answers_kindly_and_leaves_signed_twilio_alone(tmp_path: Path) -> None:
    app = make_app(tmp_path, RATE_LIMIT_IP="4/minute", RATE_LIMIT_CONTACT="off")
    client = app.test_client()
    opened = [client.post("/api/chat/sessions") for _ in range(4)]
    assert all(response.status_code == 201 for response in opened)
    refused = client.post("/api/chat/sessions")
    assert refused.status_code == 429 and RATE_LIMITED in refused.get_json()["error"]
    # A parent leaving in a hurry from a busy address (a school, a library) still ends their chat.
    chat = opened[0].get_json()
    ended = client.post(f"/api/chat/sessions/{chat['session_id']}/end", data={"token": chat["token"]})
    assert ended.status_code == 204
    page = client.get("/")
    assert page.status_code == 429 and RATE_LIMITED in page.get_data(as_text=True)
    assert "text/html" in page.content_type and "Content-Security-Policy" in page.headers
    elsewhere = client.post("/api/chat/sessions", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert elsewhere.status_code == 201
    # Twilio's requests all come from Twilio: signed ones are never limited by IP ...
    sms = SmsActions(client)
    for i in range(6):
        assert RATE_LIMITED not in "\n".join(sms.send("what is a senco", number=f"+44770090{i:04d}"))
    # ... unsigned ones are, and still get a reply rather than silence.
    forged = sms.post(sms.params("hi"), signature="forged")
    assert forged.status_code == 429 and RATE_LIMITED in "".join(twiml_messages(forged.data))
    assert client.get("/healthz").status_code == 200
    app.extensions["intake"].db.dispose()


def test_proxy_hops_take_the_client_address_from_x_forwarded_for(tmp_path: Path) -> None:
    app = make_app(tmp_path, RATE_LIMIT_IP="2/minute", RATELIMIT_PROXY_HOPS="1")
    client = app.test_client()
    for _ in range(2):
        assert client.post("/api/chat/sessions", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 201
    assert client.post("/api/chat/sessions", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 429
    spoofed = {"X-Forwarded-For": "203.0.113.9, 198.51.100.1"}  # the client cannot choose its own address
    assert client.post("/api/chat/sessions", headers=spoofed).status_code == 429
    assert client.post("/api/chat/sessions", headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 201
    app.extensions["intake"].db.dispose()


def test_limits_come_from_settings_with_sensible_defaults(tmp_path: Path) -> None:
    defaults = load_settings(environment_for(tmp_path))
    assert defaults.rate_limit_contact == "30/minute" and defaults.rate_limit_ip == "120/minute"
    assert defaults.ratelimit_storage_uri == "memory://"
    tuned = load_settings(environment_for(tmp_path, RATE_LIMIT_CONTACT="10/minute;100/hour", RATE_LIMIT_IP="off"))
    assert tuned.rate_limit_contact == "10/minute;100/hour" and tuned.rate_limit_ip == ""
    with pytest.raises(ConfigError, match="RATE_LIMIT_CONTACT"):
        load_settings(environment_for(tmp_path, RATE_LIMIT_CONTACT="lots"))


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_up(), reason="Redis not reachable at 127.0.0.1:6379")
def test_redis_storage_is_shared_between_workers_and_keys_hold_no_number(tmp_path: Path) -> None:
    import redis

    prefix = "test-" + uuid.uuid4().hex[:12]
    env = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_KEY_PREFIX": prefix,
           "RATE_LIMIT_CONTACT": "3/minute"}
    first = make_app(tmp_path, **env)
    from bot import create_app

    second = create_app(environment_for(tmp_path, **env))
    second.config["TESTING"] = True
    number = "+447700900432"
    worker_a, worker_b = SmsActions(first.test_client(), number), SmsActions(second.test_client(), number)
    worker_a.send("what is a senco")
    worker_b.send("what is a senco")
    worker_a.send("what is a senco")
    assert RATE_LIMITED in "\n".join(worker_b.send("what is a senco"))  # counted across both workers
    store = redis.Redis.from_url("redis://127.0.0.1:6379")
    try:
        keys = [key.decode() for key in store.scan_iter(f"*{prefix}*")]
        assert keys, "the limiter wrote nothing to Redis"
        digits = number.lstrip("+")
        assert not any(digits in key or digits[-10:] in key for key in keys), keys
        assert any(contact_key(HASH_KEY, number) in key for key in keys), keys
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        store.close()
    for app in (first, second):
        app.extensions["intake"].db.dispose()


# --------------------------------------------------------------------------------------------------
# Security headers on every page.

WIDGET_HOST = "https://www.testshire-sendiass.org.uk"
PRIVATE = {"chat page", "chat open", "chat message", "chat poll", "chat bad", "sms", "sms forged", "voice"}


def test_security_headers_on_every_page(tmp_path: Path) -> None:
    app = make_app(tmp_path, WIDGET_ORIGINS=WIDGET_HOST, **NO_LIMITS)
    client = app.test_client()
    chat = ChatActions(client).open()
    sms = SmsActions(client)
    responses = {
        "chat page": client.get("/"),
        "widget": client.get("/widget.js"),
        "static": client.get("/static/chat.js"),
        "health": client.get("/healthz"),
        "missing": client.get("/no-such-page"),
        "chat open": client.post("/api/chat/sessions"),
        "chat message": chat.post({"text": "MENU"}),
        "chat poll": client.get(f"/api/chat/sessions/{chat.session_id}/messages", headers=chat.headers),
        "chat bad": client.post("/api/chat/sessions/nope/messages", json={"text": "x"}),
        "sms": sms.post(sms.params("MENU")),
        "sms forged": sms.post(sms.params("MENU"), signature="forged"),
        "voice": sms.post({"CallSid": "CA1", "From": "+447700900123"}, path="/twilio/voice"),
    }
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/caseworker") and "GET" in rule.methods and not rule.arguments:
            responses[rule.rule] = client.get(rule.rule)
    assert any(name.startswith("/caseworker") for name in responses)
    for name, response in responses.items():
        assert response.status_code < 500, name
        csp = dict(
            [*part.split(" ", 1), ""][:2] for part in
            (p.strip() for p in response.headers["Content-Security-Policy"].split(";")) if part
        )
        assert csp["script-src"] == "'self'", name  # no inline script, no eval
        assert "unsafe-inline" not in csp.get("default-src", "") and "'none'" == csp["object-src"]
        # Only the chat page may be framed, by the widget's host; the console and the rest by no one.
        framed = ["'self'", WIDGET_HOST] if name == "chat page" else ["'none'"]
        assert csp["frame-ancestors"].split() == framed, name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers["Referrer-Policy"] in ("no-referrer", "same-origin"), name
        # The public address is https: browsers must never fall back to plain HTTP for a year.
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains", name
        if name.startswith("/caseworker") or name in PRIVATE:
            assert "no-store" in response.headers.get("Cache-Control", ""), name
        if response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            for script in re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S | re.I):
                assert not script.strip(), (name, "inline script")
            assert not re.search(r"\son[a-z]+\s*=", html, flags=re.I), (name, "inline event handler")
        response.close()  # static files are streamed from an open file
    app.extensions["intake"].db.dispose()


def test_console_pages_are_never_cached_even_when_signed_out(client: FlaskClient) -> None:
    for path in ("/caseworker/", "/caseworker/login", "/caseworker/queue", "/caseworker/queue.json"):
        response = client.get(path)
        assert "no-store" in response.headers.get("Cache-Control", ""), path
