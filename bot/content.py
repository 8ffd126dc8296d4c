"""Loads and checks the conversation content in flows/: topics, service wording, intake form, NLU files."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from intake.contact_windows import ContactTimes, ContactTimesError
from intake.contact_windows import parse as parse_contact_times

# GSM 03.38 basic set (plus the escape-table characters): anything else forces UCS-2 on SMS.
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXT = set("^{}\\[~]|€")
PLACEHOLDERS = {
    "service_name", "service_phone", "office_hours", "mash_phone", "reference", "category",
    "service_phone_spoken", "mash_phone_spoken", "reference_spoken",
    "retention",  # RETENTION_DAYS in words (how_long), in the privacy notices
}
WEB_ONLY = "web_"  # service messages shown only in the web chat; every other one may be texted
# The C loader is ~10x faster at start-up; same safe semantics.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
ID = re.compile(r"^[a-z][a-z0-9_]*$")


class ContentError(ValueError):
    """A flows file is missing, malformed or breaks a content rule; the message names the file."""


def sms_segments(text: str) -> int:
    """How many SMS segments Twilio will send for this text (GSM-7 or UCS-2)."""
    if all(ch in GSM7 or ch in GSM7_EXT for ch in text):
        units = sum(2 if ch in GSM7_EXT else 1 for ch in text)
        return 1 if units <= 160 else -(-units // 153)
    units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
    return 1 if units <= 70 else -(-units // 67)


@dataclass(frozen=True)
class Topic:
    """One general-enquiry topic: its answer for text and for the ear, and example phrasings."""

    id: str
    title: str
    category: str
    answer: str
    spoken: str
    examples: tuple[str, ...]
    action: str | None = None
    web_answer: str | None = None  # web chat only: may name the service, which `answer` (also texted) never does
    sms_title: str = ""  # the SMS sub-menu's shorter name, so the whole sub-menu fits one text; else `title`

    def title_for(self, channel: str) -> str:
        """The name shown in its category's sub-menu on this channel."""
        return self.sms_title if channel == "sms" and self.sms_title else self.title


@dataclass(frozen=True)
class Category:
    """A group of topics shown together in the menu."""

    id: str
    title: str
    order: int
    topic_ids: tuple[str, ...]
    sms_title: str = ""  # the SMS menu's shorter name, so the whole menu fits one text; else `title`

    def title_for(self, channel: str) -> str:
        """The name shown in the topic menu on this channel."""
        return self.sms_title if channel == "sms" and self.sms_title else self.title


@dataclass(frozen=True)
class Content:
    """Everything the bot says and understands, loaded from flows/."""

    topics: dict[str, Topic]
    categories: tuple[Category, ...]
    service: dict[str, Any]
    lexicon: dict[str, str]
    contact_times: ContactTimes  # when staff may contact a parent, by their safe_times answer
    intake: dict[str, Any] = field(default_factory=dict)
    voice: dict[str, Any] = field(default_factory=dict)
    safeguarding: dict[str, str] = field(default_factory=dict)
    # Off-topic phrasings by group (flows/nlu/out_of_scope.yaml): a message closer to them is declined.
    out_of_scope: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def text(self, key: str, **values: str) -> str:
        """A piece of service wording (flows/service.yaml `messages`), with run-time values filled in."""
        return fill(self.service["messages"][key], values)

    def spoken(self, key: str, **values: str) -> str:
        """The phone-line version of a piece of wording, falling back to the text version."""
        spoken = self.service.get("spoken", {})
        return fill(spoken[key], values) if key in spoken else self.text(key, **values)

    def examples(self) -> dict[str, list[str]]:
        """Training phrasings per topic, for the NLU; the topic's title counts as one more phrasing."""
        return {
            topic.id: [*topic.examples, *([topic.title] if topic.title not in topic.examples else [])]
            for topic in self.topics.values()
        }


def texted_wording(content: Content) -> list[tuple[str, str]]:
    """Every piece of wording that can reach a phone as a text message, as (where, text) pairs.

    Service messages (but the web chat's own), topic answers with the footer, menu titles, the intake form's
    questions, choices and messages, the safety replies, and the phone line's "text it to me" intro.
    """
    footer = content.text("footer")
    found = [(f"messages.{k}", v) for k, v in content.service["messages"].items() if not k.startswith(WEB_ONLY)]
    for topic in content.topics.values():
        found += [(f"topic {topic.id}", f"{topic.answer}\n{footer}"), (f"topic {topic.id} title", topic.title),
                  (f"topic {topic.id} sms_title", topic.title_for("sms"))]
    found += [(f"category {c.id}", c.title_for("sms")) for c in content.categories]
    found += [(f"intake {where}", text) for where, text in _texted(content.intake)]
    found += [(f"safeguarding {k}", v) for k, v in content.safeguarding.items()
              if not _phone_only(k) and k != "wording_version"]
    found.append(("voice text_body_intro", str(content.voice.get("text_body_intro", ""))))
    return found


def how_long(days: int) -> str:
    """A retention period as a parent would say it: "a year", "2 years", "6 months", "45 days"."""
    if days % 365 == 0:
        years = days // 365
        return "a year" if years == 1 else f"{years} years"
    if days % 30 == 0:
        months = days // 30
        return "a month" if months == 1 else f"{months} months"
    return "a day" if days == 1 else f"{days} days"


def spell_out(code: str) -> str:
    """Characters one by one for the phone line ("K7Q-429" -> "K, 7, Q, 4, 2, 9")."""
    if not any(ch.isdigit() for ch in code):
        return code  # a name, not a number: say it as words
    return ", ".join(ch for ch in code if ch.isalnum())


def fill(template: str, values: Mapping[str, str]) -> str:
    """Fill {placeholders}; unknown ones stay visible rather than crashing a parent's turn."""
    return string.Formatter().vformat(template, (), _Missing(values))


class _Missing(dict[str, str]):
    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill_all(value: Any, variables: Mapping[str, str]) -> Any:
    """Fill placeholders in every string of a loaded flows file (lists and mappings walked through)."""
    if isinstance(value, str):
        return fill(value, variables)
    if isinstance(value, list):
        return [_fill_all(item, variables) for item in value]
    if isinstance(value, Mapping):
        return {key: _fill_all(item, variables) for key, item in value.items()}
    return value


def _texted(value: Any, where: str = "") -> list[tuple[str, str]]:
    """Every string of a flows file that can be sent as text: all but the phone line's (`spoken`, `voice`)."""
    if isinstance(value, str):
        return [(where, value)]
    if isinstance(value, list):
        return [found for i, item in enumerate(value) for found in _texted(item, f"{where}[{i}]")]
    if isinstance(value, Mapping):
        return [found for key, item in value.items() if not _phone_only(str(key))
                for found in _texted(item, f"{where}.{key}".lstrip("."))]
    return []


def _phone_only(key: str) -> bool:
    return key in ("spoken", "voice") or key.endswith("_spoken")


def _read(path: Path) -> Any:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError as exc:
        raise ContentError(f"{path}: file is missing") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML ({exc})") from exc
    _check_no_bare_words_read_as_booleans(path, data)
    return data


def _check_no_bare_words_read_as_booleans(path: Path, value: Any, where: str = "") -> None:
    """A list of words or phrases never holds true/false: YAML reads a bare yes, no, on or off as one, and the
    phrase then silently never matches (a caller saying "yes" was not understood). Quote such words."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, bool):
                raise ContentError(f"{path}: {where}[{i}] was read as {item}: put the word in quotes (\"yes\")")
            _check_no_bare_words_read_as_booleans(path, item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_no_bare_words_read_as_booleans(path, item, f"{where}.{key}" if where else str(key))


def _check_discreet(path: Path, where: str, text: str) -> None:
    """Text that can reach a phone never names the service: whoever picks the phone up reads it (policy 2.1)."""
    if "{service_name}" in text:
        raise ContentError(f"{path}: {where} is sent by text message and must not use {{service_name}}")


def _check_no_opt_out(path: Path, where: str, text: str, words: list[str], any_case: bool) -> None:
    """Texted wording never suggests an SMS opt-out word: a parent who replies with one gets no more texts.

    Service and form wording is checked in any case; topic answers only for words in capitals, the way an
    instruction is written ("to end the plan" is English, "reply END" is an opt-out).
    """
    for word in words:
        if re.search(rf"\b{re.escape(word)}\b", text, flags=re.IGNORECASE if any_case else 0):
            raise ContentError(f"{path}: {where} uses the SMS opt-out word {word}; suggest FORGET or MENU instead")


def _check_placeholders(path: Path, where: str, text: str) -> None:
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None and name not in PLACEHOLDERS:
            raise ContentError(f"{path}: {where} uses unknown placeholder {{{name}}}")


def _require(path: Path, item: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(item, Mapping) or key not in item or item[key] in (None, ""):
        raise ContentError(f"{path}: {where} needs '{key}'")
    return item[key]


def _load_topics(path: Path, topics: dict[str, Topic], variables: Mapping[str, str], opt_out: list[str]) -> Category:
    data = _read(path)
    if not isinstance(data, Mapping):
        raise ContentError(f"{path}: expected a mapping with category, title, order, topics")
    category = str(_require(path, data, "category", "the file"))
    entries = _require(path, data, "topics", "the file")
    if not isinstance(entries, list):
        raise ContentError(f"{path}: 'topics' must be a list")
    ids = []
    for index, entry in enumerate(entries):
        where = f"topic #{index + 1}"
        topic_id = str(_require(path, entry, "id", where))
        if not ID.match(topic_id):
            raise ContentError(f"{path}: {where} id '{topic_id}' must be lower_case_with_underscores")
        if topic_id in topics:
            raise ContentError(f"{path}: topic id '{topic_id}' is used twice")
        answer = str(_require(path, entry, "answer", f"topic '{topic_id}'")).strip()
        spoken = str(entry.get("spoken") or answer).strip()
        web_answer = str(entry.get("web_answer") or "").strip() or None
        for label, text in (("answer", answer), ("spoken", spoken), ("web_answer", web_answer or "")):
            _check_placeholders(path, f"topic '{topic_id}' {label}", text)
        _check_discreet(path, f"topic '{topic_id}' answer (use web_answer or spoken to name the service)", answer)
        _check_no_opt_out(path, f"topic '{topic_id}' answer", answer, opt_out, any_case=False)
        title = str(_require(path, entry, "title", f"topic '{topic_id}'"))
        sms_title = str(entry.get("sms_title") or "").strip()
        for label, text in (("title", title), ("sms_title", sms_title)):  # both are texted in menus
            _check_discreet(path, f"topic '{topic_id}' {label}", text)
            _check_no_opt_out(path, f"topic '{topic_id}' {label}", text, opt_out, any_case=False)
        examples = entry.get("examples") or []
        if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
            raise ContentError(f"{path}: topic '{topic_id}' examples must be a list of strings")
        action = entry.get("action")
        if action not in (None, "menu", "handoff"):
            raise ContentError(f"{path}: topic '{topic_id}' action must be menu or handoff, not {action!r}")
        topics[topic_id] = Topic(
            id=topic_id,
            title=title,
            category=category,
            answer=fill(answer, variables),
            spoken=fill(spoken, variables),
            examples=tuple(examples),
            action=action,
            web_answer=fill(web_answer, variables) if web_answer else None,
            sms_title=sms_title,
        )
        ids.append(topic_id)
    found = Category(category, str(data.get("title", category)), int(data.get("order", 99)), tuple(ids),
                     str(data.get("sms_title") or ""))
    _check_discreet(path, "the category's sms_title (or title)", found.title_for("sms"))
    _check_no_opt_out(path, "the category's sms_title (or title)", found.title_for("sms"), opt_out, any_case=False)
    return found


def _load_contact_times(path: Path, intake: Mapping[str, Any]) -> ContactTimes:
    """The safe-time windows; every safe_times choice the intake form offers must have one."""
    try:
        times = parse_contact_times(_read(path))
    except ContactTimesError as exc:
        raise ContentError(f"{path}: {exc}") from exc
    # A choice with no window would fall back to office hours silently: refuse to start instead.
    choices = ((intake.get("slots") or {}).get("safe_times") or {}).get("choices") or []
    for choice in choices:
        value = str(choice.get("value", "")) if isinstance(choice, Mapping) else ""
        if value not in times.windows:
            raise ContentError(f"{path}: no window for the safe_times choice {value!r} in intake.yaml")
    return times


def _load_out_of_scope(path: Path, topics: Mapping[str, Topic]) -> dict[str, tuple[str, ...]]:
    """Off-topic phrasings by group; none that is also a topic's example (it would be declined and answered)."""
    data = _read(path) if path.exists() else {}
    if not isinstance(data, Mapping):
        raise ContentError(f"{path}: expected a mapping of group: list of off-topic messages")
    trained = {" ".join(e.lower().split()): t.id for t in topics.values() for e in t.examples}
    groups: dict[str, tuple[str, ...]] = {}
    for group, texts in (data or {}).items():
        if not ID.match(str(group)):
            raise ContentError(f"{path}: group '{group}' must be lower_case_with_underscores")
        if not isinstance(texts, list) or not texts or not all(isinstance(t, str) and t.strip() for t in texts):
            raise ContentError(f"{path}: group '{group}' must be a list of messages (text)")
        for text in texts:
            topic = trained.get(" ".join(text.lower().split()))
            if topic:
                raise ContentError(f"{path}: '{text}' in group '{group}' is also an example of topic '{topic}'")
        groups[str(group)] = tuple(texts)
    return groups


def load_content(flows_dir: Path, variables: Mapping[str, str] | None = None) -> Content:
    """Load and check every flows file; a broken file fails with a message naming it and the problem."""
    variables = dict(variables or {})
    service_path = flows_dir / "service.yaml"
    service = _read(service_path)
    if not isinstance(service, Mapping) or not isinstance(service.get("messages"), Mapping):
        raise ContentError(f"{service_path}: expected 'messages' (a mapping of wording)")
    for section in ("messages", "spoken"):
        for key, text in (service.get(section) or {}).items():
            _check_placeholders(service_path, f"{section}.{key}", str(text))
    opt_out = [str(w).upper() for w in (service.get("keywords") or {}).get("stop", [])]
    for key, text in service["messages"].items():
        if not str(key).startswith(WEB_ONLY):
            _check_discreet(service_path, f"messages.{key} (only web_* messages may name the service)", str(text))
            _check_no_opt_out(service_path, f"messages.{key}", str(text), opt_out, any_case=True)
    service = dict(service)
    service["messages"] = {k: fill(str(v), variables) for k, v in service["messages"].items()}
    service["spoken"] = {k: fill(str(v), variables) for k, v in (service.get("spoken") or {}).items()}
    topics: dict[str, Topic] = {}
    topic_files = sorted((flows_dir / "topics").glob("*.yaml"))
    if not topic_files:
        raise ContentError(f"{flows_dir / 'topics'}: no topic files (*.yaml) found")
    categories = sorted(
        (_load_topics(path, topics, variables, opt_out) for path in topic_files), key=lambda c: (c.order, c.id)
    )
    lexicon_path = flows_dir / "nlu" / "lexicon.yaml"
    lexicon = _read(lexicon_path) if lexicon_path.exists() else {}
    if not isinstance(lexicon, Mapping):
        raise ContentError(f"{lexicon_path}: expected a mapping of shorthand: expansion")
    intake_path, voice_path = flows_dir / "intake.yaml", flows_dir / "voice.yaml"
    # Service values (name, phone) are filled once here; per-turn values ({reference}...) stay for later.
    raw_intake = _read(intake_path) if intake_path.exists() else {}
    for where, text in _texted(raw_intake):
        _check_discreet(intake_path, where, text)
        _check_no_opt_out(intake_path, where, text, opt_out, any_case=True)
    intake = _fill_all(raw_intake, variables)
    voice = _fill_all(_read(voice_path), variables) if voice_path.exists() else {}
    contact_times = _load_contact_times(flows_dir / "contact_times.yaml", intake or {})
    safeguarding_path = flows_dir / "safeguarding.yaml"
    safeguarding = _read(safeguarding_path) if safeguarding_path.exists() else {}
    responses = (safeguarding or {}).get("responses") or {}
    for key in ("risk", "unsure"):
        if key not in responses:
            raise ContentError(f"{safeguarding_path}: responses.{key} is missing")
    return Content(
        safeguarding={k: fill(str(v).strip(), variables) for k, v in responses.items()}
        | {"wording_version": str(safeguarding.get("wording_version", "sg-1"))},
        topics=topics,
        categories=tuple(categories),
        service=service,
        lexicon={str(k).lower(): str(v).lower() for k, v in lexicon.items()},
        contact_times=contact_times,
        intake=intake or {},
        voice=voice or {},
        out_of_scope=_load_out_of_scope(flows_dir / "nlu" / "out_of_scope.yaml", topics),
    )
