"""ASGI entry point: the live event stream (``hearth live``, and ``hearth serve``
beside the page server). ``/live/`` is answered by ``hearth.live.asgi``; anything
else by Django's ASGI handler. Pages are served over WSGI (``hearth.wsgi``)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings.base")
django.setup(set_prefix=False)

from hearth.live.asgi import LiveApplication  # noqa: E402 - after setup

application = LiveApplication()
