"""Find crisis signals in what a member publishes: admin-written phrases, minus negation and quotes.

Pure Python (no models), so it is fast to test and safe to call from any service;
hearth.safety.services loads the rules and acts on matches as CARE.md ("Crisis
signals") describes. Only the first 64 KB (UTF-8) of a text are examined.

Phrase syntax (the default; ``is_regex=False``):

- words are matched in any case, separated by any run of whitespace, never inside
  other words ("kill myself" does not match "skill myself" or "killing myself");
- ``word*`` at the end of a word matches its endings: ``hurt*`` = hurt, hurts, hurting;
- ``[word]`` is optional; ``[just|really|so much]`` is an optional choice;
- ``(was|were)`` is a required choice (one of the alternatives must be there);
- apostrophes are optional and a curly apostrophe equals a straight one (can't = cant);
  English contractions also match their long forms (can't = cannot = can not,
  don't = do not, I'm = I am, I've = I have, I'll = I will), "myself" matches "my self",
  and "want to", "going to",
  "kind of", "sort of" also match "wanna", "gonna", "kinda", "sorta" (when both words
  are in the same part of the phrase);
- a hyphen matches a hyphen, a space or nothing (self-harm = self harm = selfharm).

A regular expression (``is_regex=True``) is matched as written, case-insensitively,
against the same prepared text; it must be bounded (see ``compile_rule``).

What does not fire:

- Quoted text: lines starting with ``>`` (any indentation, nested or not), fenced code
  blocks (to their closing fence, or the end of the text, as the renderer does),
  indented code blocks (after a blank line, outside lists), inline code spans, text in
  double quotes (straight, curly, low-high or angle quotes), and text in single quotes
  (straight or curly) when it is clearly a quotation of two or more words. Inline
  quotes and code end on their own line and within 400 characters, so a stray quote
  mark cannot hide a whole post. A line that follows a quote without a blank line
  counts as the member's own words (Markdown would pull it into the quote, but the
  writer almost always means it as their reply).
- Negation (English): a "not", "never", "don't", "won't", "no longer", "no plans to",
  "no intention of", "used to", "stopped", ... ending within the 4 words before a match,
  in the same clause. Clauses end at . ! ? ; : brackets, commas (except "never, ever"),
  dashes, line breaks, quoted text and "but"/"however"/"although"/"though"/"except".
  A new subject or clause word between the negation and the match ("I", "you", "that",
  "why", "if", ...) ends the negation's reach, so "I don't know why I want to die" still
  fires, while "I would never kill myself" does not. A negation inside the phrase itself
  ("I don't want to be here anymore") is part of the rule, never a cancellation. Bare
  "no" is not a negation ("No one knows I want to die" must fire), and neither are
  "can't" ("I can't stop thinking about killing myself") or "trying not to" ("I'm
  trying hard not to hurt myself" fires).
- Other people: rules are first-person by design; the matcher itself knows nothing of
  persons, so that is the rule list's job (see default_crisis_rules).

Languages without a negation grammar below get quote handling only.
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MAX_EXAMINED_BYTES = 64 * 1024
MIN_PATTERN_LENGTH = 3
MAX_PATTERN_LENGTH = 200  # the admin field's max_length
MAX_MATCHED_TEXT_LENGTH = 200
MAX_QUOTATION_LENGTH = 400
MAX_REPEAT_COUNT = 100
NEGATION_WINDOW_WORDS = 4
_NEGATION_LOOKBACK_CHARACTERS = 200
_MIN_WILDCARD_STEM = 3

# Masked (quoted or code) characters become this, so that no phrase can match across
# them and a clause ends at them. Any NUL in the member's text is turned into a space.
_MASK = "\x00"


@dataclass(frozen=True)
class CrisisRule:
    rule_id: int  # database id (the defaults use 0; ids are assigned when seeding)
    language: str  # "en", "de", ...
    pattern: str  # a phrase (see the module docstring), or a regular expression
    is_regex: bool = False
    is_method: bool = False  # method/means detail: raises priority and collapses the post
    description: str = ""  # what the rule is for, shown to admins
    name: str = ""  # a few plain words, shown to moderators in the queue


@dataclass(frozen=True)
class CrisisMatch:
    rule_id: int
    is_method: bool
    matched_text: str  # the words that matched, whitespace collapsed, for the moderator


def compile_rule(rule: CrisisRule) -> re.Pattern[str]:
    """Return the compiled pattern of rule, cached by (pattern, is_regex).

    Raises ValueError with a message an admin can act on when the pattern is empty,
    shorter than 3 or longer than 200 characters, not valid phrase syntax, not a valid
    regular expression, or a regular expression that could be slow (unlimited repeats
    of anything but whitespace, repeats inside repeats, counts over 100) or that
    matches empty text.
    """
    return _compile(rule.pattern, rule.is_regex)


def find_crisis_signals(
    text: str, rules: Sequence[CrisisRule], *, language: str
) -> list[CrisisMatch]:
    """Return at most one match per rule of the text's language, in rule order.

    A rule for "en" also applies to "en-gb" text; rules of other languages are ignored.
    Never raises for any text: a rule that cannot be compiled (saved before validation
    existed, say) is skipped and logged by id, never with the member's words.
    """
    text_language = _language_code(language)
    primary_language = text_language.split("-")[0]
    applicable = [
        rule for rule in rules if _language_code(rule.language) in {text_language, primary_language}
    ]
    if not applicable or not text:
        return []
    examined = _first_bytes(text, MAX_EXAMINED_BYTES)
    prepared = _prepare(examined)
    grammar = _GRAMMARS.get(primary_language)
    found: list[CrisisMatch] = []
    for rule in applicable:
        try:
            pattern = compile_rule(rule)
        except ValueError:
            logger.warning("Crisis rule %s is invalid and was skipped.", rule.rule_id)
            continue
        match = _first_signal(pattern, prepared, grammar)
        if match is not None:
            shown = " ".join(examined[match.start() : match.end()].split())
            found.append(
                CrisisMatch(
                    rule_id=rule.rule_id,
                    is_method=rule.is_method,
                    matched_text=shown[:MAX_MATCHED_TEXT_LENGTH],
                )
            )
    return found


def _language_code(language: str) -> str:
    return language.strip().lower().replace("_", "-")


def _first_bytes(text: str, limit: int) -> str:
    """Return the longest prefix of text that is at most limit UTF-8 bytes."""
    if len(text) * 4 <= limit:  # a character is at most 4 bytes
        return text
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= limit:
        return text
    cut = limit
    while cut > 0 and encoded[cut] & 0xC0 == 0x80:  # do not split a character
        cut -= 1
    return encoded[:cut].decode("utf-8", "surrogatepass")


def _first_signal(
    pattern: re.Pattern[str], prepared: str, grammar: _Grammar | None
) -> re.Match[str] | None:
    for match in pattern.finditer(prepared):
        if match.start() == match.end() or _MASK in match.group():
            continue
        if grammar is not None and _is_negated(prepared, match.start(), grammar):
            continue
        return match
    return None


# --- Preparing the text: same length as the original, so offsets map back. ---

_EQUIVALENT_CHARACTERS = str.maketrans(
    {
        "\N{RIGHT SINGLE QUOTATION MARK}": "'",
        "\N{LEFT SINGLE QUOTATION MARK}": "'",
        "\N{SINGLE HIGH-REVERSED-9 QUOTATION MARK}": "'",
        "\N{SINGLE LOW-9 QUOTATION MARK}": "'",
        "\N{MODIFIER LETTER APOSTROPHE}": "'",
        "\N{FULLWIDTH APOSTROPHE}": "'",
        "\N{LEFT DOUBLE QUOTATION MARK}": '"',
        "\N{RIGHT DOUBLE QUOTATION MARK}": '"',
        "\N{DOUBLE LOW-9 QUOTATION MARK}": '"',
        "\N{DOUBLE HIGH-REVERSED-9 QUOTATION MARK}": '"',
        "\N{LEFT-POINTING DOUBLE ANGLE QUOTATION MARK}": '"',
        "\N{RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK}": '"',
        "\N{FULLWIDTH QUOTATION MARK}": '"',
        "\r": " ",
        _MASK: " ",
    }
)
# Emphasis markers sit between words in Markdown ("I *really* want to ..."); once the
# fences and list markers have been read, they are spaces.
_EMPHASIS_AS_SPACE = str.maketrans("*_~", "   ")


def _prepare(text: str) -> str:
    """Return text with quotes and code masked and characters made equivalent."""
    prepared = _mask_blocks(text.translate(_EQUIVALENT_CHARACTERS))
    prepared = _masked(prepared, _code_spans(prepared))
    prepared = _masked(prepared, _double_quotations(prepared))
    prepared = _masked(prepared, _single_quotations(prepared))
    return prepared.translate(_EMPHASIS_AS_SPACE)


def _masked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Return text with each (start, end) span, in order and not overlapping, masked."""
    pieces: list[str] = []
    position = 0
    for start, end in spans:
        pieces.append(text[position:start])
        pieces.append(_MASK * (end - start))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


_FENCE_OPENING = re.compile(r" {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)")
_LIST_ITEM = re.compile(r" {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")


def _indentation(line: str) -> int:
    columns = 0
    for character in line:
        if character == " ":
            columns += 1
        elif character == "\t":
            columns += 4 - columns % 4
        else:
            break
    return columns


@dataclass
class _BlockReader:
    """Read a text line by line and tell which lines are quotes or code (CommonMark-ish)."""

    fence: str = ""  # the opening fence while inside a fenced code block
    in_indented_code: bool = False
    previous_blank: bool = True
    in_list: bool = False

    def is_hidden(self, line: str) -> bool:
        if self.fence:
            if self._closes_fence(line):
                self.fence = ""
            return True
        if not line.strip():
            self.previous_blank = True
            return False
        after_blank, self.previous_blank = self.previous_blank, False
        indent = _indentation(line)
        if line.lstrip().startswith(">"):
            self.in_indented_code = False
            return True
        if indent >= 4 and (self.in_indented_code or (after_blank and not self.in_list)):
            self.in_indented_code = True
            return True
        self.in_indented_code = False
        return self._opens_fence(line, indent) or self._track_list(line, indent, after_blank)

    def _opens_fence(self, line: str, indent: int) -> bool:
        opening = _FENCE_OPENING.match(line) if indent < 4 else None
        if opening is None or (opening["fence"][0] == "`" and "`" in opening["info"]):
            return False
        self.fence = opening["fence"]
        return True

    def _closes_fence(self, line: str) -> bool:
        closing = line.strip()
        return (
            _indentation(line) < 4
            and len(closing) >= len(self.fence)
            and closing == self.fence[0] * len(closing)
        )

    def _track_list(self, line: str, indent: int, after_blank: bool) -> bool:
        if _LIST_ITEM.match(line):
            self.in_list = True
        elif after_blank and indent < 2:
            self.in_list = False
        return False


def _mask_blocks(text: str) -> str:
    reader = _BlockReader()
    return "\n".join(
        _MASK * len(line) if reader.is_hidden(line) else line for line in text.split("\n")
    )


_BACKTICKS = re.compile(r"`+")


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Return inline code spans: a run of backticks up to the next run of the same length."""
    runs = [(run.start(), run.end()) for run in _BACKTICKS.finditer(text)]
    next_same_length: list[int | None] = [None] * len(runs)
    last_seen: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        next_same_length[index] = last_seen.get(length)
        last_seen[length] = index
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        closer = next_same_length[index]
        start = runs[index][0]
        if closer is not None and text.find("\n", start, runs[closer][0]) == -1:
            spans.append((start, runs[closer][1]))
            index = closer + 1
        else:
            index += 1
    return spans


_DOUBLE_QUOTATION = re.compile(rf'"[^"\n]{{1,{MAX_QUOTATION_LENGTH}}}"')
# An opening single quote follows a space or bracket and precedes a letter, and is not
# a dropped letter ('cause, 'em, 'til); a closing one follows a letter or punctuation
# and precedes no letter. Apostrophes inside words (can't) are neither.
_SINGLE_QUOTE_OPENING = re.compile(
    r"(?<![^\s(\[{\"\x00-])'(?=\w)"
    r"(?!(?:cause|cos|coz|cuz|em|til|till|bout|tis|twas|round|n|s|nother|kay)(?![\w']))",
    re.IGNORECASE,
)
_SINGLE_QUOTE_CLOSING = re.compile(r"(?<=[\w.,!?])'(?![\w'])")


def _double_quotations(text: str) -> list[tuple[int, int]]:
    return [quotation.span() for quotation in _DOUBLE_QUOTATION.finditer(text)]


def _single_quotations(text: str) -> list[tuple[int, int]]:
    """Return '...' spans of at least two words on one line (not possessives or elisions)."""
    closings = [closing.start() for closing in _SINGLE_QUOTE_CLOSING.finditer(text)]
    spans: list[tuple[int, int]] = []
    after_last = 0
    for opening in _SINGLE_QUOTE_OPENING.finditer(text):
        start = opening.start()
        if start < after_last:
            continue
        position = bisect.bisect_right(closings, start)
        if position == len(closings):
            break
        end = closings[position] + 1
        if end - start > MAX_QUOTATION_LENGTH + 2:
            continue
        body = text[start + 1 : end - 1]
        if "\n" not in body and len(body.split()) >= 2:
            spans.append((start, end))
            after_last = end
    return spans


# --- Negation ---


@dataclass(frozen=True)
class _Grammar:
    negation: re.Pattern[str]  # a group named "strong" is not ended by a new subject
    clause_boundary: re.Pattern[str]
    scope_breakers: frozenset[str]


_PUNCTUATION_BOUNDARY = (
    r"[.!?;:()\[\]{}\n\x00\N{HORIZONTAL ELLIPSIS}]"
    r"|,(?!\s*ever\b)"  # "I would never, ever ..." is one clause
    r"|\s[-\N{EN DASH}\N{EM DASH}]+\s|[\N{EN DASH}\N{EM DASH}]"
)

_ENGLISH = _Grammar(
    negation=re.compile(
        r"(?<![\w'])(?:"
        r"(?P<strong>no\s+way)(?!\s+out)"
        r"|no\s+(?:longer|more)"
        r"|no\s+(?:plans?|intentions?|desire|wish|urges?|interest)\s+(?:to|of|in)"
        # "trying not to hurt myself" is a struggle, not a denial.
        r"|(?<!trying\s)(?<!try\s)(?<!tried\s)(?<!hard\s)(?<!struggling\s)(?<!fighting\s)"
        r"(?<!how\s)not"
        r"|never|nor"
        r"|(?:do|does|did|wo|would|is|are|was|were|have|has|had|ai)n'?t"
        r"|used\s+to|stopped"
        r")(?![\w'-])",
        re.IGNORECASE,
    ),
    clause_boundary=re.compile(
        _PUNCTUATION_BOUNDARY + r"|\b(?:but|however|although|though|except)\b", re.IGNORECASE
    ),
    scope_breakers=frozenset(
        {
            *("i", "i'm", "im", "i've", "ive", "i'd", "i'll"),
            *("you", "he", "she", "they", "we"),
            *("that", "why", "how", "what", "when", "where", "whether", "if"),
            *("because", "cause", "cos", "coz", "cuz", "until", "unless", "since"),
            *("anyone", "anybody", "everyone", "everybody", "someone", "somebody", "nobody"),
        }
    ),
)
_GRAMMARS: dict[str, _Grammar] = {"en": _ENGLISH}

_WORD = re.compile(r"\w+(?:'\w+)*")


def _is_negated(prepared: str, start: int, grammar: _Grammar) -> bool:
    """Return whether a negation ends in the few words before start, in the same clause."""
    lookback = prepared[max(0, start - _NEGATION_LOOKBACK_CHARACTERS) : start]
    clause_start = 0
    for boundary in grammar.clause_boundary.finditer(lookback):
        clause_start = boundary.end()
    clause = lookback[clause_start:]
    words = list(_WORD.finditer(clause))
    if not words:
        return False
    window_start = words[-min(len(words), NEGATION_WINDOW_WORDS)].start()
    negation = None
    for candidate in grammar.negation.finditer(clause):
        if candidate.end() > window_start:
            negation = candidate
    if negation is None:
        return False
    if negation.group("strong"):
        return True
    between = [word.lower() for word in _WORD.findall(clause, negation.end())]
    if first_word := _WORD.match(prepared, start):
        between.append(first_word.group().lower())
    return not any(word in grammar.scope_breakers for word in between)


# --- Compiling rules ---


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str, is_regex: bool) -> re.Pattern[str]:
    stripped = pattern.strip()
    if not stripped:
        raise ValueError(_("Enter the words to look for."))
    if len(stripped) < MIN_PATTERN_LENGTH:
        raise ValueError(
            _("Use at least %(minimum)s characters, so that ordinary words do not match.")
            % {"minimum": MIN_PATTERN_LENGTH}
        )
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(_("Use at most %(maximum)s characters.") % {"maximum": MAX_PATTERN_LENGTH})
    if is_regex:
        return _compile_regex(pattern.translate(_EQUIVALENT_CHARACTERS))
    return re.compile(_phrase_regex(stripped.translate(_EQUIVALENT_CHARACTERS)), re.IGNORECASE)


def _compile_regex(pattern: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as error:
        raise ValueError(
            _("This is not a valid regular expression: %(error)s.") % {"error": error}
        ) from error
    _check_regex_is_bounded(pattern)
    if compiled.fullmatch("") is not None:
        raise ValueError(
            _("This regular expression matches empty text; make at least one word required.")
        )
    return compiled


_QUANTIFIER = re.compile(r"[*+?]|\{(?P<low>\d*)(?P<comma>,?)(?P<high>\d*)\}")
_WHITESPACE_ESCAPES = frozenset({r"\s", r"\n", r"\t", r"\r", "\\ "})


def _check_regex_is_bounded(pattern: str) -> None:
    """Raise ValueError for constructs that can make matching slow on a long post.

    A heuristic over the pattern's text (which re.compile has already accepted): an
    unlimited repeat is allowed only on whitespace, every count is at most 100, and no
    repeated group contains a repeat. Python's re has no timeout, so this is the bound.
    """
    open_groups = [False]  # per open group: does it contain a repeat?
    previous: str | None = None  # what a quantifier here repeats: space, group, group+, other
    index = 0
    while index < len(pattern):
        character = pattern[index]
        quantifier = _QUANTIFIER.match(pattern, index) if previous else None
        if quantifier is not None and quantifier[0] != "{,}" and quantifier[0] != "{}":
            maximum = _quantifier_maximum(quantifier)
            _check_repeat(previous, maximum)
            if maximum is None or maximum > 1:
                open_groups[-1] = True
            index = quantifier.end()
            index += index < len(pattern) and pattern[index] in "?+"  # lazy or possessive
            previous = None
        elif character == "\\":
            previous = "space" if pattern[index : index + 2] in _WHITESPACE_ESCAPES else "other"
            index += 2
        elif character == "[":
            end = _character_class_end(pattern, index)
            previous = "space" if _is_whitespace_class(pattern[index:end]) else "other"
            index = end
        elif character == "(":
            open_groups.append(False)
            previous = None
            index += 1
        elif character == ")":
            inner = open_groups.pop() if len(open_groups) > 1 else False
            open_groups[-1] = open_groups[-1] or inner
            previous = "group+" if inner else "group"
            index += 1
        else:
            previous = None if character in "|^$" else ("space" if character.isspace() else "other")
            index += 1


def _quantifier_maximum(quantifier: re.Match[str]) -> int | None:
    text = quantifier[0]
    if text in {"*", "+"}:
        return None
    if text == "?":
        return 1
    if not quantifier["comma"]:
        return int(quantifier["low"])
    return int(quantifier["high"]) if quantifier["high"] else None


def _check_repeat(repeated: str | None, maximum: int | None) -> None:
    if maximum is None and repeated != "space":
        raise ValueError(
            _(
                "Unlimited repeats (*, + or {n,}) are allowed only on whitespace, as in \\s+; "
                "give a limit instead, as in \\w{0,20}."
            )
        )
    if maximum is not None and maximum > MAX_REPEAT_COUNT:
        raise ValueError(
            _("A repeat count can be at most %(maximum)s.") % {"maximum": MAX_REPEAT_COUNT}
        )
    if repeated == "group+" and (maximum is None or maximum > 1):
        raise ValueError(
            _(
                "Repeats inside repeats, such as (a+)+, can make matching extremely slow; "
                "rewrite the expression without them."
            )
        )


def _character_class_end(pattern: str, start: int) -> int:
    """Return the index just after the character class that opens at start."""
    index = start + 1
    if index < len(pattern) and pattern[index] == "^":
        index += 1
    if index < len(pattern) and pattern[index] == "]":
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1


def _is_whitespace_class(character_class: str) -> bool:
    inside = character_class[1:-1]
    if inside.startswith("^"):
        return False
    for escape in _WHITESPACE_ESCAPES:
        inside = inside.replace(escape, "")
    return inside.strip() == ""


# Phrase syntax: [optional|choices], (required|choices), words.
_PHRASE_TOKEN = re.compile(
    r"\[(?P<optional>[^\[\]()]*)\]|\((?P<choice>[^\[\]()]*)\)|(?P<word>[^\s\[\]()]+)|(?P<space>\s+)"
)
_PHRASE_WORD = re.compile(r"(?=[\w'-]*[^\W_])[\w'-]+\*?")
_INFORMAL_PAIRS = {
    ("going", "to"): "gonna",
    ("want", "to"): "wanna",
    ("kind", "of"): "kinda",
    ("sort", "of"): "sorta",
    ("got", "to"): "gotta",
}
_OTHER_SPELLINGS: dict[str, tuple[str, ...]] = {
    "myself": ("my self",),
    "can't": ("cannot", "can not"),
    "cannot": ("can't", "can not"),
    "won't": ("will not",),
    "shan't": ("shall not",),
    "ain't": (),
}
_CONTRACTED_ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("n't", (" not",)),
    ("'m", (" am",)),
    ("'re", (" are",)),
    ("'ve", (" have",)),
    ("'ll", (" will",)),
    ("'d", (" would", " had")),
)


@dataclass(frozen=True)
class _PhrasePart:
    is_optional: bool
    alternatives: tuple[tuple[str, ...], ...]  # each alternative is a sequence of words


def _phrase_regex(phrase: str) -> str:
    parts = _parse_phrase(phrase)
    first_required = next((i for i, part in enumerate(parts) if not part.is_optional), None)
    if first_required is None:
        raise ValueError(_("Put at least one word outside [optional parts]."))
    pieces: list[str] = []
    for index, part in enumerate(parts):
        body = "(?:" + "|".join(_sequence_regex(words) for words in part.alternatives) + ")"
        if index < first_required:
            pieces.append(rf"(?:{body}\s+)?")
        elif index == first_required:
            pieces.append(body)
        elif part.is_optional:
            pieces.append(rf"(?:\s+{body})?")
        else:
            pieces.append(rf"\s+{body}")
    return r"(?<!\w)" + "".join(pieces) + r"(?!\w)"


def _parse_phrase(phrase: str) -> list[_PhrasePart]:
    parts: list[_PhrasePart] = []
    words: list[str] = []
    position = 0
    for token in _PHRASE_TOKEN.finditer(phrase):
        if token.start() != position:
            break
        position = token.end()
        if token["word"] is not None:
            words.append(_checked_word(token["word"]))
            continue
        if token["space"] is not None:
            continue
        if words:
            parts.append(_PhrasePart(is_optional=False, alternatives=(tuple(words),)))
            words = []
        is_optional = token["optional"] is not None
        body = token["optional"] if is_optional else token["choice"]
        parts.append(_PhrasePart(is_optional=is_optional, alternatives=_alternatives(body)))
    if position != len(phrase):
        raise ValueError(
            _(
                "Close every [optional part] and (choice) you open, and do not put one "
                "inside another."
            )
        )
    if words:
        parts.append(_PhrasePart(is_optional=False, alternatives=(tuple(words),)))
    return parts


def _alternatives(body: str) -> tuple[tuple[str, ...], ...]:
    alternatives = tuple(tuple(alternative.split()) for alternative in body.split("|"))
    if not all(alternatives):
        raise ValueError(
            _("A [part] or (choice) has an empty alternative: remove the extra | or the brackets.")
        )
    return tuple(tuple(_checked_word(word) for word in words) for words in alternatives)


def _checked_word(word: str) -> str:
    if (
        _PHRASE_WORD.fullmatch(word) is None
        or word.startswith("-")
        or word.rstrip("*").endswith("-")
    ):
        raise ValueError(
            _(
                '"%(word)s" cannot be used in a phrase: use letters, digits, apostrophes and '
                "hyphens, with * only at the end of a word. For anything else, tick "
                '"regular expression".'
            )
            % {"word": word}
        )
    if word.endswith("*") and len(re.sub(r"[\W_]", "", word)) < _MIN_WILDCARD_STEM:
        raise ValueError(
            _(
                'Put at least %(minimum)s letters before the * in "%(word)s"; otherwise it '
                "matches too many words."
            )
            % {"minimum": _MIN_WILDCARD_STEM, "word": word}
        )
    return word.lower()


def _sequence_regex(words: Sequence[str]) -> str:
    pieces: list[str] = []
    index = 0
    while index < len(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        if informal := _INFORMAL_PAIRS.get((words[index], following)):
            formal = rf"{_word_regex(words[index])}\s+{_word_regex(following)}"
            pieces.append(f"(?:{formal}|{informal})")
            index += 2
        else:
            pieces.append(_word_regex(words[index]))
            index += 1
    return r"\s+".join(pieces)


def _word_regex(word: str) -> str:
    if word.endswith("*"):
        return _literal_regex(word[:-1]) + r"\w*"
    spellings = _spellings(word)
    if len(spellings) == 1:
        return _literal_regex(word)
    return "(?:" + "|".join(r"\s+".join(map(_literal_regex, s.split())) for s in spellings) + ")"


def _spellings(word: str) -> list[str]:
    """Return word and its other spellings, such as the long forms of a contraction."""
    if word in _OTHER_SPELLINGS:
        return [word, *_OTHER_SPELLINGS[word]]
    for ending, expansions in _CONTRACTED_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending):
            stem = word[: -len(ending)]
            return [word, *(stem + expansion for expansion in expansions)]
    return [word]


def _literal_regex(word: str) -> str:
    pieces = []
    for character in word:
        if character == "'":
            pieces.append("'?")
        elif character == "-":
            pieces.append(r"(?:-|\s+)?")
        else:
            pieces.append(re.escape(character))
    return "".join(pieces)
