"""Whole messages of one kind in the parent's own words, as the phrase lists in flows/service.yaml describe them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

NOT_WORDS = re.compile(r"[^A-Z' ]+")


def plain_words(text: str) -> str:
    """Capitals, curly apostrophes straightened, punctuation and the word PLEASE dropped, spaces collapsed."""
    words = NOT_WORDS.sub(" ", text.upper().replace("\u2019", "'")).split()
    return " ".join(w for w in words if w != "PLEASE")


def words(text: str) -> tuple[str, ...]:
    """As plain_words, with apostrophes dropped too ("I'D" and "ID" alike): the form the phrase lists use."""
    return tuple(plain_words(text).replace("'", "").split())


class Phrasing:
    """One kind of whole message in the parent's own words, as a flows/service.yaml phrase list describes it.

    A message is up to two leads, one verb (or none), one of `say`, then nothing or a tail (see the YAML).
    """

    def __init__(self, spec: Mapping[str, Any]) -> None:
        def phrases(key: str) -> frozenset[tuple[str, ...]]:
            return frozenset(words(str(p)) for p in spec.get(key) or [])

        self.leads, self.verbs, self.say = phrases("leads"), phrases("verbs") | {()}, phrases("say")
        self.tails, self.fillers = phrases("tails"), phrases("fillers")
        self.tail_words = int(spec.get("tail_words", 1000))
        self._longest = max((len(p) for p in self.leads | self.verbs | self.say | self.tails), default=0)
        self._last = frozenset(p[-1] for p in self.say if p)  # a message with none of these is none of them

    def rest(self, text: str) -> tuple[str, ...] | None:
        """The words after the phrase when the message is one of these (None when it is not)."""
        said = words(text)
        if self._last.isdisjoint(said):
            return None  # most messages: one set check per turn, not a walk through the phrases
        for start in self._starts(said):
            for verb in range(start, min(start + self._longest, len(said)) + 1):
                if said[start:verb] not in self.verbs:
                    continue
                for end in range(verb + 1, min(verb + self._longest, len(said)) + 1):
                    if said[verb:end] in self.say and self._tail(said[end:]):
                        return said[end:]
        return None

    def said(self, text: str) -> bool:
        """True when the whole message is one of these."""
        return self.rest(text) is not None

    def said_alone(self, text: str) -> bool:
        """True when the whole message is one of these with nothing but `fillers` after it ("help me please")."""
        rest = self.rest(text)
        return rest is not None and self.only_fillers(rest)

    def only_fillers(self, rest: tuple[str, ...]) -> bool:
        """True when the words after the phrase say nothing more ("something", "to my enquiry")."""
        at = 0
        while at < len(rest):
            step = next((n for n in range(len(rest) - at, 0, -1) if rest[at:at + n] in self.fillers), 0)
            if not step:
                return False
            at += step
        return True

    def _starts(self, words: tuple[str, ...]) -> list[int]:
        """Where the phrase may begin: at the start, or after one or two leads."""
        starts = [0]
        for _ in range(2):
            starts += [s + n for s in starts for n in range(1, self._longest + 1) if words[s:s + n] in self.leads]
        return sorted(set(starts))

    def _tail(self, rest: tuple[str, ...]) -> bool:
        if not rest:
            return True
        if len(rest) > self.tail_words:
            return False
        return not self.tails or any(rest[:n] in self.tails for n in range(1, len(rest) + 1))
