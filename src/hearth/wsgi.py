"""WSGI entry point: pages are served by a WSGI server (see ``hearth serve``)."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from hearth.core.body_reads import TimedBodyReads

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings.base")

# A client that trickles its request body holds a page thread for a bounded time.
application = TimedBodyReads(
    get_wsgi_application(),
    timeout=settings.HEARTH_BODY_READ_TIMEOUT,
    limit=settings.HEARTH_MAX_REQUEST_BYTES,
)
