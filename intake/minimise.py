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
# After a strong cue ("called", "her name is") a name may be typed in lower case on a phone.
NAMED = re.compile(r"\b(?i:called|named|name is|name was|name's|names)\s+([A-Za-z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)")
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
# Only these titles are ordinary words too ("miss school", "ms" the illness, "the dr", "yes sir"). In lower case
# ("miss patel", "dr khan") they count only before a word that could be a name, and not after a word that makes
# them a verb or a noun ("i miss", "to miss", "the dr", "has ms"); "sir" always needs a capital ("yes sir").
TITLE_AS_WORD = {"miss", "ms", "dr", "sir"}
NOT_BEFORE_TITLE = frozenset("""
i you he she we they it i'll you'll he'll she'll we'll they'll will would wouldn't won't wont can can't cant could
couldn't may might must should shouldn't do don't dont does doesn't doesnt did didn't didnt not never always really
just still to gonna wanna going the a an his her my our their your this that get gets him them me us let lets
letting made makes
""".split())
NOT_BEFORE_MS = frozenset("has have had got with diagnosed".split())  # the illness: "my wife has ms"
DETERMINERS = frozenset("the a an his her my our their your this that".split())  # "the dr", "his dr appointment"
# "to miss" is a verb ("had to miss swimming") unless it follows talking to someone ("spoke to miss wood").
TALKED = frozenset("""
spoke speak speaks speaking spoken talked talk talks talking chatted chat wrote write written emailed email
messaged message complained complain said say told reported report mentioned mention explained explain went
go goes sent send showed show passed pass referred refer
""".split())

# Lower-case text has no capitals to go by: a word after one of these cues is taken for a name unless it is an
# everyday word (COMMON, EVERYDAY) or has the shape of a verb, adverb or adjective (_wordlike).
WORD_AFTER = r"([A-Za-z][A-Za-z'’-]*)"
AND_ONE_MORE = r"(?:\s+" + WORD_AFTER + ")?"  # the next word too, if it could be a name ("tom smith")
# "my son tom", "my ex dave", "my eldest daughter lily", "my ex-husband dave", "her dad gary".
RELATIVE = (r"son|daughter|child|boy|girl|kid|husband|wife|partner|ex|boyfriend|girlfriend|fiance|fiancee|"
            r"stepson|stepdaughter|stepdad|stepmum|dad|mum|mom|father|mother|brother|sister|nan|gran|nanny|"
            r"grandad|grandma|granddad|grandson|granddaughter|nephew|niece|uncle|aunt|auntie")
RELATION_CUE = re.compile(
    r"\b(?i:(?:my|our)\s+(?:(?:eldest|oldest|youngest|older|younger|little|big|middle|baby|twin|step|ex)[- ]?)*"
    rf"(?:{RELATIVE})|(?:his|her|their)\s+(?:ex[- ]?)?(?:dad|mum|mom|father|mother|stepdad|stepmum|brother|sister"
    r"|nan|gran|nanny|grandad|granddad|grandma|uncle|aunt|auntie|partner|husband|wife|boyfriend|girlfriend))"
    r"(?:\s*[,(]\s*|\s+)" + WORD_AFTER + AND_ONE_MORE + AND_ONE_MORE
)
# A name set beside who they are, between commas, brackets or dashes: "Darren, my ex, hits my son",
# "Dave (her dad)", "Will - my ex - said". The relation must be closed off again: "Hiya, my son is 8" names no one.
APPOSITION = re.compile(
    r"\b([A-Za-z][A-Za-z'’-]*(?:\s+[A-Z][A-Za-z'’-]*)?)\s*(?:,|\(|\s-|\s–)\s*(?i:(?:my|our|his|her|their|the\s+kids'?|"
    r"the\s+children'?s)\s+(?:(?:eldest|oldest|youngest|older|younger|little|big|middle|baby|twin|step|ex)[- ]?)*"
    rf"(?:{RELATIVE})(?:\s+(?:partner|husband|wife|boyfriend|girlfriend))?)\s*(?:,|\)|-\s|–)"
)
# Words that open a message before a relation and name no one: "Update, my son, ...", "Question (my daughter)".
NOT_APPOSED = frozenset("""
update updates question questions background context summary info information urgent re ps note sorry hiya hey
hiya heya morning afternoon evening cheers firstly secondly lastly quick also plus and or anyway so then
""".split())
# "his teacher is sarah", "the ta was becky" (a title after it is the title finder's: "is miss patel").
ROLE_CUE = re.compile(
    r"\b(?i:teacher|senco|head|headteacher|ta|lsa|tutor|key\s*worker|social\s+worker|case\s*worker|case\s+officer|"
    r"support\s+worker|paediatrician|paed|consultant|therapist|doctor|gp|ep|psychologist)(?:'s\s+name)?"
    r"\s+(?i:is|was)\s+" + WORD_AFTER + AND_ONE_MORE
)
# Where a child is: "hes at oakfield", "she goes to castle hill", "he attends brookfield".
PLACE_CUE = re.compile(
    r"\b(?i:(?:(?:he|she|they)(?:'s|’s|s|'re|’re|re|\s+is|\s+are|\s+was|\s+were)|"
    r"(?:son|daughter|child)\s+(?:is|was))\s+(?:now\s+|currently\s+|still\s+|already\s+)?at|"
    r"goes\s+to|went\s+to|attends|attended)\s+" + WORD_AFTER + AND_ONE_MORE + AND_ONE_MORE
)
# A saint's name is a school, church or hospital: "at st marys", "St. John's". Not the street: "church st near".
SAINT = re.compile(r"\b(?:st|St|ST)\.?\s+" + WORD_AFTER)
TITLES = frozenset("mr mrs ms miss mx dr sir".split())
# The relation words themselves: "my ex partner" names no one.
RELATIONS = frozenset(RELATIVE.split("|")) | frozenset("""
sons daughters children kids boys girls husbands partners exes ex-partner ex-husband ex-wife ex-boyfriend
ex-girlfriend step stepchild stepchildren twin twins eldest oldest youngest older younger middle baby little big
family families parent parents carer carers grandparents
""".split())
# Words ending like a verb or adverb that are names too ("my son james has", "my daughter emily is").
NAMES_LIKE_WORDS = frozenset("""
james thomas lewis louis charles nicholas marcus rhys chris ellis alexis agnes frances doris iris lois mavis
gladys phyllis jess tess bess ross ahmed mohammed muhammed mohamed mehmed fred ted ned jed ed emily lily molly
holly polly kelly billy sally ally shelly kimberly beverly bradley stanley dudley oliver
""".split())
# Everyday words that are given names too: with a capital inside a sentence after a cue ("her stepdad Will",
# "Mr May", "Will, my ex,") they name someone, though in lower case ("my son will be 9") they do not.
NAME_WORDS = frozenset("""
will may mark bill guy grace hope joy faith rose pat sue rob ray jack max frank dawn summer april june august
autumn drew chase grant dean hunter miles lee art penny sandy robin river sunny angel carol star kit don ron
rich sky amber holly ivy ruby jade hazel heather daisy poppy rowan sage
""".split())
# After a verb comes what it is done to: "my daughter cut her fringe", "does my son qualify for", not a name.
OBJECT_NEXT = frozenset("her him them me us it the a an his my our their your this that for every some any no".split())
# After "my son <name>" comes what the child does; after "my son struggles" it does not come.
AFTER_A_NAME = frozenset("""
is was has had who whos who's isn't isnt wasn't wasnt hasn't hasnt keeps kept says said will would can can't cant
won't wont does doesn't doesnt did didn't didnt
""".split())
# Everyday words that follow a cue above without naming anyone: what a child does or is, where they go, what
# a teacher is like. The shape test (_wordlike) covers most verbs and adverbs; these are the ones it misses.
EVERYDAY = frozenset("""
age aged ages year years yr yrs month months old age's old-age
hit hits bit bite kick punch push pull took take takes came come comes gave give gives made make makes saw see
sees put let lets kept keep felt feel found find brought bring bought buy taught teach caught catch fought fight
ran run sat sit stood stand threw throw drove drive rode ride spoke speak broke break woke wake chose choose lost
lose won win met meet paid pay sold sell spent spend built build held hold heard hear knew know understood
understand became become began begin drank drink forgot forget hid hide hurt meant mean slept sleep shook shake
swore swear tore tear wore wear ate eat fell fall grew grow drew draw flew fly forgave hung lay lie lied led lend
lent rang sang sank shot shut slid spat split spread stole steal stuck sting stung swam swim swung tell
became cried cry scream shout swear smash bolt climb spit scratch pinch hit
struggle struggles screams cries shouts swears runs masks melts stims sleeps eats lashes throws breaks destroys
hides bolts absconds climbs spits scratches pinches punches smashes lies steals wets soils talks speaks reads
writes counts plays walks seems looks feels finds comes sits stays lives works receives uses copes manages
drinks smokes gambles texts calls messages follows harasses threatens bullies scares controls shouts
also alone often well ill sick unwell poorly fine ok okay good bad great nice lovely kind strict rude mean nasty
horrid horrible awful terrible rubbish brilliant amazing fab fantastic excellent wonderful fab patient pregnant
young new old away off absent temporary supply aware sound lazy unkind clueless useless helpful unhelpful
supportive dismissive defensive aggressive ignorant arrogant incompetent different great happy sad upset angry
scared anxious worried frightened tired exhausted fed fed-up cross calm quiet loud male female nonverbal
non-verbal verbal nearly almost about around maybe perhaps probably currently recently since now still
home work bed sleep pieces church mosque temple synagogue town hospital camhs cahms sendiass iass nhs gp police
council la ehcp ehc senco camhs ot salt slt cubs scouts beavers brownies rainbows guides cadets clubs club
respite therapy uni university swimming football dance gym karate ballet tribunal panel court mediation appeal
risk least night nights bedtime lunchtime playtime break breaktime lunch dinner tea pickup drop capacity
weekends weekend times mornings morning afternoon evening mine ours theirs yours hers nans grans dads mums
names police ambulance social services nspcc childline mash ofsted
see visit stay dream nearest closest preferred chosen ideal perfect suitable appropriate catchment feeder
partner sister link base host receiving whole entire current previous last next nearby virtual multi
multi-academy trust trusts montessori steiner waldorf prep near opposite behind beside next-door round
skip skips avoid avoids enjoy enjoys finish finishes miss misses leave leaves hate like loves
lovely really actually basically literally
lesson lessons class classes trip trips session sessions meal meals break breaks assembly assemblies out
wont cant dont doesnt didnt isnt wasnt hasnt havent hadnt wouldnt couldnt shouldnt arent werent aint ive hes shes
theyre youre weve id ill youll hell shell theyll
um umm erm er uh uhh eh ah oh lol omg tbh idk btw pls plz thx ty
self self-harm cannot cope part speech language occupational physio physiotherapy counselling person people
died lied tied used owed fled bled dies ties
aswell as however therefore anyway anyways whatever either neither both together along innit though tho yet
own special specialist mainstream particular specific certain qualify count deserve require belong seem look fit
busy free available unavailable responsible in-charge involved
""".split())


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
    found += find_cued_names(text)
    found += find_apposed_names(text)
    for match in NAMED.finditer(text):
        first = _plain(match.group(1).split()[0])
        verb = first not in NAMES_LIKE_WORDS and (first.endswith("ing") or (first.endswith("ed") and len(first) >= 5))
        if first not in NOT_AFTER_CALLED and first not in EVERYDAY and first.capitalize() not in NOT_NAMES \
                and not verb:  # "no name is needed", "called being difficult"
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


def _wordlike(plain: str) -> bool:
    """Shaped like a verb, adverb or adjective ("struggles", "shouted", "refusing", "lovely", "supportive")."""
    if plain in NAMES_LIKE_WORDS:
        return False
    return (plain.endswith(("ing", "n't", "ive", "ful", "less", "ous", "able", "ible", "ical", "ional", "ural", "tic"))
            or (plain.endswith("ed") and len(plain) >= 5)
            or (plain.endswith("ly") and len(plain) >= 6)
            or (plain.endswith("ish") and len(plain) >= 6)
            or (plain.endswith("s") and not plain.endswith(("ss", "us", "is", "as", "os", "'s"))))


def _could_name(word: str, following: str | None = None) -> bool:
    """A word after a cue that may be a name: not an everyday word, nor shaped like a verb, adverb or adjective.

    A word with a verb's shape still names someone when what follows is what a person does ("my son james
    has"), given as `following`.
    """
    plain = _plain(word)
    bare = plain[:-2] if plain.endswith("'s") else plain
    if (len(bare) < 2 or bare in COMMON or bare in EVERYDAY or bare in GENERIC or bare in DESCRIBING
            or bare in RELATIONS or bare in TITLES or bare in NOT_AFTER_CALLED or bare.capitalize() in NOT_NAMES):
        return False
    return not _wordlike(bare) or (following is not None and _plain(following) in AFTER_A_NAME)


def capitalised_name(word: str) -> bool:
    """An everyday word that is a given name, written as one ("Will", "May", "Grace"; not "will", "WILL")."""
    return len(word) > 1 and word[0].isupper() and word[1:].islower() and word.lower() in NAME_WORDS


def find_apposed_names(text: str) -> list[Finding]:
    """A name with who they are beside it: "Darren, my ex, hits my son" (the name, not "my ex", is taken out)."""
    found = []
    for match in APPOSITION.finditer(text):
        words = match.group(1).split()
        if (all(capitalised_name(w) or _could_name(w) for w in words) and words[0] not in NOT_NAMES
                and _plain(words[0]) not in NOT_APPOSED):
            found.append(Finding("name", match.start(1), match.end(1)))
    return found


def _name_run(match: re.Match[str], kind: str, first_following: bool = False) -> Finding | None:
    """The cue's first word, and the next ones while they could be names too ("tom smith", "castle hill")."""
    words = [g for g in match.groups() if g is not None]
    following = words[1] if first_following and len(words) > 1 else None
    if not words:
        return None
    if capitalised_name(words[0]):
        return Finding(kind, match.start(1), match.end(1))  # "her stepdad Will hit her": Will, not the verb
    if not _could_name(words[0], following) or (following and _plain(following) in OBJECT_NEXT):
        return None
    last = 1
    while last < len(words) and _could_name(words[last]):
        last += 1
    end = match.end(last)
    if kind == "name" and match.group(last).endswith(("'s", "’s")):
        end -= 2  # "my son tom's school": the name goes, the sentence still reads
    return Finding(kind, match.start(1), end)


def find_cued_names(text: str) -> list[Finding]:
    """Names and schools typed in lower case, found by the words around them.

    "my son tom", "my ex dave", "his teacher is sarah", "hes at oakfield", "goes to castle hill", "st marys";
    not "my son is 9", "my daughter has autism", "his teacher is lovely", "my ex partner", "goes to bed".
    """
    found = []
    for match in RELATION_CUE.finditer(text):
        if (finding := _name_run(match, "name", first_following=True)) is not None:
            found.append(finding)
    for match in ROLE_CUE.finditer(text):
        if (finding := _name_run(match, "name")) is not None:
            found.append(finding)
    for match in PLACE_CUE.finditer(text):
        if (finding := _name_run(match, "school")) is not None:
            found.append(finding)
    for match in SAINT.finditer(text):
        word = _plain(match.group(1))
        bare = word[:-2] if word.endswith("'s") else word
        if bare not in COMMON and bare not in EVERYDAY and bare not in GENERIC:
            found.append(Finding("school", match.start(), match.end()))
    return found


def find_titled_names(text: str) -> list[Finding]:
    """A title and a surname: "Mrs Jones", "mr patel", "miss patel", "Dr A. Khan" (not "miss school", "the dr said")."""
    found = []
    for match in TITLE.finditer(text):
        title, _initial, first, second = match.groups()
        if _plain(first) in COMMON and not capitalised_name(first):  # "Mrs May" is a name, "mr will be" is not
            continue
        if title.lower() in TITLE_AS_WORD and not first[0].isupper():
            before = _words_before(text, match.start())
            surname = _could_name(first) or (first.endswith("s") and _could_name(first[:-1]))  # "miss jones"
            previous = _plain(before[0][1]) if before else ""
            talked_to = previous == "to" and len(before) > 1 and _plain(before[1][1]) in TALKED
            verb = title.lower() == "miss" and previous in NOT_BEFORE_TITLE and not talked_to  # "i miss", "to miss"
            if (title.lower() == "sir" or not surname or verb or previous in DETERMINERS
                    or (title.lower() == "ms" and previous in NOT_BEFORE_MS)):
                continue  # "I miss her", "to miss swimming", "the dr said", "has ms", "yes sir"
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
        saint = _plain(run[len(words) - 1][1]) in ("st", "st.")
        if (any(w[0].islower() for w in names) and cue not in SCHOOL_CUES and not saint
                and not all(_could_name(w) for w in names)):
            continue  # lower case: "oakfield primary", but not "he really hates school" or "my sons school"
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
