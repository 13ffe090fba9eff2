"""Keep rendering fast and lossless on crafted input.

markdown-it-py is linear, but its cost per token is high: 64 KB of "![",
of one-character paragraphs, or of table cells took 0.5-1.7 s. Each guard
caps one such cost per text, and what is past a cap is still shown (as
plain paragraph text), never dropped: markdown-it itself silently drops
whatever is nested deeper than maxNesting, which would lose what a member
typed. Real posts stay far below every cap.
"""

from __future__ import annotations

from collections.abc import Callable

from markdown_it import MarkdownIt, rules_block
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.utils import EnvType

InlineRule = Callable[[StateInline, bool], bool]

# markdown-it's own default; deeper structure is flattened (see below).
MAX_NESTING = 20
# Block nesting grows by at most 2 per container (a list and its item), and
# markdown-it gives up at MAX_NESTING: flatten from 2 levels before.
_FLATTEN_FROM_LEVEL = MAX_NESTING - 2

# A 64 KB article has a few hundred blocks; a long list a few thousand.
BLOCKS_PER_TEXT = 4_000
# Inline parsing steps per text (a step: a run of plain text, or one markup
# character tried against every inline rule). A 64 KB article takes under
# 10,000; 64 KB of "<" or "]" takes 65,536 and ~0.3 s. Past the budget, the
# rest of each paragraph is plain text.
INLINE_STEPS_PER_TEXT = 20_000
# A run of more "*", "_" or "~" than this is text, not emphasis: CommonMark
# would nest thousands of <em>/<strong> levels for one 32 KB run.
DELIMITER_RUN_LIMIT = 50
# Each "[" starts a link-label scan that re-runs every inline rule up to
# MAX_NESTING deep; an article makes about one attempt per link. Past the
# budget, "[" is plain text.
LINK_ATTEMPTS_PER_TEXT = 2_000
# A long article has dozens of footnote references; each renders two links.
FOOTNOTE_REFERENCES_PER_TEXT = 500
# Rows of a table past this many cells (counted over the whole text) are
# shown as text; markdown-it only caps padding cells, at 65,536.
TABLE_CELLS_PER_TEXT = 4_000

_BLOCKS_KEY = "hearth_blocks_started"
_INLINE_STEPS_KEY = "hearth_inline_steps"
_LINK_ATTEMPTS_KEY = "hearth_link_attempts"
_FOOTNOTE_REFERENCES_KEY = "hearth_footnote_references"
_TABLE_CELLS_KEY = "hearth_table_cells"


def _within_budget(env: EnvType, key: str, limit: int) -> bool:
    """Spend one unit of env's budget key; return False once limit is spent."""
    spent = env.get(key, 0)
    if spent >= limit:
        return False
    env[key] = spent + 1
    return True


def inline_step_budget(state: StateInline, silent: bool) -> bool:
    """Inline rule, tried first at every step: past the budget, the rest is text."""
    steps = state.env.get(_INLINE_STEPS_KEY, 0) + 1
    state.env[_INLINE_STEPS_KEY] = steps
    if steps <= INLINE_STEPS_PER_TEXT:
        return False
    if not silent:
        state.pending += state.src[state.pos : state.posMax]
    state.pos = state.posMax
    return True


def _with_budget(rule: InlineRule, *, starts_with: str, key: str, limit: int) -> InlineRule:
    def guarded(state: StateInline, silent: bool) -> bool:
        if not state.src.startswith(starts_with, state.pos):
            return False  # the rule's own cheap reject, before spending budget
        if not _within_budget(state.env, key, limit):
            return False
        return rule(state, silent)

    return guarded


def _with_run_limit(rule: InlineRule) -> InlineRule:
    def limited(state: StateInline, silent: bool) -> bool:
        marker = state.src[state.pos]
        if marker not in "*_~":
            return rule(state, silent)
        end = state.pos
        while end < state.posMax and state.src[end] == marker:
            end += 1
        if end - state.pos <= DELIMITER_RUN_LIMIT:
            return rule(state, silent)
        if not silent:
            state.pending += state.src[state.pos : end]
        state.pos = end
        return True

    return limited


def _line_text(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]


def _table_with_cell_budget(
    state: StateBlock, start_line: int, end_line: int, silent: bool
) -> bool:
    if silent or start_line + 1 >= end_line:
        # Silent: "could a table start here?", asked at every line of every
        # paragraph; the table rule answers from two lines, cheaply.
        return rules_block.table(state, start_line, end_line, silent)
    # The delimiter row ("|---|:-:|") says how many columns every row has.
    columns = _line_text(state, start_line + 1).strip().strip("|").count("|") + 1
    cells_left = TABLE_CELLS_PER_TEXT - state.env.get(_TABLE_CELLS_KEY, 0)
    rows_left = cells_left // columns
    if rows_left < 2:  # not even the header and one row: leave it to be text
        return False
    end_line = min(end_line, start_line + 1 + rows_left)
    if not rules_block.table(state, start_line, end_line, silent):
        return False
    rows = state.line - start_line - 1  # the delimiter row has no cells
    state.env[_TABLE_CELLS_KEY] = state.env.get(_TABLE_CELLS_KEY, 0) + rows * columns
    return True


def _keep_as_paragraph(state: StateBlock, start_line: int, end_line: int) -> None:
    content = state.getLines(start_line, end_line, state.blkIndent, False).strip()
    state.line = end_line
    if not content:
        return
    paragraph_open = state.push("paragraph_open", "p", 1)
    paragraph_open.map = [start_line, end_line]
    inline = state.push("inline", "", 0)
    inline.content = content
    inline.map = [start_line, end_line]
    inline.children = []
    state.push("paragraph_close", "p", -1)


def flatten_past_limits(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: past the nesting or block limit, keep the rest as one paragraph."""
    if silent:
        return False
    blocks = state.env.get(_BLOCKS_KEY, 0) + 1
    state.env[_BLOCKS_KEY] = blocks
    if state.level < _FLATTEN_FROM_LEVEL and blocks <= BLOCKS_PER_TEXT:
        return False
    _keep_as_paragraph(state, start_line, end_line)
    return True


def _inline_rule(md: MarkdownIt, name: str) -> InlineRule:
    # Ruler has no public getter for one rule; __rules__ is markdown-it's
    # plugin surface (the JavaScript original names it the same).
    for rule in md.inline.ruler.__rules__:
        if rule.name == name:
            return rule.fn
    raise KeyError(name)


def guards_plugin(md: MarkdownIt) -> None:
    """Install the nesting cap and the per-text budgets; use after every other plugin."""
    md.options["maxNesting"] = MAX_NESTING
    first_block_rule = md.block.ruler.get_all_rules()[0]
    md.block.ruler.before(first_block_rule, "hearth_flatten_past_limits", flatten_past_limits)
    md.block.ruler.at("table", _table_with_cell_budget, {"alt": ["paragraph", "reference"]})
    for name, starts_with, key, limit in (
        ("link", "[", _LINK_ATTEMPTS_KEY, LINK_ATTEMPTS_PER_TEXT),
        ("image", "![", _LINK_ATTEMPTS_KEY, LINK_ATTEMPTS_PER_TEXT),
        ("footnote_ref", "[^", _FOOTNOTE_REFERENCES_KEY, FOOTNOTE_REFERENCES_PER_TEXT),
    ):
        if name in md.inline.ruler.get_all_rules():
            budgeted = _with_budget(
                _inline_rule(md, name), starts_with=starts_with, key=key, limit=limit
            )
            md.inline.ruler.at(name, budgeted)
    for name in ("emphasis", "strikethrough"):
        if name in md.inline.ruler.get_all_rules():
            md.inline.ruler.at(name, _with_run_limit(_inline_rule(md, name)))
    first_inline_rule = md.inline.ruler.get_all_rules()[0]
    md.inline.ruler.before(first_inline_rule, "hearth_inline_step_budget", inline_step_budget)
