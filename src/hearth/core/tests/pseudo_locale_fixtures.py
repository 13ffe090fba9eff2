"""Fixtures for the catalogues and the pseudo-locale (a pytest plugin; see conftest.py).

- ``catalogue_extraction``: one fresh extraction of the source per test session (a
  .pot per domain), shared by the completeness checks and the pseudo-locale;
- ``pseudo_locale_directory``: the "qps" catalogues built from it, once per session;
- ``pseudo_locale``: "qps" offered, right to left, for one test (``override_settings``,
  so the live server of browser tests sees it too); yields the language code.

Without GNU gettext these fail, saying to install it: a check that skips would let an
incomplete catalogue through unseen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from hearth.core import catalogues
from hearth.core.pseudo_locale import (
    PSEUDO_LANGUAGE,
    build_pseudo_locale,
    pseudo_locale_settings,
)


@pytest.fixture(scope="session")
def catalogue_extraction(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    try:
        return catalogues.extract_messages(tmp_path_factory.mktemp("extraction"))
    except catalogues.GettextMissingError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def pseudo_locale_directory(
    tmp_path_factory: pytest.TempPathFactory, catalogue_extraction: dict[str, Path]
) -> Path:
    directory = tmp_path_factory.mktemp("pseudo-locale")
    build_pseudo_locale(directory, extracted=catalogue_extraction)
    return directory


@pytest.fixture
def pseudo_locale(pseudo_locale_directory: Path) -> Iterator[str]:
    with override_settings(**pseudo_locale_settings(pseudo_locale_directory)):
        yield PSEUDO_LANGUAGE
