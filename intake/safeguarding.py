"""Safeguarding: notice a possible risk to a child, or to the parent themselves, in any inbound message (7.1)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import yaml

from intake.safeguarding_quotes import Quotes, Vocabulary, vocabulary

Level = Literal["risk", "unsure", "none"]
# Whom the concern is about: a child (the default) or the parent themselves (in crisis, at risk of
# suicide or self-harm). A parent in crisis is still level "risk": urgent, duty alert, no topic answer.
About = Literal["child", "parent", "both"]

RESPONSE_KEYS = ("risk", "risk_spoken", "risk_enquiry", "risk_enquiry_spoken", "crisis", "crisis_spoken",
                 "crisis_enquiry", "crisis_enquiry_spoken", "unsure", "unsure_spoken", "unsure_parent",
                 "unsure_parent_spoken", "unsure_young", "unsure_young_spoken", "unsure_again", "unsure_again_spoken",
                 "unsure_young_again", "unsure_young_again_spoken", "unsure_yes", "unsure_no", "unsure_no_offer",
                 "known", "known_spoken", "known_parent", "known_parent_spoken")
_PLACEHOLDERS = {
    "risk": ("{mash_phone}", "{reference}"),
    "risk_spoken": ("{mash_phone_spoken}", "{reference_spoken}"),
    "risk_enquiry": ("{mash_phone}", "{reference}"),
    "risk_enquiry_spoken": ("{mash_phone_spoken}", "{reference_spoken}"),
    "crisis": ("{reference}",),
    "crisis_spoken": ("{reference_spoken}",),
    "crisis_enquiry": ("{reference}",),
    "crisis_enquiry_spoken": ("{reference_spoken}",),
    "known": ("{reference}",),
    "known_spoken": ("{reference_spoken}",),
    "known_parent": ("{reference}",),
    "known_parent_spoken": ("{reference_spoken}",),
}
# Twilio's opt-out words: a parent who replies with one of them stops all texts, emergency ones included.
_OPT_OUT = re.compile(r"\b(stop|stopall|unsubscribe|cancel|end|quit)\b", re.IGNORECASE)
# GSM 03.38 basic character set (plus {} for placeholders, which are filled before sending).
_GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà{}"
)
_MAX_TRIGGERS = 6

_APOSTROPHE = re.compile(r"['’‘`´ʼ]")
_SENTENCE_END = re.compile(r"[.!?;\n\r]+")
_ENDS = (".", "!", "?", ";", "\n", "\r")
_NOT_WORD = re.compile(r"[^\w.]+|_+")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d])|(?<=[^\W\d])(?=\d)")
_REPEATS = re.compile(r"([^\W\d])\1{2,}")
_DOUBLES = re.compile(r"([^\W\d])\1")
_LIST_REF = re.compile(r"(\{[^{}]*\})")
_GROUP_OPEN = re.compile(r"\((?!\?)")
_STEM = re.compile(r"(?<=\w)\*")
_SENTINELS = {"~~": "\x01", "~d": "\x02", "~": "\x03"}  # longest first


@dataclass(frozen=True)
class Assessment:
    """What the detector made of one message; triggers explain it to caseworkers and are never logged."""

    level: Level
    triggers: tuple[str, ...] = ()
    about: About = "child"
    # unsure only: after "no, no child is in danger", offer a caseworker instead of replaying the message
    offer: bool = False
    # more wording said after the safety words (an unsure question: before it), named by what matched (a category's
    # `also_say`), e.g. "young_person": mental-health crisis help for a child who spoke of suicide or self-harm
    also_say: tuple[str, ...] = ()
    # capitalised words the quotes left out inside a sentence ("hits Jamie with a belt"): names most likely,
    # to be taken out of the parent's words kept beside the triggers as well
    names: tuple[str, ...] = ()
    # unsure only: the writer says they are a child or young person (`young_writer`): the question is put to them
    young: bool = False

    @property
    def is_risk(self) -> bool:
        """True when the child-protection response must start at once."""
        return self.level == "risk"


@dataclass(frozen=True)
class SafeguardingRules:
    """Compiled patterns and the bot's wording, built from flows/safeguarding.yaml."""

    risk: re.Pattern[str]
    unsure: re.Pattern[str]
    benign: re.Pattern[str] | None
    categories: Mapping[str, str]
    spelling: Mapping[str, str]
    wording_version: str
    responses: Mapping[str, str]
    source: Path = field(compare=False)
    crisis: re.Pattern[str] | None = None
    parent_categories: frozenset[str] = frozenset()  # unsure categories about the parent themselves
    offer_categories: frozenset[str] = frozenset()  # unsure categories answered with a caseworker offer
    # categories whose match adds a wording of its own to the safety words or question (`also_say`)
    also_say: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # the words a trigger's quote may keep (intake/safeguarding_quotes.py)
    vocabulary: Vocabulary = field(default_factory=lambda: vocabulary(()), compare=False)
    # the writer says they are a child ("im 15", "im in year 9"): a crisis match is then read as this risk category
    young_writer: re.Pattern[str] | None = None
    young_writer_risk: str = ""
    # ... and their own distress (an `about: parent` unsure match, or `young_writer.distress`) this unsure category
    young_writer_unsure: str = ""
    young_writer_distress: re.Pattern[str] | None = None


def load_rules(path: Path) -> SafeguardingRules:
    """Read and compile the rules file; raise ValueError naming the file and the problem."""
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read safeguarding rules: {exc}") from exc
    try:
        return _compile(data, Path(path))
    except (KeyError, TypeError, AttributeError, re.error, _RuleError) as exc:
        raise ValueError(f"{path}: malformed safeguarding rules: {exc}") from exc


def assess(text: str, rules: SafeguardingRules) -> Assessment:
    """Assess one inbound message: a parent in crisis and risk first, then weaker signals not explained by an
    everyday phrase. A risk match wholly inside a parent-in-crisis match ("i want to kill myself") is the
    parent's crisis, not a second, child concern."""
    words = normalise(text, rules.spelling)
    quotes = Quotes(text, words, lambda token: _token_words(token, rules.spelling), rules.vocabulary)
    crisis = _triggers(rules.crisis, words, rules.categories, quotes, ()) if rules.crisis is not None else ()
    if crisis and rules.young_writer is not None and rules.young_writer.search(words) is not None:
        # a child or young person's own words of suicide or self-harm: a child at risk (7.1), never adult help
        own = tuple(f"{rules.young_writer_risk}: {t.partition(': ')[2]}" for t in crisis)
        triggers = _triggers(rules.risk, words, rules.categories, quotes, _spans(rules.crisis, words))
        triggers = tuple(dict.fromkeys(own + triggers))
        return Assessment("risk", triggers, also_say=_also_say(triggers, rules), names=tuple(quotes.names))
    triggers = _triggers(rules.risk, words, rules.categories, quotes, _spans(rules.crisis, words) if crisis else ())
    if crisis:
        return Assessment("risk", crisis + triggers, "both" if triggers else "parent",
                          also_say=_also_say(crisis + triggers, rules), names=tuple(quotes.names))
    if triggers:
        return Assessment("risk", triggers, also_say=_also_say(triggers, rules), names=tuple(quotes.names))
    young = rules.young_writer is not None and rules.young_writer.search(words) is not None
    distress = rules.young_writer_distress if young else None
    if rules.unsure.search(words) is None and (distress is None or distress.search(words) is None):
        return Assessment("none")
    triggers = _triggers(rules.unsure, words, rules.categories, quotes, _spans(rules.benign, words))
    if young and rules.young_writer_unsure:
        # a child or young person's own distress ("im 14 and i cant cope"): about a child, never adult help (7.1)
        own = _triggers(distress, words, rules.categories, quotes, ()) if distress is not None else ()
        renamed = tuple(f"{rules.young_writer_unsure}: {t.partition(': ')[2]}"
                        if t.partition(": ")[0] in rules.parent_categories else t for t in triggers)
        if own or renamed != triggers:
            triggers = tuple(dict.fromkeys(renamed + own))
            return Assessment("unsure", triggers, "child", offer=True, names=tuple(quotes.names), young=True)
    if triggers:
        matched = {t.partition(": ")[0] for t in triggers}
        about: About = "parent" if matched & rules.parent_categories else "child"
        # One worry that is not a topic question (a child being hurt, trouble at home) is enough: after "no" a
        # caseworker is offered rather than a topic answer, as "no" may mean only "not at this minute".
        return Assessment("unsure", triggers, about, offer=bool(matched & rules.offer_categories),
                          also_say=_also_say(triggers, rules), names=tuple(quotes.names), young=young)
    return Assessment("none")


def _also_say(triggers: tuple[str, ...], rules: SafeguardingRules) -> tuple[str, ...]:
    """The extra wordings the matched categories name, each once, in the order they matched."""
    keys = (rules.also_say.get(t.partition(": ")[0]) for t in triggers)
    return tuple(dict.fromkeys(k for k in keys if k))


def normalise(text: str, spelling: Mapping[str, str]) -> str:
    """Lower-case words separated by single spaces (padded), shorthand expanded, '.' ending sentences."""
    text = unicodedata.normalize("NFKC", text).lower()
    if "@" in text:
        text = text.replace("@", " at ")  # "hes gettin hurt @ home"
    text = _APOSTROPHE.sub("", text)
    text = _SENTENCE_END.sub(" . ", text)
    text = _NOT_WORD.sub(" ", text)
    text = _DIGIT_LETTER.sub(" ", text)
    text = _REPEATS.sub(r"\1\1", text)
    words = [_spell(word, spelling) for word in text.split()]
    return " " + " ".join(words) + " "


def _token_words(token: str, spelling: Mapping[str, str]) -> list[str]:
    """The normalised words one token of the parent's text makes, as inside the whole message (quick for
    plain words, which most are)."""
    if token.isascii():
        plain = token.lower().replace("'", "").replace("`", "")
        if plain.isalpha():
            return _spell(_REPEATS.sub(r"\1\1", plain), spelling).split()
        if plain[:1] in _ENDS:  # a run of sentence ends (safeguarding_quotes._TOKEN): one "." word
            return ["."]
        if len(token) == 1 and not token.isalnum():  # any other ASCII mark but "@" is a space
            return ["at"] if token == "@" else []
    return normalise(token, spelling).split()


def _spans(pattern: re.Pattern[str] | None, words: str) -> tuple[tuple[int, int], ...]:
    """Every (possibly overlapping) span an everyday phrase covers."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while pattern is not None:
        match = pattern.search(words, pos)
        if match is None:
            break
        spans.append(match.span())
        pos = match.start() + 1
    return tuple(spans)


def _spell(word: str, spelling: Mapping[str, str]) -> str:
    """Expand shorthand; 'kiill' (from 'kiiiill') falls back to its single-letter form 'kil'."""
    if word in spelling:
        return spelling[word]
    single = _DOUBLES.sub(r"\1", word)
    return spelling.get(single, word)


def _triggers(
    pattern: re.Pattern[str], words: str, categories: Mapping[str, str], quotes: Quotes,
    benign: tuple[tuple[int, int], ...],
) -> tuple[str, ...]:
    """Readable names of what matched, skipping matches wholly inside an everyday (benign) phrase; each quotes
    the parent's own words, names and other unknown words left out (intake/safeguarding_quotes.py)."""
    found: list[str] = []
    pos = 0
    while len(found) < _MAX_TRIGGERS:
        match = pattern.search(words, pos)
        if match is None:
            break
        start, end = match.span()
        if any(b_start <= start and end <= b_end for b_start, b_end in benign):
            pos = start + 1  # an overlapping, unexplained match may still start inside it
            continue
        trigger = f"{categories[match.lastgroup or '']}: '{quotes.quote(start, end)}'"
        if trigger not in found:
            found.append(trigger)
        pos = end
    return tuple(found)


class _RuleError(Exception):
    """A problem in the rules file (wrapped into ValueError with the file name)."""


def _compile(data: Any, source: Path) -> SafeguardingRules:
    """Turn the parsed YAML into compiled level patterns."""
    if not isinstance(data, dict):
        raise _RuleError("expected a mapping at the top level")
    responses = _responses(data.get("responses"))
    version = data.get("wording_version")
    if not isinstance(version, str) or not version:
        raise _RuleError("wording_version must be a non-empty string")
    spelling = {str(k): str(v) for k, v in (data.get("spelling") or {}).items()}
    compiler = _PatternCompiler(data.get("lists") or {}, data.get("gaps") or {}, data.get("possessive"))
    categories: dict[str, str] = {}
    levels: dict[str, re.Pattern[str] | None] = {}
    parent: set[str] = set()
    offer: set[str] = set()
    also_say: dict[str, str] = {}
    for level in ("crisis", "risk", "unsure", "benign"):
        groups = []
        for category in data.get(level) or []:
            name = category["name"]
            if category.get("about", "child") == "parent":
                parent.add(str(name))
            if category.get("offer_caseworker"):
                offer.add(str(name))
            if category.get("also_say"):
                also_say[str(name)] = _also_say_key(level, str(name), category["also_say"], responses)
            alternatives = [compiler.pattern(p) for p in category["patterns"]]
            group = f"g{len(categories)}"
            categories[group] = str(name)
            groups.append(f"(?P<{group}>{'|'.join(alternatives)})")
        if level in ("risk", "unsure") and not groups:
            raise _RuleError(f"no {level} patterns")
        # every match starts at a word; checking that once, not per pattern, keeps it fast
        levels[level] = re.compile("(?<= )(?:" + "|".join(groups) + ")") if groups else None
    risk, unsure = levels["risk"], levels["unsure"]
    assert risk is not None and unsure is not None
    young = data.get("young_writer") or {}
    young_risk = str(young.get("risk", ""))
    if young and young_risk not in {str(c["name"]) for c in data.get("risk") or []}:
        raise _RuleError(f"young_writer.risk must name a risk category, not {young_risk!r}")
    young_writer = (re.compile("(?<= )(?:" + "|".join(compiler.pattern(p) for p in young["patterns"]) + ")")
                    if young else None)
    young_unsure = str(young.get("unsure", ""))
    unsure_names = {str(c["name"]) for c in data.get("unsure") or []}
    if young_unsure and (young_unsure not in unsure_names or young_unsure in parent):
        raise _RuleError(f"young_writer.unsure must name an unsure category about a child, not {young_unsure!r}")
    distress = young.get("distress") or []
    if distress and not young_unsure:
        raise _RuleError("young_writer.distress needs young_writer.unsure")
    distress_group = f"(?P<g{len(categories)}>" + "|".join(compiler.pattern(p) for p in distress) + ")"
    young_distress = re.compile("(?<= )" + distress_group) if distress else None
    if distress:
        categories[f"g{len(categories)}"] = young_unsure
    return SafeguardingRules(
        risk=risk,
        unsure=unsure,
        benign=levels["benign"],
        categories=MappingProxyType(categories),
        spelling=MappingProxyType(spelling),
        wording_version=version,
        responses=MappingProxyType(responses),
        source=source,
        crisis=levels["crisis"],
        parent_categories=frozenset(parent),
        offer_categories=frozenset(offer),
        also_say=MappingProxyType(also_say),
        vocabulary=vocabulary(_strings({k: v for k, v in data.items() if k not in ("responses", "wording_version")})),
        young_writer=young_writer,
        young_writer_risk=young_risk,
        young_writer_unsure=young_unsure,
        young_writer_distress=young_distress,
    )


def _also_say_key(level: str, name: str, key: Any, responses: dict[str, str]) -> str:
    """A category's `also_say`: a wording of the responses, with its spoken version, said after a risk reply
    (before an unsure category's question)."""
    if level not in ("crisis", "risk", "unsure"):
        raise _RuleError(f"{level} category {name!r}: also_say is for crisis, risk and unsure categories only")
    key = str(key)
    for needed in (key, f"{key}_spoken"):
        if needed not in responses:
            raise _RuleError(f"{level} category {name!r}: also_say needs responses.{needed}")
    return key


def _strings(node: Any) -> Iterator[str]:
    """Every string in the rules (words of lists, patterns, respellings, gaps): the words a quote may keep."""
    if isinstance(node, dict):
        for value in node.values():  # not the keys: "max_words" is no reason to quote a "Max"
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif node is not None:
        yield str(node)


def _responses(raw: Any) -> dict[str, str]:
    """Check the bot's wording: every key present, placeholders there, GSM-7 characters only."""
    if not isinstance(raw, dict):
        raise _RuleError("responses must be a mapping")
    responses: dict[str, str] = {}
    # the keys the bot always needs, then any more a manager added for a category's `also_say`
    for key in (*RESPONSE_KEYS, *(str(k) for k in raw if k not in RESPONSE_KEYS)):
        text = raw.get(key)
        if not isinstance(text, str) or not text.strip():
            raise _RuleError(f"responses.{key} is missing")
        bad = sorted(set(text) - _GSM7)
        if bad:
            raise _RuleError(f"responses.{key} has characters outside GSM-7: {bad!r}")
        if not key.endswith("_spoken") and _OPT_OUT.search(text):
            raise _RuleError(f"responses.{key} uses an SMS opt-out word (STOP, CANCEL, END, QUIT)")
        for placeholder in _PLACEHOLDERS.get(key, ()):
            if placeholder not in text:
                raise _RuleError(f"responses.{key} must contain {placeholder}")
        responses[key] = text.strip()
    return responses


class _PatternCompiler:
    """Compile the small pattern language described at the top of flows/safeguarding.yaml."""

    def __init__(self, lists: Any, gaps: Any, possessive: Any) -> None:
        if not isinstance(lists, dict):
            raise _RuleError("lists must be a mapping")
        self._lists: dict[str, list[str]] = {str(k): [str(e) for e in v] for k, v in lists.items()}
        self._cache: dict[str, str] = {}
        possessive = possessive or {}
        self._possessive = {str(w) for w in possessive.get("words", [])}
        self._possessive_lists = {str(n) for n in possessive.get("in_lists", ["child"])}
        not_before = [e for item in possessive.get("not_before", []) for e in self._entries(str(item), "")]
        self._not_possessed = f"(?! (?:{'|'.join(not_before)})(?: |$))" if not_before else ""
        near, wide, det = gaps.get("near", {}), gaps.get("wide", {}), gaps.get("det", {})
        self._gaps = {
            "~": f"(?:{_gap_word(near)}){{0,{int(near.get('max_words', 4))}}}",
            "~~": f"(?:{_gap_word(wide)}){{0,{int(wide.get('max_words', 8))}}}",
            "~d": f"(?:{self._list(str(det.get('list', 'det')))} ){{0,{int(det.get('max_words', 3))}}}",
        }

    def pattern(self, source: Any) -> str:
        """One pattern as a regex over normalised text; every word match ends with its space."""
        tokens = _split(str(source))
        parts = []
        for token in tokens:
            if token in self._gaps:
                parts.append(self._gaps[token])
            elif token.endswith("?") and len(token) > 1:
                parts.append(f"(?:(?:{self._token(token[:-1])}) )?")
            else:
                parts.append(f"(?:{self._token(token)}) ")
        regex = "".join(parts)
        compiled = re.compile(regex)
        if compiled.fullmatch(""):
            raise _RuleError(f"pattern {source!r} can match nothing at all")
        if all(t in self._gaps or t.endswith("?") for t in tokens):
            raise _RuleError(f"pattern {source!r} needs at least one required word")
        return regex

    def _token(self, token: str) -> str:
        """Regex for one token: {list}s, stems (word*), digits (#), (a|b) groups and gaps inside them."""
        for gap, sentinel in _SENTINELS.items():
            token = re.sub(rf"(?<= ){re.escape(gap)} ", sentinel, token)
        out = []
        for piece in _LIST_REF.split(token):
            if piece.startswith("{") and piece.endswith("}"):
                out.append("(?:" + "|".join(self._list(n.strip()) for n in piece[1:-1].split("|")) + ")")
            else:
                piece = _GROUP_OPEN.sub("(?:", piece)
                out.append(_STEM.sub(r"\\w*", piece).replace("#", r"\d+"))
        regex = "".join(out)
        for gap, sentinel in _SENTINELS.items():
            regex = regex.replace(sentinel, self._gaps[gap])
        return regex

    def _list(self, name: str) -> str:
        """A named list as one alternation (longest entries first)."""
        if name not in self._cache:
            if name not in self._lists:
                raise _RuleError(f"unknown list {{{name}}}")
            self._cache[name] = ""  # a list that includes itself adds nothing
            entries = [e for item in self._lists[name] for e in self._entries(item, name)]
            self._cache[name] = "(?:" + "|".join(sorted(set(entries), key=lambda e: (-len(e), e))) + ")"
        return self._cache[name]

    def _entries(self, item: str, list_name: str) -> list[str]:
        """Regexes for one list entry: a phrase (word* stems, # digits) or an included {list}."""
        if item.startswith("{") and item.endswith("}"):
            included = self._list(item[1:-1])
            return [included] if included else []
        words = [re.escape(w).replace(r"\*", r"\w*").replace(r"\#", r"\d+") for w in item.split()]
        if not words:
            raise _RuleError("empty list entry")
        regex = " ".join(words)
        if item in self._possessive and list_name in self._possessive_lists:
            regex += self._not_possessed
        return [regex]


def _gap_word(gap: Mapping[str, Any]) -> str:
    """One word a gap may skip: any word except the listed subject-changing ones."""
    stop = "|".join(re.escape(str(w)) for w in gap.get("not", []))
    return rf"(?!(?:{stop}) )\w++ " if stop else r"\w++ "


def _split(source: str) -> list[str]:
    """Split a pattern on spaces outside (...) and {...}."""
    tokens: list[str] = []
    depth = 0
    current = ""
    for char in source:
        if char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
            if depth < 0:
                raise _RuleError(f"unbalanced brackets in pattern {source!r}")
        if char.isspace() and depth == 0:
            if current:
                tokens.append(current)
            current = ""
        else:
            current += char
    if depth != 0:
        raise _RuleError(f"unbalanced brackets in pattern {source!r}")
    if current:
        tokens.append(current)
    if not tokens:
        raise _RuleError("empty pattern")
    return tokens
