"""What the safeguarding detector matched, quoted in the parent's own words for the caseworker, minus names.

The detector reads lower-cased, respelt words ("tom's dad" -> "toms dad"), so a quote of those hides the
capitals and cues the name finder (intake/minimise.py) relies on. A quote is taken from the parent's text
instead, and keeps only words the rules themselves use or everyday words: anything else inside a matched
phrase, a name most often ("my ex Dave hits our son", "hits Jamie with a belt"), a number or an address, is
left out as "[...]". The whole message, with names and numbers taken out, is kept beside it as the disclosure
note (bot/safety.py); where the triggers are stored (intake/concerns.py), `minimised` takes out of the quotes
whatever the name finder found in that whole message as well.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from intake.minimise import COMMON, DESCRIBING, GENERIC, Finding, capitalised_name, find_personal_data, redact

MASK = "[...]"
_WORDS = re.compile(r"[^\W\d_]+\*?")
# A run of sentence ends (one "." word, apostrophes being dropped), a word (apostrophes and accents inside
# it), or one other character: each normalises on its own exactly as it does inside the whole message.
_TOKEN = re.compile(r"['’‘`´ʼ]*[.!?;\n\r][.!?;\n\r'’‘`´ʼ]*|(?:[\w'’‘`´ʼ]|[\u0300-\u036f])+|[^\w\s]")
_MASKS = re.compile(r"\[\.\.\.\](?:[^\w\[]*\[\.\.\.\])+")
_SHORT_NUMBER = 2  # "my 12 yr old": an age is kept; a longer number (a phone, a house) is not
# What may follow a "stem*" of the rules in a kept word: an ordinary ending ("slap*": slapped, slapping), not any
# letters ("bash*" is no reason to quote "Bashir").
_ENDINGS = (r"(?:[bdgkmnpt](?=[eiy]))?(?:s|es|e|ed|d|er|ers|ing|ings|y|ies|ied|ive|ively|ion|ions|ation|ations|ment|"
            r"ments|al|ally|ly|ful|ic|ical|ity|ness|ist|ists|ise|ised|ising|ize|ized|izing|t|ts|en|ened|ening|ure|ured|"
            r"uring|ous|ate|ated|ating|phile|philes|ography|ographic)?$")


@dataclass(frozen=True)
class Vocabulary:
    """The words a quote may keep: every word of the rules file, and everyday words that never name anyone."""

    words: frozenset[str]
    stems: re.Pattern[str] | None  # "restrain*" in a rule: restrained, restraint...

    def knows(self, word: str) -> bool:
        """True for a word of the rules, a short number or a sentence end."""
        return (word in self.words or (word.isdigit() and len(word) <= _SHORT_NUMBER)
                or (self.stems is not None and self.stems.match(word) is not None))


def vocabulary(sources: Iterable[str]) -> Vocabulary:
    """The vocabulary of the rules: each source is a pattern, list entry or respelling from the rules file."""
    words: set[str] = set(COMMON) | {"."}
    stems: set[str] = set()
    for source in sources:
        for word in _WORDS.findall(source.lower()):
            (stems if word.endswith("*") else words).add(word.rstrip("*"))
    stem = "|".join(sorted((re.escape(s) for s in stems if s), key=len, reverse=True))
    return Vocabulary(frozenset(words), re.compile(f"(?:{stem}){_ENDINGS}") if stem else None)


class Quotes:
    """Quotes for one message's matches: built only when something matched, traced back once."""

    def __init__(self, text: str, words: str, split: Callable[[str], list[str]], known: Vocabulary) -> None:
        self._text, self._words, self._split, self._known = text, words, split, known
        self._scan: Iterator[re.Match[str]] | None = None  # started at the first quote: most messages need none
        self._expected: list[str] = []
        self._tokens: list[tuple[int, int, list[str]]] = []  # (start, end, normalised words) in the text
        self._owner: list[int] = []  # for each normalised word: the token it came from
        self._traced = True
        self._counted = (0, 0)  # spaces counted so far in the words: (up to, how many); matches come in order
        self.names: list[str] = []  # capitalised words left out of a quote inside a sentence: names, most likely

    def quote(self, start: int, end: int) -> str:
        """The words at start:end of the normalised message, as the parent wrote them, unknown words left out."""
        first = self._spaces(start) - 1
        last = self._spaces(end) - 2
        if last < first or not self._trace(last):
            return self._fallback(self._words[start:end])
        tokens = self._tokens[self._owner[first] : self._owner[last] + 1]
        if self._owner[first] > 0:  # who did it, just before the words matched: "my son said Grace touched him"
            before_start, before_end, before = self._tokens[self._owner[first] - 1]
            if before:
                self._name(self._text[before_start:before_end], before, before_start)
        out, at = [], tokens[0][0]
        for token_start, token_end, words in tokens:
            out.append(self._text[at:token_start])
            out.append(self._shown(self._text[token_start:token_end], words, token_start))
            at = token_end
        return _tidy("".join(out))

    def _spaces(self, at: int) -> int:
        """Spaces in the normalised words before `at`, counted on from the last call (linear in a long message
        whose every match repeats one trigger, rather than quadratic)."""
        upto, count = self._counted
        if at < upto:
            return self._words.count(" ", 0, at)
        count += self._words.count(" ", upto, at)
        self._counted = (at, count)
        return count

    def _shown(self, token: str, words: list[str], start: int) -> str:
        """A token as quoted: itself when every word it makes is known; punctuation only if plain ASCII.

        A capitalised word inside a sentence that is left out ("hits Jamie with a belt"), or a word of the rules
        written as a name ("ex and Will hit our son"), is kept in `names`: the note beside the quotes loses it
        too. The latter stays in the quote until it is stored, when `minimised` takes it out as a name.
        """
        if not words:
            return token if token.isascii() and token.isprintable() else " "
        return token if self._name(token, words, start) else MASK

    def _name(self, token: str, words: list[str], start: int) -> bool:
        """Whether the token's words are all known; a capitalised one inside a sentence that is not, or is a
        given name written as one, joins `names`."""
        known = all(self._known.knows(w) for w in words)
        if (not known or capitalised_name(token)) and token[:1].isupper() and not token.isupper() \
                and not self._starts_sentence(start) and token.lower() not in DESCRIBING \
                and token.lower() not in GENERIC and token not in self.names:
            self.names.append(token)
        return known

    def _starts_sentence(self, start: int) -> bool:
        return _sentence_start(self._text, start)

    def _trace(self, last: int) -> bool:
        """Map the parent's text onto the normalised words up to word `last`; False if they do not line up."""
        if self._scan is None:
            # Quoted from the text in its compatible form (NFKC, as the detector reads it, capitals kept):
            # full-width or ligature letters are then plain ones, as in the words they made.
            if not self._text.isascii():
                self._text = unicodedata.normalize("NFKC", self._text)
            self._scan, self._expected = _TOKEN.finditer(self._text), self._words.split()
        expected, owner, tokens, split = self._expected, self._owner, self._tokens, self._split
        if self._traced and len(owner) <= last:
            for token in self._scan:
                raw, at = token.group(), len(owner)
                plain = raw.lower().replace("'", "") if raw.isascii() else ""
                if plain.isalpha() and at < len(expected) and plain == expected[at]:
                    words = [plain]  # most words are as the detector read them: no need to normalise them again
                else:
                    words = split(raw)
                    if words != expected[at : at + len(words)]:
                        break  # an unusual character normalised differently on its own
                tokens.append((*token.span(), words))
                owner += [len(tokens) - 1] * len(words)
                if len(owner) > last:
                    break
            self._traced = len(owner) > last  # else the text ran out, or did not line up
        return len(self._owner) > last

    def _fallback(self, matched: str) -> str:
        """The normalised words themselves, unknown ones left out, when the text cannot be traced back."""
        return _tidy(" ".join(w if self._known.knows(w) else MASK for w in matched.split()))


def _tidy(quote: str) -> str:
    """Single spaces, and one "[...]" for a run of left-out words."""
    return " ".join(_MASKS.sub(MASK, quote).split())


def minimised(triggers: Sequence[str], words: str = "") -> list[str]:
    """The detected phrases as kept on the case (stored without a consent question): what the disclosure note
    beside them loses is taken out of their quotes too. Details found in the parent's whole message `words`
    (a name shown by a cue outside the quote, "my ex Dave hits our son"), then any found in the quote itself.
    The detector has already left out of each quote any word its rules do not know (Quotes)."""
    details = _details(words) | dict.fromkeys(_written_names(words), "name")
    kept = []
    for trigger in triggers:
        category, colon, quote = trigger.partition(": ")
        quote = redact(quote, _occurrences(quote, details))
        kept.append(category + colon + redact(quote, find_personal_data(quote)))
    return kept


def without_names(words: str, names: Sequence[str]) -> str:
    """The parent's words with each of `names` (as written, whole words) taken out as the name finder would."""
    return redact(words, _occurrences(words, dict.fromkeys(names, "name"))) if names else words


def _written_names(words: str) -> list[str]:
    """Everyday words written as names inside a sentence: "my ex and Will hit our son" (not "Will he stop?")."""
    return [match.group() for match in re.finditer(r"(?<![\w'’])[A-Z][a-z]+(?![\w'’])", words)
            if capitalised_name(match.group()) and not _sentence_start(words, match.start())]


def _sentence_start(text: str, start: int) -> bool:
    """True where a capital says nothing: at the start of the text or of a sentence."""
    before = text[:start].rstrip(" \t\"'‘“(")
    return not before or before[-1] in ".!?\n\r:;"


def _details(words: str) -> dict[str, str]:
    """The personal details found in a message, as typed (spaces evened out), and their kind."""
    if not words.strip():
        return {}
    return {" ".join(unicodedata.normalize("NFKC", words[f.start:f.end]).split()): f.kind
            for f in find_personal_data(words)}


def _occurrences(text: str, details: dict[str, str]) -> list[Finding]:
    """Where each detail appears in `text` as a whole word or phrase, longest first, none overlapping.

    Case matters: "Will" found after "my son" is a name, "will" in the same quote is not.
    """
    found: list[Finding] = []
    for detail, kind in sorted(details.items(), key=lambda d: -len(d[0])):
        phrase = r"\s+".join(re.escape(part) for part in detail.split())
        for match in re.finditer(rf"(?<!\w){phrase}(?!\w)", text):
            if not any(match.start() < f.end and f.start < match.end() for f in found):
                found.append(Finding(kind, match.start(), match.end()))
    return sorted(found, key=lambda f: f.start)
