"""The crisis-signal matcher: what fires, and what must not (negation, quotes, other people)."""

from __future__ import annotations

import dataclasses
import logging
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearth.safety.crisis_matching import (
    MAX_EXAMINED_BYTES,
    CrisisMatch,
    CrisisRule,
    compile_rule,
    find_crisis_signals,
)
from hearth.safety.default_crisis_rules import DEFAULT_RULES

# No database: the same on SQLite and PostgreSQL, so the PostgreSQL pass skips it.
pytestmark = pytest.mark.database_neutral

CURLY_APOSTROPHE = "\N{RIGHT SINGLE QUOTATION MARK}"
CURLY_OPENING_SINGLE = "\N{LEFT SINGLE QUOTATION MARK}"
CURLY_OPENING_DOUBLE = "\N{LEFT DOUBLE QUOTATION MARK}"
CURLY_CLOSING_DOUBLE = "\N{RIGHT DOUBLE QUOTATION MARK}"

# The defaults with distinct ids, as the lead seeds them.
RULES = tuple(
    dataclasses.replace(rule, rule_id=rule_id) for rule_id, rule in enumerate(DEFAULT_RULES, 1)
)


def fired(text: str, rules: tuple[CrisisRule, ...] = RULES, language: str = "en") -> list[int]:
    return [match.rule_id for match in find_crisis_signals(text, rules, language=language)]


def phrase(pattern: str, *, rule_id: int = 1, language: str = "en") -> CrisisRule:
    return CrisisRule(rule_id=rule_id, language=language, pattern=pattern)


def matched_text(text: str, pattern: str) -> str | None:
    matches = find_crisis_signals(text, [phrase(pattern)], language="en")
    return matches[0].matched_text if matches else None


# One realistic sentence per default rule, in the rules' order.
RULE_EXAMPLES = (
    "Some days I just want to die and nobody notices.",
    "Honestly, I wish I was dead.",
    "I keep thinking I'm better off dead.",
    "I'm scared that tonight I'm going to kill myself.",
    "I can't stop thinking about killing myself.",
    "Would anyone even notice if I killed myself?",
    "i swear i'm going to kms",
    "I've been thinking about ending my life.",
    "I came close to taking my own life last night.",
    "I'm ready to end it all.",
    "I've been feeling really suicidal since Sunday.",
    "I'm having suicidal thoughts again.",
    "I just don't want to exist anymore.",
    "I don't want to wake up again.",
    "I hope I don't wake up tomorrow.",
    "I want to go to sleep and never wake up.",
    "Part of me wants to die, and it scares me.",
    "I have no reason to live now that she's gone.",
    "There's nothing left to live for.",
    "What's the point of living like this?",
    "My family would be better off without me.",
    "Everyone would be better off if I was gone.",
    "I can't go on like this.",
    "I really can't do this anymore.",
    "I've made up my mind. Tonight is the night.",
    "I've said my goodbyes.",
    "I've written my suicide note.",
    "This is my last night on earth.",
    "I probably won't be alive by the weekend.",
    "I have the urge to hurt myself again.",
    "I cut myself again last night.",
    "I've been harming myself for weeks and nobody knows.",
    "I feel like cutting myself tonight.",
    "I'm thinking about overdosing.",
    "I've been stockpiling my pills for weeks.",
    "I have enough pills to end it all.",
    "I looked up how many pills it would take to die.",
    "I've got the pills ready.",
    "I have a plan and the means.",
    "I've been googling painless ways to die.",
)

# Ordinary peer-support sentences that must not fire: precision matters more than recall.
ORDINARY_SENTENCES = (
    "This session killed me, I'm exhausted.",
    "I could die of embarrassment.",
    "I want to die of embarrassment every time I remember it.",
    "My therapist's holiday is killing me.",
    "I want to die my hair blue before the summer.",
    "Dying to know what you all think!",
    "I nearly died laughing at the cat video.",
    "That joke killed me.",
    "I'd kill for a cup of tea right now.",
    "I'm killing myself at work trying to finish this report.",
    "I'm cutting myself some slack this week.",
    "I want to cut myself off from my family for a while.",
    "I cut myself shaving this morning.",
    "I hurt myself at the gym yesterday.",
    "I can't go on holiday while my therapist is away.",
    "I can't do this homework anymore, it's too hard.",
    # "Tonight's the night" also announces dates and concerts; the rule needs a full stop,
    # so an excited "!" does not fire. A full stop after a date announcement would.
    "Tonight's the night, wish me luck on my first date!",
    "I said my goodbyes to my therapist in our last session.",
    "I wrote a goodbye letter to my therapist, like she suggested.",
    "I have no reason to live in London now that I work remotely.",
    "I want to take my life back from this anxiety.",
    "I'm ending my therapy in June and I'm scared.",
    "My grandmother wants to die at home, surrounded by family.",
    "I want to die happy and old, surrounded by my cats.",
    "Are you feeling suicidal right now? Please call someone.",
    "Suicidal thoughts are common in depression, my psychiatrist said.",
    "Picking up my meds from the pharmacy tomorrow.",
    "I've been saving up for a holiday.",
    "I'm stockpiling snacks for the weekend.",
    "It's my last day at work today!",
    "I won't be here tomorrow, I'm at a conference.",
    "I have the means to go back to university now.",
    "I hope I don't wake up the baby when I get home.",
    "The point of living in a city is having people nearby.",
    "I need to upskill myself this year.",
    # "I don't want to be here" alone is often about a place; the rule needs "anymore".
    "I don't want to be here at this party.",
)


def test_the_default_list_is_a_small_english_list_with_descriptions() -> None:
    patterns = [rule.pattern for rule in DEFAULT_RULES]

    assert 25 <= len(DEFAULT_RULES) <= 40
    assert len(set(patterns)) == len(patterns)
    assert all(rule.language == "en" and rule.rule_id == 0 for rule in DEFAULT_RULES)
    assert all(rule.description and len(rule.description) <= 200 for rule in DEFAULT_RULES)
    assert all(len(rule.pattern) <= 200 for rule in DEFAULT_RULES)
    assert 1 <= sum(rule.is_method for rule in DEFAULT_RULES) <= 8


def test_every_default_rule_compiles() -> None:
    compiled = [compile_rule(rule) for rule in DEFAULT_RULES]

    assert all(isinstance(pattern, re.Pattern) for pattern in compiled)


def test_there_is_one_example_per_default_rule() -> None:
    assert len(RULE_EXAMPLES) == len(DEFAULT_RULES)


@pytest.mark.parametrize(
    ("rule", "example"),
    list(zip(RULES, RULE_EXAMPLES, strict=True)),
    ids=[rule.description.split(".")[0][:50] for rule in RULES],
)
def test_each_default_rule_fires_on_its_example(rule: CrisisRule, example: str) -> None:
    matches = find_crisis_signals(example, [rule], language="en")

    assert matches == [
        CrisisMatch(
            rule_id=rule.rule_id, is_method=rule.is_method, matched_text=matches[0].matched_text
        )
    ]
    assert matches[0].matched_text.lower() in example.lower()


@pytest.mark.parametrize("sentence", ORDINARY_SENTENCES)
def test_ordinary_sentences_do_not_fire(sentence: str) -> None:
    assert fired(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "I would never kill myself.",
        "I'd never, ever kill myself.",
        "I'm not going to kill myself, I promise.",
        "I'm not gonna kill myself.",
        "I don't want to kill myself anymore.",
        "I no longer want to kill myself.",
        "I used to want to kill myself every day.",
        "I won't kill myself, my cat needs me.",
        "No way I'd ever kill myself.",
        "I have no plans to end my life.",
        "I have no intention of ever ending my life.",
        "I'm not going to end my life.",
        "I would never take my own life.",
        "I don't want to die.",
        "I'm not suicidal.",
        "I'm not going to hurt myself tonight.",
        "I stopped wanting to hurt myself last year.",
        "I haven't self-harmed again since March.",
    ],
)
def test_negated_sentences_do_not_fire(sentence: str) -> None:
    assert fired(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        # The negation is in another clause.
        "I'm not okay, I want to die.",
        "I'm not going to lie, I want to kill myself.",
        "It's not that I'm sad. I want to die.",
        "I don't want to talk about it but I want to kill myself.",
        # A new subject ends the negation's reach.
        "I don't know why I want to die.",
        # Bare "no" is not a negation.
        "Nobody knows I want to kill myself.",
        "No one would care if I killed myself.",
        # The rule's own negation is part of the rule.
        "I don't want to be here anymore.",
        "I never want to wake up again.",
        # Hopelessness, not a denial: "I don't think I can" is decided as firing.
        "I don't think I can go on.",
        # A struggle, not a denial.
        "I'm trying so hard not to hurt myself tonight.",
        "I can't stop thinking about killing myself.",
        # More than four words away.
        "I don't think anyone would even notice, honestly, that I want to die.",
    ],
)
def test_negation_elsewhere_in_the_text_does_not_stop_a_signal(sentence: str) -> None:
    assert fired(sentence) != []


@pytest.mark.parametrize(
    ("quoted", "own_words"),
    [
        ("> I want to die\n\nThat line from the song stays with me.", "I want to die"),
        ("> > I want to kill myself\n> she wrote that years ago\n\nIt haunts me.", "kill myself"),
        ("   > I want to die, she sang.", "I want to die"),
        ("```\nI want to die\n```\nThat was the lyric.", "I want to die"),
        ("~~~\nI want to kill myself\n~~~", "I want to kill myself"),
        ("```\nI want to die\nand the fence is never closed", "I want to die"),
        ("Here it is:\n\n    I want to die\n\nFrom the poem.", "I want to die"),
        ("The lyric is `I want to die` and it's stuck in my head.", "I want to die"),
        ("The lyric is ``I want to `die` now`` and it's stuck.", "I want to die"),
        ('She sang "I want to die" all night.', "I want to die"),
        (f"She sang {CURLY_OPENING_DOUBLE}I want to die{CURLY_CLOSING_DOUBLE}.", "I want to die"),
        ("He kept repeating 'I want to die' in the film.", "I want to die"),
        (f"The film: {CURLY_OPENING_SINGLE}I want to die{CURLY_APOSTROPHE}, over and over.", ""),
    ],
)
def test_quoted_text_does_not_fire_but_the_same_words_outside_quotes_do(
    quoted: str, own_words: str
) -> None:
    assert fired(quoted) == []
    assert fired(own_words or "I want to die") != []


@pytest.mark.parametrize(
    "sentence",
    [
        # A reply right under a quote is the member's own words.
        "> Has anyone felt this way?\nI want to die.",
        # Indented lines inside a list are list text, not code.
        "- first thing\n\n    I want to die",
        # Apostrophes in words and elisions are not quotation marks.
        "'Cause honestly, I want to die and my friends' advice doesn't help.",
        # A single quoted word is not a quotation.
        "I'm 'fine', except I want to die.",
        # An unclosed quote hides nothing.
        'He said "whatever. I want to die.',
        # Emphasis between words.
        "I *really* want to die.",
        "I want to _die_.",
    ],
)
def test_text_that_only_looks_quoted_still_fires(sentence: str) -> None:
    assert fired(sentence) != []


def test_a_quote_is_limited_to_its_line_and_a_few_hundred_characters() -> None:
    stray_quote = "I'm 5'11\" tall. " + "Everything is heavy. " * 30 + 'I want to die. "Ok"'

    assert fired(stray_quote) != []


@pytest.mark.parametrize(
    "sentence",
    [
        "He wants to kill himself.",
        "My friend told me she wants to die.",
        "They said they want to end it all.",
        "My sister is self-harming again.",
        "Her uncle left a suicide note.",
        "My son said he can't go on.",
        "She feels like everyone would be better off without her.",
        "Is he suicidal? He's been talking about ending his life.",
        "Do you ever want to die? I'm asking for a story.",
    ],
)
def test_other_people_do_not_fire_the_first_person_rules(sentence: str) -> None:
    assert fired(sentence) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "I WANT TO DIE",
        f"I can{CURLY_APOSTROPHE}t go on.",
        "I cant go on.",
        "I cannot go on.",
        "I can not go on.",
        f"I{CURLY_APOSTROPHE}m feeling suicidal.",
        "im feeling suicidal",
        "I am feeling suicidal.",
        "i wanna die",
        "I'm gonna end it all.",
        "I do not want to be alive anymore.",
    ],
)
def test_case_apostrophes_and_contractions_are_equivalent(sentence: str) -> None:
    assert fired(sentence) != []


def test_a_wildcard_matches_endings_but_not_other_words() -> None:
    pattern = "kill* myself"

    assert matched_text("I keep killing myself.", pattern) == "killing myself"
    assert matched_text("I almost killed myself.", pattern) == "killed myself"
    assert matched_text("I reskilled myself last year.", pattern) is None


def test_a_phrase_respects_word_boundaries() -> None:
    assert matched_text("I need to upskill myself.", "kill myself") is None
    assert matched_text("That was overkill, myself included.", "kill myself") is None
    assert matched_text("I will kill myselfie sticks.", "kill myself") is None
    assert matched_text("I keep killing myself.", "kill myself") is None
    assert matched_text("I might kill myself.", "kill myself") == "kill myself"


def test_optional_words_and_choices() -> None:
    pattern = "i [just|really] (was|were) [so] lonely"

    assert matched_text("I was lonely", pattern) == "I was lonely"
    assert matched_text("I really were so lonely", pattern) == "I really were so lonely"
    assert matched_text("I is lonely", pattern) is None
    assert matched_text("I just was very lonely", pattern) is None


def test_a_hyphen_matches_a_hyphen_a_space_or_nothing() -> None:
    for spelling in ("self-harm", "self harm", "selfharm"):
        assert matched_text(f"Urges to {spelling} again.", "self-harm again") is not None


def test_words_match_across_any_whitespace_and_the_shown_text_is_tidy() -> None:
    assert matched_text("Honestly I   want to\n die.", "i want to die") == "I want to die"


def test_rules_of_other_languages_are_ignored() -> None:
    german = phrase("ich will sterben", rule_id=7, language="de")
    english = phrase("i want to die", rule_id=8, language="en")

    assert fired("Ich will sterben. I want to die.", (german, english), language="en") == [8]
    assert fired("Ich will sterben. I want to die.", (german, english), language="de") == [7]
    assert fired("I want to die.", (english,), language="en-GB") == [8]
    assert (
        fired("I want to die.", (phrase("i want to die", language="en-us"),), language="en-gb")
        == []
    )


def test_each_rule_matches_at_most_once_in_rule_order() -> None:
    text = "I want to die. Honestly, I wish I was dead. I want to die. I wish I were dead."

    matches = find_crisis_signals(text, RULES, language="en")

    assert [match.rule_id for match in matches] == [1, 2]
    assert [match.matched_text for match in matches] == ["I want to die", "wish I was dead"]


def test_method_rules_say_so_in_their_match() -> None:
    matches = find_crisis_signals("I've been stockpiling my pills.", RULES, language="en")

    assert [match.is_method for match in matches] == [True]


def test_only_the_first_64_kilobytes_are_examined() -> None:
    filler = "\N{LATIN SMALL LETTER E WITH ACUTE}" * (MAX_EXAMINED_BYTES // 2)  # 2 bytes each

    assert fired(filler + " I want to die.") == []
    assert fired(filler[:-6] + " I want to die.") == []  # cut after "I want to d"
    assert fired(filler[:-20] + " I want to die.") == [1]


def test_a_long_text_with_lone_surrogates_is_cut_without_error() -> None:
    text = "\ud800" * MAX_EXAMINED_BYTES + " I want to die."  # 3 bytes each

    assert fired(text) == []


def test_a_rule_that_cannot_compile_is_skipped_and_logged_without_the_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = CrisisRule(rule_id=99, language="en", pattern="(a+)+", is_regex=True)
    text = "My secret: I want to die."

    with caplog.at_level(logging.WARNING, logger="hearth.safety.crisis_matching"):
        matches = find_crisis_signals(text, [broken, RULES[0]], language="en")

    assert [match.rule_id for match in matches] == [1]
    assert "99" in caplog.text
    assert "secret" not in caplog.text


def test_compiled_patterns_are_cached_by_pattern_and_kind() -> None:
    first = compile_rule(phrase("kill myself", rule_id=1))
    second = compile_rule(phrase("kill myself", rule_id=2, language="de"))
    as_regex = compile_rule(
        CrisisRule(rule_id=3, language="en", pattern="kill myself", is_regex=True)
    )

    assert first is second
    assert as_regex is not first


@pytest.mark.parametrize(
    ("pattern", "is_regex", "message"),
    [
        ("", False, "Enter the words"),
        ("   ", False, "Enter the words"),
        ("hi", False, "at least 3 characters"),
        ("x" * 201, False, "at most 200 characters"),
        ("i [want to die", False, "Close every"),
        ("i [want [to] die]", False, "Close every"),
        ("i want) to die", False, "Close every"),
        ("[just] [really]", False, "at least one word outside"),
        ("i (want|) to die", False, "empty alternative"),
        ("kill.*myself", False, "cannot be used in a phrase"),
        ("kill *myself", False, "cannot be used in a phrase"),
        ("ki* myself", False, "at least 3 letters before the *"),
        ("kill(myself", True, "not a valid regular expression"),
        ("(a+)+b", True, "only on whitespace"),
        (r"(?:\s+a){2,9}", True, "Repeats inside repeats"),
        (r"(\s+){2,5}x", True, "Repeats inside repeats"),
        ("want.*die", True, "only on whitespace"),
        (r"die\w{2,}", True, "only on whitespace"),
        (r"\w{0,500}die", True, "at most 100"),
        ("(?:die)?", True, "matches empty text"),
    ],
)
def test_compile_rule_rejects_bad_patterns_with_a_message(
    pattern: str, is_regex: bool, message: str
) -> None:
    rule = CrisisRule(rule_id=1, language="en", pattern=pattern, is_regex=is_regex)

    with pytest.raises(ValueError, match=re.escape(message)):
        compile_rule(rule)


@pytest.mark.parametrize(
    "pattern",
    [r"\bkill\s+myself\b", r"die(?!\s+of)", r"want\s+to\s+die\w{0,5}", r"[ \t]+die\b", "a{,3}bc"],
)
def test_compile_rule_accepts_bounded_regular_expressions(pattern: str) -> None:
    compiled = compile_rule(CrisisRule(rule_id=1, language="en", pattern=pattern, is_regex=True))

    assert isinstance(compiled, re.Pattern)


def test_a_long_post_of_near_misses_is_checked_quickly() -> None:
    near_misses = (
        "I would never kill myself. I want to die my hair.\n> I want to die\n"
        "'a \"b `c ``d I'm not going to end my life, I can't go on holiday; "
        "killing myself at work, self harm, pills, dying to know.\n"
    )
    text = (near_misses * (MAX_EXAMINED_BYTES // len(near_misses) + 1))[:MAX_EXAMINED_BYTES]

    started = time.perf_counter()
    matches = find_crisis_signals(text, RULES, language="en")
    elapsed = time.perf_counter() - started

    assert matches == []
    assert elapsed < 1.0


def test_pathological_quote_and_backtick_runs_are_checked_quickly() -> None:
    text = ("'a " * 10_000) + ("`" * 50 + " ") * 200 + ('"' + "x" * 500) * 30

    started = time.perf_counter()
    find_crisis_signals(text, RULES, language="en")

    assert time.perf_counter() - started < 1.0


GERMAN_RULES = tuple(
    dataclasses.replace(rule, rule_id=1000 + rule.rule_id, language="de") for rule in RULES
)
TRICKY_PIECES = (
    *("I ", "I'm ", "want ", "to ", "die", "kill ", "myself", "not ", "never ", "don't "),
    *("> ", "```", "`", '"', "'", "\N{RIGHT SINGLE QUOTATION MARK}", "*", "_", "~", "\t"),
    *("\n", "    ", ", ", ". ", "- ", "1. ", "\x00", "\r", "\ud800", "\N{EM DASH}"),
)


@settings(max_examples=200, deadline=None)
@given(
    text=st.one_of(st.text(), st.lists(st.sampled_from(TRICKY_PIECES)).map("".join)),
    language=st.sampled_from(["en", "de", "fr", "EN", "en-gb", ""]),
)
def test_the_matcher_never_raises_and_never_returns_another_languages_rule(
    text: str, language: str
) -> None:
    matches = find_crisis_signals(text, RULES + GERMAN_RULES, language=language)

    expected_ids = {
        "en": {rule.rule_id for rule in RULES},
        "de": {rule.rule_id for rule in GERMAN_RULES},
    }.get(language.lower()[:2], set())
    assert {match.rule_id for match in matches} <= expected_ids
    assert len(matches) == len({match.rule_id for match in matches})
