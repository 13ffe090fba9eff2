"""Search tests: find through the page, as a member would, after the worker ran."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from hearth.core.tasks import run_due_tasks

Find = Callable[..., list[int]]
_HIT = re.compile(r'href="/p/(\d+)/"')


def hits_on(response_content: bytes) -> list[int]:
    """The post ids a results page links to, in order."""
    return [int(post_id) for post_id in _HIT.findall(response_content.decode())]


@pytest.fixture
def find() -> Find:
    """Run the worker's tasks (the index is kept by them), then search as ``client``;
    returns the ids of the posts found, in order. Fails on any status but 200."""

    def search(client: Client, q: str = "", **filters: str) -> list[int]:
        run_due_tasks()
        response = client.get(reverse("search:search"), {"q": q, **filters})
        assert response.status_code == 200, response.content.decode()[:2000]
        return hits_on(response.content)

    return search
