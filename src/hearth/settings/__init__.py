"""Hearth's settings. Operators run ``hearth.settings.base`` (configured by the
environment); the test suite runs ``hearth.settings.test``.

This package module imports nothing, so that test settings can prepare the
environment before the base settings read it.
"""
