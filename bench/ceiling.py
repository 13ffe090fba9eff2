"""The benchmark's two references: the same thread page's bytes, from memory, two ways.

``bench/`` compares every page with both, measured in the same run. Each returns the
bytes of a real thread page, read once from the file named by the environment variable
``BENCH_CEILING_PAGE``, and does no database query of its own:

- the **bare ceiling** (``bare_ceiling``) is a plain Django view served without any
  middleware (``bench.wsgi`` routes ``/__bench__/bare/`` to it): what the server,
  Django's request and response and the page's bytes cost, and nothing of Hearth's;
- the **Hearth stack floor** (``stack_floor``) runs behind Hearth's whole middleware stack
  (sessions, authentication, CSRF, CSP, ...): what every Hearth page pays before its
  view does anything. As the member, the session and member lookups run, as for any page.

Only the benchmark's own URLconfs (``bench.urls``, chosen by ``bench.settings``, and
``bench.bare_urls``) mount them: the product's URLs never include them.
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
    """The page file both references serve (``bench.run`` writes it before measuring)."""
    return Path(os.environ[PAGE_VARIABLE])


def bare_ceiling(request: HttpRequest) -> HttpResponse:
    """Answer with the stored page's bytes, as the plainest Django view would."""
    return HttpResponse(_page(str(page_path())), content_type="text/html; charset=utf-8")


@login_not_required  # like a public thread page: the anonymous floor runs the same middleware
@require_safe
def stack_floor(request: HttpRequest) -> HttpResponse:
    """Answer with the stored page's bytes (read from disk once per process)."""
    return HttpResponse(_page(str(page_path())), content_type="text/html; charset=utf-8")
