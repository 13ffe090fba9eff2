"""The design system's foundations hold: the vendored font, stylesheets that load nothing
from elsewhere, the header's markup (skip link first, a menu that works without
JavaScript) and docs/design.md naming every token hearth.css defines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import hearth

SOURCE_ROOT = Path(hearth.__file__).parent
PROJECT_ROOT = SOURCE_ROOT.parents[1]
STATIC = SOURCE_ROOT / "core" / "static" / "hearth"
FONTS = STATIC / "fonts"
HEARTH_CSS = STATIC / "hearth.css"
DESIGN_DOC = PROJECT_ROOT / "docs" / "design.md"

FONT_FACE = re.compile(r"@font-face\s*\{(?P<body>[^}]*)\}")
CSS_URL = re.compile(r"""url\(\s*["']?(?P<url>[^"')]+)["']?\s*\)""")
ROOT_BLOCK = re.compile(r":root\s*\{(?P<body>[^}]*)\}")
DEFINED_PROPERTY = re.compile(r"(--[a-z0-9-]+)\s*:")
CUSTOM_PROPERTY = re.compile(r"(--[a-z0-9-]+)\s*:\s*(?P<value>[^;]+);")
COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def _stylesheets() -> list[Path]:
    return sorted(SOURCE_ROOT.rglob("static/**/*.css"))


def _font_faces() -> list[str]:
    return [found["body"] for found in FONT_FACE.finditer(HEARTH_CSS.read_text())]


def _root_properties() -> dict[str, str]:
    """Every custom property defined in a ``:root`` block of hearth.css (light and dark)."""
    text = COMMENT.sub("", HEARTH_CSS.read_text())
    properties: dict[str, str] = {}
    for block in ROOT_BLOCK.finditer(text):
        for name, value in CUSTOM_PROPERTY.findall(block["body"]):
            properties.setdefault(name, value.strip())
    return properties


def test_the_font_files_are_vendored_with_their_licence_and_origin() -> None:
    files = {path.name for path in FONTS.glob("*.woff2")}

    assert {
        "inter-latin-wght-normal.woff2",
        "inter-latin-wght-italic.woff2",
        "inter-latin-ext-wght-normal.woff2",
        "inter-latin-ext-wght-italic.woff2",
    } <= files
    for name in files:  # real font files, not Git LFS pointers or empty copies
        assert (FONTS / name).read_bytes()[:4] == b"wOF2", name
    assert "SIL Open Font License" in (FONTS / "LICENSE.txt").read_text()
    readme = (FONTS / "README.md").read_text()
    assert "@fontsource-variable/inter" in readme
    assert re.search(r"\b\d+\.\d+\.\d+\b", readme), "the README names the package's version"


def test_every_font_face_loads_a_vendored_file_and_swaps() -> None:
    faces = _font_faces()

    assert len(faces) >= 2, "the upright and the italic at least"
    styles = set()
    for face in faces:
        assert '"Inter Variable"' in face
        assert re.search(r"font-display:\s*swap", face)
        urls = CSS_URL.findall(face)
        assert urls, face
        for url in urls:
            assert not re.match(r"[a-z]+:|/", url), f"{url} must be relative to hearth.css"
            assert (STATIC / url).is_file(), f"{url} is not in core/static/hearth/"
        style = re.search(r"font-style:\s*(\w+)", face)
        assert style is not None, face
        styles.add(style[1])
    assert styles == {"normal", "italic"}
    vendored = {path.name for path in FONTS.glob("*.woff2")}
    referenced = {Path(url).name for face in faces for url in CSS_URL.findall(face)}
    assert referenced == vendored, "every vendored font file is used, and only those"


def test_the_interface_and_posts_share_the_one_family_with_a_system_fallback() -> None:
    properties = _root_properties()

    assert properties["--font"].startswith('"Inter Variable", system-ui')
    assert properties["--font"].endswith("sans-serif")
    assert properties["--font-reading"] == "var(--font)"
    prose = re.search(r"\.prose\s*\{(?P<body>[^}]*)\}", HEARTH_CSS.read_text())
    assert prose is not None
    assert "font-family: var(--font-reading)" in prose["body"]


@pytest.mark.parametrize(
    "stylesheet", [path for path in _stylesheets() if "print" not in path.name], ids=str
)
def test_no_screen_stylesheet_sets_a_serif_face(stylesheet: Path) -> None:
    text = COMMENT.sub("", stylesheet.read_text())

    assert not re.search(r"(?<!sans-)\bserif\b|Georgia|Charter|Cambria", text), stylesheet


@pytest.mark.parametrize("stylesheet", _stylesheets(), ids=str)
def test_no_stylesheet_names_a_web_address(stylesheet: Path) -> None:
    assert not re.search(r"https?://", stylesheet.read_text(), re.IGNORECASE), stylesheet


def test_the_design_doc_names_every_token_hearth_css_defines() -> None:
    text = COMMENT.sub("", HEARTH_CSS.read_text())
    defined = {
        name
        for block in ROOT_BLOCK.finditer(text)
        for name in DEFINED_PROPERTY.findall(block["body"])
    }
    documented = set(re.findall(r"`(--[a-z0-9-]+)`", DESIGN_DOC.read_text()))

    assert len(defined) > 30, "the parser found the :root blocks"
    missing = sorted(defined - documented)
    assert not missing, f"docs/design.md does not describe: {missing}"


def test_the_dark_scheme_redefines_only_tokens_the_light_one_has() -> None:
    text = COMMENT.sub("", HEARTH_CSS.read_text())
    blocks = [set(DEFINED_PROPERTY.findall(block["body"])) for block in ROOT_BLOCK.finditer(text)]

    assert len(blocks) == 2, "one :root for light, one inside prefers-color-scheme: dark"
    light, dark = blocks
    assert dark <= light
    assert {"--bg", "--surface", "--text", "--text-muted", "--accent", "--focus"} <= dark


# --- The header's markup ---------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


@dataclass
class Element:
    tag: str
    attributes: dict[str, str]
    ancestors: list[Element]
    text: list[str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attributes.get("class", "").split())

    def is_inside(self, tag: str, class_name: str) -> bool:
        return any(a.tag == tag and class_name in a.classes for a in self.ancestors)

    @property
    def is_focusable(self) -> bool:
        if self.tag == "a":
            return "href" in self.attributes
        if self.tag == "input":
            return self.attributes.get("type") != "hidden"
        if self.tag in {"button", "select", "textarea", "summary"}:
            return True
        tabindex = self.attributes.get("tabindex")
        return tabindex is not None and not tabindex.startswith("-")


class _Page(HTMLParser):
    """The page's elements in document order, each knowing its ancestors and text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, list(self._open))
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text.append(data)

    def one(self, tag: str, class_name: str) -> Element:
        found = [e for e in self.elements if e.tag == tag and class_name in e.classes]
        assert len(found) == 1, f"{len(found)} <{tag} class={class_name}>"
        return found[0]

    def header_link(self, text: str) -> Element:
        """The one link or button in the site header that reads ``text``."""
        found = [
            e
            for e in self.elements
            if e.tag in {"a", "button"}
            and e.is_inside("header", "site-header")
            and "".join(e.text).strip() == text
        ]
        assert len(found) == 1, f"{len(found)} links or buttons reading {text!r} in the header"
        return found[0]


@pytest.mark.django_db
def test_the_skip_link_is_the_first_thing_to_take_focus(member_client: Client) -> None:
    page = _Page(member_client.get(reverse("home")).content.decode())

    in_body = [e for e in page.elements if any(a.tag == "body" for a in e.ancestors)]
    first = next(e for e in in_body if e.is_focusable)

    assert "skip-link" in first.classes
    assert first.attributes["href"] == "#main"
    assert page.one("main", "site-main").attributes["id"] == "main"


@pytest.mark.django_db
def test_a_members_header_keeps_plan_and_bell_out_and_the_rest_in_a_menu(
    member_client: Client,
) -> None:
    page = _Page(member_client.get(reverse("home")).content.decode())

    menu = page.one("details", "site-menu")
    summary = next(e for e in page.elements if e.tag == "summary" and menu in e.ancestors)
    assert "".join(summary.text).strip() == "Menu"
    assert not page.one("a", "nav-plan").is_inside("details", "site-menu")
    assert not page.one("a", "nav-bell").is_inside("details", "site-menu")
    for text in ("Home", "Messages", "Settings", "Sign out"):
        assert page.header_link(text).is_inside("details", "site-menu"), text
    search = next(e for e in page.elements if e.attributes.get("id") == "site-search")
    assert search.is_inside("details", "site-menu")
    assert menu.is_inside("nav", "site-nav")


@pytest.mark.django_db
def test_a_visitors_header_has_no_menu() -> None:
    page = _Page(Client().get(reverse("account_login")).content.decode())

    assert not [e for e in page.elements if e.tag == "details" and "site-menu" in e.classes]
    assert not page.header_link("Sign in").is_inside("details", "site-menu")
    assert "button" in page.header_link("Join").classes


@pytest.mark.django_db
def test_the_page_preloads_the_vendored_font_from_this_site(member_client: Client) -> None:
    page = _Page(member_client.get(reverse("home")).content.decode())

    preloads = [
        e for e in page.elements if e.tag == "link" and e.attributes.get("rel") == "preload"
    ]
    assert len(preloads) == 1
    preload = preloads[0]
    assert preload.attributes["as"] == "font"
    assert "crossorigin" in preload.attributes  # fonts are fetched in CORS mode
    assert preload.attributes["href"].startswith("/static/hearth/fonts/inter-latin-wght-normal")
