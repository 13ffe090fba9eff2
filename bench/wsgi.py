"""The WSGI application the benchmark serves: Hearth's, with the bare ceiling beside it.

granian serves ``bench.wsgi:application`` (started by ``python -m bench.serve``, which
is ``hearth serve`` with only that application changed). A request for ``BARE_PATH``
goes to Django's own WSGI handler with no middleware at all, resolved against
``bench.bare_urls``: what the plainest Django view returning the thread page's bytes
costs on the same server, workers and interpreter. Every other request goes to
``hearth.wsgi.application``, exactly as in production.
"""

from collections.abc import Iterable
from wsgiref.types import StartResponse, WSGIEnvironment

from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.test.utils import override_settings

from hearth.wsgi import application as hearth_application  # sets Django up

BARE_PATH = "/__bench__/bare/"


class BareRequest(WSGIRequest):
    # Django resolves a request against its ``urlconf`` when it has one (middleware
    # usually sets it); here every bare request has the one-pattern URLconf.
    urlconf = "bench.bare_urls"


class BareDjangoHandler(WSGIHandler):
    """Django's WSGI handler as a project with ``MIDDLEWARE = []`` builds it."""

    request_class = BareRequest

    def load_middleware(self, is_async: bool = False) -> None:
        # Django's own chain-building with an empty list, rather than a copy of its
        # internals: the view behind the handler's exception-to-response wrapper only.
        with override_settings(MIDDLEWARE=[]):
            super().load_middleware(is_async=is_async)


bare_application = BareDjangoHandler()


def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """Send the bare ceiling's path to the bare handler, everything else to Hearth."""
    if environ.get("PATH_INFO") == BARE_PATH:
        return bare_application(environ, start_response)
    response: Iterable[bytes] = hearth_application(environ, start_response)
    return response
