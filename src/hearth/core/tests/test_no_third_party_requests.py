"""No page may load anything from another site: that would leak who reads what."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import hearth

SOURCE_ROOT = Path(hearth.__file__).parent
EXTERNAL_URL = re.compile(
    r"""(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE
)
CSS_EXTERNAL = re.compile(
    r"""(?:url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//)""", re.IGNORECASE
)
JS_EXTERNAL = re.compile(
    r"""(?:fetch|import|XMLHttpRequest|src\s*=)\s*\(?\s*["'`](?:https?:)?//""", re.IGNORECASE
)


def _files(pattern: str) -> list[Path]:
    return sorted(SOURCE_ROOT.rglob(pattern))


@pytest.mark.parametrize("template", _files("templates/**/*.html"), ids=str)
def test_no_template_references_an_asset_outside_the_site(template: Path) -> None:
    text = template.read_text()

    assert not EXTERNAL_URL.findall(text), f"{template} refers to another site"


@pytest.mark.parametrize("stylesheet", _files("static/**/*.css"), ids=str)
def test_no_stylesheet_loads_from_outside_the_site(stylesheet: Path) -> None:
    assert not CSS_EXTERNAL.findall(stylesheet.read_text())


@pytest.mark.parametrize(
    "script", [path for path in _files("static/**/*.js") if "vendor" not in path.parts], ids=str
)
def test_no_script_of_ours_fetches_from_outside_the_site(script: Path) -> None:
    assert not JS_EXTERNAL.findall(script.read_text())


class _AssetCollector(HTMLParser):
    """Collect every URL a browser would fetch on its own when rendering a page."""

    FETCHING = {"script": "src", "img": "src", "iframe": "src", "source": "src", "video": "src",
                "audio": "src", "embed": "src", "object": "data", "input": "src"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("href"):
            self.urls.append(values["href"] or "")
        attribute = self.FETCHING.get(tag)
        if attribute and values.get(attribute):
            self.urls.append(values[attribute] or "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", ["home", "account_login", "account_signup", "accounts:edit_profile"]
)
def test_rendered_pages_fetch_only_from_this_site(member_client: Client, url_name: str) -> None:
    client = member_client if url_name.startswith(("home", "accounts:")) else Client()

    page = client.get(reverse(url_name)).content.decode()

    collector = _AssetCollector()
    collector.feed(page)
    assert collector.urls, "the page should load its stylesheet at least"
    for url in collector.urls:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
