"""WSGI entry point: pages are served by a WSGI server (see ``hearth serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings.base")

application = get_wsgi_application()
