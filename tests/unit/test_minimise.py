"""Incidental personal details in a parent's own words are found (and ordinary words are not)."""

from __future__ import annotations

import pytest

from intake.minimise import describe, find_personal_data, redact


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("My son Jake Smith is 7", "a name"),
        ("my daughter is called lily", "a name"),
        ("call me, son is Tom at school", "a name"),
        ("my daughter's name is Amira and she is 9", "a name"),
        ("call me on 07700 900123", "a phone number"),
        ("email jo.bloggs@example.com please", "an e-mail address"),
        ("we are in SW1A 1AA", "a postcode"),
        ("she was born 12/03/2018", "a date of birth"),
        ("we live at 12 High Street", "an address"),
    ],
)
def test_personal_details_are_found(text: str, found: str) -> None:
    findings = find_personal_data(text)
    assert describe(findings) == found
    assert "removed]" in redact(text, findings)


@pytest.mark.parametrize(
    "text",
    [
        "the school called me yesterday",
        "my son is in year 5 and has an EHC plan",
        "my son is Year 5 and autistic",
        "my daughter is ADHD and the school won't help",
        "My son is Autistic and non-verbal",
        "my son is English and Polish",
        "they called back about the annual review",
        "the council refused to assess after 6 weeks",
    ],
)
def test_ordinary_send_words_are_left_alone(text: str) -> None:
    assert find_personal_data(text) == []


@pytest.mark.parametrize(
    ("text", "removed"),
    [
        ("her teacher Mrs Jones said no", "Mrs Jones"),
        ("mr patel the senco won't reply", "mr patel"),
        ("Ms Khan is lovely", "Ms Khan"),
        ("Miss Patel moved him", "Miss Patel"),
        ("we saw Dr A. Shah last week", "Dr A. Shah"),
        ("Mx Taylor runs the base", "Mx Taylor"),
        ("Sir Jones shouts at him", "Sir Jones"),
        ("Mrs Smith-Jones the head", "Mrs Smith-Jones"),
        ("mrs o'brien said", "mrs o'brien"),
        ("Mr John Smith the SENCO", "Mr John Smith"),
    ],
)
def test_titled_names_are_found(text: str, removed: str) -> None:
    findings = find_personal_data(text)
    assert describe(findings) == "a name"
    assert redact(text, findings) == text.replace(removed, "[name removed]")


@pytest.mark.parametrize(
    ("text", "removed"),
    [
        ("she is at Oakfield Primary", "Oakfield Primary"),
        ("St Mary's C of E Primary School won't help", "St Mary's C of E Primary School"),
        ("he goes to castle hill academy", "castle hill academy"),
        ("he is in year 7 at Castle Hill Academy", "Castle Hill Academy"),
        ("she's at Brookside Infants", "Brookside Infants"),
        ("Brookside Junior School is better", "Brookside Junior School"),
        ("Little Acorns Nursery said", "Little Acorns Nursery"),
        ("at Greenfields Pre-school", "Greenfields Pre-school"),
        ("Riverside High School excluded him", "Riverside High School"),
        ("he wants Oakfield Sixth Form", "Oakfield Sixth Form"),
        ("a place at Northgate College", "Northgate College"),
        ("Oakfield Community Primary School", "Oakfield Community Primary School"),
        ("Holy Trinity Church of England Junior School", "Holy Trinity Church of England Junior School"),
        ("moving from oakfield primary to castle hill academy", "oakfield primary"),
    ],
)
def test_school_names_are_found(text: str, removed: str) -> None:
    findings = find_personal_data(text)
    assert describe(findings) == "a school name"
    assert redact(text, findings).startswith(text.split(removed)[0] + "[school name removed]")


def test_school_and_teacher_in_one_message() -> None:
    text = "my daughter Lily Smith at Oakfield Primary, her teacher Mrs Jones said no. call me on 07700 900456"
    findings = find_personal_data(text)
    assert describe(findings) == "a name, a school name and a phone number"
    assert redact(text, findings) == (
        "my daughter [name removed] at [school name removed], her teacher [name removed] said no. "
        "call me on [phone number removed]"
    )


@pytest.mark.parametrize(
    "text",
    [
        "she is in primary school",
        "he starts secondary school in September",
        "we want a special school",
        "the school won't listen",
        "my son's school ignores the plan",
        "he can't cope in mainstream school",
        "a sixth form college place",
        "the council says an SEN school is too far",
        "left out of school trips",
        "he really hates school",
        "he refuses school most days",
        "Starting secondary school soon",
        "she was excluded from school",
        "he moved to a new school",
        "moving from primary to secondary school",
        "the school's SENCO",
        "an independent special school",
        "he goes to forest school on fridays",
        "he is at nursery three days",
        "his primary need is autism",
        "the named school in section I",
        "he goes to High School next year",
        "after school club",
        "a specialist college",
        "she will miss school trips",
        "I miss her",
        "my wife has ms and can't drive",
        "the dr said to wait",
        "Sir told him off",
        "mrs said no",
        "his dr appointment",
    ],
)
def test_generic_school_words_and_titles_as_words_are_left_alone(text: str) -> None:
    assert find_personal_data(text) == []


# Parents text in lower case: the cues around a name find it, not a capital letter.
@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("my daughter amy is 9 and mrs jones the senco at st marys is not helping",
         "my daughter [name removed] is 9 and [name removed] the senco at [school name removed] is not helping"),
        ("hes at oakfield and his teacher is miss patel",
         "hes at [school name removed] and his teacher is [name removed]"),
        ("my ex dave keeps turning up", "my ex [name removed] keeps turning up"),
        ("my son tom has adhd", "my son [name removed] has adhd"),
        ("my son james has autism", "my son [name removed] has autism"),
        ("my eldest daughter lily won't go in", "my eldest daughter [name removed] won't go in"),
        ("my ex-husband dave shouts at her", "my ex-husband [name removed] shouts at her"),
        ("my ex partner gary turned up", "my ex partner [name removed] turned up"),
        ("my son mohammed is 8", "my son [name removed] is 8"),
        ("my son lucas is 6", "my son [name removed] is 6"),
        ("my son tom smith is 7", "my son [name removed] is 7"),
        ("my son tom wont go in, my daughter amy cant sleep",
         "my son [name removed] wont go in, my daughter [name removed] cant sleep"),
        ("her teacher is sarah and she shouts", "her teacher is [name removed] and she shouts"),
        ("his name is kai", "his name is [name removed]"),
        ("the ta is called becky", "the ta is called [name removed]"),
        ("we saw dr khan last week", "we saw [name removed] last week"),
        ("ms begum the senco", "[name removed] the senco"),
        ("i spoke to miss wood and ms ali", "i spoke to [name removed] and [name removed]"),
        ("she goes to oakfield on mondays", "she goes to [school name removed] on mondays"),
        ("he's at castle hill now", "he's at [school name removed] now"),
        ("he attends brookfield", "he attends [school name removed]"),
        ("oakfield primary wont help", "[school name removed] wont help"),
        ("greenbank academy excluded him", "[school name removed] excluded him"),
        ("the senco at st johns", "the senco at [school name removed]"),
    ],
)
def test_lower_case_names_and_schools_are_taken_out(text: str, stored: str) -> None:
    assert redact(text, find_personal_data(text)) == stored


@pytest.mark.parametrize(
    "text",
    [
        "my son is 9",
        "my daughter has autism",
        "his teacher is lovely",
        "my ex partner",
        "my ex partner keeps turning up",
        "my son struggles with reading",
        "my son screams when he gets home",
        "my daughter really hates school",
        "my son was diagnosed last year",
        "my son aged 9 has an ehcp",
        "my husband works nights",
        "my partner and i both work",
        "my son who is autistic",
        "my son took his shoes off",
        "my eldest son started secondary",
        "her teacher is really supportive",
        "his teacher is new this year",
        "the senco is useless",
        "the head is leaving at christmas",
        "he goes to bed late",
        "she goes to cubs on monday",
        "he's at home all day",
        "shes at breaking point",
        "he is at risk of exclusion",
        "he went to see the gp",
        "i don't want him to miss swimming",
        "she will miss lunch",
        "my wife has ms so i do the school run",
        "my daughters school is rubbish",
        "my sons school won't listen",
        "the nearest school is miles away",
        "his dream school said no",
        "he loves his new school",
        "the council called camhs",
        "we live on church st near the park",
        "the multi academy trust",
        "my son hit me",
        "my daughter lashes out",
        "his dad drinks",
        "does my son qualify for free school travel",
        "my daughter cut her own fringe",
        "my partner um he gets really angry",
        "he had to miss swimming for it",
        "my daughter self harms and camhs wont see her",
        "my dad died last year",
        "my son along with his sister",
        "does my child count as disabled",
        "can i request a specific school for my son",
        "most children get help from their own school",
        "no name is needed",
        "the caseworker is busy",
    ],
)
def test_lower_case_everyday_words_after_the_cues_stay(text: str) -> None:
    assert find_personal_data(text) == [], redact(text, find_personal_data(text))


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        # a name set beside who they are: the name goes, who did what stays for the caseworker
        ("Darren, my ex, hits my son", "[name removed], my ex, hits my son"),
        ("Darren (my ex) hits my son", "[name removed] (my ex) hits my son"),
        ("Darren - my ex - hits my son", "[name removed] - my ex - hits my son"),
        ("Darren Smith, the kids dad, hits them", "[name removed], the kids dad, hits them"),
        ("darren, my ex partner, hits my son", "[name removed], my ex partner, hits my son"),
        # everyday words that are names, written as names
        ("Will, my ex, hits my son", "[name removed], my ex, hits my son"),
        ("her stepdad Will hit her again", "her stepdad [name removed] hit her again"),
        ("my mum May hit my son with a belt", "my mum [name removed] hit my son with a belt"),
        ("her dad, Will, hits her", "her dad, [name removed], hits her"),
        ("his uncle Bill touched her", "his uncle [name removed] touched her"),
        ("the teacher Mrs May grabbed him", "the teacher [name removed] grabbed him"),
    ],
)
def test_names_beside_a_relation_or_written_as_names_are_taken_out(text: str, stored: str) -> None:
    assert redact(text, find_personal_data(text)) == stored


@pytest.mark.parametrize(
    "text",
    [
        "Hiya, my son is 8",
        "Sorry, my ex, he hits our son",
        "Also, her dad, he hits her",
        "my son will be 9 in May",
        "her stepdad will hit her again",
        "MY EX WILL HIT OUR SON",
        "mr will be there",
        "Basically, my ex (the kids dad) hits them",
        "Update, my son, who is 9, was excluded",
        "Question (my daughter) about transport",
        "Morning, my son, is struggling",
    ],
)
def test_a_word_before_a_relation_or_a_verb_after_one_is_no_name(text: str) -> None:
    assert find_personal_data(text) == []
