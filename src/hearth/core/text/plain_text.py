"""Plain text from rendered HTML, for excerpts, search and plain-text email.

What a sighted reader sees, not what a screen reader hears: emoji stay
characters, a hug stays "(((name)))" (its visually hidden phrase is left
out), and a footnote's back link is dropped. Paragraphs are separated by a
blank line, list items and table rows by a line break; lists keep their
markers and quotes their "> ", so a plain-text copy still reads right.
"""

from __future__ import annotations

from html.parser import HTMLParser

_VOID_TAGS = frozenset({"br", "hr", "img", "input", "wbr", "area", "base", "col", "embed"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "pre", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}
)
# Left out of the text: meant for the ear, or navigation only.
_SKIPPED_CLASSES = frozenset({"visually-hidden", "footnote-backref"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._previous_kind = ""
        self._previous_quote_depth = 0
        self._buffer: list[str] = []
        self._skipping: list[str] = []  # open tags inside a skipped element
        self._preformatted = 0
        self._quote_depth = 0
        self._lists: list[list[int]] = []  # per open list: [next number], 0 = bullets
        self._marker = ""
        self._hanging = 0  # width of the current list item's marker
        self._cells_in_row = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping:
            if tag not in _VOID_TAGS:
                self._skipping.append(tag)
            return
        classes = set((dict(attrs).get("class") or "").split())
        if classes & _SKIPPED_CLASSES and tag not in _VOID_TAGS:
            self._skipping.append(tag)
            return
        if tag in _BLOCK_TAGS or tag in {"blockquote", "ul", "ol", "li", "tr"}:
            self._flush()
        if tag == "br":
            self._buffer.append("\n")
        elif tag == "pre":
            self._preformatted += 1
        elif tag == "blockquote":
            self._quote_depth += 1
        elif tag in {"ul", "ol", "li"}:
            self._open_list_part(tag, dict(attrs).get("start") or "1")
        elif tag in {"tr", "td", "th"}:
            self._open_table_part(tag)

    def _open_list_part(self, tag: str, start: str) -> None:
        if tag == "li":
            self._start_list_item()
            return
        if not self._lists:
            self._previous_kind = ""  # a new list is a new block
        self._lists.append([int(start) if tag == "ol" and start.isdigit() else 0])

    def _open_table_part(self, tag: str) -> None:
        if tag == "tr":
            self._cells_in_row = 0
            return
        if self._cells_in_row:
            self._buffer.append(" | ")
        self._cells_in_row += 1

    def handle_endtag(self, tag: str) -> None:
        if self._skipping:
            if tag in self._skipping:
                while self._skipping.pop() != tag:
                    pass
            return
        if tag in _BLOCK_TAGS or tag in {"blockquote", "ul", "ol", "li"}:
            self._flush()
        elif tag == "tr":
            self._flush(kind="row")
        if tag == "pre":
            self._preformatted = max(0, self._preformatted - 1)
        elif tag == "blockquote":
            self._quote_depth = max(0, self._quote_depth - 1)
        elif tag in {"ul", "ol"} and self._lists:
            self._lists.pop()
        elif tag == "li":
            self._hanging = 0

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        # Outside <pre>, a source line break is just a space.
        self._buffer.append(data if self._preformatted else data.replace("\n", " "))

    def _start_list_item(self) -> None:
        current = self._lists[-1] if self._lists else [0]
        if current[0]:
            self._marker = f"{current[0]}. "
            current[0] += 1
        else:
            self._marker = "- "
        self._hanging = len(self._marker)

    def _flush(self, *, kind: str = "") -> None:
        text = "".join(self._buffer)
        self._buffer = []
        if self._preformatted:
            lines = text.strip("\n").split("\n")
        else:
            lines = [" ".join(line.split()) for line in text.split("\n")]
        if not any(lines):
            return
        kind = kind or ("item" if self._lists else "block")
        if self.lines:
            tight = kind == self._previous_kind and kind in {"item", "row"}
            # A blank line between blocks, inside the quotes both are in.
            shared_depth = min(self._quote_depth, self._previous_quote_depth)
            self.lines.extend([] if tight else [("> " * shared_depth).rstrip()])
        self._previous_kind = kind
        self._previous_quote_depth = self._quote_depth
        indent = "  " * max(0, len(self._lists) - 1)
        continuation = indent + " " * self._hanging
        first_prefix = indent + self._marker if self._marker else continuation
        self._marker = ""
        quote = self._quote_prefix()
        for number, line in enumerate(lines):
            prefix = first_prefix if number == 0 else continuation
            self.lines.append(f"{quote}{prefix}{line}".rstrip())

    def _quote_prefix(self) -> str:
        return "> " * self._quote_depth

    def text(self) -> str:
        self._flush()
        return "\n".join(self.lines).strip("\n")


def html_to_text(html: str) -> str:
    """Return the plain text of rendered HTML, paragraph breaks kept."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return extractor.text()
