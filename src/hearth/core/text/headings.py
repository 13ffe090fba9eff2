"""Demote headings inside posts so the page's own outline stays right."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

# The page has its <h1> (the thread title) and <h2>s (its sections); a post's
# "# Title" is below them: "#" becomes <h3>, "##" <h4>, and deeper ones <h6>.
DEMOTE_BY = 2
DEEPEST = 6


def demote_headings_rule(state: StateCore) -> None:
    """Core rule: shift every heading down DEMOTE_BY levels, capped at <h6>."""
    for token in state.tokens:
        if token.type in {"heading_open", "heading_close"}:
            level = int(token.tag[1:])
            token.tag = f"h{min(level + DEMOTE_BY, DEEPEST)}"


def headings_plugin(md: MarkdownIt) -> None:
    """Install heading demotion."""
    md.core.ruler.push("hearth_demote_headings", demote_headings_rule)
