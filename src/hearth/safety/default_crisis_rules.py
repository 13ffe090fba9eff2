"""The default English crisis-signal rules, seeded for admins to review and edit.

Written for Hearth by its contributors, not copied from any published list. Principles:

- Precision before recall. A false alarm shows a worried panel to someone who was fine
  and gives a volunteer moderator a needless item, so every rule is a sentence a
  thoughtful moderator would want to look at. Everyday hyperbole ("this session killed
  me", "I could die of embarrassment", "dying to know") must not fire.
- First person. Each rule says "I", "me", "my" or "myself", because the panel goes to the
  writer; worry about someone else is what "I'm worried about this person" reports are for.
- The few method/means rules (``is_method=True``) name no method beyond pills: they look
  for a stated plan with access to means (stockpiling, "enough pills to ...", "the
  means"), never for a list of methods, in keeping with CARE.md.
- Regular expressions only where a phrase would fire on ordinary sentences: each one
  excludes a known everyday continuation ("want to die my hair", "can't go on holiday").

Negation and quotation are the matcher's job (see crisis_matching), so a rule is written
in its plain affirmative form; a negation that belongs to the rule itself ("I don't
want to be here anymore") is part of its pattern.
"""

from __future__ import annotations

from hearth.safety.crisis_matching import CrisisRule


def _rule(
    pattern: str,
    description: str,
    *,
    name: str,
    is_regex: bool = False,
    is_method: bool = False,
) -> CrisisRule:
    return CrisisRule(
        rule_id=0,
        language="en",
        pattern=pattern,
        is_regex=is_regex,
        is_method=is_method,
        description=description,
        name=name,
    )


# Shared regex pieces: the end of a clause, and what an "I" may be followed by.
_CLAUSE_END = r"[.!?,;:)\n]|$"

DEFAULT_RULES: tuple[CrisisRule, ...] = (
    # First-person intent.
    _rule(
        r"\bi(?:\s+(?:just|really|still|honestly|actually|so|kinda))?"
        r"\s+(?:want\s+to|wanna|wish\s+i\s+could(?:\s+just)?)\s+(?:die|be\s+dead)\b"
        r"(?!\s+(?:of|laughing|happy|old|my\s+(?:\w{1,20}\s+)?hair)\b)",
        "Wanting to die or be dead. Skips 'die of embarrassment', 'die laughing', 'die "
        "happy/old' and 'die my hair' (a common spelling of dye).",
        is_regex=True,
        name="Wanting to die",
    ),
    _rule("wish i (was|were|could be) dead", "Wishing to be dead.", name="Wishing to be dead"),
    _rule(
        "(i'm|i'd be|i'll be|i'd just be|i'm just|i'm honestly) better off dead",
        "Believing they would be better off dead.",
        name="Better off dead",
    ),
    _rule(
        "kill myself",
        "Killing oneself, in any tense that uses 'kill myself'.",
        name="Killing themselves",
    ),
    _rule(
        "(about|of|from|into|on|to|considering|contemplating|resist|resisting) killing myself",
        "Thinking about killing oneself. Needs a word like 'about' before it, so the idiom "
        "'killing myself at work' does not fire.",
        name="Thinking about killing themselves",
    ),
    _rule(
        "(if|wish) i [just|had|finally|ever] (killed myself|died|was gone|were gone)",
        "Imagining being dead or gone ('would anyone notice if I died').",
        name="Imagining being dead or gone",
    ),
    _rule(
        "(i|i'll|i'm going to|i want to|i should|i'm about to|i might) "
        "[just|literally|honestly|actually] kms",
        "'kms', online shorthand for 'kill myself', after a first-person verb.",
        name="'kms' (kill myself)",
    ),
    _rule("(end|ending) my [own] life", "Ending one's own life.", name="Ending their life"),
    _rule("(take|taking) my own life", "Taking one's own life.", name="Taking their own life"),
    _rule(
        "(i want to|i just want to|i really want to|i'm going to|i'm ready to|i'm planning to|"
        "i plan to|i've decided to|i'm tempted to|i'm about to|i'll|i'm thinking about) "
        "end* it all",
        "Intending to 'end it all', with a first-person verb.",
        name="Ending it all",
    ),
    _rule(
        "(i'm|i feel|i've been|i'm feeling|i've been feeling|i keep feeling|i'm getting) "
        "[so|very|really|pretty|quite|extremely|more|a bit|a little|kind of] suicidal",
        "Saying they feel suicidal now (not 'I was suicidal years ago', not asking others).",
        name="Feeling suicidal",
    ),
    _rule(
        "(i have|i've had|i'm having|i've been having|i keep having|i keep getting|i get|"
        "i'm getting|i've got) suicidal (thoughts|urges|feelings|ideation)",
        "Having suicidal thoughts or urges.",
        name="Suicidal thoughts or urges",
    ),
    # Passive wishes not to be alive.
    _rule(
        "i [just|really|honestly|simply] don't want to (exist|be alive|live anymore|"
        "live any more|live any longer|be here anymore|be here any more|be here any longer)",
        "Not wanting to exist or be alive. 'Here' and 'live' need 'anymore', so 'I don't "
        "want to be here at this party' does not fire.",
        name="Not wanting to be alive",
    ),
    _rule(
        "i [just|really|honestly] (don't|never) want to wake up (again|anymore|any more|"
        "ever again)",
        "Not wanting to wake up again.",
        name="Not wanting to wake up again",
    ),
    _rule(
        r"\b(?:hope|hoping|wish|pray|praying)\s+(?:that\s+)?i\s+(?:don'?t|do\s+not|never|"
        r"won'?t|will\s+not|didn'?t)\s+wake\s+up\b(?=\s*(?:" + _CLAUSE_END + r"|"
        r"(?:tomorrow|again|ever|anymore|and|but)\b))",
        "Hoping not to wake up. Only at the end of a clause, so 'I hope I don't wake up "
        "the baby' does not fire.",
        is_regex=True,
        name="Hoping not to wake up",
    ),
    _rule(
        "(sleep|asleep) and (never|not) wake up",
        "Wanting to go to sleep and not wake up.",
        name="Sleeping and never waking up",
    ),
    _rule(
        "part of me [still|really|just] wants to (die|be dead|not exist)",
        "A part of them wants to die (how people in long-term therapy often say it).",
        name="A part of them wants to die",
    ),
    # Hopelessness with intent.
    _rule(
        r"\b(?:(?:i\s+have|i'?ve(?:\s+got)?|there(?:'?s|\s+is)|i\s+see)\s+no|i\s+don'?t\s+"
        r"(?:have|see)\s+(?:a|any))\s+reasons?\s+(?:left\s+)?to\s+(?:live|be\s+alive)\b"
        r"(?!\s+(?:in|at|with|here|there|on)\b)",
        "Having no reason to live. Skips places ('no reason to live in London').",
        is_regex=True,
        name="No reason to live",
    ),
    _rule(
        "(i have|i've got|there's|there is) nothing [left|more] to live for",
        "Having nothing to live for.",
        name="Nothing to live for",
    ),
    _rule(
        r"\b(?:there(?:'?s|\s+is)\s+no|what(?:'?s|\s+is)\s+the|i\s+(?:see\s+no|(?:don'?t|"
        r"can'?t)\s+see\s+(?:the|any)))\s+point\s+(?:in|of)\s+(?:living|being\s+alive)\b"
        r"(?!\s+(?:in|at|with|here|there|on)\b)",
        "Seeing no point in living. Skips places ('the point of living in a city').",
        is_regex=True,
        name="No point in living",
    ),
    _rule(
        "better off without me",
        "Believing others would be better off without them.",
        name="Others better off without them",
    ),
    _rule(
        "better off if i (was dead|were dead|was gone|were gone|wasn't here|weren't here|"
        "wasn't around|weren't around|was never born|had never been born|died|disappeared)",
        "Believing others would be better off if they were dead or gone.",
        name="Others better off if they were gone",
    ),
    _rule(
        r"\bi\s+(?:(?:just|really)\s+)?(?:can(?:'?t|not|\s+not)|don'?t\s+think\s+"
        r"i\s+can)\s+go\s+on(?:\s+(?:like\s+this|anymore|any\s+longer|living))?"
        r"(?=\s*(?:" + _CLAUSE_END + r"|(?:and|but|so|i|like|without)\b))",
        "Not being able to go on (also 'I don't think I can go on'). Only at the end of a "
        "clause, so 'I can't go on holiday' does not fire.",
        is_regex=True,
        name="Not able to go on",
    ),
    _rule(
        "i [just|really|honestly|simply|seriously] [just] can't (do this|live like this|keep doing "
        "this|keep living like this|keep going like this) (anymore|any more|any longer)",
        "Not being able to do this anymore.",
        name="Not able to do this anymore",
    ),
    # Plans, goodbyes and time words.
    _rule(
        r"\btonight(?:'?s|\s+is)\s+the\s+night(?=\s*(?:[.\n]|$))",
        "'Tonight is the night.' as a whole sentence; not with '!', which is how people "
        "announce a date or a concert.",
        is_regex=True,
        name="'Tonight is the night'",
    ),
    _rule(
        r"\b(?:said|say|saying)\s+my\s+(?:last\s+|final\s+)?goodbyes?(?:\s+to\s+(?:everyone|"
        r"everybody|the\s+world))?(?=\s*(?:" + _CLAUSE_END + r"|(?:and|now|already)\b))",
        "Having said their goodbyes. Not 'goodbyes to my therapist' (therapy endings) or "
        "'at the funeral'.",
        is_regex=True,
        name="Saying goodbye",
    ),
    _rule(
        "(i|i've|i'm|i just|i've already|i already|i've been) (wrote|written|writing|drafted|"
        "started|finished|started writing|finished writing) (a|my) suicide (note|letter)",
        "Writing their own suicide note (not a relative's, not a therapy goodbye letter).",
        name="Writing a suicide note",
    ),
    _rule(
        "(this is|tonight is|today is|it's|this will be|tonight will be) my last (night|day) "
        "(alive|on earth|on this earth|in this world)",
        "Saying this is their last night or day alive.",
        name="Last night or day alive",
    ),
    _rule(
        "i [probably|likely|honestly] won't be alive (by morning|tomorrow|by tomorrow|much "
        "longer|for much longer|next week|by the weekend)",
        "Expecting not to be alive soon.",
        name="Expecting not to be alive soon",
    ),
    # Self-harm.
    _rule(
        "(want to|going to|urge to|urges to|tempted to|trying not to|hard not to|need to|"
        "about to|thinking about|thinking of|thoughts of|feel like) (hurt*|harm*) myself",
        "Urges to hurt themselves. 'Trying not to' fires: it is a struggle, not a denial. "
        "Accidents ('I hurt myself at the gym') do not.",
        name="Urges to hurt themselves",
    ),
    _rule(
        "(i|i've|i'm|i just|i've been|i started|i've started|i ended up|i relapsed and) "
        "(cut myself|cutting myself|self-harmed|self-harming|self-harm|harmed myself|"
        "harming myself) again",
        "Self-harming again.",
        name="Self-harming again",
    ),
    _rule(
        "(i've been|i'm|i keep|i started|i've started|i can't stop) (harming myself|"
        "self-harming|hurting myself on purpose)",
        "Self-harming now or habitually.",
        name="Self-harming",
    ),
    _rule(
        r"\b(?:(?:want|urges?|need|(?:trying|hard)\s+not)\s+to|wanna|feel\s+like|"
        r"thinking\s+(?:about|of)|i'?ve\s+been|i\s+keep|i\s+can'?t\s+stop)\s+cut(?:ting)?\s+"
        r"myself\b(?!\s+(?:off|some|a|out|free)\b)",
        "Urges to cut themselves. Skips 'cut myself off' and 'cut myself some slack'.",
        is_regex=True,
        name="Urges to cut themselves",
    ),
    _rule(
        "(i want to|i'm going to|i'm thinking about|i've been thinking about|i'm planning to|"
        "i plan to|i'm tempted to|i'm about to|i've thought about) overdos*",
        "Intending to overdose.",
        name="Intending to overdose",
    ),
    # Method and means: generic on purpose (CARE.md: never a list of methods).
    _rule(
        "(stockpil*|hoard*|saving up|saved up|been saving) (my|all my|my own) (pills|tablets|"
        "meds|medication|medications)",
        "Stockpiling their medication.",
        is_method=True,
        name="Stockpiling medication",
    ),
    _rule(
        "enough (pills|tablets|meds|medication) to (die|end it all|end my life|kill myself|"
        "not wake up|overdose)",
        "Having or wanting enough medication to die.",
        is_method=True,
        name="Enough medication to die",
    ),
    _rule(
        "how many (pills|tablets|meds) (it would take|would it take|it'd take|it will take|"
        "will it take|does it take|it takes|i'd need|i need) to (die|end it|not wake up|"
        "kill myself|overdose)",
        "Asking or finding out how many pills it would take.",
        is_method=True,
        name="How many pills it would take",
    ),
    _rule(
        "(i have|i've got|i got) the (pills|tablets) (ready|in front of me|next to me|lined up|"
        "counted out)",
        "Having the pills ready.",
        is_method=True,
        name="Pills ready",
    ),
    _rule(
        "(i have|i've got|i've found|i got|i found|i now have|i have access to) (a plan and "
        "the means|the means to do it|the means to end it|the means to end my life|the "
        "means to kill myself)",
        "Having a plan and the means.",
        is_method=True,
        name="A plan and the means",
    ),
    _rule(
        "(research*|looked up|looking up|googl*|search*) "
        "[painless|quick|easy|quickest|easiest|the quickest|the easiest|the best] (ways|methods|"
        "a way|a method|how) to (die|end my life|kill myself|end it all)",
        "Researching ways to die.",
        is_method=True,
        name="Researching ways to die",
    ),
)
