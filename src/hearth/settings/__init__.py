"""Hearth settings: ``hearth.settings`` is what operators run (see base.py)."""

from hearth.settings.base import *
