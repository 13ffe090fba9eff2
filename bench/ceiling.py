"""The benchmark's ceiling: a page's bytes from memory, through the whole middleware stack.

``bench/`` compares every page with this view, measured in the same run:
it returns the bytes of a real thread page read once from the file named by
the environment variable ``BENCH_CEILING_PAGE`` and does no database query of its own, so what it
costs is the server, the middleware (sessions and authentication included)
and nothing else. Only the benchmark's own URLconf (``bench.urls``, chosen by
``bench.settings``) mounts it: the product's URLs never include it.
"""

import os
from functools import cache
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

PAGE_VARIABLE = "BENCH_CEILING_PAGE"


@cache
def _page(path: str) -> bytes:
    return Path(path).read_bytes()


def page_path() -> Path:
    """The page file the ceiling serves (``bench.run`` writes it before measuring)."""
    return Path(os.environ[PAGE_VARIABLE])


@login_not_required  # like a public thread page: the anonymous ceiling runs the same middleware
@require_safe
def ceiling(request: HttpRequest) -> HttpResponse:
    """Answer with the stored page's bytes (read from disk once per process)."""
    return HttpResponse(_page(str(page_path())), content_type="text/html; charset=utf-8")
