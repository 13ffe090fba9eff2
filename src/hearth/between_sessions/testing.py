"""A fixture for other apps' tests that need a member with a full toolkit (their data
export, account deletion) without importing the toolkit (CARE.md)."""

from __future__ import annotations

import pytest

from hearth.accounts.models import User
from hearth.between_sessions.tests.conftest import fill_toolkit
from hearth.core.testing import FillToolkit


@pytest.fixture
def toolkit_filler(db: None) -> FillToolkit:
    """``toolkit_filler(member, marker=...)``: one of every toolkit item, through the
    toolkit's services, each carrying ``marker``."""

    def fill(owner: User, marker: str) -> object:
        return fill_toolkit(owner, marker=marker)

    return fill
