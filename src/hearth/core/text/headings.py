"""Place the headings inside a post under the page's own, without gaps in the outline."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

# The page has its <h1> (the thread title) and <h2>s (its sections, each post's author);
# a post's headings are an outline inside the post, so its top level is <h3>.
TOP = 3
DEEPEST = 6


def nest_headings_rule(state: StateCore) -> None:
    """Core rule: renumber the headings as the outline the author wrote, from <h3>.

    A heading sits one level below the nearest heading before it that the author made
    shallower, and at the top level when there is none. So the post's shallowest heading
    is an <h3> whether it was written "#" or "##", a skipped level ("#" then "###")
    closes up, and deeper stays deeper: the order and nesting are the author's, only
    the numbers change (screen readers and axe's heading-order expect no gaps). Levels
    past <h6> stay <h6>.
    """
    open_levels: list[int] = []  # the written levels of the headings now enclosing
    tag = ""
    for token in state.tokens:
        if token.type == "heading_open":
            written = int(token.tag[1:])
            while open_levels and open_levels[-1] >= written:
                open_levels.pop()
            tag = f"h{min(TOP + len(open_levels), DEEPEST)}"
            open_levels.append(written)
            token.tag = tag
        elif token.type == "heading_close":
            token.tag = tag


def headings_plugin(md: MarkdownIt) -> None:
    """Install heading nesting."""
    md.core.ruler.push("hearth_nest_headings", nest_headings_rule)
