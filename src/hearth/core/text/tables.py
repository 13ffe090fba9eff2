"""Table column alignment as classes: inline styles never survive sanitising."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

# markdown-it writes style="text-align:right"; the stylesheet styles these.
ALIGNMENT_CLASSES = {
    "text-align:left": "align-left",
    "text-align:center": "align-center",
    "text-align:right": "align-right",
}


def alignment_classes_rule(state: StateCore) -> None:
    """Core rule: turn table cells' alignment styles into classes."""
    for token in state.tokens:
        if token.type in {"th_open", "td_open"} and "style" in token.attrs:
            style = str(token.attrs.pop("style"))
            if alignment := ALIGNMENT_CLASSES.get(style):
                token.attrs["class"] = alignment


def tables_plugin(md: MarkdownIt) -> None:
    """Enable GFM tables with alignment classes."""
    md.enable("table")
    md.core.ruler.push("hearth_table_alignment", alignment_classes_rule)
