"""Data minimisation: find incidental personal details in free text and take them out before storage."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
DATE_OF_BIRTH = re.compile(
    r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{1,2}(?:st|nd|rd|th)?\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\s+\d{4})\b",
    re.IGNORECASE,
)
# Names are guessed from how parents introduce them; a capitalised word after these cues.
NAME_CUE = re.compile(
    r"\b(?i:(?:(?:my|our)\s+)?(?:son|daughter|child|boy|girl|kid|husband|wife|partner|ex)(?:'s name)?\s+(?:is|was)|"
    r"(?:my|our)\s+(?:son|daughter|child|boy|girl|kid|husband|wife|partner|ex)|"
    r"(?:i am|i'm|im|my name is|name's|called|named|this is))\s+"
    r"([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)"
)
# After a strong cue ("called", "my name is") a name may be typed in lower case on a phone.
NAMED = re.compile(r"\b(?i:called|named|my name is|name's|names)\s+([A-Za-z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)")
ADDRESS = re.compile(
    r"\b\d{1,4}[a-z]?\s+(?:[A-Za-z'-]+\s+){1,3}(?i:street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|"
    r"crescent|court|place|gardens|grove|terrace|hill|park|square|mews|walk|row)\b"
)
NOT_AFTER_CALLED = {
    "me", "us", "him", "her", "them", "back", "again", "yesterday", "today", "tomorrow", "the", "a", "an", "my",
    "our", "his", "their", "in", "about", "to", "it", "this", "that", "school", "social", "twice", "several",
    "and", "but", "on", "for", "by", "from", "after", "before", "when", "every", "out", "off", "up",
}
# Capitalised words a parent may use after "my son is" that describe the child rather than name them.
DESCRIBING = frozenset("""
autistic autism adhd asd dyslexic dyspraxic deaf blind disabled nonverbal non-verbal verbal english british welsh
scottish irish polish muslim christian jewish hindu sikh catholic gifted epileptic diabetic
""".split())
NOT_NAMES = {"I", "The", "He", "She", "They", "We", "It", "A", "An", "In", "At", "Year", "Mr", "Mrs", "Ms", "Miss"}
LABELS = {"address": "an address", "phone": "a phone number", "email": "an e-mail address", "postcode": "a postcode",
          "date": "a date of birth", "name": "a name", "school": "a school name"}

# Everyday words that end a run of name words (before a school word) or are never a name after a title.
COMMON = frozenset("""
a an the this that these those his her their our my your its he she they we you it me him us them i i'm im
is was are were be been being am has had have having do does did will would can could should may might must
and or but so if as of at in on to from into onto by for with without about after before since until than then
not no yes too also only just even still very really always never sometimes often now today yesterday tomorrow
tonight soon again ever any every each all some most more other another same different which what who whom whose
where when why how there here said says say told tells tell asked asks ask thinks think thought wants want wanted
goes go going went gone get gets got getting hates hate loves love likes like refuses refused attends attend
attended attending started starts start left leave leaving joined join joining moved move moving changed change
named called name calls phoned emailed rang wrote sent needs need needed help helps please thanks thank sorry
hi hello dear ok okay well though although because cos due while whilst during per via out up down off over back
said head headteacher teacher teachers deputy class form tutor senco staff teaching assistant ta lsa
end start day days week weeks term terms lots lot bit first last next week's son's daughter's child's kid's
boy's girl's brother's sister's friend's friends' children's kids' dad's mum's mom's partner's husband's wife's
appointment appointments letter report referral visit meeting plan
""".split())
# Words that describe a kind of school, not which one ("a special school", "secondary school", "SEN school").
GENERIC = frozenset("""
primary secondary infant infants junior juniors high middle upper lower first nursery pre-school preschool sixth
form special specialist mainstream sen send asd asc autism autistic semh mld sld pmld ebd bsd slcn adhd ehcp ehc
pru ap alternative provision resourced resource base unit independent private state public free grammar
comprehensive faith church catholic roman c e ce rc cofe england of community village local nearby council la
authority new old current previous former present big little small same different other another next right wrong
good bad best better outstanding ofsted boarding residential day hospital home online forest summer holiday
sunday saturday weekend after-school afterschool breakfast play language driving dance drama music art arts sports
sport football rugby swimming riding stage theatre further education fe technical tertiary training general
normal regular usual ordinary proper full-time part-time school schools academy college nursery
""".split())
# A lower-case run of words ("castle hill academy") counts as a name only straight after one of these.
SCHOOL_CUES = frozenset("at to from into in attends attend attended attending joined joining join left leaving "
                        "chose choose named called visited applied for".split())
SETTING = re.compile(
    r"\b(?:(?:primary|infants?|juniors?|high|sixth\s+form|nursery)\s+(?:school|academy|college)"
    r"|primary(?!\s+(?:need|needs|care|carer|diagnosis|concern|condition|disability|issue|reason)\b)"
    r"|infants?|juniors?|sixth\s+form|pre-?school|nursery|academy|school|college)\b",
    re.IGNORECASE,
)
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|St\.|&")
TOKEN_BEFORE = re.compile(r"(\S+)(\s+)$")
TITLE = re.compile(r"\b(?i:(mrs|mr|ms|miss|mx|dr|sir))\.?\s+(?:([A-Z])\.?\s+)?([A-Za-z][A-Za-z'’-]*)"
                   r"(?:\s+([A-Z][a-z][A-Za-z'’-]*))?")
# Only these titles are ordinary words too ("miss school", "ms" the illness, "the dr", "yes sir"): they need a capital.
TITLE_AS_WORD = {"miss", "ms", "dr", "sir"}


@dataclass(frozen=True)
class Finding:
    """One personal detail found in free text: its kind and where it is."""

    kind: str
    start: int
    end: int


def find_personal_data(text: str, region: str = "GB") -> list[Finding]:
    """Phone numbers, e-mails, postcodes, dates of birth and names that the form did not ask for."""
    found = [Finding("email", m.start(), m.end()) for m in EMAIL.finditer(text)]
    for number in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.POSSIBLE):
        found.append(Finding("phone", number.start, number.end))
    found += [Finding("postcode", m.start(), m.end()) for m in POSTCODE.finditer(text)]
    found += [Finding("date", m.start(), m.end()) for m in DATE_OF_BIRTH.finditer(text)]
    schools = find_school_names(text)
    found += schools
    found += [Finding("address", m.start(), m.end()) for m in ADDRESS.finditer(text)
              if not any(m.start() < s.end and s.start < m.end() for s in schools)]  # "year 7 at Castle Hill Academy"
    found += find_titled_names(text)
    for match in NAMED.finditer(text):
        first = match.group(1).split()[0].lower()
        if first not in NOT_AFTER_CALLED and first.capitalize() not in NOT_NAMES:
            found.append(Finding("name", match.start(1), match.end(1)))
    for match in NAME_CUE.finditer(text):
        name = match.group(1)
        first = name.split()[0]
        if first not in NOT_NAMES and first.lower() not in DESCRIBING:
            found.append(Finding("name", match.start(1), match.end(1)))
    found.sort(key=lambda f: (f.start, -f.end))
    merged: list[Finding] = []
    for finding in found:
        if merged and finding.start < merged[-1].end:
            continue  # overlapping matches (a date inside a phone-like run): keep the first
        merged.append(finding)
    return merged


def _plain(word: str) -> str:
    return word.lower().replace("\u2019", "'")


def find_titled_names(text: str) -> list[Finding]:
    """A title and a surname: "Mrs Jones", "mr patel", "Dr A. Khan" (not "miss school" or "the dr said")."""
    found = []
    for match in TITLE.finditer(text):
        title, _initial, first, second = match.groups()
        if _plain(first) in COMMON or (title.lower() in TITLE_AS_WORD and not first[0].isupper()):
            continue
        end = match.end(4) if second and _plain(second) not in COMMON else match.end(3)
        found.append(Finding("name", match.start(), end))
    return found


def _words_before(text: str, end: int) -> list[tuple[int, str]]:
    """Up to eight words just before `end` (nearest first), separated only by spaces; punctuation ends them."""
    words: list[tuple[int, str]] = []
    while len(words) < 8:
        i = end
        while i > 0 and text[i - 1].isspace():
            i -= 1
        j = i
        while j > 0 and not text[j - 1].isspace():
            j -= 1
        if i == end or j == i or not WORD.fullmatch(text, j, i):
            break
        words.append((j, text[j:i]))
        end = j
    return words


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    return not before or before[-1] in ".!?"


def _names(words: list[str]) -> list[str]:
    """The words that name rather than describe (not "C of E", "Primary", or an acronym like "SEN")."""
    return [w for w in words if _plain(w) not in GENERIC and w != "&" and not (w.isupper() and len(w) > 1)]


def find_school_names(text: str) -> list[Finding]:
    """A school or setting named: "Oakfield Primary", "St Mary's C of E Primary School", "at castle hill academy".

    Not the words parents need to describe one: "primary school", "a special school", "my son's school", "SEN school".
    """
    found = []
    for setting in SETTING.finditer(text):
        run: list[tuple[int, str]] = []  # name words before the setting word, nearest first
        cue = None
        for start, word in _words_before(text, setting.start()):
            plain = _plain(word)
            if plain == "of" and run and (run[-1][1][0].isupper() or _plain(run[-1][1]) == "e"):
                run.append((start, word))  # "Church of England", "C of E"
                continue
            if plain in COMMON or plain in SCHOOL_CUES or len(_names([w for _, w in run] + [word])) > 4:
                cue = plain
                break
            run.append((start, word))
        words = [w for _, w in run]
        while words and (_plain(words[-1]) in GENERIC or _plain(words[-1]) == "&"):
            words.pop()  # "a mainstream school", "out of school": a description before it is not a name
        if words and words[-1].endswith(("ing", "ed")) and _sentence_start(text, run[len(words) - 1][0]):
            words.pop()  # "Starting secondary school soon", "Missed school again"
            while words and (_plain(words[-1]) in GENERIC or _plain(words[-1]) == "&"):
                words.pop()
        names = _names(words)
        if not names or (len(words) == 1 and words[0].endswith(("'s", "\u2019s"))):
            continue  # nothing names it, or "Jake's school" (someone's school: the name finder has Jake)
        capitalised = all(w[0].isupper() for w in names)
        while capitalised and len(words) < len(run) and run[len(words)][1][0].isupper() \
                and _plain(run[len(words)][1]) in GENERIC:
            words.append(run[len(words)][1])  # "Little Acorns Nursery", "New Hall School"
        if any(w[0].islower() for w in names) and cue not in SCHOOL_CUES:
            continue  # lower case only straight after "at", "to", "from"...: not "he really hates school"
        found.append(Finding("school", run[len(words) - 1][0], setting.end()))
    return found


def describe(findings: list[Finding]) -> str:
    """Plain words for what was found: "a phone number and a name"."""
    kinds = list(dict.fromkeys(LABELS[f.kind] for f in findings))
    return kinds[0] if len(kinds) == 1 else ", ".join(kinds[:-1]) + " and " + kinds[-1]


def redact(text: str, findings: list[Finding]) -> str:
    """The text with each finding replaced by a neutral marker like [phone number removed]."""
    out, last = [], 0
    for finding in findings:
        out.append(text[last : finding.start])
        out.append(f"[{LABELS[finding.kind].split(' ', 1)[1]} removed]")
        last = finding.end
    out.append(text[last:])
    return "".join(out)
