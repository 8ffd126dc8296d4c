"""Turns a parent's raw message into the words the classifier compares: shorthand expanded, typos corrected."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping

# Function words carry no topic; removing them stops "my" and "the" making unrelated messages look alike.
# Question words, "not", "you"/"me" (questions about the service itself), greetings and thanks are kept.
STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for from with about as into onto is are was were be been "
    "being am it its this that these those there their theyre they them he she his her him hes shes i my "
    "mine we us our do does did doing done have has had having just so some any can could would should "
    "will shall may might must also too get got im ive id ill then than".split()
)
MAX_CHARS = 2000  # longer input is cut: no parent's question needs more, and it bounds the work per message
# A lexicon key ending in "$" matches only at the end of a message: "what time is it $" is the time of day, but
# "what time is it best to call you" asks our opening hours. Stands for the end after the last word; no token
# of a message can be it (base_tokens keeps only letters and digits).
END = "$"

_APOSTROPHES = re.compile(r"['\u2018\u2019`]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
# (ending, replacement, shortest word it applies to), first match wins
_ENDINGS = (
    ("ies", "y", 5),
    ("sses", "ss", 5),
    ("ments", "", 9),
    ("ment", "", 8),
    ("ings", "", 7),
    ("ing", "", 6),
    ("ed", "", 5),
    ("ss", "ss", 4),
    ("us", "us", 4),
    ("is", "is", 4),
    ("s", "", 4),
)
_REPEATS = re.compile(r"([a-z])\1{2,}")


def base_tokens(text: str) -> list[str]:
    """Lowercase, strip accents and punctuation, squash stretched letters ("pleeease")."""
    text = unicodedata.normalize("NFKD", text[:MAX_CHARS].lower())
    text = _APOSTROPHES.sub("", text.encode("ascii", "ignore").decode("ascii"))
    return [_REPEATS.sub(r"\1\1", token) for token in _NON_WORD.split(text) if token]


class Normaliser:
    """Turns raw text into content tokens: shorthand expanded by the lexicon, typos mapped to known words."""

    def __init__(self, lexicon: Mapping[str, str]) -> None:
        """Index the lexicon's phrases by their first token so the longest match is found in one pass."""
        self.phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for key, expansion in lexicon.items():
            tokens = tuple(base_tokens(str(key)))
            if tokens:
                self.phrases[tokens + ((END,) if str(key).rstrip().endswith(END) else ())] = tuple(
                    base_tokens(str(expansion))
                )
        self.longest = max((len(key) for key in self.phrases), default=0)
        self.vocabulary: Counter[str] = Counter()
        self.deletions: dict[str, list[str]] = {}
        self.real_words: set[str] = set()  # left as they are, but no typo is corrected into them

    def leave_alone(self, tokens_per_example: Iterable[list[str]]) -> None:
        """Remember words that are not typos though the vocabulary lacks them ("fine" is no slip of "find")."""
        for tokens in tokens_per_example:
            self.real_words.update(tokens)

    def learn(self, tokens_per_example: Iterable[list[str]]) -> None:
        """Remember the training vocabulary, for correcting one-letter typos in messages."""
        for tokens in tokens_per_example:
            self.vocabulary.update(set(tokens))
        index: dict[str, set[str]] = defaultdict(set)
        for word in self.vocabulary:
            if len(word) >= 4 and word.isalpha():
                for variant in _deletions(word):
                    index[variant].add(word)
        # Most common word first, then alphabetical: corrections must be deterministic.
        self.deletions = {
            variant: sorted(words, key=lambda w: (-self.vocabulary[w], w)) for variant, words in index.items()
        }

    def tokens(self, text: str) -> list[str]:
        """Content tokens of a message, in order."""
        raw = self._expand(base_tokens(text))
        content = [t for i, t in enumerate(raw) if t not in STOPWORDS or (i and raw[i - 1] == "section")]
        return [self._correct(token) for token in content]

    def _expand(self, tokens: list[str]) -> list[str]:
        """Replace the longest lexicon phrase starting at each position (END marks the message's end)."""
        tokens = [*tokens, END]
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for size in range(min(self.longest, len(tokens) - i), 0, -1):
                expansion = self.phrases.get(tuple(tokens[i : i + size]))
                if expansion is not None:
                    out.extend(expansion)
                    i += size
                    break
            else:
                out.append(tokens[i])
                i += 1
        if out and out[-1] == END:  # no phrase ending the message was replaced: END is no word of it
            out.pop()
        return out

    def _correct(self, word: str) -> str:
        """Stem a word, and map it to a known word a single slip away if it is unknown."""
        token = stem(word)
        real = token in self.vocabulary or token in self.real_words
        if not self.deletions or real or len(token) < 4 or not token.isalpha():
            return token
        for variant in (token, *_deletions(token)):
            for known in self.deletions.get(variant, ()):
                if _one_slip(token, known):
                    return known
        # A letter too many: without it the word is known ("helloo", "suspendedd"). Not when that is a short
        # word: a real word one letter longer than a short one is usually another word ("telly", "tell").
        for variant in _deletions(word):
            known = stem(variant)
            if len(known) >= 5 and known in self.vocabulary:
                return known
        return token


def stem(word: str) -> str:
    """Strip common English endings so "appeals", "appealing" and "appealed" meet."""
    if not word.isalpha() or len(word) < 4:
        return word
    for suffix, replacement, shortest in _ENDINGS:
        if word.endswith(suffix) and len(word) >= shortest:
            word = word[: len(word) - len(suffix)] + replacement
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def _one_slip(typed: str, word: str) -> bool:
    """One letter missed, added or changed, or two neighbours swapped: one typing slip, not two.

    Words sharing a one-letter deletion can be two slips apart ("weather", "whether"): those are other words.
    """
    if len(typed) != len(word):
        return True  # one letter more or fewer: a shared deletion means exactly one slip
    diff = [i for i, (a, b) in enumerate(zip(typed, word, strict=True)) if a != b]
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        return typed[diff[0]] == word[diff[1]] and typed[diff[1]] == word[diff[0]]
    return len(diff) == 1


def _deletions(word: str) -> list[str]:
    """The word with each single letter removed (symmetric-delete spelling correction)."""
    return [word[:i] + word[i + 1 :] for i in range(len(word))]
