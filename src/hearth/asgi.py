"""ASGI entry point, reserved for the live event stream; pages use WSGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings.base")

application = get_asgi_application()
